/* Thread operations for `make bench` (bench/threads.sh): instructions per operation, read with
 * rdtsc around N iterations. Under `qemu -icount shift=0,sleep=off` the guest TSC counts
 * instructions since reset (of every CPU: TCG runs the vCPUs in turn on one host thread and
 * one instruction counter), so a difference of two reads is the instructions that ran in
 * between: the program's own, the kernel's for it, interrupts, and, with two CPUs, whatever
 * the other CPU did meanwhile (idle loop included).
 * The same static binary runs under monos and as /init (pid 1) of a Linux initramfs, where
 * nothing is mounted: it needs no /proc. It prints
 *   threads_create_join=I     pthread_create + pthread_join of a thread that returns at once
 *   threads_futex_pingpong=I  one round trip: A wakes B through one futex word, waits for
 *                             B's answer on another (FUTEX_WAKE/WAIT_PRIVATE, raw syscalls)
 *   threads_pingpong_cpus=A,B the CPUs (sched_getcpu) A and B were on at the end of it
 *   threads_yield_1=I         sched_yield() with one thread
 *   threads_yield_2=I         sched_yield() with two threads pinned to CPU 0 yielding to
 *                             each other (per call: both threads' calls counted)
 * then "hello" (the bench's sign that the program ran to its end), and returns 0.
 * Each figure is the total over N iterations divided by N, after a few warm-up iterations
 * (glibc's thread-stack cache, first faults). A failing call prints "threads_error=..." and
 * the program returns 1 without printing "hello". */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

#define TSC_REPORT_PREFIX "threads_"
#include "tsc_report.h"

#define N_CREATE	200
#define N_PINGPONG	2000
#define N_YIELD		10000
#define WARMUP		20

/* --- 1. create + join ------------------------------------------------------------------- */
static void *nothing(void *arg)
{
	return arg;
}

static void create_join(unsigned long n)
{
	pthread_t t;
	int e;

	for (unsigned long i = 0; i < n; i++) {
		if ((e = pthread_create(&t, NULL, nothing, NULL)))
			die("pthread_create", e);
		if ((e = pthread_join(t, NULL)))
			die("pthread_join", e);
	}
}

/* --- 2. futex ping-pong ------------------------------------------------------------------ */
/* Round i (from 1): A stores ping = i and wakes B; B, waiting while ping == i - 1, stores
 * pong = i and wakes A, who waits while pong == i - 1. Waiting on the old value means no
 * wake-up can be lost: FUTEX_WAIT returns at once (EAGAIN) when the word has moved on. */
static _Atomic unsigned int ping, pong;
static int ponger_cpu = -1;

static long futex(_Atomic unsigned int *word, int op, unsigned int val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

static void wait_while(_Atomic unsigned int *word, unsigned int old)
{
	while (atomic_load_explicit(word, memory_order_acquire) == old)
		if (futex(word, FUTEX_WAIT_PRIVATE, old) < 0 && errno != EAGAIN && errno != EINTR)
			die("FUTEX_WAIT_PRIVATE", errno);
}

static void post(_Atomic unsigned int *word, unsigned int val)
{
	atomic_store_explicit(word, val, memory_order_release);
	if (futex(word, FUTEX_WAKE_PRIVATE, 1) < 0)
		die("FUTEX_WAKE_PRIVATE", errno);
}

static void *ponger(void *arg)
{
	unsigned long rounds = (unsigned long)arg;

	for (unsigned int i = 1; i <= rounds; i++) {
		wait_while(&ping, i - 1);
		post(&pong, i);
	}
	ponger_cpu = sched_getcpu();
	return NULL;
}

static void pingpong(void)
{
	unsigned long long t0, t1;
	pthread_t t;
	int e, cpu;

	if ((e = pthread_create(&t, NULL, ponger, (void *)(unsigned long)(WARMUP + N_PINGPONG))))
		die("pthread_create", e);
	for (unsigned int i = 1; i <= WARMUP; i++) {
		post(&ping, i);
		wait_while(&pong, i - 1);
	}
	t0 = __rdtsc();
	for (unsigned int i = WARMUP + 1; i <= WARMUP + N_PINGPONG; i++) {
		post(&ping, i);
		wait_while(&pong, i - 1);
	}
	t1 = __rdtsc();
	cpu = sched_getcpu();
	if ((e = pthread_join(t, NULL)))
		die("pthread_join", e);
	report("futex_pingpong", t0, t1, N_PINGPONG);
	printf("threads_pingpong_cpus=%d,%d\n", cpu, ponger_cpu);
}

/* --- 3. sched_yield ---------------------------------------------------------------------- */
static void yield_n(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (sched_yield())
			die("sched_yield", errno);
}

static void pin_cpu0(pthread_t t)
{
	cpu_set_t set;
	int e;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if ((e = pthread_setaffinity_np(t, sizeof(set), &set)))
		die("pthread_setaffinity_np", e);
}

static _Atomic int yielder_ready, go;

static void *yielder(void *arg)
{
	pin_cpu0(pthread_self());
	atomic_store(&yielder_ready, 1);
	while (!atomic_load(&go))
		sched_yield();
	yield_n((unsigned long)arg);
	return NULL;
}

/* Both threads on CPU 0, each calling sched_yield() N times: the CPU alternates between
 * them. Timed from the start signal until the main thread has made its N calls (by then the
 * other has made about N too), divided by 2N calls. */
static void yield_two(void)
{
	unsigned long long t0, t1;
	pthread_t t;
	int e;

	pin_cpu0(pthread_self());
	if ((e = pthread_create(&t, NULL, yielder, (void *)(unsigned long)N_YIELD)))
		die("pthread_create", e);
	while (!atomic_load(&yielder_ready))
		sched_yield();
	yield_n(WARMUP);
	atomic_store(&go, 1);
	t0 = __rdtsc();
	yield_n(N_YIELD);
	t1 = __rdtsc();
	if ((e = pthread_join(t, NULL)))
		die("pthread_join", e);
	report("yield_2", t0, t1, 2 * N_YIELD);
}

int main(void)
{
	unsigned long long t0, t1;

	setvbuf(stdout, NULL, _IOLBF, 0);

	create_join(WARMUP);
	t0 = __rdtsc();
	create_join(N_CREATE);
	t1 = __rdtsc();
	report("create_join", t0, t1, N_CREATE);

	pingpong();

	yield_n(WARMUP);
	t0 = __rdtsc();
	yield_n(N_YIELD);
	t1 = __rdtsc();
	report("yield_1", t0, t1, N_YIELD);

	yield_two();	/* last: it pins the main thread to CPU 0 */

	printf("hello\n");
	fflush(stdout);
	return 0;
}
