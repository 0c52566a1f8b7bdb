/* epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait and epoll_pwait2: arguments
 * checked in Linux's order (fs/eventpoll.c); the instance is fs/epoll.c's. */
#include "syscall/syscall.h"
#include "syscall/timespec_user.h"
#include "fs/epoll.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "proc/signal.h"
#include "syscall/user_sigmask.h"
#include "core/time.h"
#include <linux/time_types.h>

#define EP_MAX_EVENTS (INT32_MAX / (int)sizeof(struct epoll_event))

long sys_epoll_create1(int flags)
{
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	struct file *f;
	int err = epoll_create(&f);
	if (err)
		return err;
	int fd = fd_install(f, 0, flags & EPOLL_CLOEXEC);
	file_put(f);
	return fd;
}

long sys_epoll_create(int size)
{
	if (size <= 0)
		return -EINVAL; /* the size is only a hint, but must be positive */
	return sys_epoll_create1(0);
}

long sys_epoll_ctl(int epfd, int op, int fd, uptr_t uevent)
{
	struct epoll_event ev = { 0, 0 };
	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uevent, sizeof(ev)))
		return -EFAULT;
	struct file *ep = fd_get(epfd), *target = fd_get(fd);
	if (!ep || !target)
		return -EBADF;
	return epoll_ctl(ep, op, fd, target, op != EPOLL_CTL_DEL ? &ev : NULL);
}

/* do_epoll_wait; inlined in each caller so that the common call costs one frame. */
static inline __attribute__((always_inline)) long do_epoll_wait(int epfd, uptr_t events, int maxevents, u64 deadline, bool nowait)
{
	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	if (!user_range_ok(events, (size_t)maxevents * sizeof(struct epoll_event)))
		return -EFAULT;
	struct file *ep = fd_get(epfd);
	if (!ep)
		return -EBADF;
	if (!file_is_epoll(ep))
		return -EINVAL;
	return epoll_wait_events(ep, events, maxevents, deadline, nowait);
}

/* A timeout in milliseconds: negative waits for ever, 0 only looks. */
static long wait_ms(int epfd, uptr_t events, int maxevents, int timeout_ms)
{
	u64 deadline = timeout_ms > 0 ? poll_deadline_after((u64)timeout_ms * 1000000) : 0;
	return do_epoll_wait(epfd, events, maxevents, deadline, timeout_ms == 0);
}

long sys_epoll_wait(int epfd, uptr_t events, int maxevents, int timeout_ms)
{
	return wait_ms(epfd, events, maxevents, timeout_ms);
}

long sys_epoll_pwait(int epfd, uptr_t events, int maxevents, int timeout_ms, uptr_t umask, u64 size)
{
	bool masked;
	int err = user_sigmask_begin(umask, size, &masked);
	if (err)
		return err;
	long ret = wait_ms(epfd, events, maxevents, timeout_ms);
	if (masked)
		signal_mask_end(ret == -EINTR);
	return ret;
}

long sys_epoll_pwait2(int epfd, uptr_t events, int maxevents, uptr_t uts, uptr_t umask, u64 size)
{
	u64 deadline = 0;
	bool nowait = false;
	if (uts) {
		u64 ns;
		long terr = timespec_from_user(uts, &ns);
		if (terr)
			return terr;
		nowait = ns == 0;
		deadline = nowait ? 0 : poll_deadline_after(ns);
	}
	bool masked;
	int err = user_sigmask_begin(umask, size, &masked);
	if (err)
		return err;
	long ret = do_epoll_wait(epfd, events, maxevents, deadline, nowait);
	if (masked)
		signal_mask_end(ret == -EINTR);
	return ret;
}
