/* The big kernel lock (bkl.h). Owner and depth rather than a plain flag: a page fault taken in
 * the kernel while copying from user memory enters the fault handler, which takes the lock
 * again on the same CPU. */
#include "sched/bkl.h"
#include "arch/x86_64/percpu.h"
#include "core/log.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/cpu.h"


volatile int bkl_owner = BKL_NO_OWNER;
int bkl_depth;

bool bkl_held(void) { return bkl_owner == (int)this_cpu()->cpu_id; }

void bkl_lock_slow(void)
{
	int me = (int)this_cpu()->cpu_id;
	if (bkl_owner == me) {
		bkl_depth++;
		return;
	}
	int expected = BKL_NO_OWNER;
	while (!__atomic_compare_exchange_n(&bkl_owner, &expected, me, false, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		/* The holder may be waiting for this CPU to answer a TLB shootdown: answer it here.
		 * (Opening an interrupt window with sti;...;cli instead is not enough: under QEMU's
		 * TCG a window of a few instructions never lets an interrupt in.) Other interrupts
		 * wait in the LAPIC until this CPU returns to user mode or idles. */
		tlb_shootdown_service();
		cpu_relax();
		expected = BKL_NO_OWNER;
	}
	bkl_depth = 1;
}

void bkl_unlock_slow(void)
{
	if (bkl_owner != (int)this_cpu()->cpu_id)
		panic("bkl_unlock: not the bkl_owner");
	if (--bkl_depth == 0)
		__atomic_store_n(&bkl_owner, BKL_NO_OWNER, __ATOMIC_RELEASE);
}

int bkl_release_all(void)
{
	if (bkl_owner != (int)this_cpu()->cpu_id)
		return 0;
	int held = bkl_depth;
	bkl_depth = 0;
	__atomic_store_n(&bkl_owner, BKL_NO_OWNER, __ATOMIC_RELEASE);
	return held;
}

void bkl_reacquire(int held)
{
	if (held <= 0)
		return;
	bkl_lock();
	bkl_depth = held;
}
