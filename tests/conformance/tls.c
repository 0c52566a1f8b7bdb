/*
 * tls.c: thread-local storage of the main thread. libc lays out the static
 * TLS block from PT_TLS (x86-64 uses TLS variant II: the block sits just
 * below the thread pointer, and %fs:0 holds the thread pointer itself) and
 * installs it with arch_prctl(ARCH_SET_FS); the kernel must keep the FS and
 * GS bases across system calls, sleeps and interrupts.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int global_int = 7;

__thread int tdata_int = 42;
__thread long tdata_arr[4] = { 1, -2, 3, -4 };
/* Pointers in the TLS image need relocating in a static PIE. */
__thread const char *tdata_str = "tls string";
__thread int *tdata_addr = &global_int;
__thread int tbss_int;
__thread char tbss_big[65536];
__thread __attribute__((aligned(64))) char tdata_al64[64] = "aligned to 64";
__thread __attribute__((aligned(4096))) char tbss_al4096[100];

static uintptr_t fs0(void)
{
	uintptr_t v;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
	return v;
}

static uintptr_t gs0(void)
{
	uintptr_t v;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(v));
	return v;
}

/* arch_prctl as a bare syscall: no libc code (and no errno) in between. */
static long raw_arch_prctl(long code, uintptr_t arg)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_arch_prctl), "D"(code), "S"(arg)
			 : "rcx", "r11", "memory");
	return ret;
}

static void values(void)
{
	check(tdata_int == 42, "tdata_int", "tdata_int = %d, expected 42", tdata_int);
	check(tdata_arr[0] == 1 && tdata_arr[1] == -2 && tdata_arr[2] == 3 &&
		      tdata_arr[3] == -4,
	      "tdata_array", "tdata_arr = {%ld, %ld, %ld, %ld}", tdata_arr[0],
	      tdata_arr[1], tdata_arr[2], tdata_arr[3]);
	check(tdata_str && strcmp(tdata_str, "tls string") == 0, "tdata_pointer",
	      "tdata_str = %p", (void *)tdata_str);
	check(tdata_addr == &global_int && *tdata_addr == 7, "tdata_address_of_global",
	      "tdata_addr = %p, &global_int = %p", (void *)tdata_addr,
	      (void *)&global_int);
	check(strcmp(tdata_al64, "aligned to 64") == 0, "tdata_aligned_value",
	      "tdata_al64 = \"%.64s\"", tdata_al64);
	check(tbss_int == 0, "tbss_int", "tbss_int = %d, expected 0", tbss_int);
	int zero = 1;
	for (size_t i = 0; i < sizeof(tbss_big); i++)
		if (tbss_big[i])
			zero = 0;
	for (size_t i = 0; i < sizeof(tbss_al4096); i++)
		if (tbss_al4096[i])
			zero = 0;
	check(zero, "tbss_zero", "a .tbss array is not zero");
	check(((uintptr_t)tdata_al64 & 63) == 0, "aligned_64", "tdata_al64 at %p",
	      (void *)tdata_al64);
	check(((uintptr_t)tbss_al4096 & 4095) == 0, "aligned_4096",
	      "tbss_al4096 at %p", (void *)tbss_al4096);
	check((void *)&tdata_int != (void *)&global_int, "distinct_from_global",
	      "&tdata_int == &global_int");

	/* Writes through a pointer are seen by %fs-relative accesses. */
	volatile int *p = &tdata_int;
	*p = 1234;
	tbss_big[65535] = 9;
	check(tdata_int == 1234 && tbss_big[65535] == 9, "write_read",
	      "tdata_int = %d after storing 1234", tdata_int);
}

static void thread_pointer(void)
{
	uintptr_t tp = fs0();
	uintptr_t base = 0;

	check_eq("arch_get_fs", raw_arch_prctl(ARCH_GET_FS, (uintptr_t)&base), 0);
	check(base == tp, "fs0_is_fs_base",
	      "%%fs:0 = 0x%lx, ARCH_GET_FS = 0x%lx", (unsigned long)tp,
	      (unsigned long)base);
	/* Variant II: the static TLS block ends at the thread pointer. */
	uintptr_t v = (uintptr_t)&tdata_int;
	check(v < tp && tp - v < (1 << 20), "block_below_tp",
	      "&tdata_int = 0x%lx, thread pointer 0x%lx", (unsigned long)v,
	      (unsigned long)tp);
}

static void errno_tls(void)
{
	errno = 0;
	check(close(-1) == -1 && errno == EBADF, "errno_set", "close(-1): errno %s",
	      errno_name(errno));
	errno = 0;
	check(errno == 0, "errno_clear", "errno = %d after errno = 0", errno);
	errno = 0;
	long r = strtol("99999999999999999999999", NULL, 10);
	check(r == (long)(~0ul >> 1) && errno == ERANGE, "errno_libc",
	      "strtol overflow: errno %s", errno_name(errno));
	check((void *)&errno != (void *)&global_int, "errno_address", "odd &errno");
}

/* The FS base survives system calls, a sleep and timer interrupts. */
static void preserved(void)
{
	uintptr_t tp = fs0();
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	getpid();
	nanosleep(&ts, NULL);
	check(fs0() == tp && tdata_int == 1234, "kept_across_sleep",
	      "%%fs:0 = 0x%lx after nanosleep, was 0x%lx", (unsigned long)fs0(),
	      (unsigned long)tp);

	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int ok = 1;
	unsigned long spins = 0;
	do {
		if (fs0() != tp || tdata_int != 1234)
			ok = 0;
		spins++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (ok && (t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) <
			       100 * 1000 * 1000L);
	check(ok, "kept_while_spinning", "%%fs base changed after %lu spins", spins);
}

/* Move FS and GS somewhere else and back, with no libc code in between. */
static void set_bases(void)
{
	static uintptr_t fake_fs[4], fake_gs[4];
	uintptr_t tp = fs0(), got = 1;
	fake_fs[0] = 0x1111222233334444ul;
	fake_gs[0] = 0x5555666677778888ul;

	long r1 = raw_arch_prctl(ARCH_SET_FS, (uintptr_t)fake_fs);
	uintptr_t seen = fs0();
	long r2 = raw_arch_prctl(ARCH_GET_FS, (uintptr_t)&got);
	long r3 = raw_arch_prctl(ARCH_SET_FS, tp);
	check(r1 == 0 && r2 == 0 && r3 == 0 && seen == fake_fs[0] &&
		      got == (uintptr_t)fake_fs,
	      "arch_set_fs", "set %ld get %ld restore %ld; %%fs:0 = 0x%lx, GET_FS = 0x%lx",
	      r1, r2, r3, (unsigned long)seen, (unsigned long)got);
	check(fs0() == tp && tdata_int == 1234, "arch_set_fs_restored",
	      "TLS broken after restoring FS");

	uintptr_t old_gs = 0;
	long g0 = raw_arch_prctl(ARCH_GET_GS, (uintptr_t)&old_gs);
	long g1 = raw_arch_prctl(ARCH_SET_GS, (uintptr_t)fake_gs);
	seen = gs0();
	getpid();
	uintptr_t seen2 = gs0();
	got = 1;
	long g2 = raw_arch_prctl(ARCH_GET_GS, (uintptr_t)&got);
	long g3 = raw_arch_prctl(ARCH_SET_GS, old_gs);
	check(g0 == 0 && g1 == 0 && g2 == 0 && g3 == 0 && seen == fake_gs[0] &&
		      seen2 == fake_gs[0] && got == (uintptr_t)fake_gs,
	      "arch_set_gs",
	      "get %ld set %ld get %ld restore %ld; %%gs:0 = 0x%lx then 0x%lx, GET_GS = 0x%lx",
	      g0, g1, g2, g3, (unsigned long)seen, (unsigned long)seen2,
	      (unsigned long)got);

	/* Linux refuses bases outside the user address space. */
	check_eq("arch_set_fs_kernel_eperm",
		 raw_arch_prctl(ARCH_SET_FS, 0xffff800000000000ul), -EPERM);
	check(fs0() == tp, "arch_set_fs_eperm_no_change", "FS base changed");
	check_eq("arch_prctl_bad_code_einval", raw_arch_prctl(0x9999, 0), -EINVAL);
}

int main(void)
{
	check_init("tls");
	values();
	thread_pointer();
	errno_tls();
	preserved();
	set_bases();
	return check_done();
}
