/* signalfd and signalfd4: argument checks in Linux's order, then fs/signalfd.c. */
#include "syscall/syscall.h"
#include "fs/signalfd.h"
#include "fs/file.h"
#include "proc/signal.h"
#include <linux/signalfd.h>

#define KERNEL_SIGSET_SIZE 8

long sys_signalfd4(int fd, uptr_t umask, size_t sizemask, int flags)
{
	if (sizemask != KERNEL_SIGSET_SIZE)
		return -EINVAL;
	u64 mask;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	mask &= ~SIG_UNBLOCKABLE;
	if (fd != -1) {
		struct file *f = fd_get(fd);
		if (!f)
			return -EBADF;
		if (!file_is_signalfd(f))
			return -EINVAL;
		signalfd_set_mask(f, mask);
		return fd;
	}
	struct file *f;
	int err = signalfd_new(mask, (u32)flags, &f);
	if (err)
		return err;
	int nfd = fd_install(f, 0, flags & SFD_CLOEXEC);
	file_put(f);
	return nfd;
}

long sys_signalfd(int fd, uptr_t umask, size_t sizemask)
{
	return sys_signalfd4(fd, umask, sizemask, 0);
}
