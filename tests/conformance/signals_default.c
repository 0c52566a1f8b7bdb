/*
 * signals_default.c: default actions, one run per case; the parent sees
 * 128 + the signal number for a signal that ends the process (as a shell
 * reports it). Usage: signals_default HOW. A run that should have ended by
 * a signal and did not prints a FAIL line and exits 1.
 *   term        raise(SIGTERM)                                  -> 143
 *   kill        kill(getpid(), SIGKILL)                         -> 137
 *   quit        raise(SIGQUIT), a "core" signal (no core: ulimit) -> 131
 *   rt          signal 40, real-time: terminates by default     -> 168
 *   alarm       setitimer(ITIMER_REAL) then pause()             -> 142
 *   pipe        write to a pipe with no reader                  -> 141
 *   thread      a second thread raises SIGTERM: all of it ends  -> 143
 *   resethand   SA_RESETHAND: the first SIGTERM is handled, the second ends it -> 143
 *   segv_blocked  a fault while SIGSEGV is blocked (handler or not): Linux
 *                 unblocks it and resets the action              -> 139
 *   segv_ignored  a fault while SIGSEGV is SIG_IGN              -> 139
 *   segv_nested   a fault inside the SIGSEGV handler            -> 139
 *   abort_handled abort() with a SIGABRT handler that returns   -> 134
 *   ignore      SIGCHLD, SIGURG, SIGWINCH and SIGCONT by default, SIGTERM
 *               under SIG_IGN, a blocked SIGTERM pending at exit: the
 *               process lives on (checks, exit 0)
 * Every signal is set to SIG_DFL before use: the harness's shell starts
 * background jobs with SIGINT and SIGQUIT ignored.
 */
// run: term 143 term
// run: kill 137 kill
// run: quit 131 quit
// run: rt 168 rt
// run: alarm 142 alarm
// run: pipe 141 pipe
// run: thread 143 thread
// run: resethand 143 resethand
// run: segv_blocked 139 segv_blocked
// run: segv_ignored 139 segv_ignored
// run: segv_nested 139 segv_nested
// run: abort_handled 134 abort_handled
// run: ignore 0 ignore
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"
#include "signal_util.h"

static volatile char *volatile nowhere; /* NULL: a read faults */

static void noop_handler(int sig, siginfo_t *si, void *uc)
{
}

static void faulting_handler(int sig, siginfo_t *si, void *uc)
{
	(void)*nowhere; /* SIGSEGV is blocked here: the second fault is fatal */
}

static void *raise_term(void *arg)
{
	raise(SIGTERM);
	return NULL;
}

static int ignore_checks(void)
{
	static const int ignored[] = { SIGCHLD, SIGURG, SIGWINCH, SIGCONT, 0 };
	char name[32];

	for (const int *s = ignored; *s; s++) {
		set_disposition(*s, SIG_DFL);
		raise(*s);
		snprintf(name, sizeof(name), "default_ignore_%d", *s);
		check(!is_pending(*s), name, "signal %d still pending", *s);
	}
	set_disposition(SIGTERM, SIG_IGN);
	raise(SIGTERM);
	kill(getpid(), SIGTERM);
	pass("sig_ign_term_survived");

	/* Blocked and pending when the process exits: it just exits. */
	set_disposition(SIGTERM, SIG_DFL);
	sigset_t term = sigset_of(SIGTERM, 0);
	sigprocmask(SIG_BLOCK, &term, NULL);
	raise(SIGTERM);
	check(is_pending(SIGTERM), "blocked_term_pending", "SIGTERM not pending");
	return check_done();
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "ignore";
	int fds[2];
	pthread_t th;

	check_init("signals_default");
	sigset_t none = sigset_of(0);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (strcmp(how, "term") == 0) {
		set_disposition(SIGTERM, SIG_DFL);
		raise(SIGTERM);
	} else if (strcmp(how, "kill") == 0) {
		kill(getpid(), SIGKILL);
	} else if (strcmp(how, "quit") == 0) {
		set_disposition(SIGQUIT, SIG_DFL);
		raise(SIGQUIT);
	} else if (strcmp(how, "rt") == 0) {
		set_disposition(40, SIG_DFL);
		kill(getpid(), 40);
	} else if (strcmp(how, "alarm") == 0) {
		struct itimerval it = { { 0, 0 }, { 0, 20000 } };
		set_disposition(SIGALRM, SIG_DFL);
		setitimer(ITIMER_REAL, &it, NULL);
		for (int i = 0; i < 100; i++) /* 1 s at most */
			usleep(10000);
	} else if (strcmp(how, "pipe") == 0) {
		set_disposition(SIGPIPE, SIG_DFL);
		if (pipe(fds) == 0) {
			close(fds[0]);
			if (write(fds[1], "x", 1) < 0)
				printf("FAIL signals_default.pipe: write failed with %s\n",
				       errno_name(errno));
		}
	} else if (strcmp(how, "thread") == 0) {
		set_disposition(SIGTERM, SIG_DFL);
		if (pthread_create(&th, NULL, raise_term, NULL) == 0)
			pthread_join(th, NULL);
		sleep(1);
	} else if (strcmp(how, "resethand") == 0) {
		on_signal(SIGTERM, noop_handler, SA_RESETHAND, none);
		raise(SIGTERM);
		printf("PASS signals_default.resethand_first_handled\n");
		raise(SIGTERM);
	} else if (strcmp(how, "segv_blocked") == 0) {
		on_signal(SIGSEGV, noop_handler, 0, none);
		sigset_t segv = sigset_of(SIGSEGV, 0);
		sigprocmask(SIG_BLOCK, &segv, NULL);
		(void)*nowhere;
	} else if (strcmp(how, "segv_ignored") == 0) {
		set_disposition(SIGSEGV, SIG_IGN);
		(void)*nowhere;
	} else if (strcmp(how, "segv_nested") == 0) {
		on_signal(SIGSEGV, faulting_handler, 0, none);
		(void)*nowhere;
	} else if (strcmp(how, "abort_handled") == 0) {
		on_signal(SIGABRT, noop_handler, 0, none);
		abort();
	} else if (strcmp(how, "ignore") == 0) {
		return ignore_checks();
	} else {
		printf("FAIL signals_default.usage: unknown HOW \"%s\"\n", how);
		return 2;
	}
	printf("FAIL signals_default.%s: survived\n", how);
	return 1;
}
