/*
 * timerfd.c: timerfd_create(2), timerfd_settime(2), timerfd_gettime(2) and
 * reads of the expiration count: a one-shot timer, a periodic one whose missed
 * expirations are counted by one read, absolute expiries on CLOCK_MONOTONIC
 * and CLOCK_REALTIME (one already past), what gettime and the old value of
 * settime show, a new setting dropping unread expirations, disarming, EAGAIN
 * without blocking, EINVAL for a short buffer, poll readiness, a blocking read
 * interrupted by a handler without SA_RESTART (EINTR), and the argument
 * errors. Timers of a few ms; the whole program takes well under a second.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "check.h"
#include "thread_util.h"

static struct itimerspec its(long long value_ns, long long interval_ns)
{
	struct itimerspec t = { ts_ns(interval_ns), ts_ns(value_ns) };
	return t;
}

static long long ts_to_ns(struct timespec t)
{
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* read() of the count; -1 with errno on failure. */
static long long read_count(int fd)
{
	uint64_t n;
	ssize_t got = read(fd, &n, sizeof(n));
	if (got != (ssize_t)sizeof(n))
		return got < 0 ? -1 : -2;
	return (long long)n;
}

static void errors(void)
{
	struct itimerspec t = its(10 * MS, 0);
	int p[2];

	check_errno("create_bad_clock", timerfd_create(CLOCK_MONOTONIC_RAW, 0), EINVAL);
	check_errno("create_bad_clock_cputime", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
	check_errno("create_bad_flags", timerfd_create(CLOCK_MONOTONIC, 0x1), EINVAL);
	check_errno("settime_ebadf", timerfd_settime(-1, 0, &t, NULL), EBADF);
	if (pipe(p) == 0) {
		check_errno("settime_not_timerfd", timerfd_settime(p[0], 0, &t, NULL), EINVAL);
		check_errno("gettime_not_timerfd", timerfd_gettime(p[0], &t), EINVAL);
		close(p[0]);
		close(p[1]);
	}
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (!check_ok("create_cloexec", fd))
		return;
	check_eq("cloexec_flag", fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	check_eq("access_mode", fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
	check_errno("settime_bad_flags", timerfd_settime(fd, 0x8, &t, NULL), EINVAL);
	t.it_value.tv_nsec = 1000000000L;
	check_errno("settime_bad_nsec", timerfd_settime(fd, 0, &t, NULL), EINVAL);
	t.it_value.tv_nsec = 0;
	t.it_interval.tv_sec = -1;
	check_errno("settime_negative_interval", timerfd_settime(fd, 0, &t, NULL), EINVAL);
	check_errno("settime_efault", timerfd_settime(fd, 0, (void *)8, NULL), EFAULT);
	char buf[16];
	check_errno("read_short_buffer", read(fd, buf, 4), EINVAL);
	check_errno("write", write(fd, buf, 8), EINVAL);
	char link[64] = "";
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	check(strcmp(link, "anon_inode:[timerfd]") == 0, "proc_fd_link", "got \"%s\"", link);
	close(fd);
}

static void one_shot(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	if (!check_ok("oneshot_create", fd))
		return;
	struct itimerspec t = its(20 * MS, 0), cur;
	long long start = now_ns(CLOCK_MONOTONIC);
	check_eq("oneshot_settime", timerfd_settime(fd, 0, &t, NULL), 0);
	check_eq("oneshot_gettime", timerfd_gettime(fd, &cur), 0);
	long long left = ts_to_ns(cur.it_value), since = now_ns(CLOCK_MONOTONIC) - start;
	/* 0 left only when the host really let 20 ms pass (a loaded host or an emulator can). */
	check(((left > 0 && left <= 20 * MS) || (left == 0 && since >= 20 * MS)) &&
	      ts_to_ns(cur.it_interval) == 0, "oneshot_gettime_value",
	      "value %lld ns interval %lld ns", left, ts_to_ns(cur.it_interval));
	long long n = read_count(fd);
	long long took = now_ns(CLOCK_MONOTONIC) - start;
	check_eq("oneshot_read_count", n, 1);
	check(took >= 20 * MS, "oneshot_not_early", "read returned after %lld ns", took);
	check_eq("oneshot_gettime_after", timerfd_gettime(fd, &cur), 0);
	check(ts_to_ns(cur.it_value) == 0 && ts_to_ns(cur.it_interval) == 0, "oneshot_gettime_expired",
	      "value %lld ns", ts_to_ns(cur.it_value));
	close(fd);
}

static void periodic(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	if (!check_ok("periodic_create", fd))
		return;
	check_eq("nonblock_flag", fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	check_errno("unarmed_eagain", read_count(fd), EAGAIN);
	struct itimerspec t = its(5 * MS, 5 * MS), cur, old;
	long long start = now_ns(CLOCK_MONOTONIC);
	check_eq("periodic_settime", timerfd_settime(fd, 0, &t, NULL), 0);
	/* Nothing has expired 5 ms into the first period, unless the host was that slow: then
	 * only the periods that really ended may count. */
	long long early = read_count(fd);
	int early_errno = errno;
	long long early_at = now_ns(CLOCK_MONOTONIC) - start;
	check((early == -1 && early_errno == EAGAIN) ||
	      (early_at >= 5 * MS && early >= 1 && early <= early_at / (5 * MS)),
	      "periodic_eagain_before", "read %lld (%s) %lld ns after settime", early,
	      early < 0 ? strerror(early_errno) : "count", early_at);
	sleep_ms(32);
	long long n = read_count(fd);
	long long took = now_ns(CLOCK_MONOTONIC) - start;
	/* 32 ms hold the expirations at 5, 10, ..., 30 ms at least. */
	check(n >= 6 && n <= took / (5 * MS), "periodic_missed_counted",
	      "%lld expirations after %lld ns", n, took);
	/* The read took every expiration: right after it there is none, unless a period ended
	 * meanwhile (the first read may have come just before a boundary, and a loaded host or an
	 * emulator can be slow); then only the periods that ended since count: at most one more
	 * than the gap holds whole periods. */
	long long after_read = start + took; /* read just after the first read returned */
	long long again = read_count(fd);
	int again_errno = errno;
	long long gap = now_ns(CLOCK_MONOTONIC) - after_read;
	check((again == -1 && again_errno == EAGAIN) ||
	      (again >= 1 && again <= gap / (5 * MS) + 1),
	      "periodic_eagain_after_read", "read %lld (%s) %lld ns after the first read", again,
	      again < 0 ? strerror(again_errno) : "count", gap);
	check_eq("periodic_gettime", timerfd_gettime(fd, &cur), 0);
	check(ts_to_ns(cur.it_value) > 0 && ts_to_ns(cur.it_value) <= 5 * MS &&
	      ts_to_ns(cur.it_interval) == 5 * MS, "periodic_gettime_value",
	      "value %lld interval %lld", ts_to_ns(cur.it_value), ts_to_ns(cur.it_interval));
	/* A slower period for poll, so that "not ready yet" holds under an emulator too. */
	t = its(30 * MS, 30 * MS);
	long long slower = now_ns(CLOCK_MONOTONIC);
	check_eq("periodic_settime_slower", timerfd_settime(fd, 0, &t, NULL), 0);
	struct pollfd pfd = { fd, POLLIN, 0 };
	int now_ready = poll(&pfd, 1, 0);
	long long polled_at = now_ns(CLOCK_MONOTONIC) - slower;
	check(now_ready == 0 || (now_ready == 1 && polled_at >= 30 * MS), "poll_not_ready",
	      "poll %d %lld ns after settime", now_ready, polled_at);
	pfd.revents = 0;
	int ready = poll(&pfd, 1, 1000);
	check(ready == 1 && pfd.revents == POLLIN, "poll_ready", "poll %d revents 0x%x", ready,
	      pfd.revents);
	check(read_count(fd) >= 1, "periodic_read_after_poll", "no expiration");

	/* A new setting drops the unread expirations and returns the old setting. */
	sleep_ms(31);
	t = its(50 * MS, 0);
	check_eq("settime_old", timerfd_settime(fd, 0, &t, &old), 0);
	check(ts_to_ns(old.it_interval) == 30 * MS && ts_to_ns(old.it_value) > 0 &&
	      ts_to_ns(old.it_value) <= 30 * MS, "settime_old_value", "value %lld interval %lld",
	      ts_to_ns(old.it_value), ts_to_ns(old.it_interval));
	check_errno("settime_drops_ticks", read_count(fd), EAGAIN);

	/* Disarmed: nothing expires. */
	t = its(0, 0);
	check_eq("disarm", timerfd_settime(fd, 0, &t, &old), 0);
	check(ts_to_ns(old.it_value) > 0 && ts_to_ns(old.it_value) <= 50 * MS, "disarm_old_value",
	      "value %lld", ts_to_ns(old.it_value));
	check_eq("disarmed_gettime", timerfd_gettime(fd, &cur), 0);
	check(ts_to_ns(cur.it_value) == 0 && ts_to_ns(cur.it_interval) == 0, "disarmed_gettime_value",
	      "value %lld interval %lld", ts_to_ns(cur.it_value), ts_to_ns(cur.it_interval));
	sleep_ms(60);
	check_errno("disarmed_eagain", read_count(fd), EAGAIN);
	close(fd);
}

static void absolute(clockid_t clk, const char *name_set, const char *name_read)
{
	int fd = timerfd_create(clk, 0);
	if (fd < 0) {
		check_ok(name_set, fd);
		return;
	}
	long long target = now_ns(clk) + 15 * MS;
	struct itimerspec t = its(target, 0);
	check_eq(name_set, timerfd_settime(fd, TFD_TIMER_ABSTIME, &t, NULL), 0);
	long long n = read_count(fd);
	long long at = now_ns(clk);
	check(n == 1 && at >= target, name_read, "count %lld, %lld ns after the target", n, at - target);
	close(fd);
}

static void absolute_past(void)
{
	int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	if (!check_ok("past_create", fd))
		return;
	struct itimerspec t = its(now_ns(CLOCK_REALTIME) - 1000 * MS, 0);
	check_eq("past_settime", timerfd_settime(fd, TFD_TIMER_ABSTIME, &t, NULL), 0);
	struct pollfd pfd = { fd, POLLIN, 0 };
	check(poll(&pfd, 1, 1000) == 1 && pfd.revents == POLLIN, "past_ready", "revents 0x%x",
	      pfd.revents);
	check_eq("past_count", read_count(fd), 1);
	close(fd);
}

static volatile int got_usr1;
static void on_usr1(int sig) { got_usr1 = 1; }

static void *interrupter(void *arg)
{
	sleep_ms(20);
	pthread_kill(*(pthread_t *)arg, SIGUSR1);
	return NULL;
}

static void interrupted(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1; /* no SA_RESTART: the read fails with EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	if (!check_ok("eintr_create", fd))
		return;
	struct itimerspec t = its(5000 * MS, 0);
	timerfd_settime(fd, 0, &t, NULL);
	pthread_t self = pthread_self(), th;
	pthread_create(&th, NULL, interrupter, &self);
	check_errno("read_eintr", read_count(fd), EINTR);
	check_eq("read_eintr_handler_ran", got_usr1, 1);
	pthread_join(th, NULL);
	close(fd);
}

int main(void)
{
	check_init("timerfd");
	errors();
	one_shot();
	periodic();
	absolute(CLOCK_MONOTONIC, "abs_monotonic_settime", "abs_monotonic_read");
	absolute(CLOCK_REALTIME, "abs_realtime_settime", "abs_realtime_read");
	absolute(CLOCK_BOOTTIME, "abs_boottime_settime", "abs_boottime_read");
	absolute_past();
	interrupted();
	return check_done();
}
