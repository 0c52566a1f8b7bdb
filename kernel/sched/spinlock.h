/* Spinlocks for data that interrupt handlers and other CPUs touch: run queues, timer lists.
 * The irqsave forms keep this CPU's interrupts off while the lock is held, so a handler on the
 * same CPU never spins on a lock its own CPU holds. Everything else in the kernel is serialised
 * by the big kernel lock (bkl.h). */
#pragma once
#include "types.h"

struct spinlock {
	volatile u32 locked;
};

static inline u64 irq_save(void)
{
	u64 flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void irq_restore(u64 flags)
{
	if (flags & (1 << 9))
		__asm__ volatile("sti" : : : "memory");
}

static inline bool irqs_enabled(void)
{
	u64 flags;
	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return flags & (1 << 9);
}

static inline bool spin_trylock(struct spinlock *l)
{
	return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void spin_lock(struct spinlock *l)
{
	while (!spin_trylock(l))
		while (l->locked)
			__asm__ volatile("pause");
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline u64 spin_lock_irqsave(struct spinlock *l)
{
	u64 flags = irq_save();
	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, u64 flags)
{
	spin_unlock(l);
	irq_restore(flags);
}
