/* Descriptor tables and the per-CPU kernel stack pointer used on entry from ring 3. */
#pragma once
#include "types.h"

void gdt_init(void);
void idt_init(void);
void syscall_init(void);
/* The stack the CPU switches to on a trap or syscall from ring 3. */
void cpu_set_kernel_stack(u64 top);
