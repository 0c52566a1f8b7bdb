/*
 * select.c: select and pselect6. Readiness in the read, write and except
 * sets for pipe ends (data, room, end of file, no reader), an eventfd, a
 * regular file and /dev/null; the count (a descriptor in two sets counts
 * twice) and the sets rewritten; EBADF for a closed descriptor, EINVAL for a
 * negative count or a bad timeout, EFAULT; timeouts (0, short, NULL ended by
 * another thread writing to a pipe), the remaining time select writes back
 * (raw syscalls), microseconds past a second accepted; pselect6's temporary
 * signal mask and EINTR.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"
#include "thread_util.h"
#include "wake_later.h"

static fd_set rd, wr, ex;

/* select over fd in the sets named by which ("r", "w", "rw"...), timeout 0. */
static int sel(int fd, const char *which)
{
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	if (strchr(which, 'r'))
		FD_SET(fd, &rd);
	if (strchr(which, 'w'))
		FD_SET(fd, &wr);
	if (strchr(which, 'x'))
		FD_SET(fd, &ex);
	struct timeval tv = { 0, 0 };
	return select(fd + 1, &rd, &wr, &ex, &tv);
}

static void test_readiness(void)
{
	int p[2];
	pipe(p);
	check_eq("empty_pipe", sel(p[0], "rx"), 0);
	check_eq("empty_pipe_set_cleared", FD_ISSET(p[0], &rd), 0);
	check_eq("write_end", sel(p[1], "wx"), 1);
	check_eq("write_end_in_set", FD_ISSET(p[1], &wr) != 0, 1);
	(void)!write(p[1], "x", 1);
	check_eq("data", sel(p[0], "rx"), 1);
	check_eq("data_in_set", FD_ISSET(p[0], &rd) != 0, 1);
	check_eq("no_exception", FD_ISSET(p[0], &ex), 0);
	close(p[1]);
	char c;
	(void)!read(p[0], &c, 1);
	check_eq("eof_readable", sel(p[0], "r"), 1);
	close(p[0]);

	pipe(p);
	close(p[0]);
	check_eq("no_reader_writable", sel(p[1], "w"), 1);
	close(p[1]);

	int efd = eventfd(1, 0);
	check_eq("eventfd_read_write_counts_two", sel(efd, "rw"), 2);
	close(efd);
	int fd = open("/proc/self/exe", O_RDONLY);
	check_eq("regular_file", sel(fd, "rw"), 2);
	close(fd);
	fd = open("/dev/null", O_RDWR);
	check_eq("dev_null", sel(fd, "rwx"), 2);
	check_eq("dev_null_no_exception", FD_ISSET(fd, &ex), 0);
	close(fd);
}

static void test_errors(void)
{
	int p[2];
	pipe(p);
	int closed = dup(p[0]);
	close(closed);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	FD_SET(closed, &rd);
	struct timeval tv = { 0, 0 };
	check_errno("closed_fd_ebadf", select(closed + 1, &rd, NULL, NULL, &tv), EBADF);
	/* A closed descriptor beyond n is not looked at. */
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	FD_SET(closed, &rd);
	int n = closed > p[0] ? p[0] + 1 : closed + 1;
	if (closed > p[0])
		check_eq("beyond_n_ignored", select(n, &rd, NULL, NULL, &tv), 0);
	check_errno("negative_n", syscall(SYS_select, -1, NULL, NULL, NULL, &tv), EINVAL);
	struct timeval bad = { -1, 0 };
	check_errno("negative_timeout", syscall(SYS_select, 0, NULL, NULL, NULL, &bad), EINVAL);
	bad.tv_sec = 0;
	bad.tv_usec = -1;
	check_errno("negative_usec", syscall(SYS_select, 0, NULL, NULL, NULL, &bad), EINVAL);
	check_errno("bad_set_pointer", syscall(SYS_select, p[0] + 1, (void *)8, NULL, NULL, &tv), EFAULT);
	check_eq("nothing_at_all", syscall(SYS_select, 0, NULL, NULL, NULL, &tv), 0);
	close(p[0]);
	close(p[1]);
}

static void test_timeouts(void)
{
	int p[2];
	pipe(p);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	struct timeval tv = { 0, 30000 };
	long long t0 = now_ns(CLOCK_MONOTONIC);
	check_eq("timeout_short", syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &tv), 0);
	long long took = now_ns(CLOCK_MONOTONIC) - t0;
	check(took >= 30 * MS, "timeout_short_waited", "returned after %lld us", took / 1000);
	check(tv.tv_sec == 0 && tv.tv_usec == 0, "timeout_remaining_zero", "left %ld.%06ld",
	      (long)tv.tv_sec, (long)tv.tv_usec);
	check_eq("timeout_set_cleared", FD_ISSET(p[0], &rd), 0);

	/* Microseconds past a second carry over; the time left is written back. */
	(void)!write(p[1], "x", 1);
	FD_SET(p[0], &rd);
	tv.tv_sec = 1;
	tv.tv_usec = 2500000;
	check_eq("usec_overflow_ok", syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &tv), 1);
	check(tv.tv_sec == 3 && tv.tv_usec > 0 && tv.tv_usec <= 500000, "remaining_written",
	      "left %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
	char c;
	(void)!read(p[0], &c, 1);

	struct timespec ts = { 0, 20 * MS };
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	t0 = now_ns(CLOCK_MONOTONIC);
	check_eq("pselect_timeout", syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &ts, NULL), 0);
	check(now_ns(CLOCK_MONOTONIC) - t0 >= 20 * MS, "pselect_waited", "too short");
	check(ts.tv_sec == 0 && ts.tv_nsec == 0, "pselect_remaining_zero", "left %ld.%09ld",
	      (long)ts.tv_sec, ts.tv_nsec);
	struct timespec bad = { 0, 1000000000 };
	check_errno("pselect_bad_timespec",
		    syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &bad, NULL), EINVAL);
	struct { void *mask; size_t size; } pack = { &ts, 4 };
	check_errno("pselect_bad_sigsetsize",
		    syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, NULL, &pack), EINVAL);
	check_errno("pselect_bad_pack", syscall(SYS_pselect6, 0, NULL, NULL, NULL, NULL, (void *)8),
		    EFAULT);

	wake_fd = p[1];
	pthread_t t;
	pthread_create(&t, NULL, write_later, NULL);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	t0 = now_ns(CLOCK_MONOTONIC);
	int n = select(p[0] + 1, &rd, NULL, NULL, NULL);
	took = now_ns(CLOCK_MONOTONIC) - t0;
	pthread_join(t, NULL);
	check_eq("woken_by_thread", n, 1);
	check_eq("woken_set", FD_ISSET(p[0], &rd) != 0, 1);
	check(took >= 40 * MS, "woken_after_write", "returned after %lld us", took / 1000);
	close(p[0]);
	close(p[1]);
}

static void test_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART; /* select is never restarted after a handler */
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, now, during;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	int p[2];
	pipe(p);
	main_thread = pthread_self();
	pthread_t t;
	pthread_create(&t, NULL, kick_later, NULL);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	sigemptyset(&during);
	errno = 0;
	int r = pselect(p[0] + 1, &rd, NULL, NULL, NULL, &during);
	int e = errno;
	pthread_join(t, NULL);
	check(r == -1 && e == EINTR, "pselect_eintr", "returned %d errno %s", r, errno_name(e));
	check_eq("pselect_handler_ran", got_usr1, SIGUSR1);
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	check_eq("pselect_mask_restored", sigismember(&now, SIGUSR1), 1);
	pthread_sigmask(SIG_UNBLOCK, &block, NULL);

	got_usr1 = 0;
	pthread_create(&t, NULL, kick_later, NULL);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	struct timeval tv = { 5, 0 };
	errno = 0;
	r = select(p[0] + 1, &rd, NULL, NULL, &tv);
	e = errno;
	pthread_join(t, NULL);
	check(r == -1 && e == EINTR, "select_eintr", "returned %d errno %s", r, errno_name(e));
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	check_init("select");
	test_readiness();
	test_errors();
	test_timeouts();
	test_signals();
	return check_done();
}
