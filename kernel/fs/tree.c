/* Builds the tree from the initramfs at boot: one inode per entry, file data left in place in
 * the initrd. Later entries replace earlier ones at the same path, as the kernel's unpacker does.
 * Then the directories every Linux system has are made, if the image lacks them. */
#include "fs/vfs.h"
#include "fs/initramfs.h"
#include "fs/devfs.h"
#include "mm/kheap.h"
#include "core/log.h"
#include "core/time.h"
#include "lib/string.h"
#include "errno.h"
#include <linux/stat.h>

const struct fs_info tmpfs_fs = { "tmpfs", 0x17, 0x01021994 /* TMPFS_MAGIC */ };

static u64 encode_dev(u32 major, u32 minor)
{
	return (minor & 0xff) | (major << 8) | ((u64)(minor & ~0xffu) << 12);
}

/* Walks or creates the directories of path[0..len), returning the last. */
static struct inode *dirs_of(const char *path, size_t len, u32 mode)
{
	struct inode *dir = vfs_root;
	size_t i = 0;
	while (i < len) {
		while (i < len && path[i] == '/')
			i++;
		size_t start = i;
		while (i < len && path[i] != '/')
			i++;
		if (i == start)
			break;
		const char *name = path + start;
		size_t n = i - start;
		if (n == 1 && name[0] == '.')
			continue;
		struct inode *next = dir_find(dir, name, n);
		if (next && !S_ISDIR(next->mode)) {
			dir_unlink(dir, name, n);
			next = NULL;
		}
		if (!next) {
			next = inode_new(&tmpfs_fs, S_IFDIR | (mode & 07777));
			if (!next || dir_link(dir, name, n, next))
				return NULL;
		}
		dir = next;
	}
	return dir;
}

struct inode *vfs_mkdir_p(const char *path, u32 mode)
{
	return dirs_of(path, strlen(path), mode);
}

static bool add_entry(const struct initramfs_file *f)
{
	if (f->name_len == 0)
		return true; /* the root itself, or an alignment filler "." */
	/* Split into parent and last name. */
	size_t cut = f->name_len;
	while (cut > 0 && f->name[cut - 1] != '/')
		cut--;
	struct inode *dir = dirs_of(f->name, cut, 0755);
	if (!dir)
		return false;
	const char *name = f->name + cut;
	size_t n = f->name_len - cut;
	struct inode *old = dir_find(dir, name, n);
	if (old && S_ISDIR(old->mode) && S_ISDIR(f->mode)) {
		old->mode = f->mode;
		old->uid = f->uid;
		old->gid = f->gid;
		old->mtime = old->ctime = f->mtime * NSEC_PER_SEC;
		return true;
	}
	if (old)
		dir_unlink(dir, name, n);
	struct inode *i = inode_new(&tmpfs_fs, f->mode);
	if (!i)
		return false;
	i->uid = f->uid;
	i->gid = f->gid;
	i->atime = i->mtime = i->ctime = f->mtime * NSEC_PER_SEC;
	if (S_ISREG(f->mode)) {
		i->lower = f->data;
		i->lower_size = i->size = f->size;
	} else if (S_ISLNK(f->mode)) {
		i->link = kmalloc(f->size + 1);
		if (!i->link)
			return false;
		memcpy(i->link, f->data, f->size);
		i->link[f->size] = '\0';
		i->size = f->size;
	} else if (S_ISCHR(f->mode) || S_ISBLK(f->mode)) {
		i->rdev = encode_dev(f->rdev_major, f->rdev_minor);
		devfs_bind(i);
	}
	return dir_link(dir, name, n, i) == 0;
}

bool vfs_init(void)
{
	vfs_root = inode_new(&tmpfs_fs, S_IFDIR | 0755);
	if (!vfs_root)
		return false;
	vfs_root->nlink = 2;
	vfs_root->refs = 1;
	for (size_t k = 0; k < initramfs_count(); k++) {
		if (!add_entry(initramfs_entry(k))) {
			kerr("monos: out of memory building the file tree\n");
			return false;
		}
	}
	static const struct { const char *path; u32 mode; } standard[] = {
		{ "/tmp", 01777 }, { "/run", 0755 }, { "/root", 0700 }, { "/etc", 0755 },
	};
	for (size_t k = 0; k < ARRAY_SIZE(standard); k++) {
		if (!dir_find(vfs_root, standard[k].path + 1, strlen(standard[k].path) - 1) &&
		    !vfs_mkdir_p(standard[k].path, standard[k].mode))
			return false;
	}
	return devfs_init();
}
