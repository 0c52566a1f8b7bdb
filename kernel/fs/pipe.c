/* A pipe is a ring buffer of 64 KiB by default (Linux's 16 pages), resizable with F_SETPIPE_SZ up
 * to /proc/sys/fs/pipe-max-size. Reading an empty pipe whose write end is open blocks until a
 * writer comes; writing a full one blocks until a reader makes room. Writing with no reader
 * left raises SIGPIPE and fails with EPIPE. */
#include "fs/pipe.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "proc/signal.h"
#include "proc/process.h"
#include "sched/wait.h"
#include "fs/poll.h"
#include "lib/string.h"
#include "errno.h"
#include <asm/stat.h>
#include <asm/ioctls.h>
#include <linux/stat.h>
#include <linux/fcntl.h>
#include <asm/signal.h>

#define PIPE_DEFAULT_SIZE (16 * PAGE_SIZE)
#define PIPE_MAX_SIZE (1024 * 1024) /* /proc/sys/fs/pipe-max-size */
#define PIPE_BUF_ATOMIC 4096

struct pipe {
	u8 *buf;
	u64 size, head, len; /* data is buf[head .. head+len) modulo size */
	int readers, writers;
	u64 ino;
	struct wait_queue readers_wait, writers_wait; /* for data, for room */
};

static u64 next_pipe_ino = 1000;

static ssize_t pipe_read(struct file *f, void *out, size_t n, u64 *pos)
{
	struct pipe *p = f->priv;
	if (n == 0)
		return 0;
	while (p->len == 0) {
		if (p->writers == 0)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_on(&p->readers_wait, 0) == WAKE_INTERRUPT)
			return -ERESTARTSYS;
	}
	size_t take = MIN(n, p->len);
	for (size_t k = 0; k < take; k++)
		((u8 *)out)[k] = p->buf[(p->head + k) % p->size];
	p->head = (p->head + take) % p->size;
	p->len -= take;
	wake_up_poll(&p->writers_wait, EPOLLOUT | EPOLLWRNORM);
	return (ssize_t)take;
}

/* A blocking write returns when all n bytes are in (or no reader is left); writes of at most
 * PIPE_BUF bytes go in whole, never interleaved with another writer's. */
static ssize_t pipe_write(struct file *f, const void *in, size_t n, u64 *pos)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	while (done < n) {
		if (p->readers == 0) {
			if (done)
				return (ssize_t)done;
			signal_raise(SIGPIPE);
			return -EPIPE;
		}
		size_t room = p->size - p->len;
		if (room == 0 || (n <= PIPE_BUF_ATOMIC && room < n)) {
			if (f->flags & O_NONBLOCK)
				return done ? (ssize_t)done : -EAGAIN;
			if (wait_on(&p->writers_wait, 0) == WAKE_INTERRUPT)
				return done ? (ssize_t)done : -ERESTARTSYS;
			continue;
		}
		size_t put = MIN(n - done, room);
		for (size_t k = 0; k < put; k++)
			p->buf[(p->head + p->len + k) % p->size] = ((const u8 *)in)[done + k];
		p->len += put;
		done += put;
		wake_up_poll(&p->readers_wait, EPOLLIN | EPOLLRDNORM);
	}
	return (ssize_t)done;
}

static int pipe_stat(struct file *f, struct stat *st)
{
	struct pipe *p = f->priv;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_ino = p->ino;
	st->st_dev = 0xd; /* pipefs */
	st->st_blksize = PAGE_SIZE;
	return 0;
}

static long pipe_ioctl(struct file *f, unsigned cmd, uptr_t arg)
{
	struct pipe *p = f->priv;
	if (cmd == FIONREAD) {
		int avail = (int)p->len;
		return copy_to_user(arg, &avail, sizeof(avail));
	}
	return -ENOTTY;
}

/* As Linux's pipe_poll: the read end is readable with data and hung up once no writer is
 * left; the write end is writable while a page (PIPE_BUF) fits, as Linux's whole free
 * buffer slot, and in error once no reader is left. Each end waits on its own queue, which
 * the other end's I/O and the last close of either end wake. */
static u32 pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->priv;
	u32 mask = 0;
	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		poll_wait(pt, &p->readers_wait, f);
		if (p->len)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (p->writers == 0)
			mask |= EPOLLHUP;
	} else {
		poll_wait(pt, &p->writers_wait, f);
		if (p->size - p->len >= PIPE_BUF_ATOMIC)
			mask |= EPOLLOUT | EPOLLWRNORM;
		if (p->readers == 0)
			mask |= EPOLLERR;
	}
	return mask;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	/* With the last writer gone readers see end of file (EPOLLHUP); with the last reader
	 * gone writers get EPIPE (EPOLLERR). */
	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		if (--p->readers == 0)
			wake_up_poll(&p->writers_wait, EPOLLERR);
	} else {
		if (--p->writers == 0)
			wake_up_poll(&p->readers_wait, EPOLLHUP);
	}
	if (p->readers == 0 && p->writers == 0) {
		kfree(p->buf);
		kfree(p);
	}
}

static const struct file_ops pipe_ops = {
	.read = pipe_read, .write = pipe_write, .stat = pipe_stat, .ioctl = pipe_ioctl,
	.poll = pipe_poll, .release = pipe_release, .stream = true,
};

bool file_is_pipe(struct file *f)
{
	return f->ops == &pipe_ops;
}

int pipe_create(u32 flags, struct file **read_end, struct file **write_end)
{
	struct pipe *p = kzalloc(sizeof(*p));
	u8 *buf = kmalloc(PIPE_DEFAULT_SIZE);
	struct file *r = file_new(&pipe_ops, O_RDONLY | (flags & O_NONBLOCK));
	struct file *w = file_new(&pipe_ops, O_WRONLY | (flags & O_NONBLOCK));
	if (!p || !buf || !r || !w) {
		kfree(p);
		kfree(buf);
		kfree(r);
		kfree(w);
		return -ENFILE;
	}
	p->buf = buf;
	p->size = PIPE_DEFAULT_SIZE;
	p->readers = p->writers = 1;
	wait_queue_init(&p->readers_wait);
	wait_queue_init(&p->writers_wait);
	p->ino = next_pipe_ino++;
	r->priv = w->priv = p;
	*read_end = r;
	*write_end = w;
	return 0;
}

long pipe_get_size(struct file *f)
{
	return file_is_pipe(f) ? (long)((struct pipe *)f->priv)->size : -EBADF;
}

long pipe_set_size(struct file *f, u64 size)
{
	if (!file_is_pipe(f))
		return -EBADF;
	struct pipe *p = f->priv;
	if (size > PIPE_MAX_SIZE)
		return -EPERM; /* root may exceed it on Linux with CAP_SYS_RESOURCE; we keep the cap */
	u64 want = PAGE_SIZE;
	while (want < size)
		want <<= 1;
	if (want < p->len)
		return -EBUSY;
	u8 *buf = kmalloc(want);
	if (!buf)
		return -ENOMEM;
	for (u64 k = 0; k < p->len; k++)
		buf[k] = p->buf[(p->head + k) % p->size];
	kfree(p->buf);
	p->buf = buf;
	p->size = want;
	p->head = 0;
	return (long)want;
}

size_t pipe_peek(struct file *f, void *out, size_t n)
{
	struct pipe *p = f->priv;
	size_t take = MIN(n, p->len);
	for (size_t k = 0; k < take; k++)
		((u8 *)out)[k] = p->buf[(p->head + k) % p->size];
	return take;
}
