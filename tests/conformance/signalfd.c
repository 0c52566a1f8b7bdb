/*
 * signalfd.c: signalfd(2) and signalfd4. Blocked signals read as struct
 * signalfd_siginfo (raise: SI_TKILL; kill: SI_USER; sigqueue: SI_QUEUE with
 * its value; a POSIX timer: SI_TIMER with the timer id and value), several in
 * one read, real-time ones queued twice read twice, a signal outside the mask
 * left pending until the mask is updated through signalfd4 on the same fd,
 * poll readiness, EAGAIN without blocking, a blocking read woken by a signal
 * another thread sends, and the argument errors.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "thread_util.h"

static sigset_t set_of(int a, int b)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	return s;
}

/* One read of one struct; the signal number, or -1 with errno. */
static int read_one(int fd, struct signalfd_siginfo *si)
{
	memset(si, 0, sizeof(*si));
	ssize_t n = read(fd, si, sizeof(*si));
	if (n < 0)
		return -1;
	return n == (ssize_t)sizeof(*si) ? (int)si->ssi_signo : -2;
}

static int ready(int fd, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int n = poll(&p, 1, timeout_ms);
	return n == 1 ? p.revents : n;
}

static void errors(void)
{
	sigset_t s = set_of(SIGUSR1, 0);
	int p[2];
	check_errno("bad_sizemask", syscall(SYS_signalfd4, -1, &s, 4, 0), EINVAL);
	check_errno("bad_flags", syscall(SYS_signalfd4, -1, &s, 8, 1), EINVAL);
	check_errno("efault", syscall(SYS_signalfd4, -1, (void *)8, 8, 0), EFAULT);
	check_errno("ebadf", signalfd(999, &s, 0), EBADF);
	if (pipe(p) == 0) {
		check_errno("not_signalfd", signalfd(p[0], &s, 0), EINVAL);
		close(p[0]);
		close(p[1]);
	}
}

static volatile pid_t main_tid;

static void *sender(void *arg)
{
	sleep_ms(20);
	syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
	return NULL;
}

int main(void)
{
	check_init("signalfd");
	errors();
	sigset_t blocked = set_of(SIGUSR1, SIGUSR2);
	sigaddset(&blocked, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &blocked, NULL);

	sigset_t m = set_of(SIGUSR1, 0);
	int fd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
	if (!check_ok("create", fd))
		return check_done();
	check_eq("cloexec", fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	check_eq("flags", fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
	char link[64] = "", path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t ln = readlink(path, link, sizeof(link) - 1);
	link[ln > 0 ? ln : 0] = 0;
	check(strcmp(link, "anon_inode:[signalfd]") == 0, "proc_fd_link", "got \"%s\"", link);

	struct signalfd_siginfo si, two[2];
	check_errno("empty_eagain", read_one(fd, &si), EAGAIN);
	check_eq("empty_not_ready", ready(fd, 0), 0);
	check_errno("short_buffer", read(fd, &si, sizeof(si) - 1), EINVAL);

	raise(SIGUSR1);
	check_eq("raise_ready", ready(fd, 0), POLLIN);
	check_eq("raise_read", read_one(fd, &si), SIGUSR1);
	check_eq("raise_code", si.ssi_code, SI_TKILL);
	check_eq("raise_pid", si.ssi_pid, getpid());
	check_eq("raise_uid", si.ssi_uid, getuid());
	check_eq("consumed_not_ready", ready(fd, 0), 0);

	union sigval v = { .sival_int = 7 };
	sigqueue(getpid(), SIGUSR1, v);
	check_eq("sigqueue_read", read_one(fd, &si), SIGUSR1);
	check_eq("sigqueue_code", si.ssi_code, SI_QUEUE);
	check_eq("sigqueue_int", si.ssi_int, 7);

	/* Outside the mask: stays pending until the mask takes it in. */
	kill(getpid(), SIGUSR2);
	check_errno("other_signal_eagain", read_one(fd, &si), EAGAIN);
	check_eq("other_signal_not_ready", ready(fd, 0), 0);
	m = set_of(SIGUSR1, SIGUSR2);
	check_eq("update_mask", signalfd(fd, &m, 0), fd);
	check_eq("update_keeps_nonblock", fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	check_eq("updated_ready", ready(fd, 0), POLLIN);
	raise(SIGUSR1);
	/* Two at once, lowest first: SIGUSR1 (10) before SIGUSR2 (12). */
	ssize_t n = read(fd, two, sizeof(two));
	check_eq("two_in_one_read", n, (long)sizeof(two));
	check(two[0].ssi_signo == SIGUSR1 && two[1].ssi_signo == SIGUSR2, "two_order", "%u then %u",
	      two[0].ssi_signo, two[1].ssi_signo);
	check_eq("kill_code", two[1].ssi_code, SI_USER);

	/* Real-time signals queue: two sends, two reads. */
	int rt = SIGRTMIN + 1;
	sigset_t rtm = set_of(rt, 0);
	int rfd = signalfd(-1, &rtm, SFD_NONBLOCK);
	sigqueue(getpid(), rt, (union sigval){ .sival_int = 1 });
	sigqueue(getpid(), rt, (union sigval){ .sival_int = 2 });
	int a = read_one(rfd, &si), va = si.ssi_int;
	int b = read_one(rfd, &si), vb = si.ssi_int;
	check(a == rt && b == rt && va == 1 && vb == 2, "realtime_queued", "%d(%d) %d(%d)", a, va, b, vb);
	check_errno("realtime_drained", read_one(rfd, &si), EAGAIN);
	close(rfd);

	/* A POSIX timer's signal: SI_TIMER, its id and value. */
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR2;
	sev.sigev_value.sival_int = 31;
	timer_t t;
	if (check_eq("timer_create", timer_create(CLOCK_MONOTONIC, &sev, &t), 0)) {
		struct itimerspec its = { { 0, 0 }, { 0, 5 * MS } };
		timer_settime(t, 0, &its, NULL);
		check_eq("timer_ready", ready(fd, 1000), POLLIN);
		check_eq("timer_read", read_one(fd, &si), SIGUSR2);
		check_eq("timer_code", si.ssi_code, SI_TIMER);
		check_eq("timer_tid", si.ssi_tid, (int)(intptr_t)t);
		check_eq("timer_int", si.ssi_int, 31);
		timer_delete(t);
	}

	/* A blocking read, woken by a signal another thread sends to this one. */
	int bfd = signalfd(-1, &m, 0);
	main_tid = gettid_();
	pthread_t th;
	pthread_create(&th, NULL, sender, NULL);
	check_eq("blocking_read", read_one(bfd, &si), SIGUSR1);
	check_eq("blocking_code", si.ssi_code, SI_TKILL);
	pthread_join(th, NULL);
	close(bfd);
	close(fd);
	return check_done();
}
