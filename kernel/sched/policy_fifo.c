/* Strict FIFO, cooperative: a thread keeps its CPU until it blocks, yields or exits; the timer
 * never preempts it, and threads run in the order they became runnable. For latency measurements, and to show that the
 * policy interface carries a real second policy. A thread that never gives up its CPU starves
 * the others on that CPU, as SCHED_FIFO does on Linux. */
#include "sched/policy.h"

static void fifo_enqueue(struct runqueue *rq, struct thread *t, bool woken) { rq_push_back(rq, t); }
static void fifo_dequeue(struct runqueue *rq, struct thread *t) { rq_remove(rq, t); }
static struct thread *fifo_pick_next(struct runqueue *rq) { return rq_pop_front(rq); }
static bool fifo_tick(struct runqueue *rq, struct thread *curr, u64 ran_ns) { return false; }
static void fifo_yield(struct runqueue *rq, struct thread *curr) { rq_push_back(rq, curr); }

/* A woken thread does not take the CPU from a running one: run to completion. */
static bool fifo_wakeup_preempts(struct runqueue *rq, struct thread *curr, struct thread *t)
{
	return false;
}

const struct sched_policy sched_policy_fifo = {
	.name = "fifo",
	.enqueue = fifo_enqueue,
	.dequeue = fifo_dequeue,
	.pick_next = fifo_pick_next,
	.tick = fifo_tick,
	.yield = fifo_yield,
	.wakeup_preempts = fifo_wakeup_preempts,
	.preemptive = false,
};
