/* Signal state and sending: rt_sigaction and rt_sigprocmask keep and report the actions and the
 * mask as Linux validates them; kill, tgkill and tkill to ourselves carry out the default action
 * (terminate, or ignore), and a blocked signal waits as pending until unblocked. Running handlers
 * needs signal frames, which come with the signals issue: sending a signal that has a handler
 * returns ENOSYS and says so once. */
#include "syscall/syscall.h"
#include "proc/process.h"
#include "proc/fault.h"
#include "proc/signal.h"
#include "core/log.h"
#include <asm/signal.h>

#define KERNEL_SIGSET_SIZE 8
#define UNBLOCKABLE ((1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1)))

long sys_rt_sigaction(int sig, uptr_t act, uptr_t oact, u64 size)
{
	if (size != KERNEL_SIGSET_SIZE)
		return -EINVAL;
	if (sig < 1 || sig > 64)
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
		new.mask &= ~UNBLOCKABLE;
		*ka = new;
	}
	return 0;
}

#define SIG_BIT(n) (1UL << ((n) - 1))
#define SIG_DFL_HANDLER 0
#define SIG_IGN_HANDLER 1
/* signal(7): default action "Ign" or "Cont"; SIGSTOP-like ones cannot stop the only process
 * (nothing could continue it) and are ignored too. */
#define DEFAULT_IGNORED (SIG_BIT(SIGCHLD) | SIG_BIT(SIGURG) | SIG_BIT(SIGWINCH) | SIG_BIT(SIGCONT) | \
			 SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))

/* Acts on signal sig, now deliverable: its default action, or nothing when ignored. */
static long act_on(int sig)
{
	u64 handler = proc.sigactions[sig - 1].handler;
	if (sig == SIGKILL || (handler == SIG_DFL_HANDLER && !(DEFAULT_IGNORED & SIG_BIT(sig))))
		signal_terminate(sig);
	if (handler == SIG_IGN_HANDLER || handler == SIG_DFL_HANDLER)
		return 0;
	static bool said;
	if (!said) {
		said = true;
		kerr("monos: signal handlers are not run yet (%s has one): the signal is refused\n",
		     signal_name(sig));
	}
	return -ENOSYS;
}

/* Sends sig to thread t: pending while t blocks it, else acted on at once. */
static long raise_in(struct thread *t, int sig)
{
	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (sig == 0)
		return 0; /* only the permission and existence check */
	if ((t->sigmask & SIG_BIT(sig)) && sig != SIGKILL && sig != SIGSTOP) {
		u64 handler = proc.sigactions[sig - 1].handler;
		if (handler != SIG_IGN_HANDLER)
			t->sigpending |= SIG_BIT(sig);
		return 0;
	}
	return act_on(sig);
}

long signal_raise(int sig) { return raise_in(current_thread(), sig); }

/* Acts on pending signals the mask no longer blocks, lowest first as Linux delivers them. */
static void deliver_unblocked(void)
{
	struct thread *t = current_thread();
	u64 ready = t->sigpending & ~t->sigmask;
	for (int sig = 1; ready && sig <= 64; sig++) {
		if (!(ready & SIG_BIT(sig)))
			continue;
		t->sigpending &= ~SIG_BIT(sig);
		ready &= ~SIG_BIT(sig);
		act_on(sig);
	}
}

static bool is_us(int pid) { return pid == proc.pid || pid == 0 || pid == -1 || pid == -proc.pid; }

long sys_kill(int pid, int sig)
{
	if (!is_us(pid))
		return -ESRCH;
	return signal_raise(sig);
}

long sys_tgkill(int tgid, int tid, int sig)
{
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	struct thread *t = proc_find_thread(tid);
	if (tgid != proc.pid || !t)
		return -ESRCH;
	return raise_in(t, sig);
}

long sys_tkill(int tid, int sig)
{
	if (tid <= 0)
		return -EINVAL;
	struct thread *t = proc_find_thread(tid);
	if (!t)
		return -ESRCH;
	return raise_in(t, sig);
}

long sys_rt_sigpending(uptr_t set, u64 size)
{
	if (size > KERNEL_SIGSET_SIZE)
		return -EINVAL;
	u64 pending = current_thread()->sigpending & current_thread()->sigmask;
	return copy_to_user(set, &pending, size);
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
		new &= ~UNBLOCKABLE;
		switch (how) {
		case SIG_BLOCK: new = old | new; break;
		case SIG_UNBLOCK: new = old & ~new; break;
		case SIG_SETMASK: break;
		default: return -EINVAL;
		}
	}
	if (oset && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	if (set) {
		*mask = new;
		deliver_unblocked();
	}
	return 0;
}
