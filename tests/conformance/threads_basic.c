/*
 * threads_basic.c: creating and ending threads. 1000 threads created and
 * joined 50 at a time with their return values; detached threads; thread
 * IDs and pthread_self distinct among threads alive together; __thread
 * variables distinct per thread and each thread's copy initialised from the
 * TLS image (also when libc reuses a finished thread's stack and TLS);
 * stacks of 64 KiB and 8 MiB, and a stack the program supplies; joins with
 * a timeout; and cancellation of a thread by itself.
 *
 * Cancelling another thread is left out on purpose: musl's pthread_cancel
 * always sends the target SIGCANCEL (signal 33), and glibc (2.36) sends its
 * SIGCANCEL (signal 32) to a thread sleeping in a cancellation point such
 * as pthread_cond_wait; only a target busy in user code between
 * cancellation points is cancelled by glibc without a signal. That is
 * signal delivery to a chosen thread, which belongs in a signals test. A
 * thread cancelling itself needs no signal in either libc: the request is a
 * flag that pthread_testcancel acts on.
 *
 * Only the main thread reports checks; threads record what they saw.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "thread_util.h"

#define NTHREADS 1000
#define BATCH 50

/* The TLS image: .tdata values and a .tbss block every thread starts with. */
static __thread int tls_int = 4242;
static __thread char tls_str[16] = "tls image";
static __thread long tls_zero[32];
static __thread __attribute__((aligned(64))) int tls_aligned = 64;

/* Does this thread's TLS hold the image's values? Then it scribbles on it. */
static int tls_fresh_then_scribble(int id)
{
	int ok = tls_int == 4242 && strcmp(tls_str, "tls image") == 0 && tls_aligned == 64 &&
		 ((uintptr_t)&tls_aligned & 63) == 0;
	for (int i = 0; i < 32; i++)
		if (tls_zero[i])
			ok = 0;
	tls_int = id;
	snprintf(tls_str, sizeof(tls_str), "thread %d", id);
	for (int i = 0; i < 32; i++)
		tls_zero[i] = id + i;
	tls_aligned = -id;
	return ok;
}

/* After other threads ran: still this thread's own values? */
static int tls_still_mine(int id)
{
	char want[16];
	snprintf(want, sizeof(want), "thread %d", id);
	int ok = tls_int == id && strcmp(tls_str, want) == 0 && tls_aligned == -id;
	for (int i = 0; i < 32; i++)
		if (tls_zero[i] != id + i)
			ok = 0;
	return ok;
}

/* ---- 1000 threads, 50 alive at a time ------------------------------------ */

struct rec {
	int id;
	pid_t tid, pid;
	pthread_t self;
	void *tls_addr;
	int tls_fresh, tls_kept;
};

static pthread_barrier_t batch_barrier;

static void *batch_thread(void *arg)
{
	struct rec *r = arg;
	r->tid = gettid_();
	r->pid = getpid();
	r->self = pthread_self();
	r->tls_addr = &tls_int;
	r->tls_fresh = tls_fresh_then_scribble(r->id);
	/* All BATCH threads are alive here together, each with its TLS written. */
	pthread_barrier_wait(&batch_barrier);
	r->tls_kept = tls_still_mine(r->id);
	if (r->id % 2)
		pthread_exit((void *)(uintptr_t)(r->id * 3 + 1)); /* the other way out */
	return (void *)(uintptr_t)(r->id * 3 + 1);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

/* Are the n values distinct? */
static int distinct(long *v, int n)
{
	qsort(v, n, sizeof(long), cmp_long);
	for (int i = 1; i < n; i++)
		if (v[i] == v[i - 1])
			return 0;
	return 1;
}

static void many_threads(void)
{
	static struct rec recs[NTHREADS];
	pthread_t th[BATCH];
	int created = 0, bad_ret = 0, bad_pid = 0, bad_tid = 0, stale = 0, clobbered = 0;
	int dup_tid = 0, dup_self = 0, dup_tls = 0, first_bad = -1;
	pid_t pid = getpid(), main_tid = gettid_();

	/* The main thread's own copy differs from the image from here on. */
	tls_int = -1;
	pthread_barrier_init(&batch_barrier, NULL, BATCH);
	for (int base = 0; base < NTHREADS; base += BATCH) {
		for (int i = 0; i < BATCH; i++) {
			recs[base + i].id = base + i;
			if (pthread_create(&th[i], NULL, batch_thread, &recs[base + i]) != 0) {
				fail("create_1000", "pthread_create failed at thread %d: %s", base + i,
				     errno_name(errno));
				exit(check_done());
			}
			created++;
		}
		long tids[BATCH], selfs[BATCH], tlss[BATCH];
		for (int i = 0; i < BATCH; i++) {
			struct rec *r = &recs[base + i];
			void *ret = NULL;
			pthread_join(th[i], &ret);
			if (ret != (void *)(uintptr_t)(r->id * 3 + 1))
				bad_ret++, first_bad = first_bad < 0 ? r->id : first_bad;
			bad_pid += r->pid != pid;
			bad_tid += r->tid == main_tid || r->tid <= 0;
			stale += !r->tls_fresh;
			clobbered += !r->tls_kept;
			tids[i] = r->tid, selfs[i] = (long)r->self, tlss[i] = (long)r->tls_addr;
		}
		dup_tid += !distinct(tids, BATCH);
		dup_self += !distinct(selfs, BATCH);
		dup_tls += !distinct(tlss, BATCH);
	}
	pthread_barrier_destroy(&batch_barrier);
	check_eq("create_join_1000", created, NTHREADS);
	check(bad_ret == 0, "return_values", "%d threads returned a wrong value (first: %d)",
	      bad_ret, first_bad);
	check(bad_pid == 0, "getpid_same", "%d threads saw another getpid()", bad_pid);
	check(bad_tid == 0, "gettid_not_main", "%d threads had the main thread's TID", bad_tid);
	check(dup_tid == 0, "gettid_distinct", "%d batches had two threads with one TID", dup_tid);
	check(dup_self == 0, "pthread_self_distinct", "%d batches had two equal pthread_self",
	      dup_self);
	check(dup_tls == 0, "tls_address_distinct", "%d batches shared a __thread address",
	      dup_tls);
	check(stale == 0, "tls_initialised_from_image",
	      "%d threads started with TLS that was not the image's", stale);
	check(clobbered == 0, "tls_private", "%d threads found their TLS changed by others",
	      clobbered);
	check(tls_int == -1, "tls_main_untouched", "main thread's tls_int = %d, expected -1",
	      tls_int);
	check_eq("main_gettid_is_pid", main_tid, pid);
}

/* ---- detached threads ------------------------------------------------------ */

#define NDETACHED 40
static pthread_mutex_t det_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t det_cond = PTHREAD_COND_INITIALIZER;
static int det_finished, det_sum, det_self_detach_err;

static void *detached_thread(void *arg)
{
	int v = (int)(intptr_t)arg;
	if (v >= 1000) { /* the third kind detaches itself */
		int e = pthread_detach(pthread_self());
		if (e)
			__atomic_store_n(&det_self_detach_err, e, __ATOMIC_SEQ_CST);
	}
	pthread_mutex_lock(&det_lock);
	det_finished++;
	det_sum += v;
	pthread_cond_signal(&det_cond);
	pthread_mutex_unlock(&det_lock);
	return NULL;
}

static void detached(void)
{
	pthread_attr_t a;
	int state = -1, want_sum = 0, errs = 0;

	pthread_attr_init(&a);
	check_eq("attr_setdetachstate", pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED), 0);
	pthread_attr_getdetachstate(&a, &state);
	check_eq("attr_getdetachstate", state, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < NDETACHED; i++) {
		/* a third created detached, a third detached by main, a third by themselves */
		int v = i < NDETACHED / 3 ? i : i < 2 * NDETACHED / 3 ? 100 + i : 1000 + i;
		pthread_t t;
		want_sum += v;
		if (pthread_create(&t, v < 100 ? &a : NULL, detached_thread, (void *)(intptr_t)v))
			errs++;
		else if (v >= 100 && v < 1000 && pthread_detach(t))
			errs++;
	}
	pthread_attr_destroy(&a);
	check_eq("detached_create", errs, 0);

	/* Wait (5 s at most) for every one to report. */
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 5;
	pthread_mutex_lock(&det_lock);
	while (det_finished < NDETACHED)
		if (pthread_cond_timedwait(&det_cond, &det_lock, &dl) == ETIMEDOUT)
			break;
	int finished = det_finished, sum = det_sum;
	pthread_mutex_unlock(&det_lock);
	check_eq("detached_all_finished", finished, NDETACHED);
	check_eq("detached_sum", sum, want_sum);
	check_eq("detach_self", __atomic_load_n(&det_self_detach_err, __ATOMIC_SEQ_CST), 0);
}

/* ---- stacks -------------------------------------------------------------- */

struct stack_rec {
	size_t touch;		/* bytes of stack to use */
	uintptr_t local;	/* address of a local variable */
	uintptr_t lo, hi;	/* the stack pthread_getattr_np reports */
	size_t size;
	int touched_ok, tls_ok, getattr_ret;
};

/* Uses `touch` bytes of stack below this frame, one write per page. */
static __attribute__((noinline)) int use_stack(size_t touch)
{
	volatile char *buf = __builtin_alloca(touch);
	for (size_t i = 0; i < touch; i += 4096)
		buf[i] = (char)(i >> 12);
	int ok = 1;
	for (size_t i = 0; i < touch; i += 4096)
		if (buf[i] != (char)(i >> 12))
			ok = 0;
	return ok;
}

static void *stack_thread(void *arg)
{
	struct stack_rec *s = arg;
	int local = 0;
	pthread_attr_t a;
	void *addr = NULL;

	s->local = (uintptr_t)&local;
	s->tls_ok = tls_fresh_then_scribble(7) && tls_still_mine(7);
	s->getattr_ret = pthread_getattr_np(pthread_self(), &a);
	if (s->getattr_ret == 0) {
		pthread_attr_getstack(&a, &addr, &s->size);
		pthread_attr_destroy(&a);
		s->lo = (uintptr_t)addr, s->hi = (uintptr_t)addr + s->size;
	}
	s->touched_ok = use_stack(s->touch);
	return (void *)(uintptr_t)0x57ac;
}

static void run_stack(const char *name, pthread_attr_t *a, struct stack_rec *s)
{
	pthread_t t;
	void *ret = NULL;
	char n[80];

	int e = pthread_create(&t, a, stack_thread, s);
	snprintf(n, sizeof(n), "%s_create", name);
	if (!check(e == 0, n, "pthread_create: %s", errno_name(e)))
		return;
	pthread_join(t, &ret);
	snprintf(n, sizeof(n), "%s_ran", name);
	check(ret == (void *)(uintptr_t)0x57ac && s->touched_ok, n,
	      "returned %p, stack writes %s", ret, s->touched_ok ? "kept" : "lost");
	snprintf(n, sizeof(n), "%s_tls", name);
	check(s->tls_ok, n, "TLS was not the image's");
	snprintf(n, sizeof(n), "%s_getattr", name);
	check_eq(n, s->getattr_ret, 0);
	snprintf(n, sizeof(n), "%s_local_in_stack", name);
	check(s->local >= s->lo && s->local < s->hi, n,
	      "local variable at 0x%lx, stack 0x%lx-0x%lx", (unsigned long)s->local,
	      (unsigned long)s->lo, (unsigned long)s->hi);
}

static void stacks(void)
{
	pthread_attr_t a;
	size_t got = 0;

	/* 64 KiB: use 32 KiB of it (libc keeps its thread block and TLS there too). */
	struct stack_rec small = { .touch = 32 * 1024 };
	pthread_attr_init(&a);
	check_eq("setstacksize_64k", pthread_attr_setstacksize(&a, 64 * 1024), 0);
	pthread_attr_getstacksize(&a, &got);
	check_eq("getstacksize_64k", (long)got, 64 * 1024);
	run_stack("stack_64k", &a, &small);
	check(small.size >= 64 * 1024 && small.size < 1024 * 1024, "stack_64k_size",
	      "reported stack size %zu, asked 65536", small.size);
	pthread_attr_destroy(&a);

	/* 8 MiB: 7 MiB of it used (musl's default is 128 KiB, so this needs the attribute). */
	struct stack_rec big = { .touch = 7 * 1024 * 1024 };
	pthread_attr_init(&a);
	check_eq("setstacksize_8m", pthread_attr_setstacksize(&a, 8 * 1024 * 1024), 0);
	run_stack("stack_8m", &a, &big);
	check(big.size >= 8 * 1024 * 1024, "stack_8m_size", "reported stack size %zu", big.size);
	pthread_attr_destroy(&a);

	pthread_attr_init(&a);
	check_eq("setstacksize_too_small_einval", pthread_attr_setstacksize(&a, 1024), EINVAL);
	pthread_attr_destroy(&a);

	/* A stack the program allocates: the thread runs on it, every frame inside. */
	size_t sz = 256 * 1024;
	char *mem = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!check(mem != MAP_FAILED, "user_stack_mmap", "mmap: %s", errno_name(errno)))
		return;
	struct stack_rec user = { .touch = 64 * 1024 };
	pthread_attr_init(&a);
	check_eq("setstack", pthread_attr_setstack(&a, mem, sz), 0);
	run_stack("user_stack", &a, &user);
	check(user.local >= (uintptr_t)mem && user.local < (uintptr_t)mem + sz,
	      "user_stack_is_ours", "local variable at 0x%lx, our stack 0x%lx-0x%lx",
	      (unsigned long)user.local, (unsigned long)mem, (unsigned long)mem + sz);
	/* (musl keeps its thread block and TLS at the top of it and reports the rest) */
	check(user.lo == (uintptr_t)mem && user.hi <= (uintptr_t)mem + sz &&
		      user.hi > (uintptr_t)mem + sz / 2,
	      "user_stack_getattr", "getattr says 0x%lx-0x%lx, ours is 0x%lx-0x%lx", (unsigned long)user.lo,
	      (unsigned long)user.hi, (unsigned long)mem, (unsigned long)mem + sz);
	pthread_attr_destroy(&a);
	munmap(mem, sz);
}

/* ---- joins with a timeout ---------------------------------------------- */

static pthread_mutex_t hold_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cond = PTHREAD_COND_INITIALIZER;
static int hold_release;

static void *held_thread(void *arg)
{
	pthread_mutex_lock(&hold_lock);
	while (!hold_release)
		pthread_cond_wait(&hold_cond, &hold_lock);
	pthread_mutex_unlock(&hold_lock);
	return (void *)(uintptr_t)99;
}

/* pthread_timedjoin_np and pthread_tryjoin_np wait on the TID word the kernel
 * clears (and wakes) when the thread exits (CLONE_CHILD_CLEARTID). */
static void timed_joins(void)
{
	pthread_t t;
	void *ret = NULL;
	struct timespec t0, t1, dl;

	pthread_create(&t, NULL, held_thread, NULL);
	check_eq("tryjoin_running_ebusy", pthread_tryjoin_np(t, &ret), EBUSY);
	clock_gettime(CLOCK_REALTIME, &t0);
	dl = t0;
	dl.tv_nsec += 50 * 1000 * 1000;
	if (dl.tv_nsec >= 1000000000) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000;
	}
	int e = pthread_timedjoin_np(t, &ret, &dl);
	clock_gettime(CLOCK_REALTIME, &t1);
	check_eq("timedjoin_running_etimedout", e, ETIMEDOUT);
	check(t1.tv_sec > dl.tv_sec || (t1.tv_sec == dl.tv_sec && t1.tv_nsec >= dl.tv_nsec),
	      "timedjoin_waited", "returned before the deadline");

	pthread_mutex_lock(&hold_lock);
	hold_release = 1;
	pthread_cond_signal(&hold_cond);
	pthread_mutex_unlock(&hold_lock);
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 5;
	e = pthread_timedjoin_np(t, &ret, &dl);
	check_eq("timedjoin_finished", e, 0);
	check(ret == (void *)(uintptr_t)99, "timedjoin_value", "returned %p, expected 0x63", ret);
}

/* ---- a thread cancelling itself ---------------------------------------- */

static int cleanup_ran;

static void cleanup(void *arg)
{
	cleanup_ran = (int)(intptr_t)arg;
}

static void *self_cancel_thread(void *arg)
{
	int old = -1, r;
	long spins = 0;

	pthread_cleanup_push(cleanup, (void *)(intptr_t)77);
	/* Disabled: the request waits. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	r = pthread_cancel(pthread_self());
	pthread_testcancel();
	*(int *)arg = r == 0 && old == PTHREAD_CANCEL_ENABLE ? 1 : -1;
	/* Enabled and deferred: acted on at the next cancellation point. */
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	for (spins = 0; spins < 1000; spins++)
		pthread_testcancel();
	*(int *)arg = -2; /* not reached */
	pthread_cleanup_pop(0);
	return NULL;
}

static void self_cancel(void)
{
	pthread_t t;
	void *ret = NULL;
	int reached = 0;

	pthread_create(&t, NULL, self_cancel_thread, &reached);
	pthread_join(t, &ret);
	check(ret == PTHREAD_CANCELED, "self_cancel_canceled", "join returned %p, expected %p",
	      ret, PTHREAD_CANCELED);
	check_eq("self_cancel_deferred_while_disabled", reached, 1);
	check_eq("self_cancel_cleanup_ran", cleanup_ran, 77);
}

int main(void)
{
	check_init("threads_basic");
	many_threads();
	detached();
	stacks();
	timed_joins();
	self_cancel();
	return check_done();
}
