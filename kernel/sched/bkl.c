/* The big kernel lock (bkl.h). Owner and depth rather than a plain flag: a page fault taken in
 * the kernel while copying from user memory enters the fault handler, which takes the lock
 * again on the same CPU. */
#include "sched/bkl.h"
#include "arch/x86_64/percpu.h"
#include "core/log.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/cpu.h"

#define NO_OWNER (-1)

static volatile int owner = NO_OWNER;
static int depth;

bool bkl_held(void) { return owner == (int)this_cpu()->cpu_id; }

void bkl_lock(void)
{
	int me = (int)this_cpu()->cpu_id;
	if (owner == me) {
		depth++;
		return;
	}
	int expected = NO_OWNER;
	while (!__atomic_compare_exchange_n(&owner, &expected, me, false, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		/* The holder may be waiting for this CPU to answer a TLB shootdown: answer it here.
		 * (Opening an interrupt window with sti;...;cli instead is not enough: under QEMU's
		 * TCG a window of a few instructions never lets an interrupt in.) Other interrupts
		 * wait in the LAPIC until this CPU returns to user mode or idles. */
		tlb_shootdown_service();
		cpu_relax();
		expected = NO_OWNER;
	}
	depth = 1;
}

void bkl_unlock(void)
{
	if (owner != (int)this_cpu()->cpu_id)
		panic("bkl_unlock: not the owner");
	if (--depth == 0)
		__atomic_store_n(&owner, NO_OWNER, __ATOMIC_RELEASE);
}

int bkl_release_all(void)
{
	if (owner != (int)this_cpu()->cpu_id)
		return 0;
	int held = depth;
	depth = 0;
	__atomic_store_n(&owner, NO_OWNER, __ATOMIC_RELEASE);
	return held;
}

void bkl_reacquire(int held)
{
	if (held <= 0)
		return;
	bkl_lock();
	depth = held;
}
