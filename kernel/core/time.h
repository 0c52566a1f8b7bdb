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
/* Sleeps (busy-waits: no timer interrupts yet) until the monotonic clock reaches deadline; the
 * time slept is not the process's CPU time. */
void time_sleep_until(u64 deadline_ns);
/* CPU time of the process: exact while one thread runs on one CPU. */
u64 time_process_cpu_ns(void);
