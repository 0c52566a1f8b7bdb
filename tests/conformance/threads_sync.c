/*
 * threads_sync.c: the pthread and POSIX synchronisation objects, which libc
 * builds on futex(2): normal, recursive, error-checking and
 * priority-inheritance mutexes; condition variables (signal, broadcast,
 * timed waits on CLOCK_REALTIME and CLOCK_MONOTONIC); read-write locks;
 * barriers; semaphores; pthread_once.
 *
 * Waits that a broken kernel could make endless have a deadline, so a
 * failure is a FAIL line rather than a hang. Only the main thread reports
 * checks; the other threads record what they saw.
 */
#define _GNU_SOURCE
/* sched_fifo.c runs this same program under another scheduler policy, by another name. */
#ifndef THREADS_SYNC_PROG
#define THREADS_SYNC_PROG "threads_sync"
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "thread_util.h"


/* ---- mutexes --------------------------------------------------------------- */

struct other_try {
	pthread_mutex_t *m;
	int try_unlock; /* only where a foreign unlock is defined (EPERM) */
	int trylock, unlock;
};

/* From another thread: trylock (unlocking if it succeeded), then maybe an
 * unlock of the mutex it does not own. */
static void *other_thread_try(void *arg)
{
	struct other_try *o = arg;
	o->trylock = pthread_mutex_trylock(o->m);
	if (o->trylock == 0)
		pthread_mutex_unlock(o->m);
	if (o->try_unlock)
		o->unlock = pthread_mutex_unlock(o->m);
	return NULL;
}

static struct other_try try_other(pthread_mutex_t *m, int try_unlock)
{
	struct other_try o = { m, try_unlock, -1, -1 };
	pthread_t t;
	pthread_create(&t, NULL, other_thread_try, &o);
	pthread_join(t, NULL);
	return o;
}

static int init_mutex(pthread_mutex_t *m, int type, int protocol)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	int e = pthread_mutexattr_settype(&a, type);
	if (!e && protocol >= 0)
		e = pthread_mutexattr_setprotocol(&a, protocol);
	if (!e)
		e = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return e;
}

struct counter {
	pthread_mutex_t *m;
	long *value;
	int iters;
	pid_t tid;
	int ready, errors;
};

static void *count_thread(void *arg)
{
	struct counter *c = arg;
	c->tid = gettid_();
	__atomic_store_n(&c->ready, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < c->iters; i++) {
		if (pthread_mutex_lock(c->m))
			c->errors++;
		long v = *c->value; /* a torn read-modify-write if the lock fails */
		__asm__ volatile("" ::: "memory");
		*c->value = v + 1;
		if (pthread_mutex_unlock(c->m))
			c->errors++;
	}
	return NULL;
}

/*
 * 4 threads x iters increments of one counter. The main thread holds the
 * mutex while they start, so they begin by sleeping in the kernel on it.
 */
static void contend(const char *name, pthread_mutex_t *m, int iters)
{
	pthread_t t[4];
	struct counter c[4];
	long value = 0;
	int errors = 0;
	char n[64];

	pthread_mutex_lock(m);
	for (int i = 0; i < 4; i++) {
		c[i] = (struct counter){ m, &value, iters, 0, 0, 0 };
		pthread_create(&t[i], NULL, count_thread, &c[i]);
	}
	for (int i = 0; i < 4; i++) {
		while (!__atomic_load_n(&c[i].ready, __ATOMIC_SEQ_CST))
			sleep_ms(1);
		until_sleeping(c[i].tid);
	}
	pthread_mutex_unlock(m);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		errors += c[i].errors;
	}
	snprintf(n, sizeof(n), "%s_contended_count", name);
	check_eq(n, value, 4L * iters);
	snprintf(n, sizeof(n), "%s_contended_no_errors", name);
	check_eq(n, errors, 0);
}

static void mutexes(void)
{
	pthread_mutex_t m;
	struct other_try o;

	/* Normal. */
	check_eq("normal_init", init_mutex(&m, PTHREAD_MUTEX_NORMAL, -1), 0);
	check_eq("normal_lock", pthread_mutex_lock(&m), 0);
	check_eq("normal_trylock_held_ebusy", pthread_mutex_trylock(&m), EBUSY);
	o = try_other(&m, 0);
	check_eq("normal_trylock_other_ebusy", o.trylock, EBUSY);
	check_eq("normal_unlock", pthread_mutex_unlock(&m), 0);
	check_eq("normal_trylock_free", pthread_mutex_trylock(&m), 0);
	pthread_mutex_unlock(&m);
	contend("normal", &m, 20000);
	check_eq("normal_destroy", pthread_mutex_destroy(&m), 0);

	/* Recursive: the owner may lock again; as many unlocks release it. */
	check_eq("recursive_init", init_mutex(&m, PTHREAD_MUTEX_RECURSIVE, -1), 0);
	int ok = 1;
	for (int i = 0; i < 3; i++)
		ok &= pthread_mutex_lock(&m) == 0;
	ok &= pthread_mutex_trylock(&m) == 0;
	check(ok, "recursive_relock", "a nested lock failed");
	o = try_other(&m, 1);
	check_eq("recursive_other_trylock_ebusy", o.trylock, EBUSY);
	check_eq("recursive_other_unlock_eperm", o.unlock, EPERM);
	ok = 1;
	for (int i = 0; i < 3; i++)
		ok &= pthread_mutex_unlock(&m) == 0;
	o = try_other(&m, 1);
	check_eq("recursive_still_held_after_3_of_4", o.trylock, EBUSY);
	check_eq("recursive_last_unlock", pthread_mutex_unlock(&m), 0);
	check(ok, "recursive_unlocks", "an unlock failed");
	check_eq("recursive_unlock_unowned_eperm", pthread_mutex_unlock(&m), EPERM);
	o = try_other(&m, 1);
	check_eq("recursive_free_for_others", o.trylock, 0);
	contend("recursive", &m, 20000);
	pthread_mutex_destroy(&m);

	/* Error-checking: relock is EDEADLK, unlock by a non-owner is EPERM. */
	check_eq("errorcheck_init", init_mutex(&m, PTHREAD_MUTEX_ERRORCHECK, -1), 0);
	check_eq("errorcheck_lock", pthread_mutex_lock(&m), 0);
	check_eq("errorcheck_relock_edeadlk", pthread_mutex_lock(&m), EDEADLK);
	check_eq("errorcheck_trylock_held_ebusy", pthread_mutex_trylock(&m), EBUSY);
	o = try_other(&m, 1);
	check_eq("errorcheck_other_unlock_eperm", o.unlock, EPERM);
	check_eq("errorcheck_other_trylock_ebusy", o.trylock, EBUSY);
	check_eq("errorcheck_unlock", pthread_mutex_unlock(&m), 0);
	check_eq("errorcheck_unlock_unlocked_eperm", pthread_mutex_unlock(&m), EPERM);
	contend("errorcheck", &m, 20000);
	pthread_mutex_destroy(&m);

	/*
	 * Priority inheritance: the lock word holds the owner's TID and a
	 * contended lock sleeps in FUTEX_LOCK_PI; unlocking with waiters goes
	 * through FUTEX_UNLOCK_PI, which hands the lock over.
	 */
	int e = init_mutex(&m, PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_INHERIT);
	check_eq("pi_init", e, 0);
	if (e == 0) {
		int proto = -1;
		pthread_mutexattr_t a;
		pthread_mutexattr_init(&a);
		pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
		pthread_mutexattr_getprotocol(&a, &proto);
		pthread_mutexattr_destroy(&a);
		check_eq("pi_getprotocol", proto, PTHREAD_PRIO_INHERIT);
		check_eq("pi_lock", pthread_mutex_lock(&m), 0);
		o = try_other(&m, 0);
		check_eq("pi_other_trylock_ebusy", o.trylock, EBUSY);
		check_eq("pi_unlock", pthread_mutex_unlock(&m), 0);
		contend("pi", &m, 1000); /* every contended PI unlock is a kernel handoff */
		pthread_mutex_destroy(&m);
	}
	e = init_mutex(&m, PTHREAD_MUTEX_ERRORCHECK, PTHREAD_PRIO_INHERIT);
	check_eq("pi_errorcheck_init", e, 0);
	if (e == 0) {
		pthread_mutex_lock(&m);
		check_eq("pi_errorcheck_relock_edeadlk", pthread_mutex_lock(&m), EDEADLK);
		o = try_other(&m, 1);
		check_eq("pi_errorcheck_other_unlock_eperm", o.unlock, EPERM);
		check_eq("pi_errorcheck_unlock", pthread_mutex_unlock(&m), 0);
		pthread_mutex_destroy(&m);
	}
}

/* ---- condition variables ----------------------------------------------- */

static pthread_mutex_t cv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t cv_back = PTHREAD_COND_INITIALIZER; /* waiters -> main */
static int cv_waiting, cv_generation, cv_woken, cv_errors;

/* Waits for cv_generation to move past the value it saw (5 s at most). */
static void *cv_waiter(void *arg)
{
	struct timespec dl = ts_ns(now_ns(CLOCK_REALTIME) + 5000 * MS);
	pthread_mutex_lock(&cv_lock);
	int gen = cv_generation;
	cv_waiting++;
	pthread_cond_signal(&cv_back);
	while (cv_generation == gen) {
		int e = pthread_cond_timedwait(&cv, &cv_lock, &dl);
		if (e == ETIMEDOUT)
			break;
		if (e)
			cv_errors++;
	}
	if (cv_generation != gen)
		cv_woken++;
	cv_waiting--;
	pthread_cond_signal(&cv_back);
	pthread_mutex_unlock(&cv_lock);
	return NULL;
}

/* With cv_lock held: waits (5 s at most) until pred() holds. */
static int cv_main_wait(int (*pred)(void))
{
	struct timespec dl = ts_ns(now_ns(CLOCK_REALTIME) + 5000 * MS);
	while (!pred())
		if (pthread_cond_timedwait(&cv_back, &cv_lock, &dl) == ETIMEDOUT)
			return pred();
	return 1;
}

static int want_n;
static int all_waiting(void) { return cv_waiting == want_n; }
static int all_woken(void) { return cv_woken == want_n && cv_waiting == 0; }

static void timedwait_case(const char *name, pthread_cond_t *c, clockid_t clk)
{
	pthread_mutex_t m;
	char n[80];

	init_mutex(&m, PTHREAD_MUTEX_ERRORCHECK, -1);
	pthread_mutex_lock(&m);
	long long dl = now_ns(clk) + 50 * MS;
	struct timespec ts = ts_ns(dl);
	int e = pthread_cond_timedwait(c, &m, &ts);
	long long now = now_ns(clk);
	snprintf(n, sizeof(n), "%s_etimedout", name);
	check_eq(n, e, ETIMEDOUT);
	snprintf(n, sizeof(n), "%s_deadline", name);
	check(now >= dl, n, "returned %lld ns before the deadline", dl - now);
	/* The mutex is held again on return: this unlock succeeds, a second cannot. */
	snprintf(n, sizeof(n), "%s_mutex_reacquired", name);
	check(pthread_mutex_unlock(&m) == 0 && pthread_mutex_unlock(&m) == EPERM, n,
	      "mutex not owned after the timed wait");
	pthread_mutex_destroy(&m);
}

static void condvars(void)
{
	pthread_t t[5];

	/* Timeouts on CLOCK_REALTIME (the default) and CLOCK_MONOTONIC. */
	pthread_condattr_t ca;
	pthread_cond_t mono;
	clockid_t clk = -1;
	pthread_condattr_init(&ca);
	pthread_condattr_getclock(&ca, &clk);
	check_eq("condattr_default_realtime", clk, CLOCK_REALTIME);
	check_eq("condattr_setclock_monotonic", pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), 0);
	pthread_condattr_getclock(&ca, &clk);
	check_eq("condattr_getclock_monotonic", clk, CLOCK_MONOTONIC);
	pthread_cond_init(&mono, &ca);
	pthread_condattr_destroy(&ca);
	timedwait_case("timedwait_realtime", &cv, CLOCK_REALTIME);
	timedwait_case("timedwait_monotonic", &mono, CLOCK_MONOTONIC);

	pthread_mutex_lock(&cv_lock);
	struct timespec past = ts_ns(now_ns(CLOCK_REALTIME) - 1000 * MS);
	check_eq("timedwait_past_etimedout", pthread_cond_timedwait(&cv, &cv_lock, &past),
		 ETIMEDOUT);
	struct timespec bad = { 0, 1000000000L };
	check_eq("timedwait_bad_nsec_einval", pthread_cond_timedwait(&cv, &cv_lock, &bad), EINVAL);
	pthread_mutex_unlock(&cv_lock);
	pthread_cond_destroy(&mono);

	/* Signal: one waiter, woken. */
	pthread_mutex_lock(&cv_lock);
	want_n = 1;
	cv_woken = 0;
	pthread_create(&t[0], NULL, cv_waiter, NULL);
	check(cv_main_wait(all_waiting), "signal_waiter_waiting", "the waiter never waited");
	cv_generation++;
	pthread_cond_signal(&cv);
	check(cv_main_wait(all_woken), "signal_wakes", "%d woken, expected 1", cv_woken);
	pthread_mutex_unlock(&cv_lock);
	pthread_join(t[0], NULL);

	/* Broadcast: all five, from one call. (A waiter counted in cv_waiting
	 * under the mutex is inside pthread_cond_wait once we hold it again.) */
	pthread_mutex_lock(&cv_lock);
	want_n = 5;
	cv_woken = 0;
	for (int i = 0; i < 5; i++)
		pthread_create(&t[i], NULL, cv_waiter, NULL);
	check(cv_main_wait(all_waiting), "broadcast_all_waiting", "%d of 5 waiting", cv_waiting);
	cv_generation++;
	pthread_cond_broadcast(&cv);
	check(cv_main_wait(all_woken), "broadcast_wakes_all", "%d of 5 woken", cv_woken);
	pthread_mutex_unlock(&cv_lock);
	for (int i = 0; i < 5; i++)
		pthread_join(t[i], NULL);
	check_eq("condvar_no_errors", cv_errors, 0);
}

/* ---- read-write locks -------------------------------------------------- */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static int readers_in, readers_max, reader_errors;

/* Holds a read lock until all 4 readers hold it at once (2 s at most). */
static void *reader(void *arg)
{
	if (pthread_rwlock_rdlock(&rw)) {
		__atomic_add_fetch(&reader_errors, 1, __ATOMIC_SEQ_CST);
		return NULL;
	}
	int n = __atomic_add_fetch(&readers_in, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 2000 && n < 4; i++) {
		sleep_ms(1);
		n = __atomic_load_n(&readers_in, __ATOMIC_SEQ_CST);
	}
	int m = __atomic_load_n(&readers_max, __ATOMIC_SEQ_CST);
	while (n > m && !__atomic_compare_exchange_n(&readers_max, &m, n, 0, __ATOMIC_SEQ_CST,
						     __ATOMIC_SEQ_CST))
		;
	/* Wait for the main thread's checks while still holding the lock. */
	while (!__atomic_load_n((int *)arg, __ATOMIC_SEQ_CST))
		sleep_ms(1);
	pthread_rwlock_unlock(&rw);
	return NULL;
}

static long rw_a, rw_b; /* a writer keeps them equal */
static int rw_torn;

static void *rw_worker(void *arg)
{
	int writer = (int)(intptr_t)arg;
	for (int i = 0; i < 20000; i++) {
		if (writer) {
			pthread_rwlock_wrlock(&rw);
			rw_a++;
			__asm__ volatile("" ::: "memory");
			rw_b++;
			pthread_rwlock_unlock(&rw);
		} else {
			pthread_rwlock_rdlock(&rw);
			if (*(volatile long *)&rw_a != *(volatile long *)&rw_b)
				__atomic_add_fetch(&rw_torn, 1, __ATOMIC_SEQ_CST);
			pthread_rwlock_unlock(&rw);
		}
	}
	return NULL;
}

struct rw_try {
	int tryrd, trywr, timedwr;
};

static void *rw_try_thread(void *arg)
{
	struct rw_try *r = arg;
	r->tryrd = pthread_rwlock_tryrdlock(&rw);
	if (r->tryrd == 0)
		pthread_rwlock_unlock(&rw);
	r->trywr = pthread_rwlock_trywrlock(&rw);
	if (r->trywr == 0)
		pthread_rwlock_unlock(&rw);
	struct timespec dl = ts_ns(now_ns(CLOCK_REALTIME) + 50 * MS);
	r->timedwr = pthread_rwlock_timedwrlock(&rw, &dl);
	if (r->timedwr == 0)
		pthread_rwlock_unlock(&rw);
	return NULL;
}

static struct rw_try rw_try_other(void)
{
	struct rw_try r = { -1, -1, -1 };
	pthread_t t;
	pthread_create(&t, NULL, rw_try_thread, &r);
	pthread_join(t, NULL);
	return r;
}

static void rwlocks(void)
{
	pthread_t t[4];
	int release = 0;

	/* Readers share it: all four hold the read lock at the same time. */
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, reader, &release);
	for (int i = 0; i < 2000 && __atomic_load_n(&readers_max, __ATOMIC_SEQ_CST) < 4; i++)
		sleep_ms(1);
	check_eq("readers_concurrent", __atomic_load_n(&readers_max, __ATOMIC_SEQ_CST), 4);
	struct rw_try r = rw_try_other();
	check_eq("readers_held_tryrdlock_ok", r.tryrd, 0);
	check_eq("readers_held_trywrlock_ebusy", r.trywr, EBUSY);
	check_eq("readers_held_timedwrlock_etimedout", r.timedwr, ETIMEDOUT);
	__atomic_store_n(&release, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	check_eq("reader_errors", reader_errors, 0);

	/* A writer excludes everyone. */
	check_eq("wrlock", pthread_rwlock_wrlock(&rw), 0);
	r = rw_try_other();
	check_eq("writer_held_tryrdlock_ebusy", r.tryrd, EBUSY);
	check_eq("writer_held_trywrlock_ebusy", r.trywr, EBUSY);
	check_eq("writer_held_timedwrlock_etimedout", r.timedwr, ETIMEDOUT);
	check_eq("wrlock_unlock", pthread_rwlock_unlock(&rw), 0);
	r = rw_try_other();
	check_eq("free_trywrlock_ok", r.trywr, 0);

	/* Two writers and two readers: readers never see a half-done update. */
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, rw_worker, (void *)(intptr_t)(i < 2));
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	check_eq("rw_writes_counted", rw_a, 40000);
	check_eq("rw_writes_paired", rw_b, 40000);
	check_eq("rw_readers_never_torn", rw_torn, 0);
}

/* ---- barriers -------------------------------------------------------------- */

#define BAR_THREADS 4
#define BAR_ROUNDS 20
static pthread_barrier_t bar;
static int bar_arrived[BAR_ROUNDS], bar_serial[BAR_ROUNDS], bar_other[BAR_ROUNDS];
static int bar_early; /* a thread passed before all had arrived */

static void *bar_thread(void *arg)
{
	for (int r = 0; r < BAR_ROUNDS; r++) {
		__atomic_add_fetch(&bar_arrived[r], 1, __ATOMIC_SEQ_CST);
		int e = pthread_barrier_wait(&bar);
		if (__atomic_load_n(&bar_arrived[r], __ATOMIC_SEQ_CST) != BAR_THREADS)
			__atomic_add_fetch(&bar_early, 1, __ATOMIC_SEQ_CST);
		if (e == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_add_fetch(&bar_serial[r], 1, __ATOMIC_SEQ_CST);
		else if (e == 0)
			__atomic_add_fetch(&bar_other[r], 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void barriers(void)
{
	pthread_t t[BAR_THREADS];
	pthread_barrier_t b0;

	check_eq("barrier_count_0_einval", pthread_barrier_init(&b0, NULL, 0), EINVAL);
	check_eq("barrier_init", pthread_barrier_init(&bar, NULL, BAR_THREADS), 0);
	for (int i = 0; i < BAR_THREADS; i++)
		pthread_create(&t[i], NULL, bar_thread, NULL);
	for (int i = 0; i < BAR_THREADS; i++)
		pthread_join(t[i], NULL);
	int serial_ok = 1, other_ok = 1;
	for (int r = 0; r < BAR_ROUNDS; r++) {
		serial_ok &= bar_serial[r] == 1;
		other_ok &= bar_other[r] == BAR_THREADS - 1;
	}
	check(serial_ok, "barrier_serial_once_per_round",
	      "some round had a PTHREAD_BARRIER_SERIAL_THREAD count other than 1");
	check(other_ok, "barrier_others_zero", "some round had a count of 0 returns other than 3");
	check_eq("barrier_nobody_early", bar_early, 0);
	check_eq("barrier_destroy", pthread_barrier_destroy(&bar), 0);

	/* A barrier of 1 releases at once, its one waiter being the serial one. */
	pthread_barrier_init(&b0, NULL, 1);
	check_eq("barrier_of_one", pthread_barrier_wait(&b0), PTHREAD_BARRIER_SERIAL_THREAD);
	pthread_barrier_destroy(&b0);
}

/* ---- semaphores ---------------------------------------------------------- */

static sem_t sem_items, sem_done;

static void *sem_producer(void *arg)
{
	for (int i = 0; i < 1000; i++)
		sem_post(&sem_items);
	return NULL;
}

static void *sem_late_poster(void *arg)
{
	sleep_ms(30);
	sem_post(&sem_done);
	return NULL;
}

static void semaphores(void)
{
	sem_t s;
	int v = -1;

	check_eq("sem_init", sem_init(&s, 0, 0), 0);
	check_errno("sem_trywait_zero_eagain", sem_trywait(&s), EAGAIN);
	long long dl = now_ns(CLOCK_REALTIME) + 50 * MS;
	struct timespec ts = ts_ns(dl);
	int r = sem_timedwait(&s, &ts);
	long long now = now_ns(CLOCK_REALTIME);
	check_errno("sem_timedwait_etimedout", r, ETIMEDOUT);
	check(now >= dl, "sem_timedwait_deadline", "returned %lld ns early", dl - now);
	struct timespec bad = { 0, 1000000000L };
	check_errno("sem_timedwait_bad_nsec_einval", sem_timedwait(&s, &bad), EINVAL);
	check_eq("sem_post", sem_post(&s), 0);
	sem_getvalue(&s, &v);
	check_eq("sem_getvalue_1", v, 1);
	check_eq("sem_trywait_ok", sem_trywait(&s), 0);
	sem_getvalue(&s, &v);
	check_eq("sem_getvalue_0", v, 0);
	check_errno("sem_init_too_big_einval", sem_init(&s, 0, (unsigned)SEM_VALUE_MAX + 1u), EINVAL);
	sem_destroy(&s);

	/* 1000 posts from another thread, 1000 waits here. */
	sem_init(&sem_items, 0, 0);
	pthread_t t;
	pthread_create(&t, NULL, sem_producer, NULL);
	int got = 0;
	struct timespec limit = ts_ns(now_ns(CLOCK_REALTIME) + 5000 * MS);
	for (int i = 0; i < 1000; i++)
		if (sem_timedwait(&sem_items, &limit) == 0)
			got++;
	pthread_join(t, NULL);
	check_eq("sem_posts_all_received", got, 1000);
	sem_getvalue(&sem_items, &v);
	check_eq("sem_posts_value_0", v, 0);
	sem_destroy(&sem_items);

	/* A sem_wait that sleeps until another thread posts. */
	sem_init(&sem_done, 0, 0);
	pthread_create(&t, NULL, sem_late_poster, NULL);
	long long t0 = now_ns(CLOCK_MONOTONIC);
	check_eq("sem_wait_woken_by_post", sem_wait(&sem_done), 0);
	long long el = now_ns(CLOCK_MONOTONIC) - t0;
	check(el >= 20 * MS, "sem_wait_slept", "sem_wait returned after %lld ns, the post came "
					       "after 30 ms", el);
	pthread_join(t, NULL);
	sem_destroy(&sem_done);
}

/* ---- pthread_once -------------------------------------------------------- */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_calls, once_value, once_go;
static int once_seen[8];

static void once_init(void)
{
	__atomic_add_fetch(&once_calls, 1, __ATOMIC_SEQ_CST);
	sleep_ms(30); /* the other callers must wait for this to finish */
	once_value = 42;
}

static void *once_thread(void *arg)
{
	while (!__atomic_load_n(&once_go, __ATOMIC_SEQ_CST))
		sched_yield();
	pthread_once(&once, once_init);
	once_seen[(intptr_t)arg] = once_value;
	return NULL;
}

static void onces(void)
{
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, once_thread, (void *)(intptr_t)i);
	__atomic_store_n(&once_go, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	check_eq("once_called_once", once_calls, 1);
	int ok = 1;
	for (int i = 0; i < 8; i++)
		ok &= once_seen[i] == 42;
	check(ok, "once_all_saw_init", "a thread returned from pthread_once before init finished");
	pthread_once(&once, once_init);
	check_eq("once_again_not_called", once_calls, 1);
}

int main(void)
{
	check_init(THREADS_SYNC_PROG);
	mutexes();
	condvars();
	rwlocks();
	barriers();
	semaphores();
	onces();
	return check_done();
}
