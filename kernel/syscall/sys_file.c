/* Opening and listing files: open, openat, openat2, creat, getdents64, getdents, access,
 * faccessat, faccessat2, truncate, ftruncate, fallocate, fsync, fdatasync, sync, syncfs. The
 * app is root of its VM, so permission bits never refuse it (except X_OK, as for root). */
#include "syscall/syscall.h"
#include "syscall/pathname.h"
#include "fs/vfs.h"
#include "fs/path.h"
#include "fs/file.h"
#include "fs/synth.h"
#include "proc/process.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <linux/openat2.h>
#include <linux/falloc.h>
#include <linux/memfd.h>

/* ABI values the UAPI headers do not export: access(2)'s mode bits (unistd.h) and the size of
 * the first struct open_how (include/linux/fcntl.h). */
#define R_OK 4
#define W_OK 2
#define X_OK 1
#define OPEN_HOW_SIZE_VER0 24

#define VALID_OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | \
			  O_NONBLOCK | O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | \
			  O_NOFOLLOW | O_NOATIME | O_CLOEXEC | __O_SYNC | O_PATH | __O_TMPFILE)

/* Creates a regular file named name in dir. */
static int create_file(struct inode *dir, const char *name, size_t len, u32 mode,
		       struct inode **out)
{
	struct inode *i = inode_new(&tmpfs_fs, S_IFREG | (mode & 07777 & ~proc.umask));
	if (!i)
		return -ENOSPC;
	int err = dir_link(dir, name, len, i);
	if (err) {
		inode_put(i);
		return err;
	}
	inode_get(i);
	*out = i;
	return 0;
}

/* The path as opened, made absolute from the directory it started in, for /proc. Not resolved
 * further ("a/../b" stays as it is); NULL when out of memory. */
static char *absolute_path(struct inode *start, const char *path)
{
	struct textbuf t = { 0 };
	if (path[0] != '/') {
		dir_path(&t, start);
		if (t.len > 1)
			tb_put(&t, "/", 1);
	}
	tb_put(&t, path, strlen(path) + 1);
	if (t.oom) {
		kfree(t.buf);
		return NULL;
	}
	return t.buf;
}

/* Follows a chain of symlinks from `link` (in dir) to the name that does not exist yet and
 * creates a regular file there. */
static int create_through_link(struct inode *dir, struct inode *link, u32 mode, struct inode **out)
{
	inode_get(dir);
	for (int depth = 0; depth < 40; depth++) {
		struct inode *next_dir;
		const char *name;
		size_t len;
		bool must_dir;
		int err = path_parent(dir, link->link, &next_dir, &name, &len, &must_dir);
		inode_put(dir);
		if (err)
			return err;
		if (len == 0 || must_dir) {
			inode_put(next_dir);
			return -EISDIR;
		}
		if (next_dir->iops) {
			inode_put(next_dir);
			return -ENOENT; /* /proc and /sys create nothing */
		}
		struct inode *there = dir_find(next_dir, name, len);
		if (!there) {
			err = create_file(next_dir, name, len, mode, out);
			inode_put(next_dir);
			return err;
		}
		if (!S_ISLNK(there->mode)) {
			inode_put(next_dir);
			return -ENOENT; /* something appeared on the way: let the caller's walk decide */
		}
		dir = next_dir;
		link = there;
	}
	inode_put(dir);
	return -ELOOP;
}

/* O_TMPFILE: an unnamed file in the directory path names; linkat(AT_EMPTY_PATH) may name it
 * later unless O_EXCL forbids that. */
static long open_tmpfile(struct inode *start, const char *path, u64 flags, u32 mode)
{
	struct inode *dir;
	long err = path_walk(start, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &dir);
	if (err)
		return err;
	if (dir->iops) {
		inode_put(dir);
		return -EOPNOTSUPP; /* /proc and /sys cannot hold files */
	}
	struct inode *i = inode_new(&tmpfs_fs, S_IFREG | (mode & 07777 & ~proc.umask));
	inode_put(dir);
	if (!i)
		return -ENOSPC;
	i->linkable = !(flags & O_EXCL);
	struct file *f;
	err = vfs_open(i, (u32)(flags & ~__O_TMPFILE) | O_LARGEFILE, &f);
	if (err) {
		inode_put(i);
		return err;
	}
	err = fd_install(f, 0, flags & O_CLOEXEC);
	file_put(f);
	return err;
}

static long do_open(int dirfd, uptr_t upath, u64 flags, u32 mode)
{
	if (flags & ~(u64)VALID_OPEN_FLAGS)
		return -EINVAL;
	if ((flags & __O_TMPFILE) == __O_TMPFILE) {
		u32 acc = flags & O_ACCMODE;
		if (acc != O_WRONLY && acc != O_RDWR)
			return -EINVAL;
		if (flags & O_CREAT)
			return -EINVAL;
	} else if (flags & __O_TMPFILE & ~O_DIRECTORY) {
		return -EINVAL;
	}
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	char *path;
	long err = path_from_user(upath, &path);
	if (err)
		return err;
	struct inode *start, *i = NULL;
	err = path_start(dirfd, path, &start);
	if (err)
		goto out;
	if (!*path) {
		err = -ENOENT;
		goto out;
	}
	unsigned lookup = (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	if (flags & O_DIRECTORY)
		lookup |= LOOKUP_DIRECTORY;
	if ((flags & __O_TMPFILE) == __O_TMPFILE) {
		err = open_tmpfile(start, path, flags, mode);
		goto out;
	}
	if (flags & O_CREAT) {
		struct inode *dir;
		const char *name;
		size_t len;
		bool must_dir;
		err = path_parent(start, path, &dir, &name, &len, &must_dir);
		if (err)
			goto out;
		if (dir->iops) {
			/* /proc and /sys create nothing: an existing name opens, a new one is ENOENT. */
			inode_put(dir);
			err = path_walk(start, path, lookup, &i);
			if (!err && (flags & O_EXCL))
				err = -EEXIST;
			if (err)
				goto out;
			goto opened;
		}
		struct inode *existing = len ? dir_find(dir, name, len) : dir;
		if (existing && S_ISLNK(existing->mode) && !(flags & (O_EXCL | O_NOFOLLOW)) &&
		    path_walk(start, path, lookup, &i) == -ENOENT) {
			/* A dangling symlink: O_CREAT makes the file it names, as Linux does. */
			err = create_through_link(dir, existing, mode, &i);
			inode_put(dir);
			if (err)
				goto out;
		} else if (!existing) {
			err = must_dir ? -EISDIR : create_file(dir, name, len, mode, &i);
			inode_put(dir);
			if (err)
				goto out;
		} else {
			inode_put(dir);
			inode_put(i);
			i = NULL;
			if (flags & O_EXCL) {
				err = -EEXIST;
				goto out;
			}
			err = path_walk(start, path, lookup, &i);
			if (err)
				goto out;
			if (S_ISDIR(i->mode)) {
				err = -EISDIR;
				goto out;
			}
		}
	} else {
		err = path_walk(start, path, lookup, &i);
		if (err) {
			note_missing(path, (int)err);
			goto out;
		}
	}
opened:
	if (S_ISLNK(i->mode) && !(flags & O_PATH)) {
		err = -ELOOP; /* O_NOFOLLOW met a symlink */
		goto out;
	}
	u32 acc = flags & O_ACCMODE;
	if (S_ISDIR(i->mode) && !(flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR)) {
		err = -EISDIR;
		goto out;
	}
	if ((flags & O_TRUNC) && S_ISREG(i->mode) && acc != O_RDONLY && !(flags & O_PATH)) {
		file_data_truncate(i, 0);
		inode_touch(i, false, true, true);
	}
	struct file *f;
	err = vfs_open(i, (u32)flags, &f);
	if (err)
		goto out;
	f->path = absolute_path(start, path);
	err = fd_install(f, 0, flags & O_CLOEXEC);
	file_put(f);
out:
	inode_put(i);
	path_free(path);
	return err;
}

long sys_open(uptr_t path, int flags, u32 mode) { return do_open(AT_FDCWD, path, (u32)flags, mode); }
long sys_openat(int dirfd, uptr_t path, int flags, u32 mode) { return do_open(dirfd, path, (u32)flags, mode); }
long sys_creat(uptr_t path, u32 mode) { return do_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode); }

long sys_openat2(int dirfd, uptr_t path, uptr_t uhow, u64 size)
{
	struct open_how how = { 0 };
	if (size < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (size > sizeof(how)) {
		/* Bytes we do not know must be zero (E2BIG otherwise), as Linux's copy_struct_from_user. */
		for (u64 off = sizeof(how); off < size; off++) {
			u8 b;
			if (copy_from_user(&b, uhow + off, 1))
				return -EFAULT;
			if (b)
				return -E2BIG;
		}
		size = sizeof(how);
	}
	if (copy_from_user(&how, uhow, size))
		return -EFAULT;
	if (how.resolve)
		return -EINVAL; /* RESOLVE_* restrictions are not implemented */
	if (how.flags > 0xffffffffULL || (how.flags & ~(u64)VALID_OPEN_FLAGS))
		return -EINVAL;
	if (how.mode & ~07777ULL || (how.mode && !(how.flags & (O_CREAT | __O_TMPFILE))))
		return -EINVAL;
	return do_open(dirfd, path, how.flags, (u32)how.mode);
}

struct dirent_buf {
	struct dir_emit emit;
	u8 *buf;
	size_t size, used;
	bool legacy;    /* struct linux_dirent (getdents) rather than linux_dirent64 */
	u64 pos;
};

static bool emit_entry(struct dir_emit *ctx, const char *name, size_t len, u64 ino, u32 mode,
		       u64 next)
{
	struct dirent_buf *d = (struct dirent_buf *)ctx;
	size_t reclen = d->legacy ? ALIGN_UP(8 + 8 + 2 + len + 2, 8) : ALIGN_UP(8 + 8 + 2 + 1 + len + 1, 8);
	if (d->used + reclen > d->size)
		return false;
	u8 *r = d->buf + d->used;
	memset(r, 0, reclen);
	u16 rl = (u16)reclen;
	u8 type = (mode >> 12) & 0xf;
	memcpy(r, &ino, 8);
	memcpy(r + 8, &next, 8);
	memcpy(r + 16, &rl, 2);
	if (d->legacy) {
		memcpy(r + 18, name, len);
		r[reclen - 1] = type;
	} else {
		r[18] = type;
		memcpy(r + 19, name, len);
	}
	d->used += reclen;
	d->pos = next;
	return true;
}

static long do_getdents(int fd, uptr_t dirp, u32 count, bool legacy)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (!f->inode || !S_ISDIR(f->inode->mode) || (f->flags & O_PATH))
		return f->flags & O_PATH ? -EBADF : -ENOTDIR;
	struct dirent_buf d = { { emit_entry }, NULL, MIN(count, 65536u), 0, legacy, f->pos };
	d.buf = kmalloc(d.size ? d.size : 1);
	if (!d.buf)
		return -ENOMEM;
	int err = dir_iterate(f->inode, f->pos, &d.emit);
	long ret;
	if (err)
		ret = err;
	else if (d.used == 0 && d.pos == f->pos && count > 0) {
		/* Nothing fit: either the end (0) or a buffer too small for the next entry. */
		struct dirent_buf probe = { { emit_entry }, d.buf, d.size, 0, legacy, f->pos };
		u8 big[8 + 8 + 2 + 1 + 256 + 8];
		probe.buf = big;
		probe.size = sizeof(big);
		dir_iterate(f->inode, f->pos, &probe.emit);
		ret = probe.used ? -EINVAL : 0;
	} else {
		ret = copy_to_user(dirp, d.buf, d.used) ? -EFAULT : (long)d.used;
		if (ret >= 0)
			f->pos = d.pos;
	}
	kfree(d.buf);
	inode_touch(f->inode, true, false, false);
	return ret;
}

long sys_getdents64(int fd, uptr_t dirp, u32 count) { return do_getdents(fd, dirp, count, false); }
long sys_getdents(int fd, uptr_t dirp, u32 count) { return do_getdents(fd, dirp, count, true); }

static long do_access(int dirfd, uptr_t upath, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct inode *i;
	long err = user_path_at(dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
				 flags & AT_EMPTY_PATH, &i);
	if (err)
		return err;
	/* Root may do anything, except execute a file no one may execute. */
	if ((mode & X_OK) && !S_ISDIR(i->mode) && !(i->mode & 0111))
		err = -EACCES;
	inode_put(i);
	return err;
}

long sys_access(uptr_t path, int mode) { return do_access(AT_FDCWD, path, mode, 0); }
long sys_faccessat(int dirfd, uptr_t path, int mode) { return do_access(dirfd, path, mode, 0); }
long sys_faccessat2(int dirfd, uptr_t path, int mode, int flags) { return do_access(dirfd, path, mode, flags); }

static long truncate_inode(struct inode *i, long len)
{
	if (len < 0)
		return -EINVAL;
	if (S_ISDIR(i->mode))
		return -EISDIR;
	if (!S_ISREG(i->mode))
		return -EINVAL;
	int err = file_data_truncate(i, (u64)len);
	if (!err)
		inode_touch(i, false, true, true);
	return err;
}

long sys_truncate(uptr_t upath, long len)
{
	struct inode *i;
	long err = user_path_at(AT_FDCWD, upath, LOOKUP_FOLLOW, false, &i);
	if (err)
		return err;
	err = truncate_inode(i, len);
	inode_put(i);
	return err;
}

long sys_ftruncate(int fd, long len)
{
	struct file *f = fd_get(fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (!f->inode || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	return truncate_inode(f->inode, len);
}

long sys_fallocate(int fd, int mode, long off, long len)
{
	struct file *f = fd_get(fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (off < 0 || len <= 0)
		return -EINVAL;
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (!f->inode || !S_ISREG(f->inode->mode))
		return f->inode && S_ISDIR(f->inode->mode) ? -EISDIR : -ENODEV;
	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP; /* punching, zeroing, collapsing ranges: not yet */
	u64 end = (u64)off + (u64)len;
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > f->inode->size) {
		/* tmpfs reads unwritten pages as zeros; the pages come on first write. */
		f->inode->size = end;
		inode_touch(f->inode, false, true, true);
	}
	return 0;
}

/* tmpfs holds everything in memory: syncing regular files and directories has nothing to do.
 * Terminals and pipes cannot be synced, as on Linux. */
static long sync_fd(int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	return f->inode && (S_ISREG(f->inode->mode) || S_ISDIR(f->inode->mode)) ? 0 : -EINVAL;
}

long sys_fsync(int fd) { return sync_fd(fd); }
long sys_fdatasync(int fd) { return sync_fd(fd); }
long sys_sync(void) { return 0; }
long sys_syncfs(int fd) { return fd_get(fd) ? 0 : -EBADF; }

#define MFD_NAME_MAX 249 /* NAME_MAX minus the "memfd:" prefix */

/* memfd_create: an unnamed tmpfs file. Seals are not kept yet: F_ADD_SEALS gives EINVAL. */
long sys_memfd_create(uptr_t uname, unsigned flags)
{
	if (flags & ~(unsigned)(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB))
		return -EINVAL;
	if (flags & MFD_HUGETLB)
		return -EINVAL; /* no huge pages */
	char name[MFD_NAME_MAX + 1];
	long n = strncpy_from_user(name, uname, sizeof(name));
	if (n == -ENAMETOOLONG)
		return -EINVAL;
	if (n < 0)
		return n;
	struct inode *i = inode_new(&tmpfs_fs, S_IFREG | 0777);
	if (!i)
		return -ENOMEM;
	struct file *f;
	long err = vfs_open(i, O_RDWR | O_LARGEFILE, &f);
	if (err) {
		inode_put(i);
		return err;
	}
	struct textbuf t = { 0 };
	tb_printf(&t, "/memfd:%s (deleted)", name);
	tb_put(&t, "", 1);
	f->path = t.oom ? NULL : t.buf;
	err = fd_install(f, 0, flags & MFD_CLOEXEC);
	file_put(f);
	return err;
}
