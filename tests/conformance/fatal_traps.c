/*
 * fatal_traps.c: CPU exceptions and abort() end the process with the
 * signal Linux maps them to; the parent sees 128 + the signal number.
 * Usage: fatal_traps HOW. The program prints a FAIL line only if it survives.
 *   ud2        invalid opcode      SIGILL  (4)  -> 132
 *   int3       breakpoint          SIGTRAP (5)  -> 133
 *   div0       integer divide      SIGFPE  (8)  -> 136
 *   abort      abort()             SIGABRT (6)  -> 134
 *   privileged hlt in ring 3 (#GP) SIGSEGV (11) -> 139
 */
// run: ud2 132 ud2
// run: int3 133 int3
// run: div0 136 div0
// run: abort 134 abort
// run: privileged 139 privileged
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int zero;

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "ud2";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(how, "ud2") == 0)
		__asm__ volatile("ud2");
	else if (strcmp(how, "int3") == 0)
		__asm__ volatile("int3");
	else if (strcmp(how, "div0") == 0)
		__asm__ volatile("div %%ecx" ::"a"(1), "d"(0), "c"(zero));
	else if (strcmp(how, "abort") == 0)
		abort();
	else if (strcmp(how, "privileged") == 0)
		__asm__ volatile("hlt");
	else {
		printf("FAIL fatal_traps.usage: unknown HOW \"%s\"\n", how);
		return 2;
	}
	printf("FAIL fatal_traps.%s: survived\n", how);
	return 1;
}
