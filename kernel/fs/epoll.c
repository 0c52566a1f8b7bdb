/* epoll as Linux's fs/eventpoll.c. An epitem watches one (file, descriptor) pair; it puts a
 * callback (ep_entry) on each wait queue the file's poll operation names, and the callback
 * moves the item to its epoll's ready list and wakes a waiter. epoll_wait reports from the
 * ready list only, polling each item there once more: a level-triggered item goes back on the
 * list after it is reported, an edge-triggered one waits for the next callback, a one-shot one
 * is disabled until EPOLL_CTL_MOD. Items are found by (file, fd) in a hash table, and go away
 * with EPOLL_CTL_DEL, when the epoll file is released, or when the watched *file* is released
 * (not when one descriptor of it is closed: a dup keeps it watched).
 *
 * Everything runs under the big kernel lock, callbacks included (wakers hold it). */
#include "fs/epoll.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/anon_inode.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "sched/wait.h"
#include "proc/signal.h"
#include "errno.h"
#include <asm/stat.h>
#include <linux/fcntl.h>

#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLLINOUT_BITS (EPOLLIN | EPOLLOUT)
#define EPOLLEXCLUSIVE_OK_BITS (EPOLLINOUT_BITS | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | \
				EPOLLEXCLUSIVE)
#define EP_MAX_NESTS 4 /* Linux's limit on epoll files inside epoll files */
#define EP_HASH_BUCKETS 64

struct eventpoll {
	struct epitem *hash[EP_HASH_BUCKETS];
	struct list ready;          /* items to look at in the next wait, oldest first */
	struct list recheck;        /* items whose file wants polling (the console) */
	struct wait_queue wq;       /* threads in epoll_wait */
	struct wait_queue poll_wq;  /* pollers of this epoll file (nested epoll, poll, select) */
	struct file *file;
	int nested;                 /* items that are epoll files themselves */
	u32 visit;                  /* the loop check's pass that last went through it */
};

/* One wait of an item on one of its file's queues. */
struct ep_entry {
	struct waiter waiter;
	struct epitem *item;
	struct ep_entry *next;
};

struct epitem {
	struct eventpoll *ep;
	struct file *file;
	int fd;
	u32 events;                 /* what the caller asked for, EPOLLERR|EPOLLHUP and flags included */
	u64 data;
	struct list ready_link;
	struct list recheck_link;
	struct epitem *hash_next;
	struct epitem *file_next, **file_pprev; /* on file->epitems */
	struct ep_entry *entries;
	bool alloc_failed;          /* an ep_entry could not be made while registering */
};

/* ---- the ready list ---------------------------------------------------------------------- */

static void wake_waiters(struct eventpoll *ep)
{
	if (wait_queue_active(&ep->wq))
		wake_up(&ep->wq, 1); /* epoll_wait's waiters are exclusive, as on Linux */
	if (wait_queue_active(&ep->poll_wq))
		wake_up_poll(&ep->poll_wq, EPOLLIN | EPOLLRDNORM);
}

static bool item_enabled(const struct epitem *epi)
{
	return epi->events & ~EP_PRIVATE_BITS; /* a fired one-shot item has only flags left */
}

static u32 item_poll(struct epitem *epi, struct poll_table *pt)
{
	return file_poll(epi->file, pt) & epi->events;
}

static void make_ready(struct eventpoll *ep, struct epitem *epi)
{
	if (!list_linked(&epi->ready_link))
		list_push_back(&ep->ready, &epi->ready_link);
}

/* ep_poll_callback: the watched file's readiness changed by key. */
static bool ep_entry_wake(struct waiter *w, u32 key)
{
	struct epitem *epi = list_entry(w, struct ep_entry, waiter)->item;
	struct eventpoll *ep = epi->ep;
	if (!item_enabled(epi))
		return false;
	if (key != WAKE_KEY_ANY && !(key & epi->events))
		return false;
	make_ready(ep, epi);
	bool took = !(epi->events & EPOLLEXCLUSIVE);
	if (!took && wait_queue_active(&ep->wq)) {
		/* An exclusive item takes the wakeup only when its waiter asked for that event. */
		switch (key & EPOLLINOUT_BITS) {
		case EPOLLIN: took = epi->events & EPOLLIN; break;
		case EPOLLOUT: took = epi->events & EPOLLOUT; break;
		case 0: took = true; break;
		}
	}
	wake_waiters(ep);
	return took;
}

/* Files that nothing wakes (the console) are polled by whoever looks at the ready list. */
static void recheck_items(struct eventpoll *ep)
{
	list_for_each(pos, &ep->recheck) {
		struct epitem *epi = list_entry(pos, struct epitem, recheck_link);
		if (item_enabled(epi) && !list_linked(&epi->ready_link) && item_poll(epi, NULL))
			make_ready(ep, epi);
	}
}

/* ---- items ------------------------------------------------------------------------------- */

static unsigned bucket(const struct file *f, int fd)
{
	return ((unsigned)fd ^ (unsigned)((uptr_t)f >> 6)) % EP_HASH_BUCKETS;
}

static struct epitem *item_find(struct eventpoll *ep, struct file *f, int fd)
{
	for (struct epitem *epi = ep->hash[bucket(f, fd)]; epi; epi = epi->hash_next)
		if (epi->file == f && epi->fd == fd)
			return epi;
	return NULL;
}

struct ep_pqueue {
	struct poll_table pt;
	struct epitem *epi;
};

/* ep_ptable_queue_proc: the item's file names one of its queues. */
static void item_queue(struct poll_table *pt, struct wait_queue *q, struct file *f)
{
	struct epitem *epi = list_entry(pt, struct ep_pqueue, pt)->epi;
	struct ep_entry *e = kzalloc(sizeof(*e));
	if (!e) {
		epi->alloc_failed = true;
		return;
	}
	e->item = epi;
	e->waiter.func = ep_entry_wake;
	e->waiter.exclusive = epi->events & EPOLLEXCLUSIVE;
	e->next = epi->entries;
	epi->entries = e;
	wait_add(q, &e->waiter);
}

static void item_remove(struct eventpoll *ep, struct epitem *epi)
{
	while (epi->entries) {
		struct ep_entry *e = epi->entries;
		epi->entries = e->next;
		wait_remove(&e->waiter);
		kfree(e);
	}
	if (list_linked(&epi->ready_link))
		list_remove(&epi->ready_link);
	if (list_linked(&epi->recheck_link))
		list_remove(&epi->recheck_link);
	struct epitem **at = &ep->hash[bucket(epi->file, epi->fd)];
	while (*at != epi)
		at = &(*at)->hash_next;
	*at = epi->hash_next;
	*epi->file_pprev = epi->file_next;
	if (epi->file_next)
		epi->file_next->file_pprev = epi->file_pprev;
	if (file_is_epoll(epi->file))
		ep->nested--;
	kfree(epi);
}

static int item_insert(struct eventpoll *ep, struct file *f, int fd, const struct epoll_event *ev)
{
	struct epitem *epi = kzalloc(sizeof(*epi));
	if (!epi)
		return -ENOMEM;
	epi->ep = ep;
	epi->file = f;
	epi->fd = fd;
	epi->events = ev->events;
	epi->data = ev->data;
	list_init(&epi->ready_link);
	list_init(&epi->recheck_link);
	unsigned b = bucket(f, fd);
	epi->hash_next = ep->hash[b];
	ep->hash[b] = epi;
	epi->file_next = f->epitems;
	epi->file_pprev = &f->epitems;
	if (f->epitems)
		f->epitems->file_pprev = &epi->file_next;
	f->epitems = epi;
	if (file_is_epoll(f))
		ep->nested++;

	struct ep_pqueue q = { .pt = { .queue = item_queue }, .epi = epi };
	u32 revents = item_poll(epi, &q.pt);
	if (epi->alloc_failed) {
		item_remove(ep, epi);
		return -ENOMEM;
	}
	if (q.pt.recheck)
		list_push_back(&ep->recheck, &epi->recheck_link);
	if (revents) {
		make_ready(ep, epi);
		wake_waiters(ep);
	}
	return 0;
}

static void item_modify(struct eventpoll *ep, struct epitem *epi, const struct epoll_event *ev)
{
	epi->events = ev->events;
	epi->data = ev->data;
	if (item_poll(epi, NULL)) {
		make_ready(ep, epi);
		wake_waiters(ep);
	}
}

/* ---- loops and nesting ------------------------------------------------------------------- */

static u32 visit_pass;

/* How deep epoll files nest below ep (0: none inside it); more than EP_MAX_NESTS when it
 * reaches target, which would close a loop. */
static int depth_below(struct eventpoll *ep, struct eventpoll *target, int depth)
{
	if (!ep->nested)
		return 0;
	if (ep->visit == visit_pass)
		return 0; /* reached along another path already: counted there */
	ep->visit = visit_pass;
	int deepest = 0;
	for (unsigned b = 0; b < EP_HASH_BUCKETS; b++) {
		for (struct epitem *epi = ep->hash[b]; epi; epi = epi->hash_next) {
			if (!file_is_epoll(epi->file))
				continue;
			struct eventpoll *child = epi->file->priv;
			int d = child == target || depth >= EP_MAX_NESTS ? EP_MAX_NESTS + 1 :
				1 + depth_below(child, target, depth + 1);
			deepest = MAX(deepest, d);
			if (deepest > EP_MAX_NESTS)
				return deepest;
		}
	}
	return deepest;
}

/* How deep ep itself sits inside other epoll files. */
static int depth_above(struct eventpoll *ep, int depth)
{
	int deepest = 0;
	if (depth > EP_MAX_NESTS)
		return EP_MAX_NESTS + 1;
	for (struct epitem *epi = ep->file->epitems; epi; epi = epi->file_next)
		deepest = MAX(deepest, 1 + depth_above(epi->ep, depth + 1));
	return deepest;
}

/* ep_loop_check: adding the epoll file of inner to ep must close no loop and nest no deeper
 * than EP_MAX_NESTS. */
static bool nesting_ok(struct eventpoll *ep, struct eventpoll *inner)
{
	if (inner == ep)
		return false;
	visit_pass++;
	int below = depth_below(inner, ep, 0);
	if (below > EP_MAX_NESTS)
		return false;
	return below + 1 + depth_above(ep, 0) <= EP_MAX_NESTS;
}

/* ---- the calls --------------------------------------------------------------------------- */

int epoll_ctl(struct file *epf, int op, int fd, struct file *target, struct epoll_event *ev)
{
	bool has_event = op != EPOLL_CTL_DEL;
	/* The target must support poll (regular files, /dev/null... do not). */
	if (!target->ops->poll)
		return -EPERM;
	if (epf == target || !file_is_epoll(epf))
		return -EINVAL;
	/* EPOLLEXCLUSIVE only at ADD, with a few events, and not for epoll files (Linux does not
	 * nest exclusive wakeups). */
	if (has_event && (ev->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD && (file_is_epoll(target) || (ev->events & ~EPOLLEXCLUSIVE_OK_BITS)))
			return -EINVAL;
	}
	struct eventpoll *ep = epf->priv;
	if (op == EPOLL_CTL_ADD && file_is_epoll(target) && !nesting_ok(ep, target->priv))
		return -ELOOP;
	struct epitem *epi = item_find(ep, target, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (epi)
			return -EEXIST;
		ev->events |= EPOLLERR | EPOLLHUP;
		return item_insert(ep, target, fd, ev);
	case EPOLL_CTL_DEL:
		if (!epi)
			return -ENOENT;
		item_remove(ep, epi);
		return 0;
	case EPOLL_CTL_MOD:
		if (!epi)
			return -ENOENT;
		if (epi->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		ev->events |= EPOLLERR | EPOLLHUP;
		item_modify(ep, epi, ev);
		return 0;
	default:
		return -EINVAL;
	}
}

/* ep_send_events: reports what the ready items have now, at most maxevents. Each item is
 * looked at once: the level-triggered ones reported go back at the tail, behind the last item
 * that was there when the scan began, where the scan stops. */
static inline __attribute__((always_inline)) long send_events(struct eventpoll *ep, uptr_t uevents,
								 int maxevents)
{
	struct list *last = ep->ready.prev;
	long res = 0;
	bool more = true;
	while (res < maxevents && more) {
		struct list *pos = ep->ready.next;
		more = pos != last;
		struct epitem *epi = list_entry(pos, struct epitem, ready_link);
		list_remove(pos);
		u32 revents = item_poll(epi, NULL);
		if (!revents)
			continue; /* woken for something it no longer has: it waits for the next */
		struct epoll_event out = { .events = revents, .data = epi->data };
		if (copy_to_user(uevents + (u64)res * sizeof(out), &out, sizeof(out))) {
			list_push_front(&ep->ready, pos);
			if (!res)
				res = -EFAULT;
			break;
		}
		res++;
		if (epi->events & EPOLLONESHOT)
			epi->events &= EP_PRIVATE_BITS;
		else if (!(epi->events & EPOLLET))
			list_push_back(&ep->ready, pos); /* level-triggered: look again next time */
	}
	/* What is left may be another waiter's to take. */
	if (wait_queue_active(&ep->wq) && !list_empty(&ep->ready))
		wake_up(&ep->wq, 1);
	return res;
}

/* The waiting part of epoll_wait: nothing was ready at first. */
static __attribute__((noinline)) long wait_for_events(struct eventpoll *ep, struct file *epf,
						      uptr_t uevents, int maxevents, u64 deadline,
						      bool timed_out)
{
	bool interrupted = false, held = false;
	long res;
	for (;;) {
		if (!list_empty(&ep->recheck))
			recheck_items(ep);
		/* Events that are there are reported, even to a waiter a signal woke. */
		if (!list_empty(&ep->ready) && (res = send_events(ep, uevents, maxevents)))
			break;
		res = 0;
		if (timed_out)
			break;
		if (interrupted || signal_pending()) {
			res = -EINTR;
			break;
		}
		u64 until = deadline;
		if (!list_empty(&ep->recheck)) {
			u64 soon = poll_deadline_after(POLL_RECHECK_NS);
			if (!until || soon < until)
				until = soon;
		}
		if (!held) {
			epf->refs++; /* another thread may close the descriptor while this one waits */
			held = true;
		}
		int reason = wait_on(&ep->wq, until);
		if (reason == WAKE_TIMEOUT && until == deadline)
			timed_out = true;
		interrupted = reason == WAKE_INTERRUPT;
	}
	if (held)
		file_put(epf);
	return res;
}

long epoll_wait_events(struct file *epf, uptr_t uevents, int maxevents, u64 deadline, bool nowait)
{
	struct eventpoll *ep = epf->priv;
	/* The common case first, cheaply: events are ready (or none are and the caller only looks). */
	if (likely(list_empty(&ep->recheck))) {
		if (!list_empty(&ep->ready)) {
			long res = send_events(ep, uevents, maxevents);
			if (res || nowait)
				return res;
		} else if (nowait) {
			return 0;
		}
	}
	return wait_for_events(ep, epf, uevents, maxevents, deadline, nowait);
}

/* ---- the epoll file ---------------------------------------------------------------------- */

/* ep_eventpoll_poll: readable when an item on the ready list really has events; the ones that
 * do not leave the list. */
static u32 epoll_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = f->priv;
	poll_wait(pt, &ep->poll_wq, f);
	if (!list_empty(&ep->recheck)) {
		poll_recheck(pt);
		recheck_items(ep);
	}
	list_for_each_safe(pos, &ep->ready) {
		struct epitem *epi = list_entry(pos, struct epitem, ready_link);
		if (item_poll(epi, NULL))
			return EPOLLIN | EPOLLRDNORM;
		list_remove(&epi->ready_link);
	}
	return 0;
}

static ssize_t epoll_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	return -EINVAL; /* eventpoll_fops has no read: vfs_read says EINVAL */
}

static ssize_t epoll_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	return -EINVAL;
}

static int epoll_stat(struct file *f, struct stat *st)
{
	anon_inode_stat(st);
	return 0;
}

static long epoll_ioctl(struct file *f, unsigned cmd, uptr_t arg)
{
	return -ENOTTY;
}

static void epoll_release(struct file *f)
{
	struct eventpoll *ep = f->priv;
	for (unsigned b = 0; b < EP_HASH_BUCKETS; b++)
		while (ep->hash[b])
			item_remove(ep, ep->hash[b]);
	kfree(ep);
}

const struct file_ops epoll_file_ops = {
	.read = epoll_read,
	.write = epoll_write,
	.stat = epoll_stat,
	.ioctl = epoll_ioctl,
	.poll = epoll_poll,
	.release = epoll_release,
	.stream = true,
};

int epoll_create(struct file **out)
{
	struct eventpoll *ep = kzalloc(sizeof(*ep));
	struct file *f = file_new(&epoll_file_ops, O_RDWR);
	if (!ep || !f) {
		kfree(ep);
		kfree(f);
		return -ENOMEM;
	}
	list_init(&ep->ready);
	list_init(&ep->recheck);
	wait_queue_init(&ep->wq);
	wait_queue_init(&ep->poll_wq);
	ep->file = f;
	f->priv = ep;
	*out = f;
	return 0;
}

void epoll_file_released(struct file *f)
{
	while (f->epitems)
		item_remove(f->epitems->ep, f->epitems);
}
