/* Locks are kept per inode in a small list of ranges. Each owner's ranges never overlap each
 * other: setting a lock first removes the owner's part of the range, then adds the new one.
 * Conflicts exist only between different owners where at least one lock is a write lock. */
#include "fs/lock.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/kheap.h"
#include "errno.h"
#include <linux/fcntl.h>
#include "sched/wait.h"

struct wait_queue lock_waiters = WAIT_QUEUE_INIT(lock_waiters);

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_UN 8

struct range_lock {
	struct range_lock *next;
	struct inode *inode;
	const void *owner;
	int type; /* F_RDLCK or F_WRLCK */
	u64 start, end;
};

struct flock_entry {
	struct flock_entry *next;
	struct file *file;
	struct inode *inode;
	bool exclusive;
};

static struct range_lock *locks;
static struct flock_entry *flocks;

static bool overlaps(const struct range_lock *l, u64 start, u64 end)
{
	return l->start <= end && start <= l->end;
}

bool record_lock_test(struct inode *i, const void *owner, int type, u64 start, u64 end,
		      int *ctype, u64 *cstart, u64 *cend, bool *cprocess)
{
	for (struct range_lock *l = locks; l; l = l->next) {
		if (l->inode != i || l->owner == owner || !overlaps(l, start, end))
			continue;
		if (type == F_WRLCK || l->type == F_WRLCK) {
			*ctype = l->type;
			*cstart = l->start;
			*cend = l->end;
			*cprocess = l->owner == LOCK_OWNER_PROCESS;
			return true;
		}
	}
	return false;
}

static int add(struct inode *i, const void *owner, int type, u64 start, u64 end)
{
	struct range_lock *l = kmalloc(sizeof(*l));
	if (!l)
		return -ENOLCK;
	*l = (struct range_lock){ locks, i, owner, type, start, end };
	locks = l;
	return 0;
}

int record_lock_set(struct inode *i, const void *owner, int type, u64 start, u64 end)
{
	int ct;
	u64 cs, ce;
	bool cp;
	if (type != F_UNLCK && record_lock_test(i, owner, type, start, end, &ct, &cs, &ce, &cp))
		return -EAGAIN;
	/* Cut the owner's existing ranges out of [start, end], keeping what lies outside. */
	for (struct range_lock **pp = &locks; *pp;) {
		struct range_lock *l = *pp;
		if (l->inode != i || l->owner != owner || !overlaps(l, start, end)) {
			pp = &l->next;
			continue;
		}
		*pp = l->next;
		int err = 0;
		if (l->start < start)
			err = add(i, owner, l->type, l->start, start - 1);
		if (!err && l->end > end)
			err = add(i, owner, l->type, end + 1, l->end);
		kfree(l);
		if (err)
			return err;
		pp = &locks; /* the list head may have changed */
	}
	int err = type == F_UNLCK ? 0 : add(i, owner, type, start, end);
	wake_up_all(&lock_waiters); /* a range may have been freed, or downgraded */
	return err;
}

int flock_set(struct file *f, int op)
{
	struct inode *i = f->inode;
	struct flock_entry **mine = NULL;
	for (struct flock_entry **pp = &flocks; *pp; pp = &(*pp)->next)
		if ((*pp)->file == f)
			mine = pp;
	if (op == LOCK_UN) {
		if (mine) {
			struct flock_entry *e = *mine;
			*mine = e->next;
			kfree(e);
			wake_up_all(&lock_waiters);
		}
		return 0;
	}
	bool exclusive = op == LOCK_EX;
	for (struct flock_entry *e = flocks; e; e = e->next)
		if (e->inode == i && e->file != f && (exclusive || e->exclusive))
			return -EWOULDBLOCK;
	if (mine) {
		(*mine)->exclusive = exclusive; /* conversion */
		wake_up_all(&lock_waiters);
		return 0;
	}
	struct flock_entry *e = kmalloc(sizeof(*e));
	if (!e)
		return -ENOLCK;
	*e = (struct flock_entry){ flocks, f, i, exclusive };
	flocks = e;
	return 0;
}

void locks_fd_closed(struct inode *i)
{
	wake_up_all(&lock_waiters);
	for (struct range_lock **pp = &locks; *pp;) {
		struct range_lock *l = *pp;
		if (l->inode == i && l->owner == LOCK_OWNER_PROCESS) {
			*pp = l->next;
			kfree(l);
		} else {
			pp = &l->next;
		}
	}
}

void locks_file_released(struct file *f)
{
	wake_up_all(&lock_waiters);
	for (struct range_lock **pp = &locks; *pp;) {
		struct range_lock *l = *pp;
		if (l->owner == f) {
			*pp = l->next;
			kfree(l);
		} else {
			pp = &l->next;
		}
	}
	for (struct flock_entry **pp = &flocks; *pp;) {
		struct flock_entry *e = *pp;
		if (e->file == f) {
			*pp = e->next;
			kfree(e);
		} else {
			pp = &e->next;
		}
	}
}
