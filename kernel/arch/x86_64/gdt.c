/* GDT and TSS, one pair per CPU. The layout is Linux's (asm.h) so that the selectors an app can
 * observe match. The TSS gives the kernel stack for traps from ring 3 and a separate stack for
 * double faults. */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/asm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "lib/string.h"

static struct cpu_tables boot_tables;
static u8 boot_double_fault_stack[8192] __aligned(16);
static struct percpu boot_cpu;

void gdt_init_cpu(struct percpu *pc, struct cpu_tables *t, u64 df_stack_top)
{
	u64 *gdt = t->gdt;
	struct tss *tss = &t->tss;
	memset(t, 0, sizeof(*t));
	gdt[1] = 0x00cf9a000000ffffUL;  /* 0x08 kernel 32-bit code (unused) */
	gdt[2] = 0x00af9a000000ffffUL;  /* 0x10 kernel code */
	gdt[3] = 0x00cf92000000ffffUL;  /* 0x18 kernel data */
	gdt[4] = 0x00cffa000000ffffUL;  /* 0x23 user 32-bit code */
	gdt[5] = 0x00cff2000000ffffUL;  /* 0x2b user data */
	gdt[6] = 0x00affa000000ffffUL;  /* 0x33 user code */
	tss->iomap_base = sizeof(*tss);
	tss->ist[0] = df_stack_top;
	u64 base = (u64)tss, limit = sizeof(*tss) - 1;
	gdt[8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[9] = base >> 32;

	struct {
		u16 limit;
		u64 base;
	} __packed ptr = { sizeof(t->gdt) - 1, (u64)gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "mov %1, %%ds\n\t"
			 "mov %1, %%es\n\t"
			 "mov %1, %%ss\n\t"
			 "pushq %2\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:"
			 :
			 : "m"(ptr), "r"(KERNEL_DS), "i"(KERNEL_CS)
			 : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(TSS_SEL));

	pc->self = pc;
	pc->tss = tss;
	wrmsr(MSR_GS_BASE, (u64)pc);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void gdt_init(void)
{
	gdt_init_cpu(&boot_cpu, &boot_tables,
		     (u64)(boot_double_fault_stack + sizeof(boot_double_fault_stack)));
	cpus[0] = &boot_cpu;
}

void cpu_set_kernel_stack(u64 top)
{
	struct percpu *pc = this_cpu();
	pc->tss->rsp[0] = top;
	pc->kernel_rsp = top;
}
