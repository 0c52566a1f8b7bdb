/* Clocks: the TSC, calibrated once, is the time source; the CMOS RTC gives the wall clock at boot. */
#pragma once
#include "types.h"

#define NSEC_PER_SEC 1000000000UL

void time_init(void);
u64 time_monotonic_ns(void);
u64 time_realtime_ns(void);
void time_set_realtime_ns(u64 ns);
u64 tsc_khz(void);
/* Busy-waits (no timer interrupts yet) until the monotonic clock reaches deadline. */
void time_wait_until(u64 deadline_ns);
