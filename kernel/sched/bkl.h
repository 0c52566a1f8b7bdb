/* The big kernel lock: one CPU at a time runs kernel code that touches the process's state
 * (address space, files, futexes, wait queues). User code runs on every CPU at once; system
 * calls and page faults take turns. It is the simple first step Linux and Nanos both took;
 * finer locks can replace it one subsystem at a time. A thread that blocks gives it up
 * (sched_block) and takes it back when it runs again. */
#pragma once
#include "types.h"
#include "arch/x86_64/percpu.h"

#define BKL_NO_OWNER (-1)
extern volatile int bkl_owner; /* the CPU holding it, or BKL_NO_OWNER */
extern int bkl_depth;          /* its holds (a fault inside copy_from_user takes it again) */

void bkl_lock_slow(void);
void bkl_unlock_slow(void);

/* The uncontended first hold and the last release are inline: every syscall does both. */
static inline void bkl_lock(void)
{
	int expected = BKL_NO_OWNER;
	if (__builtin_expect(__atomic_compare_exchange_n(&bkl_owner, &expected, (int)this_cpu()->cpu_id,
							 false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED), 1))
		bkl_depth = 1;
	else
		bkl_lock_slow();
}

static inline void bkl_unlock(void)
{
	if (__builtin_expect(bkl_depth == 1 && bkl_owner == (int)this_cpu()->cpu_id, 1)) {
		bkl_depth = 0;
		__atomic_store_n(&bkl_owner, BKL_NO_OWNER, __ATOMIC_RELEASE);
	} else {
		bkl_unlock_slow();
	}
}

bool bkl_held(void);
/* Releases every hold this CPU has and returns how many there were (0: not held). */
int bkl_release_all(void);
void bkl_reacquire(int depth);
