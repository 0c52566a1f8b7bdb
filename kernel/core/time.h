/* Clocks: the TSC, calibrated once, is the time source; the CMOS RTC gives the wall clock at boot. */
#pragma once
#include "types.h"

#define NSEC_PER_SEC 1000000000UL

void time_init(void);
u64 time_monotonic_ns(void);
u64 time_realtime_ns(void);
void time_set_realtime_ns(u64 ns);
/* CLOCK_REALTIME minus CLOCK_MONOTONIC, exactly (for converting absolute deadlines). */
s64 time_realtime_offset_ns(void);
u64 tsc_khz(void);
/* The TSC value at which the monotonic clock reads ns (for arming the LAPIC timer). */
u64 time_ns_to_tsc(u64 ns);
/* CPU time of the whole process and of one thread, from the scheduler's accounting. */
u64 time_process_cpu_ns(void);
struct thread;
u64 time_thread_cpu_ns(const struct thread *t);
