/*
 * args_big.c: large argument and environment vectors. Linux takes up to a
 * quarter of RLIMIT_STACK in total and 128 KiB (MAX_ARG_STRLEN) per string;
 * build systems and compilers pass command lines of this size.
 */
// test-args: @MANY:2000:arg@ @REPEAT:100000:x@ last
// env: MONOS_BIG_ENV=@REPEAT:50000:e@
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int all_chars(const char *s, char c, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != c)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	check_init("args_big");
	check(argc == 2003, "argc", "argc = %d, expected 2003", argc);
	int ok = argc == 2003;
	for (int i = 1; ok && i <= 2000; i++)
		ok = strcmp(argv[i], "arg") == 0;
	check(ok, "many_args", "not 2000 arguments \"arg\"");
	check(argc == 2003 && all_chars(argv[2001], 'x', 100000), "long_arg",
	      "argv[2001] is not 100000 'x' (length %zu)",
	      argc > 2001 ? strlen(argv[2001]) : 0);
	check(argc == 2003 && strcmp(argv[2002], "last") == 0, "last_arg",
	      "argv[2002] = \"%s\"", argc > 2002 ? argv[2002] : "(none)");
	const char *e = getenv("MONOS_BIG_ENV");
	check(e && all_chars(e, 'e', 50000), "long_env",
	      "MONOS_BIG_ENV is not 50000 'e' (length %zu)", e ? strlen(e) : 0);
	return check_done();
}
