/* Console files (a terminal or a pipe, as the host's fds are: monos.tty), and the standard
 * streams: stdin is the image's /.monos/stdin, /dev/null, or the terminal. The terminal keeps a termios so programs can read and set it; the console
 * driver honours OPOST/ONLCR, ICANON and ECHO from it. */
#include "fs/stdio.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "fs/path.h"
#include "fs/poll.h"
#include "drivers/console.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "core/cmdline.h"
#include "core/log.h"
#include "errno.h"
#include <asm/stat.h>
#include <asm/termbits.h>
#include <asm/termios.h>
#include <asm/ioctls.h>
#include <linux/stat.h>
#include <linux/fcntl.h>

static u64 encode_dev(u32 major, u32 minor)
{
	return (minor & 0xff) | (major << 8) | ((u64)(minor & ~0xffu) << 12);
}

static ssize_t console_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	(void)pos;
	if (!console_is_tty(0))
		return -EBADF; /* input comes from the terminal only when stdin is one */
	return console_read_line(buf, n);
}

static ssize_t console_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	(void)pos;
	console_write_fd(f->stream == 2 ? 2 : 1, buf, n);
	return (ssize_t)n;
}

static struct winsize winsize = { .ws_row = 24, .ws_col = 80 };

static long console_ioctl(struct file *f, unsigned cmd, uptr_t arg)
{
	if (!console_is_tty(f->stream))
		return -ENOTTY;
	switch (cmd) {
	case TCGETS:
		return copy_to_user(arg, console_termios(), sizeof(struct termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		struct termios t;
		if (copy_from_user(&t, arg, sizeof(t)))
			return -EFAULT;
		console_set_termios(&t);
		return 0;
	}
	case TIOCGWINSZ:
		return copy_to_user(arg, &winsize, sizeof(winsize));
	case TIOCSWINSZ:
		return copy_from_user(&winsize, arg, sizeof(winsize));
	case TIOCGPGRP: {
		int pgrp = 1;
		return copy_to_user(arg, &pgrp, sizeof(pgrp));
	}
	default:
		return -EINVAL; /* a terminal ioctl we do not know, as Linux's tty layer answers */
	}
}

/* Writes never wait. Input is ready when a read would return; nothing wakes a waiter when it
 * comes (the UART is polled), so waiters look again every POLL_RECHECK_NS. */
static u32 console_poll(struct file *f, struct poll_table *pt)
{
	u32 mask = 0;
	if ((f->flags & O_ACCMODE) != O_RDONLY)
		mask |= EPOLLOUT | EPOLLWRNORM;
	if ((f->flags & O_ACCMODE) != O_WRONLY && console_is_tty(0)) {
		poll_recheck(pt);
		if (console_input_ready())
			mask |= EPOLLIN | EPOLLRDNORM;
	}
	return mask;
}

const struct file_ops console_file_ops = {
	.read = console_read,
	.write = console_write,
	.ioctl = console_ioctl,
	.poll = console_poll,
};

/* A standard stream's inode: what fstat shows, and what /proc/self/fd/N (so /dev/stdout) opens
 * again. It belongs to no directory. */
static struct inode *stream_inode(int stream)
{
	static const struct fs_info devpts = { "devpts", 0x16, 0x1cd1 }, pipefs = { "pipefs", 0xd, 0x50495045 };
	bool tty = console_is_tty(stream);
	struct inode *i = inode_new(tty ? &devpts : &pipefs, tty ? S_IFCHR | 0620 : S_IFIFO | 0600);
	if (!i)
		panic("out of memory opening the standard streams");
	i->rdev = tty ? encode_dev(4, 64) : 0; /* ttyS0 */
	i->fops = &console_file_ops;
	i->console_stream = 1 + stream;
	i->nlink = 1;
	return i;
}

static struct file *open_stream(int stream, u32 flags)
{
	struct inode *i = stream_inode(stream);
	struct file *f;
	if (vfs_open(i, flags, &f))
		panic("out of memory opening the standard streams");
	return f;
}

/* The host's stdin as a file of the image, the null device, or the terminal. */
static struct file *make_stdin(void)
{
	const char *path = options.stdin_null ? "/dev/null" : "/.monos/stdin";
	struct inode *i;
	struct file *f = NULL;
	if (path_walk(vfs_root, path, LOOKUP_FOLLOW, &i) == 0) {
		if (vfs_open(i, O_RDONLY, &f) == 0 && (f->path = kmalloc(strlen(path) + 1)))
			memcpy(f->path, path, strlen(path) + 1);
		inode_put(i);
		return f;
	}
	return open_stream(0, O_RDWR);
}

void stdio_init(void)
{
	struct file *in = make_stdin();
	struct file *out = open_stream(1, console_is_tty(1) ? O_RDWR : O_WRONLY);
	struct file *err = open_stream(2, console_is_tty(2) ? O_RDWR : O_WRONLY);
	if (!in || !out || !err)
		panic("out of memory opening the standard streams");
	fd_install_at(in, 0, false);
	fd_install_at(out, 1, false);
	fd_install_at(err, 2, false);
	file_put(in);
	file_put(out);
	file_put(err);
}
