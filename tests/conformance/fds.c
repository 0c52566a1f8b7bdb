/*
 * fds.c: file descriptors: dup/dup2/dup3 sharing the open file (offset and
 * status flags) but not FD_CLOEXEC, fcntl's descriptor and status flags,
 * close_range, the FIOCLEX/FIONCLEX/FIONREAD/TCGETS ioctls on a regular
 * file, EBADF for descriptors that are not open, and EMFILE at a low
 * RLIMIT_NOFILE.
 * Files live in a fresh directory under /tmp, removed at the end.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"
#include "scratch.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2) /* linux/close_range.h, Linux 5.11 */
#endif

static int dfd = -1;

/* A new file with the given contents, open O_RDWR. */
static int make_file(const char *name, const char *text)
{
	int fd = openat(dfd, name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		write(fd, text, strlen(text));
	return fd;
}

static long sys_dup3(int oldfd, int newfd, int flags)
{
	return syscall(SYS_dup3, oldfd, newfd, flags);
}

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void duplication(void)
{
	int fd = make_file("dup", "0123456789");
	char c = 0;

	int d = dup(fd);
	check(d >= 0 && d != fd, "dup", "dup = %d", d);
	check_eq("dup_shares_offset", lseek(d, 0, SEEK_CUR), 10);
	lseek(fd, 3, SEEK_SET);
	check_eq("dup_seek_seen_by_other", lseek(d, 0, SEEK_CUR), 3);
	read(d, &c, 1);
	check(c == '3' && lseek(fd, 0, SEEK_CUR) == 4, "dup_read_moves_both", "read '%c', offset %ld",
	      c, (long)lseek(fd, 0, SEEK_CUR));

	/* The lowest free number. */
	int a = openat(dfd, "dup", O_RDONLY), b = openat(dfd, "dup", O_RDONLY);
	close(a);
	check_eq("dup_lowest_free", dup(fd), a);
	close(a);
	close(b);

	/* FD_CLOEXEC belongs to the descriptor, the status flags to the file. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	int e = dup(fd);
	check_eq("dup_clears_cloexec", fcntl(e, F_GETFD), 0);
	check_eq("cloexec_per_descriptor", fcntl(fd, F_GETFD), FD_CLOEXEC);
	fcntl(fd, F_SETFD, 0);
	fcntl(e, F_SETFL, O_APPEND);
	check(fcntl(fd, F_GETFL) & O_APPEND, "status_flags_shared", "O_APPEND set through a dup "
	      "is not seen through the original: F_GETFL 0%o", fcntl(fd, F_GETFL));
	fcntl(e, F_SETFL, 0);
	close(e);

	/* dup2: to a chosen number, closing what was there. */
	int other = make_file("dup_other", "other");
	check_eq("dup2", dup2(fd, 40), 40);
	check_eq("dup2_shares_offset", lseek(40, 0, SEEK_CUR), lseek(fd, 0, SEEK_CUR));
	fcntl(40, F_SETFD, FD_CLOEXEC);
	check_eq("dup2_over_open", dup2(other, 40), 40);
	check_eq("dup2_over_open_new_file", lseek(40, 0, SEEK_CUR), 5);
	check_eq("dup2_clears_cloexec", fcntl(40, F_GETFD), 0);
	check_eq("dup2_same_fd", dup2(fd, fd), fd);
	check_errno("dup2_bad_old_ebadf", dup2(999, 41), EBADF);
	check(!is_open(41), "dup2_bad_old_no_new", "fd 41 opened");
	check_errno("dup2_same_bad_ebadf", dup2(999, 999), EBADF);
	check_errno("dup2_negative_new_ebadf", dup2(fd, -1), EBADF);

	/* dup3 (the system call: musl's wrapper does some checks itself):
	 * flags, and no same-number shortcut. */
	check_eq("dup3_cloexec", sys_dup3(fd, 41, O_CLOEXEC), 41);
	check_eq("dup3_cloexec_set", fcntl(41, F_GETFD), FD_CLOEXEC);
	check_eq("dup3_plain", sys_dup3(fd, 41, 0), 41);
	check_eq("dup3_plain_clears", fcntl(41, F_GETFD), 0);
	check_errno("dup3_same_einval", sys_dup3(fd, fd, 0), EINVAL);
	check_errno("dup3_bad_flags_einval", sys_dup3(fd, 42, O_NONBLOCK), EINVAL);
	close(40);
	close(41);
	close(other);
	close(fd);
}

static void fcntl_flags(void)
{
	int fd = make_file("fl", "abc");

	int d = fcntl(fd, F_DUPFD, 100);
	check_eq("f_dupfd_min", d, 100);
	check_eq("f_dupfd_no_cloexec", fcntl(d, F_GETFD), 0);
	check_eq("f_dupfd_next", fcntl(fd, F_DUPFD, 100), 101);
	int c = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	check_eq("f_dupfd_cloexec_min", c, 102);
	check_eq("f_dupfd_cloexec_set", fcntl(c, F_GETFD), FD_CLOEXEC);
	close(100);
	close(101);
	close(102);
	check_errno("f_dupfd_negative_einval", fcntl(fd, F_DUPFD, -1), EINVAL);

	check_eq("f_setfd", fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	check_eq("f_getfd", fcntl(fd, F_GETFD), FD_CLOEXEC);
	check_eq("f_setfd_clear", fcntl(fd, F_SETFD, 0), 0);
	check_eq("f_getfd_clear", fcntl(fd, F_GETFD), 0);

	int fl = fcntl(fd, F_GETFL);
	check_eq("f_getfl_rdwr", fl & O_ACCMODE, O_RDWR);
	check_eq("f_getfl_no_append", fl & O_APPEND, 0);
	check_eq("f_setfl_append", fcntl(fd, F_SETFL, fl | O_APPEND), 0);
	check(fcntl(fd, F_GETFL) & O_APPEND, "f_getfl_append", "F_GETFL 0%o", fcntl(fd, F_GETFL));
	lseek(fd, 0, SEEK_SET);
	write(fd, "d", 1);
	char buf[8] = { 0 };
	check(pread(fd, buf, 8, 0) == 4 && !strcmp(buf, "abcd"), "f_setfl_append_writes_at_end",
	      "\"%s\"", buf);
	/* The access mode cannot be changed by F_SETFL. */
	fcntl(fd, F_SETFL, O_RDONLY);
	check_eq("f_setfl_keeps_access_mode", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	check_eq("f_setfl_clears_append", fcntl(fd, F_GETFL) & O_APPEND, 0);
	check_eq("f_setfl_nonblock", fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	check(fcntl(fd, F_GETFL) & O_NONBLOCK, "f_getfl_nonblock", "F_GETFL 0%o",
	      fcntl(fd, F_GETFL));
	fcntl(fd, F_SETFL, 0);
	check_errno("fcntl_bad_cmd_einval", fcntl(fd, 0x7fff), EINVAL);
	close(fd);
}

static void ranges(void)
{
#ifdef SYS_close_range
	int fd = make_file("cr", "x");
	for (int i = 60; i <= 64; i++)
		dup2(fd, i);
	check_eq("close_range", syscall(SYS_close_range, 61, 63, 0), 0);
	check(is_open(60) && !is_open(61) && !is_open(62) && !is_open(63) && is_open(64),
	      "close_range_closes_inclusive", "open: %d %d %d %d %d", is_open(60), is_open(61),
	      is_open(62), is_open(63), is_open(64));
	check_eq("close_range_nothing_open", syscall(SYS_close_range, 70, 80, 0), 0);
	check_errno("close_range_reversed_einval", syscall(SYS_close_range, 64, 60, 0), EINVAL);
	check_errno("close_range_bad_flags_einval", syscall(SYS_close_range, 60, 64, 0x80),
		    EINVAL);
	check_eq("close_range_cloexec",
		 syscall(SYS_close_range, 60, 64, CLOSE_RANGE_CLOEXEC), 0);
	check(fcntl(60, F_GETFD) == FD_CLOEXEC && fcntl(64, F_GETFD) == FD_CLOEXEC &&
		      fcntl(fd, F_GETFD) == 0,
	      "close_range_cloexec_sets_flag", "F_GETFD %d %d, outside %d", fcntl(60, F_GETFD),
	      fcntl(64, F_GETFD), fcntl(fd, F_GETFD));
	/* To the end of the table: everything from 60 up. */
	check_eq("close_range_to_max", syscall(SYS_close_range, 60, ~0U, 0), 0);
	check(!is_open(60) && !is_open(64) && is_open(fd), "close_range_to_max_closed",
	      "60 %d 64 %d fd %d", is_open(60), is_open(64), is_open(fd));
	close(fd);
#else
	pass("close_range_not_in_headers");
#endif
}

static void ioctls(void)
{
	int fd = make_file("io", "");
	char buf[100];
	memset(buf, 'z', sizeof(buf));
	write(fd, buf, 100);

	check_eq("fioclex", ioctl(fd, FIOCLEX), 0);
	check_eq("fioclex_sets", fcntl(fd, F_GETFD), FD_CLOEXEC);
	check_eq("fionclex", ioctl(fd, FIONCLEX), 0);
	check_eq("fionclex_clears", fcntl(fd, F_GETFD), 0);

	/* FIONREAD on a regular file: the bytes from the offset to the end. */
	int n = -1;
	lseek(fd, 30, SEEK_SET);
	check_eq("fionread_file", ioctl(fd, FIONREAD, &n), 0);
	check_eq("fionread_file_value", n, 70);
	lseek(fd, 0, SEEK_END);
	ioctl(fd, FIONREAD, &n);
	check_eq("fionread_file_at_end", n, 0);

	struct termios t;
	check_errno("tcgets_file_enotty", ioctl(fd, TCGETS, &t), ENOTTY);
	errno = 0;
	check(isatty(fd) == 0 && errno == ENOTTY, "isatty_file", "isatty %d errno %s", isatty(fd),
	      errno_name(errno));
	check_errno("ioctl_bad_fd_ebadf", ioctl(-1, FIOCLEX), EBADF);
	int dir = open(scratch_dir, O_RDONLY | O_DIRECTORY);
	check_errno("tcgets_dir_enotty", ioctl(dir, TCGETS, &t), ENOTTY);
	close(dir);
	close(fd);
}

static void bad_descriptors(void)
{
	int fd = make_file("bad", "x");
	close(fd);
	char buf[4];
	struct stat st;

	check_errno("close_closed_ebadf", close(fd), EBADF);
	check_errno("close_negative_ebadf", close(-1), EBADF);
	check_errno("close_huge_ebadf", close(1 << 20), EBADF);
	check_errno("read_closed_ebadf", read(fd, buf, 1), EBADF);
	check_errno("write_closed_ebadf", write(fd, "x", 1), EBADF);
	check_errno("pread_closed_ebadf", pread(fd, buf, 1, 0), EBADF);
	check_errno("lseek_closed_ebadf", lseek(fd, 0, SEEK_SET), EBADF);
	check_errno("fstat_closed_ebadf", fstat(fd, &st), EBADF);
	check_errno("dup_closed_ebadf", dup(fd), EBADF);
	check_errno("fcntl_getfd_closed_ebadf", fcntl(fd, F_GETFD), EBADF);
	check_errno("fcntl_dupfd_closed_ebadf", fcntl(fd, F_DUPFD, 0), EBADF);
	check_errno("ftruncate_closed_ebadf", ftruncate(fd, 0), EBADF);
	check_errno("fchmod_closed_ebadf", fchmod(fd, 0644), EBADF);
	check_errno("fsync_closed_ebadf", fsync(fd), EBADF);
	check_errno("openat_closed_dirfd_ebadf", openat(fd, "x", O_RDONLY), EBADF);
	/* An absolute path ignores the dirfd, even a bad one. */
	int ok = openat(fd, scratch_dir, O_RDONLY | O_DIRECTORY);
	check_ok("openat_absolute_ignores_dirfd", ok);
	close(ok);
	/* A relative path through a file descriptor that is not a directory. */
	fd = make_file("notdir", "x");
	check_errno("openat_file_dirfd_enotdir", openat(fd, "x", O_RDONLY), ENOTDIR);
	close(fd);
}

static void limits(void)
{
	struct rlimit old, low;
	getrlimit(RLIMIT_NOFILE, &old);
	low.rlim_cur = 32;
	low.rlim_max = old.rlim_max;
	if (!check_eq("setrlimit_nofile_32", setrlimit(RLIMIT_NOFILE, &low), 0))
		return;

	int fds[64], n = 0, err = 0, over = 0;
	for (;;) {
		int fd = openat(dfd, "lim", O_RDWR | O_CREAT, 0644);
		if (fd < 0) {
			err = errno;
			break;
		}
		if (fd >= 32)
			over = 1;
		fds[n++] = fd;
		if (n == 64)
			break;
	}
	check(err == EMFILE && !over, "open_emfile", "stopped with %s after %d opens%s",
	      errno_name(err), n, over ? ", got an fd >= 32" : "");
	int all = 1;
	for (int i = 0; i < 32; i++)
		all &= is_open(i);
	check(all, "open_fills_table", "after EMFILE not all of 0..31 are open");
	if (n > 0) {
		check_errno("dup_emfile", dup(fds[0]), EMFILE);
		check_errno("f_dupfd_emfile", fcntl(fds[0], F_DUPFD, 0), EMFILE);
		check_errno("f_dupfd_at_limit_einval", fcntl(fds[0], F_DUPFD, 32), EINVAL);
		check_errno("dup2_at_limit_ebadf", dup2(fds[0], 32), EBADF);
		check_errno("dup2_past_limit_ebadf", dup2(fds[0], 100), EBADF);
		/* dup2 onto a number below the limit is fine even when full. */
		check_eq("dup2_below_limit_when_full", dup2(fds[0], fds[n - 1]), fds[n - 1]);
		close(fds[n - 1]);
		check_eq("open_after_close", openat(dfd, "lim", O_RDONLY), fds[n - 1]);
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
	check_eq("setrlimit_restore", setrlimit(RLIMIT_NOFILE, &old), 0);
}

int main(void)
{
	check_init("fds");
	scratch_make("fds");
	dfd = open(scratch_dir, O_RDONLY | O_DIRECTORY);
	if (!check_ok("open_scratch_dir", dfd))
		return check_done();

	duplication();
	fcntl_flags();
	ranges();
	ioctls();
	bad_descriptors();
	limits();

	close(dfd);
	scratch_remove();
	return check_done();
}
