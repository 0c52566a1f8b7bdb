/* Running the VM: the QEMU command line for a configuration, and launching QEMU with the
 * control channel, a timeout and signal handling, turning what happens into an exit code. */
#ifndef MONOS_QEMU_H
#define MONOS_QEMU_H

#include <stdbool.h>

#include "net.h"
#include "util.h"

/* The fd QEMU inherits for the control channel: its debugcon chardev opens /dev/fd/3. */
#define QEMU_CTL_FD 3

enum accel { ACCEL_TCG, ACCEL_KVM };

struct vm_config {
	const char *qemu;		/* qemu-system-x86_64, resolved */
	const char *kernel;
	const char *initrd;
	const char *machine;		/* microvm, q35 or pc */
	const char *mem;		/* QEMU -m syntax, e.g. 128M */
	unsigned smp;
	enum accel accel;
	bool icount;			/* -icount shift=0: the TSC counts instructions */
	char *const *extra;		/* --qemu-arg words, NULL-terminated; may be NULL */
	const struct net_config *net;	/* NULL: no network (as NET_NONE) */

	/* kernel command line (docs/protocol.md) */
	unsigned tty_mask;		/* monos.tty */
	bool trace_syscalls;		/* monos.trace=syscalls */
	bool trace_futex;		/* monos.trace=futex */
	bool trace_signals;		/* monos.trace=signals (the three combine: monos.trace=a,b) */
	const char *sched;		/* monos.sched=POLICY, NULL = the kernel's default */
	bool kernel_verbose;		/* monos.verbose */
	bool no_aslr;			/* monos.aslr=off */
	bool missing_files;		/* monos.missing_files: report files not found */
	bool stdin_null;		/* monos.stdin=null: the host's stdin is /dev/null */
	unsigned long tsc_khz;		/* monos.tsc_khz, 0 = not passed */
	char *const *kernel_extra;	/* --kernel-arg words, appended; NULL-terminated, may be NULL */

	/* running */
	double timeout;			/* seconds, 0 = none */
	bool stdin_to_qemu;		/* QEMU reads our stdin (a terminal); else /dev/null */
	bool verbose;
};

/* The kernel command line and the whole QEMU argv (argv[0] = c->qemu). */
char *qemu_kernel_cmdline(const struct vm_config *c);
void qemu_argv(const struct vm_config *c, struct strvec *argv);

/* Runs QEMU with ARGV until the VM stops, a signal, or the timeout. Returns what
 * `monos run` exits with: the guest's status, or 124/125/128+n (docs/cli.md). */
int qemu_run(const struct vm_config *c, char *const *argv);

#endif
