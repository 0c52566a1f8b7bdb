/* Changing file attributes: chmod, fchmod, fchmodat, chown, fchown, lchown, fchownat,
 * utimensat, utimes, utime. Ownership is stored and reported (the app is root: any id goes). */
#include "syscall/syscall.h"
#include "syscall/pathname.h"
#include "fs/vfs.h"
#include "fs/path.h"
#include "fs/file.h"
#include "core/time.h"
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <linux/time_types.h>
#include <linux/utime.h>

/* ABI values from the kernel's include/linux/stat.h, which the UAPI headers do not export. */
#define UTIME_NOW ((1L << 30) - 1L)
#define UTIME_OMIT ((1L << 30) - 2L)

static long inode_at(int dirfd, uptr_t upath, int flags, int allowed, struct inode **out)
{
	if (flags & ~allowed)
		return -EINVAL;
	return user_path_at(dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
			    flags & AT_EMPTY_PATH, out);
}

static struct inode *fd_inode(int fd)
{
	struct file *f = fd_get(fd);
	return f ? f->inode : NULL;
}

static long set_mode(struct inode *i, u32 mode)
{
	if (S_ISLNK(i->mode))
		return -EOPNOTSUPP;
	i->mode = (i->mode & S_IFMT) | (mode & 07777);
	inode_touch(i, false, false, true);
	return 0;
}

long sys_fchmodat(int dirfd, uptr_t path, u32 mode)
{
	struct inode *i;
	long err = inode_at(dirfd, path, 0, 0, &i);
	if (err)
		return err;
	err = set_mode(i, mode);
	inode_put(i);
	return err;
}

long sys_chmod(uptr_t path, u32 mode) { return sys_fchmodat(AT_FDCWD, path, mode); }

long sys_fchmod(int fd, u32 mode)
{
	struct file *f = fd_get(fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	return f->inode ? set_mode(f->inode, mode) : 0;
}

static long set_owner(struct inode *i, u32 uid, u32 gid)
{
	if (uid != (u32)-1)
		i->uid = uid;
	if (gid != (u32)-1)
		i->gid = gid;
	/* A change of owner clears set-user-ID (and set-group-ID when group-executable). */
	if (!S_ISDIR(i->mode) && (uid != (u32)-1 || gid != (u32)-1)) {
		i->mode &= ~S_ISUID;
		if (i->mode & S_IXGRP)
			i->mode &= ~S_ISGID;
	}
	inode_touch(i, false, false, true);
	return 0;
}

long sys_fchownat(int dirfd, uptr_t path, u32 uid, u32 gid, int flags)
{
	struct inode *i;
	long err = inode_at(dirfd, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &i);
	if (err)
		return err;
	err = set_owner(i, uid, gid);
	inode_put(i);
	return err;
}

long sys_chown(uptr_t path, u32 uid, u32 gid) { return sys_fchownat(AT_FDCWD, path, uid, gid, 0); }
long sys_lchown(uptr_t path, u32 uid, u32 gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(int fd, u32 uid, u32 gid)
{
	struct file *f = fd_get(fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	return f->inode ? set_owner(f->inode, uid, gid) : 0;
}

/* Applies one utimensat timestamp: UTIME_NOW, UTIME_OMIT, or a time. */
static long one_time(u64 *field, const struct __kernel_timespec *ts)
{
	if (ts->tv_nsec == UTIME_OMIT)
		return 0;
	if (ts->tv_nsec == UTIME_NOW) {
		*field = time_realtime_ns();
		return 0;
	}
	if (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000 || ts->tv_sec < 0)
		return -EINVAL;
	*field = (u64)ts->tv_sec * 1000000000 + (u64)ts->tv_nsec;
	return 0;
}

static long set_times(struct inode *i, const struct __kernel_timespec *ts)
{
	if (!ts) {
		i->atime = i->mtime = time_realtime_ns();
	} else {
		u64 a = i->atime, m = i->mtime;
		long err = one_time(&a, &ts[0]);
		if (!err)
			err = one_time(&m, &ts[1]);
		if (err)
			return err;
		i->atime = a;
		i->mtime = m;
	}
	inode_touch(i, false, false, true);
	return 0;
}

long sys_utimensat(int dirfd, uptr_t upath, uptr_t utimes, int flags)
{
	struct __kernel_timespec ts[2], *tsp = NULL;
	if (utimes) {
		if (copy_from_user(ts, utimes, sizeof(ts)))
			return -EFAULT;
		tsp = ts;
		for (int k = 0; k < 2; k++)
			if (ts[k].tv_nsec != UTIME_NOW && ts[k].tv_nsec != UTIME_OMIT &&
			    (ts[k].tv_nsec < 0 || ts[k].tv_nsec >= 1000000000))
				return -EINVAL;
	}
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct inode *i;
	if (!upath) { /* futimens: the fd itself */
		i = fd_inode(dirfd);
		if (!i)
			return fd_get(dirfd) ? 0 : -EBADF;
		return set_times(i, tsp);
	}
	long err = inode_at(dirfd, upath, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &i);
	if (err)
		return err;
	err = set_times(i, tsp);
	inode_put(i);
	return err;
}

long sys_utimes(uptr_t path, uptr_t utv)
{
	struct __kernel_timespec ts[2];
	if (utv) {
		struct __kernel_old_timeval tv[2];
		if (copy_from_user(tv, utv, sizeof(tv)))
			return -EFAULT;
		for (int k = 0; k < 2; k++) {
			if (tv[k].tv_usec < 0 || tv[k].tv_usec >= 1000000)
				return -EINVAL;
			ts[k] = (struct __kernel_timespec){ tv[k].tv_sec, tv[k].tv_usec * 1000 };
		}
	}
	struct inode *i;
	long err = inode_at(AT_FDCWD, path, 0, 0, &i);
	if (err)
		return err;
	err = set_times(i, utv ? ts : NULL);
	inode_put(i);
	return err;
}

long sys_utime(uptr_t path, uptr_t ubuf)
{
	struct __kernel_timespec ts[2];
	if (ubuf) {
		struct utimbuf b;
		if (copy_from_user(&b, ubuf, sizeof(b)))
			return -EFAULT;
		ts[0] = (struct __kernel_timespec){ b.actime, 0 };
		ts[1] = (struct __kernel_timespec){ b.modtime, 0 };
	}
	struct inode *i;
	long err = inode_at(AT_FDCWD, path, 0, 0, &i);
	if (err)
		return err;
	err = set_times(i, ubuf ? ts : NULL);
	inode_put(i);
	return err;
}
