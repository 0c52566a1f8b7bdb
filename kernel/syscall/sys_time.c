/* Clocks and sleeping: clock_gettime, clock_getres, gettimeofday, time, nanosleep,
 * clock_nanosleep. Process and thread CPU time are the time the one thread has not spent
 * sleeping (core/time.c). */
#include "syscall/syscall.h"
#include "sched/sched.h"
#include "core/time.h"
#include <linux/time.h>
#include <linux/time_types.h>

#define COARSE_RES_NS 4000000 /* a 250 Hz tick, as Debian's kernel */

static long clock_now(int clk, u64 *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_TAI:
		*ns = time_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		*ns = time_monotonic_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*ns = time_process_cpu_ns();
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = time_thread_cpu_ns(current_thread());
		return 0;
	default:
		return -EINVAL;
	}
}

static struct __kernel_timespec to_ts(u64 ns)
{
	return (struct __kernel_timespec){ (s64)(ns / NSEC_PER_SEC), (s64)(ns % NSEC_PER_SEC) };
}

long sys_clock_gettime(int clk, uptr_t out)
{
	u64 ns;
	long err = clock_now(clk, &ns);
	if (err)
		return err;
	struct __kernel_timespec ts = to_ts(ns);
	return copy_to_user(out, &ts, sizeof(ts));
}

long sys_clock_getres(int clk, uptr_t out)
{
	u64 ns;
	long err = clock_now(clk, &ns);
	if (err)
		return err;
	if (!out)
		return 0;
	bool coarse = clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE;
	struct __kernel_timespec ts = { 0, coarse ? COARSE_RES_NS : 1 };
	return copy_to_user(out, &ts, sizeof(ts));
}

long sys_gettimeofday(uptr_t tv, uptr_t tz)
{
	if (tv) {
		u64 ns = time_realtime_ns();
		struct __kernel_old_timeval t = { (long)(ns / NSEC_PER_SEC),
						  (long)(ns % NSEC_PER_SEC / 1000) };
		if (copy_to_user(tv, &t, sizeof(t)))
			return -EFAULT;
	}
	if (tz) {
		struct timezone z = { 0, 0 };
		if (copy_to_user(tz, &z, sizeof(z)))
			return -EFAULT;
	}
	return 0;
}

long sys_time(uptr_t tloc)
{
	long t = (long)(time_realtime_ns() / NSEC_PER_SEC);
	if (tloc && copy_to_user(tloc, &t, sizeof(t)))
		return -EFAULT;
	return t;
}

static long read_timespec(uptr_t p, u64 *ns)
{
	struct __kernel_timespec ts;
	if (copy_from_user(&ts, p, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	u64 max_sec = UINT64_MAX / NSEC_PER_SEC - 1;
	*ns = (u64)ts.tv_sec > max_sec ? UINT64_MAX : (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	return 0;
}

/* Blocks until the monotonic clock reaches deadline. Nothing interrupts a sleep yet (signal
 * handlers come with the signals issue), so an early wake just sleeps again. */
static void sleep_until(u64 deadline)
{
	if (!deadline)
		deadline = 1; /* 0 means "no deadline" to the scheduler */
	while (time_monotonic_ns() < deadline)
		sched_sleep_until(deadline);
}

long sys_nanosleep(uptr_t req, uptr_t rem)
{
	(void)rem; /* written only when a signal interrupts the sleep */
	u64 ns;
	long err = read_timespec(req, &ns);
	if (err)
		return err;
	u64 now = time_monotonic_ns();
	sleep_until(ns > UINT64_MAX - now ? UINT64_MAX : now + ns);
	return 0;
}

long sys_clock_nanosleep(int clk, int flags, uptr_t req, uptr_t rem)
{
	(void)rem;
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		break;
	case CLOCK_THREAD_CPUTIME_ID:
		return -EINVAL;
	case CLOCK_PROCESS_CPUTIME_ID:
		return -EOPNOTSUPP; /* sleeping on our own CPU time never ends: refuse */
	default:
		return -EINVAL;
	}
	u64 ns;
	long err = read_timespec(req, &ns);
	if (err)
		return err;
	u64 now = time_monotonic_ns();
	u64 deadline;
	if (flags & TIMER_ABSTIME) {
		/* Convert the absolute time to the monotonic clock with the exact offset, never with
		 * two readings taken at different moments. */
		bool wall = clk == CLOCK_REALTIME || clk == CLOCK_TAI;
		s64 mono = (s64)ns - (wall ? time_realtime_offset_ns() : 0);
		deadline = mono < 0 ? 0 : (u64)mono;
	} else {
		deadline = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
	}
	sleep_until(deadline);
	return 0;
}
