/* The architecture's signal frame: what a handler finds on its stack (siginfo, ucontext with
 * the interrupted registers and FPU state) and how rt_sigreturn reads it back. */
#pragma once
#include "types.h"
#include <asm/signal.h>
#include <asm-generic/siginfo.h>

struct regs;
struct k_sigaction;

/* Builds the frame for sig's handler on the user stack (or the alternate stack) and points
 * the registers at the handler; mask is what uc_sigmask records (the mask to return to).
 * Returns -EFAULT when the frame cannot be written. */
int signal_frame_setup(struct regs *r, int sig, const siginfo_t *info,
		       const struct k_sigaction *ka, u64 mask);
/* rt_sigreturn: restores registers, mask, FPU state and alternate stack from the frame the
 * handler returned through. -EFAULT when the frame is unreadable or invalid. */
int signal_frame_restore(struct regs *r);
/* sigaltstack's rules (also used by rt_sigreturn to restore uc_stack): ss and old may each be
 * NULL; sp is the user stack pointer the call was made on. */
long signal_altstack(const stack_t *ss, stack_t *old, u64 sp);
