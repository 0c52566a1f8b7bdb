/* The vDSO: the shared object from vdso/ that serves clock_gettime, gettimeofday, time,
 * clock_getres and getcpu in the app's own ring 3, and the data page it reads. core/time.c
 * publishes the clock here whenever it changes; exec maps both into the app. */
#pragma once
#include "types.h"

/* The TSC-to-ns parameters and the realtime offset (time_init, clock_settime). */
void vdso_publish_clock(u64 tsc_base, u64 mult, s64 realtime_offset_ns);
/* settimeofday's timezone, which gettimeofday returns. */
void vdso_publish_timezone(s32 minuteswest, s32 dsttime);
/* Maps the data page ([vvar], read-only) and, right above it, the vDSO (read+exec) at a random
 * address; returns the vDSO's address for AT_SYSINFO_EHDR, or 0 when there was no room (the app
 * then runs without a vDSO, as libc allows). */
uptr_t vdso_map(void);
