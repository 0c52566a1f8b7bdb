/* The reporting convention of monos's host unit tests: one line per check,
 * "PASS group.name" or "FAIL group.name: why", and a non-zero exit if any failed. */
#ifndef MONOS_CHECK_H
#define MONOS_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int check_failed;

/* Reports NAME as passed when OK; otherwise as failed, with WHY formatted. Returns OK. */
static bool __attribute__((format(printf, 3, 4), unused))
check(const char *name, bool ok, const char *why, ...)
{
	if (ok) {
		printf("PASS %s\n", name);
	} else {
		va_list ap;
		va_start(ap, why);
		printf("FAIL %s: ", name);
		vprintf(why, ap);
		printf("\n");
		va_end(ap);
		check_failed++;
	}
	fflush(stdout);
	return ok;
}

static int __attribute__((unused)) check_exit(void)
{
	return check_failed ? 1 : 0;
}

#endif
