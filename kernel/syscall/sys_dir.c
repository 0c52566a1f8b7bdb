/* Changing the tree: mkdir, mkdirat, rmdir, unlink, unlinkat, rename, renameat, renameat2
 * (NOREPLACE, EXCHANGE), link, linkat, symlink, symlinkat; and the working directory: chdir,
 * fchdir, getcwd. Errors in Linux's order: the parent must resolve, then the name's rules. */
#include "syscall/syscall.h"
#include "syscall/pathname.h"
#include "fs/vfs.h"
#include "fs/path.h"
#include "fs/file.h"
#include "proc/process.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <linux/fs.h>
#include <linux/limits.h>

/* A path's parent directory and last name, from the app. */
struct parent {
	char *path;
	struct inode *dir;
	const char *name;
	size_t len;
	bool must_dir;
};

static bool is_dot(const struct parent *p)
{
	return (p->len == 1 && p->name[0] == '.') ||
	       (p->len == 2 && p->name[0] == '.' && p->name[1] == '.');
}

static long parent_get(int dirfd, uptr_t upath, struct parent *p)
{
	memset(p, 0, sizeof(*p));
	long err = path_from_user(upath, &p->path);
	if (err)
		return err;
	struct inode *start;
	err = path_start(dirfd, p->path, &start);
	if (!err)
		err = path_parent(start, p->path, &p->dir, &p->name, &p->len, &p->must_dir);
	if (err) {
		path_free(p->path);
		p->path = NULL;
	}
	return err;
}

static void parent_put(struct parent *p)
{
	inode_put(p->dir);
	path_free(p->path);
}

/* A new name in /proc or /sys: those trees create nothing, and their lookup fails first
 * (ENOENT), unless the name exists (EEXIST). */
static long synth_new_name(struct parent *p)
{
	struct inode *i;
	long err = dir_lookup(p->dir, p->name, p->len, &i);
	if (err)
		return err;
	inode_put(i);
	return -EEXIST;
}

static long do_mkdir(int dirfd, uptr_t upath, u32 mode)
{
	struct parent p;
	long err = parent_get(dirfd, upath, &p);
	if (err)
		return err;
	if (p.len == 0 || is_dot(&p) || dir_find(p.dir, p.name, p.len)) {
		err = -EEXIST;
	} else if (p.dir->iops) {
		err = synth_new_name(&p);
	} else {
		struct inode *d = inode_new(&tmpfs_fs, S_IFDIR | (mode & 07777 & ~proc.umask));
		err = d ? dir_link(p.dir, p.name, p.len, d) : -ENOSPC;
	}
	parent_put(&p);
	return err;
}

long sys_mkdir(uptr_t path, u32 mode) { return do_mkdir(AT_FDCWD, path, mode); }
long sys_mkdirat(int dirfd, uptr_t path, u32 mode) { return do_mkdir(dirfd, path, mode); }

static long do_rmdir(int dirfd, uptr_t upath)
{
	struct parent p;
	long err = parent_get(dirfd, upath, &p);
	if (err)
		return err;
	struct inode *d = p.len ? dir_find(p.dir, p.name, p.len) : NULL;
	if (p.len == 0)
		err = -EBUSY;
	else if (p.len == 1 && p.name[0] == '.')
		err = -EINVAL;
	else if (p.len == 2 && p.name[0] == '.' && p.name[1] == '.')
		err = -ENOTEMPTY;
	else if (!d)
		err = -ENOENT;
	else if (!S_ISDIR(d->mode))
		err = -ENOTDIR;
	else if (d->iops || p.dir->iops)
		err = -EBUSY; /* a mount point (/proc, /sys) or inside one */
	else if (!dir_is_empty(d))
		err = -ENOTEMPTY;
	else
		err = dir_unlink(p.dir, p.name, p.len);
	parent_put(&p);
	return err;
}

static long do_unlink(int dirfd, uptr_t upath)
{
	struct parent p;
	long err = parent_get(dirfd, upath, &p);
	if (err)
		return err;
	struct inode *i = p.len ? dir_find(p.dir, p.name, p.len) : NULL;
	if (p.len == 0 || is_dot(&p))
		err = p.len ? -EISDIR : -EISDIR;
	else if (!i)
		err = -ENOENT;
	else if (S_ISDIR(i->mode))
		err = -EISDIR;
	else if (p.must_dir)
		err = -ENOTDIR;
	else if (p.dir->iops)
		err = -EPERM;
	else
		err = dir_unlink(p.dir, p.name, p.len);
	parent_put(&p);
	return err;
}

long sys_rmdir(uptr_t path) { return do_rmdir(AT_FDCWD, path); }
long sys_unlink(uptr_t path) { return do_unlink(AT_FDCWD, path); }

long sys_unlinkat(int dirfd, uptr_t path, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return flags & AT_REMOVEDIR ? do_rmdir(dirfd, path) : do_unlink(dirfd, path);
}

/* Is a an ancestor of (or the same as) b? Renaming a directory into itself is EINVAL. */
static bool is_ancestor(struct inode *a, struct inode *b)
{
	for (struct inode *i = b; i; i = i->parent == i ? NULL : i->parent)
		if (i == a)
			return true;
	return false;
}

static long do_rename(int olddirfd, uptr_t oldpath, int newdirfd, uptr_t newpath, u32 flags)
{
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EINVAL; /* overlay whiteouts: tmpfs supports them, we do not */
	struct parent o, n;
	long err = parent_get(olddirfd, oldpath, &o);
	if (err)
		return err;
	err = parent_get(newdirfd, newpath, &n);
	if (err) {
		parent_put(&o);
		return err;
	}
	struct inode *src = o.len ? dir_find(o.dir, o.name, o.len) : NULL;
	struct inode *dst = n.len ? dir_find(n.dir, n.name, n.len) : NULL;
	if (o.len == 0 || n.len == 0 || is_dot(&o) || is_dot(&n))
		err = -EBUSY;
	else if (!src)
		err = -ENOENT;
	else if (o.dir->iops || n.dir->iops)
		err = -EXDEV;
	else if ((o.must_dir || n.must_dir) && !S_ISDIR(src->mode))
		err = -ENOTDIR;
	else if (flags & RENAME_EXCHANGE) {
		if (!dst)
			err = -ENOENT;
		else if ((S_ISDIR(src->mode) && is_ancestor(src, n.dir)) ||
			 (S_ISDIR(dst->mode) && is_ancestor(dst, o.dir)))
			err = -EINVAL;
	} else if (dst && (flags & RENAME_NOREPLACE))
		err = -EEXIST;
	else if (S_ISDIR(src->mode) && is_ancestor(src, n.dir))
		err = -EINVAL;
	else if (dst && S_ISDIR(src->mode) && !S_ISDIR(dst->mode))
		err = -ENOTDIR;
	else if (dst && !S_ISDIR(src->mode) && S_ISDIR(dst->mode))
		err = -EISDIR;
	else if (dst && S_ISDIR(dst->mode) && !dir_is_empty(dst))
		err = -ENOTEMPTY;
	if (err || src == dst)
		goto out;
	/* Hold both inodes while their names move. */
	inode_get(src);
	if (dst)
		inode_get(dst);
	if (flags & RENAME_EXCHANGE) {
		dir_unlink(o.dir, o.name, o.len);
		dir_unlink(n.dir, n.name, n.len);
		err = dir_link(n.dir, n.name, n.len, src);
		if (!err)
			err = dir_link(o.dir, o.name, o.len, dst);
	} else {
		if (dst)
			dir_unlink(n.dir, n.name, n.len);
		dir_unlink(o.dir, o.name, o.len);
		err = dir_link(n.dir, n.name, n.len, src);
	}
	inode_put(src);
	if (dst)
		inode_put(dst);
out:
	parent_put(&o);
	parent_put(&n);
	return err;
}

long sys_rename(uptr_t o, uptr_t n) { return do_rename(AT_FDCWD, o, AT_FDCWD, n, 0); }
long sys_renameat(int od, uptr_t o, int nd, uptr_t n) { return do_rename(od, o, nd, n, 0); }
long sys_renameat2(int od, uptr_t o, int nd, uptr_t n, u32 flags) { return do_rename(od, o, nd, n, flags); }

static long do_link(int olddirfd, uptr_t oldpath, int newdirfd, uptr_t newpath, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	char *path;
	long err = path_from_user(oldpath, &path);
	if (err)
		return err;
	struct inode *src;
	err = path_at(olddirfd, path, (flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0,
		      flags & AT_EMPTY_PATH, &src);
	path_free(path);
	if (err)
		return err;
	struct parent n;
	err = parent_get(newdirfd, newpath, &n);
	if (err) {
		inode_put(src);
		return err;
	}
	if (S_ISDIR(src->mode))
		err = -EPERM;
	else if (n.len == 0 || is_dot(&n) || dir_find(n.dir, n.name, n.len))
		err = -EEXIST;
	else if (n.must_dir)
		err = -ENOENT;
	else if (n.dir->iops)
		err = synth_new_name(&n);
	else if (src->fs != &tmpfs_fs)
		err = -EXDEV;
	else if (src->nlink == 0 && !src->linkable)
		err = -ENOENT; /* removed, or an O_TMPFILE opened with O_EXCL */
	else if ((err = dir_link(n.dir, n.name, n.len, src)) == 0)
		src->linkable = false;
	inode_touch(src, false, false, true);
	inode_put(src);
	parent_put(&n);
	return err;
}

long sys_link(uptr_t o, uptr_t n) { return do_link(AT_FDCWD, o, AT_FDCWD, n, 0); }
long sys_linkat(int od, uptr_t o, int nd, uptr_t n, int flags) { return do_link(od, o, nd, n, flags); }

static long do_symlink(uptr_t utarget, int dirfd, uptr_t linkpath)
{
	char *target;
	long err = path_from_user(utarget, &target);
	if (err)
		return err;
	struct parent p;
	if (!*target) {
		path_free(target);
		return -ENOENT;
	}
	err = parent_get(dirfd, linkpath, &p);
	if (err) {
		path_free(target);
		return err;
	}
	if (p.len == 0 || is_dot(&p) || dir_find(p.dir, p.name, p.len))
		err = -EEXIST;
	else if (p.must_dir)
		err = -ENOENT;
	else if (p.dir->iops)
		err = synth_new_name(&p);
	else {
		struct inode *i = inode_new(&tmpfs_fs, S_IFLNK | 0777);
		size_t n = strlen(target);
		if (!i || !(i->link = kmalloc(n + 1))) {
			err = -ENOSPC;
		} else {
			memcpy(i->link, target, n + 1);
			i->size = n;
			err = dir_link(p.dir, p.name, p.len, i);
		}
	}
	parent_put(&p);
	path_free(target);
	return err;
}

long sys_symlink(uptr_t target, uptr_t link) { return do_symlink(target, AT_FDCWD, link); }
long sys_symlinkat(uptr_t target, int dirfd, uptr_t link) { return do_symlink(target, dirfd, link); }

static void set_cwd(struct inode *i)
{
	inode_put(proc.cwd);
	proc.cwd = i;
}

long sys_chdir(uptr_t upath)
{
	struct inode *i;
	long err = user_path_at(AT_FDCWD, upath, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, false, &i);
	if (!err)
		set_cwd(i);
	return err;
}

long sys_fchdir(int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (!f->inode || !S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	inode_get(f->inode);
	set_cwd(f->inode);
	return 0;
}

/* The name under which dir's parent holds dir. */
static const char *name_in_parent(struct inode *dir, size_t *len)
{
	for (struct child *c = dir->parent->children; c; c = c->next) {
		if (c->inode == dir) {
			*len = c->len;
			return c->name;
		}
	}
	return NULL;
}

long sys_getcwd(uptr_t buf, u64 size)
{
	char *path = kmalloc(PATH_MAX);
	if (!path)
		return -ENOMEM;
	/* Built from the end: "/a/b" as the names from the cwd up to the root. */
	size_t at = PATH_MAX - 1;
	path[at] = '\0';
	long err = 0;
	struct inode *i = proc.cwd;
	if (i->nlink == 0)
		err = -ENOENT; /* the working directory was removed */
	while (!err && i != vfs_root && i->parent) {
		size_t len;
		const char *name = name_in_parent(i, &len);
		if (!name || len + 1 > at) {
			err = name ? -ENAMETOOLONG : -ENOENT;
			break;
		}
		at -= len;
		memcpy(path + at, name, len);
		path[--at] = '/';
		i = i->parent;
	}
	if (!err && at == PATH_MAX - 1)
		path[--at] = '/';
	size_t len = PATH_MAX - at; /* with the NUL */
	if (!err && size < len)
		err = -ERANGE;
	if (!err)
		err = copy_to_user(buf, path + at, len) ? -EFAULT : (long)len;
	kfree(path);
	return err;
}
