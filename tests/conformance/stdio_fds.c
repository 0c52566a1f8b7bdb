/*
 * stdio_fds.c: the three standard descriptors as the harness sets them up:
 * stdin is a file holding the lines below, stdout a pipe, stderr a file,
 * none of them a terminal. Reads, writes, vectored I/O, fstat, ioctl and
 * descriptor duplication on them. The harness checks that the lines written
 * with write/writev/dup arrive exactly (expect-line).
 */
// stdin: first line
// stdin: second line
// expect-line: # writev: one two three
// expect-line: # written through dup
// expect-line: # written through dup2
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"

static const char stdin_text[] = "first line\nsecond line\n";

/* Bad arguments the compiler cannot see through (it would warn). */
static void *volatile bad_pointer = (void *)8;
static volatile int minus_one = -1, iov_max_plus_1 = IOV_MAX + 1;
static volatile size_t negative_len = (size_t)SSIZE_MAX + 1;

static const char *type_name(mode_t m)
{
	if (S_ISREG(m)) return "regular file";
	if (S_ISFIFO(m)) return "fifo";
	if (S_ISCHR(m)) return "character device";
	if (S_ISSOCK(m)) return "socket";
	if (S_ISDIR(m)) return "directory";
	return "other";
}

static void not_terminals(void)
{
	static const char *names[3][2] = {
		{ "tcgets_stdin_enotty", "isatty_stdin" },
		{ "tcgets_stdout_enotty", "isatty_stdout" },
		{ "tcgets_stderr_enotty", "isatty_stderr" },
	};
	for (int fd = 0; fd < 3; fd++) {
		struct termios t;
		check_errno(names[fd][0], ioctl(fd, TCGETS, &t), ENOTTY);
		errno = 0;
		int r = isatty(fd);
		int e = errno;
		check(r == 0 && e == ENOTTY, names[fd][1], "isatty = %d, errno %s", r,
		      errno_name(e));
	}
	struct winsize ws;
	check_errno("tiocgwinsz_enotty", ioctl(1, TIOCGWINSZ, &ws), ENOTTY);
}

static void stat_fds(struct stat st[3])
{
	static const char *names[3] = { "fstat_stdin", "fstat_stdout", "fstat_stderr" };
	for (int fd = 0; fd < 3; fd++) {
		memset(&st[fd], 0, sizeof(st[fd]));
		if (!check_eq(names[fd], fstat(fd, &st[fd]), 0))
			continue;
		mode_t m = st[fd].st_mode;
		check(S_ISREG(m) || S_ISFIFO(m) || S_ISCHR(m) || S_ISSOCK(m),
		      fd == 0 ? "fstat_stdin_type" : fd == 1 ? "fstat_stdout_type"
							  : "fstat_stderr_type",
		      "mode 0%o (%s)", (unsigned)m, type_name(m));
	}
	check_errno("fstat_bad_fd_ebadf", fstat(100, &st[0]), EBADF);
	if (S_ISREG(st[0].st_mode))
		check_eq("stdin_file_size", st[0].st_size, (long)strlen(stdin_text));
	for (int fd = 0; fd < 3; fd++) {
		if (S_ISFIFO(st[fd].st_mode) || S_ISSOCK(st[fd].st_mode)) {
			check_errno(fd == 0 ? "lseek_stdin_espipe"
				    : fd == 1 ? "lseek_stdout_espipe"
					      : "lseek_stderr_espipe",
				    lseek(fd, 0, SEEK_CUR), ESPIPE);
		}
	}
}

static void read_stdin(const struct stat *st0)
{
	char a[5], b[100], all[256];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	size_t len = strlen(stdin_text);

	ssize_t n = readv(0, iov, 2);
	check(n > 0, "readv_stdin", "readv returned %zd (%s)", n, errno_name(errno));
	size_t got = 0;
	if (n > 0) {
		memcpy(all, a, n < 5 ? (size_t)n : 5);
		if (n > 5)
			memcpy(all + 5, b, (size_t)n - 5);
		got = (size_t)n;
	}
	while (got < sizeof(all)) {
		ssize_t m = read(0, all + got, sizeof(all) - got);
		if (m <= 0)
			break;
		got += (size_t)m;
	}
	check(got == len && memcmp(all, stdin_text, len) == 0, "stdin_contents",
	      "read %zu bytes \"%.*s\", expected \"first line\\nsecond line\\n\"", got,
	      (int)got, all);
	check_eq("read_eof", read(0, all, sizeof(all)), 0);
	check_eq("read_eof_again", read(0, all, sizeof(all)), 0);
	check_eq("read_zero_bytes", read(0, NULL, 0), 0);

	if (S_ISREG(st0->st_mode)) {
		check_eq("stdin_offset_at_end", lseek(0, 0, SEEK_CUR), (long)len);
		char p[8] = { 0 };
		check(pread(0, p, 5, 6) == 5 && memcmp(p, "line\n", 5) == 0, "stdin_pread",
		      "pread at 6 gave \"%.5s\"", p);
		check_eq("stdin_rewind", lseek(0, 0, SEEK_SET), 0);
		check(read(0, p, 5) == 5 && memcmp(p, "first", 5) == 0,
		      "stdin_read_after_rewind", "read \"%.5s\"", p);
	}
	if ((fcntl(0, F_GETFL) & O_ACCMODE) == O_RDONLY)
		check_errno("write_stdin_ebadf", write(0, "x", 1), EBADF);
}

static void write_stdout(void)
{
	fflush(stdout);
	check_eq("write_zero", write(1, "", 0), 0);
	check_errno("write_bad_fd_ebadf", write(100, "x", 1), EBADF);
	check_errno("read_bad_fd_ebadf", read(100, (char[1]){ 0 }, 1), EBADF);
	check_errno("write_bad_pointer_efault", write(1, bad_pointer, 4), EFAULT);

	struct iovec iov[4] = {
		{ (void *)"# writev: one", 13 },
		{ NULL, 0 },
		{ (void *)" two", 4 },
		{ (void *)" three\n", 7 },
	};
	check_eq("writev_count", writev(1, iov, 4), 24);
	check_eq("writev_zero_iovecs", writev(1, iov, 0), 0);
	check_errno("writev_negative_count_einval", writev(1, iov, minus_one), EINVAL);
	check_errno("writev_too_many_einval", writev(1, iov, iov_max_plus_1), EINVAL);
	/* An iov_len that is negative as ssize_t is refused before any I/O. */
	struct iovec huge[2] = { { (void *)"ab", 2 }, { (void *)"cd", negative_len } };
	check_errno("writev_negative_len_einval", writev(1, huge, 2), EINVAL);
	check_eq("write_stderr", write(2, "# stderr line\n", 14), 14);
	if ((fcntl(1, F_GETFL) & O_ACCMODE) == O_WRONLY)
		check_errno("read_stdout_ebadf", read(1, (char[1]){ 0 }, 1), EBADF);
}

static void descriptors(void)
{
	check(fcntl(0, F_GETFD) == 0 && fcntl(1, F_GETFD) == 0 && fcntl(2, F_GETFD) == 0,
	      "std_fds_not_cloexec", "F_GETFD: %d %d %d", fcntl(0, F_GETFD),
	      fcntl(1, F_GETFD), fcntl(2, F_GETFD));

	int d = dup(1);
	check(d >= 3, "dup", "dup(1) = %d (%s)", d, errno_name(errno));
	if (d >= 0) {
		check_eq("write_through_dup", write(d, "# written through dup\n", 22), 22);
		check_eq("close_dup", close(d), 0);
		check_errno("close_again_ebadf", close(d), EBADF);
		check_eq("dup_reuses_lowest", dup(1), d);
		close(d);
	}
	check_eq("dup2", dup2(1, 10), 10);
	check_eq("write_through_dup2", write(10, "# written through dup2\n", 23), 23);
	check_eq("dup2_no_cloexec", fcntl(10, F_GETFD), 0);
	close(10);
	int c = fcntl(1, F_DUPFD_CLOEXEC, 20);
	check(c >= 20 && fcntl(c, F_GETFD) == FD_CLOEXEC, "f_dupfd_cloexec",
	      "fd %d, F_GETFD %d", c, c >= 0 ? fcntl(c, F_GETFD) : -1);
	if (c >= 0)
		close(c);
	check_errno("dup_bad_fd_ebadf", dup(100), EBADF);
}

int main(void)
{
	struct stat st[3];

	check_init("stdio_fds");
	not_terminals();
	stat_fds(st);
	read_stdin(&st[0]);
	write_stdout();
	descriptors();
	return check_done();
}
