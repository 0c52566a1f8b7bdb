/* Wait queues (wait.h). Sleeping threads are queued at the back in arrival order; callbacks at
 * the front, exclusive ones behind the others, as Linux orders its wait entries. */
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

void wait_add(struct wait_queue *q, struct waiter *w)
{
	w->thread = NULL;
	w->woken = false;
	if (!w->exclusive) {
		list_push_front(&q->waiters, &w->link);
		return;
	}
	/* Behind the other callbacks, ahead of the sleeping threads. */
	struct list *at = q->waiters.next;
	while (at != &q->waiters && list_entry(at, struct waiter, link)->func)
		at = at->next;
	list_insert_before(at, &w->link);
}

void wait_remove(struct waiter *w)
{
	if (list_linked(&w->link))
		list_remove(&w->link);
}

int wake_up_key(struct wait_queue *q, int n, u32 key)
{
	int woken = 0;
	bool exclusive_taken = false;
	list_for_each_safe(pos, &q->waiters) {
		struct waiter *w = list_entry(pos, struct waiter, link);
		if (w->func) {
			if (w->exclusive && exclusive_taken)
				continue;
			if (w->func(w, key) && w->exclusive)
				exclusive_taken = true;
			continue;
		}
		if (n >= 0 && woken >= n)
			break; /* the threads come after every callback */
		list_remove(&w->link);
		if (sched_wake(w->thread, WAKE_NORMAL)) {
			w->woken = true;
			woken++;
		}
	}
	return woken;
}
