/* TSC frequency, in order of trust: the host's word (monos.tsc_khz: under -icount the TSC counts
 * instructions, under TCG it is the host's TSC), kvmclock's factors under KVM, CPUID leaves
 * 0x15/0x16, then a 10 ms PIT count.
 * ns = (tsc delta * mult) >> 32 with 128-bit intermediate, so it neither overflows nor drifts.
 * The vDSO computes the same from the same figures (proc/vdso.c publishes them whenever they
 * change), so a clock read in the app and one in the kernel agree to the nanosecond. */
#include "core/time.h"
#include "core/cmdline.h"
#include "core/log.h"
#include "drivers/rtc.h"
#include "drivers/kvmclock.h"
#include "proc/vdso.h"
#include "arch/x86_64/cpu.h"

static u64 khz, mult, boot_tsc;
static s64 realtime_offset_ns; /* realtime = monotonic + offset */

#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61
#define PIT_HZ 1193182UL

static u64 calibrate_with_pit(void)
{
	const u64 ticks = PIT_HZ / 100; /* 10 ms */
	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
	outb(PIT_CMD, 0xb0); /* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CH2, ticks & 0xff);
	outb(PIT_CH2, ticks >> 8);
	/* Mode 0 drives OUT2 low until the count runs out; high right away means no PIT (microvm
	 * has none, and the port then floats high). */
	if (inb(PIT_GATE) & 0x20)
		return 0;
	u64 start = rdtsc();
	u64 spins = 0;
	while (!(inb(PIT_GATE) & 0x20)) {
		if (++spins > 100000000UL)
			return 0; /* no PIT */
	}
	return (rdtsc() - start) / 10;
}

void time_init(void)
{
	boot_tsc = rdtsc();
	khz = options.tsc_khz;
	if (!khz)
		khz = kvmclock_tsc_khz();
	if (!khz)
		khz = cpu_features.tsc_khz_cpuid;
	if (!khz)
		khz = calibrate_with_pit();
	if (!khz) {
		kerr("monos: cannot determine the TSC frequency; assuming 1 GHz\n");
		khz = 1000000;
	}
	mult = (1000000UL << 32) / khz;
	realtime_offset_ns = (s64)(rtc_read_epoch() * NSEC_PER_SEC);
	vdso_publish_clock(boot_tsc, mult, realtime_offset_ns);
	kprintf("time: tsc %lu kHz\n", khz);
}

u64 tsc_khz(void) { return khz; }

u64 time_monotonic_ns(void)
{
	u64 delta = rdtsc() - boot_tsc;
	return (u64)(((unsigned __int128)delta * mult) >> 32);
}

u64 time_realtime_ns(void)
{
	return (u64)((s64)time_monotonic_ns() + realtime_offset_ns);
}

s64 time_realtime_offset_ns(void)
{
	return realtime_offset_ns;
}

void time_set_realtime_ns(u64 ns)
{
	realtime_offset_ns = (s64)ns - (s64)time_monotonic_ns();
	vdso_publish_clock(boot_tsc, mult, realtime_offset_ns);
}

u64 time_ns_to_tsc(u64 ns)
{
	/* tsc = ns * khz / 10^6, split so that neither part overflows for centuries of ns. */
	u64 s = ns / NSEC_PER_SEC, rem = ns % NSEC_PER_SEC;
	return boot_tsc + s * khz * 1000 + rem * khz / 1000000;
}
