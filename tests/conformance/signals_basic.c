/*
 * signals_basic.c: signal actions, sending, and delivery to handlers.
 *
 * - sigaction: the old action comes back (handler, flags without libc's own
 *   SA_RESTORER, mask); SIGKILL and SIGSTOP never enter a handler's mask and
 *   their actions cannot change (EINVAL) though they can be read; signal
 *   numbers 0 and 65 and a wrong sigset size are EINVAL.
 * - The siginfo each way of sending gives: raise, kill, tgkill, pthread_kill,
 *   sigqueue (si_code SI_USER / SI_TKILL / SI_QUEUE, si_pid, si_uid,
 *   si_value), rt_sigqueueinfo and rt_tgsigqueueinfo (the caller's siginfo
 *   as given), kill(0, sig) to our process group. Each handler has run when
 *   the sending call returns.
 * - The mask in a handler: the signal itself blocked unless SA_NODEFER,
 *   sa_mask added, the old mask back after; a signal raised in its own
 *   handler runs after it (or nested, with SA_NODEFER); SA_RESETHAND.
 * - Order: pending standard signals lowest first, the synchronous ones
 *   (SIGSEGV...) before the rest, when each handler blocks the others; with
 *   no sa_mask Linux stacks every frame at once and the last stacked (the
 *   highest) runs first. Standard signals below real-time ones; real-time
 *   signals queued, each instance with its value, in order; a standard
 *   signal pending twice is delivered once with the first siginfo.
 * - sigpending; blocked signals delivered inside the sigprocmask that
 *   unblocks them; SIG_IGN discards an unblocked signal but a blocked one
 *   stays pending (the action may change before it is unblocked), and
 *   setting SIG_IGN discards one already pending.
 * - Threads: a new thread inherits the mask; masks are per thread; a
 *   process-directed signal goes to the thread that does not block it, a
 *   tgkill to a thread that blocks it stays pending for that thread alone.
 * - Errors: EINVAL for bad signal numbers and sigprocmask's how or size,
 *   ESRCH for a pid or tid that does not exist (a thread that ended).
 *
 * kill(-1, sig) is absent: natively it would signal every process of the
 * host the harness may signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "signal_util.h"
#include "thread_util.h"

/* libc sets it on every action; glibc's headers do not name it (Linux's
 * asm/signal.h does, but clashes with <signal.h>). */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

/* The kernel's sigset is 8 bytes on x86-64 (libc's sigset_t is larger). */
#define KSIGSET_SIZE 8

struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static void other_handler(int sig, siginfo_t *si, void *uc)
{
}

static sigset_t empty_set(void)
{
	return sigset_of(0);
}

/* ---- sigaction ----------------------------------------------------------- */

static void action_checks(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = log_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sa.sa_mask = sigset_of(SIGUSR2, 0);
	check_ok("sigaction_install", sigaction(SIGUSR1, &sa, NULL));

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = other_handler;
	sa.sa_flags = SA_SIGINFO;
	memset(&old, 0, sizeof(old));
	check_ok("sigaction_replace", sigaction(SIGUSR1, &sa, &old));
	check(old.sa_sigaction == log_handler, "sigaction_old_handler", "old handler %p, expected %p",
	      (void *)old.sa_sigaction, (void *)log_handler);
	check_eq("sigaction_old_flags", old.sa_flags & ~SA_RESTORER, SA_SIGINFO | SA_RESTART);
	check(sigismember(&old.sa_mask, SIGUSR2) == 1 && sigismember(&old.sa_mask, SIGTERM) == 0,
	      "sigaction_old_mask", "SIGUSR2 member %d, SIGTERM member %d, expected 1 and 0",
	      sigismember(&old.sa_mask, SIGUSR2), sigismember(&old.sa_mask, SIGTERM));

	/* Read only: the action stays. */
	memset(&old, 0, sizeof(old));
	sigaction(SIGUSR1, NULL, &old);
	check(old.sa_sigaction == other_handler, "sigaction_query", "handler %p, expected %p",
	      (void *)old.sa_sigaction, (void *)other_handler);

	/* A full mask keeps everything but SIGKILL and SIGSTOP. */
	sigfillset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR1, NULL, &old);
	check(sigismember(&old.sa_mask, SIGKILL) == 0 && sigismember(&old.sa_mask, SIGSTOP) == 0 &&
		      sigismember(&old.sa_mask, SIGTERM) == 1 && sigismember(&old.sa_mask, SIGHUP) == 1,
	      "sigaction_mask_drops_kill_stop", "KILL %d STOP %d TERM %d HUP %d, expected 0 0 1 1",
	      sigismember(&old.sa_mask, SIGKILL), sigismember(&old.sa_mask, SIGSTOP),
	      sigismember(&old.sa_mask, SIGTERM), sigismember(&old.sa_mask, SIGHUP));

	set_disposition(SIGUSR1, SIG_IGN);
	sigaction(SIGUSR1, NULL, &old);
	check(old.sa_handler == SIG_IGN, "sigaction_ign_round_trip", "handler %p, expected SIG_IGN",
	      (void *)old.sa_handler);
	set_disposition(SIGUSR1, SIG_DFL);
	sigaction(SIGUSR1, NULL, &old);
	check(old.sa_handler == SIG_DFL, "sigaction_dfl_round_trip", "handler %p, expected SIG_DFL",
	      (void *)old.sa_handler);

	memset(&old, 0xff, sizeof(old));
	check_ok("sigaction_query_sigkill", sigaction(SIGKILL, NULL, &old));
	check(old.sa_handler == SIG_DFL, "sigaction_sigkill_dfl", "handler %p, expected SIG_DFL",
	      (void *)old.sa_handler);
	sa.sa_sigaction = other_handler;
	check_errno("sigaction_sigkill_einval", sigaction(SIGKILL, &sa, NULL), EINVAL);
	check_errno("sigaction_sigstop_einval", sigaction(SIGSTOP, &sa, NULL), EINVAL);
	sa.sa_handler = SIG_IGN;
	check_errno("sigaction_sigkill_ign_einval", sigaction(SIGKILL, &sa, NULL), EINVAL);

	/* Raw: libc refuses these before the kernel sees them. */
	struct ksigaction k = { 0 };
	check_errno("rt_sigaction_sig0_einval",
		    syscall(SYS_rt_sigaction, 0, NULL, &k, KSIGSET_SIZE), EINVAL);
	check_errno("rt_sigaction_sig65_einval",
		    syscall(SYS_rt_sigaction, 65, NULL, &k, KSIGSET_SIZE), EINVAL);
	check_errno("rt_sigaction_sigsetsize_einval",
		    syscall(SYS_rt_sigaction, SIGUSR1, NULL, &k, 16), EINVAL);
	check_eq("rt_sigaction_raw_query", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &k, KSIGSET_SIZE),
		 0);
	check(k.handler == (void *)SIG_DFL, "rt_sigaction_raw_dfl", "handler %p, expected SIG_DFL",
	      k.handler);
}

/* ---- siginfo per sender ---------------------------------------------------- */

/* Checks the one log entry a send left: signal, code, sender, value. */
static void expect_one(const char *name, int sig, int code, pid_t pid, uid_t uid, int value,
		       int check_value)
{
	char n[96];

	snprintf(n, sizeof(n), "%s_ran_before_return", name);
	if (!check(sig_log_len == 1, n, "%d deliveries when the call returned, expected 1",
		   sig_log_len))
		return;
	struct sig_event *e = &sig_log[0];
	snprintf(n, sizeof(n), "%s_siginfo", name);
	check(e->signo == sig && e->code == code && e->pid == pid && e->uid == uid &&
		      (!check_value || e->value == value),
	      n,
	      "signo %d code %d pid %d uid %d value %d, expected %d %d %d %d %d", e->signo,
	      e->code, (int)e->pid, (int)e->uid, e->value, sig, code, (int)pid, (int)uid, value);
}

static void info_checks(void)
{
	pid_t pid = getpid();
	uid_t uid = getuid();
	union sigval v;
	siginfo_t si;

	on_signal(SIGUSR1, log_handler, 0, empty_set());
	on_signal(SIGRTMIN, log_handler, 0, empty_set());

	sig_log_clear();
	check_eq("raise_ret", raise(SIGUSR1), 0);
	expect_one("raise", SIGUSR1, SI_TKILL, pid, uid, 0, 0);

	sig_log_clear();
	check_eq("kill_ret", kill(pid, SIGUSR1), 0);
	expect_one("kill", SIGUSR1, SI_USER, pid, uid, 0, 0);

	sig_log_clear();
	check_eq("tgkill_ret", tgkill_(pid, gettid_(), SIGUSR1), 0);
	expect_one("tgkill", SIGUSR1, SI_TKILL, pid, uid, 0, 0);

	sig_log_clear();
	check_eq("pthread_kill_ret", pthread_kill(pthread_self(), SIGUSR1), 0);
	expect_one("pthread_kill", SIGUSR1, SI_TKILL, pid, uid, 0, 0);

	sig_log_clear();
	v.sival_int = 1234;
	check_eq("sigqueue_ret", sigqueue(pid, SIGRTMIN, v), 0);
	expect_one("sigqueue", SIGRTMIN, SI_QUEUE, pid, uid, 1234, 1);

	/* The caller's siginfo reaches the handler as given, sender fields
	 * too: a process may queue anything to itself. */
	sig_log_clear();
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGRTMIN;
	si.si_code = SI_QUEUE;
	si.si_pid = 4242;
	si.si_uid = 4343;
	si.si_value.sival_int = 77;
	check_eq("rt_sigqueueinfo_ret", syscall(SYS_rt_sigqueueinfo, pid, SIGRTMIN, &si), 0);
	expect_one("rt_sigqueueinfo", SIGRTMIN, SI_QUEUE, 4242, 4343, 77, 1);

	sig_log_clear();
	si.si_value.sival_int = 78;
	check_eq("rt_tgsigqueueinfo_ret",
		 syscall(SYS_rt_tgsigqueueinfo, pid, gettid_(), SIGRTMIN, &si), 0);
	expect_one("rt_tgsigqueueinfo", SIGRTMIN, SI_QUEUE, 4242, 4343, 78, 1);

	/* Our process group: natively it also holds timeout(1), which ignores
	 * SIGWINCH by default. */
	on_signal(SIGWINCH, log_handler, 0, empty_set());
	sig_log_clear();
	check_eq("kill_pgrp_ret", kill(0, SIGWINCH), 0);
	expect_one("kill_pgrp", SIGWINCH, SI_USER, pid, uid, 0, 0);
	set_disposition(SIGWINCH, SIG_DFL);

	check_eq("kill_sig0", kill(pid, 0), 0);
	check_eq("tgkill_sig0", tgkill_(pid, gettid_(), 0), 0);
}

/* ---- the mask while a handler runs ------------------------------------------ */

static volatile int reraise_done;

/* Raises its own signal once from inside the handler. */
static void reraise_handler(int sig, siginfo_t *si, void *uc)
{
	sig_depth++;
	sig_log_add(sig, si);
	if (!reraise_done) {
		reraise_done = 1;
		raise(sig);
	}
	sig_depth--;
}

static void handler_mask_checks(void)
{
	struct sigaction old;

	on_signal(SIGUSR1, log_handler, 0, empty_set());
	sig_log_clear();
	raise(SIGUSR1);
	check(sig_log_len == 1 && sig_log[0].sig_blocked && !sig_log[0].usr2_blocked,
	      "handler_blocks_own_signal", "%d deliveries, own %d, SIGUSR2 %d blocked; expected 1, 1, 0",
	      sig_log_len, sig_log[0].sig_blocked, sig_log[0].usr2_blocked);

	on_signal(SIGUSR1, log_handler, 0, sigset_of(SIGUSR2, 0));
	sig_log_clear();
	raise(SIGUSR1);
	check(sig_log_len == 1 && sig_log[0].usr2_blocked, "handler_sa_mask",
	      "%d deliveries, SIGUSR2 blocked %d; expected 1, 1", sig_log_len,
	      sig_log[0].usr2_blocked);
	check(!is_blocked(SIGUSR1) && !is_blocked(SIGUSR2), "mask_restored_after_handler",
	      "SIGUSR1 blocked %d, SIGUSR2 blocked %d after the handler", is_blocked(SIGUSR1),
	      is_blocked(SIGUSR2));

	on_signal(SIGUSR1, log_handler, SA_NODEFER, empty_set());
	sig_log_clear();
	raise(SIGUSR1);
	check(sig_log_len == 1 && !sig_log[0].sig_blocked, "nodefer_not_blocked",
	      "%d deliveries, own signal blocked %d; expected 1, 0", sig_log_len,
	      sig_log[0].sig_blocked);

	/* Raised inside its own handler: pending until the handler returns. */
	on_signal(SIGUSR1, reraise_handler, 0, empty_set());
	sig_log_clear();
	reraise_done = 0;
	raise(SIGUSR1);
	check(sig_log_len == 2 && sig_log[0].depth == 1 && sig_log[1].depth == 1,
	      "reraise_runs_after_handler", "%d deliveries, depths %d %d; expected 2, 1 1",
	      sig_log_len, sig_log[0].depth, sig_log[1].depth);

	on_signal(SIGUSR1, reraise_handler, SA_NODEFER, empty_set());
	sig_log_clear();
	reraise_done = 0;
	raise(SIGUSR1);
	check(sig_log_len == 2 && sig_log[0].depth == 1 && sig_log[1].depth == 2,
	      "reraise_nodefer_nests", "%d deliveries, depths %d %d; expected 2, 1 2", sig_log_len,
	      sig_log[0].depth, sig_log[1].depth);

	on_signal(SIGUSR1, log_handler, SA_RESETHAND, empty_set());
	sig_log_clear();
	raise(SIGUSR1);
	sigaction(SIGUSR1, NULL, &old);
	check(sig_log_len == 1 && old.sa_handler == SIG_DFL, "resethand",
	      "%d deliveries, then handler %p; expected 1, SIG_DFL", sig_log_len,
	      (void *)old.sa_handler);
}

/* ---- order ------------------------------------------------------------------- */

/* Installs log_handler on each signal of the 0-ended list with mask. */
static void log_all(const int *sigs, sigset_t mask)
{
	for (; *sigs; sigs++)
		on_signal(*sigs, log_handler, 0, mask);
}

static void order_checks(void)
{
	static const int std[] = { SIGHUP, SIGUSR1, SIGUSR2, SIGTERM, 0 };
	sigset_t four = sigset_of(SIGHUP, SIGUSR1, SIGUSR2, SIGTERM, 0);
	union sigval v;

	/* Each handler blocks the others: one frame at a time, lowest first. */
	log_all(std, four);
	sigprocmask(SIG_BLOCK, &four, NULL);
	sig_log_clear();
	raise(SIGTERM), raise(SIGUSR2), raise(SIGUSR1), raise(SIGHUP);
	sigprocmask(SIG_UNBLOCK, &four, NULL);
	check(strcmp(sig_log_signals(), "1,10,12,15") == 0, "standard_lowest_first",
	      "delivered %s, expected 1,10,12,15", sig_log_signals());

	/* No sa_mask: every frame is built before user mode resumes, the
	 * lowest first, so the highest is on top and runs first. */
	log_all(std, empty_set());
	sigprocmask(SIG_BLOCK, &four, NULL);
	sig_log_clear();
	raise(SIGHUP), raise(SIGUSR1), raise(SIGUSR2), raise(SIGTERM);
	sigprocmask(SIG_UNBLOCK, &four, NULL);
	check(strcmp(sig_log_signals(), "15,12,10,1") == 0, "unmasked_frames_stack",
	      "handlers ran %s, expected 15,12,10,1", sig_log_signals());

	/* Synchronous signals (SIGSEGV...) go before the others, even sent by kill. */
	sigset_t two = sigset_of(SIGHUP, SIGSEGV, 0);
	on_signal(SIGHUP, log_handler, 0, two);
	on_signal(SIGSEGV, log_handler, 0, two);
	sigprocmask(SIG_BLOCK, &two, NULL);
	sig_log_clear();
	kill(getpid(), SIGHUP), kill(getpid(), SIGSEGV);
	sigprocmask(SIG_UNBLOCK, &two, NULL);
	check(strcmp(sig_log_signals(), "11,1") == 0, "synchronous_first",
	      "delivered %s, expected 11,1", sig_log_signals());
	set_disposition(SIGSEGV, SIG_DFL);

	/* Real-time signals: every instance, in order, each with its value,
	 * the lower signal first, after the standard ones. */
	int r0 = SIGRTMIN, r1 = SIGRTMIN + 1;
	sigset_t three = sigset_of(SIGUSR1, r0, r1, 0);
	const int rt[] = { SIGUSR1, r0, r1, 0 };
	log_all(rt, three);
	sigprocmask(SIG_BLOCK, &three, NULL);
	sig_log_clear();
	static const int order[][2] = { { 1, 1 }, { 1, 2 }, { 0, 3 }, { 1, 4 }, { 2, 5 }, { 0, 6 } };
	for (int i = 0; i < 6; i++) {
		int sig = order[i][0] == 2 ? SIGUSR1 : order[i][0] ? r1 : r0;
		v.sival_int = order[i][1];
		sigqueue(getpid(), sig, v);
	}
	sigprocmask(SIG_UNBLOCK, &three, NULL);
	int want_sig[] = { SIGUSR1, r0, r0, r1, r1, r1 }, want_val[] = { 5, 3, 6, 1, 2, 4 };
	int ok = sig_log_len == 6;
	for (int i = 0; ok && i < 6; i++)
		ok = sig_log[i].signo == want_sig[i] && sig_log[i].value == want_val[i];
	char got[200] = "";
	for (int i = 0, n = 0; i < sig_log_len && n < 180; i++)
		n += snprintf(got + n, sizeof(got) - n, " %d/%d", sig_log[i].signo, sig_log[i].value);
	check(ok, "realtime_queued_in_order",
	      "delivered (signal/value)%s, expected %d/5 %d/3 %d/6 %d/1 %d/2 %d/4", got, SIGUSR1,
	      r0, r0, r1, r1, r1);

	/* A standard signal pending twice is one delivery, the first siginfo. */
	sigprocmask(SIG_BLOCK, &three, NULL);
	sig_log_clear();
	v.sival_int = 1;
	sigqueue(getpid(), SIGUSR1, v);
	v.sival_int = 2;
	sigqueue(getpid(), SIGUSR1, v);
	kill(getpid(), SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &three, NULL);
	check(sig_log_len == 1 && sig_log[0].value == 1 && sig_log[0].code == SI_QUEUE,
	      "standard_not_queued_twice", "%d deliveries, first value %d code %d; expected 1, 1, %d",
	      sig_log_len, sig_log[0].value, sig_log[0].code, SI_QUEUE);

	/* The thread's pending set and the process's are two: one of each is
	 * two deliveries, the thread's first. */
	sigprocmask(SIG_BLOCK, &three, NULL);
	sig_log_clear();
	kill(getpid(), SIGUSR1);
	raise(SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &three, NULL);
	check(sig_log_len == 2 && sig_log[0].code == SI_TKILL && sig_log[1].code == SI_USER,
	      "thread_and_process_pending_apart",
	      "%d deliveries, codes %d %d; expected 2, %d (tgkill) then %d (kill)", sig_log_len,
	      sig_log[0].code, sig_log[1].code, SI_TKILL, SI_USER);
}

/* ---- pending, blocking, ignoring ------------------------------------------------ */

static void pending_checks(void)
{
	sigset_t usr1 = sigset_of(SIGUSR1, 0), set;

	on_signal(SIGUSR1, log_handler, 0, empty_set());
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	sig_log_clear();
	raise(SIGUSR1);
	check(sig_log_len == 0 && is_pending(SIGUSR1) && !is_pending(SIGUSR2), "blocked_is_pending",
	      "%d deliveries, SIGUSR1 pending %d, SIGUSR2 pending %d; expected 0, 1, 0",
	      sig_log_len, is_pending(SIGUSR1), is_pending(SIGUSR2));
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	/* Delivered on the way out of that sigprocmask: counted here already. */
	check(sig_log_len == 1 && !is_pending(SIGUSR1), "delivered_at_unblock",
	      "%d deliveries, still pending %d; expected 1, 0", sig_log_len, is_pending(SIGUSR1));

	sigemptyset(&set);
	check(sigpending(&set) == 0 && sigisemptyset(&set), "sigpending_empty",
	      "something is pending");

	/* SIG_IGN: an unblocked signal is dropped at once. */
	set_disposition(SIGUSR1, SIG_IGN);
	sig_log_clear();
	raise(SIGUSR1);
	check(!is_pending(SIGUSR1), "ignored_discarded", "SIGUSR1 is pending");

	/* A blocked one stays pending: the action may change before unblocking. */
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	raise(SIGUSR1);
	check(is_pending(SIGUSR1), "ignored_blocked_stays_pending", "SIGUSR1 is not pending");
	on_signal(SIGUSR1, log_handler, 0, empty_set());
	sig_log_clear();
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	check_eq("ignored_blocked_then_handled", sig_log_len, 1);

	/* Setting SIG_IGN discards a pending instance. */
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	raise(SIGUSR1);
	set_disposition(SIGUSR1, SIG_IGN);
	check(!is_pending(SIGUSR1), "set_ign_discards_pending", "SIGUSR1 still pending");
	on_signal(SIGUSR1, log_handler, 0, empty_set());
	sig_log_clear();
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	check_eq("set_ign_discarded_not_delivered", sig_log_len, 0);

	/* SIGKILL and SIGSTOP cannot be blocked: silently left out. */
	sigset_t ks = sigset_of(SIGKILL, SIGSTOP, SIGUSR2, 0);
	sigprocmask(SIG_BLOCK, &ks, NULL);
	check(!is_blocked(SIGKILL) && !is_blocked(SIGSTOP) && is_blocked(SIGUSR2),
	      "kill_stop_unblockable", "blocked: KILL %d STOP %d USR2 %d; expected 0 0 1",
	      is_blocked(SIGKILL), is_blocked(SIGSTOP), is_blocked(SIGUSR2));
	sigprocmask(SIG_UNBLOCK, &ks, NULL);

	/* SIG_SETMASK returns the old mask. */
	sigset_t old, two = sigset_of(SIGUSR2, SIGTERM, 0);
	sigprocmask(SIG_SETMASK, &two, NULL);
	sigprocmask(SIG_SETMASK, &usr1, &old);
	check(sigismember(&old, SIGUSR2) == 1 && sigismember(&old, SIGTERM) == 1 &&
		      sigismember(&old, SIGUSR1) == 0 && is_blocked(SIGUSR1) && !is_blocked(SIGUSR2),
	      "setmask_old_and_new", "old mask or new mask wrong");
	sigemptyset(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* Raw rt_sigprocmask: how checked only with a set; size must be 8. */
	uint64_t kset = 0, kold = 0;
	check_errno("sigprocmask_bad_how_einval",
		    syscall(SYS_rt_sigprocmask, 99, &kset, &kold, KSIGSET_SIZE), EINVAL);
	check_eq("sigprocmask_bad_how_no_set",
		 syscall(SYS_rt_sigprocmask, 99, NULL, &kold, KSIGSET_SIZE), 0);
	check_errno("sigprocmask_size_einval",
		    syscall(SYS_rt_sigprocmask, SIG_BLOCK, &kset, &kold, 4), EINVAL);
	check_errno("sigpending_size_einval", syscall(SYS_rt_sigpending, &kset, 16), EINVAL);
}

/* ---- threads ------------------------------------------------------------------ */

static struct {
	volatile int ready, stop, ask_pending, pending_answer;
	volatile pid_t tid;
	volatile int inherited_blocked;
} worker;

static void *worker_main(void *arg)
{
	worker.tid = gettid_();
	worker.inherited_blocked = is_blocked(SIGUSR1);
	sigset_t usr1 = sigset_of(SIGUSR1, 0);
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	worker.ready = 1;
	while (!worker.stop) {
		if (worker.ask_pending) {
			worker.pending_answer = is_pending(SIGUSR1);
			worker.ask_pending = 0;
		}
		sleep_ms(1);
	}
	return NULL;
}

static void thread_checks(void)
{
	sigset_t usr1 = sigset_of(SIGUSR1, 0);
	pthread_t th;
	pid_t me = gettid_();

	on_signal(SIGUSR1, log_handler, 0, empty_set());
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	if (pthread_create(&th, NULL, worker_main, NULL) != 0) {
		fail("thread_create", "pthread_create failed");
		return;
	}
	for (int i = 0; i < 2000 && !worker.ready; i++)
		sleep_ms(1);
	check(worker.inherited_blocked, "thread_inherits_mask",
	      "SIGUSR1 not blocked in the new thread");
	check(is_blocked(SIGUSR1), "masks_per_thread",
	      "the thread's unblock changed the main thread's mask");

	/* Process-directed: the only thread that does not block it takes it. */
	sig_log_clear();
	kill(getpid(), SIGUSR1);
	sig_log_wait(1, 2000);
	check(sig_log_len == 1 && sig_log[0].tid == worker.tid && !is_pending(SIGUSR1),
	      "process_signal_to_unblocking_thread",
	      "%d deliveries, in thread %d; expected 1 in %d (main is %d)", sig_log_len,
	      sig_log_len ? (int)sig_log[0].tid : 0, (int)worker.tid, (int)me);

	/* Thread-directed to a thread that blocks it: pending for it alone. */
	sig_log_clear();
	tgkill_(getpid(), me, SIGUSR1);
	sleep_ms(20);
	worker.ask_pending = 1;
	for (int i = 0; i < 2000 && worker.ask_pending; i++)
		sleep_ms(1);
	check(sig_log_len == 0 && is_pending(SIGUSR1) && !worker.pending_answer,
	      "tgkill_blocked_stays_with_thread",
	      "%d deliveries, pending in main %d, in the other thread %d; expected 0, 1, 0",
	      sig_log_len, is_pending(SIGUSR1), worker.pending_answer);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	check(sig_log_len == 1 && sig_log[0].tid == me, "tgkill_delivered_to_its_thread",
	      "%d deliveries, in thread %d; expected 1 in %d", sig_log_len,
	      sig_log_len ? (int)sig_log[0].tid : 0, (int)me);

	sig_log_clear();
	pthread_kill(th, SIGUSR1);
	sig_log_wait(1, 2000);
	check(sig_log_len == 1 && sig_log[0].tid == worker.tid && sig_log[0].code == SI_TKILL,
	      "pthread_kill_other_thread", "%d deliveries, in thread %d code %d; expected 1 in %d, %d",
	      sig_log_len, sig_log_len ? (int)sig_log[0].tid : 0, sig_log[0].code,
	      (int)worker.tid, SI_TKILL);

	worker.stop = 1;
	pthread_join(th, NULL);
	/* Linux does not hand out a TID again at once. */
	check_errno("tgkill_ended_thread_esrch", tgkill_(getpid(), worker.tid, SIGUSR1), ESRCH);
	check_eq("no_delivery_to_ended_thread", sig_log_len, 1);
}

/* ---- errors ------------------------------------------------------------------ */

static void error_checks(void)
{
	pid_t pid = getpid();
	union sigval v = { .sival_int = 0 };
	siginfo_t si;

	check_errno("kill_sig65_einval", kill(pid, 65), EINVAL);
	check_errno("kill_negative_sig_einval", kill(pid, -1), EINVAL);
	check_errno("tgkill_sig65_einval", tgkill_(pid, gettid_(), 65), EINVAL);
	check_errno("tgkill_tgid0_einval", tgkill_(0, gettid_(), SIGUSR1), EINVAL);
	check_errno("tgkill_tid0_einval", tgkill_(pid, 0, SIGUSR1), EINVAL);
	/* Above PID_MAX_LIMIT (4M): no such thread or process anywhere. */
	check_errno("tgkill_no_such_tid_esrch", tgkill_(pid, 0x7ffffff0, SIGUSR1), ESRCH);
	check_errno("kill_no_such_pid_esrch", kill(0x7ffffff0, 0), ESRCH);
	check_errno("sigqueue_sig65_einval", sigqueue(pid, 65, v), EINVAL);
	memset(&si, 0, sizeof(si));
	si.si_code = SI_QUEUE;
	check_errno("rt_sigqueueinfo_sig65_einval", syscall(SYS_rt_sigqueueinfo, pid, 65, &si),
		    EINVAL);
	check_errno("rt_sigqueueinfo_no_pid_esrch",
		    syscall(SYS_rt_sigqueueinfo, 0x7ffffff0, SIGUSR1, &si), ESRCH);
}

int main(void)
{
	sigset_t none;

	check_init("signals_basic");
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	action_checks();
	info_checks();
	handler_mask_checks();
	order_checks();
	pending_checks();
	thread_checks();
	error_checks();
	return check_done();
}
