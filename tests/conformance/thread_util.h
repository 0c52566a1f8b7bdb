/*
 * thread_util.h: small helpers the thread conformance programs share: clocks
 * in nanoseconds, short sleeps, gettid, and a thread's scheduler state as
 * /proc/self/task/TID/stat shows it (how a test knows a waiter is asleep).
 * Header-only and static, like check.h.
 */
#ifndef CONFORMANCE_THREAD_UTIL_H
#define CONFORMANCE_THREAD_UTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000LL

static __attribute__((unused)) pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static __attribute__((unused)) long long now_ns(clockid_t clk)
{
	struct timespec t;
	clock_gettime(clk, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static __attribute__((unused)) struct timespec ts_ns(long long ns)
{
	struct timespec t = { (time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL) };
	return t;
}

static __attribute__((unused)) void sleep_ms(int ms)
{
	struct timespec t = ts_ns(ms * MS);
	nanosleep(&t, NULL);
}

/* The state letter of thread tid ('R', 'S', 'Z', ...), '?' if unreadable. */
static __attribute__((unused)) char thread_state(pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	char *p = strrchr(buf, ')'); /* the name in parentheses may hold anything */
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Waits up to 1 s for thread tid to sleep ('S'); returns whether it did. */
static __attribute__((unused)) int until_sleeping(pid_t tid)
{
	for (int i = 0; i < 1000; i++) {
		if (thread_state(tid) == 'S')
			return 1;
		sleep_ms(1);
	}
	return 0;
}

#endif
