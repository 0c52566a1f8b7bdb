/* Path arguments of syscalls: copied in once, resolved from dirfd or the working directory. */
#include "syscall/pathname.h"
#include "syscall/syscall.h"
#include "fs/vfs.h"
#include "fs/path.h"
#include "fs/file.h"
#include "proc/process.h"
#include "mm/kheap.h"
#include "core/cmdline.h"
#include "core/log.h"
#include <linux/limits.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

int path_from_user(uptr_t upath, char **out)
{
	char *p = kmalloc(PATH_MAX);
	if (!p)
		return -ENOMEM;
	long n = strncpy_from_user(p, upath, PATH_MAX);
	if (n < 0) {
		kfree(p);
		return (int)n;
	}
	*out = p;
	return 0;
}

void path_free(char *path)
{
	kfree(path);
}

int path_start(int dirfd, const char *path, struct inode **out)
{
	if (path[0] == '/') {
		*out = vfs_root;
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		*out = proc.cwd;
		return 0;
	}
	struct file *f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	if (!f->inode || !S_ISDIR(f->inode->mode))
		return *path ? -ENOTDIR : 0;
	*out = f->inode;
	return 0;
}

int path_at(int dirfd, const char *path, unsigned lookup, bool empty_ok, struct inode **out)
{
	if (!*path) {
		if (!empty_ok)
			return -ENOENT;
		if (dirfd == AT_FDCWD) {
			inode_get(proc.cwd);
			*out = proc.cwd;
			return 0;
		}
		struct file *f = fd_get(dirfd);
		if (!f)
			return -EBADF;
		if (!f->inode)
			return -EBADF;
		inode_get(f->inode);
		*out = f->inode;
		return 0;
	}
	struct inode *start;
	int err = path_start(dirfd, path, &start);
	if (err)
		return err;
	err = path_walk(start, path, lookup, out);
	if (err == -ENOENT)
		note_missing(path, err);
	return err;
}

int user_path_at(int dirfd, uptr_t upath, unsigned lookup, bool empty_ok, struct inode **out)
{
	char *path = NULL;
	int err = path_from_user(upath, &path);
	if (err)
		return err;
	err = path_at(dirfd, path, lookup, empty_ok, out);
	path_free(path);
	return err;
}

void note_missing(const char *path, int err)
{
	if (options.missing_files && err == -ENOENT)
		kerr("monos: missing file: %s\n", path);
}
