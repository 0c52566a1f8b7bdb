/* The default policy: preemptive round robin. Every runnable thread gets SCHED_SLICE_NS in turn;
 * a thread that blocks and wakes goes to the back like the rest (no boost: the app is one
 * process whose threads are peers). */
#include "sched/policy.h"
#include "sched/sched.h"

static void rr_enqueue(struct runqueue *rq, struct thread *t, bool woken) { rq_push_back(rq, t); }
static void rr_dequeue(struct runqueue *rq, struct thread *t) { rq_remove(rq, t); }
static struct thread *rr_pick_next(struct runqueue *rq) { return rq_pop_front(rq); }

static bool rr_tick(struct runqueue *rq, struct thread *curr, u64 ran_ns)
{
	return rq->count > 0 && ran_ns >= SCHED_SLICE_NS;
}

static void rr_yield(struct runqueue *rq, struct thread *curr) { rq_push_back(rq, curr); }

static bool rr_wakeup_preempts(struct runqueue *rq, struct thread *curr, struct thread *t)
{
	return false;
}

const struct sched_policy sched_policy_rr = {
	.name = "rr",
	.enqueue = rr_enqueue,
	.dequeue = rr_dequeue,
	.pick_next = rr_pick_next,
	.tick = rr_tick,
	.yield = rr_yield,
	.wakeup_preempts = rr_wakeup_preempts,
	.preemptive = true,
};
