/* Wait queues: a thread waits on one until a waker calls wake_up, its deadline passes or it is
 * interrupted. Queues are guarded by the big kernel lock, which waiters and wakers both hold;
 * the waiter gives it up only once it is blocked (sched_block), so no wakeup is lost between
 * testing a condition and sleeping. Waiters re-test their condition after waking. */
#pragma once
#include "sched/thread.h"

struct wait_queue {
	struct list waiters;
};

struct waiter {
	struct thread *thread;
	struct list link;
	bool woken;              /* by wake_up (not by the deadline) */
};

#define WAIT_QUEUE_INIT(name) { LIST_INIT((name).waiters) }
static inline void wait_queue_init(struct wait_queue *q) { list_init(&q->waiters); }

/* Blocks the current thread on q until woken or the monotonic deadline (0: none). Returns
 * the wake_reason (WAKE_NORMAL, WAKE_TIMEOUT, WAKE_INTERRUPT). */
int wait_on(struct wait_queue *q, u64 deadline_ns);
/* Wakes up to n waiters (n < 0: all), oldest first; returns how many. */
int wake_up(struct wait_queue *q, int n);
static inline int wake_up_all(struct wait_queue *q) { return wake_up(q, -1); }
