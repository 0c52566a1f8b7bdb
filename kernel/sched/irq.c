/* Interrupts the scheduler handles: the LAPIC timer (deadlines, end of slice) and the
 * reschedule IPI another CPU sends when it queues a thread here; and device interrupts, which go
 * to the handler a driver registered for the vector (sched/irq.h). Returning to user mode is the
 * moment to switch away if the interrupt asked for it (the kernel itself is not preempted). */
#include "sched/irq.h"
#include "sched/sched.h"
#include "sched/ktimer.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/regs.h"
#include "proc/signal.h"
#include "errno.h"

void sched_interrupt(void);

struct irq_handler {
	irq_handler_fn fn;
	void *arg;
};

static struct irq_handler handlers[VEC_DEVICE_LAST - VEC_DEVICE_FIRST + 1];

/* Boot time, before interrupts are on: no lock needed against irq_dispatch. */
int irq_register(irq_handler_fn fn, void *arg)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (!handlers[i].fn) {
			handlers[i].arg = arg;
			__atomic_store_n(&handlers[i].fn, fn, __ATOMIC_RELEASE);
			return VEC_DEVICE_FIRST + (int)i;
		}
	return -EBUSY;
}

void irq_dispatch(struct regs *r)
{
	if (r->vector >= VEC_DEVICE_FIRST && r->vector <= VEC_DEVICE_LAST) {
		struct irq_handler *h = &handlers[r->vector - VEC_DEVICE_FIRST];
		irq_handler_fn fn = __atomic_load_n(&h->fn, __ATOMIC_ACQUIRE);
		if (fn)
			fn(h->arg);
		lapic_eoi();
	} else {
		lapic_eoi();
	}
	if (r->vector == VEC_TIMER || r->vector == VEC_RESCHED) {
		sched_interrupt();
		ktimer_run_expired();
	}
	if (regs_from_user(r)) {
		sched_preempt_point();
		signal_return_to_user(r);
	}
}
