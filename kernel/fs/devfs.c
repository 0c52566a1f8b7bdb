/* The memory devices (major 1) and the terminals (major 5) behave as Linux's drivers/char/mem.c
 * and tty layer define them; other device numbers open with ENXIO, as a node without a driver. */
#include "fs/devfs.h"
#include "fs/vfs.h"
#include "fs/file.h"
#include "fs/stdio.h"
#include "core/random.h"
#include "drivers/console.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "errno.h"
#include <linux/stat.h>

#define DEV_NULL 0x103
#define DEV_ZERO 0x105
#define DEV_FULL 0x107
#define DEV_RANDOM 0x108
#define DEV_URANDOM 0x109
#define DEV_TTY 0x500
#define DEV_CONSOLE 0x501

static ssize_t read_nothing(struct file *f, void *buf, size_t n, u64 *pos) { return 0; }
static ssize_t write_all(struct file *f, const void *buf, size_t n, u64 *pos) { return (ssize_t)n; }
static ssize_t write_full(struct file *f, const void *buf, size_t n, u64 *pos) { return -ENOSPC; }
static long no_tty(struct file *f, unsigned cmd, uptr_t arg) { return -ENOTTY; }

static ssize_t read_zeros(struct file *f, void *buf, size_t n, u64 *pos)
{
	memset(buf, 0, n);
	return (ssize_t)n;
}

static ssize_t read_random(struct file *f, void *buf, size_t n, u64 *pos)
{
	random_bytes(buf, n);
	return (ssize_t)n;
}

static const struct file_ops null_ops = { .read = read_nothing, .write = write_all, .ioctl = no_tty, .seekable = true };
static const struct file_ops zero_ops = { .read = read_zeros, .write = write_all, .ioctl = no_tty, .seekable = true };
static const struct file_ops full_ops = { .read = read_zeros, .write = write_full, .ioctl = no_tty, .seekable = true };
static const struct file_ops random_ops = { .read = read_random, .write = write_all, .ioctl = no_tty };

static ssize_t no_device(struct file *f, void *buf, size_t n, u64 *pos) { return -ENXIO; }
static ssize_t no_device_w(struct file *f, const void *buf, size_t n, u64 *pos) { return -ENXIO; }
static const struct file_ops nodev_ops = { .read = no_device, .write = no_device_w, .ioctl = no_tty };

void devfs_bind(struct inode *i)
{
	if (!S_ISCHR(i->mode)) {
		i->fops = &nodev_ops;
		return;
	}
	switch (i->rdev) {
	case DEV_NULL: i->fops = &null_ops; break;
	case DEV_ZERO: i->fops = &zero_ops; break;
	case DEV_FULL: i->fops = &full_ops; break;
	case DEV_RANDOM:
	case DEV_URANDOM: i->fops = &random_ops; break;
	case DEV_TTY:
	case DEV_CONSOLE: i->fops = &console_file_ops; break;
	default: i->fops = &nodev_ops; break;
	}
}

static bool node(struct inode *dev, const char *name, u32 mode, u64 rdev)
{
	if (dir_find(dev, name, strlen(name)))
		return true; /* the image brought its own */
	struct inode *i = inode_new(&tmpfs_fs, mode);
	if (!i)
		return false;
	i->rdev = rdev;
	devfs_bind(i);
	return dir_link(dev, name, strlen(name), i) == 0;
}

static bool symlink(struct inode *dev, const char *name, const char *target)
{
	if (dir_find(dev, name, strlen(name)))
		return true;
	struct inode *i = inode_new(&tmpfs_fs, S_IFLNK | 0777);
	if (!i)
		return false;
	size_t n = strlen(target);
	i->link = kmalloc(n + 1);
	if (!i->link)
		return false;
	memcpy(i->link, target, n + 1);
	i->size = n;
	return dir_link(dev, name, strlen(name), i) == 0;
}

bool devfs_init(void)
{
	struct inode *dev = vfs_mkdir_p("/dev", 0755);
	return dev && node(dev, "null", S_IFCHR | 0666, DEV_NULL) &&
	       node(dev, "zero", S_IFCHR | 0666, DEV_ZERO) &&
	       node(dev, "full", S_IFCHR | 0666, DEV_FULL) &&
	       node(dev, "random", S_IFCHR | 0666, DEV_RANDOM) &&
	       node(dev, "urandom", S_IFCHR | 0666, DEV_URANDOM) &&
	       node(dev, "tty", S_IFCHR | 0666, DEV_TTY) &&
	       node(dev, "console", S_IFCHR | 0600, DEV_CONSOLE) &&
	       symlink(dev, "stdin", "/proc/self/fd/0") && symlink(dev, "stdout", "/proc/self/fd/1") &&
	       symlink(dev, "stderr", "/proc/self/fd/2") && symlink(dev, "fd", "/proc/self/fd") &&
	       vfs_mkdir_p("/dev/shm", 01777) && vfs_mkdir_p("/dev/pts", 0755);
}
