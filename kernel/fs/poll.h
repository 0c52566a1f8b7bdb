/* Readiness: the one mechanism behind poll, select and epoll for every kind of file. A file's
 * poll operation reports its ready events now (EPOLLIN, EPOLLOUT, EPOLLHUP... from
 * <linux/eventpoll.h>, whose low bits are poll(2)'s POLL* values) and hands the wait queues it
 * will wake when that changes to the poll table, which a waiter (poll, select, epoll) uses to
 * register itself. A file kind without a poll operation is always ready for reading and
 * writing, as regular files are on Linux. */
#pragma once
#include "types.h"
#include "sched/wait.h"
#include "fs/file.h"
#include <linux/eventpoll.h>

struct file;

struct poll_table {
	/* Registers the caller on q, which the file wakes (wake_up_poll) when its readiness
	 * changes. */
	void (*queue)(struct poll_table *pt, struct wait_queue *q, struct file *f);
	/* Set by a file whose readiness changes with no wakeup (the console: the UART has no
	 * interrupt yet): the waiter must poll it again every POLL_RECHECK_NS. */
	bool recheck;
};

#define POLL_RECHECK_NS (2 * 1000 * 1000)

/* For poll operations: registers on q when the caller asked to wait (pt may be NULL). */
static inline void poll_wait(struct poll_table *pt, struct wait_queue *q, struct file *f)
{
	if (pt && q)
		pt->queue(pt, q, f);
}

/* For poll operations of files that no wait queue reports (see recheck). */
static inline void poll_recheck(struct poll_table *pt)
{
	if (pt)
		pt->recheck = true;
}


#define POLL_ALWAYS_READY (EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM)

/* A file's readiness now, registering on its queues through pt (NULL: just ask). Inline:
 * epoll_wait calls it for every item it reports. */
static inline u32 file_poll(struct file *f, struct poll_table *pt)
{
	if (!f->ops->poll)
		return POLL_ALWAYS_READY;
	return f->ops->poll(f, pt);
}

/* A deadline timeout_ns from now on the monotonic clock, saturating (never 0, which means
 * "no deadline" to the waits). */
u64 poll_deadline_after(u64 timeout_ns);

/* ---- waiting in poll and select ---------------------------------------------------------- */

/* One registration of a poll or select call on a file's wait queue; it holds a reference to
 * the file so the queue outlives the call even if another thread closes the descriptor. */
struct poll_entry {
	struct waiter waiter;
	struct file *file;
	u32 key;                 /* the events the caller waits for on this file */
	struct poll_set *set;
};

#define POLL_INLINE_ENTRIES 8
struct poll_entry_page;

/* The waits of one poll/select call: poll_set_file registers on each file's queues the first
 * time round; poll_set_sleep sleeps until one of them fires. */
struct poll_set {
	struct poll_table pt;
	struct thread *thread;
	bool triggered;          /* an entry fired since the last sleep */
	int error;               /* -ENOMEM: an entry could not be made */
	u32 key;                 /* the events of the file being registered */
	int inline_used;
	struct poll_entry inline_entries[POLL_INLINE_ENTRIES];
	struct poll_entry_page *pages;
};

void poll_set_init(struct poll_set *ps);
/* f's readiness; registers on its queues for the events in interest when ps is not NULL. */
u32 poll_set_file(struct poll_set *ps, struct file *f, u32 interest);
/* Sleeps until an entry fires, the deadline (0: none) passes or a signal comes; returns the
 * wake_reason. With a file that wants rechecking it returns WAKE_NORMAL every
 * POLL_RECHECK_NS so the caller polls again. */
int poll_set_sleep(struct poll_set *ps, u64 deadline_ns);
/* Takes every entry off its queue and drops the file references. */
void poll_set_free(struct poll_set *ps);
