/* The IDT (exceptions 0..31, interrupts 32..255, one table shared by all CPUs) and the MSRs of
 * the syscall instruction. */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/asm.h"
#include "arch/x86_64/cpu.h"

/* A 64-bit gate: offset 15..0, selector, IST, type, offset 31..16; then offset 63..32. Built
 * as two words: 256 gates at boot, so the packed-field stores would cost. */
struct idt_entry {
	u64 lo, hi;
};

static struct idt_entry idt[256] __aligned(16);
extern const u64 isr_table[32];
extern char irq_entries[]; /* entry.S: one IRQ_ENTRY_SIZE-byte entry point per vector from 32 */
extern char syscall_entry[];

#define VEC_DOUBLE_FAULT 8
#define VEC_BREAKPOINT 3
#define IRQ_ENTRY_SIZE 16

static void set_gate(int vec, u64 handler, u8 ist, u8 dpl)
{
	u64 type = 0x8e | (dpl << 5); /* present, 64-bit interrupt gate */
	idt[vec].lo = (handler & 0xffff) | ((u64)KERNEL_CS << 16) | ((u64)ist << 32) | (type << 40) |
		      ((handler & 0xffff0000) << 32);
	idt[vec].hi = handler >> 32;
}

void idt_init(void)
{
	for (int v = 0; v < 32; v++)
		set_gate(v, isr_table[v], v == VEC_DOUBLE_FAULT ? 1 : 0, v == VEC_BREAKPOINT ? 3 : 0);
	/* The entry points sit in one page (entry.S aligns them), so their gates differ only in the low
	 * 16 bits of the offset. */
	set_gate(32, (u64)irq_entries, 0, 0);
	for (int v = 33; v < 256; v++) {
		idt[v].lo = idt[v - 1].lo + IRQ_ENTRY_SIZE;
		idt[v].hi = idt[32].hi;
	}
	idt_load();
}

void idt_load(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed ptr = { sizeof(idt) - 1, (u64)idt };
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

void syscall_init(void)
{
	/* STAR: syscall loads CS=0x10/SS=0x18; sysretq loads CS=0x20+16|3, SS=0x20+8|3 (Linux's). */
	wrmsr(MSR_STAR, ((u64)(USER32_CS - 3) << 48) | ((u64)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (u64)syscall_entry);
	/* Clear IF, TF, DF, AC, NT on entry. */
	wrmsr(MSR_FMASK, (1 << 9) | (1 << 8) | (1 << 10) | (1 << 18) | (1 << 14));
}
