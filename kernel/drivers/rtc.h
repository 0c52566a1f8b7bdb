/* The CMOS real-time clock. */
#pragma once
#include "types.h"

/* Seconds since the Unix epoch, as the RTC (UTC, QEMU's default) says now. */
u64 rtc_read_epoch(void);
