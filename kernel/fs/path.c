/* Path walking over the inode tree. Each step holds a reference on the directory it stands in;
 * symlinks resolve relative to the directory that holds them, recursively, with one depth
 * counter for the whole walk. */
#include "fs/path.h"
#include "fs/vfs.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "errno.h"
#include <linux/stat.h>
#include <linux/limits.h>

#define MAX_SYMLINKS 40

long inode_readlink(struct inode *i, char *buf, size_t size)
{
	if (!S_ISLNK(i->mode))
		return -EINVAL;
	if (i->iops && i->iops->readlink)
		return i->iops->readlink(i, buf, size);
	size_t n = MIN(strlen(i->link), size);
	memcpy(buf, i->link, n);
	return (long)n;
}

static int walk(struct inode *start, const char *path, unsigned flags, int *links,
		struct inode **out);

static int follow(struct inode *dir, struct inode *link, int *links, struct inode **out)
{
	if (++*links > MAX_SYMLINKS)
		return -ELOOP;
	if (link->iops && link->iops->follow) {
		struct inode *magic = link->iops->follow(link);
		if (magic) {
			*out = magic;
			return 0;
		}
	}
	char *target = kmalloc(PATH_MAX);
	if (!target)
		return -ENOMEM;
	long n = inode_readlink(link, target, PATH_MAX - 1);
	int err;
	if (n < 0) {
		err = (int)n;
	} else if (n == 0) {
		err = -ENOENT;
	} else {
		target[n] = '\0';
		err = walk(dir, target, LOOKUP_FOLLOW, links, out);
	}
	kfree(target);
	return err;
}

static int walk(struct inode *start, const char *path, unsigned flags, int *links,
		struct inode **out)
{
	struct inode *cur = *path == '/' ? vfs_root : start;
	inode_get(cur);
	const char *p = path;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *name = p;
		while (*p && *p != '/')
			p++;
		size_t len = p - name;
		bool trailing_slash = *p == '/';
		const char *rest = p;
		while (*rest == '/')
			rest++;
		bool last = *rest == '\0';
		int err = 0;
		struct inode *next = NULL;
		if (len > NAME_MAX_LEN)
			err = -ENAMETOOLONG;
		else if (!S_ISDIR(cur->mode))
			err = -ENOTDIR;
		if (err) {
			inode_put(cur);
			return err;
		}
		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			next = cur->parent ? cur->parent : cur;
			inode_get(next);
		} else if ((err = dir_lookup(cur, name, len, &next))) {
			inode_put(cur);
			return err;
		}
		if (S_ISLNK(next->mode) && (!last || trailing_slash || (flags & LOOKUP_FOLLOW))) {
			struct inode *target;
			err = follow(cur, next, links, &target);
			inode_put(next);
			if (err) {
				inode_put(cur);
				return err;
			}
			next = target;
		}
		inode_put(cur);
		cur = next;
		if (last && trailing_slash && !S_ISDIR(cur->mode)) {
			inode_put(cur);
			return -ENOTDIR;
		}
	}
	if ((flags & LOOKUP_DIRECTORY) && !S_ISDIR(cur->mode)) {
		inode_put(cur);
		return -ENOTDIR;
	}
	*out = cur;
	return 0;
}

int path_walk(struct inode *start, const char *path, unsigned flags, struct inode **out)
{
	if (!*path)
		return -ENOENT;
	int links = 0;
	return walk(start, path, flags, &links, out);
}

/* A removed directory (rmdir'd while it was the working directory) takes no new names. */
static int check_alive(struct inode **dir)
{
	if ((*dir)->nlink == 0 && !(*dir)->iops) {
		inode_put(*dir);
		*dir = NULL;
		return -ENOENT;
	}
	return 0;
}

int path_parent(struct inode *start, const char *path, struct inode **dir, const char **name,
		size_t *len, bool *must_dir)
{
	if (!*path)
		return -ENOENT;
	size_t end = strlen(path);
	*must_dir = false;
	while (end > 1 && path[end - 1] == '/') {
		end--;
		*must_dir = true;
	}
	size_t cut = end;
	while (cut > 0 && path[cut - 1] != '/')
		cut--;
	*name = path + cut;
	*len = end - cut;
	if (*len > NAME_MAX_LEN)
		return -ENAMETOOLONG;
	if (path[0] == '/' && end == 1) { /* "/" itself */
		*len = 0;
		inode_get(vfs_root);
		*dir = vfs_root;
		return 0;
	}
	if (cut == 0) {
		if (!S_ISDIR(start->mode))
			return -ENOTDIR;
		inode_get(start);
		*dir = start;
		return check_alive(dir);
	}
	/* The prefix, without the last name, walked as a directory. */
	char *prefix = kmalloc(cut + 1);
	if (!prefix)
		return -ENOMEM;
	memcpy(prefix, path, cut);
	prefix[cut] = '\0';
	int links = 0;
	int err = walk(start, prefix, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &links, dir);
	kfree(prefix);
	return err ? err : check_alive(dir);
}
