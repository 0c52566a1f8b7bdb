/* Advisory locks: fcntl F_SETLK, F_SETLKW, F_GETLK and their OFD forms, and flock. With one
 * process its own POSIX locks never conflict; OFD locks and flock belong to open files and can.
 * A wait (F_OFD_SETLKW, flock without LOCK_NB) on a conflict blocks as on Linux. */
#include "syscall/syscall.h"
#include "sched/wait.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "fs/lock.h"
#include "proc/process.h"
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <asm-generic/fcntl.h>
#include <linux/fs.h>

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8

/* Resolves l_whence/l_start/l_len to an inclusive byte range. */
static long lock_range(struct file *f, const struct flock *fl, u64 *start, u64 *end)
{
	s64 base;
	switch (fl->l_whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (s64)f->pos; break;
	case SEEK_END: base = (s64)f->inode->size; break;
	default: return -EINVAL;
	}
	s64 s = base + fl->l_start;
	if (s < 0)
		return -EINVAL;
	if (fl->l_len == 0) {
		*start = (u64)s;
		*end = UINT64_MAX;
	} else if (fl->l_len > 0) {
		*start = (u64)s;
		*end = (u64)(s + fl->l_len - 1);
	} else {
		if (s + fl->l_len < 0)
			return -EINVAL;
		*start = (u64)(s + fl->l_len);
		*end = (u64)s - 1;
	}
	return 0;
}

long fcntl_lock(int fd, int cmd, uptr_t arg)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	struct flock fl;
	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	if (!f->inode || (f->flags & O_PATH))
		return -EBADF;
	u64 start, end;
	long err = lock_range(f, &fl, &start, &end);
	if (err)
		return err;
	const void *owner = ofd ? (const void *)f : LOCK_OWNER_PROCESS;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		int ct;
		u64 cs, ce;
		bool cp;
		if (fl.l_type == F_UNLCK)
			return -EINVAL;
		if (record_lock_test(f->inode, owner, fl.l_type, start, end, &ct, &cs, &ce, &cp)) {
			fl.l_type = (short)ct;
			fl.l_whence = SEEK_SET;
			fl.l_start = (long)cs;
			fl.l_len = ce == UINT64_MAX ? 0 : (long)(ce - cs + 1);
			fl.l_pid = cp ? proc.pid : -1; /* OFD locks report -1 */
		} else {
			fl.l_type = F_UNLCK;
		}
		return copy_to_user(arg, &fl, sizeof(fl));
	}
	u32 acc = f->flags & O_ACCMODE;
	if ((fl.l_type == F_RDLCK && acc == O_WRONLY) || (fl.l_type == F_WRLCK && acc == O_RDONLY))
		return -EBADF;
	/* F_SETLKW waits for the conflicting lock to go. Deadlock detection (EDEADLK) is not done:
	 * POSIX locks belong to the process, so its threads never conflict on them, and OFD locks
	 * have none on Linux either. */
	while ((err = record_lock_set(f->inode, owner, fl.l_type, start, end)) == -EAGAIN &&
	       (cmd == F_SETLKW || cmd == F_OFD_SETLKW))
		if (wait_on(&lock_waiters, 0) == WAKE_INTERRUPT)
			return -ERESTARTSYS;
	return err;
}

long sys_flock(int fd, int op)
{
	struct file *f = fd_get(fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	int kind = op & ~LOCK_NB;
	if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN)
		return -EINVAL;
	if (!f->inode)
		return -EINVAL;
	long err;
	while ((err = flock_set(f, kind)) == -EWOULDBLOCK && !(op & LOCK_NB))
		if (wait_on(&lock_waiters, 0) == WAKE_INTERRUPT)
			return -ERESTARTSYS;
	return err;
}
