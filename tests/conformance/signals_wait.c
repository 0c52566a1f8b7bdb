/*
 * signals_wait.c: waiting for signals: sigtimedwait, sigwaitinfo, sigwait,
 * sigsuspend, pause.
 *
 * - sigtimedwait: EAGAIN after the timeout when nothing comes (and at once
 *   with a zero timeout); a blocked pending signal is taken with its
 *   siginfo, no handler runs and it is no longer pending; one sent later by
 *   another thread ends the wait, to the thread or to the process (all
 *   threads blocking it), also when its action is the default (terminate); lowest signal first, real-time instances
 *   in order with their values; a blocked signal ignored by default
 *   (SIGWINCH) is pending and can be waited for; another, handled signal
 *   interrupts the wait (EINTR even under SA_RESTART); a bad timeout or
 *   sigset size is EINVAL.
 * - sigwaitinfo and sigwait take a pending signal.
 * - sigsuspend returns -1 EINTR after the handler ran; the handler runs
 *   with the temporary mask, its uc_sigmask is the mask from before, and
 *   that mask is back after. A pending signal the temporary mask unblocks
 *   ends it at once (rt_sigsuspend raw too; a wrong size is EINVAL).
 * - pause returns -1 EINTR after a handler.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"
#include "signal_util.h"
#include "thread_util.h"

/* ---- a thread that sends a signal once the main thread sleeps ------------------------- */

static struct {
	pid_t target;
	int sig;
	int to_process; /* kill(getpid()) instead of tgkill to the target */
} later;

static void *send_later(void *arg)
{
	until_sleeping(later.target);
	sleep_ms(10);
	if (later.to_process)
		kill(getpid(), later.sig);
	else
		tgkill_(getpid(), later.target, later.sig);
	return NULL;
}

static pthread_t start_sender_to(int sig, int to_process)
{
	pthread_t th;

	later.target = gettid_();
	later.sig = sig;
	later.to_process = to_process;
	pthread_create(&th, NULL, send_later, NULL);
	return th;
}

static pthread_t start_sender(int sig)
{
	return start_sender_to(sig, 0);
}

/* ---- sigtimedwait, sigwaitinfo, sigwait ---------------------------------------------- */

static void timedwait_checks(void)
{
	sigset_t usr1 = sigset_of(SIGUSR1, 0), none = sigset_of(0);
	struct timespec t50 = { 0, 50 * MS }, zero = { 0, 0 }, two = { 2, 0 };
	siginfo_t si;
	long long t0;

	on_signal(SIGUSR1, log_handler, 0, none);
	sigprocmask(SIG_BLOCK, &usr1, NULL);

	t0 = now_ns(CLOCK_MONOTONIC);
	check_errno("timeout_eagain", sigtimedwait(&usr1, &si, &t50), EAGAIN);
	long long took = now_ns(CLOCK_MONOTONIC) - t0;
	check(took >= 45 * MS, "timeout_waited", "returned after %lld ns, expected 50 ms", took);
	check_errno("zero_timeout_eagain", sigtimedwait(&usr1, &si, &zero), EAGAIN);

	/* Already pending: taken, not delivered. */
	union sigval v = { .sival_int = 9 };
	sigqueue(getpid(), SIGUSR1, v);
	sig_log_clear();
	memset(&si, 0, sizeof(si));
	check_eq("pending_taken", sigtimedwait(&usr1, &si, &zero), SIGUSR1);
	check(si.si_signo == SIGUSR1 && si.si_code == SI_QUEUE && si.si_value.sival_int == 9 &&
		      si.si_pid == getpid() && si.si_uid == getuid(),
	      "pending_siginfo", "signo %d code %d value %d pid %d uid %d", si.si_signo, si.si_code,
	      si.si_value.sival_int, (int)si.si_pid, (int)si.si_uid);
	check(!is_pending(SIGUSR1) && sig_log_len == 0, "taken_not_delivered",
	      "pending %d, handler ran %d times; expected 0, 0", is_pending(SIGUSR1), sig_log_len);

	/* Sent later by another thread. */
	pthread_t th = start_sender(SIGUSR1);
	t0 = now_ns(CLOCK_MONOTONIC);
	memset(&si, 0, sizeof(si));
	long r = sigtimedwait(&usr1, &si, &two);
	took = now_ns(CLOCK_MONOTONIC) - t0;
	pthread_join(th, NULL);
	check(r == SIGUSR1 && si.si_pid == getpid() && took < 1900 * MS, "sent_later_ends_wait",
	      "returned %ld (%s) pid %d after %lld ns", r, r < 0 ? errno_name(errno) : "ok",
	      (int)si.si_pid, took);

	/* Sent to the process by a thread that blocks it too (it inherited the
	 * mask): the waiting thread takes it, nothing is killed. */
	th = start_sender_to(SIGUSR1, 1);
	memset(&si, 0, sizeof(si));
	r = sigtimedwait(&usr1, &si, &two);
	pthread_join(th, NULL);
	check(r == SIGUSR1 && si.si_code == SI_USER, "process_signal_all_blocked_waited",
	      "returned %ld (%s) code %d; expected %d, %d", r, r < 0 ? errno_name(errno) : "ok",
	      si.si_code, SIGUSR1, SI_USER);

	/* Order: the lowest signal first, real-time instances in order. */
	int r0 = SIGRTMIN, r1 = SIGRTMIN + 1;
	sigset_t set = sigset_of(SIGUSR1, SIGUSR2, r0, r1, 0);
	sigprocmask(SIG_BLOCK, &set, NULL);
	v.sival_int = 1, sigqueue(getpid(), r1, v);
	v.sival_int = 2, sigqueue(getpid(), r0, v);
	v.sival_int = 3, sigqueue(getpid(), r1, v);
	v.sival_int = 4, sigqueue(getpid(), SIGUSR2, v);
	v.sival_int = 5, sigqueue(getpid(), SIGUSR1, v);
	char got[128] = "";
	size_t n = 0;
	for (int i = 0; i < 6; i++) {
		memset(&si, 0, sizeof(si));
		int s = sigtimedwait(&set, &si, &zero);
		n += snprintf(got + n, sizeof(got) - n, "%s%d/%d", i ? " " : "",
			      s < 0 ? -1 : s == r0 ? 100 : s == r1 ? 101 : s, s < 0 ? 0 : si.si_value.sival_int);
	}
	/* 100 and 101 stand for SIGRTMIN and SIGRTMIN+1; -1/0 is EAGAIN. */
	check(strcmp(got, "10/5 12/4 100/2 101/1 101/3 -1/0") == 0, "order",
	      "took %s, expected 10/5 12/4 100/2 101/1 101/3 -1/0", got);

	/* Ignored by default but blocked: pending, and can be waited for. */
	sigset_t winch = sigset_of(SIGWINCH, 0);
	set_disposition(SIGWINCH, SIG_DFL);
	sigprocmask(SIG_BLOCK, &winch, NULL);
	raise(SIGWINCH);
	check_eq("default_ignored_blocked_waited", sigwaitinfo(&winch, &si), SIGWINCH);
	sigprocmask(SIG_UNBLOCK, &winch, NULL);

	/* A handled signal outside the set interrupts, even with SA_RESTART.
	 * Raw: musl's sigtimedwait calls again after EINTR. */
	on_signal(SIGUSR2, log_handler, SA_RESTART, none);
	sigset_t usr2 = sigset_of(SIGUSR2, 0);
	sigprocmask(SIG_UNBLOCK, &usr2, NULL);
	sig_log_clear();
	th = start_sender(SIGUSR2);
	uint64_t kusr1 = 1UL << (SIGUSR1 - 1);
	errno = 0;
	r = syscall(SYS_rt_sigtimedwait, &kusr1, &si, &two, 8);
	int e = errno;
	pthread_join(th, NULL);
	check(r == -1 && e == EINTR && sig_log_len == 1, "other_signal_eintr",
	      "returned %ld (%s), handler ran %d times; expected -1 EINTR, 1", r, errno_name(e),
	      sig_log_len);

	struct timespec bad = { 0, 1000000000L };
	check_errno("bad_timeout_einval", sigtimedwait(&usr1, &si, &bad), EINVAL);
	check_errno("sigsetsize_einval", syscall(SYS_rt_sigtimedwait, &kusr1, NULL, &zero, 4),
		    EINVAL);

	/* The kernel reports tgkill's SI_TKILL (glibc's wrapper turns it into
	 * SI_USER, hence raw). */
	raise(SIGUSR1);
	memset(&si, 0, sizeof(si));
	r = syscall(SYS_rt_sigtimedwait, &kusr1, &si, NULL, 8);
	check(r == SIGUSR1 && si.si_code == SI_TKILL && si.si_pid == getpid(), "raw_si_tkill",
	      "returned %ld, code %d pid %d; expected %d, %d %d", r, si.si_code, (int)si.si_pid,
	      SIGUSR1, SI_TKILL, (int)getpid());

	/* sigwaitinfo and sigwait. */
	kill(getpid(), SIGUSR1);
	memset(&si, 0, sizeof(si));
	check(sigwaitinfo(&usr1, &si) == SIGUSR1 && si.si_code == SI_USER, "sigwaitinfo",
	      "code %d, expected %d", si.si_code, SI_USER);
	int sig = 0;
	raise(SIGUSR1);
	check(sigwait(&usr1, &sig) == 0 && sig == SIGUSR1, "sigwait", "sig %d, expected %d", sig,
	      SIGUSR1);

	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* A signal whose action is the default (terminate) is taken by the wait all
 * the same: Linux judges it fatal by the mask from before the wait, which
 * blocks it. Threads that wait for signals with sigwait commonly leave them
 * at SIG_DFL. Last, since a kernel that gets it wrong ends the program. */
static void default_action_wait_checks(void)
{
	sigset_t usr2 = sigset_of(SIGUSR2, 0);
	struct timespec two = { 2, 0 };
	siginfo_t si;

	set_disposition(SIGUSR2, SIG_DFL);
	sigprocmask(SIG_BLOCK, &usr2, NULL);

	pthread_t th = start_sender_to(SIGUSR2, 0);
	memset(&si, 0, sizeof(si));
	long r = sigtimedwait(&usr2, &si, &two);
	pthread_join(th, NULL);
	check(r == SIGUSR2 && si.si_pid == getpid(), "default_action_thread_signal_waited",
	      "returned %ld (%s) pid %d", r, r < 0 ? errno_name(errno) : "ok", (int)si.si_pid);

	th = start_sender_to(SIGUSR2, 1);
	memset(&si, 0, sizeof(si));
	r = sigwaitinfo(&usr2, &si);
	pthread_join(th, NULL);
	check(r == SIGUSR2 && si.si_code == SI_USER, "default_action_process_signal_waited",
	      "returned %ld (%s) code %d; expected %d, %d", r, r < 0 ? errno_name(errno) : "ok",
	      si.si_code, SIGUSR2, SI_USER);
	sigprocmask(SIG_UNBLOCK, &usr2, NULL);
}

/* ---- sigsuspend, pause --------------------------------------------------------------- */

static struct {
	int count, usr2_blocked, usr2_in_ucmask;
} susp;

static void suspend_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	susp.count++;
	susp.usr2_blocked = is_blocked(SIGUSR2);
	susp.usr2_in_ucmask = sigismember(&uc->uc_sigmask, SIGUSR2);
}

static void suspend_checks(void)
{
	sigset_t usr1_usr2 = sigset_of(SIGUSR1, SIGUSR2, 0), none = sigset_of(0);

	on_signal(SIGUSR1, suspend_handler, 0, none);
	sigprocmask(SIG_SETMASK, &usr1_usr2, NULL);

	/* A signal sent while suspended. */
	memset(&susp, 0, sizeof(susp));
	pthread_t th = start_sender(SIGUSR1);
	errno = 0;
	int r = sigsuspend(&none);
	int e = errno;
	pthread_join(th, NULL);
	check(r == -1 && e == EINTR && susp.count == 1, "sigsuspend_eintr",
	      "returned %d (%s), handler ran %d times", r, errno_name(e), susp.count);
	check(!susp.usr2_blocked && susp.usr2_in_ucmask == 1, "sigsuspend_handler_masks",
	      "in the handler SIGUSR2 blocked %d (expected 0), in uc_sigmask %d (expected 1)",
	      susp.usr2_blocked, susp.usr2_in_ucmask);
	check(is_blocked(SIGUSR1) && is_blocked(SIGUSR2), "sigsuspend_mask_restored",
	      "after it SIGUSR1 blocked %d, SIGUSR2 %d", is_blocked(SIGUSR1), is_blocked(SIGUSR2));

	/* Pending already: the temporary mask lets it in at once. */
	memset(&susp, 0, sizeof(susp));
	raise(SIGUSR1);
	sigset_t only_usr2 = sigset_of(SIGUSR2, 0);
	r = sigsuspend(&only_usr2);
	check(r == -1 && susp.count == 1 && !is_pending(SIGUSR1), "sigsuspend_pending_at_once",
	      "returned %d, handler ran %d times", r, susp.count);

	/* Raw, with the kernel's 8-byte set. */
	memset(&susp, 0, sizeof(susp));
	raise(SIGUSR1);
	uint64_t kset = 1UL << (SIGUSR2 - 1);
	long kr = syscall(SYS_rt_sigsuspend, &kset, 8);
	e = errno;
	check(kr == -1 && e == EINTR && susp.count == 1, "rt_sigsuspend_raw",
	      "returned %ld (%s), handler ran %d times", kr, errno_name(e), susp.count);
	check_errno("rt_sigsuspend_size_einval", syscall(SYS_rt_sigsuspend, &kset, 4), EINVAL);
	check(is_blocked(SIGUSR1), "rt_sigsuspend_mask_restored", "SIGUSR1 not blocked after it");

	/* pause. */
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&susp, 0, sizeof(susp));
	th = start_sender(SIGUSR1);
	errno = 0;
	r = pause();
	e = errno;
	pthread_join(th, NULL);
	check(r == -1 && e == EINTR && susp.count == 1, "pause_eintr",
	      "returned %d (%s), handler ran %d times", r, errno_name(e), susp.count);
	set_disposition(SIGUSR1, SIG_DFL);
}

int main(void)
{
	check_init("signals_wait");
	sigset_t none = sigset_of(0);
	sigprocmask(SIG_SETMASK, &none, NULL);
	timedwait_checks();
	suspend_checks();
	default_action_wait_checks();
	return check_done();
}
