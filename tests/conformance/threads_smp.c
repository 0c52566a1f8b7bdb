/*
 * threads_smp.c: threads on several CPUs.
 *
 * - Unpinned spinners (two per usable CPU) compute a fixed sum each, exact,
 *   and sample sched_getcpu(): every sample names a CPU of the affinity
 *   mask, and with two or more usable CPUs at least two CPUs show up within
 *   1 s, so threads really run in parallel. Linux does not promise that
 *   when other processes keep every CPU busy (the balancer then counts our
 *   threads on one CPU as a fair share), so the check is made only when
 *   /proc/stat shows the CPUs were not busy with other work meanwhile.
 * - Pinned threads: each pins itself with sched_setaffinity to one CPU
 *   (CPU 0 and the next ones of the mask, up to 8) and sched_getcpu must
 *   name that CPU while it spins and after it sleeps; the mask it reads
 *   back is its own, the main thread's is unchanged.
 * - A counter incremented 8 x 1e6 times under one mutex, and 8 x 1e6 times
 *   with atomic adds, comes out exact.
 *
 * It passes on one CPU too (and under `taskset -c 0`): "usable" is the
 * smaller of the online CPUs and the affinity mask. monos gives a VM one
 * CPU unless told otherwise, hence --smp.
 */
// monos-args: --smp 4
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "thread_util.h"

#define MAX_THREADS 64
#define SPIN_ITERS 4000000	/* about 5-10 ms per thread on a current CPU */
#define SAMPLE_EVERY 100000

/* xorshift64: a fixed amount of work with one exact answer. */
static uint64_t work(uint64_t seed, long iters)
{
	uint64_t x = seed, sum = 0;
	for (long i = 0; i < iters; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		sum += x;
	}
	return sum;
}

/* ---- spread over CPUs ------------------------------------------------------ */

#define SPREAD_LIMIT_NS 1000000000LL /* keep looking for a second CPU this long */

static cpu_set_t allowed;
static int start_flag, started;
static unsigned char seen_any[CPU_SETSIZE]; /* CPUs any spinner ran on */
static int distinct_seen, distinct_wanted;
static long long spread_deadline;

/* CPU time all CPUs spent busy (the "cpu" line of /proc/stat, every column
 * but idle and iowait), in ns; -1 if unreadable. */
static long long system_busy_ns(void)
{
	char buf[512];
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return -1;
	int n = fgets(buf, sizeof(buf), f) ? sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
						       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
						       &v[6], &v[7]) : 0;
	fclose(f);
	if (n < 4)
		return -1;
	long hz = sysconf(_SC_CLK_TCK);
	unsigned long long ticks = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	return (long long)(ticks * (1000000000ULL / (unsigned long long)(hz > 0 ? hz : 100)));
}

struct spinner {
	pthread_t th;
	uint64_t seed, result;
	int bad_cpu, bad_cpu_value;
};

/* Records the CPU this thread is on now. */
static void sample(struct spinner *s)
{
	int c = sched_getcpu();
	if (c < 0 || c >= CPU_SETSIZE || !CPU_ISSET(c, &allowed)) {
		s->bad_cpu++;
		s->bad_cpu_value = c;
	} else if (!__atomic_load_n(&seen_any[c], __ATOMIC_RELAXED) &&
		   !__atomic_exchange_n(&seen_any[c], 1, __ATOMIC_SEQ_CST)) {
		__atomic_add_fetch(&distinct_seen, 1, __ATOMIC_SEQ_CST);
	}
}

static void *spinner_main(void *arg)
{
	struct spinner *s = arg;
	uint64_t x = s->seed, sum = 0;

	/* Everyone starts together, so the threads want CPUs at the same time. */
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&start_flag, __ATOMIC_SEQ_CST))
		;
	for (long i = 0; i < SPIN_ITERS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		sum += x;
		if (i % SAMPLE_EVERY == 0)
			sample(s);
	}
	s->result = sum;
	/* Stay busy until the threads were seen on two CPUs, or time is up:
	 * a loaded host may take a while to give this process a second CPU. */
	while (__atomic_load_n(&distinct_seen, __ATOMIC_SEQ_CST) < distinct_wanted &&
	       now_ns(CLOCK_MONOTONIC) < spread_deadline) {
		work(s->seed, SAMPLE_EVERY);
		sample(s);
	}
	return NULL;
}

static void spread(void)
{
	static struct spinner sp[MAX_THREADS];
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	int in_mask = 0;

	check(online >= 1, "nprocessors_onln", "sysconf gives %ld", online);
	check_eq("sched_getaffinity", sched_getaffinity(0, sizeof(allowed), &allowed), 0);
	in_mask = CPU_COUNT(&allowed);
	/* (musl's _SC_NPROCESSORS_ONLN counts the affinity mask, glibc's does not) */
	check(in_mask >= 1 && in_mask <= online, "affinity_count",
	      "%d CPUs in the affinity mask, %ld online", in_mask, online);
	int usable = in_mask < online ? in_mask : (int)online;
	/* Two spinners per usable CPU: with more runnable threads than CPUs the
	 * load balancer spreads them sooner on a busy host. */
	int n = 2 * usable;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	if (n < 1)
		n = 1;
	distinct_wanted = usable > 1 ? 2 : 1;

	for (int i = 0; i < n; i++)
		sp[i].seed = 0x9e3779b97f4a7c15ull + i;
	long long t0 = now_ns(CLOCK_MONOTONIC), busy0 = system_busy_ns();
	long long own0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	spread_deadline = t0 + SPREAD_LIMIT_NS;
	for (int i = 0; i < n; i++)
		pthread_create(&sp[i].th, NULL, spinner_main, &sp[i]);
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < n)
		sched_yield();
	__atomic_store_n(&start_flag, 1, __ATOMIC_SEQ_CST);
	int results_ok = 1, bad_cpu = 0, bad_value = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(sp[i].th, NULL);
		results_ok &= sp[i].result == work(sp[i].seed, SPIN_ITERS);
		if (sp[i].bad_cpu)
			bad_cpu += sp[i].bad_cpu, bad_value = sp[i].bad_cpu_value;
	}
	int distinct = __atomic_load_n(&distinct_seen, __ATOMIC_SEQ_CST);
	long long wall = now_ns(CLOCK_MONOTONIC) - t0, busy1 = system_busy_ns();
	long long own = now_ns(CLOCK_PROCESS_CPUTIME_ID) - own0;
	/* CPU time other processes used meanwhile (all CPUs together). */
	long long others = busy0 < 0 || busy1 < 0 ? 0 : busy1 - busy0 - own;
	printf("threads_smp: %ld CPUs online, %d in the affinity mask, %d threads, "
	       "%d distinct CPUs seen in %lld ms; other processes used %lld ms of CPU\n",
	       online, in_mask, n, distinct, wall / 1000000, others / 1000000);
	check(results_ok, "spin_results_exact", "a spinning thread computed a wrong sum");
	check(bad_cpu == 0, "getcpu_in_affinity_mask",
	      "%d samples named CPU %d, not in the affinity mask", bad_cpu, bad_value);
	check(distinct >= 1, "cpus_seen", "no CPU sampled");
	if (usable > 1 && distinct < 2 && others > wall / 2)
		printf("threads_smp: other processes kept the CPUs busy (%lld ms of CPU in %lld ms), "
		       "so the threads need not have spread: parallel_on_2_cpus not checked\n",
		       others / 1000000, wall / 1000000);
	else if (usable > 1)
		check(distinct >= 2, "parallel_on_2_cpus",
		      "%d threads on %d usable CPUs ran on %d distinct CPUs in %lld ms", n, usable,
		      distinct, wall / 1000000);
}

/* ---- contended counters -------------------------------------------------- */

#define COUNTERS 8
#define INCREMENTS 1000000

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long locked_count, atomic_count;
static int count_go;

static void *mutex_incr(void *arg)
{
	while (!__atomic_load_n(&count_go, __ATOMIC_SEQ_CST))
		;
	for (int i = 0; i < INCREMENTS; i++) {
		pthread_mutex_lock(&count_lock);
		locked_count++;
		pthread_mutex_unlock(&count_lock);
	}
	return NULL;
}

static void *atomic_incr(void *arg)
{
	while (!__atomic_load_n(&count_go, __ATOMIC_SEQ_CST))
		;
	for (int i = 0; i < INCREMENTS; i++)
		__atomic_fetch_add(&atomic_count, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void counters(void *(*fn)(void *))
{
	pthread_t t[COUNTERS];
	__atomic_store_n(&count_go, 0, __ATOMIC_SEQ_CST);
	for (int i = 0; i < COUNTERS; i++)
		pthread_create(&t[i], NULL, fn, NULL);
	__atomic_store_n(&count_go, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < COUNTERS; i++)
		pthread_join(t[i], NULL);
}

/* ---- affinity -------------------------------------------------------------- */

#define MAX_PINNED 8

struct pinned {
	pthread_t th;
	int cpu;
	int set_ret, set_err, get_ret, mask_is_cpu;
	int samples, wrong, wrong_value, after_sleep;
};

static int pin_go;

static void *pin_thread(void *arg)
{
	struct pinned *p = arg;
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(p->cpu, &s);
	p->set_ret = sched_setaffinity(0, sizeof(s), &s); /* 0: the calling thread */
	p->set_err = errno;
	while (!__atomic_load_n(&pin_go, __ATOMIC_SEQ_CST))
		;
	/* All pinned threads spin at once, each on its own CPU. */
	for (int i = 0; i < 20; i++) {
		int c = sched_getcpu();
		p->samples++;
		if (c != p->cpu)
			p->wrong++, p->wrong_value = c;
		work(i, 50000);
	}
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	nanosleep(&ts, NULL); /* and when woken after a sleep */
	p->after_sleep = sched_getcpu();
	CPU_ZERO(&s);
	p->get_ret = sched_getaffinity(0, sizeof(s), &s);
	p->mask_is_cpu = CPU_COUNT(&s) == 1 && CPU_ISSET(p->cpu, &s);
	return NULL;
}

static void affinity(void)
{
	static struct pinned p[MAX_PINNED];
	cpu_set_t s;
	int n = 0;

	/* An empty mask, or one naming no CPU that exists: EINVAL. */
	CPU_ZERO(&s);
	check_errno("setaffinity_empty_einval", sched_setaffinity(0, sizeof(s), &s), EINVAL);
	CPU_ZERO(&s);
	CPU_SET(CPU_SETSIZE - 1, &s);
	check_errno("setaffinity_no_such_cpu_einval", sched_setaffinity(0, sizeof(s), &s), EINVAL);

	for (int c = 0; c < CPU_SETSIZE && n < MAX_PINNED; c++)
		if (CPU_ISSET(c, &allowed))
			p[n++].cpu = c;
	if (n == 0) {
		fail("pinned_getcpu", "no CPU in the affinity mask to pin a thread to");
		return;
	}
	if (!CPU_ISSET(0, &allowed))
		printf("threads_smp: CPU 0 is not in the affinity mask; pinned to CPU %d first\n",
		       p[0].cpu);
	for (int i = 0; i < n; i++)
		pthread_create(&p[i].th, NULL, pin_thread, &p[i]);
	__atomic_store_n(&pin_go, 1, __ATOMIC_SEQ_CST);
	int set_ok = 1, get_ok = 1, wrong = 0, slept_ok = 1, distinct = 0, first_bad = -1;
	int bad_value = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(p[i].th, NULL);
		set_ok &= p[i].set_ret == 0;
		get_ok &= p[i].get_ret == 0 && p[i].mask_is_cpu;
		if ((p[i].wrong || p[i].after_sleep != p[i].cpu) && first_bad < 0)
			first_bad = p[i].cpu,
			bad_value = p[i].wrong ? p[i].wrong_value : p[i].after_sleep;
		wrong += p[i].wrong;
		slept_ok &= p[i].after_sleep == p[i].cpu;
		distinct += p[i].wrong == 0 && p[i].samples > 0;
	}
	char name[64];
	snprintf(name, sizeof(name), "pinned_getcpu_cpu%d", p[0].cpu);
	check(p[0].set_ret == 0 && p[0].wrong == 0 && p[0].after_sleep == p[0].cpu, name,
	      "setaffinity %s; sched_getcpu gave %d in %d of %d samples, %d after a sleep",
	      errno_name(p[0].set_ret ? p[0].set_err : 0), p[0].wrong_value, p[0].wrong,
	      p[0].samples, p[0].after_sleep);
	check(set_ok, "setaffinity_each_cpu", "a thread could not pin itself to its CPU");
	check(wrong == 0 && slept_ok, "pinned_getcpu_each_cpu",
	      "the thread pinned to CPU %d ran on CPU %d", first_bad, bad_value);
	check(get_ok, "pinned_getaffinity_own_mask", "a pinned thread read back another mask");
	check_eq("pinned_threads_distinct_cpus", distinct, n);
	printf("threads_smp: pinned %d threads to %d CPUs\n", n, distinct);

	/* The mask was the pinned threads' own: the main thread's is unchanged. */
	CPU_ZERO(&s);
	sched_getaffinity(0, sizeof(s), &s);
	check(CPU_EQUAL(&s, &allowed), "affinity_per_thread", "the main thread's mask changed");
}

int main(void)
{
	check_init("threads_smp");
	spread();

	counters(mutex_incr);
	check_eq("mutex_counter_exact", locked_count, (long)COUNTERS * INCREMENTS);
	counters(atomic_incr);
	check_eq("atomic_counter_exact", atomic_count, (long)COUNTERS * INCREMENTS);

	affinity();
	return check_done();
}
