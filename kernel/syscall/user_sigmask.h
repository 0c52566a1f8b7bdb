/* The temporary signal mask that ppoll, pselect6, epoll_pwait and epoll_pwait2 wait with,
 * after Linux's set_user_sigmask: a NULL pointer means no mask, a size other than the
 * kernel's 8-byte sigset is EINVAL, an unreadable mask EFAULT. The caller puts the thread's
 * own mask back with signal_mask_end once the wait is over (proc/signal.h). */
#pragma once
#include "types.h"
#include "errno.h"
#include "mm/usercopy.h"
#include "proc/signal.h"

#define KERNEL_SIGSET_SIZE 8

/* Installs the mask at umask (size bytes) when there is one; *set says whether it did. */
static inline int user_sigmask_begin(uptr_t umask, u64 size, bool *set)
{
	*set = false;
	if (!umask)
		return 0;
	if (size != KERNEL_SIGSET_SIZE)
		return -EINVAL;
	u64 mask;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	signal_mask_begin(mask);
	*set = true;
	return 0;
}
