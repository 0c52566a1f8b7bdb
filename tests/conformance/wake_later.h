/*
 * wake_later.h: the helper threads the event-wait programs (poll, select, epoll) start to
 * end a blocked wait from outside, 50 ms later: write_later writes one byte to wake_fd;
 * kick_later sends SIGUSR1 to main_thread, and on_usr1, the handler, records the signal in
 * got_usr1. Header-only and static, like check.h.
 */
#ifndef CONFORMANCE_WAKE_LATER_H
#define CONFORMANCE_WAKE_LATER_H

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "thread_util.h"

static __attribute__((unused)) int wake_fd;
static __attribute__((unused)) void *write_later(void *arg)
{
	sleep_ms(50);
	(void)!write(wake_fd, "w", 1);
	return arg;
}

static volatile __attribute__((unused)) sig_atomic_t got_usr1;
static __attribute__((unused)) void on_usr1(int sig) { got_usr1 = sig; }

static __attribute__((unused)) pthread_t main_thread;
static __attribute__((unused)) void *kick_later(void *arg)
{
	sleep_ms(50);
	pthread_kill(main_thread, SIGUSR1);
	return arg;
}

#endif
