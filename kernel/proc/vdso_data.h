/* The vDSO's data page ([vvar]): what the kernel publishes for the vDSO's clock reads, shared by
 * the kernel (proc/vdso.c writes it) and the vDSO (vdso/, reads it). The page sits right below
 * the vDSO's text, read-only to the app; the vDSO finds it by its own address.
 * Only <linux/types.h> here: this header is built into the kernel and into the vDSO. */
#pragma once
#include <linux/types.h>

/* The coarse clocks' tick (CLOCK_*_COARSE read the clock rounded down to it, and clock_getres
 * reports it): 250 Hz, as Debian's kernel (CONFIG_HZ_250). */
#define VDSO_TICK_NS 4000000ULL

/* How __vdso_getcpu reads the CPU number (IA32_TSC_AUX = node << 12 | cpu). */
#define VDSO_GETCPU_SYSCALL 0 /* no TSC_AUX: ask the kernel */
#define VDSO_GETCPU_RDPID 1
#define VDSO_GETCPU_RDTSCP 2

struct vdso_data {
	/* Odd while the kernel rewrites the fields below; readers retry when it was odd or moved. */
	__u32 seq;
	__u32 getcpu_method;
	/* CLOCK_MONOTONIC = ((rdtsc - tsc_base) * mult) >> 32 ns, with a 128-bit product: the very
	 * arithmetic of core/time.c, so the vDSO and the syscall agree to the nanosecond. */
	__u64 tsc_base;
	__u64 mult;
	/* CLOCK_REALTIME = CLOCK_MONOTONIC + realtime_offset_ns (clock_settime moves it). */
	__s64 realtime_offset_ns;
	/* settimeofday's timezone, which gettimeofday hands back. */
	__s32 tz_minuteswest;
	__s32 tz_dsttime;
};
