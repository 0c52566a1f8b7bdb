/* KVM's paravirtual clock, read once for the TSC frequency it publishes. */
#pragma once
#include "types.h"

/* The TSC frequency in kHz from kvmclock, or 0 when not running on KVM with kvmclock. */
u64 kvmclock_tsc_khz(void);
