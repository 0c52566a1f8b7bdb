/* timerfd (timerfd.h), after Linux's fs/timerfd.c: the timer's callback counts one expiration
 * and wakes readers; a periodic timer is not re-armed by the callback but by the next read or
 * timerfd_gettime, which count the periods that passed meanwhile (Linux does the same so that
 * a tiny interval cannot flood the CPU with interrupts). All state is guarded by the big kernel
 * lock, which the callback holds too (sched/ktimer.h).
 *
 * TFD_TIMER_CANCEL_ON_SET: a change of CLOCK_REALTIME by clock_settime shows as a change of the
 * realtime-minus-monotonic offset, noticed when the timerfd is read or polled (read fails with
 * ECANCELED); a reader already blocked when the clock is set is not woken by the set itself. */
#include "fs/timerfd.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/anon_inode.h"
#include "sched/ktimer.h"
#include "sched/wait.h"
#include "core/time.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "errno.h"
#include <asm/stat.h>
#include <linux/fcntl.h>
#include <linux/time.h>
#include <linux/timerfd.h>

struct timerfd {
	int clockid;
	struct ktimer timer;
	u64 expiry_ns;       /* monotonic: the next (or last, once expired) expiration */
	u64 interval_ns;     /* 0: one-shot */
	u64 ticks;           /* expirations not yet read */
	bool armed;          /* set with a non-zero value (expired one-shots stay "armed" at 0 left) */
	bool expired;        /* the callback ran and the periodic timer awaits re-arming */
	bool cancel_on_set;
	s64 wall_offset;     /* realtime - monotonic when armed, for cancel_on_set */
	struct wait_queue readers;
};

static void timerfd_fire(struct ktimer *t)
{
	struct timerfd *tfd = (struct timerfd *)((char *)t - __builtin_offsetof(struct timerfd, timer));
	tfd->ticks++;
	tfd->expired = true;
	wake_up_poll(&tfd->readers, EPOLLIN);
}

/* A timer whose expiry passed while its callback still waits for its CPU's interrupt (the
 * ktimer sits on the CPU that armed it, which may be busy or waiting for the big lock) is
 * counted now, so that what a reader sees never lags behind the clock. */
static void catch_up(struct timerfd *tfd)
{
	if (ktimer_armed(&tfd->timer) && tfd->expiry_ns <= time_monotonic_ns()) {
		ktimer_cancel(&tfd->timer);
		timerfd_fire(&tfd->timer);
	}
}

/* A periodic timer that expired: count the periods since and arm the next one. */
static void rearm_periodic(struct timerfd *tfd)
{
	catch_up(tfd);
	if (!tfd->expired || !tfd->interval_ns)
		return;
	tfd->expired = false;
	tfd->ticks += ktimer_forward(&tfd->expiry_ns, time_monotonic_ns(), tfd->interval_ns) - 1;
	ktimer_arm(&tfd->timer, tfd->expiry_ns);
}

static bool canceled(struct timerfd *tfd)
{
	return tfd->cancel_on_set && time_realtime_offset_ns() != tfd->wall_offset;
}

static ssize_t timerfd_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	struct timerfd *tfd = f->priv;
	if (n < sizeof(u64))
		return -EINVAL;
	for (;;) {
		catch_up(tfd);
		if (canceled(tfd)) {
			/* Reported once, as Linux's timerfd_canceled: the timer itself stays armed. */
			tfd->wall_offset = time_realtime_offset_ns();
			tfd->ticks = 0;
			tfd->expired = false;
			return -ECANCELED;
		}
		if (tfd->ticks)
			break;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_on(&tfd->readers, 0) == WAKE_INTERRUPT)
			return -ERESTARTSYS;
	}
	rearm_periodic(tfd);
	u64 ticks = tfd->ticks;
	tfd->ticks = 0;
	memcpy(buf, &ticks, sizeof(ticks));
	return sizeof(ticks);
}

static ssize_t timerfd_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	return -EINVAL; /* no write operation: Linux's vfs_write says EINVAL */
}

/* TFD_IOC_SET_TICKS (checkpoint/restore sets the expiration count a restored timerfd shows). */
static long timerfd_ioctl(struct file *f, unsigned cmd, uptr_t arg)
{
	struct timerfd *tfd = f->priv;
	if (cmd != TFD_IOC_SET_TICKS)
		return -ENOTTY;
	u64 ticks;
	if (copy_from_user(&ticks, arg, sizeof(ticks)))
		return -EFAULT;
	if (!ticks)
		return -EINVAL;
	if (canceled(tfd)) {
		tfd->wall_offset = time_realtime_offset_ns();
		return -ECANCELED;
	}
	tfd->ticks = ticks;
	wake_up_poll(&tfd->readers, EPOLLIN);
	return 0;
}

static u32 timerfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd *tfd = f->priv;
	poll_wait(pt, &tfd->readers, f);
	catch_up(tfd);
	return tfd->ticks || canceled(tfd) ? EPOLLIN : 0;
}

static int timerfd_stat(struct file *f, struct stat *st)
{
	anon_inode_stat(st);
	return 0;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *tfd = f->priv;
	ktimer_cancel(&tfd->timer);
	kfree(tfd);
}

static const struct file_ops timerfd_ops = {
	.read = timerfd_read, .write = timerfd_write, .stat = timerfd_stat, .ioctl = timerfd_ioctl, .poll = timerfd_poll,
	.release = timerfd_release, .stream = true,
};

bool file_is_timerfd(struct file *f) { return f->ops == &timerfd_ops; }

int timerfd_new(int clockid, u32 flags, struct file **out)
{
	struct timerfd *tfd = kzalloc(sizeof(*tfd));
	struct file *f = file_new(&timerfd_ops, O_RDWR | (flags & O_NONBLOCK));
	char *path = kmalloc(sizeof("anon_inode:[timerfd]"));
	if (!tfd || !f || !path) {
		kfree(tfd);
		kfree(f);
		kfree(path);
		return -ENOMEM;
	}
	memcpy(path, "anon_inode:[timerfd]", sizeof("anon_inode:[timerfd]"));
	tfd->clockid = clockid;
	ktimer_init(&tfd->timer, timerfd_fire);
	wait_queue_init(&tfd->readers);
	f->priv = tfd;
	f->path = path;
	*out = f;
	return 0;
}

void timerfd_get(struct file *f, struct timerfd_setting *now)
{
	struct timerfd *tfd = f->priv;
	rearm_periodic(tfd);
	u64 mono = time_monotonic_ns();
	now->interval_ns = tfd->interval_ns;
	now->value_ns = tfd->armed && tfd->expiry_ns > mono ? tfd->expiry_ns - mono : 0;
}

void timerfd_set(struct file *f, bool abstime, bool cancel_on_set, struct timerfd_setting set,
		 struct timerfd_setting *old)
{
	struct timerfd *tfd = f->priv;
	catch_up(tfd);
	ktimer_cancel(&tfd->timer);
	/* The old setting as gettime shows it: an expired periodic timer moved to its next period
	 * (its ticks are dropped anyway: a new setting starts counting afresh). */
	if (tfd->expired && tfd->interval_ns)
		ktimer_forward(&tfd->expiry_ns, time_monotonic_ns(), tfd->interval_ns);
	u64 mono = time_monotonic_ns();
	old->interval_ns = tfd->interval_ns;
	old->value_ns = tfd->armed && tfd->expiry_ns > mono ? tfd->expiry_ns - mono : 0;

	tfd->ticks = 0;
	tfd->expired = false;
	tfd->interval_ns = set.interval_ns;
	tfd->armed = set.value_ns != 0;
	tfd->cancel_on_set = cancel_on_set && ktimer_clock_is_wall(tfd->clockid);
	tfd->wall_offset = time_realtime_offset_ns();
	if (!tfd->armed)
		return;
	if (abstime)
		tfd->expiry_ns = ktimer_abs_to_mono(tfd->clockid, set.value_ns);
	else
		tfd->expiry_ns = set.value_ns > UINT64_MAX - mono ? UINT64_MAX : mono + set.value_ns;
	ktimer_arm(&tfd->timer, tfd->expiry_ns);
}
