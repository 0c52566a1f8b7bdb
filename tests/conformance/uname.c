/*
 * uname.c: uname(2). Only what holds on every x86-64 Linux is checked:
 * the exact release differs between the host and monos.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"

/* "N.N" followed by anything: 6.1.0-18-amd64, 5.15.0, 6.8.0-rc1. */
static int parses_as_version(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return 0;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s++ != '.')
		return 0;
	return isdigit((unsigned char)*s);
}

static int terminated(const char *field, size_t size)
{
	return memchr(field, 0, size) != NULL;
}

int main(void)
{
	struct utsname u;

	check_init("uname");
	memset(&u, 0x7f, sizeof(u));
	if (!check_eq("call", uname(&u), 0))
		return check_done();
	check(terminated(u.sysname, sizeof(u.sysname)) &&
		      terminated(u.nodename, sizeof(u.nodename)) &&
		      terminated(u.release, sizeof(u.release)) &&
		      terminated(u.version, sizeof(u.version)) &&
		      terminated(u.machine, sizeof(u.machine)),
	      "fields_terminated", "a field has no NUL");
	check(strcmp(u.sysname, "Linux") == 0, "sysname",
	      "\"%.65s\", expected \"Linux\"", u.sysname);
	check(strcmp(u.machine, "x86_64") == 0, "machine",
	      "\"%.65s\", expected \"x86_64\"", u.machine);
	check(parses_as_version(u.release), "release",
	      "\"%.65s\" does not start with N.N", u.release);
	check(u.version[0] != 0, "version", "empty version");
	check(u.nodename[0] != 0, "nodename", "empty nodename");

	/* gethostname reads the same UTS name. */
	char host[256];
	check(gethostname(host, sizeof(host)) == 0 && strcmp(host, u.nodename) == 0,
	      "gethostname", "\"%s\", uname says \"%.65s\"", host, u.nodename);
	check_errno("null_efault", syscall(SYS_uname, NULL), EFAULT);
	return check_done();
}
