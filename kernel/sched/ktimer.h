/* Kernel timers: a callback that runs once the monotonic clock reaches a deadline (alarm,
 * itimers, POSIX timers, timerfd). Each CPU keeps the timers armed on it in a list, soonest
 * first, and its LAPIC timer is programmed for min(its threads' deadlines, its first ktimer).
 *
 * Locking: the big kernel lock guards every list. Callers of ktimer_arm and ktimer_cancel hold
 * it (every syscall does); the timer interrupt takes it around the callbacks, which it may do
 * because that interrupt arrives only while the CPU runs user code or idles (sched/irq.c). So a
 * callback never runs concurrently with a cancel: once ktimer_cancel returns, the callback is
 * not running and will not run. A spinlock per list would buy nothing while the callbacks need
 * the big lock anyway. The scheduler reads only each CPU's published next deadline, a single
 * word, without any lock. */
#pragma once
#include "types.h"
#include "lib/list.h"

struct ktimer;
typedef void (*ktimer_fn)(struct ktimer *t);

struct ktimer {
	u64 deadline_ns;     /* monotonic ns at which it fires, while armed */
	ktimer_fn callback;  /* runs under the big kernel lock, the timer already disarmed */
	struct list link;    /* on its CPU's list while armed */
	int cpu;             /* whose list holds it */
};

void ktimer_init(struct ktimer *t, ktimer_fn callback);
/* Arms t (moving it when already armed) to fire at deadline_ns; a deadline already past fires
 * at the next timer interrupt. */
void ktimer_arm(struct ktimer *t, u64 deadline_ns);
/* Disarms t; returns whether it was armed. */
bool ktimer_cancel(struct ktimer *t);
static inline bool ktimer_armed(const struct ktimer *t) { return list_linked(&t->link); }

/* For the scheduler: the deadline of this CPU's soonest ktimer (0: none), without locks. */
u64 ktimer_next_deadline(int cpu);
/* For the timer interrupt (irq_dispatch): runs this CPU's expired timers, taking the big
 * kernel lock around them when there are any. */
void ktimer_run_expired(void);

/* ---- the clocks a timer measures (timerfd, POSIX timers, itimers) --------------------------
 * Every timer runs on the monotonic clock underneath. CLOCK_BOOTTIME equals CLOCK_MONOTONIC (a
 * virtual machine that never suspends), the *_ALARM clocks are their plain twins (nothing to wake
 * from), and an absolute CLOCK_REALTIME/CLOCK_TAI time is converted with the offset of the
 * moment it is armed. */
/* Whether the clock counts wall time (REALTIME, REALTIME_ALARM, TAI). */
bool ktimer_clock_is_wall(int clockid);
/* The clock's reading now (wall or monotonic ns). */
u64 ktimer_clock_now(int clockid);
/* The monotonic deadline of an absolute time on clockid (1, long past, for times before boot). */
u64 ktimer_abs_to_mono(int clockid, u64 abs_ns);
/* Linux's hrtimer_forward: when now has reached *expiry, moves *expiry on by whole intervals
 * until it lies after now and returns how many (0 when *expiry is still ahead). */
u64 ktimer_forward(u64 *expiry, u64 now, u64 interval_ns);
