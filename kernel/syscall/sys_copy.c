/* Moving data between descriptors inside the kernel: sendfile, copy_file_range, splice, tee.
 * The bytes pass through a kernel buffer a page at a time; the rules on which descriptors each
 * call takes, and their errors, are Linux's. */
#include "syscall/syscall.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "fs/pipe.h"
#include "lib/string.h"
#include <linux/fcntl.h>
#include <linux/stat.h>

#define CHUNK 4096
#define MAX_RW 0x7ffff000UL

static bool readable(struct file *f) { return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH); }
static bool writable(struct file *f) { return (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH); }
static bool is_reg(struct file *f) { return f->inode && S_ISREG(f->inode->mode) && !f->inode->fops; }

/* Copies up to len bytes from (in, *in_pos) to (out, *out_pos); stops at end of input or a short
 * write. Returns bytes moved, or the first error when nothing moved. */
static long pump_held(struct file *in, u64 *in_pos, struct file *out, u64 *out_pos, u64 len,
		      bool peek)
{
	u8 buf[CHUNK];
	u64 done = 0;
	len = MIN(len, MAX_RW);
	while (done < len) {
		size_t want = MIN(len - done, sizeof(buf));
		ssize_t got = peek ? (ssize_t)pipe_peek(in, buf, want) : in->ops->read(in, buf, want, in_pos);
		if (got <= 0) {
			if (got < 0 && !done)
				return got;
			break;
		}
		ssize_t put = out->ops->write(out, buf, (size_t)got, out_pos);
		if (put < 0)
			return done ? (long)done : put;
		done += (u64)put;
		if (put < got || peek || in->ops->stream)
			break;
	}
	return (long)done;
}

/* A pipe end may block, giving up the big lock: the call holds its own references so that a
 * close by another thread meanwhile cannot free the files under it. */
static long pump(struct file *in, u64 *in_pos, struct file *out, u64 *out_pos, u64 len,
		 bool peek)
{
	in->refs++;
	out->refs++;
	long ret = pump_held(in, in_pos, out, out_pos, len, peek);
	file_put(out);
	file_put(in);
	return ret;
}

long sys_sendfile(int out_fd, int in_fd, uptr_t uoff, u64 count)
{
	struct file *in = fd_get(in_fd), *out = fd_get(out_fd);
	if (!in || !out || !readable(in) || !writable(out))
		return -EBADF;
	if (!is_reg(in))
		return -EINVAL; /* the input must be a file that can be mapped */
	if (out->flags & O_APPEND)
		return -EINVAL;
	if (!uoff)
		return pump(in, &in->pos, out, &out->pos, count, false);
	s64 off;
	if (copy_from_user(&off, uoff, sizeof(off)))
		return -EFAULT;
	if (off < 0)
		return -EINVAL;
	u64 pos = (u64)off;
	long n = pump(in, &pos, out, &out->pos, count, false);
	off = (s64)pos;
	if (n >= 0 && copy_to_user(uoff, &off, sizeof(off)))
		return -EFAULT;
	return n;
}

static long read_offset(uptr_t p, u64 *out)
{
	s64 v;
	if (copy_from_user(&v, p, sizeof(v)))
		return -EFAULT;
	if (v < 0)
		return -EINVAL;
	*out = (u64)v;
	return 0;
}

long sys_copy_file_range(int fd_in, uptr_t uoff_in, int fd_out, uptr_t uoff_out, u64 len,
			 unsigned flags)
{
	if (flags)
		return -EINVAL;
	struct file *in = fd_get(fd_in), *out = fd_get(fd_out);
	if (!in || !out || !readable(in) || !writable(out))
		return -EBADF;
	if ((in->inode && S_ISDIR(in->inode->mode)) || (out->inode && S_ISDIR(out->inode->mode)))
		return -EISDIR;
	if (!is_reg(in) || !is_reg(out))
		return -EINVAL;
	if (out->flags & O_APPEND)
		return -EBADF;
	u64 pin = in->pos, pout = out->pos;
	long err;
	if (uoff_in && (err = read_offset(uoff_in, &pin)))
		return err;
	if (uoff_out && (err = read_offset(uoff_out, &pout)))
		return err;
	if (pin + len < pin || pout + len < pout)
		return -EOVERFLOW;
	/* The same file with overlapping ranges is refused. */
	if (in->inode == out->inode && pin < pout + len && pout < pin + len)
		return -EINVAL;
	long n = pump(in, &pin, out, &pout, len, false);
	if (n < 0)
		return n;
	s64 v;
	if (uoff_in) {
		v = (s64)pin;
		if (copy_to_user(uoff_in, &v, sizeof(v)))
			return -EFAULT;
	} else {
		in->pos = pin;
	}
	if (uoff_out) {
		v = (s64)pout;
		if (copy_to_user(uoff_out, &v, sizeof(v)))
			return -EFAULT;
	} else {
		out->pos = pout;
	}
	return n;
}

#define SPLICE_F_ALL 0xf /* MOVE, NONBLOCK, MORE, GIFT */

long sys_splice(int fd_in, uptr_t uoff_in, int fd_out, uptr_t uoff_out, u64 len, unsigned flags)
{
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	struct file *in = fd_get(fd_in), *out = fd_get(fd_out);
	if (!in || !out || !readable(in) || !writable(out))
		return -EBADF;
	bool pin = file_is_pipe(in), pout = file_is_pipe(out);
	if (!pin && !pout)
		return -EINVAL;
	if ((pin && uoff_in) || (pout && uoff_out))
		return -ESPIPE;
	if (in == out || (pin && pout && in->priv == out->priv))
		return -EINVAL;
	if (len == 0)
		return 0;
	u64 ipos = in->pos, opos = out->pos;
	long err;
	if (uoff_in && (err = read_offset(uoff_in, &ipos)))
		return err;
	if (uoff_out && (err = read_offset(uoff_out, &opos)))
		return err;
	long n = pump(in, uoff_in ? &ipos : &in->pos, out, uoff_out ? &opos : &out->pos, len, false);
	if (n > 0 && uoff_in) {
		s64 v = (s64)ipos;
		if (copy_to_user(uoff_in, &v, sizeof(v)))
			return -EFAULT;
	}
	if (n > 0 && uoff_out) {
		s64 v = (s64)opos;
		if (copy_to_user(uoff_out, &v, sizeof(v)))
			return -EFAULT;
	}
	return n;
}

long sys_tee(int fd_in, int fd_out, u64 len, unsigned flags)
{
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	struct file *in = fd_get(fd_in), *out = fd_get(fd_out);
	if (!in || !out || !readable(in) || !writable(out))
		return -EBADF;
	if (!file_is_pipe(in) || !file_is_pipe(out) || in->priv == out->priv)
		return -EINVAL;
	return pump(in, &in->pos, out, &out->pos, len, true);
}
