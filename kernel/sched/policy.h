/* A scheduling policy orders one CPU's run queue; the core (sched.c) does everything else:
 * locking, CPU choice, blocking, switching. The core calls these with the queue's lock held and
 * interrupts off. Policies are linked in together and chosen at boot (monos.sched=NAME), as in
 * Unikraft's pluggable schedulers. */
#pragma once
#include "sched/thread.h"

struct runqueue {
	struct list threads; /* the policy's order; the core only counts */
	int count;
};

struct sched_policy {
	const char *name;
	void (*enqueue)(struct runqueue *rq, struct thread *t, bool woken);
	void (*dequeue)(struct runqueue *rq, struct thread *t);
	/* Removes and returns the next thread to run, NULL when the queue is empty. */
	struct thread *(*pick_next)(struct runqueue *rq);
	/* A timer tick while `curr` has run `ran_ns` of its slice: true to preempt it. */
	bool (*tick)(struct runqueue *rq, struct thread *curr, u64 ran_ns);
	/* `curr` gives up the CPU by choice but stays runnable. */
	void (*yield)(struct runqueue *rq, struct thread *curr);
	/* Whether `t`, just made runnable, should take the CPU from `curr` at once. */
	bool (*wakeup_preempts)(struct runqueue *rq, struct thread *curr, struct thread *t);
	/* Whether the timer must tick while `curr` runs with others waiting. */
	bool preemptive;
};

/* List operations both policies build on. */
static inline void rq_push_back(struct runqueue *rq, struct thread *t)
{
	list_push_back(&rq->threads, &t->rq_link);
	rq->count++;
}

static inline void rq_remove(struct runqueue *rq, struct thread *t)
{
	list_remove(&t->rq_link);
	rq->count--;
}

static inline struct thread *rq_pop_front(struct runqueue *rq)
{
	struct list *n = list_pop_front(&rq->threads);
	if (!n)
		return NULL;
	rq->count--;
	return list_entry(n, struct thread, rq_link);
}

extern const struct sched_policy sched_policy_rr, sched_policy_fifo;
