/* Signals: sending them, delivering them on the way back to user mode, and what blocking calls
 * need to know of them. Signal state (pending sets, queued siginfo) has its own spin lock, so a
 * timer interrupt can send a signal; actions and masks change under the big kernel lock. */
#pragma once
#include "types.h"
#include "errno.h"
#include "proc/process.h"
#include "arch/x86_64/regs.h"
#include <asm/signal.h>
#include <asm-generic/siginfo.h>

struct thread;
struct regs;
struct wait_queue;

#define SIG_BIT(n) (1UL << ((n) - 1))
#define SIG_UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
/* k_sigaction.handler's two special values (SIG_DFL, SIG_IGN). */
#define SIG_DFL_HANDLER 0
#define SIG_IGN_HANDLER 1
#define SIGNAL_MAX 64 /* Linux's _NSIG on x86-64 (the UAPI header's NSIG is the old 32) */

/* Sends sig to the process (t == NULL: a thread that does not block it takes it, as Linux picks
 * one) or to thread t alone. info == NULL means a signal the kernel generates (si_code
 * SI_KERNEL); otherwise info is copied as given. A signal whose action is "ignore" is dropped.
 * A thread blocked in the kernel that can take the signal is woken (WAKE_INTERRUPT); one running
 * on another CPU is sent an IPI so it delivers on its way back to user mode. Safe from interrupt
 * handlers. Returns 0, or -EAGAIN when the real-time queue is full. */
int signal_send(struct thread *t, int sig, const siginfo_t *info);
/* Sends sig to the current thread as raise() would (SIGPIPE on a broken pipe): returns 0, or
 * does not return when its default action ends the process. */
long signal_raise(int sig);
/* Whether a signal the current thread does not block is pending: a blocking call must return
 * (sched_block and wait_on then return WAKE_INTERRUPT at once). */
bool signal_pending(void);
bool signal_pending_for(struct thread *t);
/* Takes the lowest-numbered signal in mask pending for the current thread (its own first, then
 * the process's) and fills *info; 0 when none is (sigtimedwait, signalfd). */
int signal_dequeue(u64 mask, siginfo_t *info);
/* Woken whenever a signal is queued for the process or any of its threads (signalfd). */
extern struct wait_queue signal_queued_wq;
/* The way back to user mode (syscall, trap, interrupt): delivers pending signals by building a
 * handler frame on the user stack or carrying out the default action. For a syscall frame
 * (vector 0x80) it also turns an -ERESTART* result into EINTR or a restart. */
void signal_deliver(struct regs *r);
/* A fault in user mode (page fault, divide error, ...): delivers sig to the current thread's
 * handler at once, or ends the process with the fault report when there is none or it is
 * blocked. */
void signal_fault(struct regs *r, int sig, int code, u64 addr);
/* ppoll, pselect6, epoll_pwait and sigsuspend wait with a temporary signal mask. Begin installs
 * it (the thread's own mask is kept aside); end puts the thread's mask back, except when the
 * wait was interrupted (interrupted == true): then the mask comes back only after the signal
 * that interrupted it has been delivered, so its handler runs and the frame records the
 * thread's own mask, as Linux does. */
void signal_mask_begin(u64 mask);
void signal_mask_end(bool interrupted);
/* A thread ends: the signals sent to it alone go with it. */
void signal_thread_exit(struct thread *t);
/* The way back to user mode from a syscall, trap or interrupt (entry code, without the big
 * kernel lock): delivers what is deliverable. Inline, because on every syscall's path there is
 * almost never anything to do. */
void signal_return_slow(struct regs *r);
static inline void signal_return_to_user(struct regs *r)
{
	struct thread *t = current_thread();
	if ((t->sigpending | proc.shared_pending) & ~t->sigmask || t->restore_sigmask ||
	    ((long)r->rax >= -ERESTART_RESTARTBLOCK && (long)r->rax <= -ERESTARTSYS))
		signal_return_slow(r);
}
/* sig's action is to ignore it: SIG_IGN, or SIG_DFL for a signal ignored by default. */
bool signal_ignored_by_action(int sig);
/* sig's action became "ignore": pending instances of it go, blocked or not (POSIX). */
void signal_discard(int sig);
