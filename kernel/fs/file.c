/* Files are reference-counted; the descriptor table holds one reference per descriptor. The
 * table is sized by RLIMIT_NOFILE's hard maximum. Lock: none yet (one thread). */
#include "fs/file.h"
#include "fs/vfs.h"
#include "fs/lock.h"
#include "fs/epoll.h"
#include "mm/kheap.h"
#include "proc/process.h"
#include "errno.h"
#include <linux/resource.h>

struct fdent {
	struct file *file;
	bool cloexec;
};
static struct fdent fds[FD_MAX];

struct file *file_new(const struct file_ops *ops, u32 flags)
{
	struct file *f = kzalloc(sizeof(*f));
	if (!f)
		return NULL;
	f->ops = ops;
	f->flags = flags;
	f->refs = 1;
	return f;
}

void file_put(struct file *f)
{
	if (f && --f->refs == 0) {
		if (f->epitems)
			epoll_file_released(f);
		if (f->ops->release)
			f->ops->release(f);
		if (f->inode)
			locks_file_released(f);
		inode_put(f->inode);
		kfree(f->path);
		kfree(f);
	}
}

struct file *fd_get(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	return fds[fd].file;
}

static int fd_limit(void)
{
	u64 cur = proc.rlimits[RLIMIT_NOFILE][0];
	return cur < FD_MAX ? (int)cur : FD_MAX;
}

int fd_install_at(struct file *f, int fd, bool cloexec)
{
	if (fd < 0 || fd >= fd_limit())
		return -EBADF;
	if (fds[fd].file)
		file_put(fds[fd].file);
	f->refs++;
	fds[fd] = (struct fdent){ f, cloexec };
	return fd;
}

int fd_install(struct file *f, int min, bool cloexec)
{
	int limit = fd_limit();
	for (int fd = min < 0 ? 0 : min; fd < limit; fd++)
		if (!fds[fd].file)
			return fd_install_at(f, fd, cloexec);
	return -EMFILE;
}

int fd_close(int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	fds[fd].file = NULL;
	if (f->inode)
		locks_fd_closed(f->inode);
	file_put(f);
	return 0;
}

bool fd_cloexec(int fd)
{
	return fd_get(fd) && fds[fd].cloexec;
}

void fd_set_cloexec(int fd, bool on)
{
	if (fd_get(fd))
		fds[fd].cloexec = on;
}

void fd_close_range(unsigned first, unsigned last, bool cloexec_only)
{
	for (unsigned fd = first; fd <= last && fd < FD_MAX; fd++) {
		if (!fds[fd].file)
			continue;
		if (cloexec_only)
			fds[fd].cloexec = true;
		else
			fd_close((int)fd);
	}
}
