/* Open files and the descriptor table. A file is an object with operations; descriptors point at
 * files (dup shares one, with its offset and status flags, as on Linux). */
#pragma once
#include "types.h"

struct file;
struct stat;
struct poll_table;

struct file_ops {
	/* Kernel buffers; *pos is the file offset for seekable files. */
	ssize_t (*read)(struct file *f, void *buf, size_t n, u64 *pos);
	ssize_t (*write)(struct file *f, const void *buf, size_t n, u64 *pos);
	int (*stat)(struct file *f, struct stat *st);
	long (*ioctl)(struct file *f, unsigned cmd, uptr_t arg);
	/* Readiness now (fs/poll.h); registers on the file's wait queues through pt when pt is
	 * not NULL. NULL: always ready for reading and writing. */
	u32 (*poll)(struct file *f, struct poll_table *pt);
	/* The last descriptor of the file went (pipes count their ends). */
	void (*release)(struct file *f);
	bool seekable;
	/* A read returns what is there and waits only when nothing is (pipes, terminals):
	 * read() makes one call of it, not a loop that would wait for more. */
	bool stream;
};

struct file {
	const struct file_ops *ops;
	int refs;
	u32 flags;      /* O_ACCMODE, O_APPEND, O_NONBLOCK... as given to open/fcntl */
	u64 pos;
	struct inode *inode; /* what it was opened from; NULL for anonymous files */
	char *path;          /* the absolute path it was opened by, for /proc (or NULL) */
	void *priv;          /* the object behind an anonymous file (a pipe) */
	int stream;     /* for the console: which standard stream (0, 1, 2) it was made as */
	struct epitem *epitems; /* the epoll items watching this file (fs/epoll.c), or NULL */
};

/* Opens an inode: regular files, directories, devices (by their inode's fops), O_PATH. */
int vfs_open(struct inode *i, u32 flags, struct file **out);

#define FD_MAX 4096

struct file *file_new(const struct file_ops *ops, u32 flags);
void file_put(struct file *f);

/* The descriptor table. */
struct file *fd_get(int fd);
/* Installs f at the lowest free descriptor >= min; takes a reference. -EMFILE when full. */
int fd_install(struct file *f, int min, bool cloexec);
int fd_install_at(struct file *f, int fd, bool cloexec);
int fd_close(int fd);
/* Closes every descriptor in [first, last] (close_range). */
void fd_close_range(unsigned first, unsigned last, bool cloexec_only);
bool fd_cloexec(int fd);
void fd_set_cloexec(int fd, bool on);
