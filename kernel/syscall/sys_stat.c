/* Reading file attributes: stat, lstat, fstat, newfstatat, statx, statfs, fstatfs, readlink,
 * readlinkat. */
#include "syscall/syscall.h"
#include "syscall/pathname.h"
#include "fs/vfs.h"
#include "fs/path.h"
#include "fs/file.h"
#include "mm/kheap.h"
#include "mm/pmm.h"
#include "lib/string.h"
#include <asm/stat.h>
#include <linux/stat.h>
#include <linux/fcntl.h>
#include <asm/statfs.h>
#include <linux/limits.h>

static long put_stat_of_file(struct file *f, uptr_t out)
{
	struct stat st;
	if (f->inode) {
		inode_stat(f->inode, &st);
	} else {
		int err = f->ops->stat(f, &st);
		if (err)
			return err;
	}
	return copy_to_user(out, &st, sizeof(st));
}

long sys_fstat(int fd, uptr_t out)
{
	struct file *f = fd_get(fd);
	return f ? put_stat_of_file(f, out) : -EBADF;
}

static long stat_at(int dirfd, uptr_t upath, uptr_t out, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	char *path;
	long err = path_from_user(upath, &path);
	if (err)
		return err;
	if (!*path && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
		path_free(path);
		return sys_fstat(dirfd, out);
	}
	struct inode *i;
	err = path_at(dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
		      flags & AT_EMPTY_PATH, &i);
	path_free(path);
	if (err)
		return err;
	struct stat st;
	inode_stat(i, &st);
	inode_put(i);
	return copy_to_user(out, &st, sizeof(st));
}

long sys_stat(uptr_t path, uptr_t out) { return stat_at(AT_FDCWD, path, out, 0); }
long sys_lstat(uptr_t path, uptr_t out) { return stat_at(AT_FDCWD, path, out, AT_SYMLINK_NOFOLLOW); }
long sys_newfstatat(int dirfd, uptr_t path, uptr_t out, int flags) { return stat_at(dirfd, path, out, flags); }

static struct statx_timestamp to_statx_time(u64 ns)
{
	struct statx_timestamp t = { 0 };
	t.tv_sec = (s64)(ns / 1000000000);
	t.tv_nsec = (u32)(ns % 1000000000);
	return t;
}

long sys_statx(int dirfd, uptr_t upath, int flags, u32 mask, uptr_t out)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	struct inode *i;
	long err = user_path_at(dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
				 flags & AT_EMPTY_PATH, &i);
	if (err)
		return err;
	struct stat st;
	inode_stat(i, &st);
	struct statx sx;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (u32)st.st_blksize;
	sx.stx_nlink = (u32)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (u16)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (u64)st.st_size;
	sx.stx_blocks = (u64)st.st_blocks;
	sx.stx_atime = to_statx_time(i->atime);
	sx.stx_mtime = to_statx_time(i->mtime);
	sx.stx_ctime = to_statx_time(i->ctime);
	sx.stx_rdev_major = (u32)((st.st_rdev >> 8) & 0xfff);
	sx.stx_rdev_minor = (u32)((st.st_rdev & 0xff) | ((st.st_rdev >> 12) & 0xfff00));
	sx.stx_dev_major = (u32)((st.st_dev >> 8) & 0xfff);
	sx.stx_dev_minor = (u32)((st.st_dev & 0xff) | ((st.st_dev >> 12) & 0xfff00));
	inode_put(i);
	return copy_to_user(out, &sx, sizeof(sx));
}

static long put_statfs(struct inode *i, uptr_t out)
{
	struct statfs sf;
	memset(&sf, 0, sizeof(sf));
	sf.f_type = (long)i->fs->magic;
	sf.f_bsize = PAGE_SIZE;
	sf.f_blocks = (long)pmm_total_pages();
	sf.f_bfree = sf.f_bavail = (long)pmm_free_pages();
	sf.f_files = (long)pmm_total_pages();
	sf.f_ffree = (long)pmm_free_pages();
	sf.f_namelen = 255;
	sf.f_frsize = PAGE_SIZE;
	return copy_to_user(out, &sf, sizeof(sf));
}

long sys_statfs(uptr_t upath, uptr_t out)
{
	struct inode *i;
	long err = user_path_at(AT_FDCWD, upath, LOOKUP_FOLLOW, false, &i);
	if (err)
		return err;
	err = put_statfs(i, out);
	inode_put(i);
	return err;
}

long sys_fstatfs(int fd, uptr_t out)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (f->inode)
		return put_statfs(f->inode, out);
	/* The console: devpts when it is a terminal, pipefs when the host gave us a pipe. */
	struct stat st;
	int err = f->ops->stat(f, &st);
	if (err)
		return err;
	static const struct fs_info devpts = { "devpts", 0, 0x1cd1 }, pipefs = { "pipefs", 0, 0x50495045 };
	struct inode shell = { .fs = S_ISCHR(st.st_mode) ? &devpts : &pipefs };
	return put_statfs(&shell, out);
}

long sys_readlinkat(int dirfd, uptr_t upath, uptr_t buf, int size)
{
	struct inode *i;
	long err = user_path_at(dirfd, upath, 0, true, &i);
	if (err)
		return err;
	if (size <= 0) {
		inode_put(i);
		return -EINVAL;
	}
	char *tmp = kmalloc(PATH_MAX);
	if (!tmp) {
		inode_put(i);
		return -ENOMEM;
	}
	long n = inode_readlink(i, tmp, MIN((size_t)size, (size_t)PATH_MAX));
	inode_put(i);
	if (n >= 0 && copy_to_user(buf, tmp, n))
		n = -EFAULT;
	kfree(tmp);
	return n;
}

long sys_readlink(uptr_t path, uptr_t buf, int size) { return sys_readlinkat(AT_FDCWD, path, buf, size); }
