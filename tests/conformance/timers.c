/*
 * timers.c: signal timers. alarm(2)'s return value and its ITIMER_REAL;
 * setitimer(ITIMER_REAL) periodic with a SIGALRM handler (count, si_code
 * SI_KERNEL) and getitimer's remaining time; POSIX timers: SIGEV_SIGNAL (the
 * siginfo: SI_TIMER, si_timerid, si_value), SIGEV_THREAD_ID to another
 * thread, SIGEV_NONE read with timer_gettime, overruns of a periodic timer
 * whose signal is blocked (si_overrun and timer_getoverrun), TIMER_ABSTIME,
 * SIGEV_THREAD through libc's timer_create, and the argument errors (raw
 * syscalls, so that libc's own timer_t encoding stays out of it). Timers of a
 * few ms; the program takes a few hundred ms.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "thread_util.h"

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static long long ts_to_ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
static long long tv_to_ns(struct timeval t) { return t.tv_sec * 1000000000LL + t.tv_usec * 1000LL; }

static struct itimerspec its(long long value_ns, long long interval_ns)
{
	struct itimerspec t = { ts_ns(interval_ns), ts_ns(value_ns) };
	return t;
}

static sigset_t just(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	return s;
}

/* Waits up to 1 s for sig (blocked) and fills *si; the signal number or -1. */
static int wait_for(int sig, siginfo_t *si)
{
	sigset_t s = just(sig);
	struct timespec limit = { 1, 0 };
	memset(si, 0, sizeof(*si));
	return sigtimedwait(&s, si, &limit);
}

static void alarm_calls(void)
{
	alarm(0);
	check_eq("alarm_none_pending", alarm(5), 0);
	struct itimerval cur;
	check_eq("alarm_getitimer", getitimer(ITIMER_REAL, &cur), 0);
	long long left = tv_to_ns(cur.it_value);
	check(left > 4000 * MS && left <= 5000 * MS && tv_to_ns(cur.it_interval) == 0,
	      "alarm_is_itimer_real", "value %lld ns interval %lld ns", left, tv_to_ns(cur.it_interval));
	/* About 5 s left: alarm rounds to the nearest second. */
	check_eq("alarm_returns_left", alarm(0), 5);
	check_eq("alarm_cancelled", alarm(0), 0);
	check_eq("getitimer_disarmed", getitimer(ITIMER_REAL, &cur), 0);
	check_eq("getitimer_disarmed_value", tv_to_ns(cur.it_value), 0);
}

static volatile int alrm_count, alrm_code;

static void on_alrm(int sig, siginfo_t *si, void *uc)
{
	alrm_count++;
	alrm_code = si->si_code;
}

static void itimer_real(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_alrm;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);

	struct itimerval bad = { { 0, 1000000 }, { 0, 5000 } };
	check_errno("setitimer_bad_usec", setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
	check_errno("setitimer_bad_which", setitimer(7, &bad, NULL), EINVAL);
	check_errno("getitimer_bad_which", getitimer(7, (struct itimerval *)&bad), EINVAL);

	struct itimerval set = { { 0, 5000 }, { 0, 5000 } }, cur, old;
	long long start = now_ns(CLOCK_MONOTONIC);
	check_eq("setitimer_periodic", setitimer(ITIMER_REAL, &set, NULL), 0);
	while (alrm_count < 5 && now_ns(CLOCK_MONOTONIC) - start < 2000 * MS)
		pause();
	long long took = now_ns(CLOCK_MONOTONIC) - start;
	check(alrm_count >= 5 && took >= 25 * MS, "setitimer_periodic_count",
	      "%d signals after %lld ns", alrm_count, took);
	check_eq("sigalrm_si_code", alrm_code, SI_KERNEL);
	check_eq("getitimer_periodic", getitimer(ITIMER_REAL, &cur), 0);
	check(tv_to_ns(cur.it_interval) == 5 * MS && tv_to_ns(cur.it_value) > 0 &&
	      tv_to_ns(cur.it_value) <= 5 * MS, "getitimer_remaining", "value %lld interval %lld",
	      tv_to_ns(cur.it_value), tv_to_ns(cur.it_interval));
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	check_eq("setitimer_disarm", setitimer(ITIMER_REAL, &off, &old), 0);
	check(tv_to_ns(old.it_interval) == 5 * MS, "setitimer_old_value", "interval %lld",
	      tv_to_ns(old.it_interval));
	int seen = alrm_count;
	sleep_ms(15);
	check_eq("setitimer_disarmed_quiet", alrm_count, seen);
	signal(SIGALRM, SIG_DFL);
}

static void sigev_signal(void)
{
	sigset_t usr1 = just(SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_value.sival_int = 4242;
	timer_t t;
	if (!check_eq("create_signal", timer_create(CLOCK_MONOTONIC, &sev, &t), 0))
		return;
	struct itimerspec v = its(10 * MS, 0), cur;
	long long start = now_ns(CLOCK_MONOTONIC);
	check_eq("settime_oneshot", timer_settime(t, 0, &v, NULL), 0);
	check_eq("gettime_oneshot", timer_gettime(t, &cur), 0);
	check(ts_to_ns(cur.it_value) > 0 && ts_to_ns(cur.it_value) <= 10 * MS, "gettime_oneshot_value",
	      "value %lld", ts_to_ns(cur.it_value));
	siginfo_t si;
	int sig = wait_for(SIGUSR1, &si);
	long long took = now_ns(CLOCK_MONOTONIC) - start;
	check_eq("signal_delivered", sig, SIGUSR1);
	check(took >= 10 * MS, "signal_not_early", "after %lld ns", took);
	check_eq("siginfo_code", si.si_code, SI_TIMER);
	check_eq("siginfo_value", si.si_value.sival_int, 4242);
	check_eq("siginfo_timerid", si.si_timerid, (int)(intptr_t)t);
	check_eq("siginfo_overrun", si.si_overrun, 0);
	check_eq("gettime_expired", timer_gettime(t, &cur), 0);
	check_eq("gettime_expired_value", ts_to_ns(cur.it_value), 0);

	/* Overruns: the signal stays blocked while a 2 ms timer runs for 21 ms. */
	v = its(2 * MS, 2 * MS);
	check_eq("settime_periodic", timer_settime(t, 0, &v, NULL), 0);
	sleep_ms(21);
	/* Taken at once: the dequeue, which re-arms the timer, happens after this reading. */
	long long first_taken = now_ns(CLOCK_MONOTONIC);
	sig = wait_for(SIGUSR1, &si);
	check_eq("overrun_signal", sig, SIGUSR1);
	check(si.si_overrun >= 8, "si_overrun", "si_overrun %d after 21 ms of a 2 ms timer", si.si_overrun);
	check_eq("getoverrun", timer_getoverrun(t), si.si_overrun);
	check_eq("gettime_periodic", timer_gettime(t, &cur), 0);
	check(ts_to_ns(cur.it_interval) == 2 * MS && ts_to_ns(cur.it_value) > 0 &&
	      ts_to_ns(cur.it_value) <= 2 * MS, "gettime_periodic_value", "value %lld interval %lld",
	      ts_to_ns(cur.it_value), ts_to_ns(cur.it_interval));
	/* Taking the signal re-armed the timer: the next one counts only the periods since, at
	 * most one more than whole periods fit between the two dequeues, which lie inside the
	 * time measured here (a loaded host or an emulator may take several periods for the
	 * calls in between). */
	sig = wait_for(SIGUSR1, &si);
	long long between = now_ns(CLOCK_MONOTONIC) - first_taken;
	check(sig == SIGUSR1 && si.si_overrun <= between / (2 * MS) + 1, "periodic_rearmed_after_dequeue",
	      "signal %d overrun %d, %lld ns after the previous one was taken", sig, si.si_overrun,
	      between);
	v = its(0, 0);
	check_eq("settime_disarm", timer_settime(t, 0, &v, NULL), 0);
	/* A signal the old setting queued meanwhile is dropped by Linux >= 6.13 and delivered by
	 * older kernels: take it either way. */
	struct timespec zero = { 0, 0 };
	sigtimedwait(&usr1, &si, &zero);

	/* TIMER_ABSTIME on CLOCK_MONOTONIC: not before the target. */
	long long target = now_ns(CLOCK_MONOTONIC) + 10 * MS;
	v = its(target, 0);
	check_eq("settime_abstime", timer_settime(t, TIMER_ABSTIME, &v, NULL), 0);
	sig = wait_for(SIGUSR1, &si);
	long long at = now_ns(CLOCK_MONOTONIC);
	check(sig == SIGUSR1 && at >= target, "abstime_fires", "signal %d, %lld ns after the target",
	      sig, at - target);
	check_eq("delete", timer_delete(t), 0);

	/* TIMER_ABSTIME on CLOCK_REALTIME, already past: fires at once. */
	if (check_eq("create_realtime", timer_create(CLOCK_REALTIME, &sev, &t), 0)) {
		v = its(now_ns(CLOCK_REALTIME) - 1000 * MS, 0);
		check_eq("settime_abstime_past", timer_settime(t, TIMER_ABSTIME, &v, NULL), 0);
		check_eq("abstime_past_fires", wait_for(SIGUSR1, &si), SIGUSR1);
		timer_delete(t);
	}
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
}

static void sigev_none(void)
{
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_NONE;
	timer_t t;
	if (!check_eq("create_none", timer_create(CLOCK_MONOTONIC, &sev, &t), 0))
		return;
	struct itimerspec v = its(20 * MS, 0), cur;
	timer_settime(t, 0, &v, NULL);
	check_eq("none_gettime", timer_gettime(t, &cur), 0);
	check(ts_to_ns(cur.it_value) > 0 && ts_to_ns(cur.it_value) <= 20 * MS, "none_value_running",
	      "value %lld", ts_to_ns(cur.it_value));
	sleep_ms(25);
	timer_gettime(t, &cur);
	check_eq("none_value_expired", ts_to_ns(cur.it_value), 0);
	v = its(3 * MS, 3 * MS);
	timer_settime(t, 0, &v, NULL);
	sleep_ms(10);
	timer_gettime(t, &cur);
	check(ts_to_ns(cur.it_value) > 0 && ts_to_ns(cur.it_value) <= 3 * MS &&
	      ts_to_ns(cur.it_interval) == 3 * MS, "none_periodic_value", "value %lld interval %lld",
	      ts_to_ns(cur.it_value), ts_to_ns(cur.it_interval));
	timer_delete(t);
}

static volatile pid_t worker_tid;
static volatile int worker_sig, worker_code, worker_value;

static void *worker(void *arg)
{
	worker_tid = gettid_();
	siginfo_t si;
	worker_sig = wait_for(SIGUSR2, &si);
	worker_code = si.si_code;
	worker_value = si.si_value.sival_int;
	return NULL;
}

static void sigev_thread_id(void)
{
	sigset_t usr2 = just(SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, NULL); /* the worker inherits the block */
	pthread_t th;
	pthread_create(&th, NULL, worker, NULL);
	while (!worker_tid)
		sleep_ms(1);
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR2;
	sev.sigev_value.sival_int = 77;
	sev.sigev_notify_thread_id = worker_tid;
	timer_t t;
	if (check_eq("create_thread_id", timer_create(CLOCK_MONOTONIC, &sev, &t), 0)) {
		struct itimerspec v = its(5 * MS, 0);
		timer_settime(t, 0, &v, NULL);
	}
	pthread_join(th, NULL);
	check_eq("thread_id_signal", worker_sig, SIGUSR2);
	check_eq("thread_id_code", worker_code, SI_TIMER);
	check_eq("thread_id_value", worker_value, 77);
	sigset_t pending;
	sigpending(&pending);
	check_eq("thread_id_not_to_main", sigismember(&pending, SIGUSR2), 0);
	timer_delete(t);
	sigprocmask(SIG_UNBLOCK, &usr2, NULL);
}

static volatile int thread_calls, thread_value;

static void on_timer_thread(union sigval v)
{
	thread_value = v.sival_int;
	__atomic_add_fetch(&thread_calls, 1, __ATOMIC_SEQ_CST);
}

static void sigev_thread(void)
{
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = on_timer_thread;
	sev.sigev_value.sival_int = 99;
	timer_t t;
	if (!check_eq("create_sigev_thread", timer_create(CLOCK_MONOTONIC, &sev, &t), 0))
		return;
	struct itimerspec v = its(5 * MS, 5 * MS);
	timer_settime(t, 0, &v, NULL);
	for (int i = 0; i < 1000 && __atomic_load_n(&thread_calls, __ATOMIC_SEQ_CST) < 3; i++)
		sleep_ms(1);
	check(thread_calls >= 3, "sigev_thread_runs", "%d calls", thread_calls);
	check_eq("sigev_thread_value", thread_value, 99);
	check_eq("delete_sigev_thread", timer_delete(t), 0);
}

static void errors(void)
{
	int id;
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	check_errno("create_bad_clock", syscall(SYS_timer_create, 12, &sev, &id), EINVAL);
	check_errno("create_raw_clock", syscall(SYS_timer_create, CLOCK_MONOTONIC_RAW, &sev, &id),
		    EOPNOTSUPP);
	sev.sigev_signo = 0;
	check_errno("create_bad_signo", syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id), EINVAL);
	sev.sigev_signo = 65;
	check_errno("create_signo_65", syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id), EINVAL);
	sev.sigev_signo = SIGUSR1;
	sev.sigev_notify = 3;
	check_errno("create_bad_notify", syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id), EINVAL);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_notify_thread_id = 0x3fffffff;
	check_errno("create_bad_tid", syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id), EINVAL);
	check_errno("create_efault", syscall(SYS_timer_create, CLOCK_MONOTONIC, (void *)8, &id), EFAULT);
	struct itimerspec v = its(1000 * MS, 0);
	check_errno("settime_bad_id", syscall(SYS_timer_settime, 0x7ffffff0, 0, &v, NULL), EINVAL);
	check_errno("gettime_bad_id", syscall(SYS_timer_gettime, 0x7ffffff0, &v), EINVAL);
	check_errno("getoverrun_bad_id", syscall(SYS_timer_getoverrun, 0x7ffffff0), EINVAL);
	check_errno("delete_bad_id", syscall(SYS_timer_delete, 0x7ffffff0), EINVAL);
	/* A NULL sigevent: SIGALRM with the id as its value; here only created and deleted. */
	if (check_eq("create_null_sigevent", syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, &id), 0)) {
		v.it_value.tv_nsec = 1000000000L;
		check_errno("settime_bad_nsec", syscall(SYS_timer_settime, id, 0, &v, NULL), EINVAL);
		check_errno("settime_null", syscall(SYS_timer_settime, id, 0, NULL, NULL), EINVAL);
		check_eq("delete_raw", syscall(SYS_timer_delete, id), 0);
		check_errno("delete_twice", syscall(SYS_timer_delete, id), EINVAL);
	}
}

static void on_usr(int sig) {}

int main(void)
{
	check_init("timers");
	/* Handlers, though every wait blocks the signal and takes it with sigtimedwait: a signal
	 * whose default action is fatal must not end the process while it is awaited (Linux checks
	 * the mask from before the wait); having a handler keeps that question out of this test. */
	signal(SIGUSR1, on_usr);
	signal(SIGUSR2, on_usr);
	errors();
	alarm_calls();
	itimer_real();
	sigev_signal();
	sigev_none();
	sigev_thread_id();
	sigev_thread();
	return check_done();
}
