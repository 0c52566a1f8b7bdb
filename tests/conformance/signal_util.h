/*
 * signal_util.h: what the signals_* conformance programs share: installing a
 * handler in one call, a log the handlers append to (signal, si_code, value,
 * thread), sets built from a list, and the raw calls libc does not wrap the
 * same way everywhere (tgkill, rt_sigqueueinfo). Header-only and static, like
 * check.h; include it after check.h.
 */
#ifndef CONFORMANCE_SIGNAL_UTIL_H
#define CONFORMANCE_SIGNAL_UTIL_H

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define SIGU_API static __attribute__((unused))

/* The set of the signals listed, ended by 0. */
SIGU_API sigset_t sigset_of(int sig, ...)
{
	sigset_t s;
	va_list ap;

	sigemptyset(&s);
	va_start(ap, sig);
	for (; sig; sig = va_arg(ap, int))
		sigaddset(&s, sig);
	va_end(ap);
	return s;
}

/* sigaction(sig) with an SA_SIGINFO handler, flags added, and mask; returns
 * sigaction's result. */
SIGU_API int on_signal(int sig, void (*fn)(int, siginfo_t *, void *), int flags, sigset_t mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sa.sa_mask = mask;
	return sigaction(sig, &sa, NULL);
}

/* sigaction(sig) to SIG_DFL or SIG_IGN. */
SIGU_API int set_disposition(int sig, void (*disp)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = disp;
	return sigaction(sig, &sa, NULL);
}

SIGU_API int tgkill_(pid_t tgid, pid_t tid, int sig)
{
	return (int)syscall(SYS_tgkill, tgid, tid, sig);
}

/* The current thread's blocked set, as sigprocmask reports it. */
SIGU_API sigset_t blocked_now(void)
{
	sigset_t s;

	sigprocmask(SIG_BLOCK, NULL, &s);
	return s;
}

SIGU_API int is_blocked(int sig)
{
	sigset_t s = blocked_now();
	return sigismember(&s, sig) == 1;
}

SIGU_API int is_pending(int sig)
{
	sigset_t s;

	sigpending(&s);
	return sigismember(&s, sig) == 1;
}

/* ---- the delivery log ------------------------------------------------------ */

struct sig_event {
	int signo, code, value;
	pid_t pid, tid;
	uid_t uid;
	int depth;                   /* sig_depth at entry: handlers running, this one included */
	int sig_blocked, usr2_blocked; /* the mask seen inside the handler */
};

#define SIG_LOG_MAX 64
static struct sig_event sig_log[SIG_LOG_MAX];
static volatile int sig_log_len;
static volatile int sig_depth;

SIGU_API void sig_log_clear(void)
{
	sig_log_len = 0;
}

/* Records a delivery in the log; handlers call it first, after counting
 * themselves in sig_depth. Only
 * async-signal-safe calls here: sigprocmask and raw syscalls. */
SIGU_API struct sig_event *sig_log_add(int sig, siginfo_t *si)
{
	int i = sig_log_len;
	struct sig_event *e;

	if (i >= SIG_LOG_MAX)
		return NULL;
	sig_log_len = i + 1;
	e = &sig_log[i];
	e->signo = si ? si->si_signo : sig;
	e->code = si ? si->si_code : 0;
	e->value = si ? si->si_value.sival_int : 0;
	e->pid = si ? si->si_pid : 0;
	e->uid = si ? si->si_uid : 0;
	e->tid = (pid_t)syscall(SYS_gettid);
	e->depth = sig_depth;
	e->sig_blocked = is_blocked(sig);
	e->usr2_blocked = is_blocked(SIGUSR2);
	return e;
}

/* The usual handler: logs the delivery. */
SIGU_API void log_handler(int sig, siginfo_t *si, void *uc)
{
	sig_depth++;
	sig_log_add(sig, si);
	sig_depth--;
}

/* The signal numbers of the log, "10,12,34" (for messages and comparisons). */
SIGU_API const char *sig_log_signals(void)
{
	static char buf[SIG_LOG_MAX * 4];
	size_t n = 0;

	buf[0] = 0;
	for (int i = 0; i < sig_log_len && n + 8 < sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%d", i ? "," : "", sig_log[i].signo);
	return buf;
}

/* Waits up to ms milliseconds for the log to hold n entries. */
SIGU_API int sig_log_wait(int n, int ms)
{
	struct timespec t = { 0, 1000000 };

	for (int i = 0; i < ms && sig_log_len < n; i++)
		nanosleep(&t, NULL);
	return sig_log_len >= n;
}

#endif
