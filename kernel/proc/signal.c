/* Signals (signal.h): queueing, choosing the thread that takes a process-directed signal, waking
 * it, and delivery on the way back to user mode. All of this runs under the big kernel lock;
 * timer callbacks that send signals take it too (sched/irq.c).
 *
 * A pending signal is a bit in the thread's or the process's pending set plus, when memory
 * allows, a queued siginfo. A standard signal (1..31) is queued at most once; real-time signals
 * (32..64) are queued once per send, up to RLIMIT_SIGPENDING, and delivered in order. */
#include "proc/signal.h"
#include "proc/signal_frame.h"
#include "proc/process.h"
#include "proc/fault.h"
#include "proc/timer.h"
#include "sched/sched.h"
#include "sched/wait.h"
#include "sched/bkl.h"
#include "arch/x86_64/regs.h"
#include "core/cmdline.h"
#include "core/log.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "errno.h"
#include <linux/signal.h>
#include <asm/resource.h>

/* signal(7): default action "Ign" or "Cont"; the stop signals cannot stop the only process
 * (nothing could continue it) and are ignored too. */
#define DEFAULT_IGNORED (SIG_BIT(SIGCHLD) | SIG_BIT(SIGURG) | SIG_BIT(SIGWINCH) | SIG_BIT(SIGCONT) | \
			 SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))
/* Signals a fault raises, taken before the others as Linux does (next_signal). */
#define SYNCHRONOUS (SIG_BIT(SIGSEGV) | SIG_BIT(SIGBUS) | SIG_BIT(SIGILL) | SIG_BIT(SIGTRAP) | \
		     SIG_BIT(SIGFPE) | SIG_BIT(SIGSYS))

struct sigqueue_entry {
	struct list link;
	siginfo_t info;
};

struct wait_queue signal_queued_wq = WAIT_QUEUE_INIT(signal_queued_wq);

bool signal_ignored_by_action(int sig)
{
	u64 handler = proc.sigactions[sig - 1].handler;
	return handler == SIG_IGN_HANDLER ||
	       (handler == SIG_DFL_HANDLER && (DEFAULT_IGNORED & SIG_BIT(sig)));
}

static bool fatal_by_default(int sig)
{
	return sig == SIGKILL ||
	       (proc.sigactions[sig - 1].handler == SIG_DFL_HANDLER && !(DEFAULT_IGNORED & SIG_BIT(sig)));
}

bool signal_pending_for(struct thread *t)
{
	return ((t->sigpending | proc.shared_pending) & ~t->sigmask) != 0;
}

bool signal_pending(void) { return signal_pending_for(current_thread()); }

static bool can_take(struct thread *t, int sig)
{
	return !t->zombie && t->state != THREAD_DEAD && !(t->sigmask & SIG_BIT(sig));
}

/* The thread that takes a process-directed signal: the sender when it can (kill(getpid())
 * then runs the handler before kill returns), else the main thread, else any. NULL when every
 * thread blocks it: it waits in the process's set. */
static struct thread *choose_taker(int sig)
{
	struct thread *self = current_thread();
	if (!self->is_idle && can_take(self, sig))
		return self;
	if (can_take(proc.main_thread, sig))
		return proc.main_thread;
	list_for_each(pos, &proc.threads) {
		struct thread *t = list_entry(pos, struct thread, all_link);
		if (can_take(t, sig))
			return t;
	}
	return NULL;
}

static void trace_signal(const char *what, int sig, struct thread *t, const siginfo_t *info)
{
	if (options.trace_signals)
		kerr("signal: %s %s (%d) tid %d code %d\n", what, signal_name(sig), sig,
		     t ? t->tid : 0, info ? info->si_code : 0);
}

int signal_send(struct thread *t, int sig, const siginfo_t *info)
{
	if (sig < 1 || sig > SIGNAL_MAX)
		return -EINVAL;
	struct thread *blocker = t ? t : proc.main_thread;
	/* An ignored signal is dropped at once, unless blocked: its action may change before it
	 * is unblocked (Linux's sig_ignored). */
	if (sig != SIGKILL && signal_ignored_by_action(sig) &&
	    !((blocker->sigmask | blocker->sigwait_set) & SIG_BIT(sig))) {
		trace_signal("dropped (ignored)", sig, t, info);
		return 0;
	}
	struct thread *taker = t ? (can_take(t, sig) ? t : NULL) : choose_taker(sig);
	/* A signal whose default action ends the process does so now, from whichever thread it
	 * reaches, as Linux's complete_signal kills the whole group; but not one its taker awaits
	 * in sigtimedwait (blocked really, as Linux's real_blocked says). */
	if (sig == SIGKILL || (fatal_by_default(sig) && taker && !(taker->sigwait_set & SIG_BIT(sig)))) {
		trace_signal("fatal", sig, t, info);
		signal_terminate(sig);
	}
	u64 *pending = t ? &t->sigpending : &proc.shared_pending;
	struct list *queue = t ? &t->sigqueue : &proc.shared_queue;
	if (sig < SIGRTMIN && (*pending & SIG_BIT(sig)))
		return 0; /* a standard signal is pending once */
	struct sigqueue_entry *e = NULL;
	if (proc.nqueued < (long)proc.rlimits[RLIMIT_SIGPENDING][0])
		e = kmalloc(sizeof(*e));
	if (e) {
		if (info) {
			e->info = *info;
			e->info.si_signo = sig;
		} else {
			memset(&e->info, 0, sizeof(e->info));
			e->info.si_signo = sig;
			e->info.si_code = SI_KERNEL;
		}
		list_push_back(queue, &e->link);
		proc.nqueued++;
	} else if (sig >= SIGRTMIN && info && info->si_code != SI_KERNEL) {
		return -EAGAIN; /* a real-time signal from sigqueue cannot lose its value */
	}
	*pending |= SIG_BIT(sig);
	trace_signal("queued", sig, taker ? taker : t, info);
	if (taker) {
		if (!sched_wake(taker, WAKE_INTERRUPT))
			sched_kick(taker);
	}
	wake_up_all(&signal_queued_wq);
	return 0;
}

long signal_raise(int sig)
{
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	info.si_code = SI_TKILL;
	info.si_pid = proc.pid;
	return signal_send(current_thread(), sig, &info);
}

/* Removes the oldest queued siginfo of sig from queue; clears the pending bit when it was the
 * last. Fills *info (a bare one when none was queued for want of memory). */
static void take(u64 *pending, struct list *queue, int sig, siginfo_t *info)
{
	struct sigqueue_entry *found = NULL;
	bool more = false;
	list_for_each(pos, queue) {
		struct sigqueue_entry *e = list_entry(pos, struct sigqueue_entry, link);
		if (e->info.si_signo != sig)
			continue;
		if (found) {
			more = true;
			break;
		}
		found = e;
	}
	if (found) {
		*info = found->info;
		list_remove(&found->link);
		kfree(found);
		proc.nqueued--;
	} else {
		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_code = SI_KERNEL;
	}
	if (!more)
		*pending &= ~SIG_BIT(sig);
	timer_signal_taken(info); /* a timer's signal re-arms its periodic timer (proc/timer.c) */
}

static int lowest(u64 set)
{
	if (set & SYNCHRONOUS)
		set &= SYNCHRONOUS;
	return set ? __builtin_ctzl(set) + 1 : 0;
}

int signal_dequeue(u64 mask, siginfo_t *info)
{
	struct thread *t = current_thread();
	int sig = lowest(t->sigpending & mask);
	if (sig) {
		take(&t->sigpending, &t->sigqueue, sig, info);
		return sig;
	}
	sig = lowest(proc.shared_pending & mask);
	if (sig)
		take(&proc.shared_pending, &proc.shared_queue, sig, info);
	return sig;
}

void signal_thread_exit(struct thread *t)
{
	list_for_each_safe(pos, &t->sigqueue) {
		list_remove(pos);
		kfree(list_entry(pos, struct sigqueue_entry, link));
		proc.nqueued--;
	}
	t->sigpending = 0;
}

void signal_mask_begin(u64 mask)
{
	struct thread *t = current_thread();
	t->saved_sigmask = t->sigmask;
	t->sigmask = mask & ~SIG_UNBLOCKABLE;
}

void signal_mask_end(bool interrupted)
{
	struct thread *t = current_thread();
	if (interrupted && signal_pending_for(t))
		t->restore_sigmask = true;
	else
		t->sigmask = t->saved_sigmask;
}

/* ---- delivery ----------------------------------------------------------------------------- */

/* A syscall interrupted by a signal: EINTR or a restart, as signal(7) says. handler: a handler
 * is about to run (with its SA_RESTART flag in restart_flag). */
static void fix_interrupted_syscall(struct regs *r, bool handler, bool sa_restart)
{
	if (r->vector != SYSCALL_FRAME_VECTOR || r->error == NOT_A_SYSCALL)
		return;
	long ret = (long)r->rax;
	bool restart;
	switch (ret) {
	case -ERESTARTNOINTR: restart = true; break;
	case -ERESTARTSYS: restart = !handler || sa_restart; break;
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK: restart = !handler; break;
	default: return;
	}
	if (restart) {
		r->rax = r->error; /* the syscall number again */
		r->rip -= 2;       /* back onto the syscall instruction */
	} else {
		r->rax = (u64)-EINTR;
	}
	r->error = NOT_A_SYSCALL; /* decided once */
}

void signal_deliver(struct regs *r)
{
	struct thread *t = current_thread();
	for (;;) {
		siginfo_t info;
		int sig = signal_dequeue(~t->sigmask, &info);
		if (!sig)
			break;
		struct k_sigaction *ka = &proc.sigactions[sig - 1];
		if (signal_ignored_by_action(sig))
			continue;
		if (fatal_by_default(sig)) {
			trace_signal("fatal", sig, t, &info);
			signal_terminate(sig);
		}
		fix_interrupted_syscall(r, true, ka->flags & SA_RESTART);
		u64 frame_mask = t->restore_sigmask ? t->saved_sigmask : t->sigmask;
		trace_signal("delivered", sig, t, &info);
		if (signal_frame_setup(r, sig, &info, ka, frame_mask) != 0) {
			kerr("monos: could not write the frame for %s on the user stack (rsp %lx)\n",
			     signal_name(sig), r->rsp);
			signal_terminate(SIGSEGV);
		}
		t->force_iret = true;
		t->restore_sigmask = false; /* the frame holds the mask to return to */
		t->sigmask |= ka->mask | (ka->flags & SA_NODEFER ? 0 : SIG_BIT(sig));
		t->sigmask &= ~SIG_UNBLOCKABLE;
		if (ka->flags & SA_RESETHAND)
			ka->handler = SIG_DFL_HANDLER;
	}
	fix_interrupted_syscall(r, false, false);
	if (t->restore_sigmask) {
		t->restore_sigmask = false;
		t->sigmask = t->saved_sigmask;
	}
}

void signal_return_slow(struct regs *r)
{
	bkl_lock();
	signal_deliver(r);
	bkl_unlock();
}

void signal_fault(struct regs *r, int sig, int code, u64 addr)
{
	struct thread *t = current_thread();
	t->trap_nr = r->vector;
	t->trap_err = r->error;
	if (r->vector == 14) {
		t->trap_cr2 = addr;
		/* As Linux's set_signal_archinfo: a user access to a kernel address always reads as
		 * a protection fault, so the frame says nothing of the kernel's page tables. */
		if (addr >= USER_TOP)
			t->trap_err |= 1;
		t->trap_err |= 4;
	}
	u64 handler = proc.sigactions[sig - 1].handler;
	/* Linux's force_sig_fault: a blocked or ignored fault signal cannot be taken, so the
	 * default action applies, which ends the process with the fault report. */
	if (handler == SIG_DFL_HANDLER || handler == SIG_IGN_HANDLER || (t->sigmask & SIG_BIT(sig)))
		user_fault(r, sig, code, addr);
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	info.si_addr = (void *)addr;
	trace_signal("fault", sig, t, &info);
	bkl_lock();
	/* Queued first among the thread's own (delivery takes synchronous signals first). */
	if (signal_send(t, sig, &info) != 0)
		user_fault(r, sig, code, addr);
	bkl_unlock();
}

static void discard_from(u64 *pending, struct list *queue, int sig)
{
	if (!(*pending & SIG_BIT(sig)))
		return;
	list_for_each_safe(pos, queue) {
		struct sigqueue_entry *e = list_entry(pos, struct sigqueue_entry, link);
		if (e->info.si_signo == sig) {
			list_remove(pos);
			kfree(e);
			proc.nqueued--;
		}
	}
	*pending &= ~SIG_BIT(sig);
}

void signal_discard(int sig)
{
	discard_from(&proc.shared_pending, &proc.shared_queue, sig);
	list_for_each(pos, &proc.threads) {
		struct thread *t = list_entry(pos, struct thread, all_link);
		discard_from(&t->sigpending, &t->sigqueue, sig);
	}
}
