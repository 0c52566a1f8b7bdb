/* The vDSO's clocks: clock_gettime, gettimeofday, time and clock_getres for the clocks whose
 * value is a function of the TSC and the data page (REALTIME, MONOTONIC and their RAW, COARSE,
 * BOOTTIME and TAI variants). CPU-time clocks and unknown ids go to the system call, as Linux's
 * vDSO sends them. Results follow the syscall's arithmetic exactly (kernel/core/time.c). */
#include "vdso.h"
#include <asm/unistd.h>
#include <linux/time.h>
#include <linux/time_types.h>

#define NSEC_PER_SEC 1000000000ULL

enum vclock_kind { VCLOCK_NONE, VCLOCK_MONO, VCLOCK_REAL, VCLOCK_MONO_COARSE, VCLOCK_REAL_COARSE };

/* Which reading a clock id is; VCLOCK_NONE: the kernel's to answer. BOOTTIME is MONOTONIC (the
 * VM never suspends), MONOTONIC_RAW too (no NTP slews the TSC), TAI is REALTIME (a TAI offset of
 * 0 until adjtimex sets one, as on Linux). */
static enum vclock_kind vclock_kind(__kernel_clockid_t clk)
{
	switch (clk) {
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		return VCLOCK_MONO;
	case CLOCK_REALTIME:
	case CLOCK_TAI:
		return VCLOCK_REAL;
	case CLOCK_MONOTONIC_COARSE:
		return VCLOCK_MONO_COARSE;
	case CLOCK_REALTIME_COARSE:
		return VCLOCK_REAL_COARSE;
	default:
		return VCLOCK_NONE;
	}
}

/* A consistent reading of the clock in ns; retries while the kernel rewrites the page. */
static __u64 vclock_read(enum vclock_kind kind)
{
	const volatile struct vdso_data *d = &vdso_data;
	__u32 seq;
	__u64 ns;
	for (;;) {
		seq = d->seq;
		if (seq & 1) {
			__asm__ volatile("pause");
			continue;
		}
		__u64 delta = vdso_rdtsc() - d->tsc_base;
		ns = (__u64)(((unsigned __int128)delta * d->mult) >> 32);
		if (kind == VCLOCK_REAL || kind == VCLOCK_REAL_COARSE)
			ns += (__u64)d->realtime_offset_ns;
		__asm__ volatile("" : : : "memory");
		if (d->seq == seq)
			break;
	}
	if (kind == VCLOCK_MONO_COARSE || kind == VCLOCK_REAL_COARSE)
		ns -= ns % VDSO_TICK_NS; /* the last tick, as the kernel answers */
	return ns;
}

int __vdso_clock_gettime(__kernel_clockid_t clk, struct __kernel_timespec *ts)
{
	enum vclock_kind kind = vclock_kind(clk);
	if (kind == VCLOCK_NONE)
		return (int)vdso_syscall2(__NR_clock_gettime, clk, (long)ts);
	__u64 ns = vclock_read(kind);
	ts->tv_sec = (long long)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (long long)(ns % NSEC_PER_SEC);
	return 0;
}

int __vdso_gettimeofday(struct __kernel_old_timeval *tv, struct timezone *tz)
{
	if (tv) {
		__u64 ns = vclock_read(VCLOCK_REAL);
		tv->tv_sec = (long)(ns / NSEC_PER_SEC);
		tv->tv_usec = (long)(ns % NSEC_PER_SEC / 1000);
	}
	if (tz) {
		tz->tz_minuteswest = vdso_data.tz_minuteswest;
		tz->tz_dsttime = vdso_data.tz_dsttime;
	}
	return 0;
}

__kernel_old_time_t __vdso_time(__kernel_old_time_t *t)
{
	__kernel_old_time_t now = (__kernel_old_time_t)(vclock_read(VCLOCK_REAL) / NSEC_PER_SEC);
	if (t)
		*t = now;
	return now;
}

int __vdso_clock_getres(__kernel_clockid_t clk, struct __kernel_timespec *res)
{
	enum vclock_kind kind = vclock_kind(clk);
	if (kind == VCLOCK_NONE)
		return (int)vdso_syscall2(__NR_clock_getres, clk, (long)res);
	if (res) {
		int coarse = kind == VCLOCK_MONO_COARSE || kind == VCLOCK_REAL_COARSE;
		res->tv_sec = 0;
		res->tv_nsec = coarse ? (long long)VDSO_TICK_NS : 1;
	}
	return 0;
}

/* The unprefixed names, as Linux's vDSO exports them (weak aliases, version LINUX_2.6). */
int clock_gettime(__kernel_clockid_t, struct __kernel_timespec *)
	__attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct __kernel_old_timeval *, struct timezone *)
	__attribute__((weak, alias("__vdso_gettimeofday")));
__kernel_old_time_t time(__kernel_old_time_t *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(__kernel_clockid_t, struct __kernel_timespec *)
	__attribute__((weak, alias("__vdso_clock_getres")));
