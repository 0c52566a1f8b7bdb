/*
 * futex_ops.c: futex(2) and futex_waitv(2) themselves, through syscall(2),
 * with the return values and errno Linux gives. Libc's locks use only a few
 * of these operations; this drives each one directly: WAIT (wrong value,
 * relative timeout), WAIT_BITSET (absolute timeouts on both clocks), WAKE's
 * count of woken waiters, REQUEUE and CMP_REQUEUE, WAKE_OP, WAKE_BITSET
 * masks, private against shared keys, the PI operations and futex_waitv.
 *
 * A waiter is a thread blocked in one futex call. Before waking it the main
 * thread waits until the waiter is asleep ("S" in /proc/self/task/TID/stat:
 * once a waiter has announced it is about to call futex, sleeping in that
 * call is the only way it can be in S), so the counts a wake returns are
 * exact. Every waiter has a 5 s limit of its own, so a broken kernel gives
 * failed checks, not a hang.
 *
 * Linux details worth knowing: FUTEX_REQUEUE returns woken + requeued like
 * FUTEX_CMP_REQUEUE (the man page says woken only; it is one function in
 * the kernel). A wait and a wake on one address match only if both or
 * neither are FUTEX_PRIVATE_FLAG. TRYLOCK_PI on a lock another thread holds
 * is EAGAIN (EWOULDBLOCK), on one the caller holds EDEADLK. futex_waitv's
 * checks are skipped only if it gives ENOSYS on a kernel whose uname release
 * predates Linux 5.16, where it first appeared.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "thread_util.h"

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449 /* Linux 5.16; not in musl 1.2.3's list */
#endif

#define WAITER_LIMIT_NS (5000 * MS) /* a waiter nobody wakes gives up then */

static long futex(volatile int *uaddr, int op, int val, const struct timespec *ts,
		  volatile int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

/* REQUEUE, CMP_REQUEUE and WAKE_OP take a count where the timeout goes. */
static long futex_n(volatile int *uaddr, int op, int val, unsigned long val2,
		    volatile int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

/* ---- waiter threads ---------------------------------------------------- */

struct waiter {
	pthread_t th;
	volatile int *uaddr;
	int op, val, bitset;
	struct futex_waitv *wv; /* futex_waitv instead of futex when set */
	int nwv;
	pid_t tid;
	int ready, done;
	long ret;
	int err;
	/* LOCK_PI waiters: the word once they own it, and their unlock */
	int word_locked, unlock_ret, word_unlocked;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	int cmd = w->op & FUTEX_CMD_MASK;
	struct timespec ts;

	w->tid = gettid_();
	if (cmd == FUTEX_WAIT && !w->wv) /* relative */
		ts = ts_ns(WAITER_LIMIT_NS);
	else if (cmd == FUTEX_LOCK_PI || (w->op & FUTEX_CLOCK_REALTIME)) /* absolute */
		ts = ts_ns(now_ns(CLOCK_REALTIME) + WAITER_LIMIT_NS);
	else
		ts = ts_ns(now_ns(CLOCK_MONOTONIC) + WAITER_LIMIT_NS);
	__atomic_store_n(&w->ready, 1, __ATOMIC_SEQ_CST);
	if (w->wv)
		w->ret = syscall(SYS_futex_waitv, w->wv, w->nwv, 0, &ts, CLOCK_MONOTONIC);
	else
		w->ret = futex(w->uaddr, w->op, w->val, &ts, NULL, w->bitset);
	w->err = errno;
	if (cmd == FUTEX_LOCK_PI && w->ret == 0) {
		w->word_locked = *w->uaddr;
		w->unlock_ret = (int)futex(w->uaddr, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
		w->word_unlocked = *w->uaddr;
	}
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Polls cond(arg) every millisecond for up to 2 s. */
static int wait_until(int (*cond)(void *), void *arg)
{
	for (int i = 0; i < 2000; i++) {
		if (cond(arg))
			return 1;
		sleep_ms(1);
	}
	return cond(arg);
}

static int is_ready(void *p)
{
	return __atomic_load_n(&((struct waiter *)p)->ready, __ATOMIC_SEQ_CST);
}

static int is_done(void *p)
{
	return __atomic_load_n(&((struct waiter *)p)->done, __ATOMIC_SEQ_CST);
}

static int is_asleep(void *p)
{
	struct waiter *w = p;
	return is_done(w) || thread_state(w->tid) == 'S';
}

/* Starts a waiter and returns once it sleeps in its call (or has returned). */
static void start(struct waiter *w, volatile int *uaddr, int op, int val, int bitset)
{
	w->uaddr = uaddr, w->op = op, w->val = val, w->bitset = bitset;
	w->ready = w->done = 0;
	if (pthread_create(&w->th, NULL, waiter_main, w) != 0) {
		fail("pthread_create", "cannot start a waiter");
		exit(check_done());
	}
	wait_until(is_ready, w);
	wait_until(is_asleep, w);
}

static void start_waitv(struct waiter *w, struct futex_waitv *wv, int n)
{
	w->wv = wv, w->nwv = n;
	start(w, NULL, 0, 0, 0);
}

static int count_done(struct waiter *ws, int n)
{
	int c = 0;
	for (int i = 0; i < n; i++)
		c += is_done(&ws[i]);
	return c;
}

struct done_goal {
	struct waiter *ws;
	int n, want;
};

static int enough_done(void *p)
{
	struct done_goal *g = p;
	return count_done(g->ws, g->n) >= g->want;
}

/* Waits (up to 2 s) until `want` of the n waiters have returned. */
static int wait_done(struct waiter *ws, int n, int want)
{
	struct done_goal g = { ws, n, want };
	return wait_until(enough_done, &g);
}

/* Joins the waiters; checks that each returned `want` (0: woken). */
static void join_all(const char *name, struct waiter *ws, int n, long want)
{
	int ok = 1;
	char why[160] = "";
	for (int i = 0; i < n; i++) {
		pthread_join(ws[i].th, NULL);
		if (ws[i].ret != want && ok) {
			ok = 0;
			snprintf(why, sizeof(why), "waiter %d returned %ld (%s), expected %ld", i,
				 ws[i].ret, ws[i].ret == -1 ? errno_name(ws[i].err) : "no error",
				 want);
		}
	}
	check(ok, name, "%s", why);
}

/* ---- the tests ------------------------------------------------------------ */

static void wait_value_and_timeouts(void)
{
	int w = 1;

	/* The word is not the expected value: no sleep at all. */
	check_errno("wait_wrong_value_eagain", futex(&w, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0),
		    EAGAIN);
	check_errno("wait_shared_wrong_value_eagain", futex(&w, FUTEX_WAIT, 0, NULL, NULL, 0),
		    EAGAIN);
	check_errno("wait_bitset_wrong_value_eagain",
		    futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, FUTEX_BITSET_MATCH_ANY),
		    EAGAIN);

	/* FUTEX_WAIT's timeout is relative, measured on CLOCK_MONOTONIC. */
	w = 0;
	struct timespec rel = ts_ns(50 * MS);
	long long t0 = now_ns(CLOCK_MONOTONIC);
	long r = futex(&w, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0);
	long long el = now_ns(CLOCK_MONOTONIC) - t0;
	check_errno("wait_relative_etimedout", r, ETIMEDOUT);
	check(el >= 50 * MS, "wait_relative_elapsed", "returned after %lld ns, asked 50 ms", el);

	struct timespec zero = { 0, 0 };
	check_errno("wait_zero_timeout_etimedout", futex(&w, FUTEX_WAIT_PRIVATE, 0, &zero, NULL, 0),
		    ETIMEDOUT);
	/* An invalid timeout is refused before the value is even compared. */
	struct timespec bad_ns = { 0, 1000000000L }, neg = { -1, 0 };
	check_errno("wait_timeout_nsec_einval", futex(&w, FUTEX_WAIT_PRIVATE, 0, &bad_ns, NULL, 0),
		    EINVAL);
	check_errno("wait_timeout_negative_einval", futex(&w, FUTEX_WAIT_PRIVATE, 0, &neg, NULL, 0),
		    EINVAL);
	check_errno("wait_bad_timeout_before_value_einval",
		    futex(&w, FUTEX_WAIT_PRIVATE, 1, &bad_ns, NULL, 0), EINVAL);

	/* FUTEX_WAIT_BITSET's timeout is an absolute time: CLOCK_MONOTONIC,
	 * or CLOCK_REALTIME with FUTEX_CLOCK_REALTIME. */
	long long dl = now_ns(CLOCK_REALTIME) + 50 * MS;
	struct timespec abs_rt = ts_ns(dl);
	r = futex(&w, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &abs_rt, NULL,
		  FUTEX_BITSET_MATCH_ANY);
	long long now = now_ns(CLOCK_REALTIME);
	check_errno("wait_bitset_realtime_etimedout", r, ETIMEDOUT);
	check(now >= dl, "wait_bitset_realtime_deadline",
	      "returned %lld ns before the CLOCK_REALTIME deadline", dl - now);

	dl = now_ns(CLOCK_MONOTONIC) + 50 * MS;
	struct timespec abs_mono = ts_ns(dl);
	r = futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 0, &abs_mono, NULL, FUTEX_BITSET_MATCH_ANY);
	now = now_ns(CLOCK_MONOTONIC);
	check_errno("wait_bitset_monotonic_etimedout", r, ETIMEDOUT);
	check(now >= dl, "wait_bitset_monotonic_deadline",
	      "returned %lld ns before the CLOCK_MONOTONIC deadline", dl - now);

	/* A deadline already past: ETIMEDOUT at once. (1 ns after boot, not
	 * "now - 1 s": a VM's monotonic clock may be below 1 s, and a negative
	 * time is EINVAL.) */
	struct timespec past = { 0, 1 };
	check_errno("wait_bitset_past_deadline_etimedout",
		    futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 0, &past, NULL, FUTEX_BITSET_MATCH_ANY),
		    ETIMEDOUT);
	check_errno("wait_bitset_zero_mask_einval",
		    futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0), EINVAL);
}

static void bad_calls(void)
{
	static int words[2] __attribute__((aligned(8)));
	volatile int *odd = (volatile int *)((char *)words + 1);

	check_errno("wait_unaligned_einval", futex(odd, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0),
		    EINVAL);
	check_errno("wake_unaligned_einval", futex(odd, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0),
		    EINVAL);
	check_errno("bad_op_enosys", futex(words, 99, 0, NULL, NULL, 0), ENOSYS);
	check_errno("futex_fd_enosys", futex(words, FUTEX_FD, 0, NULL, NULL, 0), ENOSYS);
	/* FUTEX_CLOCK_REALTIME only goes with the operations that take a deadline. */
	check_errno("wake_clock_realtime_enosys",
		    futex(words, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
	check_eq("wake_nobody", futex(words, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 0);

	/* The word must be readable: an unmapped page gives EFAULT. */
	long pg = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p, pg);
	check_errno("wait_unmapped_efault", futex(p, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT);
}

/* FUTEX_WAKE returns how many it woke, at most the count asked. */
static void wake_counts(void)
{
	static int word;
	struct waiter ws[4] = { 0 };

	for (int i = 0; i < 4; i++)
		start(&ws[i], &word, FUTEX_WAIT_PRIVATE, 0, 0);
	check_eq("wake_one", futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);
	check_eq("wake_two", futex(&word, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0), 2);
	check_eq("wake_rest", futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1);
	check_eq("wake_none_left", futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 0);
	join_all("wake_waiters_returned_0", ws, 4, 0);
}

/*
 * FUTEX_PRIVATE_FLAG keys a futex by (process, address); without it the key
 * of private anonymous memory is marked shared, and the two never match: a
 * wake of the other kind finds no waiter. On MAP_SHARED memory shared waits
 * and wakes match each other.
 */
static void private_and_shared(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int *priv = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *shared = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (priv == MAP_FAILED || shared == MAP_FAILED) {
		fail("private_shared_mmap", "mmap failed");
		return;
	}
	*priv = 0, *shared = 0;
	struct waiter w[3] = { 0 };

	start(&w[0], priv, FUTEX_WAIT_PRIVATE, 0, 0);
	check_eq("private_waiter_shared_wake_0", futex(priv, FUTEX_WAKE, 1, NULL, NULL, 0), 0);
	check_eq("private_waiter_private_wake_1",
		 futex(priv, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);

	start(&w[1], priv, FUTEX_WAIT, 0, 0);
	check_eq("shared_waiter_private_wake_0",
		 futex(priv, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
	check_eq("shared_waiter_shared_wake_1", futex(priv, FUTEX_WAKE, 1, NULL, NULL, 0), 1);

	start(&w[2], shared, FUTEX_WAIT, 0, 0);
	check_eq("map_shared_shared_wake_1", futex(shared, FUTEX_WAKE, 1, NULL, NULL, 0), 1);
	join_all("private_shared_waiters_returned_0", w, 3, 0);
	munmap(priv, pg);
	munmap(shared, pg);
}

/* REQUEUE and CMP_REQUEUE return woken + requeued, and move the rest. */
static void requeue(void)
{
	static int a, b;
	struct waiter ws[4] = { 0 };

	for (int i = 0; i < 4; i++)
		start(&ws[i], &a, FUTEX_WAIT_PRIVATE, 0, 0);
	check_eq("requeue_wake1_move2", futex_n(&a, FUTEX_REQUEUE_PRIVATE, 1, 2, &b, 0), 3);
	wait_done(ws, 4, 1);
	check_eq("requeue_one_woken", count_done(ws, 4), 1);
	check_eq("requeue_left_on_a", futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1);
	check_eq("requeue_moved_to_b", futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 2);
	join_all("requeue_waiters_returned_0", ws, 4, 0);

	a = 5;
	for (int i = 0; i < 3; i++)
		start(&ws[i], &a, FUTEX_WAIT_PRIVATE, 5, 0);
	check_errno("cmp_requeue_mismatch_eagain",
		    futex_n(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &b, 6), EAGAIN);
	check_errno("cmp_requeue_negative_count_einval",
		    futex_n(&a, FUTEX_CMP_REQUEUE_PRIVATE, -1, 1, &b, 5), EINVAL);
	check_errno("requeue_negative_count_einval",
		    futex_n(&a, FUTEX_REQUEUE_PRIVATE, 0, (unsigned)-1, &b, 0), EINVAL);
	check_eq("cmp_requeue_mismatch_woke_none", count_done(ws, 3), 0);
	check_eq("cmp_requeue_move_all",
		 futex_n(&a, FUTEX_CMP_REQUEUE_PRIVATE, 0, INT_MAX, &b, 5), 3);
	check_eq("cmp_requeue_a_empty", futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 0);
	check_eq("cmp_requeue_b_wake1", futex(&b, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);
	check_eq("cmp_requeue_b_wake_rest", futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0),
		 2);
	join_all("cmp_requeue_waiters_returned_0", ws, 3, 0);
}

/*
 * FUTEX_WAKE_OP: old = *uaddr2; *uaddr2 = old OP oparg; wake up to val on
 * uaddr; and if (old CMP cmparg) also up to val2 on uaddr2. Returns the sum.
 */
static void wake_op(void)
{
	static int a, b, c;
	struct waiter wa[2] = { 0 }, wb[2] = { 0 };

	a = 0, b = 5;
	for (int i = 0; i < 2; i++) {
		start(&wa[i], &a, FUTEX_WAIT_PRIVATE, 0, 0);
		start(&wb[i], &b, FUTEX_WAIT_PRIVATE, 5, 0);
	}
	int op = FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 5);
	check_eq("wake_op_both_words", futex_n(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b, op), 2);
	check_eq("wake_op_add_value", b, 8);
	wait_done(wa, 2, 1);
	wait_done(wb, 2, 1);
	check(count_done(wa, 2) == 1 && count_done(wb, 2) == 1, "wake_op_one_each",
	      "%d woken on the first word, %d on the second, expected 1 and 1",
	      count_done(wa, 2), count_done(wb, 2));

	/* 8 > 100 is false: only the first word's waiters are woken. */
	op = FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_GT, 100);
	check_eq("wake_op_cmp_false",
		 futex_n(&a, FUTEX_WAKE_OP_PRIVATE, INT_MAX, INT_MAX, &b, op), 1);
	check_eq("wake_op_set_value", b, 0);
	check_eq("wake_op_second_still_waiting",
		 futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1);
	join_all("wake_op_waiters_returned_0", wa, 2, 0);
	join_all("wake_op_waiters2_returned_0", wb, 2, 0);

	/* The operations on a word nobody waits on. */
	c = 0x1;
	op = FUTEX_OP((FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_EQ, 0);
	check_eq("wake_op_or_shift", futex_n(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &c, op), 0);
	check_eq("wake_op_or_shift_value", c, 0x11);
	c = 0xff;
	op = FUTEX_OP(FUTEX_OP_ANDN, 0x0f, FUTEX_OP_CMP_EQ, 0);
	futex_n(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &c, op);
	check_eq("wake_op_andn_value", c, 0xf0);
	op = FUTEX_OP(FUTEX_OP_XOR, 0xff, FUTEX_OP_CMP_EQ, 0);
	futex_n(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &c, op);
	check_eq("wake_op_xor_value", c, 0x0f);
	/* oparg is a signed 12-bit field: 0xfff is -1. */
	op = FUTEX_OP(FUTEX_OP_SET, 0xfff, FUTEX_OP_CMP_EQ, 0);
	futex_n(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &c, op);
	check_eq("wake_op_set_sign_extended", c, -1);
	c = 7;
	check_errno("wake_op_bad_op_enosys",
		    futex_n(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &c, (7 << 28)), ENOSYS);
	check_eq("wake_op_bad_op_unchanged", c, 7);
}

/* A WAKE_BITSET wakes the waiters whose bitset shares a bit with its own. */
static void wake_bitset(void)
{
	static int word;
	struct waiter ws[3] = { 0 }, plain = { 0 };

	start(&ws[0], &word, FUTEX_WAIT_BITSET_PRIVATE, 0, 0x1);
	start(&ws[1], &word, FUTEX_WAIT_BITSET_PRIVATE, 0, 0x2);
	start(&ws[2], &word, FUTEX_WAIT_BITSET_PRIVATE, 0, 0x3);
	check_eq("wake_bitset_no_match",
		 futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x4), 0);
	check_errno("wake_bitset_zero_einval",
		    futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0), EINVAL);
	check_eq("wake_bitset_mask1",
		 futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x1), 2);
	wait_done(ws, 3, 2);
	check(is_done(&ws[0]) && !is_done(&ws[1]) && is_done(&ws[2]), "wake_bitset_which",
	      "woken: mask 0x1 %d, 0x2 %d, 0x3 %d; expected 1 0 1", is_done(&ws[0]),
	      is_done(&ws[1]), is_done(&ws[2]));
	/* FUTEX_WAKE matches any bitset. */
	check_eq("wake_plain_wakes_bitset_waiter",
		 futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1);
	join_all("wake_bitset_waiters_returned_0", ws, 3, 0);

	/* And FUTEX_WAIT's bitset is "any": any nonzero mask wakes it. */
	start(&plain, &word, FUTEX_WAIT_PRIVATE, 0, 0);
	check_eq("wake_bitset_wakes_plain_waiter",
		 futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, (int)0x80000000u), 1);
	join_all("wake_bitset_plain_returned_0", &plain, 1, 0);
}

struct pi_probe {
	volatile int *word;
	long unlock_ret, trylock_ret;
	int unlock_err, trylock_err;
};

static void *pi_other(void *arg)
{
	struct pi_probe *p = arg;
	p->unlock_ret = futex(p->word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	p->unlock_err = errno;
	p->trylock_ret = futex(p->word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	p->trylock_err = errno;
	return NULL;
}

struct timed_lock {
	volatile int *word;
	long long deadline; /* CLOCK_REALTIME ns */
	long ret;
	int err;
	long long after;
};

static void *timed_lock_main(void *arg)
{
	struct timed_lock *tl = arg;
	struct timespec ts = ts_ns(tl->deadline);
	tl->ret = futex(tl->word, FUTEX_LOCK_PI_PRIVATE, 0, &ts, NULL, 0);
	tl->err = errno;
	tl->after = now_ns(CLOCK_REALTIME);
	return NULL;
}

/*
 * PI futexes: the word holds the owner's TID, and FUTEX_WAITERS once a
 * waiter sleeps in the kernel. UNLOCK_PI hands the lock to the top waiter,
 * writing its TID (FUTEX_WAITERS stays while the kernel keeps PI state).
 */
static void pi(void)
{
	static int l;
	pid_t me = gettid_();

	l = 0;
	check_eq("trylock_pi_free", futex(&l, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
	check_eq("trylock_pi_owner_tid", l, me);
	check_errno("trylock_pi_self_edeadlk",
		    futex(&l, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EDEADLK);
	check_errno("lock_pi_self_edeadlk", futex(&l, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0),
		    EDEADLK);

	struct pi_probe probe = { &l, 0, 0, 0, 0 };
	pthread_t t;
	pthread_create(&t, NULL, pi_other, &probe);
	pthread_join(t, NULL);
	check(probe.unlock_ret == -1 && probe.unlock_err == EPERM, "unlock_pi_non_owner_eperm",
	      "returned %ld (%s)", probe.unlock_ret, errno_name(probe.unlock_err));
	check(probe.trylock_ret == -1 && probe.trylock_err == EAGAIN, "trylock_pi_held_eagain",
	      "returned %ld (%s)", probe.trylock_ret, errno_name(probe.trylock_err));
	check_eq("unlock_pi", futex(&l, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
	check_eq("unlock_pi_word_0", l, 0);
	check_errno("unlock_pi_unowned_eperm",
		    futex(&l, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EPERM);

	/* Contended: a waiter sleeps in LOCK_PI; the unlock hands it the lock. */
	check_eq("lock_pi_free", futex(&l, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
	check_eq("lock_pi_owner_tid", l, me);
	struct waiter w = { 0 };
	start(&w, &l, FUTEX_LOCK_PI_PRIVATE, 0, 0);
	check_eq("lock_pi_contended_waiters_bit", l, (int)(me | FUTEX_WAITERS));
	check_eq("unlock_pi_contended", futex(&l, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
	pthread_join(w.th, NULL);
	check(w.ret == 0, "lock_pi_waiter_got_lock", "returned %ld (%s)", w.ret,
	      errno_name(w.err));
	check_eq("lock_pi_handoff_word", w.word_locked, (int)(w.tid | FUTEX_WAITERS));
	check_eq("lock_pi_waiter_unlock", w.unlock_ret, 0);
	check_eq("lock_pi_waiter_unlock_word_0", w.word_unlocked, 0);

	/* LOCK_PI's timeout is an absolute CLOCK_REALTIME time. */
	futex(&l, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0);
	struct timed_lock tl = { &l, now_ns(CLOCK_REALTIME) + 50 * MS, 0, 0, 0 };
	pthread_create(&t, NULL, timed_lock_main, &tl);
	pthread_join(t, NULL);
	check(tl.ret == -1 && tl.err == ETIMEDOUT, "lock_pi_timeout_etimedout",
	      "returned %ld (%s)", tl.ret, errno_name(tl.err));
	check(tl.after >= tl.deadline, "lock_pi_timeout_deadline",
	      "returned %lld ns before the CLOCK_REALTIME deadline", tl.deadline - tl.after);
	check_eq("lock_pi_timeout_still_owner", l & FUTEX_TID_MASK, me);
	check_eq("unlock_pi_after_timeout", futex(&l, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
	check_eq("unlock_pi_after_timeout_word_0", l, 0);

	/* An owner TID no thread has (above PID_MAX_LIMIT): ESRCH, no sleep. */
	l = 0x3ffffff0;
	struct timespec soon = ts_ns(now_ns(CLOCK_REALTIME) + 200 * MS);
	check_errno("lock_pi_dead_owner_esrch",
		    futex(&l, FUTEX_LOCK_PI_PRIVATE, 0, &soon, NULL, 0), ESRCH);
	l = 0;
}

/* Is the kernel's release (uname) older than major.minor? */
static int kernel_before(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;
	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma < major || (ma == major && mi < minor);
}

/*
 * futex_waitv(waiters, n, flags, deadline, clockid) sleeps on up to 128
 * words at once and returns the index of the one that was woken.
 */
static void waitv(void)
{
	static int w[3];
	struct futex_waitv wv[3];

	memset(wv, 0, sizeof(wv));
	for (int i = 0; i < 3; i++) {
		w[i] = i;
		wv[i].val = i;
		wv[i].uaddr = (uintptr_t)&w[i];
		wv[i].flags = FUTEX_32 | FUTEX_PRIVATE_FLAG;
	}
	long r = syscall(SYS_futex_waitv, wv, 3, 1, NULL, 0);
	if (r == -1 && errno == ENOSYS && kernel_before(5, 16)) {
		printf("futex_ops: futex_waitv gives ENOSYS and the kernel predates Linux 5.16: "
		       "its checks are skipped\n");
		return;
	}
	check_errno("waitv_bad_flags_einval", r, EINVAL);
	check_errno("waitv_zero_count_einval", syscall(SYS_futex_waitv, wv, 0, 0, NULL, 0), EINVAL);
	check_errno("waitv_too_many_einval",
		    syscall(SYS_futex_waitv, wv, FUTEX_WAITV_MAX + 1, 0, NULL, 0), EINVAL);
	struct timespec soon = ts_ns(now_ns(CLOCK_MONOTONIC) + 50 * MS);
	check_errno("waitv_bad_clock_einval",
		    syscall(SYS_futex_waitv, wv, 3, 0, &soon, CLOCK_PROCESS_CPUTIME_ID), EINVAL);
	wv[1].flags = FUTEX_PRIVATE_FLAG; /* no size */
	check_errno("waitv_no_size_einval", syscall(SYS_futex_waitv, wv, 3, 0, &soon, CLOCK_MONOTONIC),
		    EINVAL);
	wv[1].flags = FUTEX_32 | FUTEX_PRIVATE_FLAG;
	wv[1].__reserved = 1;
	check_errno("waitv_reserved_einval",
		    syscall(SYS_futex_waitv, wv, 3, 0, &soon, CLOCK_MONOTONIC), EINVAL);
	wv[1].__reserved = 0;
	wv[1].uaddr = (uintptr_t)&w[1] + 2;
	check_errno("waitv_unaligned_einval",
		    syscall(SYS_futex_waitv, wv, 3, 0, &soon, CLOCK_MONOTONIC), EINVAL);
	wv[1].uaddr = (uintptr_t)&w[1];

	/* One word differs from its expected value: EAGAIN, no sleep. */
	wv[2].val = 7;
	check_errno("waitv_wrong_value_eagain",
		    syscall(SYS_futex_waitv, wv, 3, 0, &soon, CLOCK_MONOTONIC), EAGAIN);
	wv[2].val = 2;

	/* Nobody wakes: ETIMEDOUT at the absolute deadline, on either clock. */
	long long dl = now_ns(CLOCK_MONOTONIC) + 50 * MS;
	soon = ts_ns(dl);
	r = syscall(SYS_futex_waitv, wv, 3, 0, &soon, CLOCK_MONOTONIC);
	long long now = now_ns(CLOCK_MONOTONIC);
	check_errno("waitv_monotonic_etimedout", r, ETIMEDOUT);
	check(now >= dl, "waitv_monotonic_deadline", "returned %lld ns early", dl - now);
	dl = now_ns(CLOCK_REALTIME) + 50 * MS;
	soon = ts_ns(dl);
	r = syscall(SYS_futex_waitv, wv, 3, 0, &soon, CLOCK_REALTIME);
	now = now_ns(CLOCK_REALTIME);
	check_errno("waitv_realtime_etimedout", r, ETIMEDOUT);
	check(now >= dl, "waitv_realtime_deadline", "returned %lld ns early", dl - now);

	/* A wake of the middle word: the waiter returns its index, 1. */
	struct waiter wt = { 0 };
	start_waitv(&wt, wv, 3);
	check_eq("waitv_wake_counts_waiter", futex(&w[1], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);
	pthread_join(wt.th, NULL);
	check_eq("waitv_returns_index", wt.ret, 1);

	/* Shared entries are woken by shared wakes. */
	for (int i = 0; i < 3; i++)
		wv[i].flags = FUTEX_32;
	struct waiter ws = { 0 };
	start_waitv(&ws, wv, 3);
	check_eq("waitv_shared_private_wake_0", futex(&w[2], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0),
		 0);
	check_eq("waitv_shared_wake", futex(&w[2], FUTEX_WAKE, 1, NULL, NULL, 0), 1);
	pthread_join(ws.th, NULL);
	check_eq("waitv_shared_returns_index", ws.ret, 2);
}

int main(void)
{
	check_init("futex_ops");
	wait_value_and_timeouts();
	bad_calls();
	wake_counts();
	private_and_shared();
	requeue();
	wake_op();
	wake_bitset();
	pi();
	waitv();
	return check_done();
}
