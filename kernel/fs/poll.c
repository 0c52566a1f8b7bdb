/* The waiting of poll and select (poll.h), which put a callback on each queue of each file they watch (as
 * Linux's poll_wqueues) and sleep until one fires. */
#include "fs/poll.h"
#include "fs/file.h"
#include "sched/sched.h"
#include "core/time.h"
#include "mm/kheap.h"
#include "errno.h"

u64 poll_deadline_after(u64 timeout_ns)
{
	u64 now = time_monotonic_ns();
	return timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
}

#define ENTRIES_PER_PAGE ((PAGE_SIZE - 2 * sizeof(void *)) / sizeof(struct poll_entry))

struct poll_entry_page {
	struct poll_entry_page *next;
	size_t used;
	struct poll_entry entries[ENTRIES_PER_PAGE];
};

/* A file's queue changed: wake the caller when the change is one it waits for (a waker that
 * says nothing, WAKE_KEY_ANY, always is). */
static bool poll_entry_wake(struct waiter *w, u32 key)
{
	struct poll_entry *e = list_entry(w, struct poll_entry, waiter);
	if (key != WAKE_KEY_ANY && !(key & e->key))
		return false;
	e->set->triggered = true;
	sched_wake(e->set->thread, WAKE_NORMAL);
	return true;
}

static struct poll_entry *entry_alloc(struct poll_set *ps)
{
	if (ps->inline_used < POLL_INLINE_ENTRIES)
		return &ps->inline_entries[ps->inline_used++];
	struct poll_entry_page *p = ps->pages;
	if (!p || p->used == ENTRIES_PER_PAGE) {
		p = kmalloc(sizeof(*p));
		if (!p)
			return NULL;
		p->used = 0;
		p->next = ps->pages;
		ps->pages = p;
	}
	return &p->entries[p->used++];
}

static void poll_set_queue(struct poll_table *pt, struct wait_queue *q, struct file *f)
{
	struct poll_set *ps = list_entry(pt, struct poll_set, pt);
	struct poll_entry *e = entry_alloc(ps);
	if (!e) {
		ps->error = -ENOMEM;
		return;
	}
	*e = (struct poll_entry){
		.waiter = { .func = poll_entry_wake },
		.file = f,
		.key = ps->key,
		.set = ps,
	};
	f->refs++;
	wait_add(q, &e->waiter);
}

void poll_set_init(struct poll_set *ps)
{
	ps->pt = (struct poll_table){ .queue = poll_set_queue };
	ps->thread = current_thread();
	ps->triggered = false;
	ps->error = 0;
	ps->key = 0;
	ps->inline_used = 0;
	ps->pages = NULL;
}

u32 poll_set_file(struct poll_set *ps, struct file *f, u32 interest)
{
	if (!ps)
		return file_poll(f, NULL);
	ps->key = interest;
	return file_poll(f, &ps->pt);
}

int poll_set_sleep(struct poll_set *ps, u64 deadline_ns)
{
	u64 until = deadline_ns;
	if (ps->pt.recheck) {
		u64 soon = poll_deadline_after(POLL_RECHECK_NS);
		if (!until || soon < until)
			until = soon;
	}
	int reason = WAKE_NORMAL;
	if (!ps->triggered)
		reason = sched_sleep_until(until);
	ps->triggered = false;
	if (reason == WAKE_TIMEOUT && until != deadline_ns)
		reason = WAKE_NORMAL; /* time to look at the rechecked files, not the caller's deadline */
	return reason;
}

/* Every entry leaves its queue before any file reference goes: dropping the last one
 * releases the file, which may free queues other entries are still on (a pipe's). */
static void for_each_entry(struct poll_set *ps, void (*fn)(struct poll_entry *e))
{
	for (int k = 0; k < ps->inline_used; k++)
		fn(&ps->inline_entries[k]);
	for (struct poll_entry_page *p = ps->pages; p; p = p->next)
		for (size_t k = 0; k < p->used; k++)
			fn(&p->entries[k]);
}

static void entry_unqueue(struct poll_entry *e) { wait_remove(&e->waiter); }
static void entry_put(struct poll_entry *e) { file_put(e->file); }

void poll_set_free(struct poll_set *ps)
{
	for_each_entry(ps, entry_unqueue);
	for_each_entry(ps, entry_put);
	while (ps->pages) {
		struct poll_entry_page *p = ps->pages;
		ps->pages = p->next;
		kfree(p);
	}
	ps->inline_used = 0;
}
