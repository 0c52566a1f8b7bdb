/* Saving and restoring the user's FPU, SSE and AVX state on a thread switch. The kernel is built
 * with general registers only, so that state always belongs to the thread that runs in user
 * mode, and is saved eagerly at every switch (lazy switching saves little and invites bugs). */
#pragma once
#include "arch/x86_64/cpu.h"

/* Bytes a thread's save area needs; the area is 64-byte aligned (XSAVE demands it). */
static inline u32 fpu_area_size(void) { return cpu_features.xsave_size; }

static inline void fpu_save(void *area)
{
	if (cpu_features.xsave)
		__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"((u32)cpu_features.xcr0),
				 "d"((u32)(cpu_features.xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

static inline void fpu_restore(const void *area)
{
	if (cpu_features.xsave)
		__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"((u32)cpu_features.xcr0),
				 "d"((u32)(cpu_features.xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}
