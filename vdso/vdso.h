/* What every vDSO function shares: the data page, the TSC read and the system call that the
 * functions fall back on for what the page cannot answer. The vDSO runs in the app's ring 3 with
 * the app's stack: no globals of its own, no relocations, no libc. */
#pragma once
#include "proc/vdso_data.h"

/* The page below the text (vdso.lds places the symbol there); hidden, so that code reaches it
 * RIP-relative and the shared object needs no relocation. */
extern const volatile struct vdso_data vdso_data __attribute__((visibility("hidden")));

static inline __u64 vdso_rdtsc(void)
{
	__u32 lo, hi;
	/* lfence: the TSC is read after the sequence count, not speculated ahead of it (Linux's
	 * rdtsc_ordered), so a reading never predates the parameters it is scaled with. */
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((__u64)hi << 32) | lo;
}

static inline long vdso_syscall2(long nr, long a, long b)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

static inline long vdso_syscall3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}
