/* The signal syscalls: actions, masks, sending (kill, tgkill, tkill, rt_sigqueueinfo,
 * rt_tgsigqueueinfo), waiting (rt_sigtimedwait, rt_sigsuspend, pause), sigaltstack and
 * rt_sigreturn. Delivery itself is proc/signal.c's, on the way back to user mode. */
#include "syscall/syscall.h"
#include "proc/process.h"
#include "proc/fault.h"
#include "proc/signal.h"
#include "proc/signal_frame.h"
#include "sched/sched.h"
#include "arch/x86_64/regs.h"
#include "core/time.h"
#include "core/log.h"
#include "syscall/timespec_user.h"
#include "lib/string.h"
#include <linux/signal.h>
#include <linux/time_types.h>

#define KERNEL_SIGSET_SIZE 8

static bool valid_signal(int sig) { return sig >= 1 && sig <= SIGNAL_MAX; }

long sys_rt_sigaction(int sig, uptr_t act, uptr_t oact, u64 size)
{
	if (size != KERNEL_SIGSET_SIZE || !valid_signal(sig))
		return -EINVAL;
	struct k_sigaction *ka = &proc.sigactions[sig - 1];
	struct k_sigaction new;
	if (act) {
		if (copy_from_user(&new, act, sizeof(new)))
			return -EFAULT;
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
	}
	if (oact && copy_to_user(oact, ka, sizeof(*ka)))
		return -EFAULT;
	if (act) {
		new.mask &= ~SIG_UNBLOCKABLE;
		*ka = new;
		/* POSIX: setting a pending signal's action to ignore discards it, blocked or not. */
		if (signal_ignored_by_action(sig))
			signal_discard(sig);
	}
	return 0;
}

long sys_rt_sigprocmask(int how, uptr_t set, uptr_t oset, u64 size)
{
	if (size != KERNEL_SIGSET_SIZE)
		return -EINVAL;
	u64 *mask = &current_thread()->sigmask;
	u64 old = *mask, new = 0;
	if (set) {
		if (copy_from_user(&new, set, sizeof(new)))
			return -EFAULT;
		new &= ~SIG_UNBLOCKABLE;
		switch (how) {
		case SIG_BLOCK: new = old | new; break;
		case SIG_UNBLOCK: new = old & ~new; break;
		case SIG_SETMASK: break;
		default: return -EINVAL;
		}
	}
	if (oset && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	if (set)
		*mask = new; /* what it unblocks is delivered on the way out */
	return 0;
}

long sys_rt_sigpending(uptr_t set, u64 size)
{
	if (size > KERNEL_SIGSET_SIZE)
		return -EINVAL;
	struct thread *t = current_thread();
	u64 pending = (t->sigpending | proc.shared_pending) & t->sigmask;
	return copy_to_user(set, &pending, size) ? -EFAULT : 0;
}

/* ---- sending ------------------------------------------------------------------------------ */

static void user_info(siginfo_t *info, int code)
{
	memset(info, 0, sizeof(*info));
	info->si_code = code;
	info->si_pid = proc.pid;
	info->si_uid = 0;
}

/* kill's targets: ourselves by pid, process group 0 or -pid (the process is its own group);
 * -1 means every process but the caller, and there is none. */
static bool is_us(int pid) { return pid == proc.pid || pid == 0 || pid == -proc.pid; }

static long send_checked(struct thread *t, int sig, const siginfo_t *info)
{
	if (sig < 0 || sig > SIGNAL_MAX)
		return -EINVAL;
	if (sig == 0)
		return 0; /* the existence check only */
	return signal_send(t, sig, info);
}

long sys_kill(int pid, int sig)
{
	if (sig < 0 || sig > SIGNAL_MAX)
		return -EINVAL;
	if (!is_us(pid))
		return -ESRCH;
	siginfo_t info;
	user_info(&info, SI_USER);
	return send_checked(NULL, sig, &info);
}

static long thread_kill(int tgid, int tid, int sig)
{
	if (sig < 0 || sig > SIGNAL_MAX)
		return -EINVAL;
	struct thread *t = proc_find_thread(tid);
	if (!t || t->zombie || (tgid > 0 && tgid != proc.pid))
		return -ESRCH;
	siginfo_t info;
	user_info(&info, SI_TKILL);
	return send_checked(t, sig, &info);
}

long sys_tgkill(int tgid, int tid, int sig)
{
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	return thread_kill(tgid, tid, sig);
}

long sys_tkill(int tid, int sig)
{
	if (tid <= 0)
		return -EINVAL;
	return thread_kill(0, tid, sig);
}

/* rt_sigqueueinfo's siginfo comes from the caller; to itself any si_code is allowed (Linux
 * refuses SI_USER-like codes only toward other processes). */
static long queue_info(struct thread *t, int sig, uptr_t uinfo)
{
	siginfo_t info;
	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	info.si_signo = sig;
	return send_checked(t, sig, &info);
}

long sys_rt_sigqueueinfo(int tgid, int sig, uptr_t uinfo)
{
	if (!is_us(tgid) || tgid <= 0)
		return -ESRCH;
	return queue_info(NULL, sig, uinfo);
}

long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, uptr_t uinfo)
{
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	struct thread *t = proc_find_thread(tid);
	if (tgid != proc.pid || !t || t->zombie)
		return -ESRCH;
	return queue_info(t, sig, uinfo);
}

/* ---- waiting ------------------------------------------------------------------------------ */

long sys_rt_sigsuspend(uptr_t umask, u64 size)
{
	u64 mask;
	if (size != KERNEL_SIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	signal_mask_begin(mask);
	while (!signal_pending())
		sched_sleep_until(0);
	signal_mask_end(true);
	return -ERESTARTNOHAND;
}

long sys_pause(void)
{
	while (!signal_pending())
		sched_sleep_until(0);
	return -ERESTARTNOHAND;
}

long sys_rt_sigtimedwait(uptr_t uthese, uptr_t uinfo, uptr_t uts, u64 size)
{
	u64 these;
	if (size != KERNEL_SIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&these, uthese, sizeof(these)))
		return -EFAULT;
	these &= ~SIG_UNBLOCKABLE;
	u64 deadline = 0;
	bool poll_only = false;
	if (uts) {
		u64 ns;
		long err = timespec_from_user(uts, &ns);
		if (err)
			return err;
		poll_only = ns == 0;
		u64 now = time_monotonic_ns();
		deadline = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
	}
	siginfo_t info;
	int sig = signal_dequeue(these, &info);
	if (!sig && !poll_only) {
		/* As Linux: the awaited signals are unblocked while waiting, so sending one wakes
		 * this thread; it takes it itself before returning to user mode. */
		struct thread *t = current_thread();
		u64 old = t->sigmask;
		t->sigmask &= ~these;
		t->sigwait_set = these & old;
		int reason = WAKE_NONE;
		while (!signal_pending() && reason != WAKE_TIMEOUT)
			reason = sched_sleep_until(deadline);
		t->sigmask = old;
		t->sigwait_set = 0;
		sig = signal_dequeue(these, &info);
		if (!sig)
			return reason == WAKE_TIMEOUT ? -EAGAIN : -EINTR;
	}
	if (!sig)
		return -EAGAIN;
	if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return sig;
}

/* ---- stacks and return -------------------------------------------------------------------- */

long sys_sigaltstack(uptr_t uss, uptr_t uoss)
{
	stack_t ss, old;
	if (uss && copy_from_user(&ss, uss, sizeof(ss)))
		return -EFAULT;
	long err = signal_altstack(uss ? &ss : NULL, uoss ? &old : NULL, current_thread()->regs->rsp);
	if (err)
		return err;
	if (uoss && copy_to_user(uoss, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigreturn(void)
{
	struct thread *t = current_thread();
	struct regs *r = t->regs;
	if (signal_frame_restore(r) != 0) {
		kerr("monos: rt_sigreturn found no valid signal frame at %lx\n", r->rsp - 8);
		signal_terminate(SIGSEGV);
	}
	t->force_iret = true; /* every register, rcx and r11 included, is the frame's */
	return (long)r->rax;
}
