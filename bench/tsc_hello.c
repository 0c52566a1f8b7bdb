/* Boot-time probe for `make bench`: reads the TSC first thing in main() and prints it.
 * Under `qemu -icount shift=0` the guest TSC counts instructions since reset, so the
 * printed value is the number of instructions the kernel needed to reach main(). The same
 * static binary runs under monos and as /init of a Linux initramfs. */
#include <stdio.h>
#include <x86intrin.h>

int main(void)
{
	unsigned long long tsc = __rdtsc();	/* before anything else: this is the figure */

	printf("tsc_at_main=%llu\n", tsc);
	printf("hello\n");
	fflush(stdout);
	return 0;
}
