/*
 * cpu_state.c: the register state a process starts with and keeps.
 * - At startup MXCSR is 0x1f80 and the x87 control word 0x037f (x86-64
 *   psABI, "Process Initialization"; Linux's fpstate_init).
 * - A syscall preserves every register but rax, rcx and r11, including
 *   the vector registers, and so do sleeps and interrupts (the kernel saves
 *   the extended state on context switches).
 * - Linux enables every state component the CPU has in XCR0 (AVX, AVX-512),
 *   which is what makes glibc choose its AVX2/EVEX string routines.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "check.h"

static uint32_t start_mxcsr;
static uint16_t start_fpucw;

/* Read before libc's main runs any floating-point code of ours. */
__attribute__((constructor)) static void read_start_state(void)
{
	__asm__ volatile("stmxcsr %0" : "=m"(start_mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(start_fpucw));
}

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static const struct timespec sleep_20ms = { 0, 20 * 1000 * 1000 };

/*
 * Load xmm0-15 from in, make the syscall (getpid, or nanosleep of 20 ms),
 * store xmm0-15 to out.
 */
static void xmm_across_syscall(const uint8_t *in, uint8_t *out, long nr)
{
	__asm__ volatile(
		"movdqu 0(%[in]), %%xmm0\n\t"
		"movdqu 16(%[in]), %%xmm1\n\t"
		"movdqu 32(%[in]), %%xmm2\n\t"
		"movdqu 48(%[in]), %%xmm3\n\t"
		"movdqu 64(%[in]), %%xmm4\n\t"
		"movdqu 80(%[in]), %%xmm5\n\t"
		"movdqu 96(%[in]), %%xmm6\n\t"
		"movdqu 112(%[in]), %%xmm7\n\t"
		"movdqu 128(%[in]), %%xmm8\n\t"
		"movdqu 144(%[in]), %%xmm9\n\t"
		"movdqu 160(%[in]), %%xmm10\n\t"
		"movdqu 176(%[in]), %%xmm11\n\t"
		"movdqu 192(%[in]), %%xmm12\n\t"
		"movdqu 208(%[in]), %%xmm13\n\t"
		"movdqu 224(%[in]), %%xmm14\n\t"
		"movdqu 240(%[in]), %%xmm15\n\t"
		"syscall\n\t"
		"movdqu %%xmm0, 0(%[out])\n\t"
		"movdqu %%xmm1, 16(%[out])\n\t"
		"movdqu %%xmm2, 32(%[out])\n\t"
		"movdqu %%xmm3, 48(%[out])\n\t"
		"movdqu %%xmm4, 64(%[out])\n\t"
		"movdqu %%xmm5, 80(%[out])\n\t"
		"movdqu %%xmm6, 96(%[out])\n\t"
		"movdqu %%xmm7, 112(%[out])\n\t"
		"movdqu %%xmm8, 128(%[out])\n\t"
		"movdqu %%xmm9, 144(%[out])\n\t"
		"movdqu %%xmm10, 160(%[out])\n\t"
		"movdqu %%xmm11, 176(%[out])\n\t"
		"movdqu %%xmm12, 192(%[out])\n\t"
		"movdqu %%xmm13, 208(%[out])\n\t"
		"movdqu %%xmm14, 224(%[out])\n\t"
		"movdqu %%xmm15, 240(%[out])\n\t"
		: "+a"(nr)
		: [in] "r"(in), [out] "r"(out), "D"(&sleep_20ms), "S"(0L)
		: "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
		  "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
		  "xmm13", "xmm14", "xmm15");
}

/* The same for the full 256-bit ymm0-15. */
__attribute__((target("avx"))) static void ymm_across_syscall(const uint8_t *in,
							       uint8_t *out, long nr)
{
	__asm__ volatile(
		"vmovdqu 0(%[in]), %%ymm0\n\t"
		"vmovdqu 32(%[in]), %%ymm1\n\t"
		"vmovdqu 64(%[in]), %%ymm2\n\t"
		"vmovdqu 96(%[in]), %%ymm3\n\t"
		"vmovdqu 128(%[in]), %%ymm4\n\t"
		"vmovdqu 160(%[in]), %%ymm5\n\t"
		"vmovdqu 192(%[in]), %%ymm6\n\t"
		"vmovdqu 224(%[in]), %%ymm7\n\t"
		"vmovdqu 256(%[in]), %%ymm8\n\t"
		"vmovdqu 288(%[in]), %%ymm9\n\t"
		"vmovdqu 320(%[in]), %%ymm10\n\t"
		"vmovdqu 352(%[in]), %%ymm11\n\t"
		"vmovdqu 384(%[in]), %%ymm12\n\t"
		"vmovdqu 416(%[in]), %%ymm13\n\t"
		"vmovdqu 448(%[in]), %%ymm14\n\t"
		"vmovdqu 480(%[in]), %%ymm15\n\t"
		"syscall\n\t"
		"vmovdqu %%ymm0, 0(%[out])\n\t"
		"vmovdqu %%ymm1, 32(%[out])\n\t"
		"vmovdqu %%ymm2, 64(%[out])\n\t"
		"vmovdqu %%ymm3, 96(%[out])\n\t"
		"vmovdqu %%ymm4, 128(%[out])\n\t"
		"vmovdqu %%ymm5, 160(%[out])\n\t"
		"vmovdqu %%ymm6, 192(%[out])\n\t"
		"vmovdqu %%ymm7, 224(%[out])\n\t"
		"vmovdqu %%ymm8, 256(%[out])\n\t"
		"vmovdqu %%ymm9, 288(%[out])\n\t"
		"vmovdqu %%ymm10, 320(%[out])\n\t"
		"vmovdqu %%ymm11, 352(%[out])\n\t"
		"vmovdqu %%ymm12, 384(%[out])\n\t"
		"vmovdqu %%ymm13, 416(%[out])\n\t"
		"vmovdqu %%ymm14, 448(%[out])\n\t"
		"vmovdqu %%ymm15, 480(%[out])\n\t"
		"vzeroupper\n\t"
		: "+a"(nr)
		: [in] "r"(in), [out] "r"(out), "D"(&sleep_20ms), "S"(0L)
		: "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
		  "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
		  "xmm13", "xmm14", "xmm15");
}

/*
 * General registers across a syscall: all but rax, rcx and r11 survive.
 * rdi and rsi carry nanosleep's arguments and are checked too. Each
 * register is an in/out operand, so the compiler reads back what the
 * kernel left in it.
 */
static const uint64_t gpr_want[9] = {
	0x1111111111111111, 0x2222222222222222, 0x3333333333333333,
	0x4444444444444444, 0x5555555555555555, 0x6666666666666666,
	0x7777777777777777, 0x8888888888888888, 0x9999999999999999,
};

static int gprs_across_syscall(long nr, uint64_t got[11])
{
	register uint64_t r8 __asm__("r8") = gpr_want[2];
	register uint64_t r9 __asm__("r9") = gpr_want[3];
	register uint64_t r10 __asm__("r10") = gpr_want[4];
	register uint64_t r12 __asm__("r12") = gpr_want[5];
	register uint64_t r13 __asm__("r13") = gpr_want[6];
	register uint64_t r14 __asm__("r14") = gpr_want[7];
	register uint64_t r15 __asm__("r15") = gpr_want[8];
	uint64_t rbx = gpr_want[0], rdx = gpr_want[1];
	uint64_t rdi = (uint64_t)&sleep_20ms, rsi = 0;

	__asm__ volatile("syscall"
			 : "+a"(nr), "+b"(rbx), "+d"(rdx), "+D"(rdi), "+S"(rsi),
			   "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r12), "+r"(r13),
			   "+r"(r14), "+r"(r15)
			 :
			 : "rcx", "r11", "memory");
	got[0] = rbx, got[1] = rdx, got[2] = r8, got[3] = r9, got[4] = r10;
	got[5] = r12, got[6] = r13, got[7] = r14, got[8] = r15;
	got[9] = rdi, got[10] = rsi;
	int same = rdi == (uint64_t)&sleep_20ms && rsi == 0;
	for (int i = 0; i < 9; i++)
		same &= got[i] == gpr_want[i];
	return same;
}

static void start_state(void)
{
	check(start_mxcsr == 0x1f80, "initial_mxcsr", "MXCSR = 0x%x, expected 0x1f80",
	      start_mxcsr);
	check(start_fpucw == 0x037f, "initial_x87_cw",
	      "x87 control word = 0x%x, expected 0x037f", start_fpucw);
}

static void extended_features(int *have_avx)
{
	unsigned a, b, c, d;
	__cpuid(1, a, b, c, d);
	int avx = (c >> 28) & 1, osxsave = (c >> 27) & 1, xsave = (c >> 26) & 1;
	*have_avx = 0;
	if (!xsave)
		return;
	/* A kernel that supports XSAVE turns on CR4.OSXSAVE (Linux does). */
	check(osxsave, "osxsave_enabled", "CPU has XSAVE but CR4.OSXSAVE is clear");
	if (!osxsave)
		return;
	uint64_t xcr0 = xgetbv0();
	check((xcr0 & 3) == 3, "xcr0_sse", "XCR0 = 0x%llx lacks x87|SSE",
	      (unsigned long long)xcr0);
	if (avx)
		check((xcr0 & 6) == 6, "xcr0_avx", "CPU has AVX but XCR0 = 0x%llx",
		      (unsigned long long)xcr0);
	*have_avx = avx && (xcr0 & 6) == 6;

	unsigned max = __get_cpuid_max(0, NULL);
	if (max >= 7) {
		__cpuid_count(7, 0, a, b, c, d);
		if ((b >> 16) & 1) /* AVX512F: opmask, ZMM_Hi256, Hi16_ZMM */
			check((xcr0 & 0xe0) == 0xe0, "xcr0_avx512",
			      "CPU has AVX-512 but XCR0 = 0x%llx",
			      (unsigned long long)xcr0);
	}
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 37 + seed * 101 + 1);
}

static void vectors(int have_avx)
{
	uint8_t in[512], out[512];

	fill_pattern(in, 256, 1);
	memset(out, 0, sizeof(out));
	xmm_across_syscall(in, out, SYS_getpid);
	check(memcmp(in, out, 256) == 0, "xmm_across_syscall",
	      "xmm registers changed across getpid");
	fill_pattern(in, 256, 2);
	memset(out, 0, sizeof(out));
	xmm_across_syscall(in, out, SYS_nanosleep);
	check(memcmp(in, out, 256) == 0, "xmm_across_sleep",
	      "xmm registers changed across a 20 ms nanosleep");

	if (!have_avx)
		return;
	fill_pattern(in, 512, 3);
	memset(out, 0, sizeof(out));
	ymm_across_syscall(in, out, SYS_getpid);
	check(memcmp(in, out, 512) == 0, "ymm_across_syscall",
	      "ymm registers changed across getpid");
	fill_pattern(in, 512, 4);
	memset(out, 0, sizeof(out));
	ymm_across_syscall(in, out, SYS_nanosleep);
	check(memcmp(in, out, 512) == 0, "ymm_across_sleep",
	      "ymm registers changed across a 20 ms nanosleep");
}

static void report_gprs(const char *name, int ok, const uint64_t got[11])
{
	check(ok, name, "after: rbx %llx rdx %llx r8 %llx r9 %llx r10 %llx r12 %llx "
	      "r13 %llx r14 %llx r15 %llx rdi %llx rsi %llx",
	      (unsigned long long)got[0], (unsigned long long)got[1],
	      (unsigned long long)got[2], (unsigned long long)got[3],
	      (unsigned long long)got[4], (unsigned long long)got[5],
	      (unsigned long long)got[6], (unsigned long long)got[7],
	      (unsigned long long)got[8], (unsigned long long)got[9],
	      (unsigned long long)got[10]);
}

static void gprs(void)
{
	uint64_t got[11];
	int ok;

	ok = gprs_across_syscall(SYS_getpid, got);
	report_gprs("gprs_across_syscall", ok, got);
	ok = gprs_across_syscall(SYS_nanosleep, got);
	report_gprs("gprs_across_sleep", ok, got);
}

/* MXCSR and the x87 control word are per-thread state that sleeps keep. */
static void control_words(void)
{
	uint32_t mx = 0x1f80 | (2u << 13), mx_after = 0; /* round down */
	uint16_t cw = 0x027f, cw_after = 0;	    /* 53-bit precision */
	uint32_t mx_saved;
	uint16_t cw_saved;

	__asm__ volatile("stmxcsr %0" : "=m"(mx_saved));
	__asm__ volatile("fnstcw %0" : "=m"(cw_saved));
	__asm__ volatile("ldmxcsr %0" ::"m"(mx));
	__asm__ volatile("fldcw %0" ::"m"(cw));
	nanosleep(&sleep_20ms, NULL);
	__asm__ volatile("stmxcsr %0" : "=m"(mx_after));
	__asm__ volatile("fnstcw %0" : "=m"(cw_after));
	__asm__ volatile("ldmxcsr %0" ::"m"(mx_saved));
	__asm__ volatile("fldcw %0" ::"m"(cw_saved));
	check(mx_after == mx, "mxcsr_across_sleep", "MXCSR 0x%x, set 0x%x", mx_after, mx);
	check(cw_after == cw, "x87_cw_across_sleep", "x87 CW 0x%x, set 0x%x",
	      cw_after, cw);
}

int main(void)
{
	int have_avx;

	check_init("cpu_state");
	start_state();
	extended_features(&have_avx);
	vectors(have_avx);
	gprs();
	control_words();
	return check_done();
}
