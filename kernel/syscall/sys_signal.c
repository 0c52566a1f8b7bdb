/* Signal state: rt_sigaction and rt_sigprocmask keep and report the process's actions and the
 * thread's mask exactly as Linux validates them. Delivery comes with the signals issue. */
#include "syscall/syscall.h"
#include "proc/process.h"
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
	if (set)
		*mask = new;
	return 0;
}
