/*
 * epoll.c: epoll_create/create1, epoll_ctl, epoll_wait, epoll_pwait and
 * epoll_pwait2. Level- and edge-triggered reporting on pipes and eventfds,
 * EPOLLONESHOT and its re-arm with EPOLL_CTL_MOD, EPOLLHUP/EPOLLERR always
 * reported, EPOLLRDHUP accepted, data returned as given, timeouts (0, short,
 * -1 ended by another thread writing to a pipe), nested epoll descriptors
 * (an epoll fd is readable when an item inside is ready), removal of an item
 * when its file is released (and not while a dup keeps it open), the
 * EPOLLEXCLUSIVE rules, and the error cases of each call (EBADF, EINVAL,
 * EEXIST, ENOENT, EPERM for regular files, ELOOP for cycles, EFAULT).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "thread_util.h"
#include "wake_later.h"

#ifndef EPOLLEXCLUSIVE
#define EPOLLEXCLUSIVE (1u << 28)
#endif

static struct epoll_event evs[8];

/* epoll_wait with timeout 0; the events land in evs. */
static int ready(int ep)
{
	memset(evs, 0, sizeof(evs));
	return epoll_wait(ep, evs, 8, 0);
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void test_create(void)
{
	/* Raw calls: some musl versions do not check the size themselves. */
	check_errno("create_zero", syscall(SYS_epoll_create, 0), EINVAL);
	check_errno("create_negative", syscall(SYS_epoll_create, -1), EINVAL);
	int ep = (int)syscall(SYS_epoll_create, 1);
	if (check_ok("create", ep)) {
		check_eq("create_no_cloexec", fcntl(ep, F_GETFD) & FD_CLOEXEC, 0);
		check_eq("create_rdwr", fcntl(ep, F_GETFL) & O_ACCMODE, O_RDWR);
		char c;
		check_errno("read_einval", read(ep, &c, 1), EINVAL);
		close(ep);
	}
	check_errno("create1_bad_flags", epoll_create1(1), EINVAL);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (check_ok("create1_cloexec", ep)) {
		check_eq("cloexec_set", fcntl(ep, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
		close(ep);
	}
}

static void test_level_edge(void)
{
	int ep = epoll_create1(0), p[2];
	pipe2(p, O_NONBLOCK);
	check_ok("add_read_end", add(ep, p[0], EPOLLIN, 0x1122334455667788ull));
	check_eq("nothing_ready", ready(ep), 0);
	(void)!write(p[1], "ab", 2);
	int n = ready(ep);
	check(n == 1 && evs[0].events == EPOLLIN && evs[0].data.u64 == 0x1122334455667788ull,
	      "level_reported", "n %d events %x data %llx", n, evs[0].events,
	      (unsigned long long)evs[0].data.u64);
	check_eq("level_again", ready(ep), 1);
	char buf[8];
	(void)!read(p[0], buf, sizeof(buf));
	check_eq("level_gone_after_read", ready(ep), 0);

	check_ok("mod_edge", mod(ep, p[0], EPOLLIN | EPOLLET, 7));
	(void)!write(p[1], "a", 1);
	check_eq("edge_reported", ready(ep), 1);
	check_eq("edge_data", (long)evs[0].data.u64, 7);
	check_eq("edge_once", ready(ep), 0);
	(void)!write(p[1], "b", 1);
	check_eq("edge_new_data", ready(ep), 1);
	check_eq("edge_once_more", ready(ep), 0);

	/* Write end: EPOLLOUT, and EPOLLERR once the readers are gone even if not asked for. */
	check_ok("add_write_end", add(ep, p[1], EPOLLOUT, 9));
	n = ready(ep);
	check(n == 1 && evs[0].events == EPOLLOUT && evs[0].data.u64 == 9, "write_end_out",
	      "n %d events %x", n, evs[0].events);
	check_ok("mod_write_end_in", mod(ep, p[1], EPOLLIN, 9));
	close(p[0]);
	n = ready(ep);
	check(n == 1 && evs[0].events == EPOLLERR, "write_end_err_unasked", "n %d events %x", n,
	      evs[0].events);
	close(p[1]);
	close(ep);

	/* Read end: EPOLLHUP once the writers are gone; EPOLLRDHUP is accepted (pipes never
	 * report it). */
	ep = epoll_create1(0);
	pipe(p);
	add(ep, p[0], EPOLLIN | EPOLLRDHUP, 1);
	close(p[1]);
	n = ready(ep);
	check(n == 1 && evs[0].events == EPOLLHUP, "read_end_hup", "n %d events %x", n,
	      evs[0].events);
	close(p[0]);
	close(ep);
}

static void test_oneshot(void)
{
	int ep = epoll_create1(0);
	int efd = eventfd(1, EFD_NONBLOCK);
	check_ok("add_oneshot", add(ep, efd, EPOLLIN | EPOLLONESHOT, 3));
	check_eq("oneshot_first", ready(ep), 1);
	check_eq("oneshot_disabled", ready(ep), 0);
	uint64_t one = 1;
	(void)!write(efd, &one, 8);
	check_eq("oneshot_stays_disabled", ready(ep), 0);
	check_ok("oneshot_rearm", mod(ep, efd, EPOLLIN | EPOLLONESHOT, 4));
	int n = ready(ep);
	check(n == 1 && evs[0].data.u64 == 4, "oneshot_rearmed", "n %d data %llu", n,
	      (unsigned long long)evs[0].data.u64);
	check_eq("oneshot_disabled_again", ready(ep), 0);
	close(efd);
	close(ep);
}

static void test_ctl_errors(void)
{
	int ep = epoll_create1(0), p[2];
	pipe(p);
	struct epoll_event ev = { .events = EPOLLIN };
	check_errno("ctl_bad_epfd", epoll_ctl(-1, EPOLL_CTL_ADD, p[0], &ev), EBADF);
	check_errno("ctl_bad_fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
	check_errno("ctl_not_epoll", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	check_errno("ctl_self", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	check_errno("ctl_bad_op", epoll_ctl(ep, 99, p[0], &ev), EINVAL);
	check_errno("ctl_bad_event_ptr", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], (void *)8), EFAULT);
	check_errno("mod_missing", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
	check_errno("del_missing", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
	check_ok("add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	check_errno("add_twice", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	check_ok("del_null_event", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	check_errno("del_again", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);

	int file = open("/proc/self/exe", O_RDONLY);
	check_errno("regular_file_eperm", epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev), EPERM);
	close(file);
	int null = open("/dev/null", O_RDONLY);
	check_errno("dev_null_eperm", epoll_ctl(ep, EPOLL_CTL_ADD, null, &ev), EPERM);
	close(null);

	/* EPOLLEXCLUSIVE: ADD only, with in/out/err/hup/et/wakeup, never on an epoll fd. */
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	check_ok("exclusive_add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	check_errno("exclusive_mod", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
	ev.events = EPOLLIN;
	check_errno("mod_of_exclusive", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT;
	check_errno("exclusive_oneshot", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE | EPOLLRDHUP;
	check_errno("exclusive_rdhup", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	int inner = epoll_create1(0);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	check_errno("exclusive_epoll_target", epoll_ctl(ep, EPOLL_CTL_ADD, inner, &ev), EINVAL);
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE | EPOLLET;
	check_ok("exclusive_et", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
	int n = ready(ep);
	check(n == 1 && evs[0].events == EPOLLOUT, "exclusive_reports", "n %d events %x", n,
	      evs[0].events);
	close(inner);
	close(p[0]);
	close(p[1]);
	close(ep);
}

static void test_wait_errors(void)
{
	int ep = epoll_create1(0), p[2];
	pipe(p);
	check_errno("wait_zero_max", epoll_wait(ep, evs, 0, 0), EINVAL);
	check_errno("wait_negative_max", syscall(SYS_epoll_wait, ep, evs, -1, 0), EINVAL);
	check_errno("wait_bad_fd", epoll_wait(-1, evs, 1, 0), EBADF);
	check_errno("wait_not_epoll", epoll_wait(p[0], evs, 1, 0), EINVAL);
	check_eq("pwait_null_mask", epoll_pwait(ep, evs, 1, 0, NULL), 0);
	uint64_t mask = 0;
	check_errno("pwait_bad_sigsetsize", syscall(SYS_epoll_pwait, ep, evs, 1, 0, &mask, 4), EINVAL);
	struct timespec bad = { 0, 1000000000 };
	check_errno("pwait2_bad_timespec", syscall(SYS_epoll_pwait2, ep, evs, 1, &bad, NULL, 8), EINVAL);
	struct timespec ts = { 0, 20 * MS };
	long long t0 = now_ns(CLOCK_MONOTONIC);
	check_eq("pwait2_timeout", syscall(SYS_epoll_pwait2, ep, evs, 1, &ts, NULL, 8), 0);
	long long took = now_ns(CLOCK_MONOTONIC) - t0;
	check(took >= 20 * MS, "pwait2_waited", "returned after %lld us", took / 1000);
	/* A buffer outside user space fails at once; an unmapped one only when an event is
	 * copied to it. */
	check_errno("wait_kernel_buffer",
		    syscall(SYS_epoll_wait, ep, (void *)0xffff888000000000ull, 1, 0), EFAULT);
	check_eq("wait_unmapped_buffer_idle", syscall(SYS_epoll_wait, ep, (void *)8, 1, 0), 0);
	(void)!write(p[1], "x", 1);
	add(ep, p[0], EPOLLIN, 0);
	check_errno("wait_unmapped_buffer_event", syscall(SYS_epoll_wait, ep, (void *)8, 1, 0),
		    EFAULT);
	check_eq("event_kept_after_efault", ready(ep), 1);
	close(p[0]);
	close(p[1]);
	close(ep);
}

static void test_maxevents(void)
{
	int ep = epoll_create1(0), efd[3];
	for (int i = 0; i < 3; i++) {
		efd[i] = eventfd(1, 0);
		add(ep, efd[i], EPOLLIN, (uint64_t)i);
	}
	struct epoll_event two[2];
	check_eq("max_two", epoll_wait(ep, two, 2, 0), 2);
	/* Level-triggered items go to the back: the third comes first next time. */
	check(epoll_wait(ep, two, 1, 0) == 1 && two[0].data.u64 == 2, "round_robin",
	      "got item %llu", (unsigned long long)two[0].data.u64);
	check_eq("all_three", ready(ep), 3);
	for (int i = 0; i < 3; i++)
		close(efd[i]);
	close(ep);
}

static void test_timeouts(void)
{
	int ep = epoll_create1(0), p[2];
	pipe(p);
	add(ep, p[0], EPOLLIN, 5);
	long long t0 = now_ns(CLOCK_MONOTONIC);
	check_eq("timeout_short", epoll_wait(ep, evs, 8, 30), 0);
	long long took = now_ns(CLOCK_MONOTONIC) - t0;
	check(took >= 30 * MS, "timeout_short_waited", "returned after %lld us", took / 1000);

	wake_fd = p[1];
	pthread_t t;
	pthread_create(&t, NULL, write_later, NULL);
	t0 = now_ns(CLOCK_MONOTONIC);
	int n = epoll_wait(ep, evs, 8, -1);
	took = now_ns(CLOCK_MONOTONIC) - t0;
	pthread_join(t, NULL);
	check(n == 1 && evs[0].data.u64 == 5, "woken_by_thread", "n %d", n);
	check(took >= 40 * MS, "woken_after_write", "returned after %lld us", took / 1000);
	close(p[0]);
	close(p[1]);
	close(ep);
}

static void test_eintr(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART; /* epoll_wait is never restarted */
	sigaction(SIGUSR1, &sa, NULL);
	int ep = epoll_create1(0), p[2];
	pipe(p);
	add(ep, p[0], EPOLLIN, 0);
	main_thread = pthread_self();
	pthread_t t;
	pthread_create(&t, NULL, kick_later, NULL);
	errno = 0;
	int n = epoll_wait(ep, evs, 8, 5000);
	int e = errno;
	pthread_join(t, NULL);
	check(n == -1 && e == EINTR, "wait_eintr", "returned %d errno %s", n, errno_name(e));
	check_eq("handler_ran", got_usr1, SIGUSR1);

	/* epoll_pwait's mask lets a blocked signal in for the wait only. */
	sigset_t block, now, during;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&during);
	got_usr1 = 0;
	pthread_create(&t, NULL, kick_later, NULL);
	errno = 0;
	n = epoll_pwait(ep, evs, 8, 5000, &during);
	e = errno;
	pthread_join(t, NULL);
	check(n == -1 && e == EINTR, "pwait_eintr", "returned %d errno %s", n, errno_name(e));
	check_eq("pwait_handler_ran", got_usr1, SIGUSR1);
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	check_eq("pwait_mask_restored", sigismember(&now, SIGUSR1), 1);
	pthread_sigmask(SIG_UNBLOCK, &block, NULL);
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
	close(ep);
}

static void test_nested(void)
{
	int outer = epoll_create1(0), inner = epoll_create1(0), efd = eventfd(0, EFD_NONBLOCK);
	check_ok("nest_add_inner", add(outer, inner, EPOLLIN, 11));
	check_ok("nest_add_eventfd", add(inner, efd, EPOLLIN, 12));
	check_eq("nest_idle", ready(outer), 0);
	struct pollfd pf = { inner, POLLIN | POLLOUT, 0 };
	check_eq("inner_poll_idle", poll(&pf, 1, 0), 0);
	uint64_t one = 1;
	(void)!write(efd, &one, 8);
	int n = ready(outer);
	check(n == 1 && evs[0].events == EPOLLIN && evs[0].data.u64 == 11, "nest_outer_ready",
	      "n %d events %x data %llu", n, evs[0].events, (unsigned long long)evs[0].data.u64);
	check_eq("inner_poll_ready", poll(&pf, 1, 0) == 1 ? pf.revents : -1, POLLIN);
	n = ready(inner);
	check(n == 1 && evs[0].data.u64 == 12, "nest_inner_reports", "n %d", n);
	uint64_t v;
	(void)!read(efd, &v, 8);
	check_eq("nest_outer_idle_again", ready(outer), 0);

	check_errno("loop_eloop", add(inner, outer, EPOLLIN, 0), ELOOP);
	int third = epoll_create1(0);
	check_ok("chain_add", add(third, outer, EPOLLIN, 0));
	check_errno("chain_loop_eloop", add(inner, third, EPOLLIN, 0), ELOOP);
	close(third);
	close(efd);
	close(inner);
	close(outer);
}

static void test_close_removal(void)
{
	int ep = epoll_create1(0);
	int efd = eventfd(1, 0);
	add(ep, efd, EPOLLIN, 21);
	int copy = dup(efd);
	close(efd);
	/* The item belongs to the file, which the dup keeps open: it is still reported. */
	int n = ready(ep);
	check(n == 1 && evs[0].data.u64 == 21, "dup_keeps_item", "n %d", n);
	check_errno("del_closed_fd", epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), EBADF);
	check_errno("del_by_dup_enoent", epoll_ctl(ep, EPOLL_CTL_DEL, copy, NULL), ENOENT);
	close(copy);
	/* With the last descriptor closed, the file is released and its item gone. */
	check_eq("released_item_gone", ready(ep), 0);
	int again = eventfd(1, 0); /* likely the same number */
	check_ok("readd_same_number", add(ep, again, EPOLLIN, 22));
	n = ready(ep);
	check(n == 1 && evs[0].data.u64 == 22, "only_new_item", "n %d data %llu", n,
	      (unsigned long long)evs[0].data.u64);
	close(again);

	/* The same file under two descriptors is two items. */
	int p[2];
	pipe(p);
	int p0b = dup(p[0]);
	add(ep, p[0], EPOLLIN, 31);
	check_ok("dup_is_other_item", add(ep, p0b, EPOLLIN, 32));
	(void)!write(p[1], "x", 1);
	check_eq("both_items_report", ready(ep), 2);
	close(p[0]);
	close(p0b);
	close(p[1]);
	close(ep);
}

int main(void)
{
	check_init("epoll");
	test_create();
	test_level_edge();
	test_oneshot();
	test_ctl_errors();
	test_wait_errors();
	test_maxevents();
	test_timeouts();
	test_eintr();
	test_nested();
	test_close_removal();
	return check_done();
}
