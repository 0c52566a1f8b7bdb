/* timerfd_create, timerfd_settime, timerfd_gettime: argument checks in Linux's order, then
 * fs/timerfd.c. */
#include "syscall/syscall.h"
#include "syscall/timespec_user.h"
#include "fs/timerfd.h"
#include "fs/file.h"
#include <linux/timerfd.h>
#include <linux/time.h>

long sys_timerfd_create(int clockid, int flags)
{
	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	switch (clockid) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM: /* CAP_WAKE_ALARM: the app is root of its VM */
		break;
	default:
		return -EINVAL;
	}
	struct file *f;
	int err = timerfd_new(clockid, (u32)flags, &f);
	if (err)
		return err;
	int fd = fd_install(f, 0, flags & TFD_CLOEXEC);
	file_put(f);
	return fd;
}

/* Linux's timerfd_fget: EBADF for no descriptor, EINVAL for one that is not a timerfd. */
static long timerfd_from_fd(int fd, struct file **out)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (!file_is_timerfd(f))
		return -EINVAL;
	*out = f;
	return 0;
}

long sys_timerfd_settime(int fd, int flags, uptr_t new_value, uptr_t old_value)
{
	struct timerfd_setting set, old;
	long err = itimerspec_from_user(new_value, &set.value_ns, &set.interval_ns);
	if (err == -EFAULT)
		return err;
	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (err)
		return err;
	struct file *f;
	err = timerfd_from_fd(fd, &f);
	if (err)
		return err;
	timerfd_set(f, flags & TFD_TIMER_ABSTIME,
		    (flags & TFD_TIMER_ABSTIME) && (flags & TFD_TIMER_CANCEL_ON_SET), set, &old);
	if (old_value)
		return itimerspec_to_user(old_value, old.value_ns, old.interval_ns);
	return 0;
}

long sys_timerfd_gettime(int fd, uptr_t cur_value)
{
	struct file *f;
	long err = timerfd_from_fd(fd, &f);
	if (err)
		return err;
	struct timerfd_setting now;
	timerfd_get(f, &now);
	return itimerspec_to_user(cur_value, now.value_ns, now.interval_ns);
}
