/*
 * clocks.c: clock_gettime, clock_getres, clock_settime, gettimeofday,
 * settimeofday, time, nanosleep and clock_nanosleep, for every clock id Linux
 * has and for the CPU-time clocks of threads (pthread_getcpuclockid) and of
 * the process. Each clock is read both through libc (which may use the vDSO)
 * and through the raw system call.
 * Setting the clock: natively this program must never move the host's clock,
 * so only calls that Linux refuses before touching the time are made (EINVAL,
 * EFAULT, EPERM for CPU clocks). Round trips that really set the time run
 * only when the program is its machine's init (pid 1, as under monos): then
 * the clock it moves is its own, and it puts the time back.
 * Usage: clocks EPOCH, where EPOCH is the host's time(NULL) when the
 * harness started the run; CLOCK_REALTIME must be within 5 s of it.
 */
// test-args: @NOW@
#define _GNU_SOURCE
#include <pthread.h>
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

static long long clock_ns(clockid_t id)
{
	struct timespec t = { 0, 0 };
	clock_gettime(id, &t);
	return ns(&t);
}

static struct timespec ts_of(long long v)
{
	struct timespec t = { (time_t)(v / NSEC), (long)(v % NSEC) };
	return t;
}

/* Linux's CPU-clock id for a pid or tid (include/linux/posix-timers.h: ~pid << 3 | which, bit 2
 * for a thread); what clock_getcpuclockid and pthread_getcpuclockid return, built by hand for
 * ids libc would not hand out. */
static clockid_t cpu_clock_id(int pid, int thread, int which)
{
	return (clockid_t)(((unsigned)~pid << 3) | (thread ? 4 : 0) | which);
}

/* A pid no Linux can have: above PID_MAX_LIMIT (4,194,304). */
#define NO_SUCH_PID 0x7fffff00

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

/* The clock ids past the basic two: TAI runs with REALTIME (plus the TAI offset, 0 until adjtimex
 * sets one, 37 s on a host whose NTP daemon sets it); MONOTONIC_RAW agrees between libc and the
 * syscall; the alarm clocks exist only with an RTC device (EINVAL without one, as on a VM with
 * none); 10 (the old SGI cycle counter) and ids past TAI are invalid. */
static void more_clocks(void)
{
	struct timespec a, b, k;
	clock_gettime(CLOCK_REALTIME, &a);
	int r = clock_gettime(CLOCK_TAI, &k);
	clock_gettime(CLOCK_REALTIME, &b);
	long long off = ns(&k) - ns(&a);
	check(r == 0 && off >= 0 && ns(&k) - ns(&b) <= 100 * NSEC, "tai",
	      "returned %d, TAI - REALTIME = %lld ns", r, off);

	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	r = raw_clock_gettime(CLOCK_MONOTONIC_RAW, &k);
	clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	check(r == 0 && ns(&a) <= ns(&k) && ns(&k) <= ns(&b), "monotonic_raw_syscall_agrees",
	      "syscall %lld ns, libc %lld..%lld ns", ns(&k), ns(&a), ns(&b));

	static const struct { clockid_t id, twin; const char *name; } alarms[] = {
		{ CLOCK_REALTIME_ALARM, CLOCK_REALTIME, "realtime_alarm" },
		{ CLOCK_BOOTTIME_ALARM, CLOCK_BOOTTIME, "boottime_alarm" },
	};
	for (int i = 0; i < 2; i++) {
		long long before = clock_ns(alarms[i].twin);
		errno = 0;
		r = raw_clock_gettime(alarms[i].id, &k);
		int e = errno;
		long long after = clock_ns(alarms[i].twin);
		check((r == 0 && before <= ns(&k) && ns(&k) <= after) || (r == -1 && e == EINVAL),
		      alarms[i].name, "returned %d (%s), %lld ns; its twin read %lld..%lld ns", r,
		      errno_name(e), ns(&k), before, after);
	}
	check_errno("sgi_cycle_einval", raw_clock_gettime(10, &k), EINVAL);
	check_errno("clock_12_einval", raw_clock_gettime(12, &k), EINVAL);
}

/* ---- CPU-time clocks -------------------------------------------------------------------------- */

struct spinner {
	clockid_t clock;             /* its own CPU clock (pthread_getcpuclockid) */
	long long cpu0, cpu1;        /* its CPU time before and after spinning */
	volatile int done, stop;
};

/* Spins until its own CPU clock has grown 30 ms (at most 5 s of wall time), then idles in 1 ms
 * sleeps until told to stop, so the main thread can read its clock from outside. */
static void *spin_main(void *arg)
{
	struct spinner *s = arg;
	long long w0 = clock_ns(CLOCK_MONOTONIC);
	s->cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	do {
		for (volatile int i = 0; i < 10000; i++)
			;
		s->cpu1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	} while (s->cpu1 - s->cpu0 < 30 * 1000 * 1000 && clock_ns(CLOCK_MONOTONIC) - w0 < 5 * NSEC);
	s->done = 1;
	while (!s->stop) {
		struct timespec ms = { 0, 1000 * 1000 };
		nanosleep(&ms, NULL);
	}
	return NULL;
}

static void *sleep_main(void *arg)
{
	struct timespec t = { 0, 300 * 1000 * 1000 };
	nanosleep(&t, NULL);
	return arg;
}

static void cpu_clocks(void)
{
	clockid_t pc = 0, pc2 = 0, self = 0;
	struct timespec t, res;
	check_eq("clock_getcpuclockid_self", clock_getcpuclockid(0, &pc), 0);
	check_eq("clock_getcpuclockid_pid", clock_getcpuclockid(getpid(), &pc2), 0);
	long long p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	int r = raw_clock_gettime(pc, &t);
	long long p1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	check(r == 0 && p0 <= ns(&t) && ns(&t) <= p1, "process_clock_id",
	      "returned %d, %lld ns; CLOCK_PROCESS_CPUTIME_ID %lld..%lld", r, ns(&t), p0, p1);
	check_eq("process_clock_id_pid", raw_clock_gettime(pc2, &t), 0);

	check_eq("pthread_getcpuclockid_self", pthread_getcpuclockid(pthread_self(), &self), 0);
	long long t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	r = raw_clock_gettime(self, &t);
	long long t1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	check(r == 0 && t0 <= ns(&t) && ns(&t) <= t1, "thread_clock_id_self",
	      "returned %d, %lld ns; CLOCK_THREAD_CPUTIME_ID %lld..%lld", r, ns(&t), t0, t1);
	check(clock_getres(self, &res) == 0 && res.tv_sec == 0 && res.tv_nsec == 1,
	      "thread_clock_id_res", "{%lld, %ld}, expected 1 ns (CPUCLOCK_SCHED)",
	      (long long)res.tv_sec, res.tv_nsec);

	/* A spinning thread's clock grows; read from outside, it shows at least what the thread
	 * saw; the process clock includes it; once the thread is gone, its id names nothing. */
	struct spinner s = { 0 };
	pthread_t th;
	if (pthread_create(&th, NULL, spin_main, &s) != 0) {
		fail("spinning_thread", "pthread_create failed");
		return;
	}
	pthread_getcpuclockid(th, &s.clock);
	while (!s.done) {
		struct timespec ms = { 0, 1000 * 1000 };
		nanosleep(&ms, NULL);
	}
	check(s.cpu1 - s.cpu0 >= 30 * 1000 * 1000, "thread_cputime_spinning_grows",
	      "CLOCK_THREAD_CPUTIME_ID %lld -> %lld ns while spinning", s.cpu0, s.cpu1);
	r = raw_clock_gettime(s.clock, &t);
	check(r == 0 && ns(&t) >= s.cpu1, "other_thread_clock",
	      "returned %d, %lld ns; the thread itself saw %lld ns", r, ns(&t), s.cpu1);
	long long proc = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	check(proc >= s.cpu1 + t1, "process_cputime_includes_threads",
	      "process %lld ns; the spinner %lld ns and this thread %lld ns", proc, s.cpu1, t1);
	s.stop = 1;
	pthread_join(th, NULL);
	check_errno("exited_thread_clock_einval", raw_clock_gettime(s.clock, &t), EINVAL);
	check(clock_ns(CLOCK_PROCESS_CPUTIME_ID) >= proc, "process_cputime_keeps_exited",
	      "the process clock went back when a thread exited");

	/* A sleeping thread's clock stands still. */
	clockid_t sc;
	if (pthread_create(&th, NULL, sleep_main, NULL) != 0) {
		fail("sleeping_thread", "pthread_create failed");
		return;
	}
	pthread_getcpuclockid(th, &sc);
	struct timespec settle = { 0, 30 * 1000 * 1000 }, watch = { 0, 100 * 1000 * 1000 };
	nanosleep(&settle, NULL);
	struct timespec a, b;
	int ra = raw_clock_gettime(sc, &a);
	nanosleep(&watch, NULL);
	int rb = raw_clock_gettime(sc, &b);
	check(ra == 0 && rb == 0 && ns(&b) - ns(&a) < 2 * 1000 * 1000,
	      "thread_cputime_sleeping_still", "returned %d/%d; %lld -> %lld ns over 100 ms of sleep",
	      ra, rb, ns(&a), ns(&b));
	pthread_join(th, NULL);

	/* Ids that name nothing: a pid or tid no system has, and the clock-fd form (which 3). */
	check_errno("no_such_process_clock", raw_clock_gettime(cpu_clock_id(NO_SUCH_PID, 0, 2), &t),
		    EINVAL);
	check_errno("no_such_thread_clock", raw_clock_gettime(cpu_clock_id(NO_SUCH_PID, 1, 2), &t),
		    EINVAL);
	check_errno("no_such_thread_getres",
		    (long)syscall(SYS_clock_getres, cpu_clock_id(NO_SUCH_PID, 1, 2), &res), EINVAL);
	check_errno("cpu_clock_which3_einval", raw_clock_gettime(cpu_clock_id(0, 1, 3), &t), EINVAL);
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

	/* The coarse clocks and the PROF/VIRT CPU clocks tick (HZ between 100 and 1000); the
	 * high-resolution clocks are finer; CPUCLOCK_SCHED, the CPU-time ids' sample, is 1 ns. */
	static const struct { clockid_t id; const char *name; int kind; } res_of[] = {
		{ CLOCK_REALTIME, "getres.realtime", 0 },
		{ CLOCK_MONOTONIC_RAW, "getres.monotonic_raw", 0 },
		{ CLOCK_BOOTTIME, "getres.boottime", 0 },
		{ CLOCK_TAI, "getres.tai", 0 },
		{ CLOCK_REALTIME_COARSE, "getres.realtime_coarse", 1 },
		{ CLOCK_MONOTONIC_COARSE, "getres.monotonic_coarse", 1 },
		{ CLOCK_PROCESS_CPUTIME_ID, "getres.process_cputime", 2 },
		{ CLOCK_THREAD_CPUTIME_ID, "getres.thread_cputime", 2 },
	};
	struct timespec tick = { 0, 0 };
	clock_getres(CLOCK_MONOTONIC_COARSE, &tick);
	for (size_t i = 0; i < sizeof(res_of) / sizeof(res_of[0]); i++) {
		res.tv_sec = res.tv_nsec = -1;
		r = clock_getres(res_of[i].id, &res);
		long n = res.tv_nsec;
		int ok = r == 0 && res.tv_sec == 0;
		if (res_of[i].kind == 0)
			ok = ok && n > 0 && n < tick.tv_nsec;
		else if (res_of[i].kind == 1)
			ok = ok && n >= 1000000 && n <= 10000000;
		else
			ok = ok && n == 1;
		check(ok, res_of[i].name, "returned %d, {%lld, %ld}; the tick is %ld ns", r,
		      (long long)res.tv_sec, n, tick.tv_nsec);
	}
	/* Linux's (NSEC_PER_SEC + HZ - 1) / HZ for PROF and TICK_NSEC for the coarse clocks: equal
	 * but for rounding. */
	r = clock_getres(cpu_clock_id(0, 1, 0), &res);
	long d = res.tv_nsec - tick.tv_nsec;
	check(r == 0 && res.tv_sec == 0 && d >= -1 && d <= 1, "getres.thread_prof_is_tick",
	      "returned %d, {%lld, %ld}; the tick is %ld ns", r, (long long)res.tv_sec,
	      res.tv_nsec, tick.tv_nsec);
	check_errno("getres_bad_clock_einval", syscall(SYS_clock_getres, 100, &res),
		    EINVAL);
}

/* ---- setting the clock ------------------------------------------------------------------------ */

struct abs_sleeper {
	long long target;   /* CLOCK_REALTIME deadline */
	int ret;
	long long slept;    /* monotonic ns it took */
};

static void *abs_sleep_main(void *arg)
{
	struct abs_sleeper *a = arg;
	struct timespec t = ts_of(a->target);
	long long m0 = clock_ns(CLOCK_MONOTONIC);
	a->ret = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &t, NULL);
	a->slept = clock_ns(CLOCK_MONOTONIC) - m0;
	return NULL;
}

static int set_realtime(long long v)
{
	struct timespec t = ts_of(v);
	return (int)syscall(SYS_clock_settime, CLOCK_REALTIME, &t);
}

/* Only as the machine's init: the clock moved is this program's own. */
static void settime_round_trip(void)
{
	const long long jump = 1000 * NSEC;
	long long m0 = clock_ns(CLOCK_MONOTONIC), r0 = clock_ns(CLOCK_REALTIME);
	check_eq("settime_forward", set_realtime(r0 + jump), 0);
	struct timespec k;
	long long libc = clock_ns(CLOCK_REALTIME);
	raw_clock_gettime(CLOCK_REALTIME, &k);
	long long m1 = clock_ns(CLOCK_MONOTONIC);
	check(libc >= r0 + jump && libc - (r0 + jump) < NSEC && ns(&k) >= libc,
	      "settime_seen", "set %lld, libc reads %lld, syscall %lld ns", r0 + jump, libc, ns(&k));
	check(m1 >= m0 && m1 - m0 < NSEC, "settime_monotonic_unmoved",
	      "MONOTONIC %lld -> %lld ns across the set", m0, m1);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	check(tv.tv_sec >= (r0 + jump) / NSEC && tv.tv_sec <= (r0 + jump) / NSEC + 1 &&
		      time(NULL) >= (r0 + jump) / NSEC,
	      "settime_gettimeofday_time", "gettimeofday %lld s, expected %lld s",
	      (long long)tv.tv_sec, (r0 + jump) / NSEC);
	/* The wall clock may not be set before the machine started (Linux: EINVAL). */
	struct timespec early = { 0, 1 };
	check_errno("settime_before_boot_einval", syscall(SYS_clock_settime, CLOCK_REALTIME, &early),
		    EINVAL);

	/* An absolute CLOCK_REALTIME sleep wakes when the clock is set past its deadline. */
	struct abs_sleeper a = { clock_ns(CLOCK_REALTIME) + 10 * NSEC, -1, 0 };
	pthread_t th;
	if (pthread_create(&th, NULL, abs_sleep_main, &a) == 0) {
		struct timespec settle = { 0, 50 * 1000 * 1000 };
		nanosleep(&settle, NULL);
		set_realtime(clock_ns(CLOCK_REALTIME) + 20 * NSEC);
		pthread_join(th, NULL);
		check(a.ret == 0 && a.slept < 5 * NSEC, "settime_wakes_abs_sleeper",
		      "returned %d after %lld ns (deadline 10 s ahead, clock set 20 s forward)",
		      a.ret, a.slept);
	} else {
		fail("settime_wakes_abs_sleeper", "pthread_create failed");
	}

	/* settimeofday: the zone comes back from gettimeofday (the syscall's: musl's gettimeofday
	 * never fills in a zone; vdso.c compares the vDSO's with the syscall's). */
	struct timezone tz = { 60, 0 }, kgot = { -1, -1 };
	check_eq("settimeofday_tz", syscall(SYS_settimeofday, NULL, &tz), 0);
	syscall(SYS_gettimeofday, NULL, &kgot);
	check(kgot.tz_minuteswest == 60 && kgot.tz_dsttime == 0, "settimeofday_tz_seen",
	      "{%d, %d}, expected {60, 0}", kgot.tz_minuteswest, kgot.tz_dsttime);
	tz.tz_minuteswest = 0;
	syscall(SYS_settimeofday, NULL, &tz);

	/* Back: the start value plus the monotonic time since, through settimeofday this time. */
	long long back = r0 + (clock_ns(CLOCK_MONOTONIC) - m0);
	struct timeval btv = { (time_t)(back / NSEC), (long)(back % NSEC / 1000) };
	check_eq("settimeofday_back", syscall(SYS_settimeofday, &btv, NULL), 0);
	long long now = clock_ns(CLOCK_REALTIME);
	check(now >= back - 1000 && now - back < NSEC, "settime_restored",
	      "REALTIME %lld ns, expected about %lld", now, back);
}

static void settime(void)
{
	struct timespec t = { 0, NSEC };
	check_errno("settime_bad_nsec", syscall(SYS_clock_settime, CLOCK_REALTIME, &t), EINVAL);
	t.tv_sec = -1;
	t.tv_nsec = 0;
	check_errno("settime_negative", syscall(SYS_clock_settime, CLOCK_REALTIME, &t), EINVAL);
	/* Linux's TIME_SETTOD_SEC_MAX: KTIME_SEC_MAX less 30 years. */
	t.tv_sec = 9223372036LL - 946080000LL + 1;
	check_errno("settime_too_late", syscall(SYS_clock_settime, CLOCK_REALTIME, &t), EINVAL);
	check_errno("settime_efault", syscall(SYS_clock_settime, CLOCK_REALTIME, (void *)8), EFAULT);
	/* Clocks without a setter refuse before reading the time. */
	check_errno("settime_monotonic", syscall(SYS_clock_settime, CLOCK_MONOTONIC, (void *)8),
		    EINVAL);
	check_errno("settime_coarse", syscall(SYS_clock_settime, CLOCK_REALTIME_COARSE, (void *)8),
		    EINVAL);
	t.tv_sec = 1;
	check_errno("settime_process_cputime",
		    syscall(SYS_clock_settime, CLOCK_PROCESS_CPUTIME_ID, &t), EINVAL);
	/* A CPU clock id names a clock that exists but that nobody may set. */
	clockid_t self;
	pthread_getcpuclockid(pthread_self(), &self);
	check_errno("settime_thread_clock_eperm", syscall(SYS_clock_settime, self, &t), EPERM);
	check_errno("settime_no_such_thread",
		    syscall(SYS_clock_settime, cpu_clock_id(NO_SUCH_PID, 1, 2), &t), EINVAL);

	struct timeval tv = { 0, 1000000 };
	check_errno("settimeofday_usec_1e6", syscall(SYS_settimeofday, &tv, NULL), EINVAL);
	tv.tv_usec = -1;
	check_errno("settimeofday_usec_negative", syscall(SYS_settimeofday, &tv, NULL), EINVAL);
	check_errno("settimeofday_efault", syscall(SYS_settimeofday, (void *)8, NULL), EFAULT);
	check_eq("settimeofday_nothing", syscall(SYS_settimeofday, NULL, NULL), 0);
	if (geteuid() == 0) { /* an unprivileged caller gets EPERM before the zone is looked at */
		struct timezone tz = { 15 * 60 + 1, 0 };
		check_errno("settimeofday_tz_range", syscall(SYS_settimeofday, NULL, &tz), EINVAL);
	}
	if (getpid() == 1)
		settime_round_trip();
}

/* ---- sleeping on each clock ------------------------------------------------------------------- */

static void *spin_until_stop(void *arg)
{
	struct spinner *s = arg;
	long long w0 = clock_ns(CLOCK_MONOTONIC);
	while (!s->stop && clock_ns(CLOCK_MONOTONIC) - w0 < 5 * NSEC)
		for (volatile int i = 0; i < 10000; i++)
			;
	return NULL;
}

static void sleep_clocks(void)
{
	struct timespec ms = { 0, 1000 * 1000 }, past = { 0, 1 };
	/* Linux's clocks without an nsleep (raw syscall: libc answers THREAD_CPUTIME itself). */
	static const struct { clockid_t id; const char *name; } nosleep[] = {
		{ CLOCK_THREAD_CPUTIME_ID, "nsleep_thread_cputime" },
		{ CLOCK_MONOTONIC_RAW, "nsleep_monotonic_raw" },
		{ CLOCK_REALTIME_COARSE, "nsleep_realtime_coarse" },
		{ CLOCK_MONOTONIC_COARSE, "nsleep_monotonic_coarse" },
	};
	for (size_t i = 0; i < sizeof(nosleep) / sizeof(nosleep[0]); i++)
		check_errno(nosleep[i].name, syscall(SYS_clock_nanosleep, nosleep[i].id, 0, &ms, NULL),
			    EOPNOTSUPP);
	check_errno("nsleep_clock_10", syscall(SYS_clock_nanosleep, 10, 0, &ms, NULL), EINVAL);
	check_eq("nsleep_boottime", clock_nanosleep(CLOCK_BOOTTIME, 0, &ms, NULL), 0);
	check_eq("nsleep_tai_past", clock_nanosleep(CLOCK_TAI, TIMER_ABSTIME, &past, NULL), 0);
	check_eq("nsleep_realtime_past", clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &past, NULL), 0);
	/* Unknown flag bits are ignored by the plain clocks. */
	check_eq("nsleep_unknown_flags", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0x10, &ms, NULL),
		 0);
	check_errno("nsleep_coarse_efault_order",
		    syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_COARSE, 0, (void *)8, NULL), EOPNOTSUPP);
	check_errno("nsleep_efault", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, (void *)8, NULL),
		    EFAULT);
	/* The alarm clocks sleep where an RTC device exists. Without one, Linux reads them as EINVAL
	 * and refuses to sleep on them with EOPNOTSUPP (or EINVAL when built without RTC support). */
	struct timespec k;
	int have_alarm = raw_clock_gettime(CLOCK_BOOTTIME_ALARM, &k) == 0;
	errno = 0;
	long r = syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME_ALARM, 0, &ms, NULL);
	int e = errno;
	check(have_alarm ? r == 0 : (r == -1 && (e == EOPNOTSUPP || e == EINVAL)),
	      "nsleep_boottime_alarm", "returned %ld (%s); the clock %s", r, errno_name(e),
	      have_alarm ? "reads" : "does not read");
	if (have_alarm)
		check_errno("nsleep_alarm_bad_flags",
			    syscall(SYS_clock_nanosleep, CLOCK_REALTIME_ALARM, 0x10, &ms, NULL), EINVAL);

	/* The calling thread cannot sleep on its own CPU clock; the process can sleep on its own:
	 * a deadline passed returns at once, and 20 ms of CPU time pass while another thread
	 * spins. */
	clockid_t self;
	pthread_getcpuclockid(pthread_self(), &self);
	check_errno("nsleep_own_thread_clock", syscall(SYS_clock_nanosleep, self, 0, &ms, NULL),
		    EINVAL);
	check_eq("nsleep_process_cputime_past",
		 syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &past, NULL), 0);
	struct spinner s = { 0 };
	pthread_t th;
	if (pthread_create(&th, NULL, spin_until_stop, &s) != 0) {
		fail("nsleep_process_cputime", "pthread_create failed");
		return;
	}
	struct timespec cpu20 = { 0, 20 * 1000 * 1000 };
	long long c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	r = syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0, &cpu20, NULL);
	long long c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	s.stop = 1;
	pthread_join(th, NULL);
	check(r == 0 && c1 - c0 >= 20 * 1000 * 1000, "nsleep_process_cputime",
	      "returned %ld; the process clock moved %lld ns", r, c1 - c0);
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
	more_clocks();
	cpu_clocks();
	resolution();
	sleeps();
	sleep_clocks();
	settime();
	return check_done();
}
