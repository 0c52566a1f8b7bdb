/* Timer syscalls' user structures (struct __kernel_timespec, __kernel_itimerspec,
 * __kernel_old_itimerval) to and from ns, checked as Linux's timespec64_valid and
 * itimerspec64_valid: negative seconds or nanoseconds outside [0, 1e9) are EINVAL; values too
 * large for ns saturate as Linux's ktime_set does. Shared by every syscall that reads one. */
#pragma once
#include "types.h"
#include "errno.h"
#include "core/time.h"
#include "mm/usercopy.h"
#include <linux/time_types.h>

#define TIMESPEC_NS_MAX ((u64)INT64_MAX)

static inline long timespec_to_ns(const struct __kernel_timespec *ts, u64 *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	if ((u64)ts->tv_sec >= TIMESPEC_NS_MAX / NSEC_PER_SEC)
		*ns = TIMESPEC_NS_MAX;
	else
		*ns = (u64)ts->tv_sec * NSEC_PER_SEC + (u64)ts->tv_nsec;
	return 0;
}

/* Reads a struct __kernel_timespec: EFAULT, then EINVAL for an invalid one. */
static inline long timespec_from_user(uptr_t p, u64 *ns)
{
	struct __kernel_timespec ts;
	if (copy_from_user(&ts, p, sizeof(ts)))
		return -EFAULT;
	return timespec_to_ns(&ts, ns);
}

static inline struct __kernel_timespec ns_to_timespec(u64 ns)
{
	return (struct __kernel_timespec){ (s64)(ns / NSEC_PER_SEC), (s64)(ns % NSEC_PER_SEC) };
}

/* Reads a struct __kernel_itimerspec: EFAULT, then EINVAL for an invalid member. */
static inline long itimerspec_from_user(uptr_t p, u64 *value_ns, u64 *interval_ns)
{
	struct __kernel_itimerspec its;
	if (copy_from_user(&its, p, sizeof(its)))
		return -EFAULT;
	long err = timespec_to_ns(&its.it_value, value_ns);
	if (!err)
		err = timespec_to_ns(&its.it_interval, interval_ns);
	return err;
}

static inline long itimerspec_to_user(uptr_t p, u64 value_ns, u64 interval_ns)
{
	struct __kernel_itimerspec its = { ns_to_timespec(interval_ns), ns_to_timespec(value_ns) };
	return copy_to_user(p, &its, sizeof(its)) ? -EFAULT : 0;
}
