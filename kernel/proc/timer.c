/* Signal timers (timer.h), after Linux's kernel/time/posix-timers.c and itimer.c. Everything
 * here runs under the big kernel lock: syscalls hold it, ktimer callbacks run under it, and
 * timer_signal_taken is called from signal_dequeue, which holds it.
 *
 * How a timer fires (Linux's posix_timer_fn): a one-shot timer sends its signal and is done. A
 * periodic one whose signal got queued stops there ("requeue pending") and is moved on when its
 * signal is dequeued (posixtimer_rearm), by as many periods as passed: those, less the one being
 * signalled, are the overrun. A periodic timer whose signal was not queued (ignored, its thread
 * gone, or a standard signal already pending) is moved on at once and counts the overrun.
 *
 * Clocks: REALTIME, MONOTONIC, BOOTTIME, TAI and the *_ALARM twins run on a monotonic ktimer
 * (ktimer.h says how absolute wall times convert). The CPU-time clocks (process, thread, and
 * the clock ids of clock_getcpuclock/pthread_getcpuclockid for this process) are sampled: the
 * ktimer polls when the CPU time could have reached the expiry at the soonest (all CPUs busy),
 * at most every CPU_POLL_NS, so such a timer fires up to that much late. ITIMER_VIRTUAL and
 * ITIMER_PROF count the process's whole CPU time (user and system are not told apart). */
#include "proc/timer.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "sched/ktimer.h"
#include "sched/sched.h"
#include "core/time.h"
#include "mm/kheap.h"
#include "lib/list.h"
#include "lib/string.h"
#include "errno.h"
#include <linux/time.h>
#include <asm/resource.h>

#define CPU_POLL_NS (1000 * 1000)
#define TIMER_ID_MAX 0x7fffffff

/* Linux's CPU clock ids (include/linux/posix-timers.h, not UAPI): ~pid << 3 | per-thread bit |
 * which; clock ids ending in CLOCKFD name a clock device by descriptor. */
#define CPUCLOCK_PERTHREAD_MASK 4
#define CPUCLOCK_WHICH_MASK 3
#define CPUCLOCK_MAX 3
#define CLOCKFD 3
#define CLOCKFD_MASK (CPUCLOCK_PERTHREAD_MASK | CPUCLOCK_WHICH_MASK)

enum timer_clock_kind { CLOCK_KIND_MONO, CLOCK_KIND_WALL, CLOCK_KIND_CPU };

struct sig_timer {
	struct ktimer kt;
	int id;                   /* timer_t, or -1 for an itimer */
	int clockid;
	enum timer_clock_kind kind;
	int cpu_tid;              /* CPU clocks: the thread whose time counts, 0 for the process */
	u64 expiry_ns;            /* monotonic ns (MONO, WALL) or CPU ns (CPU) */
	u64 interval_ns;
	bool active;              /* armed and not yet fired (or re-armed since) */
	bool requeue_pending;     /* fired periodic timer waiting for its signal's dequeue */
	s64 overrun;              /* Linux's it_overrun: periods passed beyond the signalled one */
	s64 overrun_last;         /* it_overrun_last: what timer_getoverrun reports */
	int generation;           /* si_sys_private of its queued signal: ties it to this setting */
	/* What it sends. */
	bool sig_none;            /* SIGEV_NONE: nothing; the timer is only read */
	int signo;
	int target_tid;           /* SIGEV_THREAD_ID: that thread; 0: the process */
	int si_code;              /* SI_TIMER (POSIX timers) or SI_KERNEL (itimers) */
	sigval_t value;
	struct list link;         /* on posix_timers */
};

static struct list posix_timers = LIST_INIT(posix_timers);
static int ntimers;
static int next_timer_id;
static int next_generation = 1;
static struct sig_timer itimers[3]; /* ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF */

/* ---- clocks ------------------------------------------------------------------------------------- */

/* The timer's clock now: monotonic ns for MONO and WALL (whose expiry is kept monotonic), CPU
 * ns for CPU clocks; false when the thread whose CPU time counts is gone. */
static bool clock_now(struct sig_timer *st, u64 *now)
{
	if (st->kind != CLOCK_KIND_CPU) {
		*now = time_monotonic_ns();
		return true;
	}
	if (!st->cpu_tid) {
		*now = time_process_cpu_ns();
		return true;
	}
	struct thread *t = proc_find_thread(st->cpu_tid);
	if (!t)
		return false;
	*now = time_thread_cpu_ns(t);
	return true;
}

/* Arms the ktimer for the expiry: directly on the monotonic clock, or for a CPU clock at the
 * soonest moment its CPU time could get there. */
static void arm(struct sig_timer *st)
{
	if (st->kind != CLOCK_KIND_CPU) {
		ktimer_arm(&st->kt, st->expiry_ns);
		return;
	}
	u64 cpu_now;
	if (!clock_now(st, &cpu_now)) {
		st->active = false; /* its thread is gone: the clock stopped for good */
		return;
	}
	u64 left = st->expiry_ns > cpu_now ? st->expiry_ns - cpu_now : 0;
	u64 spread = st->cpu_tid ? 1 : (u64)sched_cpu_count();
	u64 wait = MAX(left / spread, (u64)CPU_POLL_NS);
	ktimer_arm(&st->kt, time_monotonic_ns() + wait);
}

/* ---- firing ------------------------------------------------------------------------------------- */

/* Sends the timer's signal; true when it was queued (so a periodic timer waits for it). */
static bool send_signal(struct sig_timer *st)
{
	struct thread *t = NULL;
	if (st->target_tid) {
		t = proc_find_thread(st->target_tid);
		if (!t)
			return false; /* the thread is gone: Linux's signal to a dead task is lost */
	}
	u64 *pending = t ? &t->sigpending : &proc.shared_pending;
	u64 bit = SIG_BIT(st->signo);
	/* A standard signal already pending is not queued again (monos keeps one siginfo each). */
	if (st->signo < SIGRTMIN && (*pending & bit))
		return false;
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	info.si_signo = st->signo;
	info.si_code = st->si_code;
	if (st->si_code == SI_TIMER) {
		info.si_tid = st->id;
		info.si_overrun = 0;
		info.si_value = st->value;
	}
	info.si_sys_private = st->generation;
	if (signal_send(t, st->signo, &info) != 0)
		return false;
	return (*pending & bit) != 0; /* dropped when its action is "ignore" */
}

static void timer_fire(struct ktimer *kt)
{
	struct sig_timer *st = (struct sig_timer *)((char *)kt - __builtin_offsetof(struct sig_timer, kt));
	u64 now;
	if (!clock_now(st, &now)) {
		st->active = false;
		return;
	}
	if (now < st->expiry_ns) {
		arm(st); /* a CPU clock that has not got there yet */
		return;
	}
	st->active = false;
	bool queued = send_signal(st);
	if (!st->interval_ns)
		return;
	if (queued) {
		st->requeue_pending = true;
		return;
	}
	st->overrun += (s64)ktimer_forward(&st->expiry_ns, now, st->interval_ns);
	st->active = true;
	arm(st);
}

static struct sig_timer *find_by_generation(int generation)
{
	for (int i = 0; i < 3; i++)
		if (itimers[i].generation == generation)
			return &itimers[i];
	list_for_each(pos, &posix_timers) {
		struct sig_timer *st = list_entry(pos, struct sig_timer, link);
		if (st->generation == generation)
			return st;
	}
	return NULL;
}

static int overrun_to_int(s64 sum) { return sum > TIMER_ID_MAX ? TIMER_ID_MAX : (int)sum; }

void timer_signal_taken(siginfo_t *info)
{
	if (!info->si_sys_private || (info->si_code != SI_TIMER && info->si_code != SI_KERNEL))
		return;
	struct sig_timer *st = find_by_generation(info->si_sys_private);
	info->si_sys_private = 0; /* never shown to the app, as Linux's dequeue_signal clears it */
	if (!st || !st->requeue_pending)
		return; /* deleted, or set again since: that setting runs on its own */
	u64 now;
	st->requeue_pending = false;
	if (!clock_now(st, &now))
		return;
	st->overrun += (s64)ktimer_forward(&st->expiry_ns, now, st->interval_ns);
	st->active = true;
	st->generation = next_generation++;
	arm(st);
	st->overrun_last = st->overrun;
	st->overrun = -1;
	if (info->si_code == SI_TIMER)
		info->si_overrun = overrun_to_int(st->overrun_last + info->si_overrun);
}

/* ---- setting and reading ------------------------------------------------------------------------ */

/* Linux's common_timer_get. */
static void timer_get(struct sig_timer *st, struct timer_setting *cur)
{
	cur->interval_ns = st->interval_ns;
	cur->value_ns = 0;
	if (!st->interval_ns && !st->active && !st->sig_none)
		return;
	u64 now;
	if (!clock_now(st, &now))
		return;
	/* A periodic timer waiting for its signal's dequeue (or one never armed, SIGEV_NONE)
	 * shows its next period. */
	bool itimer = st->id < 0;
	if (itimer && st->requeue_pending)
		return; /* Linux's itimer_get_remtime: a stopped hrtimer shows 0 */
	if (st->interval_ns && (st->requeue_pending || st->sig_none))
		st->overrun += (s64)ktimer_forward(&st->expiry_ns, now, st->interval_ns);
	if (st->expiry_ns > now)
		cur->value_ns = st->expiry_ns - now;
	else if (!st->sig_none)
		cur->value_ns = itimer ? 1000 : 1; /* expired, signal on its way: never 0 (Linux) */
}

/* Linux's common_timer_set (the old setting is read first). */
static void timer_set(struct sig_timer *st, bool abstime, struct timer_setting set,
		      struct timer_setting *old)
{
	if (old)
		timer_get(st, old);
	ktimer_cancel(&st->kt);
	st->interval_ns = 0;
	st->active = false;
	st->requeue_pending = false;
	st->generation = next_generation++; /* a signal of the old setting re-arms nothing */
	st->overrun_last = 0;
	if (!set.value_ns)
		return;
	st->interval_ns = set.interval_ns;
	u64 now;
	if (!clock_now(st, &now))
		return;
	if (abstime && st->kind != CLOCK_KIND_CPU)
		st->expiry_ns = ktimer_abs_to_mono(st->clockid, set.value_ns);
	else if (abstime)
		st->expiry_ns = set.value_ns;
	else
		st->expiry_ns = set.value_ns > UINT64_MAX - now ? UINT64_MAX : now + set.value_ns;
	if (st->sig_none)
		return; /* never queued: timer_get works out where it stands */
	st->active = true;
	arm(st);
}

/* ---- POSIX timers --------------------------------------------------------------------------------- */

static struct sig_timer *find_posix(int id)
{
	list_for_each(pos, &posix_timers) {
		struct sig_timer *st = list_entry(pos, struct sig_timer, link);
		if (st->id == id)
			return st;
	}
	return NULL;
}

/* Linux's clockid_to_kclock and the kclock's timer_create: EINVAL for no such clock,
 * EOPNOTSUPP for a clock that cannot drive a timer. */
int timer_check_clock(int clockid)
{
	if (clockid < 0) {
		if ((clockid & CLOCKFD_MASK) == CLOCKFD)
			return -EOPNOTSUPP; /* dynamic (PTP) clocks have no timers */
		if ((clockid & CPUCLOCK_WHICH_MASK) >= CPUCLOCK_MAX)
			return -EINVAL;
		int pid = ~(clockid >> 3);
		if (clockid & CPUCLOCK_PERTHREAD_MASK)
			return pid == 0 || proc_find_thread(pid) ? 0 : -EINVAL;
		return pid == 0 || pid == proc.pid ? 0 : -EINVAL;
	}
	switch (clockid) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
	case CLOCK_BOOTTIME:
	case CLOCK_REALTIME_ALARM: /* CAP_WAKE_ALARM: the app is root of its VM */
	case CLOCK_BOOTTIME_ALARM:
	case CLOCK_TAI:
		return 0;
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}

static void set_clock(struct sig_timer *st, int clockid)
{
	st->clockid = clockid;
	if (clockid == CLOCK_PROCESS_CPUTIME_ID || clockid == CLOCK_THREAD_CPUTIME_ID || clockid < 0) {
		st->kind = CLOCK_KIND_CPU;
		if (clockid == CLOCK_THREAD_CPUTIME_ID)
			st->cpu_tid = current_thread()->tid;
		else if (clockid < 0 && (clockid & CPUCLOCK_PERTHREAD_MASK))
			st->cpu_tid = ~(clockid >> 3) ? ~(clockid >> 3) : current_thread()->tid;
	} else {
		st->kind = ktimer_clock_is_wall(clockid) ? CLOCK_KIND_WALL : CLOCK_KIND_MONO;
	}
}

/* A free id, counting up from the last one and wrapping, as Linux's posix_timer_add. */
static int alloc_id(void)
{
	for (long tries = 0; tries <= TIMER_ID_MAX; tries++) {
		int id = next_timer_id;
		next_timer_id = (next_timer_id + 1) & TIMER_ID_MAX;
		if (!find_posix(id))
			return id;
	}
	return -EAGAIN;
}

int timer_create_posix(int clockid, const sigevent_t *sev)
{
	/* Each timer holds a signal queue entry in Linux: RLIMIT_SIGPENDING counts both. */
	if ((u64)ntimers + (u64)proc.nqueued >= proc.rlimits[RLIMIT_SIGPENDING][0])
		return -EAGAIN;
	struct sig_timer *st = kzalloc(sizeof(*st));
	if (!st)
		return -EAGAIN;
	int id = alloc_id();
	if (id < 0) {
		kfree(st);
		return id;
	}
	ktimer_init(&st->kt, timer_fire);
	st->id = id;
	set_clock(st, clockid);
	st->si_code = SI_TIMER;
	st->overrun = -1;
	st->generation = next_generation++;
	if (sev) {
		st->sig_none = sev->sigev_notify == SIGEV_NONE;
		st->signo = sev->sigev_signo;
		st->target_tid = sev->sigev_notify == SIGEV_THREAD_ID ? sev->_sigev_un._tid : 0;
		st->value = sev->sigev_value;
	} else {
		st->signo = SIGALRM;
		st->value.sival_int = id;
	}
	list_push_back(&posix_timers, &st->link);
	ntimers++;
	return id;
}

int timer_set_posix(int id, bool abstime, struct timer_setting set, struct timer_setting *old)
{
	struct sig_timer *st = find_posix(id);
	if (!st)
		return -EINVAL;
	timer_set(st, abstime, set, old);
	return 0;
}

int timer_get_posix(int id, struct timer_setting *now)
{
	struct sig_timer *st = find_posix(id);
	if (!st)
		return -EINVAL;
	timer_get(st, now);
	return 0;
}

int timer_overrun_posix(int id)
{
	struct sig_timer *st = find_posix(id);
	return st ? overrun_to_int(st->overrun_last) : -EINVAL;
}

int timer_delete_posix(int id)
{
	struct sig_timer *st = find_posix(id);
	if (!st)
		return -EINVAL;
	/* A signal it queued stays queued and is delivered (Linux frees the entry on dequeue). */
	ktimer_cancel(&st->kt);
	list_remove(&st->link);
	ntimers--;
	kfree(st);
	return 0;
}

/* ---- itimers ------------------------------------------------------------------------------------------ */

static struct sig_timer *itimer(int which)
{
	struct sig_timer *st = &itimers[which];
	if (!st->kt.callback) {
		static const int signals[3] = { SIGALRM, SIGVTALRM, SIGPROF };
		ktimer_init(&st->kt, timer_fire);
		st->id = -1;
		/* ITIMER_REAL counts on the monotonic clock, as Linux's hrtimer does. */
		set_clock(st, which == ITIMER_REAL ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID);
		st->signo = signals[which];
		st->si_code = SI_KERNEL; /* Linux sends them as SEND_SIG_PRIV */
		st->overrun = -1;
	}
	return st;
}

void itimer_set(int which, struct timer_setting set, struct timer_setting *old)
{
	timer_set(itimer(which), false, set, old);
}

void itimer_get(int which, struct timer_setting *now)
{
	timer_get(itimer(which), now);
}
