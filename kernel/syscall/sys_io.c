/* Reading, writing and controlling descriptors: read, write, readv, writev, pread64, pwrite64,
 * preadv, pwritev, preadv2, pwritev2, lseek, ioctl, close, dup, dup2, dup3, fcntl. Data moves through a kernel
 * bounce buffer a page at a time, so file operations never see user pointers. */
#include "syscall/syscall.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "fs/pipe.h"
#include "net/socket.h"
#include "proc/process.h"
#include <linux/resource.h>
#include <linux/stat.h>

long fcntl_lock(int fd, int cmd, uptr_t arg);
#include "lib/string.h"
#include <asm/stat.h>
#include <asm/ioctls.h>
#include <linux/fcntl.h>
#include <linux/uio.h>
#include <linux/fs.h>

#define BOUNCE 4096
#define IOV_MAX_COUNT 1024
#define RW_MAX 0x7ffff000L /* Linux caps one read/write at this many bytes */

static bool readable(const struct file *f) { return (f->flags & O_ACCMODE) != O_WRONLY; }
static bool writable(const struct file *f) { return (f->flags & O_ACCMODE) != O_RDONLY; }

static ssize_t read_held(struct file *f, uptr_t buf, size_t n, u64 *pos)
{
	if (!readable(f))
		return -EBADF;
	if (!user_range_ok(buf, n))
		return -EFAULT;
	if (socket_of(f)) /* a datagram moves whole, not a page at a time */
		return socket_read_user(f, buf, n);
	u8 tmp[BOUNCE];
	size_t done = 0;
	n = MIN(n, (size_t)RW_MAX);
	while (done < n) {
		size_t want = MIN(n - done, sizeof(tmp));
		ssize_t got = f->ops->read(f, tmp, want, pos);
		if (got < 0)
			return done ? (ssize_t)done : got;
		if (got && copy_to_user(buf + done, tmp, got))
			return done ? (ssize_t)done : -EFAULT;
		done += got;
		/* A short read (a terminal line, end of file) ends the call, as on Linux. */
		if ((size_t)got < want || f->ops->stream)
			break;
	}
	return (ssize_t)done;
}

static ssize_t write_held(struct file *f, uptr_t buf, size_t n, u64 *pos)
{
	if (!writable(f))
		return -EBADF;
	if (!user_range_ok(buf, n))
		return -EFAULT;
	if (socket_of(f))
		return socket_write_user(f, buf, n);
	u8 tmp[BOUNCE];
	size_t done = 0;
	n = MIN(n, (size_t)RW_MAX);
	while (done < n) {
		size_t chunk = MIN(n - done, sizeof(tmp));
		if (copy_from_user(tmp, buf + done, chunk))
			return done ? (ssize_t)done : -EFAULT;
		ssize_t put = f->ops->write(f, tmp, chunk, pos);
		if (put < 0)
			return done ? (ssize_t)done : put;
		done += put;
		if ((size_t)put < chunk)
			break;
	}
	return (ssize_t)done;
}

/* A read or write that blocks gives up the big lock: another thread may close the descriptor
 * meanwhile, so the call holds its own reference to the file, as Linux's fdget does. */
static ssize_t do_read(struct file *f, uptr_t buf, size_t n, u64 *pos)
{
	f->refs++;
	ssize_t ret = read_held(f, buf, n, pos);
	file_put(f);
	return ret;
}

static ssize_t do_write(struct file *f, uptr_t buf, size_t n, u64 *pos)
{
	f->refs++;
	ssize_t ret = write_held(f, buf, n, pos);
	file_put(f);
	return ret;
}

long sys_read(int fd, uptr_t buf, size_t n)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	return do_read(f, buf, n, &f->pos);
}

long sys_write(int fd, uptr_t buf, size_t n)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	return do_write(f, buf, n, &f->pos);
}

long sys_pread64(int fd, uptr_t buf, size_t n, long off)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (!f->ops->seekable)
		return -ESPIPE;
	if (off < 0)
		return -EINVAL;
	u64 pos = (u64)off;
	return do_read(f, buf, n, &pos);
}

long sys_pwrite64(int fd, uptr_t buf, size_t n, long off)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (!f->ops->seekable)
		return -ESPIPE;
	if (off < 0)
		return -EINVAL;
	/* With O_APPEND, Linux's pwrite appends whatever the offset (pwrite(2), BUGS); the regular
	 * file's write does the same. */
	u64 pos = (u64)off;
	return do_write(f, buf, n, &pos);
}

/* off < 0 means "at the file position" (readv/writev, and preadv2 with offset -1). */
static long do_vec_at(int fd, uptr_t uiov, int count, bool write, long off)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	u64 local = off >= 0 ? (u64)off : 0, *pos = off >= 0 ? &local : &f->pos;
	if (off >= 0 && !f->ops->seekable)
		return -ESPIPE;
	if (count < 0 || count > IOV_MAX_COUNT)
		return -EINVAL;
	struct iovec v;
	u64 total = 0;
	/* Linux validates every length before it transfers anything. */
	for (int i = 0; i < count; i++) {
		if (copy_from_user(&v, uiov + i * sizeof(v), sizeof(v)))
			return -EFAULT;
		if ((s64)v.iov_len < 0 || (total += v.iov_len) > (u64)0x7fffffffffffffffL)
			return -EINVAL;
	}
	long done = 0;
	f->refs++; /* held across the elements: one of them may block (see do_read) */
	for (int i = 0; i < count; i++) {
		if (copy_from_user(&v, uiov + i * sizeof(v), sizeof(v))) {
			done = done ? done : -EFAULT;
			break;
		}
		if (!v.iov_len)
			continue;
		ssize_t r = write ? do_write(f, (uptr_t)v.iov_base, v.iov_len, pos)
				  : do_read(f, (uptr_t)v.iov_base, v.iov_len, pos);
		if (r < 0) {
			done = done ? done : r;
			break;
		}
		done += r;
		if ((size_t)r < v.iov_len)
			break;
	}
	file_put(f);
	return done;
}

long sys_readv(int fd, uptr_t iov, int count) { return do_vec_at(fd, iov, count, false, -1); }
long sys_writev(int fd, uptr_t iov, int count) { return do_vec_at(fd, iov, count, true, -1); }

static long vec_pos(long off, bool v2)
{
	return off < 0 && !(v2 && off == -1) ? -EINVAL : off;
}

long sys_preadv(int fd, uptr_t iov, int count, long off)
{
	return off < 0 ? -EINVAL : do_vec_at(fd, iov, count, false, off);
}

long sys_pwritev(int fd, uptr_t iov, int count, long off)
{
	return off < 0 ? -EINVAL : do_vec_at(fd, iov, count, true, off);
}

/* RWF_* flags ask for behaviour (hipri, dsync, nowait, append) this kernel gives anyway or
 * cannot promise; only 0 is accepted. */
long sys_preadv2(int fd, uptr_t iov, int count, long off, long off_hi, int flags)
{
	if (flags)
		return -EOPNOTSUPP;
	long pos = vec_pos(off, true);
	return pos < -1 ? pos : do_vec_at(fd, iov, count, false, pos);
}

long sys_pwritev2(int fd, uptr_t iov, int count, long off, long off_hi, int flags)
{
	if (flags)
		return -EOPNOTSUPP;
	long pos = vec_pos(off, true);
	return pos < -1 ? pos : do_vec_at(fd, iov, count, true, pos);
}

long sys_lseek(int fd, long off, int whence)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	/* Character devices (null, zero, full, random) stay at 0, as Linux's null_lseek. */
	if (f->inode && S_ISCHR(f->inode->mode)) {
		f->pos = 0;
		return 0;
	}
	if (!f->ops->seekable)
		return -ESPIPE;
	s64 base;
	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (s64)f->pos; break;
	case SEEK_END:
		if (f->inode && f->inode->iops)
			return -EINVAL; /* proc and sys files seek as seq_file: from the start only */
		base = f->inode ? (s64)f->inode->size : 0;
		break;
	default: return -EINVAL;
	}
	s64 pos = base + off;
	if ((off > 0 && pos < base) || pos < 0)
		return -EINVAL;
	f->pos = (u64)pos;
	return pos;
}

long sys_ioctl(int fd, unsigned cmd, uptr_t arg)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	switch (cmd) {
	case FIOCLEX:
		fd_set_cloexec(fd, true);
		return 0;
	case FIONCLEX:
		fd_set_cloexec(fd, false);
		return 0;
	case FIONBIO: {
		int on;
		if (copy_from_user(&on, arg, sizeof(on)))
			return -EFAULT;
		f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		return 0;
	}
	}
	return f->ops->ioctl(f, cmd, arg);
}

long sys_close(int fd) { return fd_close(fd); }

long sys_dup(int fd)
{
	struct file *f = fd_get(fd);
	return f ? fd_install(f, 0, false) : -EBADF;
}

long sys_dup3(int old, int new, int flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (old == new)
		return -EINVAL;
	struct file *f = fd_get(old);
	if (!f)
		return -EBADF;
	return fd_install_at(f, new, flags & O_CLOEXEC);
}

long sys_dup2(int old, int new)
{
	if (old == new)
		return fd_get(old) ? new : -EBADF;
	return sys_dup3(old, new, 0);
}

#define SETFL_MASK (O_APPEND | O_NONBLOCK | FASYNC | O_DIRECT | O_NOATIME)

long sys_fcntl(int fd, int cmd, u64 arg)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((s64)arg < 0 || arg >= FD_MAX || arg >= proc.rlimits[RLIMIT_NOFILE][0])
			return -EINVAL;
		return fd_install(f, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_cloexec(fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		fd_set_cloexec(fd, arg & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		f->flags = (f->flags & ~SETFL_MASK) | (arg & SETFL_MASK);
		return 0;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return fcntl_lock(fd, cmd, arg);
	case F_GETPIPE_SZ:
		return file_is_pipe(f) ? pipe_get_size(f) : -EBADF;
	case F_SETPIPE_SZ:
		return file_is_pipe(f) ? pipe_set_size(f, arg) : -EBADF;
	default:
		return -EINVAL;
	}
}
