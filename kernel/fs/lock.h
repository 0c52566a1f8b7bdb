/* Advisory file locks: fcntl record locks (POSIX, owned by the process; OFD, owned by the open
 * file) and flock (owned by the open file). */
#pragma once
#include "types.h"

struct file;
struct inode;

#define LOCK_OWNER_PROCESS NULL

/* Sets (type F_RDLCK/F_WRLCK) or removes (F_UNLCK) a lock on [start, end] (end inclusive,
 * UINT64_MAX = to the end of any file) for owner. -EAGAIN on conflict. */
/* Woken whenever a lock is released or changed: blocked lockers try again. */
extern struct wait_queue lock_waiters;
int record_lock_set(struct inode *i, const void *owner, int type, u64 start, u64 end);
/* The first lock of another owner that conflicts with the given one: true and its details. */
bool record_lock_test(struct inode *i, const void *owner, int type, u64 start, u64 end,
		      int *ctype, u64 *cstart, u64 *cend, bool *cprocess);
/* flock: LOCK_SH, LOCK_EX or LOCK_UN for file f. -EWOULDBLOCK on conflict. */
int flock_set(struct file *f, int op);
/* Closing any descriptor of a file drops the process's record locks on it (POSIX rule). */
void locks_fd_closed(struct inode *i);
/* The last reference of an open file drops its OFD locks and its flock. */
void locks_file_released(struct file *f);
