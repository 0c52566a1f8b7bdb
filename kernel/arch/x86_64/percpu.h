/* Per-CPU data, reached through %gs in the kernel. The first fields are used by the entry code at
 * fixed offsets (asm.h): keep them in place. */
#pragma once
#include "types.h"

struct thread;
struct tss;

struct percpu {
	struct percpu *self;     /* PERCPU_SELF */
	u64 kernel_rsp;          /* PERCPU_KERNEL_RSP: top of the running thread's kernel stack */
	u64 user_rsp;            /* PERCPU_USER_RSP: scratch for the syscall entry */
	struct thread *current;
	u32 cpu_id;              /* index in cpus[] (smp.h), 0 for the boot CPU */
	u32 apic_id;             /* its local APIC's id, the destination of IPIs */
	struct tss *tss;         /* its TSS: rsp0 follows the running thread */
	u8 lapic_timer_vector;   /* what the timer LVT entry delivers, 0 while masked (lapic.c) */
};

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}
