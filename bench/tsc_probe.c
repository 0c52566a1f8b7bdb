/* TSC probe for programs that cannot read the TSC themselves (python3), for `make bench`:
 * a shared object put in front of the program with LD_PRELOAD. Its constructor runs when the
 * dynamic loader has loaded the program and all its libraries, just before the program's own
 * initialisers and main(); its destructor runs in exit(), after main() has returned (or after
 * the program called exit()). Each reads the TSC first thing and writes one line with write(2)
 * (no stdio: nothing buffered, nothing left for the program to flush):
 *   tsc_at_ctor=N      instructions from reset to the program's start
 *   tsc_at_exit=N      instructions from reset to the program's end
 * Under `qemu -icount shift=0` the guest TSC counts instructions since reset. The same file is
 * preloaded under monos and under Linux. */
#include <unistd.h>
#include <x86intrin.h>

static void say(const char *name, unsigned long long v)
{
	char buf[64], digits[24];
	int n = 0, d = 0;

	while (*name)
		buf[n++] = *name++;
	do
		digits[d++] = '0' + v % 10;
	while ((v /= 10) != 0);
	while (d > 0)
		buf[n++] = digits[--d];
	buf[n++] = '\n';
	(void)!write(1, buf, n);
}

__attribute__((constructor)) static void probe_ctor(void)
{
	unsigned long long tsc = __rdtsc();

	say("tsc_at_ctor=", tsc);
}

__attribute__((destructor)) static void probe_dtor(void)
{
	unsigned long long tsc = __rdtsc();

	say("tsc_at_exit=", tsc);
}
