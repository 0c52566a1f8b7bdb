/* The process's signal timers: POSIX timers (timer_create) and the three itimers (setitimer,
 * alarm). Each is a ktimer (sched/ktimer.h) that sends a signal when it expires. The syscall
 * layer (syscall/sys_timer.c) checks arguments and copies; this file keeps the timers and their
 * Linux semantics: a periodic timer whose signal is still queued waits, and is moved on by
 * whole periods (counting them as overruns) when the signal is dequeued, so that si_overrun and
 * timer_getoverrun say how many expirations one signal stands for. */
#pragma once
#include "types.h"
#include <asm-generic/siginfo.h>

/* A timer's setting in ns on its own clock: value 0 = disarmed. */
struct timer_setting {
	u64 value_ns, interval_ns;
};

/* timer_create: clockid already known to be one timer_create accepts (timer_clock_check);
 * sev already checked (notify, signo, tid). Returns the new id or -EAGAIN. */
int timer_check_clock(int clockid);
int timer_create_posix(int clockid, const sigevent_t *sev);
/* timer_settime, timer_gettime, timer_getoverrun, timer_delete: -EINVAL for an unknown id. */
int timer_set_posix(int id, bool abstime, struct timer_setting set, struct timer_setting *old);
int timer_get_posix(int id, struct timer_setting *now);
int timer_overrun_posix(int id);
int timer_delete_posix(int id);

/* setitimer and getitimer (which: ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF, already checked). */
void itimer_set(int which, struct timer_setting set, struct timer_setting *old);
void itimer_get(int which, struct timer_setting *now);

/* The hook signal_dequeue calls for every signal it takes: a timer's signal re-arms its
 * periodic timer and gets its si_overrun; the kernel's private field is then cleared. */
void timer_signal_taken(siginfo_t *info);
