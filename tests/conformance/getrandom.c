/*
 * getrandom.c: getrandom(2). The pool is initialized by the time a process
 * runs, so requests are served in full, with or without GRND_NONBLOCK.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004 /* linux/random.h, Linux 5.6 */
#endif

static long raw_getrandom(void *buf, size_t n, unsigned flags)
{
	return syscall(SYS_getrandom, buf, n, flags);
}

static int popcount_bytes(const unsigned char *p, size_t n)
{
	int ones = 0;
	for (size_t i = 0; i < n; i++)
		ones += __builtin_popcount(p[i]);
	return ones;
}

int main(void)
{
	static unsigned char a[65536], b[65536];

	check_init("getrandom");
	check_eq("count_64", getrandom(a, 64, 0), 64);
	check_eq("count_64_again", getrandom(b, 64, 0), 64);
	check(memcmp(a, b, 64) != 0, "calls_differ", "two 64-byte reads are equal");
	check_eq("nonblock", raw_getrandom(a, 256, GRND_NONBLOCK), 256);
	check_eq("zero_length", raw_getrandom(a, 0, 0), 0);
	check_eq("count_4096", raw_getrandom(a, 4096, 0), 4096);

	/* Reads longer than 256 bytes are complete when no signal arrives. */
	memset(a, 0, sizeof(a));
	long n = raw_getrandom(a, sizeof(a), 0);
	check_eq("count_64k", n, (long)sizeof(a));
	/* 524288 bits: the count of ones is within 1% of half (14 sigma). */
	int ones = popcount_bytes(a, sizeof(a));
	check(ones > 259522 && ones < 264766, "bit_balance",
	      "%d ones in 524288 bits", ones);
	int zero_run = 0, longest = 0;
	for (size_t i = 0; i < sizeof(a); i++) {
		zero_run = a[i] ? 0 : zero_run + 1;
		if (zero_run > longest)
			longest = zero_run;
	}
	check(longest < 8, "no_zero_runs", "%d zero bytes in a row", longest);

	check(raw_getrandom(b, 32, GRND_RANDOM) > 0, "grnd_random",
	      "GRND_RANDOM failed with %s", errno_name(errno));
	check_eq("grnd_insecure", raw_getrandom(b, 32, GRND_INSECURE), 32);
	check_errno("bad_flags_einval", raw_getrandom(b, 16, 0x100), EINVAL);
	check_errno("insecure_random_einval",
		    raw_getrandom(b, 16, GRND_INSECURE | GRND_RANDOM), EINVAL);
	check_errno("bad_pointer_efault", raw_getrandom(NULL, 16, 0), EFAULT);
	return check_done();
}
