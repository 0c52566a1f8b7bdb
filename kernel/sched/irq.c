/* Interrupts the scheduler handles: the LAPIC timer (deadlines, end of slice) and the
 * reschedule IPI another CPU sends when it queues a thread here. Returning to user mode is the
 * moment to switch away if the interrupt asked for it (the kernel itself is not preempted). */
#include "sched/sched.h"
#include "sched/ktimer.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/regs.h"
#include "proc/signal.h"

void sched_interrupt(void);

void irq_dispatch(struct regs *r)
{
	lapic_eoi();
	if (r->vector == VEC_TIMER || r->vector == VEC_RESCHED) {
		sched_interrupt();
		ktimer_run_expired();
	}
	if (regs_from_user(r)) {
		sched_preempt_point();
		signal_return_to_user(r);
	}
}
