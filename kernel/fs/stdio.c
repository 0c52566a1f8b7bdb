/* Console files (a terminal or a pipe, as the host's fds are: monos.tty), and the standard
 * streams: stdin is the image's /.monos/stdin, /dev/null, or the terminal. The terminal keeps a termios so programs can read and set it; the console
 * driver honours OPOST/ONLCR, ICANON and ECHO from it. */
#include "fs/stdio.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "fs/path.h"
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
	return (ssize_t)console_read_line(buf, n);
}

static ssize_t console_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	(void)pos;
	console_write_fd(f->stream == 2 ? 2 : 1, buf, n);
	return (ssize_t)n;
}

static int console_stat(struct file *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	if (console_is_tty(f->stream)) {
		st->st_mode = S_IFCHR | 0620;
		st->st_rdev = encode_dev(4, 64); /* ttyS0 */
		st->st_blksize = 1024;
	} else {
		st->st_mode = S_IFIFO | 0600;  /* the host's pipe, as the app would see it */
		st->st_blksize = 4096;
	}
	st->st_nlink = 1;
	st->st_dev = encode_dev(0, 24);
	st->st_ino = 3 + f->stream;
	return 0;
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

const struct file_ops console_file_ops = {
	.read = console_read,
	.write = console_write,
	.stat = console_stat,
	.ioctl = console_ioctl,
};

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
	return file_new(&console_file_ops, O_RDWR);
}

void stdio_init(void)
{
	struct file *in = make_stdin();
	struct file *out = file_new(&console_file_ops, console_is_tty(1) ? O_RDWR : O_WRONLY);
	struct file *err = file_new(&console_file_ops, console_is_tty(2) ? O_RDWR : O_WRONLY);
	if (!in || !out || !err)
		panic("out of memory opening the standard streams");
	out->stream = 1;
	err->stream = 2;
	fd_install_at(in, 0, false);
	fd_install_at(out, 1, false);
	fd_install_at(err, 2, false);
	file_put(in);
	file_put(out);
	file_put(err);
}
