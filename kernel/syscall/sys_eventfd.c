/* eventfd and eventfd2: flags checked as Linux does, the counter is fs/eventfd.c's. */
#include "syscall/syscall.h"
#include <linux/fcntl.h>
#include "fs/eventfd.h"
#include "fs/file.h"

long sys_eventfd2(unsigned count, int flags)
{
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	struct file *f;
	int err = eventfd_create(count, (u32)flags, &f);
	if (err)
		return err;
	int fd = fd_install(f, 0, flags & EFD_CLOEXEC);
	file_put(f);
	return fd;
}

long sys_eventfd(unsigned count)
{
	return sys_eventfd2(count, 0);
}
