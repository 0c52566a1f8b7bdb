/* Descriptor tables and the per-CPU kernel stack pointer used on entry from ring 3. */
#pragma once
#include "types.h"

struct percpu;

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

/* One CPU's GDT and TSS; each CPU needs its own (ltr marks the TSS descriptor busy). */
struct cpu_tables {
	u64 gdt[10];
	struct tss tss;
} __aligned(16);

/* The boot CPU: its tables and per-CPU area are static; it becomes cpus[0]. */
void gdt_init(void);
/* Any CPU: builds and loads `t`, points the TSS's double-fault stack at df_stack_top, and sets
 * GS base to pc (KERNEL_GS_BASE 0). pc must be zeroed by the caller. */
void gdt_init_cpu(struct percpu *pc, struct cpu_tables *t, u64 df_stack_top);
void idt_init(void);
/* Loads the IDT idt_init built (other CPUs share it). */
void idt_load(void);
void syscall_init(void);
/* The stack the CPU switches to on a trap or syscall from ring 3: sets the calling CPU's TSS
 * rsp0 and its percpu kernel_rsp. */
void cpu_set_kernel_stack(u64 top);
