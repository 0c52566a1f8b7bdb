/* Readiness: the one mechanism behind poll, select and epoll for every kind of file. A file's
 * poll operation reports its ready events now (EPOLLIN, EPOLLOUT, EPOLLHUP... from
 * <linux/eventpoll.h>, whose low bits are poll(2)'s POLL* values) and hands the wait queues it
 * will wake when that changes to the poll table, which a waiter (poll, select, epoll) uses to
 * register itself. A file kind without a poll operation is always ready for reading and
 * writing, as regular files are on Linux. */
#pragma once
#include "types.h"
#include "sched/wait.h"
#include <linux/eventpoll.h>

struct file;

struct poll_table {
	/* Registers the caller on q, which the file wakes (wake_up_poll) when its readiness
	 * changes. */
	void (*queue)(struct poll_table *pt, struct wait_queue *q, struct file *f);
};

/* For poll operations: registers on q when the caller asked to wait (pt may be NULL). */
static inline void poll_wait(struct poll_table *pt, struct wait_queue *q, struct file *f)
{
	if (pt && q)
		pt->queue(pt, q, f);
}

#define POLL_ALWAYS_READY (EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM)

/* A file's readiness now, registering on its queues through pt (NULL: just ask). */
u32 file_poll(struct file *f, struct poll_table *pt);
