/* The scheduler: per-CPU run queues ordered by a policy (policy.h), blocking with an optional
 * deadline, wakeups across CPUs, preemption from the LAPIC timer, and each CPU's idle loop.
 * The kernel itself is not preemptible: a thread in the kernel gives up its CPU only in
 * schedule(), and interrupts are off in the kernel except in the idle loop and while spinning
 * for the big kernel lock. */
#pragma once
#include "sched/thread.h"

/* Slice length of the preemptive policy, and the finest timer the tick arms. */
#define SCHED_SLICE_NS (10 * 1000 * 1000)

void sched_init(void);                     /* the boot CPU, before the first thread runs */
void __noreturn sched_ap_entry(void);      /* each other CPU, after smp_init started it */
void sched_smp_ready(void);                /* the boot CPU, once smp_init has returned */
/* Puts a new thread on a run queue (the least busy CPU its affinity allows). */
void sched_start(struct thread *t);
/* Gives up the CPU; the current thread's state says whether it stays runnable. */
void schedule(void);
void sched_yield(void);
/* Blocks the current thread until sched_wake or the deadline (monotonic ns, 0 = none). The
 * caller has made itself findable by its waker (a wait queue) under the big kernel lock; the
 * lock is given up while blocked and held again on return. Returns the wake_reason. */
int sched_block(u64 deadline_ns);
/* Makes a blocked thread runnable with this reason; false when it was not blocked (already
 * woken, timed out, or never slept). Safe from interrupt handlers and any CPU. */
bool sched_wake(struct thread *t, int reason);
/* Makes a thread running on another CPU enter the kernel soon (an IPI), so that it notices a
 * signal on its way back to user mode. Nothing when it runs here or is not running. */
void sched_kick(struct thread *t);
/* Sleeps until the monotonic deadline; returns WAKE_TIMEOUT, or WAKE_INTERRUPT when woken early. */
int sched_sleep_until(u64 deadline_ns);
/* This CPU's next ktimer deadline changed (sched/ktimer.c): program the LAPIC timer again. */
void sched_timer_changed(void);
/* The current thread changed its allowed CPUs: move it when it runs where it may not. */
void sched_affinity_changed(void);
/* Ends the current thread (already off every list but its run queue); never returns. */
void __noreturn sched_exit_current(void);
/* Called on return to user mode from an interrupt: preempts when the tick said so. */
void sched_preempt_point(void);
/* The policy's name ("rr" or "fifo"), for the log and /proc. */
const char *sched_policy_name(void);
int sched_cpu_count(void);
/* A mask of the CPUs that are online. */
u64 sched_online_mask(void);
/* How long app threads have run on this CPU since boot (/proc/stat). */
u64 sched_cpu_busy_ns(int cpu);
