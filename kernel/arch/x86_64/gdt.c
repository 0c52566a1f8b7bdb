/* GDT and TSS. The layout is Linux's (asm.h) so that the selectors an app can observe match. The
 * TSS gives the kernel stack for traps from ring 3 and a separate stack for double faults. */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/asm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "lib/string.h"

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

static u64 gdt[10] __aligned(16);
static struct tss tss __aligned(16);
static u8 double_fault_stack[8192] __aligned(16);
static struct percpu boot_cpu;

void gdt_init(void)
{
	gdt[1] = 0x00cf9a000000ffffUL;  /* 0x08 kernel 32-bit code (unused) */
	gdt[2] = 0x00af9a000000ffffUL;  /* 0x10 kernel code */
	gdt[3] = 0x00cf92000000ffffUL;  /* 0x18 kernel data */
	gdt[4] = 0x00cffa000000ffffUL;  /* 0x23 user 32-bit code */
	gdt[5] = 0x00cff2000000ffffUL;  /* 0x2b user data */
	gdt[6] = 0x00affa000000ffffUL;  /* 0x33 user code */
	memset(&tss, 0, sizeof(tss));
	tss.iomap_base = sizeof(tss);
	tss.ist[0] = (u64)(double_fault_stack + sizeof(double_fault_stack));
	u64 base = (u64)&tss, limit = sizeof(tss) - 1;
	gdt[8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[9] = base >> 32;

	struct {
		u16 limit;
		u64 base;
	} __packed ptr = { sizeof(gdt) - 1, (u64)gdt };
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

	boot_cpu.self = &boot_cpu;
	wrmsr(MSR_GS_BASE, (u64)&boot_cpu);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void cpu_set_kernel_stack(u64 top)
{
	tss.rsp[0] = top;
	this_cpu()->kernel_rsp = top;
}
