/*
 * check.h: reporting for conformance programs. Each check prints one line,
 * "PASS prog.name" or "FAIL prog.name: why", and check_done() turns the
 * tally into the exit status (0 iff every check passed).
 *
 * Header-only so each program stays one plain C file built with gcc and
 * musl-gcc alike; no glibc-only API (strerrorname_np) is used.
 */
#ifndef CONFORMANCE_CHECK_H
#define CONFORMANCE_CHECK_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Every helper is static so a program may use any subset of them. */
#define CHECK_API static __attribute__((unused))

static const char *check_prog = "?";
static int check_failed;
static int check_count;

/*
 * stdout gets a static line buffer: line buffering keeps every finished line
 * even if the program dies later, and a static buffer means printf never
 * calls malloc (brk.c moves the break under libc's feet).
 */
static char check_stdout_buf[8192];

CHECK_API void check_init(const char *prog)
{
	check_prog = prog;
	setvbuf(stdout, check_stdout_buf, _IOLBF, sizeof(check_stdout_buf));
}

/* "EINVAL" for EINVAL; the numeric form for anything not in the table. */
CHECK_API const char *errno_name(int e)
{
	static char other[24];
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case EBADF: return "EBADF";
	case ECHILD: return "ECHILD";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENODEV: return "ENODEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ENFILE: return "ENFILE";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case EROFS: return "EROFS";
	case EPIPE: return "EPIPE";
	case ERANGE: return "ERANGE";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOSYS: return "ENOSYS";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ELOOP: return "ELOOP";
	case EOVERFLOW: return "EOVERFLOW";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	default:
		snprintf(other, sizeof(other), "errno %d", e);
		return other;
	}
}

CHECK_API void pass(const char *name)
{
	check_count++;
	printf("PASS %s.%s\n", check_prog, name);
}

CHECK_API void vfail(const char *name, const char *fmt, va_list ap)
{
	check_count++;
	check_failed++;
	printf("FAIL %s.%s: ", check_prog, name);
	vprintf(fmt, ap);
	printf("\n");
}

__attribute__((format(printf, 2, 3)))
CHECK_API void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(name, fmt, ap);
	va_end(ap);
}

/* PASS when ok, else FAIL with the formatted reason. Returns ok. */
__attribute__((format(printf, 3, 4)))
CHECK_API int check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		pass(name);
		return 1;
	}
	va_start(ap, fmt);
	vfail(name, fmt, ap);
	va_end(ap);
	return 0;
}

/*
 * A call that must succeed: ret is its result, -1 (or MAP_FAILED cast to
 * long) means failure with errno. errno is read before anything else runs.
 */
CHECK_API int check_ok(const char *name, long ret)
{
	int e = errno;

	if (ret != -1) {
		pass(name);
		return 1;
	}
	return check(0, name, "failed with %s", errno_name(e));
}

/* A call that must fail with -1 and errno == want. */
CHECK_API int check_errno(const char *name, long ret, int want)
{
	int e = errno;

	if (ret == -1 && e == want) {
		pass(name);
		return 1;
	}
	if (ret == -1)
		return check(0, name, "errno %s, expected %s", errno_name(e),
			     errno_name(want));
	return check(0, name, "returned %ld (0x%lx), expected -1 with %s", ret,
		     (unsigned long)ret, errno_name(want));
}

/* A call whose result must equal want exactly. */
CHECK_API int check_eq(const char *name, long got, long want)
{
	int e = errno;

	if (got == want) {
		pass(name);
		return 1;
	}
	if (got == -1)
		return check(0, name, "got -1 (%s), expected %ld (0x%lx)",
			     errno_name(e), want, (unsigned long)want);
	return check(0, name, "got %ld (0x%lx), expected %ld (0x%lx)", got,
		     (unsigned long)got, want, (unsigned long)want);
}

/* Exit status for main: 0 iff at least one check ran and none failed. */
CHECK_API int check_done(void)
{
	if (check_count == 0) {
		printf("FAIL %s.ran_checks: no check ran\n", check_prog);
		return 1;
	}
	fflush(stdout);
	return check_failed ? 1 : 0;
}

#endif
