/* CPU set-up: feature detection on the boot CPU, FPU/SSE/AVX enablement (glibc picks AVX2 string
 * routines when CPUID and XCR0 say AVX is usable), SMEP/SMAP. The other CPUs get the same CR0,
 * CR4 and XCR0 as the boot CPU. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/asm.h"
#include "lib/string.h"

struct cpu_features cpu_features;
static u64 boot_cr0, boot_cr4; /* as cpu_init left them, for cpu_init_ap */

#define XCR0_X87 (1 << 0)
#define XCR0_SSE (1 << 1)
#define XCR0_AVX (1 << 2)
#define XCR0_AVX512 (7 << 5)

static u64 read_cr0(void)
{
	u64 v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}
static void write_cr0(u64 v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v)); }
static u64 read_cr4(void)
{
	u64 v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}
static void write_cr4(u64 v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v)); }
static void xsetbv(u32 reg, u64 v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((u32)v), "d"((u32)(v >> 32)));
}

static void detect(void)
{
	struct cpu_features *f = &cpu_features;
	u32 a, b, c, d, max, maxext;
	cpuid(0, 0, &max, &b, &c, &d);
	memcpy(f->vendor, &b, 4);
	memcpy(f->vendor + 4, &d, 4);
	memcpy(f->vendor + 8, &c, 4);
	cpuid(1, 0, &a, &b, &c, &d);
	f->hwcap = d;
	f->rdrand = c & (1u << 30);
	f->xsave = c & (1u << 26);
	f->avx = c & (1u << 28);
	f->hypervisor = c & (1u << 31);
	f->tsc_deadline = c & (1u << 24);
	if (max >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		f->rdseed = b & (1u << 18);
		f->smep = b & (1u << 7);
		f->smap = b & (1u << 20);
	}
	if (max >= 0x15) {
		cpuid(0x15, 0, &a, &b, &c, &d);
		if (a && b && c)
			f->tsc_khz_cpuid = (u32)((u64)c * b / a / 1000);
	}
	if (!f->tsc_khz_cpuid && max >= 0x16) {
		cpuid(0x16, 0, &a, &b, &c, &d);
		f->tsc_khz_cpuid = (a & 0xffff) * 1000;
	}
	cpuid(0x80000000, 0, &maxext, &b, &c, &d);
	if (maxext >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		f->rdtscp = d & (1u << 27);
	}
	if (maxext >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		f->invariant_tsc = d & (1u << 8);
	}
	if (maxext >= 0x80000004) {
		u32 *w = (u32 *)f->brand;
		for (u32 i = 0; i < 3; i++)
			cpuid(0x80000002 + i, 0, &w[i * 4], &w[i * 4 + 1], &w[i * 4 + 2], &w[i * 4 + 3]);
	}
}

static void fpu_reset(void)
{
	__asm__ volatile("fninit");
	u32 mxcsr = 0x1f80;
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
}

static void enable_fpu(void)
{
	u64 cr0 = read_cr0();
	cr0 &= ~(u64)(CR0_EM | CR0_TS);
	cr0 |= CR0_MP | CR0_NE;
	write_cr0(cr0);
	u64 cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (cpu_features.xsave)
		cr4 |= CR4_OSXSAVE;
	write_cr4(cr4);
	fpu_reset();
	cpu_features.xsave_size = 512;
	if (cpu_features.xsave) {
		u32 a, b, c, d;
		cpuid(0xd, 0, &a, &b, &c, &d);
		u64 supported = ((u64)d << 32) | a;
		u64 xcr0 = XCR0_X87 | XCR0_SSE;
		if (cpu_features.avx && (supported & XCR0_AVX))
			xcr0 |= XCR0_AVX;
		if ((supported & XCR0_AVX512) == XCR0_AVX512 && (xcr0 & XCR0_AVX))
			xcr0 |= XCR0_AVX512;
		xsetbv(0, xcr0);
		cpu_features.xcr0 = xcr0;
		cpuid(0xd, 0, &a, &b, &c, &d);
		cpu_features.xsave_size = b; /* size for the components now enabled */
	}
}

void cpu_init(void)
{
	detect();
	enable_fpu();
	u64 cr4 = read_cr4();
	if (cpu_features.smep)
		cr4 |= CR4_SMEP;
	if (cpu_features.smap)
		cr4 |= CR4_SMAP;
	write_cr4(cr4);
	boot_cr0 = read_cr0();
	boot_cr4 = cr4;
}

void cpu_init_ap(void)
{
	write_cr0(boot_cr0);
	write_cr4(boot_cr4);
	if (cpu_features.xsave)
		xsetbv(0, cpu_features.xcr0);
	fpu_reset();
}

bool rdrand64(u64 *out)
{
	if (!cpu_features.rdrand)
		return false;
	for (int i = 0; i < 10; i++) {
		unsigned char ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

bool rdseed64(u64 *out)
{
	if (!cpu_features.rdseed)
		return false;
	for (int i = 0; i < 10; i++) {
		unsigned char ok;
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*out), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}
