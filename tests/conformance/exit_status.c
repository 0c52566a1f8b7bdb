/*
 * exit_status.c: the ways a process ends and the status its parent sees.
 * Usage: exit_status HOW N. The harness checks each run's exit status; the
 * program prints nothing unless HOW is unknown. The status is the low 8 bits
 * of the value passed (wait(2): WEXITSTATUS is status & 0xff).
 */
// run: return0 0 return 0
// run: return42 42 return 42
// run: exit255 255 exit 255
// run: exit256 0 exit 256
// run: exit_minus1 255 exit -1
// run: _exit77 77 _exit 77
// run: exit_group_trunc 44 exit_group 300
// run: sys_exit9 9 sys_exit 9
// run: atexit7 7 atexit 0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void atexit_handler(void)
{
	/* Runs during exit(0): replacing the status proves handlers ran. */
	_exit(7);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		printf("FAIL exit_status.usage: expected HOW N, got %d args\n", argc - 1);
		return 100;
	}
	const char *how = argv[1];
	int n = atoi(argv[2]);

	if (strcmp(how, "return") == 0)
		return n;
	if (strcmp(how, "exit") == 0)
		exit(n);
	if (strcmp(how, "_exit") == 0)
		_exit(n);
	if (strcmp(how, "exit_group") == 0)
		syscall(SYS_exit_group, n);
	if (strcmp(how, "sys_exit") == 0) {
		/* exit(2) of the only thread ends the process with its status. */
		syscall(SYS_exit, n);
	}
	if (strcmp(how, "atexit") == 0) {
		atexit(atexit_handler);
		exit(n);
	}
	printf("FAIL exit_status.%s: unknown way to exit, or it returned\n", how);
	return 101;
}
