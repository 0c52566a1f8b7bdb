/* Signal timers: alarm, setitimer, getitimer, timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete. Argument checks and copies in Linux's order; the timers
 * themselves are proc/timer.c. */
#include "syscall/syscall.h"
#include "syscall/timespec_user.h"
#include "proc/timer.h"
#include "proc/process.h"
#include "proc/signal.h"
#include <linux/time.h>

#define NSEC_PER_USEC 1000UL
#define USEC_PER_SEC 1000000L

/* ---- itimers: struct __kernel_old_itimerval, microseconds --------------------------------------- */

static long timeval_to_ns(const struct __kernel_old_timeval *tv, u64 *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= USEC_PER_SEC)
		return -EINVAL;
	if ((u64)tv->tv_sec >= TIMESPEC_NS_MAX / NSEC_PER_SEC)
		*ns = TIMESPEC_NS_MAX;
	else
		*ns = (u64)tv->tv_sec * NSEC_PER_SEC + (u64)tv->tv_usec * NSEC_PER_USEC;
	return 0;
}

/* Linux's put_itimerval: nanoseconds are cut to microseconds. */
static struct __kernel_old_timeval ns_to_timeval(u64 ns)
{
	return (struct __kernel_old_timeval){ (long)(ns / NSEC_PER_SEC),
					      (long)(ns % NSEC_PER_SEC / NSEC_PER_USEC) };
}

static long itimerval_to_user(uptr_t p, const struct timer_setting *s)
{
	struct __kernel_old_itimerval v = { ns_to_timeval(s->interval_ns), ns_to_timeval(s->value_ns) };
	return copy_to_user(p, &v, sizeof(v)) ? -EFAULT : 0;
}

static bool itimer_which_ok(int which)
{
	return which == ITIMER_REAL || which == ITIMER_VIRTUAL || which == ITIMER_PROF;
}

long sys_getitimer(int which, uptr_t value)
{
	if (!itimer_which_ok(which))
		return -EINVAL;
	struct timer_setting now;
	itimer_get(which, &now);
	return itimerval_to_user(value, &now);
}

long sys_setitimer(int which, uptr_t new_value, uptr_t old_value)
{
	struct timer_setting set = { 0, 0 }, old;
	/* A NULL new value disarms: a misfeature Linux still supports. */
	if (new_value) {
		struct __kernel_old_itimerval v;
		if (copy_from_user(&v, new_value, sizeof(v)))
			return -EFAULT;
		long err = timeval_to_ns(&v.it_value, &set.value_ns);
		if (!err)
			err = timeval_to_ns(&v.it_interval, &set.interval_ns);
		if (err)
			return err;
	}
	if (!itimer_which_ok(which))
		return -EINVAL;
	itimer_set(which, set, &old);
	return old_value ? itimerval_to_user(old_value, &old) : 0;
}

long sys_alarm(unsigned seconds)
{
	struct timer_setting set = { (u64)seconds * NSEC_PER_SEC, 0 }, old;
	itimer_set(ITIMER_REAL, set, &old);
	/* Linux's alarm_setitimer: never 0 while an alarm is pending, and rounded to the nearest
	 * second ("better too much than too little"). */
	u64 secs = old.value_ns / NSEC_PER_SEC, ns = old.value_ns % NSEC_PER_SEC;
	if ((!secs && ns) || ns >= NSEC_PER_SEC / 2)
		secs++;
	return (long)secs;
}

/* ---- POSIX timers ---------------------------------------------------------------------------------- */

/* Linux's good_sigevent. */
static long check_sigevent(const sigevent_t *sev)
{
	switch (sev->sigev_notify) {
	case SIGEV_THREAD_ID: {
		struct thread *t = proc_find_thread(sev->_sigev_un._tid);
		if (!t || t->zombie)
			return -EINVAL;
	}
		/* fallthrough */
	case SIGEV_SIGNAL:
	case SIGEV_THREAD: /* libc's business: to the kernel it is SIGEV_SIGNAL */
		if (sev->sigev_signo <= 0 || sev->sigev_signo > SIGNAL_MAX)
			return -EINVAL;
		return 0;
	case SIGEV_NONE:
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_timer_create(int clockid, uptr_t sevp, uptr_t timerid)
{
	sigevent_t sev;
	if (sevp && copy_from_user(&sev, sevp, sizeof(sev)))
		return -EFAULT;
	long err = timer_check_clock(clockid);
	if (err)
		return err;
	if (sevp && (err = check_sigevent(&sev)))
		return err;
	int id = timer_create_posix(clockid, sevp ? &sev : NULL);
	if (id < 0)
		return id;
	if (copy_to_user(timerid, &id, sizeof(id))) {
		timer_delete_posix(id);
		return -EFAULT;
	}
	return 0;
}

long sys_timer_settime(int id, int flags, uptr_t new_value, uptr_t old_value)
{
	if (!new_value)
		return -EINVAL;
	struct timer_setting set, old;
	long err = itimerspec_from_user(new_value, &set.value_ns, &set.interval_ns);
	if (err)
		return err;
	/* Flags other than TIMER_ABSTIME are ignored, as Linux does. */
	err = timer_set_posix(id, flags & TIMER_ABSTIME, set, old_value ? &old : NULL);
	if (err)
		return err;
	return old_value ? itimerspec_to_user(old_value, old.value_ns, old.interval_ns) : 0;
}

long sys_timer_gettime(int id, uptr_t cur_value)
{
	struct timer_setting now;
	long err = timer_get_posix(id, &now);
	if (err)
		return err;
	return itimerspec_to_user(cur_value, now.value_ns, now.interval_ns);
}

long sys_timer_getoverrun(int id) { return timer_overrun_posix(id); }

long sys_timer_delete(int id) { return timer_delete_posix(id); }
