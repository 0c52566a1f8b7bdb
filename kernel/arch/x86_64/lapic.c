/* The local APIC in xAPIC mode: its registers are memory at the physical address IA32_APIC_BASE
 * gives (0xfee00000), reached through the direct map made uncached. xAPIC rather than x2APIC
 * because every machine we boot on has it: QEMU's TCG (7.2) offers neither x2APIC nor the
 * TSC-deadline timer, KVM and Firecracker emulate both modes, and with at most MAX_CPUS (64) CPUs
 * the 8-bit xAPIC ids suffice.
 *
 * The timer: TSC-deadline mode where CPUID offers it (KVM), else one-shot counts. The count's
 * rate is measured against the TSC on the boot CPU, usually without waiting: lapic_init starts
 * the counter, and lapic_timer_calibrate (smp_init when there are other CPUs, else the first
 * arm) reads how far it went while the rest of the boot ran. Each end of the measurement is a
 * register access between two TSC reads; the measurement is long enough when it is 1000 times
 * their spread plus one count, so the rate is within 0.1% (under -icount that is ~50 us of
 * boot; under plain TCG a few ms). A boot that is not that long yet waits the difference. A count is 32 bits: a deadline beyond its range (about 68 s on QEMU,
 * whose timer runs at 1 GHz) fires early, at the end of the range, as can any deadline by the
 * calibration's error (under 0.1%); the handler must look at the clock. */
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/asm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "core/log.h"
#include "core/time.h"
#include "mm/paging.h"

#define LAPIC_ID 0x20
#define LAPIC_VERSION 0x30
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF 0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0

#define APIC_BASE_ENABLE (1UL << 11)
#define APIC_BASE_X2APIC (1UL << 10)
#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_NMI (4u << 8)
#define LVT_TIMER_DEADLINE (2u << 17)
#define ICR_FIXED (0u << 8)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_BUSY (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_ALL_BUT_SELF (3u << 18)
#define DIVIDE_BY_16 0x3
#define PTE_PWT (1UL << 3)
#define PTE_PCD (1UL << 4)

volatile u8 *lapic_regs;
static bool deadline_mode;
/* Count mode: timer ticks per TSC tick, 32.32 fixed point; 0 until calibrated. */
static u64 ticks_per_tsc;
static u64 calibration_tsc;   /* when lapic_init started the counter (mid-point) */
static u64 calibration_spread; /* the TSC reads around that start, how far apart */

static inline u32 lapic_read(u32 reg) { return *(volatile u32 *)(lapic_regs + reg); }
static inline void lapic_write(u32 reg, u32 v) { *(volatile u32 *)(lapic_regs + reg) = v; }

/* The direct map shows the LAPIC page with a write-back 2 MiB page; registers want uncached
 * access (PCD|PWT: PAT entry 3, UC, in the reset PAT). The 2 MiB page at 0xfee00000 holds
 * nothing but the LAPIC, so the whole entry changes. Done once on the boot CPU, before any AP
 * walks these tables. */
static volatile u8 *map_registers(paddr_t base)
{
	vaddr_t va = (vaddr_t)phys_to_virt(base);
	u64 *t = phys_to_virt(read_cr3() & PTE_ADDR);
	for (int level = 3; level > 1; level--) {
		u64 e = t[(va >> (12 + 9 * level)) & 511];
		if (!(e & PTE_P) || (e & PTE_PS))
			panic("lapic: %lx is not in the direct map's 2 MiB pages", base);
		t = phys_to_virt(e & PTE_ADDR);
	}
	u64 *pde = &t[(va >> 21) & 511];
	if ((*pde & (PTE_P | PTE_PS)) != (PTE_P | PTE_PS))
		panic("lapic: %lx is not in the direct map's 2 MiB pages", base);
	*pde |= PTE_PCD | PTE_PWT;
	invlpg(va);
	return (volatile u8 *)va;
}

static void start_calibration(void)
{
	u64 before = rdtsc();
	lapic_write(LAPIC_TIMER_INITIAL, 0xffffffff);
	u64 after = rdtsc();
	calibration_tsc = before + (after - before) / 2;
	calibration_spread = after - before;
}

/* The boot CPU, first call: find and map the registers, choose the timer mode, start the count
 * that lapic_timer_calibrate will read. */
static void lapic_setup_boot(u64 apic_base)
{
	lapic_regs = map_registers(apic_base & PTE_ADDR);
	deadline_mode = cpu_features.tsc_deadline;
	if (!deadline_mode) {
		lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
		lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
		start_calibration();
	}
}

void lapic_init(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);
	/* Firmware that hands over in x2APIC mode: going back to xAPIC needs the disabled state in
	 * between (SDM 10.12.5). */
	if (base & APIC_BASE_X2APIC) {
		base &= ~(APIC_BASE_X2APIC | APIC_BASE_ENABLE);
		wrmsr(MSR_APIC_BASE, base);
	}
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	bool boot = !lapic_regs;
	if (boot)
		lapic_setup_boot(base);
	else
		lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);

	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	u32 max_lvt = (lapic_read(LAPIC_VERSION) >> 16) & 0xff;
	if (!boot)
		lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	/* LINT0 carries the 8259's ExtINT in virtual-wire mode: the PICs are masked and unused.
	 * LINT1 is the NMI line, wired to the boot CPU only (as Linux sets it up). */
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, boot ? LVT_NMI : LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	if (max_lvt >= 4)
		lapic_write(LAPIC_LVT_PERF, LVT_MASKED);
	if (max_lvt >= 5)
		lapic_write(LAPIC_LVT_THERMAL, LVT_MASKED);
	lapic_write(LAPIC_ESR, 0); /* the ESR latches on write: twice clears it */
	lapic_write(LAPIC_ESR, 0);
	lapic_eoi();               /* anything left in service by the firmware */
	struct percpu *pc = this_cpu();
	pc->apic_id = lapic_id();
	pc->lapic_timer_vector = 0;
}

void lapic_eoi(void) { lapic_write(LAPIC_EOI, 0); }

u32 lapic_id(void) { return lapic_read(LAPIC_ID) >> 24; }

/* The ICR is two registers: no interrupt handler on this CPU may send between the two writes. */
static void send_icr(u32 apic_id, u32 low)
{
	u64 flags = local_irq_save();
	while (lapic_read(LAPIC_ICR_LOW) & ICR_BUSY)
		cpu_relax();
	lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, low);
	local_irq_restore(flags);
}

void lapic_send_ipi(u32 apic_id, u8 vector)
{
	send_icr(apic_id, ICR_ASSERT | ICR_FIXED | vector);
}

void lapic_send_ipi_others(u8 vector)
{
	send_icr(0, ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_FIXED | vector);
}

void lapic_send_init(u32 apic_id)
{
	send_icr(apic_id, ICR_ASSERT | ICR_INIT);
}

void lapic_send_startup(u32 apic_id, paddr_t page)
{
	send_icr(apic_id, ICR_ASSERT | ICR_STARTUP | (u32)(page >> 12));
}

void lapic_timer_calibrate(void)
{
	if (deadline_mode || ticks_per_tsc)
		return;
	u64 flags = local_irq_save();
	u64 limit = rdtsc() + tsc_khz() * 20; /* give up improving after 20 ms */
	for (;;) {
		u64 before = rdtsc();
		u32 left = lapic_read(LAPIC_TIMER_CURRENT);
		u64 after = rdtsc();
		if (!left) { /* the counter ran out (a boot longer than 2^32 counts): again */
			start_calibration();
			continue;
		}
		u64 ticks = 0xffffffffUL - left;
		u64 tsc = before + (after - before) / 2 - calibration_tsc;
		u64 error = calibration_spread + (after - before) + (ticks ? tsc / ticks : tsc) + 1;
		if (ticks && (tsc >= error * 1000 || after > limit)) {
			ticks_per_tsc = (ticks << 32) / tsc; /* ticks < 2^32: no overflow */
			break;
		}
		cpu_relax();
	}
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	local_irq_restore(flags);
	if (!ticks_per_tsc)
		ticks_per_tsc = 1;
	kprintf("lapic: timer %lu kHz (divided by 16), calibrated against the TSC\n",
		(u64)(((unsigned __int128)ticks_per_tsc * tsc_khz()) >> 32));
}

static void timer_arm(u64 tsc_deadline, u8 vector)
{
	struct percpu *pc = this_cpu();
	if (deadline_mode) {
		if (pc->lapic_timer_vector != vector) {
			lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_DEADLINE | vector);
			/* The LVT write must land before the MSR write (SDM 10.5.4.1). */
			__asm__ volatile("mfence" : : : "memory");
			pc->lapic_timer_vector = vector;
		}
		wrmsr(MSR_TSC_DEADLINE, tsc_deadline ? tsc_deadline : 1); /* 0 would disarm */
		return;
	}
	if (!ticks_per_tsc)
		lapic_timer_calibrate(); /* only the boot CPU can get here uncalibrated */
	if (pc->lapic_timer_vector != vector) {
		lapic_write(LAPIC_LVT_TIMER, vector); /* one-shot, unmasked */
		pc->lapic_timer_vector = vector;
	}
	u64 now = rdtsc(), count = 1;
	if (tsc_deadline > now) {
		unsigned __int128 c = (unsigned __int128)(tsc_deadline - now) * ticks_per_tsc;
		c = (c >> 32) + 1; /* round up: never before the deadline by rounding */
		count = c > 0xffffffffu ? 0xffffffffu : (u64)c;
	}
	lapic_write(LAPIC_TIMER_INITIAL, (u32)count);
}

void lapic_timer_arm(u64 tsc_deadline) { timer_arm(tsc_deadline, VEC_TIMER); }

void lapic_wake_at(u64 tsc_deadline) { timer_arm(tsc_deadline, VEC_WAKE); }

void lapic_timer_stop(void)
{
	if (deadline_mode)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		lapic_write(LAPIC_TIMER_INITIAL, 0);
}
