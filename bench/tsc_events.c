/* Time and event operations for `make bench` (bench/events.sh): instructions per call, read with
 * rdtsc around N calls. Under `qemu -icount shift=0,sleep=off` the guest TSC counts instructions
 * since reset, so a difference of two reads is the instructions that ran in between: the
 * program's own, the kernel's for it, and interrupts.
 * The same static binary runs under monos and as /init (pid 1) of a Linux initramfs. It prints
 *   events_clocksource=NAME    Linux's clocksource (sysfs, mounted when pid 1 and /sys exists),
 *                              which decides whether its vDSO reads the clock itself; n/a when
 *                              the file is not there (monos has no such file: its vDSO reads
 *                              the TSC)
 *   events_vdso_clock_gettime=I   libc's clock_gettime(CLOCK_MONOTONIC): the vDSO
 *   events_syscall_clock_gettime=I  syscall(SYS_clock_gettime, CLOCK_MONOTONIC)
 *   events_epoll_wait_ready=I  epoll_wait(ep, ev, 1, 0) on a level-triggered eventfd that stays
 *                              readable (counter 1, never read): returns 1 every time
 *   events_signal_roundtrip=I  kill(pid, SIGUSR1) with a handler installed: the send, the
 *                              delivery, the handler (one increment), rt_sigreturn, back after
 *                              the kill
 * then "hello" (the bench's sign that the program ran to its end), and returns 0. A row whose
 * setup call fails (a kernel without it yet) prints "n/a (what failed: errno)"; a call that fails
 * or misbehaves inside the timed loop prints "events_error=..." and the program returns 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define TSC_REPORT_PREFIX "events_"
#include "tsc_report.h"

#define N_CLOCK 20000
#define N_EPOLL 10000
#define N_SIGNAL 2000
#define WARMUP 50

static void unavailable(const char *name, const char *what, int err)
{
	printf(TSC_REPORT_PREFIX "%s=n/a (%s: %s)\n", name, what, strerror(err));
	fflush(stdout);
}

/* As Linux's /init nothing is mounted; sysfs says which clocksource the kernel chose. */
static void clocksource(void)
{
	char name[64] = "";
	if (getpid() == 1) {
		mkdir("/sys", 0755);
		mount("sysfs", "/sys", "sysfs", 0, NULL);
	}
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
	if (f) {
		if (!fgets(name, sizeof(name), f))
			name[0] = 0;
		fclose(f);
		name[strcspn(name, "\n")] = 0;
	}
	printf("events_clocksource=%s\n", name[0] ? name : "n/a");
}

/* --- 1, 2. clock_gettime through libc (the vDSO) and through the system call ------------- */
static void clock_reads(void)
{
	struct timespec ts;
	unsigned long long t0, t1;

	for (int i = 0; i < WARMUP; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = __rdtsc();
	for (int i = 0; i < N_CLOCK; i++)
		if (clock_gettime(CLOCK_MONOTONIC, &ts))
			die("clock_gettime", errno);
	t1 = __rdtsc();
	report("vdso_clock_gettime", t0, t1, N_CLOCK);

	for (int i = 0; i < WARMUP; i++)
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	t0 = __rdtsc();
	for (int i = 0; i < N_CLOCK; i++)
		if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts))
			die("SYS_clock_gettime", errno);
	t1 = __rdtsc();
	report("syscall_clock_gettime", t0, t1, N_CLOCK);
}

/* --- 3. epoll_wait on a ready eventfd ----------------------------------------------------- */
static void epoll_ready(void)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	unsigned long long t0, t1;
	int efd = eventfd(1, EFD_CLOEXEC), ep;

	if (efd < 0) {
		unavailable("epoll_wait_ready", "eventfd", errno);
		return;
	}
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		unavailable("epoll_wait_ready", "epoll_create1", errno);
		return;
	}
	ev.data.fd = efd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) < 0) {
		unavailable("epoll_wait_ready", "epoll_ctl", errno);
		return;
	}
	for (int i = 0; i < WARMUP; i++)
		epoll_wait(ep, &out, 1, 0);
	t0 = __rdtsc();
	for (int i = 0; i < N_EPOLL; i++)
		if (epoll_wait(ep, &out, 1, 0) != 1)
			die("epoll_wait (expected 1 ready)", errno);
	t1 = __rdtsc();
	if (!(out.events & EPOLLIN) || out.data.fd != efd)
		die("epoll_wait (wrong event)", EINVAL);
	report("epoll_wait_ready", t0, t1, N_EPOLL);
	close(ep);
	close(efd);
}

/* --- 4. signal round trip ---------------------------------------------------------------- */
static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

static void signal_roundtrip(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	unsigned long long t0, t1;
	pid_t pid = getpid();

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0) {
		unavailable("signal_roundtrip", "sigaction", errno);
		return;
	}
	/* A kernel that cannot run handlers yet kills the program here with SIGUSR1's default
	 * action; the bench then reports the run as failed. */
	for (int i = 0; i < WARMUP; i++)
		syscall(SYS_kill, pid, SIGUSR1);
	if (handled != WARMUP) {
		unavailable("signal_roundtrip", "handler did not run", ENOSYS);
		return;
	}
	t0 = __rdtsc();
	for (int i = 0; i < N_SIGNAL; i++)
		if (syscall(SYS_kill, pid, SIGUSR1))
			die("kill", errno);
	t1 = __rdtsc();
	if (handled != WARMUP + N_SIGNAL)
		die("kill (handler count)", EINVAL);
	report("signal_roundtrip", t0, t1, N_SIGNAL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	clocksource();
	clock_reads();
	epoll_ready();
	signal_roundtrip();
	printf("hello\n");
	fflush(stdout);
	return 0;
}
