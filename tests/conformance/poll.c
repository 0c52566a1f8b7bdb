/*
 * poll.c: poll and ppoll. Readiness of each kind of descriptor: both ends of
 * a pipe (POLLIN with data, POLLOUT with room, POLLHUP on the read end once
 * the writers are gone, POLLERR on the write end once the readers are gone),
 * a full pipe, an eventfd, a regular file, a directory and /dev/null;
 * POLLNVAL for a closed descriptor and nothing for a negative one; timeouts
 * (0, a short one that expires, -1 ended by another thread writing to a
 * pipe); ppoll's remaining time written back (raw syscall), its temporary
 * signal mask, EINTR when a handler runs; and the error cases (EFAULT,
 * EINVAL for nfds above RLIMIT_NOFILE and for a bad timespec or sigset size).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "thread_util.h"
#include "wake_later.h"

/* One descriptor's revents after poll(..., 0), or -1 when poll did not return 1. */
static int revents_of(int fd, short events)
{
	struct pollfd p = { fd, events, 0x7777 };
	int n = poll(&p, 1, 0);
	return n == 1 ? p.revents : n == 0 ? 0 : -1;
}

#define ALL (POLLIN | POLLOUT | POLLPRI | POLLRDHUP)

static void test_pipes(void)
{
	int p[2];
	if (!check_ok("pipe", pipe(p)))
		return;
	check_eq("read_end_empty", revents_of(p[0], ALL), 0);
	check_eq("write_end_room", revents_of(p[1], ALL), POLLOUT);
	check_eq("write_end_wrnorm", revents_of(p[1], POLLWRNORM), POLLWRNORM);
	(void)!write(p[1], "x", 1);
	check_eq("read_end_data", revents_of(p[0], ALL), POLLIN);
	check_eq("read_end_rdnorm", revents_of(p[0], POLLRDNORM), POLLRDNORM);
	check_eq("read_end_not_asked", revents_of(p[0], POLLOUT), 0);
	close(p[1]);
	check_eq("read_end_data_hup", revents_of(p[0], ALL), POLLIN | POLLHUP);
	check_eq("hup_without_asking", revents_of(p[0], 0), POLLHUP);
	char c;
	(void)!read(p[0], &c, 1);
	check_eq("read_end_hup", revents_of(p[0], POLLIN), POLLHUP);
	close(p[0]);

	if (!check_ok("pipe2", pipe2(p, O_NONBLOCK)))
		return;
	static char buf[65536];
	long total = 0, n;
	while ((n = write(p[1], buf, sizeof(buf))) > 0)
		total += n;
	check_eq("full_pipe_not_writable", revents_of(p[1], POLLOUT), 0);
	(void)!read(p[0], buf, 4096);
	check_eq("page_free_writable", revents_of(p[1], POLLOUT), POLLOUT);
	close(p[0]);
	check_eq("write_end_err", revents_of(p[1], POLLOUT), POLLOUT | POLLERR);
	check_eq("err_without_asking", revents_of(p[1], 0), POLLERR);
	close(p[1]);
}

static void test_other_kinds(void)
{
	int efd = eventfd(0, EFD_NONBLOCK);
	check_eq("eventfd_empty", revents_of(efd, POLLIN | POLLOUT), POLLOUT);
	uint64_t one = 1;
	(void)!write(efd, &one, 8);
	check_eq("eventfd_count", revents_of(efd, POLLIN | POLLOUT), POLLIN | POLLOUT);
	close(efd);

	int fd = open("/proc/self/exe", O_RDONLY);
	check_eq("regular_file", revents_of(fd, ALL), POLLIN | POLLOUT);
	close(fd);
	fd = open("/", O_RDONLY | O_DIRECTORY);
	check_eq("directory", revents_of(fd, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM),
		 POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
	close(fd);
	fd = open("/dev/null", O_RDWR);
	check_eq("dev_null", revents_of(fd, POLLIN | POLLOUT), POLLIN | POLLOUT);
	close(fd);
}

static void test_fd_values(void)
{
	int p[2];
	pipe(p);
	(void)!write(p[1], "x", 1);
	int closed = dup(p[0]);
	close(closed);
	struct pollfd fds[4] = {
		{ p[0], POLLIN, 0x1111 }, { -1, POLLIN, 0x2222 }, { closed, POLLIN, 0x3333 },
		{ p[1], 0, 0x4444 },
	};
	int n = poll(fds, 4, 1000);
	check_eq("count_with_nval", n, 2);
	check_eq("ready_revents", fds[0].revents, POLLIN);
	check_eq("negative_fd_zero", fds[1].revents, 0);
	check_eq("closed_fd_nval", fds[2].revents, POLLNVAL);
	check_eq("no_events_zero", fds[3].revents, 0);
	check_eq("fields_kept", fds[2].fd == closed && fds[2].events == POLLIN, 1);
	close(p[0]);
	close(p[1]);
}

static void test_timeouts(void)
{
	int p[2];
	pipe(p);
	struct pollfd fd = { p[0], POLLIN, 0 };
	long long t0 = now_ns(CLOCK_MONOTONIC);
	check_eq("timeout_zero", poll(&fd, 1, 0), 0);
	t0 = now_ns(CLOCK_MONOTONIC);
	check_eq("timeout_short", poll(&fd, 1, 30), 0);
	long long took = now_ns(CLOCK_MONOTONIC) - t0;
	check(took >= 30 * MS, "timeout_short_waited", "returned after %lld us", took / 1000);
	check_eq("timeout_short_revents", fd.revents, 0);
	t0 = now_ns(CLOCK_MONOTONIC);
	check_eq("no_fds_sleep", poll(NULL, 0, 20), 0);
	took = now_ns(CLOCK_MONOTONIC) - t0;
	check(took >= 20 * MS, "no_fds_sleep_waited", "returned after %lld us", took / 1000);

	wake_fd = p[1];
	pthread_t t;
	pthread_create(&t, NULL, write_later, NULL);
	t0 = now_ns(CLOCK_MONOTONIC);
	int n = poll(&fd, 1, -1);
	took = now_ns(CLOCK_MONOTONIC) - t0;
	pthread_join(t, NULL);
	check_eq("woken_by_thread", n, 1);
	check_eq("woken_revents", fd.revents, POLLIN);
	check(took >= 40 * MS, "woken_after_write", "returned after %lld us", took / 1000);
	close(p[0]);
	close(p[1]);
}

static void test_ppoll(void)
{
	int p[2];
	pipe(p);
	struct pollfd fd = { p[0], POLLIN, 0 };
	struct timespec ts = { 0, 30 * MS };
	long long t0 = now_ns(CLOCK_MONOTONIC);
	check_eq("ppoll_timeout", syscall(SYS_ppoll, &fd, 1, &ts, NULL, 8), 0);
	check(now_ns(CLOCK_MONOTONIC) - t0 >= 30 * MS, "ppoll_waited", "too short");
	check(ts.tv_sec == 0 && ts.tv_nsec == 0, "ppoll_remaining_zero", "left %ld.%09ld",
	      (long)ts.tv_sec, ts.tv_nsec);
	(void)!write(p[1], "x", 1);
	ts.tv_sec = 5;
	ts.tv_nsec = 0;
	check_eq("ppoll_ready", syscall(SYS_ppoll, &fd, 1, &ts, NULL, 8), 1);
	check(ts.tv_sec == 4 && ts.tv_nsec > 0, "ppoll_remaining_written", "left %ld.%09ld",
	      (long)ts.tv_sec, ts.tv_nsec);
	struct timespec bad = { 0, 1000000000 };
	check_errno("ppoll_bad_timespec", syscall(SYS_ppoll, &fd, 1, &bad, NULL, 8), EINVAL);
	bad.tv_sec = -1;
	bad.tv_nsec = 0;
	check_errno("ppoll_negative_timespec", syscall(SYS_ppoll, &fd, 1, &bad, NULL, 8), EINVAL);
	uint64_t mask = 0;
	check_errno("ppoll_bad_sigsetsize", syscall(SYS_ppoll, &fd, 1, NULL, &mask, 4), EINVAL);
	check_errno("ppoll_bad_sigset_ptr", syscall(SYS_ppoll, &fd, 1, NULL, (void *)8, 8), EFAULT);
	check_eq("ppoll_null_timeout_ready", syscall(SYS_ppoll, &fd, 1, NULL, NULL, 8), 1);
	close(p[0]);
	close(p[1]);
}

/* A blocked SIGUSR1 that ppoll's mask lets in interrupts it: EINTR, the handler ran, and the
 * thread's own mask (SIGUSR1 blocked) is back afterwards. */
static void test_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, old, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, &old);

	int p[2];
	pipe(p);
	struct pollfd fd = { p[0], POLLIN, 0 };
	main_thread = pthread_self();
	pthread_t t;
	pthread_create(&t, NULL, kick_later, NULL);
	sigset_t during;
	sigemptyset(&during);
	got_usr1 = 0;
	errno = 0;
	long r = ppoll(&fd, 1, NULL, &during);
	int e = errno;
	pthread_join(t, NULL);
	check(r == -1 && e == EINTR, "ppoll_eintr", "returned %ld errno %s", r, errno_name(e));
	check_eq("ppoll_handler_ran", got_usr1, SIGUSR1);
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	check_eq("ppoll_mask_restored", sigismember(&now, SIGUSR1), 1);

	/* poll without a mask: a handler interrupts it with EINTR (never restarted). */
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	got_usr1 = 0;
	pthread_create(&t, NULL, kick_later, NULL);
	errno = 0;
	r = poll(&fd, 1, 5000);
	e = errno;
	pthread_join(t, NULL);
	check(r == -1 && e == EINTR, "poll_eintr_despite_sa_restart", "returned %ld errno %s", r,
	      errno_name(e));
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

static void test_errors(void)
{
	check_errno("bad_pointer", syscall(SYS_poll, (void *)8, 1, 0), EFAULT);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	static struct pollfd many[2];
	check_errno("nfds_over_rlimit", syscall(SYS_poll, many, (unsigned long)rl.rlim_cur + 1, 0),
		    EINVAL);
	/* Entries up to the limit are fine, negative descriptors are skipped. */
	struct pollfd *lots = calloc(rl.rlim_cur, sizeof(*lots));
	for (rlim_t i = 0; i < rl.rlim_cur; i++)
		lots[i].fd = -1;
	check_eq("nfds_at_rlimit", poll(lots, rl.rlim_cur, 0), 0);
	free(lots);
}

int main(void)
{
	check_init("poll");
	test_pipes();
	test_other_kinds();
	test_fd_values();
	test_timeouts();
	test_ppoll();
	test_signals();
	test_errors();
	return check_done();
}
