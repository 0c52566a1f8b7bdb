/* Host probing for the VM configuration: KVM availability, the TSC frequency (QEMU's TCG
 * without -icount gives the guest the host's TSC, offset, so the guest needs the host's
 * rate to turn ticks into time), and which standard fds are terminals. */
#define _GNU_SOURCE
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

int host_kvm_error(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

#if defined(__x86_64__)
static uint64_t ns_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* A (ns, tsc) pair taken with the least delay between two clock reads around the rdtsc,
 * so a preemption in the middle does not skew it. */
static void sample(uint64_t *ns, uint64_t *tsc)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 16; i++) {
		uint64_t a = ns_now();
		uint64_t t = __rdtsc();
		uint64_t b = ns_now();
		if (b - a < best) {
			best = b - a;
			*ns = a + (b - a) / 2;
			*tsc = t;
		}
	}
}

unsigned long host_tsc_khz(void)
{
	uint64_t ns0, tsc0, ns1, tsc1;
	struct timespec nap = { 0, 20 * 1000 * 1000 };

	sample(&ns0, &tsc0);
	while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
		;
	sample(&ns1, &tsc1);
	if (ns1 <= ns0 || tsc1 <= tsc0)
		return 0;
	/* kHz = ticks / ms, rounded. */
	return (unsigned long)(((tsc1 - tsc0) * 1000000.0) / (ns1 - ns0) + 0.5);
}
#else
unsigned long host_tsc_khz(void)
{
	return 0;
}
#endif

unsigned host_tty_mask(void)
{
	unsigned m = 0;
	for (int fd = 0; fd < 3; fd++)
		if (isatty(fd))
			m |= 1u << fd;
	return m;
}

bool host_stdin_is_null(void)
{
	struct stat st;
	return fstat(0, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
	       minor(st.st_rdev) == 3;
}
