/* pipe and pipe2, and close_range (which belongs with the descriptor table it trims). */
#include "syscall/syscall.h"
#include "fs/pipe.h"
#include "fs/file.h"
#include <linux/fcntl.h>
#include <linux/close_range.h>
#include <linux/watch_queue.h>

long sys_pipe2(uptr_t fds, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE))
		return -EINVAL;
	if (flags & (O_DIRECT | O_NOTIFICATION_PIPE))
		return -EINVAL; /* packet mode and notification pipes: not supported */
	struct file *r, *w;
	int err = pipe_create((u32)flags, &r, &w);
	if (err)
		return err;
	int rfd = fd_install(r, 0, flags & O_CLOEXEC);
	int wfd = rfd < 0 ? rfd : fd_install(w, 0, flags & O_CLOEXEC);
	file_put(r);
	file_put(w);
	if (wfd < 0) {
		if (rfd >= 0)
			fd_close(rfd);
		return wfd;
	}
	int pair[2] = { rfd, wfd };
	if (copy_to_user(fds, pair, sizeof(pair))) {
		fd_close(rfd);
		fd_close(wfd);
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(uptr_t fds) { return sys_pipe2(fds, 0); }

long sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	/* One process: the table is never shared, so UNSHARE has nothing to do. */
	fd_close_range(first, last, flags & CLOSE_RANGE_CLOEXEC);
	return 0;
}
