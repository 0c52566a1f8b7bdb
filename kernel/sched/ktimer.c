/* Kernel timers (ktimer.h): per-CPU lists, soonest first, guarded by the big kernel lock. A timer
 * stays on the list of the CPU that armed it, so that CPU's LAPIC timer fires for it even when
 * it idles; a cancel from another CPU at worst leaves that CPU one interrupt that finds
 * nothing to do. */
#include "sched/ktimer.h"
#include "sched/sched.h"
#include "sched/bkl.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "core/time.h"
#include "core/log.h"
#include <linux/time.h>

/* 2^61 ns, 73 years after boot: later deadlines wait this long (it fits a TSC deadline at
 * clock rates up to 8 GHz). */
#define KTIMER_FAR (1UL << 61)

struct ktimer_cpu {
	struct list timers;
	volatile u64 next_ns; /* the first timer's deadline, 0 when none: read without the lock */
};

static struct ktimer_cpu ktimer_cpus[MAX_CPUS];

static struct ktimer_cpu *list_of(int cpu)
{
	struct ktimer_cpu *k = &ktimer_cpus[cpu];
	if (!k->timers.next)
		list_init(&k->timers); /* zeroed static storage: set up on first use */
	return k;
}

static void publish_next(struct ktimer_cpu *k)
{
	u64 next = list_empty(&k->timers) ? 0 : list_entry(k->timers.next, struct ktimer, link)->deadline_ns;
	__atomic_store_n(&k->next_ns, next, __ATOMIC_RELEASE);
}

void ktimer_init(struct ktimer *t, ktimer_fn callback)
{
	t->deadline_ns = 0;
	t->callback = callback;
	t->cpu = 0;
	list_init(&t->link);
}

static void unlink(struct ktimer *t)
{
	struct ktimer_cpu *k = list_of(t->cpu);
	list_remove(&t->link);
	publish_next(k);
}

void ktimer_arm(struct ktimer *t, u64 deadline_ns)
{
	if (!bkl_held())
		panic("ktimer_arm without the big kernel lock");
	if (ktimer_armed(t))
		unlink(t);
	if (!deadline_ns)
		deadline_ns = 1; /* 0 means "none" to the scheduler; 1 is long past */
	if (deadline_ns > KTIMER_FAR)
		deadline_ns = KTIMER_FAR; /* the LAPIC's TSC deadline would overflow */
	int cpu = (int)this_cpu()->cpu_id;
	struct ktimer_cpu *k = list_of(cpu);
	t->deadline_ns = deadline_ns;
	t->cpu = cpu;
	struct list *at = &k->timers;
	list_for_each(pos, &k->timers) {
		if (list_entry(pos, struct ktimer, link)->deadline_ns > deadline_ns) {
			at = pos;
			break;
		}
	}
	list_insert_before(at, &t->link);
	publish_next(k);
	sched_timer_changed();
}

bool ktimer_cancel(struct ktimer *t)
{
	if (!bkl_held())
		panic("ktimer_cancel without the big kernel lock");
	if (!ktimer_armed(t))
		return false;
	unlink(t);
	return true;
}

u64 ktimer_next_deadline(int cpu)
{
	return __atomic_load_n(&ktimer_cpus[cpu].next_ns, __ATOMIC_ACQUIRE);
}

void ktimer_run_expired(void)
{
	int cpu = (int)this_cpu()->cpu_id;
	u64 next = ktimer_next_deadline(cpu);
	if (!next || next > time_monotonic_ns())
		return;
	bkl_lock();
	struct ktimer_cpu *k = list_of(cpu);
	/* One reading of the clock for the round: a callback that re-arms its timer for a time
	 * already past then fires at the next interrupt, never in an endless loop here. */
	u64 now = time_monotonic_ns();
	while (!list_empty(&k->timers)) {
		struct ktimer *t = list_entry(k->timers.next, struct ktimer, link);
		if (t->deadline_ns > now)
			break;
		unlink(t);
		t->callback(t);
	}
	bkl_unlock();
	sched_timer_changed();
}

/* ---- clocks -------------------------------------------------------------------------------------- */

bool ktimer_clock_is_wall(int clockid)
{
	return clockid == CLOCK_REALTIME || clockid == CLOCK_REALTIME_ALARM || clockid == CLOCK_TAI;
}

u64 ktimer_clock_now(int clockid)
{
	return ktimer_clock_is_wall(clockid) ? time_realtime_ns() : time_monotonic_ns();
}

u64 ktimer_abs_to_mono(int clockid, u64 abs_ns)
{
	if (!ktimer_clock_is_wall(clockid))
		return abs_ns ? abs_ns : 1;
	/* The exact offset, never two clock readings taken at different moments. */
	s64 off = time_realtime_offset_ns();
	if (off > 0 && abs_ns <= (u64)off)
		return 1;
	u64 mono = abs_ns - (u64)off;
	return mono ? mono : 1;
}

u64 ktimer_forward(u64 *expiry, u64 now, u64 interval_ns)
{
	if (now < *expiry || !interval_ns)
		return 0;
	u64 n = (now - *expiry) / interval_ns + 1;
	*expiry += n * interval_ns;
	return n;
}
