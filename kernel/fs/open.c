/* Files opened from inodes: regular tmpfs files, directories (readable only through getdents),
 * device nodes (their driver's operations), and O_PATH handles that only name an inode. */
#include "fs/file.h"
#include "fs/vfs.h"
#include "errno.h"
#include <linux/stat.h>
#include <linux/fcntl.h>
#include <asm/ioctls.h>
#include "mm/usercopy.h"

static ssize_t reg_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	ssize_t r = file_data_read(f->inode, buf, n, *pos);
	if (r > 0)
		*pos += r;
	return r;
}

static ssize_t reg_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	if (f->flags & O_APPEND)
		*pos = f->inode->size;
	ssize_t r = file_data_write(f->inode, buf, n, *pos);
	if (r > 0) {
		*pos += r;
		inode_touch(f->inode, false, true, true);
	}
	return r;
}

static long reg_ioctl(struct file *f, unsigned cmd, uptr_t arg)
{
	if (cmd == FIONREAD) {
		int avail = f->pos < f->inode->size ? (int)MIN(f->inode->size - f->pos, 0x7fffffffUL) : 0;
		return copy_to_user(arg, &avail, sizeof(avail));
	}
	return -ENOTTY;
}

static const struct file_ops reg_ops = {
	.read = reg_read, .write = reg_write, .ioctl = reg_ioctl, .seekable = true,
};

static ssize_t dir_read(struct file *f, void *buf, size_t n, u64 *pos) { return -EISDIR; }
static ssize_t dir_write(struct file *f, const void *buf, size_t n, u64 *pos) { return -EISDIR; }
static long not_tty(struct file *f, unsigned cmd, uptr_t arg) { return -ENOTTY; }
static const struct file_ops dir_ops = {
	.read = dir_read, .write = dir_write, .ioctl = not_tty, .seekable = true,
};

static ssize_t path_read(struct file *f, void *buf, size_t n, u64 *pos) { return -EBADF; }
static ssize_t path_write(struct file *f, const void *buf, size_t n, u64 *pos) { return -EBADF; }
static long path_ioctl(struct file *f, unsigned cmd, uptr_t arg) { return -EBADF; }
static const struct file_ops path_ops = { .read = path_read, .write = path_write, .ioctl = path_ioctl };

static ssize_t fifo_unsupported(struct file *f, void *buf, size_t n, u64 *pos) { return -ENXIO; }
static ssize_t fifo_unsupported_w(struct file *f, const void *buf, size_t n, u64 *pos) { return -ENXIO; }
static const struct file_ops nodev_ops = { .read = fifo_unsupported, .write = fifo_unsupported_w, .ioctl = not_tty };

int vfs_open(struct inode *i, u32 flags, struct file **out)
{
	const struct file_ops *ops;
	if (flags & O_PATH)
		ops = &path_ops;
	else if (i->fops)
		ops = i->fops;
	else if (S_ISREG(i->mode))
		ops = &reg_ops;
	else if (S_ISDIR(i->mode))
		ops = &dir_ops;
	else
		ops = &nodev_ops; /* named pipes and sockets in the image come later */
	struct file *f = file_new(ops, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC));
	if (!f)
		return -ENOMEM;
	inode_get(i);
	f->inode = i;
	/* Terminals opened by name behave as the standard output; the streams' own inodes as the
	 * stream they are. */
	f->stream = i->console_stream ? i->console_stream - 1 : 1;
	*out = f;
	return 0;
}
