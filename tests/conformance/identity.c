/*
 * identity.c: the id setters and the supplementary group list, as root (the
 * app is root of its VM; natively the test needs root too, which `make test`
 * runs as): setting ids to 0 or keeping them (-1) succeeds, and setgroups
 * stores the list that getgroups and /proc/self/status give back. No id is
 * ever changed away from 0, so the native run keeps its privileges.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static void status_groups(char *out, size_t n)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Groups:", 7))
			snprintf(out, n, "%s", line);
	if (f)
		fclose(f);
}

int main(void)
{
	check_init("identity");
	if (geteuid() != 0) {
		printf("identity: not root here: nothing to check\n");
		return check_done();
	}
	check_ok("setuid_0", setuid(0));
	check_ok("setgid_0", setgid(0));
	check_ok("setreuid_keep_0", setreuid(-1, 0));
	check_ok("setregid_0_keep", setregid(0, -1));
	check_ok("setresuid_keep_all", setresuid(-1, -1, -1));
	check_ok("setresgid_0", setresgid(0, 0, 0));
	check_eq("setfsuid_returns_old", setfsuid(0), 0);
	check_eq("setfsgid_returns_old", setfsgid(0), 0);
	uid_t r = 1, e = 1, s = 1;
	int ok = getresuid(&r, &e, &s) == 0 && r == 0 && e == 0 && s == 0;
	check(ok, "still_root", "getresuid %u %u %u", r, e, s);

	gid_t two[2] = { 0, 0 }, got[4] = { 7, 7, 7, 7 };
	check_ok("setgroups_two", syscall(SYS_setgroups, 2, two));
	check_eq("getgroups_counts", syscall(SYS_getgroups, 0, NULL), 2);
	check_errno("getgroups_too_small", syscall(SYS_getgroups, 1, got), EINVAL);
	check_eq("getgroups_fills", syscall(SYS_getgroups, 4, got), 2);
	check(got[0] == 0 && got[1] == 0 && got[2] == 7, "getgroups_values", "got %u %u %u",
	      got[0], got[1], got[2]);
	char line[256];
	status_groups(line, sizeof(line));
	check(!strcmp(line, "Groups:\t0 0 \n"), "status_groups", "line '%s'", line);
	check_errno("setgroups_negative", syscall(SYS_setgroups, -1, two), EINVAL);
	check_errno("setgroups_bad_list", syscall(SYS_setgroups, 1, (void *)8), EFAULT);
	check_ok("setgroups_none", syscall(SYS_setgroups, 0, NULL));
	check_eq("getgroups_none", syscall(SYS_getgroups, 0, NULL), 0);
	status_groups(line, sizeof(line));
	check(!strcmp(line, "Groups:\t \n"), "status_groups_empty", "line '%s'", line);
	return check_done();
}
