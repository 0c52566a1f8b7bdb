/* eventfd as Linux's fs/eventfd.c: a read takes the whole count (or 1 in semaphore mode) and
 * waits while it is 0; a write adds to it and waits while the sum would reach
 * 0xffffffffffffffff. Both move exactly 8 bytes. One wait queue serves readers, writers and
 * pollers; each change wakes it with the event it made possible. */
#include "fs/eventfd.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/anon_inode.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "sched/wait.h"
#include "errno.h"
#include <asm/stat.h>
#include <linux/fcntl.h>

#define COUNT_MAX UINT64_MAX

struct eventfd {
	u64 count;
	bool semaphore;
	struct wait_queue wq;
};

static ssize_t eventfd_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	struct eventfd *e = f->priv;
	if (n < sizeof(u64))
		return -EINVAL;
	while (e->count == 0) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_on(&e->wq, 0) == WAKE_INTERRUPT)
			return -ERESTARTSYS;
	}
	u64 value = e->semaphore ? 1 : e->count;
	e->count -= value;
	memcpy(buf, &value, sizeof(value));
	if (wait_queue_active(&e->wq))
		wake_up_poll(&e->wq, EPOLLOUT | EPOLLWRNORM);
	return sizeof(value);
}

static ssize_t eventfd_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	struct eventfd *e = f->priv;
	u64 value;
	if (n < sizeof(value))
		return -EINVAL;
	memcpy(&value, buf, sizeof(value));
	if (value == COUNT_MAX)
		return -EINVAL;
	while (COUNT_MAX - e->count <= value) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_on(&e->wq, 0) == WAKE_INTERRUPT)
			return -ERESTARTSYS;
	}
	e->count += value;
	if (wait_queue_active(&e->wq))
		wake_up_poll(&e->wq, EPOLLIN | EPOLLRDNORM);
	return sizeof(value);
}

static u32 eventfd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->priv;
	poll_wait(pt, &e->wq, f);
	u32 mask = 0;
	if (e->count > 0)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (e->count == COUNT_MAX)
		mask |= EPOLLERR;
	if (e->count < COUNT_MAX - 1)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int eventfd_stat(struct file *f, struct stat *st)
{
	anon_inode_stat(st);
	return 0;
}

static long eventfd_ioctl(struct file *f, unsigned cmd, uptr_t arg)
{
	return -ENOTTY;
}

static void eventfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_ops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.stat = eventfd_stat,
	.ioctl = eventfd_ioctl,
	.poll = eventfd_poll,
	.release = eventfd_release,
	.stream = true,
};

int eventfd_create(u64 count, u32 flags, struct file **out)
{
	struct eventfd *e = kzalloc(sizeof(*e));
	struct file *f = file_new(&eventfd_ops, O_RDWR | (flags & O_NONBLOCK));
	if (!e || !f) {
		kfree(e);
		kfree(f);
		return -ENOMEM;
	}
	e->count = count;
	e->semaphore = flags & EFD_SEMAPHORE;
	wait_queue_init(&e->wq);
	f->priv = e;
	*out = f;
	return 0;
}
