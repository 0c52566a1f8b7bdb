/*
 * clocks.c: clock_gettime, clock_getres, gettimeofday, time, nanosleep and
 * clock_nanosleep. Each clock is read both through libc (which may use the
 * vDSO) and through the raw system call.
 * Usage: clocks EPOCH, where EPOCH is the host's time(NULL) when the
 * harness started the run; CLOCK_REALTIME must be within 5 s of it.
 */
// test-args: @NOW@
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define NSEC 1000000000LL

static long long ns(const struct timespec *t)
{
	return t->tv_sec * NSEC + t->tv_nsec;
}

static int raw_clock_gettime(clockid_t id, struct timespec *t)
{
	return (int)syscall(SYS_clock_gettime, id, t);
}

static void realtime(const char *epoch_arg)
{
	struct timespec t1, t2;
	struct timeval tv;

	check_eq("realtime", clock_gettime(CLOCK_REALTIME, &t1), 0);
	if (!epoch_arg) {
		fail("realtime_near_host", "no EPOCH argument");
	} else {
		long long host = strtoll(epoch_arg, NULL, 10);
		long long diff = t1.tv_sec - host;
		check(diff >= -5 && diff <= 5, "realtime_near_host",
		      "CLOCK_REALTIME %lld s, host said %lld s (diff %lld s)",
		      (long long)t1.tv_sec, host, diff);
	}

	/* gettimeofday truncates a time between two clock_gettime reads. */
	clock_gettime(CLOCK_REALTIME, &t1);
	int r = gettimeofday(&tv, NULL);
	clock_gettime(CLOCK_REALTIME, &t2);
	long long us = tv.tv_sec * 1000000LL + tv.tv_usec;
	check(r == 0 && ns(&t1) / 1000 <= us && us <= ns(&t2) / 1000 &&
		      tv.tv_usec >= 0 && tv.tv_usec < 1000000,
	      "gettimeofday_agrees", "gettimeofday %lld us, clock_gettime %lld..%lld us",
	      us, ns(&t1) / 1000, ns(&t2) / 1000);

	/* time() may come from the coarse clock, a tick behind. */
	clock_gettime(CLOCK_REALTIME, &t1);
	time_t now = time(NULL);
	time_t now2 = 0;
	time(&now2);
	clock_gettime(CLOCK_REALTIME, &t2);
	check(now >= t1.tv_sec - 1 && now <= t2.tv_sec && now2 >= now, "time",
	      "time() = %lld, clock_gettime %lld..%lld s", (long long)now,
	      (long long)t1.tv_sec, (long long)t2.tv_sec);

	struct timespec raw;
	clock_gettime(CLOCK_REALTIME, &t1);
	r = raw_clock_gettime(CLOCK_REALTIME, &raw);
	clock_gettime(CLOCK_REALTIME, &t2);
	check(r == 0 && ns(&t1) <= ns(&raw) && ns(&raw) <= ns(&t2), "realtime_syscall",
	      "syscall %lld ns between libc reads %lld..%lld", ns(&raw), ns(&t1),
	      ns(&t2));
}

static void monotonic(void)
{
	struct timespec prev, t;
	int ok = 1, valid = 1;

	clock_gettime(CLOCK_MONOTONIC, &prev);
	for (int i = 0; i < 200000 && ok; i++) {
		if (i % 1000 == 0)
			raw_clock_gettime(CLOCK_MONOTONIC, &t);
		else
			clock_gettime(CLOCK_MONOTONIC, &t);
		valid &= t.tv_nsec >= 0 && t.tv_nsec < NSEC;
		if (ns(&t) < ns(&prev))
			ok = 0;
		else
			prev = t;
	}
	check(ok, "monotonic_never_backwards", "%lld ns after %lld ns", ns(&t), ns(&prev));
	check(valid, "monotonic_nsec_range", "tv_nsec out of [0, 1e9)");

	/* The same holds across a sleep and between libc and the raw syscall. */
	clock_gettime(CLOCK_MONOTONIC, &prev);
	struct timespec raw;
	raw_clock_gettime(CLOCK_MONOTONIC, &raw);
	clock_gettime(CLOCK_MONOTONIC, &t);
	check(ns(&prev) <= ns(&raw) && ns(&raw) <= ns(&t), "monotonic_syscall_agrees",
	      "syscall %lld ns, libc %lld..%lld ns", ns(&raw), ns(&prev), ns(&t));

	struct timespec boot, mono;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	check_eq("boottime", clock_gettime(CLOCK_BOOTTIME, &boot), 0);
	check(ns(&boot) >= ns(&mono), "boottime_ge_monotonic",
	      "BOOTTIME %lld ns < MONOTONIC %lld ns", ns(&boot), ns(&mono));
}

static void other_clocks(void)
{
	static const struct { clockid_t id; const char *name; } clocks[] = {
		{ CLOCK_REALTIME_COARSE, "clock_realtime_coarse" },
		{ CLOCK_MONOTONIC_COARSE, "clock_monotonic_coarse" },
		{ CLOCK_MONOTONIC_RAW, "clock_monotonic_raw" },
		{ CLOCK_PROCESS_CPUTIME_ID, "clock_process_cputime" },
		{ CLOCK_THREAD_CPUTIME_ID, "clock_thread_cputime" },
	};
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		struct timespec t = { -1, -1 };
		int r = clock_gettime(clocks[i].id, &t);
		int e = errno;
		check(r == 0 && t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < NSEC,
		      clocks[i].name, "returned %d (%s), {%lld, %ld}", r,
		      r ? errno_name(e) : "ok", (long long)t.tv_sec, t.tv_nsec);
	}

	/* CPU time advances while the process computes. */
	struct timespec c0, c1, w0, w;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	clock_gettime(CLOCK_MONOTONIC, &w0);
	volatile unsigned long spin = 0;
	do {
		for (int i = 0; i < 100000; i++)
			spin++;
		clock_gettime(CLOCK_MONOTONIC, &w);
	} while (ns(&w) - ns(&w0) < 50 * 1000 * 1000);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	check(ns(&c1) > ns(&c0), "cputime_advances",
	      "process CPU time %lld ns -> %lld ns over 50 ms of spinning", ns(&c0),
	      ns(&c1));

	struct timespec t;
	check_errno("bad_clock_einval", raw_clock_gettime(100, &t), EINVAL);
	check_errno("bad_pointer_efault",
		    raw_clock_gettime(CLOCK_MONOTONIC, (struct timespec *)8), EFAULT);
}

static void resolution(void)
{
	struct timespec res = { -1, -1 };

	check_eq("getres_realtime", clock_getres(CLOCK_REALTIME, &res), 0);
	/* High-resolution timers give 1 ns; without them it is one tick. */
	int r = clock_getres(CLOCK_MONOTONIC, &res);
	check(r == 0 && res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000,
	      "getres_monotonic", "returned %d, {%lld, %ld}", r, (long long)res.tv_sec,
	      res.tv_nsec);
	check_eq("getres_null", clock_getres(CLOCK_MONOTONIC, NULL), 0);
	check_errno("getres_bad_clock_einval", syscall(SYS_clock_getres, 100, &res),
		    EINVAL);
}

static void sleeps(void)
{
	struct timespec t0, t1, req = { 0, 10 * 1000 * 1000 };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	int r = nanosleep(&req, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long long d = ns(&t1) - ns(&t0);
	check(r == 0 && d >= 10 * 1000 * 1000 && d < NSEC, "nanosleep_10ms",
	      "returned %d, slept %lld ns", r, d);

	/* An absolute deadline: the clock has passed it on return. */
	struct timespec target;
	clock_gettime(CLOCK_MONOTONIC, &target);
	target.tv_nsec += 20 * 1000 * 1000;
	if (target.tv_nsec >= NSEC) {
		target.tv_sec++;
		target.tv_nsec -= NSEC;
	}
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	check(r == 0 && ns(&t1) >= ns(&target) && ns(&t1) - ns(&target) < NSEC,
	      "clock_nanosleep_abstime", "returned %d, woke %lld ns after the deadline",
	      r, ns(&t1) - ns(&target));

	/* A deadline in the past returns at once. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct timespec past = { 0, 1 };
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	check(r == 0 && ns(&t1) - ns(&t0) < NSEC / 2, "clock_nanosleep_past",
	      "returned %d after %lld ns", r, ns(&t1) - ns(&t0));

	req.tv_sec = 0;
	req.tv_nsec = 5 * 1000 * 1000;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	check(r == 0 && ns(&t1) - ns(&t0) >= 5 * 1000 * 1000,
	      "clock_nanosleep_relative", "returned %d after %lld ns", r,
	      ns(&t1) - ns(&t0));

	struct timespec zero = { 0, 0 };
	check_eq("nanosleep_zero", nanosleep(&zero, NULL), 0);
	struct timespec bad = { 0, NSEC };
	check_errno("nanosleep_bad_nsec_einval", syscall(SYS_nanosleep, &bad, NULL),
		    EINVAL);
	struct timespec neg = { -1, 0 };
	check_errno("nanosleep_negative_einval", syscall(SYS_nanosleep, &neg, NULL),
		    EINVAL);
	check_errno("nanosleep_null_efault", syscall(SYS_nanosleep, NULL, NULL), EFAULT);
	/* clock_nanosleep returns the error number instead of setting errno. */
	check_eq("clock_nanosleep_bad_clock", clock_nanosleep(100, 0, &zero, NULL),
		 EINVAL);
}

int main(int argc, char **argv)
{
	check_init("clocks");
	realtime(argc > 1 ? argv[1] : NULL);
	monotonic();
	other_clocks();
	resolution();
	sleeps();
	return check_done();
}
