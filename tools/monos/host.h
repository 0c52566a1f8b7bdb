/* Facts about the host that shape the VM: can we use KVM, how fast does the TSC tick,
 * which of fds 0-2 are terminals. */
#ifndef MONOS_HOST_H
#define MONOS_HOST_H

#include <stdbool.h>

/* 0 when /dev/kvm opens read-write, else the errno of the failed open. */
int host_kvm_error(void);

/* The host TSC frequency in kHz, measured against CLOCK_MONOTONIC (about 20 ms);
 * 0 when it cannot be measured (not x86-64, or the clock misbehaves). */
unsigned long host_tsc_khz(void);

/* Bit i set when fd i (0, 1, 2) is a terminal: monos.tty=M in docs/protocol.md. */
unsigned host_tty_mask(void);

/* True when our stdin is the null device (1:3), which the guest then gets as its own null
 * device instead of an empty file. */
bool host_stdin_is_null(void);

#endif
