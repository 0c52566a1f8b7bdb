/* Inodes and the directories of the tree. A directory's children are a list in insertion order
 * (getdents order, as tmpfs keeps it); lookups scan it. */
#include "fs/vfs.h"
#include "fs/file.h"
#include "mm/kheap.h"
#include "mm/pmm.h"
#include "core/time.h"
#include "lib/string.h"
#include "errno.h"
#include <asm/stat.h>
#include <linux/stat.h>

/* tmpfs reports a directory's size as 20 bytes per entry (mm/shmem.c's BOGO_DIRENT_SIZE). */
#define BOGO_DIRENT_SIZE 20

struct inode *vfs_root;
static u64 next_ino = 2;

struct inode *inode_new(const struct fs_info *fs, u32 mode)
{
	struct inode *i = kzalloc(sizeof(*i));
	if (!i)
		return NULL;
	i->ino = next_ino++;
	i->mode = mode;
	i->fs = fs;
	i->nlink = 0; /* dir_link counts the links */
	if (S_ISDIR(mode))
		i->size = 2 * BOGO_DIRENT_SIZE; /* "." and "..", as tmpfs counts them */
	i->children_tail = &i->children;
	i->next_cookie = 3; /* 1 and 2 are "." and ".." */
	u64 now = time_realtime_ns();
	i->atime = i->mtime = i->ctime = now;
	return i;
}

void inode_get(struct inode *i)
{
	i->refs++;
}

static void inode_free(struct inode *i)
{
	if (i->iops && i->iops->release)
		i->iops->release(i);
	for (u64 p = 0; p < i->pages_cap; p++)
		if (i->pages[p])
			page_free(i->pages[p]);
	kfree(i->pages);
	kfree(i->link);
	kfree(i);
}

void inode_put(struct inode *i)
{
	if (!i)
		return;
	if (--i->refs <= 0 && i->nlink == 0)
		inode_free(i);
}

void inode_touch(struct inode *i, bool atime, bool mtime, bool ctime)
{
	u64 now = time_realtime_ns();
	if (atime)
		i->atime = now;
	if (mtime)
		i->mtime = now;
	if (ctime)
		i->ctime = now;
}

void inode_stat(struct inode *i, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = i->fs->dev;
	st->st_ino = i->ino;
	st->st_mode = i->mode;
	st->st_nlink = i->nlink;
	st->st_uid = i->uid;
	st->st_gid = i->gid;
	st->st_rdev = i->rdev;
	st->st_size = (long)i->size;
	st->st_blksize = PAGE_SIZE;
	if (S_ISREG(i->mode) || S_ISLNK(i->mode))
		st->st_blocks = (long)(PAGE_ALIGN_UP(i->size) / 512);
	st->st_atime = i->atime / NSEC_PER_SEC;
	st->st_atime_nsec = i->atime % NSEC_PER_SEC;
	st->st_mtime = i->mtime / NSEC_PER_SEC;
	st->st_mtime_nsec = i->mtime % NSEC_PER_SEC;
	st->st_ctime = i->ctime / NSEC_PER_SEC;
	st->st_ctime_nsec = i->ctime % NSEC_PER_SEC;
}

struct inode *dir_find(struct inode *dir, const char *name, size_t len)
{
	for (struct child *c = dir->children; c; c = c->next)
		if (c->len == len && memcmp(c->name, name, len) == 0)
			return c->inode;
	return NULL;
}

int dir_link(struct inode *dir, const char *name, size_t len, struct inode *child)
{
	struct child *c = kmalloc(sizeof(*c) + len + 1);
	if (!c)
		return -ENOSPC;
	c->next = NULL;
	c->inode = child;
	c->cookie = dir->next_cookie++;
	c->len = (u16)len;
	memcpy(c->name, name, len);
	c->name[len] = '\0';
	*dir->children_tail = c;
	dir->children_tail = &c->next;
	dir->size += BOGO_DIRENT_SIZE;
	if (S_ISDIR(child->mode)) {
		child->parent = dir;
		child->nlink += 2; /* its entry here and its own "."; its subdirectories' ".." stay */
		dir->nlink++;      /* the child's ".." */
	} else {
		child->nlink++;
	}
	inode_touch(dir, false, true, true);
	return 0;
}

int dir_unlink(struct inode *dir, const char *name, size_t len)
{
	for (struct child **pp = &dir->children; *pp; pp = &(*pp)->next) {
		struct child *c = *pp;
		if (c->len != len || memcmp(c->name, name, len) != 0)
			continue;
		*pp = c->next;
		if (dir->children_tail == &c->next)
			dir->children_tail = pp;
		dir->size -= BOGO_DIRENT_SIZE;
		struct inode *i = c->inode;
		kfree(c);
		if (S_ISDIR(i->mode)) {
			dir->nlink--;
			i->nlink -= 2; /* a rename links it again; rmdir leaves an empty one at 0 */
		} else {
			i->nlink--;
		}
		inode_touch(i, false, false, true);
		inode_touch(dir, false, true, true);
		if (i->nlink == 0 && i->refs <= 0)
			inode_free(i);
		return 0;
	}
	return -ENOENT;
}

bool dir_is_empty(struct inode *dir)
{
	return dir->children == NULL;
}

int dir_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (dir->iops && dir->iops->lookup)
		return dir->iops->lookup(dir, name, len, out);
	struct inode *i = dir_find(dir, name, len);
	if (!i)
		return -ENOENT;
	inode_get(i);
	*out = i;
	return 0;
}

int dir_iterate(struct inode *dir, u64 pos, struct dir_emit *ctx)
{
	if (dir->iops && dir->iops->iterate)
		return dir->iops->iterate(dir, pos, ctx);
	if (pos < 1 && !ctx->emit(ctx, ".", 1, dir->ino, S_IFDIR, 1))
		return 0;
	if (pos < 2) {
		struct inode *up = dir->parent ? dir->parent : dir;
		if (!ctx->emit(ctx, "..", 2, up->ino, S_IFDIR, 2))
			return 0;
	}
	for (struct child *c = dir->children; c; c = c->next) {
		if (c->cookie <= pos)
			continue;
		if (!ctx->emit(ctx, c->name, c->len, c->inode->ino, c->inode->mode, c->cookie))
			return 0;
	}
	return 0;
}
