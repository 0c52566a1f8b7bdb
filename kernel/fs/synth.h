/* Synthetic trees (/proc, /sys): tables of entries whose inodes are made when looked up and
 * whose file contents are generated then, as a snapshot the open file reads. */
#pragma once
#include "types.h"

struct inode;
struct synth_entry;
struct fs_info;

/* Text being generated for a synthetic file. */
struct textbuf {
	char *buf;
	size_t len, cap;
	bool oom;
};
void tb_printf(struct textbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tb_put(struct textbuf *t, const void *data, size_t n);

struct synth_dir_ops {
	/* Dynamic entries (e.g. /proc/self/fd): name the k-th, or resolve one. */
	bool (*nth)(struct inode *dir, u64 k, const struct synth_entry **e, char *name, size_t *len,
		    u64 *arg);
	int (*find)(struct inode *dir, const char *name, size_t len, const struct synth_entry **e,
		    u64 *arg);
};

struct synth_entry {
	const char *name;
	u32 mode;                                   /* S_IFREG/S_IFDIR/S_IFLNK | perms */
	void (*show)(struct textbuf *t, u64 arg);   /* files */
	/* Writable files: takes the bytes of one write(2) (a kernel buffer); returns the count
	 * taken or -errno. Without it, writes fail with EINVAL as Linux's read-only proc files do. */
	ssize_t (*store)(const char *buf, size_t n, u64 arg);
	void (*link)(struct textbuf *t, u64 arg);   /* symlinks */
	struct inode *(*follow)(u64 arg);           /* magic symlinks: the inode itself */
	const struct synth_entry *children;         /* directories: NULL-name terminated */
	const struct synth_dir_ops *dyn;            /* directories with computed entries */
};

/* Appends the absolute path of a tmpfs directory (climbing to the root). */
void dir_path(struct textbuf *t, struct inode *dir);

/* Makes the root inode of a synthetic tree (mounted by linking it into the tree). */
struct inode *synth_root(const struct fs_info *fs, const struct synth_entry *children);
