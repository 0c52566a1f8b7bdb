/* futex and futex_waitv. Waiters sit in a small hash of lists keyed by the word's address and
 * whether the operation was FUTEX_PRIVATE_FLAG: as on Linux, a private waiter is not woken by a
 * shared wake of the same word, nor the reverse. (Linux keys a shared futex on a file mapping
 * by file and offset; here a shared file mapping seen at two addresses gives two futexes.)
 * Everything here runs under the big kernel lock; the user's word is changed only by atomic
 * compare-and-exchange, since threads on other CPUs change it at the same time.
 * PI futexes hand the lock to the first waiter on unlock, as Linux does, but without priority
 * inheritance proper: every thread has the same priority. */
#include "syscall/syscall.h"
#include "syscall/timespec_user.h"
#include "sched/sched.h"
#include "sched/bkl.h"
#include "proc/process.h"
#include "core/time.h"
#include "core/cmdline.h"
#include "core/log.h"
#include "mm/usercopy.h"
#include "mm/kheap.h"
#include <linux/futex.h>
#include <linux/time_types.h>
#include <linux/time.h>

struct futex_waiter {
	struct thread *thread;
	struct list link;
	uptr_t addr;
	bool private;     /* FUTEX_PRIVATE_FLAG: a different key from the shared one */
	u32 bitset;
	bool pi;          /* waits in LOCK_PI: unlock hands it the lock */
	bool woken;       /* by a wake, a requeue-wake or a PI handoff */
};

#define FUTEX_HASH_BITS 6
static struct list buckets[1 << FUTEX_HASH_BITS];

static struct list *bucket_of(uptr_t addr)
{
	struct list *b = &buckets[((addr >> 2) * 0x9e3779b97f4a7c15UL) >> (64 - FUTEX_HASH_BITS)];
	if (!b->next)
		list_init(b);
	return b;
}

static long get_word(uptr_t uaddr, u32 *v)
{
	if (uaddr & 3)
		return -EINVAL;
	return copy_from_user(v, uaddr, sizeof(*v));
}

/* A timespec at utime as a monotonic deadline: relative, or absolute on the realtime or the
 * monotonic clock. 0 in *deadline means none. */
static long read_deadline(uptr_t utime, bool absolute, bool realtime, u64 *deadline)
{
	*deadline = 0;
	if (!utime)
		return 0;
	u64 ns;
	long err = timespec_from_user(utime, &ns);
	if (err)
		return err;
	if (absolute) {
		s64 mono = (s64)ns - (realtime ? time_realtime_offset_ns() : 0);
		*deadline = mono <= 0 ? 1 : (u64)mono;
	} else {
		u64 now = time_monotonic_ns();
		*deadline = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
	}
	return 0;
}

/* Interrupted by a signal, a wait without a timeout is restarted under SA_RESTART; one with
 * a timeout returns EINTR once a handler has run (Linux's restart block). */
static long wait_result(const struct futex_waiter *w, int reason, u64 deadline)
{
	if (w->woken)
		return 0;
	if (reason == WAKE_TIMEOUT)
		return -ETIMEDOUT;
	return deadline ? -ERESTART_RESTARTBLOCK : -ERESTARTSYS;
}

/* Blocks on the waiters already queued for this thread; unqueues them all after. */
static int block(struct futex_waiter *w, int n, u64 deadline)
{
	int reason = sched_block(deadline);
	for (int i = 0; i < n; i++)
		if (list_linked(&w[i].link))
			list_remove(&w[i].link);
	return reason;
}

static void enqueue(struct futex_waiter *w, uptr_t addr, bool private, u32 bitset, bool pi)
{
	*w = (struct futex_waiter){ .thread = current_thread(), .addr = addr, .private = private,
				    .bitset = bitset, .pi = pi };
	list_push_back(bucket_of(addr), &w->link);
}

static long futex_wait(uptr_t uaddr, bool private, u32 val, u32 bitset, u64 deadline)
{
	u32 cur;
	long err = get_word(uaddr, &cur);
	if (err)
		return err;
	if (cur != val)
		return -EAGAIN;
	struct futex_waiter w;
	current_thread()->wake_reason = WAKE_NONE;
	enqueue(&w, uaddr, private, bitset, false);
	return wait_result(&w, block(&w, 1, deadline), deadline);
}

/* Wakes up to n waiters on (addr, private) whose bitset meets `bitset`; returns how many. */
static int wake_addr(uptr_t addr, bool private, int n, u32 bitset)
{
	int woken = 0;
	struct list *b = bucket_of(addr);
	list_for_each_safe(pos, b) {
		if (woken >= n)
			break;
		struct futex_waiter *w = list_entry(pos, struct futex_waiter, link);
		if (w->addr != addr || w->private != private || !(w->bitset & bitset))
			continue;
		list_remove(&w->link);
		/* A waiter whose deadline just passed is leaving by itself: it does not count. */
		if (sched_wake(w->thread, WAKE_NORMAL)) {
			w->woken = true;
			woken++;
		}
	}
	return woken;
}

/* The kernel's own wakes (CLEARTID at thread exit) are shared ones, as Linux's. */
void futex_wake_one(uptr_t addr)
{
	if (!(addr & 3))
		wake_addr(addr, false, 1, FUTEX_BITSET_MATCH_ANY);
}

static long futex_requeue(uptr_t uaddr, bool private, int nr_wake, uptr_t uaddr2, int nr_requeue,
			  bool cmp, u32 cmpval)
{
	if ((uaddr & 3) || (uaddr2 & 3))
		return -EINVAL;
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	if (cmp) {
		u32 cur;
		long err = get_word(uaddr, &cur);
		if (err)
			return err;
		if (cur != cmpval)
			return -EAGAIN;
	}
	int woken = wake_addr(uaddr, private, nr_wake, FUTEX_BITSET_MATCH_ANY), moved = 0;
	struct list *from = bucket_of(uaddr), *to = bucket_of(uaddr2);
	list_for_each_safe(pos, from) {
		if (moved >= nr_requeue)
			break;
		struct futex_waiter *w = list_entry(pos, struct futex_waiter, link);
		if (w->addr != uaddr || w->private != private || w->pi)
			continue;
		list_remove(&w->link);
		w->addr = uaddr2;
		list_push_back(to, &w->link);
		moved++;
	}
	return woken + moved;
}

/* The atomic update of FUTEX_WAKE_OP on uaddr2; *old gets the value before it. */
static long wake_op_update(uptr_t uaddr2, u32 encoded, u32 *old)
{
	u32 op = (encoded >> 28) & 7;
	s32 oparg = (s32)(encoded << 8) >> 20; /* bits 12-23, sign-extended */
	if (encoded & (FUTEX_OP_OPARG_SHIFT << 28))
		oparg = 1 << (oparg & 31); /* Linux masks a shift out of range, with a warning */
	if (op > FUTEX_OP_XOR)
		return -ENOSYS;
	if (uaddr2 & 3)
		return -EINVAL;
	u32 cur;
	long err = copy_from_user(&cur, uaddr2, sizeof(cur));
	for (;;) {
		if (err)
			return err;
		u32 v;
		switch (op) {
		case FUTEX_OP_SET: v = (u32)oparg; break;
		case FUTEX_OP_ADD: v = cur + (u32)oparg; break;
		case FUTEX_OP_OR: v = cur | (u32)oparg; break;
		case FUTEX_OP_ANDN: v = cur & ~(u32)oparg; break;
		default: v = cur ^ (u32)oparg; break;
		}
		u32 seen;
		err = cmpxchg_user_u32(uaddr2, cur, v, &seen);
		if (!err && seen == cur) {
			*old = cur;
			return 0;
		}
		cur = seen;
	}
}

static long futex_wake_op(uptr_t uaddr, bool private, int nr_wake, uptr_t uaddr2, int nr_wake2,
			  u32 encoded)
{
	u32 cmp = (encoded >> 24) & 15;
	s32 cmparg = (s32)(encoded << 20) >> 20; /* bits 0-11, sign-extended */
	if (uaddr & 3)
		return -EINVAL;
	if (cmp > FUTEX_OP_CMP_GE)
		return -ENOSYS;
	u32 old;
	long err = wake_op_update(uaddr2, encoded, &old);
	if (err)
		return err;
	int woken = wake_addr(uaddr, private, nr_wake, FUTEX_BITSET_MATCH_ANY);
	s32 o = (s32)old;
	bool hit = false;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ: hit = o == cmparg; break;
	case FUTEX_OP_CMP_NE: hit = o != cmparg; break;
	case FUTEX_OP_CMP_LT: hit = o < cmparg; break;
	case FUTEX_OP_CMP_LE: hit = o <= cmparg; break;
	case FUTEX_OP_CMP_GT: hit = o > cmparg; break;
	case FUTEX_OP_CMP_GE: hit = o >= cmparg; break;
	}
	if (hit)
		woken += wake_addr(uaddr2, private, nr_wake2, FUTEX_BITSET_MATCH_ANY);
	return woken;
}

/* ---- PI futexes: the word holds the owner's tid, FUTEX_WAITERS and FUTEX_OWNER_DIED ---------- */

static bool has_pi_waiter(uptr_t addr, bool private)
{
	list_for_each(pos, bucket_of(addr)) {
		struct futex_waiter *w = list_entry(pos, struct futex_waiter, link);
		if (w->addr == addr && w->private == private && w->pi)
			return true;
	}
	return false;
}

static long futex_lock_pi(uptr_t uaddr, bool private, u64 deadline, bool try)
{
	u32 tid = (u32)current_thread()->tid;
	if (uaddr & 3)
		return -EINVAL;
	u32 cur;
	long err = copy_from_user(&cur, uaddr, sizeof(cur));
	for (;;) {
		if (err)
			return err;
		u32 owner = cur & FUTEX_TID_MASK, want, seen;
		if (owner == tid)
			return -EDEADLK;
		if (owner == 0) {
			/* Free, or its owner died: take it, keeping the OWNER_DIED mark. */
			want = tid | (cur & FUTEX_OWNER_DIED) | (has_pi_waiter(uaddr, private) ? FUTEX_WAITERS : 0);
			err = cmpxchg_user_u32(uaddr, cur, want, &seen);
			if (!err && seen == cur)
				return 0;
			cur = seen;
			continue;
		}
		if (!proc_find_thread((int)owner))
			return -ESRCH;
		if (try)
			return -EAGAIN;
		if (!(cur & FUTEX_WAITERS)) {
			err = cmpxchg_user_u32(uaddr, cur, cur | FUTEX_WAITERS, &seen);
			if (err || seen != cur) {
				cur = seen;
				continue;
			}
		}
		struct futex_waiter w;
		current_thread()->wake_reason = WAKE_NONE;
		enqueue(&w, uaddr, private, FUTEX_BITSET_MATCH_ANY, true);
		int reason = block(&w, 1, deadline);
		if (w.woken)
			return 0; /* the unlocker made us the owner */
		if (reason == WAKE_TIMEOUT)
			return -ETIMEDOUT;
		if (reason == WAKE_INTERRUPT)
			return -ERESTARTNOINTR; /* as Linux: the lock attempt always starts again */
		err = copy_from_user(&cur, uaddr, sizeof(cur));
	}
}

static long futex_unlock_pi(uptr_t uaddr, bool private)
{
	u32 tid = (u32)current_thread()->tid, cur, seen;
	if (uaddr & 3)
		return -EINVAL;
	long err = copy_from_user(&cur, uaddr, sizeof(cur));
	for (;;) {
		if (err)
			return err;
		if ((cur & FUTEX_TID_MASK) != tid)
			return -EPERM;
		/* The first PI waiter that can still take it becomes the owner. */
		struct futex_waiter *next = NULL;
		list_for_each_safe(pos, bucket_of(uaddr)) {
			struct futex_waiter *w = list_entry(pos, struct futex_waiter, link);
			if (w->addr != uaddr || w->private != private || !w->pi)
				continue;
			list_remove(&w->link);
			if (sched_wake(w->thread, WAKE_NORMAL)) {
				next = w;
				break;
			}
		}
		u32 want = next ? ((u32)next->thread->tid | FUTEX_WAITERS) : 0;
		err = cmpxchg_user_u32(uaddr, cur, want, &seen);
		if (next)
			next->woken = !err && seen == cur;
		if (!err && seen == cur)
			return 0;
		/* The word changed under us (another locker set FUTEX_WAITERS): the woken waiter, if
		 * any, finds it not handed over and tries again. */
		cur = seen;
	}
}

/* ---- robust lists: what a dying thread leaves behind --------------------------------------------- */

/* A lock word the thread owned: mark its owner dead and let one waiter take it. Like Linux,
 * a plain robust futex's waiter is woken by a shared wake (glibc waits on robust mutexes with
 * shared operations); a PI one's waiters, of either kind, retry and take it. */
static void robust_release(uptr_t uaddr, bool pi, u32 tid)
{
	u32 cur;
	if ((uaddr & 3) || copy_from_user(&cur, uaddr, sizeof(cur)))
		return;
	for (int tries = 0; tries < 100; tries++) {
		if ((cur & FUTEX_TID_MASK) != tid)
			return;
		u32 seen, want = (cur & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		if (cmpxchg_user_u32(uaddr, cur, want, &seen))
			return;
		if (seen == cur) {
			if ((cur & FUTEX_WAITERS) && (!pi || !wake_addr(uaddr, true, 1, FUTEX_BITSET_MATCH_ANY)))
				wake_addr(uaddr, false, 1, FUTEX_BITSET_MATCH_ANY);
			return;
		}
		cur = seen;
	}
}

#define ROBUST_LIST_LIMIT 2048 /* Linux's: a corrupt or circular list ends here */

void futex_exit_robust_list(struct thread *t)
{
	struct robust_list_head head;
	if (!t->robust_list || copy_from_user(&head, t->robust_list, sizeof(head)))
		return;
	uptr_t entry = (uptr_t)head.list.next, pending = (uptr_t)head.list_op_pending;
	for (int n = 0; entry != t->robust_list && n < ROBUST_LIST_LIMIT; n++) {
		uptr_t next;
		if (copy_from_user(&next, entry & ~1UL, sizeof(next)))
			break;
		if (entry != pending)
			robust_release((entry & ~1UL) + head.futex_offset, entry & 1, (u32)t->tid);
		entry = next;
	}
	if (pending)
		robust_release((pending & ~1UL) + head.futex_offset, pending & 1, (u32)t->tid);
}

/* ---- the system calls ----------------------------------------------------------------------------- */

static void trace(const char *what, uptr_t uaddr, u64 a, long ret)
{
	if (options.trace_futex)
		kerr("futex: tid %d %s %lx %lu = %ld\n", current_thread()->tid, what, uaddr, a, ret);
}

static long do_futex(uptr_t uaddr, int op, u32 val, uptr_t utime, uptr_t uaddr2, u32 val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	bool realtime = op & FUTEX_CLOCK_REALTIME, private = op & FUTEX_PRIVATE_FLAG;
	u64 deadline;
	long err;
	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET &&
	    cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (cmd == FUTEX_WAIT_BITSET && val3 == 0)
			return -EINVAL;
		if ((err = read_deadline(utime, cmd == FUTEX_WAIT_BITSET, realtime, &deadline)))
			return err;
		return futex_wait(uaddr, private, val, cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3, deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && val3 == 0)
			return -EINVAL;
		if (uaddr & 3)
			return -EINVAL;
		return wake_addr(uaddr, private, (int)val, cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, private, (int)val, uaddr2, (int)utime, cmd == FUTEX_CMP_REQUEUE, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, private, (int)val, uaddr2, (int)utime, val3);
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		/* LOCK_PI's timeout is absolute on CLOCK_REALTIME; LOCK_PI2's on the clock asked for. */
		if ((err = read_deadline(utime, true, cmd == FUTEX_LOCK_PI || realtime, &deadline)))
			return err;
		return futex_lock_pi(uaddr, private, deadline, false);
	case FUTEX_TRYLOCK_PI:
		return futex_lock_pi(uaddr, private, 0, true);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(uaddr, private);
	default:
		/* FUTEX_WAIT_REQUEUE_PI and FUTEX_CMP_REQUEUE_PI (glibc uses neither) and unknown ops. */
		return -ENOSYS;
	}
}

static const char *const op_names[] = {
	"WAIT", "WAKE", "FD", "REQUEUE", "CMP_REQUEUE", "WAKE_OP", "LOCK_PI", "UNLOCK_PI",
	"TRYLOCK_PI", "WAIT_BITSET", "WAKE_BITSET", "WAIT_REQUEUE_PI", "CMP_REQUEUE_PI", "LOCK_PI2",
};

long sys_futex(uptr_t uaddr, int op, u32 val, uptr_t utime, uptr_t uaddr2, u32 val3)
{
	long ret = do_futex(uaddr, op, val, utime, uaddr2, val3);
	int cmd = op & FUTEX_CMD_MASK;
	trace(cmd < (int)ARRAY_SIZE(op_names) ? op_names[cmd] : "?", uaddr, val, ret);
	return ret;
}

long sys_futex_waitv(uptr_t uwaiters, u32 nr, u32 flags, uptr_t utime, int clockid)
{
	u64 deadline = 0;
	if (flags || nr == 0 || nr > FUTEX_WAITV_MAX)
		return -EINVAL;
	if (utime) {
		if (clockid != CLOCK_MONOTONIC && clockid != CLOCK_REALTIME)
			return -EINVAL;
		long err = read_deadline(utime, true, clockid == CLOCK_REALTIME, &deadline);
		if (err)
			return err;
	}
	/* Both arrays stay while the thread sleeps: from the heap, not the 16 KiB kernel stack. */
	struct futex_waitv *v = kmalloc(nr * sizeof(*v));
	struct futex_waiter *mine = kmalloc(nr * sizeof(*mine));
	long ret = 0;
	if (!v || !mine)
		ret = -ENOMEM;
	else if (copy_from_user(v, uwaiters, nr * sizeof(v[0])))
		ret = -EFAULT;
	for (u32 i = 0; !ret && i < nr; i++) {
		if ((v[i].flags & ~(FUTEX_32 | FUTEX_PRIVATE_FLAG)) || !(v[i].flags & FUTEX_32) ||
		    v[i].__reserved || (v[i].uaddr & 3))
			ret = -EINVAL;
	}
	if (ret) {
		kfree(v);
		kfree(mine);
		return ret;
	}
	current_thread()->wake_reason = WAKE_NONE;
	u32 queued = 0;
	for (; queued < nr; queued++) {
		u32 cur;
		if (copy_from_user(&cur, v[queued].uaddr, sizeof(cur))) {
			ret = -EFAULT;
			break;
		}
		if (cur != (u32)v[queued].val) {
			ret = -EAGAIN;
			break;
		}
		enqueue(&mine[queued], v[queued].uaddr, v[queued].flags & FUTEX_PRIVATE_FLAG,
			FUTEX_BITSET_MATCH_ANY, false);
	}
	if (ret) {
		for (u32 i = 0; i < queued; i++)
			list_remove(&mine[i].link);
	} else {
		int reason = block(mine, (int)nr, deadline);
		ret = reason == WAKE_TIMEOUT ? -ETIMEDOUT : -ERESTARTSYS;
		for (u32 i = 0; i < nr; i++) {
			if (mine[i].woken) {
				ret = i;
				break;
			}
		}
	}
	kfree(v);
	kfree(mine);
	return ret;
}
