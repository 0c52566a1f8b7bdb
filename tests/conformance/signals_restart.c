/*
 * signals_restart.c: which blocking calls a handled signal interrupts and
 * which SA_RESTART restarts, as signal(7) lists them.
 *
 * - read on an empty pipe, interrupted by pthread_kill from another thread
 *   or by SIGALRM from setitimer: with SA_RESTART the read goes on and
 *   returns the byte written later; without, -1 EINTR.
 * - futex FUTEX_WAIT without a timeout: restarted under SA_RESTART (0 when
 *   woken later), EINTR without. With a timeout it is EINTR even with
 *   SA_RESTART (Linux restarts it only when no handler ran).
 * - Never restarted, SA_RESTART or not: nanosleep (EINTR, the remaining
 *   time written back), clock_nanosleep (returns EINTR), poll, select,
 *   epoll_wait.
 * - A signal whose action is SIG_IGN, one ignored by default (SIGWINCH)
 *   and a blocked one do not interrupt anything: the read returns the byte.
 *
 * Each case has a helper thread that waits until the main thread sleeps in
 * the call, sends the signal, and later writes a byte (or wakes the futex),
 * so a call that wrongly ignores the signal ends instead of hanging.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "signal_util.h"
#include "thread_util.h"

enum call { READ, FUTEX, FUTEX_TIMEOUT, NANOSLEEP, CLOCK_NANOSLEEP, POLL, SELECT, EPOLL };
static const char *const call_name[] = { "read", "futex", "futex_timeout", "nanosleep",
					 "clock_nanosleep", "poll", "select", "epoll_wait" };

/* How the signal comes: from a thread, or from an interval timer. */
enum sender { THREAD, ITIMER };

static volatile int handled;

static void count_handler(int sig)
{
	handled++;
}

static struct {
	pid_t target;
	int sig;
	enum sender how;
	int wfd;            /* the pipe's write end */
	volatile int *word; /* the futex */
	int end_ms;         /* then: a byte into the pipe, the futex woken */
	volatile int call_returned; /* or sooner if the call is over */
} poke;

static void *poker(void *arg)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL); /* SIGALRM is the main thread's */
	until_sleeping(poke.target);
	sleep_ms(20); /* some of the sleep has passed: the remaining time shows it */
	if (poke.how == THREAD) {
		tgkill_(getpid(), poke.target, poke.sig);
	} else {
		struct itimerval it = { { 0, 0 }, { 0, 10000 } };
		setitimer(ITIMER_REAL, &it, NULL);
	}
	for (int i = 0; i < poke.end_ms && !poke.call_returned; i++)
		sleep_ms(1);
	if (write(poke.wfd, "x", 1) != 1)
		perror("write");
	*poke.word = 1;
	syscall(SYS_futex, poke.word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return NULL;
}

struct outcome {
	long ret;
	int err;
	struct timespec rem;
};

/* Runs call in the main thread while the poker sends sig. */
static struct outcome run_case(enum call call, int sig, enum sender how, int end_ms)
{
	static volatile int word;
	struct outcome o = { 0, 0, { 0, 0 } };
	int p[2];
	pthread_t th;
	char c;

	if (pipe(p) != 0) {
		o.ret = -2;
		return o;
	}
	word = 0;
	handled = 0;
	poke.target = gettid_();
	poke.sig = sig;
	poke.how = how;
	poke.wfd = p[1];
	poke.word = &word;
	poke.end_ms = end_ms;
	poke.call_returned = 0;
	pthread_create(&th, NULL, poker, NULL);

	struct timespec long_ts = { 2, 0 };
	struct pollfd pfd = { .fd = p[0], .events = POLLIN };
	fd_set rd;
	int ep;
	struct epoll_event ev = { .events = EPOLLIN }, out;

	errno = 0;
	switch (call) {
	case READ:
		o.ret = read(p[0], &c, 1);
		break;
	case FUTEX:
		o.ret = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
		break;
	case FUTEX_TIMEOUT:
		o.ret = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &long_ts, NULL, 0);
		break;
	case NANOSLEEP:
		o.ret = nanosleep(&long_ts, &o.rem);
		break;
	case CLOCK_NANOSLEEP:
		/* Returns the error number itself. */
		o.ret = clock_nanosleep(CLOCK_MONOTONIC, 0, &long_ts, &o.rem);
		break;
	case POLL:
		o.ret = poll(&pfd, 1, -1);
		break;
	case SELECT:
		FD_ZERO(&rd);
		FD_SET(p[0], &rd);
		o.ret = select(p[0] + 1, &rd, NULL, NULL, NULL);
		break;
	case EPOLL:
		ep = epoll_create1(0);
		ev.data.fd = p[0];
		epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
		o.ret = epoll_wait(ep, &out, 1, -1);
		close(ep);
		break;
	}
	o.err = errno;
	poke.call_returned = 1;
	pthread_join(th, NULL);
	close(p[0]);
	close(p[1]);
	return o;
}

static void expect_restarted(enum call call, const char *how_name, int sig, enum sender how)
{
	char name[96];

	struct outcome o = run_case(call, sig, how, 30);
	snprintf(name, sizeof(name), "%s_%s_sa_restart_restarted", call_name[call], how_name);
	long want = call == READ ? 1 : 0;
	check(handled == 1 && o.ret == want, name,
	      "handler ran %d times, the call returned %ld (%s); expected 1, %ld", handled, o.ret,
	      o.ret < 0 ? errno_name(o.err) : "ok", want);
}

static void expect_eintr(enum call call, const char *how_name, const char *flags_name, int sig,
			 enum sender how)
{
	char name[96];

	/* The byte comes late: an EINTR is long back by then. */
	struct outcome o = run_case(call, sig, how, 500);
	snprintf(name, sizeof(name), "%s_%s%s_eintr", call_name[call], how_name, flags_name);
	int got_eintr = call == CLOCK_NANOSLEEP ? o.ret == EINTR : o.ret == -1 && o.err == EINTR;
	check(handled == 1 && got_eintr, name,
	      "handler ran %d times, the call returned %ld (%s); expected 1, EINTR", handled,
	      o.ret, o.ret == -1 ? errno_name(o.err) : "-");
	if (call == NANOSLEEP || call == CLOCK_NANOSLEEP) {
		snprintf(name, sizeof(name), "%s_%s%s_remaining", call_name[call], how_name,
			 flags_name);
		long long rem = o.rem.tv_sec * 1000000000LL + o.rem.tv_nsec;
		check(rem > 1000 * MS && rem < 2000 * MS, name,
		      "remaining %lld ns of 2 s after 20-100 ms", rem);
	}
}

/* A signal that must not interrupt: the read returns the byte. */
static void expect_not_interrupted(const char *name, int sig)
{
	handled = 0;
	struct outcome o = run_case(READ, sig, THREAD, 30);
	check(o.ret == 1 && handled == 0, name, "read returned %ld (%s), handler ran %d times",
	      o.ret, o.ret < 0 ? errno_name(o.err) : "ok", handled);
}

static void handle(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count_handler;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

int main(void)
{
	check_init("signals_restart");

	handle(SIGUSR1, SA_RESTART);
	handle(SIGALRM, SA_RESTART);
	expect_restarted(READ, "thread", SIGUSR1, THREAD);
	expect_restarted(READ, "itimer", SIGALRM, ITIMER);
	expect_restarted(FUTEX, "thread", SIGUSR1, THREAD);
	expect_eintr(FUTEX_TIMEOUT, "thread", "_sa_restart", SIGUSR1, THREAD);
	expect_eintr(NANOSLEEP, "thread", "_sa_restart", SIGUSR1, THREAD);
	expect_eintr(CLOCK_NANOSLEEP, "thread", "_sa_restart", SIGUSR1, THREAD);
	expect_eintr(POLL, "thread", "_sa_restart", SIGUSR1, THREAD);
	expect_eintr(SELECT, "thread", "_sa_restart", SIGUSR1, THREAD);
	expect_eintr(EPOLL, "thread", "_sa_restart", SIGUSR1, THREAD);

	handle(SIGUSR1, 0);
	handle(SIGALRM, 0);
	expect_eintr(READ, "thread", "", SIGUSR1, THREAD);
	expect_eintr(READ, "itimer", "", SIGALRM, ITIMER);
	expect_eintr(FUTEX, "thread", "", SIGUSR1, THREAD);
	expect_eintr(NANOSLEEP, "thread", "", SIGUSR1, THREAD);
	expect_eintr(POLL, "thread", "", SIGUSR1, THREAD);

	set_disposition(SIGUSR1, SIG_IGN);
	expect_not_interrupted("sig_ign_does_not_interrupt", SIGUSR1);
	set_disposition(SIGWINCH, SIG_DFL);
	expect_not_interrupted("default_ignored_does_not_interrupt", SIGWINCH);

	handle(SIGUSR1, 0);
	sigset_t usr1 = sigset_of(SIGUSR1, 0);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	expect_not_interrupted("blocked_does_not_interrupt", SIGUSR1);
	/* It was pending all along: delivered at the unblock. */
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	check_eq("blocked_delivered_after", handled, 1);
	return check_done();
}
