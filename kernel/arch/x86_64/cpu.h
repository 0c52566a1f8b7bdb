/* Small wrappers for privileged x86 instructions, and the CPU features the kernel asks about. */
#pragma once
#include "types.h"

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u16 inw(u16 port)
{
	u16 v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline u64 read_cr2(void)
{
	u64 v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}
static inline u64 read_cr3(void)
{
	u64 v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}
static inline void write_cr3(u64 v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void invlpg(vaddr_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause"); }
/* Interrupts off; the returned flags give the previous state back to local_irq_restore. */
static inline u64 local_irq_save(void)
{
	u64 flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}
static inline void local_irq_restore(u64 flags)
{
	if (flags & (1 << 9))
		__asm__ volatile("sti" : : : "memory");
}
static inline __noreturn void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

struct cpu_features {
	bool rdrand, rdseed, xsave, avx, smep, smap, invariant_tsc, hypervisor;
	bool tsc_deadline, rdtscp; /* the LAPIC timer's TSC-deadline mode; rdtscp (TSC_AUX) */
	u32 hwcap;       /* CPUID.1:EDX, what Linux reports as AT_HWCAP on x86-64 */
	u32 tsc_khz_cpuid;
	u64 xcr0;        /* the state components we enabled */
	u32 xsave_size;  /* bytes XSAVE needs for them */
	char vendor[13];
	char brand[49];
};
extern struct cpu_features cpu_features;

/* The boot CPU: detects features, enables them. */
void cpu_init(void);
/* Another CPU: the same CR0, CR4 and XCR0 as the boot CPU, a clean FPU. */
void cpu_init_ap(void);
bool rdrand64(u64 *out);
bool rdseed64(u64 *out);
