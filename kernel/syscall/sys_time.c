/* Clocks and sleeping: clock_gettime, clock_getres, clock_settime, gettimeofday, settimeofday,
 * time, nanosleep and clock_nanosleep, for every clock id Linux has, the CPU-time clocks of
 * threads and of the process included. The vDSO (vdso/) answers the wall and monotonic clocks in
 * the app with the same arithmetic; what changes them (clock_settime, settimeofday) goes through
 * core/time.c, which republishes the vDSO's data page. */
#include "syscall/syscall.h"
#include "syscall/timespec_user.h"
#include "sched/sched.h"
#include "sched/wait.h"
#include "proc/process.h"
#include "proc/vdso.h"
#include "proc/vdso_data.h"
#include "core/time.h"
#include <linux/time.h>
#include <linux/time_types.h>

/* The coarse clocks tick at VDSO_TICK_NS, and the CPU clocks other than CPUCLOCK_SCHED report it
 * as their resolution, as Linux does with its CONFIG_HZ. */
#define TICK_NS VDSO_TICK_NS

/* Linux's encoding of CPU-time clock ids (include/linux/posix-timers.h, not part of the UAPI),
 * which pthread_getcpuclockid and clock_getcpuclockid build: ~pid << 3 | per-thread bit | which.
 * Which 3 with the per-thread bit is a clock file descriptor (PTP devices), not a CPU clock. */
#define CPUCLOCK_PID(clk) ((int)~((clk) >> 3))
#define CPUCLOCK_PERTHREAD(clk) (((clk) & 4) != 0)
#define CPUCLOCK_WHICH(clk) ((clk) & 3)
#define CPUCLOCK_SCHED 2
#define CPUCLOCK_MAX 3

/* Linux's limit for a new wall-clock time (TIME_SETTOD_SEC_MAX): KTIME_SEC_MAX less 30 years of
 * uptime, so the clock cannot overflow before the machine would have run that long. */
#define SETTOD_SEC_MAX (9223372036LL - 30LL * 365 * 86400)

/* settimeofday's timezone: kept and handed back, never applied (as on Linux). */
static struct timezone sys_tz;

/* Sleepers on an absolute wall-clock deadline: clock_settime wakes them to convert it again. */
static struct wait_queue realtime_set_wq = WAIT_QUEUE_INIT(realtime_set_wq);

/* ---- CPU-time clocks --------------------------------------------------------------------------- */

/* Whose time a negative clock id measures, as Linux's pid_for_clock(): *t is the thread for a
 * per-thread clock, NULL for the whole process. A process clock must name the process (or, for
 * clock_gettime only, the calling thread's own id). -EINVAL when it names nothing we have. */
static long cpu_clock_owner(int clk, bool gettime, struct thread **t)
{
	if (CPUCLOCK_WHICH(clk) >= CPUCLOCK_MAX)
		return -EINVAL;
	int pid = CPUCLOCK_PID(clk);
	struct thread *self = current_thread();
	if (CPUCLOCK_PERTHREAD(clk)) {
		*t = pid == 0 ? self : proc_find_thread(pid);
		return *t ? 0 : -EINVAL;
	}
	*t = NULL;
	if (pid == 0 || pid == proc.pid || (gettime && pid == self->tid))
		return 0;
	return -EINVAL;
}

/* CPU time of a thread or (t == NULL) of the process. Linux's PROF, VIRT and SCHED samples all
 * read the same figure here: the scheduler does not split user from kernel time. */
static u64 cpu_time(struct thread *t)
{
	return t ? time_thread_cpu_ns(t) : time_process_cpu_ns();
}

/* ---- reading clocks ---------------------------------------------------------------------------- */

/* The clock's value now. BOOTTIME is MONOTONIC (the VM never suspends), MONOTONIC_RAW too (no NTP
 * slews the TSC), TAI is REALTIME (a TAI offset of 0, as Linux until adjtimex sets one); the
 * alarm clocks are their plain twins (the VM has its RTC). Coarse clocks read the last tick. */
static inline __attribute__((always_inline)) long clock_now(int clk, u64 *ns)
{
	if (clk < 0) {
		struct thread *t;
		long err = cpu_clock_owner(clk, true, &t);
		if (err)
			return err;
		*ns = cpu_time(t);
		return 0;
	}
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_TAI:
		*ns = time_realtime_ns();
		return 0;
	case CLOCK_REALTIME_COARSE:
		*ns = time_realtime_ns() / TICK_NS * TICK_NS;
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		*ns = time_monotonic_ns();
		return 0;
	case CLOCK_MONOTONIC_COARSE:
		*ns = time_monotonic_ns() / TICK_NS * TICK_NS;
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

/* 1 ns for the high-resolution clocks and CPUCLOCK_SCHED; the tick for the coarse clocks and
 * the PROF and VIRT CPU clocks (Linux's posix_cpu_clock_getres). */
long sys_clock_getres(int clk, uptr_t out)
{
	u64 res = 1;
	if (clk < 0) {
		struct thread *t;
		long err = cpu_clock_owner(clk, false, &t);
		if (err)
			return err;
		if (CPUCLOCK_WHICH(clk) != CPUCLOCK_SCHED)
			res = TICK_NS;
	} else {
		u64 ns;
		long err = clock_now(clk, &ns);
		if (err)
			return err;
		if (clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE)
			res = TICK_NS;
	}
	if (!out)
		return 0;
	struct __kernel_timespec ts = to_ts(res);
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
	if (tz && copy_to_user(tz, &sys_tz, sizeof(sys_tz)))
		return -EFAULT;
	return 0;
}

long sys_time(uptr_t tloc)
{
	long t = (long)(time_realtime_ns() / NSEC_PER_SEC);
	if (tloc && copy_to_user(tloc, &t, sizeof(t)))
		return -EFAULT;
	return t;
}

/* ---- setting the wall clock -------------------------------------------------------------------- */

/* Linux's do_settimeofday64(): a valid time, not after SETTOD_SEC_MAX, and not before the
 * monotonic clock (the wall clock may not claim a date before the machine started). The app is
 * root of its VM: no EPERM. */
static long set_realtime(s64 sec, s64 nsec)
{
	if (sec < 0 || nsec < 0 || nsec >= (s64)NSEC_PER_SEC || sec > SETTOD_SEC_MAX)
		return -EINVAL;
	u64 ns = (u64)sec * NSEC_PER_SEC + (u64)nsec;
	if (ns < time_monotonic_ns())
		return -EINVAL;
	time_set_realtime_ns(ns);
	wake_up_all(&realtime_set_wq);
	return 0;
}

long sys_clock_settime(int clk, uptr_t tp)
{
	/* Only REALTIME and the CPU clocks have a setter; the others refuse before reading tp. */
	if (clk >= 0 && clk != CLOCK_REALTIME)
		return -EINVAL;
	struct __kernel_timespec ts;
	if (copy_from_user(&ts, tp, sizeof(ts)))
		return -EFAULT;
	if (clk < 0) {
		/* Linux's posix_cpu_clock_set: no CPU clock can be set, even by root. */
		struct thread *t;
		long err = cpu_clock_owner(clk, false, &t);
		return err ? err : -EPERM;
	}
	return set_realtime(ts.tv_sec, ts.tv_nsec);
}

long sys_settimeofday(uptr_t tv, uptr_t tz)
{
	struct __kernel_old_timeval t;
	struct timezone z;
	if (tv) {
		if (copy_from_user(&t, tv, sizeof(t)))
			return -EFAULT;
		if (t.tv_usec < 0 || t.tv_usec > 1000000)
			return -EINVAL;
	}
	if (tz && copy_from_user(&z, tz, sizeof(z)))
		return -EFAULT;
	/* The checks of do_sys_settimeofday64, in its order: the time's range, then the zone's. */
	if (tv && (t.tv_sec < 0 || t.tv_usec >= 1000000 || t.tv_sec > SETTOD_SEC_MAX))
		return -EINVAL;
	if (tz) {
		if (z.tz_minuteswest > 15 * 60 || z.tz_minuteswest < -15 * 60)
			return -EINVAL;
		sys_tz = z;
		vdso_publish_timezone(z.tz_minuteswest, z.tz_dsttime);
	}
	return tv ? set_realtime(t.tv_sec, t.tv_usec * 1000) : 0;
}

/* ---- sleeping ---------------------------------------------------------------------------------- */

static u64 add_sat(u64 a, u64 b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* An interrupted relative sleep tells the app how much was left, as Linux's nanosleep_copyout;
 * none left means the sleep completed after all. Linux returns ERESTART_RESTARTBLOCK and
 * restarts with the rest when no handler ran; monos has no restart block and returns EINTR. */
static long interrupted(u64 left, uptr_t rem)
{
	if (!left)
		return 0;
	struct __kernel_timespec ts = to_ts(left);
	if (rem && copy_to_user(rem, &ts, sizeof(ts)))
		return -EFAULT;
	return -EINTR;
}

/* Until the monotonic clock reaches deadline, or a signal. */
static long sleep_monotonic(u64 deadline, uptr_t rem)
{
	for (;;) {
		u64 now = time_monotonic_ns();
		if (now >= deadline)
			return 0;
		if (sched_sleep_until(deadline) == WAKE_INTERRUPT)
			return interrupted(deadline - MIN(deadline, time_monotonic_ns()), rem);
	}
}

/* Until the wall clock reaches target (an absolute deadline: nothing to write back). Setting the
 * clock wakes the sleeper to convert the deadline again, as Linux re-arms CLOCK_REALTIME timers. */
static long sleep_realtime_abs(u64 target)
{
	for (;;) {
		s64 mono = (s64)target - time_realtime_offset_ns();
		if (mono <= (s64)time_monotonic_ns())
			return 0;
		if (wait_on(&realtime_set_wq, (u64)mono) == WAKE_INTERRUPT)
			return -EINTR;
	}
}

/* Until a CPU clock reaches target. Nothing signals CPU time passing, so the sleeper looks once a
 * tick, as Linux checks CPU timers from the tick. A clock whose thread has gone never gets there. */
static long sleep_cpu(int clk, u64 target, bool relative, uptr_t rem)
{
	u64 now;
	if (clock_now(clk, &now))
		return -EINVAL;
	for (;;) {
		if (now >= target)
			return 0;
		if (sched_sleep_until(time_monotonic_ns() + TICK_NS) == WAKE_INTERRUPT)
			return relative ? interrupted(target - now, rem) : -EINTR;
		clock_now(clk, &now);
	}
}

long sys_nanosleep(uptr_t req, uptr_t rem)
{
	u64 ns;
	long err = timespec_from_user(req, &ns);
	if (err)
		return err;
	return sleep_monotonic(add_sat(time_monotonic_ns(), ns), rem);
}

/* Which clocks can be slept on, as Linux's k_clock table has an nsleep for them: the wall,
 * monotonic, boot and TAI clocks, the alarm clocks (flags other than TIMER_ABSTIME: EINVAL), the
 * process's CPU clock and the CPU clocks of other threads. The coarse and raw clocks and the
 * calling thread's own CPU clock cannot (EOPNOTSUPP, or EINVAL for a per-thread id of itself). */
long sys_clock_nanosleep(int clk, int flags, uptr_t req, uptr_t rem)
{
	bool cpu = false;
	if (clk < 0) {
		struct thread *t;
		long err = cpu_clock_owner(clk, false, &t);
		if (err)
			return err;
		if (t == current_thread())
			return -EINVAL;
		cpu = true;
	} else {
		switch (clk) {
		case CLOCK_REALTIME:
		case CLOCK_MONOTONIC:
		case CLOCK_BOOTTIME:
		case CLOCK_TAI:
			break;
		case CLOCK_REALTIME_ALARM:
		case CLOCK_BOOTTIME_ALARM:
			if (flags & ~TIMER_ABSTIME)
				return -EINVAL;
			break;
		case CLOCK_PROCESS_CPUTIME_ID:
			cpu = true;
			break;
		case CLOCK_MONOTONIC_RAW:
		case CLOCK_REALTIME_COARSE:
		case CLOCK_MONOTONIC_COARSE:
		case CLOCK_THREAD_CPUTIME_ID:
			return -EOPNOTSUPP;
		default:
			return -EINVAL;
		}
	}
	u64 ns;
	long err = timespec_from_user(req, &ns);
	if (err)
		return err;
	bool abs = flags & TIMER_ABSTIME;
	if (cpu) {
		u64 now;
		if (clock_now(clk, &now))
			return -EINVAL;
		return sleep_cpu(clk, abs ? ns : add_sat(now, ns), !abs, rem);
	}
	bool wall = clk == CLOCK_REALTIME || clk == CLOCK_TAI || clk == CLOCK_REALTIME_ALARM;
	if (abs && wall)
		return sleep_realtime_abs(ns);
	/* A relative sleep on the wall clock is a monotonic one: setting the clock does not move it
	 * (Linux turns relative CLOCK_REALTIME timers into CLOCK_MONOTONIC ones). */
	return sleep_monotonic(abs ? ns : add_sat(time_monotonic_ns(), ns), abs ? 0 : rem);
}
