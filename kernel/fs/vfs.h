/* The file system namespace: one tree of inodes. The initramfs becomes tmpfs inodes whose data
 * still lives in the initrd (`lower`) until a page is first written (copy-up per page), so an
 * unwritten file costs no copy. Synthetic trees (/proc, /sys) plug in through inode_ops.
 * Lock discipline: none yet — one thread runs in the kernel at a time. */
#pragma once
#include "types.h"

struct inode;
struct file;
struct file_ops;
struct stat;

struct fs_info {
	const char *name;  /* as /proc/mounts shows it */
	u64 dev;           /* st_dev of its inodes */
	u64 magic;         /* statfs f_type */
};

/* A name in a directory. Cookies grow with each insertion and never repeat, so getdents can
 * resume after entries were removed. */
struct child {
	struct child *next;
	struct inode *inode;
	u64 cookie;
	u16 len;
	char name[];
};

struct dir_emit {
	/* Returns false when the caller's buffer is full: iteration stops, pos stays. */
	bool (*emit)(struct dir_emit *ctx, const char *name, size_t len, u64 ino, u32 mode,
		     u64 next_pos);
};

struct inode_ops {
	/* Synthetic directories: resolve one name; list entries from *pos. */
	int (*lookup)(struct inode *dir, const char *name, size_t len, struct inode **out);
	int (*iterate)(struct inode *dir, u64 pos, struct dir_emit *ctx);
	/* Symlinks whose target is computed (/proc/self). Returns the length or -errno. */
	long (*readlink)(struct inode *ino, char *buf, size_t size);
	/* Magic links (/proc/self/fd/N): the inode the link stands for, referenced, or NULL to
	 * follow the text as usual. */
	struct inode *(*follow)(struct inode *ino);
	/* Called when the last reference of an unlinked inode goes. */
	void (*release)(struct inode *ino);
};

struct inode {
	u64 ino;
	u32 mode;
	u32 uid, gid;
	u32 nlink;
	int refs;            /* open files, mappings, cwd; the tree's own link is nlink */
	u64 size;
	u64 atime, mtime, ctime; /* ns since the epoch */
	u64 rdev;
	const struct fs_info *fs;
	const struct inode_ops *iops;   /* NULL for ordinary tmpfs inodes */
	const struct file_ops *fops;    /* how an open file behaves; NULL: by type */
	struct inode *parent;           /* directories: ".." */
	struct child *children, **children_tail;
	u64 next_cookie;
	/* Regular files: bytes in the initrd, and pages of our own that override them. */
	const u8 *lower;
	u64 lower_size;
	paddr_t *pages;
	u64 pages_cap;
	char *link;                     /* symlinks: the target */
	void *priv;                     /* synthetic inodes: their generator's state */
	bool linkable;                  /* an O_TMPFILE without O_EXCL: linkat may name it once */
	int console_stream;             /* standard streams' inodes: 1 + the stream (0, 1, 2); else 0 */                /* an O_TMPFILE opened with O_EXCL: linkat refuses it */
};

extern struct inode *vfs_root;
extern const struct fs_info tmpfs_fs;

/* Inodes. */
struct inode *inode_new(const struct fs_info *fs, u32 mode);
void inode_get(struct inode *i);
void inode_put(struct inode *i);
void inode_touch(struct inode *i, bool atime, bool mtime, bool ctime);
void inode_stat(struct inode *i, struct stat *st);

/* Directories of the tree (tmpfs): children by name. */
struct inode *dir_find(struct inode *dir, const char *name, size_t len);
int dir_link(struct inode *dir, const char *name, size_t len, struct inode *child);
int dir_unlink(struct inode *dir, const char *name, size_t len);
bool dir_is_empty(struct inode *dir);
/* Looks a name up in any directory, synthetic or not; takes a reference. */
int dir_lookup(struct inode *dir, const char *name, size_t len, struct inode **out);
/* Lists a directory from pos (any kind). */
int dir_iterate(struct inode *dir, u64 pos, struct dir_emit *ctx);

/* Regular file data (tmpfs). */
ssize_t file_data_read(struct inode *i, void *buf, size_t n, u64 off);
ssize_t file_data_write(struct inode *i, const void *buf, size_t n, u64 off);
int file_data_truncate(struct inode *i, u64 size);
/* The physical page holding page idx of the file, for mapping it. With write, the page becomes
 * the file's own (copied up); without, an initrd page may be returned as is (*shared set),
 * which the caller must map read-only. 0 when out of memory. */
paddr_t file_data_page(struct inode *i, u64 idx, bool write, bool *shared);

/* Building the tree from the initramfs at boot. */
bool vfs_init(void);
/* Creates every missing directory of an absolute path. */
struct inode *vfs_mkdir_p(const char *path, u32 mode);
