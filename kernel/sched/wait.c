/* Wait queues (wait.h). */
#include "sched/wait.h"
#include "sched/sched.h"

int wait_on(struct wait_queue *q, u64 deadline_ns)
{
	struct thread *t = current_thread();
	struct waiter w = { .thread = t };
	t->wake_reason = WAKE_NONE;
	list_push_back(&q->waiters, &w.link);
	int reason = sched_block(deadline_ns);
	if (list_linked(&w.link))
		list_remove(&w.link);
	return w.woken ? WAKE_NORMAL : reason;
}

int wake_up(struct wait_queue *q, int n)
{
	int woken = 0;
	list_for_each_safe(pos, &q->waiters) {
		if (n >= 0 && woken >= n)
			break;
		struct waiter *w = list_entry(pos, struct waiter, link);
		list_remove(&w->link);
		if (sched_wake(w->thread, WAKE_NORMAL)) {
			w->woken = true;
			woken++;
		}
	}
	return woken;
}
