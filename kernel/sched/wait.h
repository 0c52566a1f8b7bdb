/* Wait queues: a thread waits on one until a waker calls wake_up, its deadline passes or it is
 * interrupted. Queues are guarded by the big kernel lock, which waiters and wakers both hold;
 * the waiter gives it up only once it is blocked (sched_block), so no wakeup is lost between
 * testing a condition and sleeping. Waiters re-test their condition after waking.
 *
 * A waiter can also be a callback instead of a sleeping thread: poll, select and epoll put one
 * on each queue of each file they watch, so a file that becomes ready tells them which one did
 * (epoll then costs O(ready), not O(watched)). A waker says what happened with an EPOLL* key
 * (wake_up_poll), so a callback can ignore a wakeup it has no interest in. */
#pragma once
#include "sched/thread.h"

struct wait_queue {
	struct list waiters;
};

struct waiter;
/* Called by a waker, under the big kernel lock, possibly from a timer interrupt. key holds the
 * EPOLL* events the waker reports, or WAKE_KEY_ANY. Returns whether it took the wakeup, which
 * matters only for an exclusive waiter. It must not remove other waiters from the queue. */
typedef bool (*wake_fn)(struct waiter *w, u32 key);

struct waiter {
	struct thread *thread;   /* the sleeping thread (wait_on), or NULL for a callback */
	wake_fn func;            /* the callback (wait_add) */
	struct list link;
	bool woken;              /* by wake_up (not by the deadline) */
	/* A callback of which one per wakeup is enough (EPOLLEXCLUSIVE): wake_up calls exclusive
	 * callbacks only until one takes the wakeup. */
	bool exclusive;
};

/* The waker did not say what changed: every callback must look. */
#define WAKE_KEY_ANY 0u

#define WAIT_QUEUE_INIT(name) { LIST_INIT((name).waiters) }
static inline void wait_queue_init(struct wait_queue *q) { list_init(&q->waiters); }
static inline bool wait_queue_active(const struct wait_queue *q) { return !list_empty(&q->waiters); }

/* Blocks the current thread on q until woken or the monotonic deadline (0: none). Returns
 * the wake_reason (WAKE_NORMAL, WAKE_TIMEOUT, WAKE_INTERRUPT). */
int wait_on(struct wait_queue *q, u64 deadline_ns);

/* Puts a callback waiter (w->func set, w->thread NULL) on q until wait_remove. Callbacks run
 * before the sleeping threads are counted, so wake_up(q, 1) still reaches every one. */
void wait_add(struct wait_queue *q, struct waiter *w);
/* Takes w off its queue; nothing when it is on none. */
void wait_remove(struct waiter *w);

/* Calls the callbacks on q with key and wakes up to n sleeping threads (n < 0: all), oldest
 * first; returns how many threads it woke. */
int wake_up_key(struct wait_queue *q, int n, u32 key);
static inline int wake_up(struct wait_queue *q, int n) { return wake_up_key(q, n, WAKE_KEY_ANY); }
static inline int wake_up_all(struct wait_queue *q) { return wake_up_key(q, -1, WAKE_KEY_ANY); }
/* A file's readiness changed by events (EPOLLIN when data came, EPOLLOUT when room did...):
 * wakes every sleeping thread and tells every callback. */
static inline int wake_up_poll(struct wait_queue *q, u32 events) { return wake_up_key(q, -1, events); }
