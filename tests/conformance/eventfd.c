/*
 * eventfd.c: eventfd and eventfd2. The counter's 8-byte reads and writes
 * (EINVAL for short buffers and for 0xffffffffffffffff, EAGAIN when a
 * non-blocking read finds 0 or a write would reach the maximum), semaphore
 * mode, the flags (EFD_CLOEXEC, EFD_NONBLOCK, EINVAL for others), poll
 * readiness (POLLIN with a count, POLLOUT below the maximum), fstat of the
 * anonymous inode, and blocking: a read that sleeps until another thread
 * writes, a write that sleeps at the maximum until another thread reads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "thread_util.h"

static long put(int fd, uint64_t v) { return write(fd, &v, sizeof(v)); }

static uint64_t got_value;
static long got(int fd)
{
	got_value = 0xdead;
	return read(fd, &got_value, sizeof(got_value));
}

static short revents(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static void test_counter(void)
{
	int fd = eventfd(5, EFD_NONBLOCK);
	if (!check_ok("create", fd))
		return;
	check(got(fd) == 8 && got_value == 5, "read_initial", "read %lu", (unsigned long)got_value);
	check_errno("read_empty_eagain", got(fd), EAGAIN);
	check_eq("write_returns_8", put(fd, 3), 8);
	check_eq("write_adds", put(fd, 4), 8);
	check(got(fd) == 8 && got_value == 7, "read_sum", "read %lu", (unsigned long)got_value);
	check_eq("write_zero", put(fd, 0), 8);
	check_errno("read_after_zero_write", got(fd), EAGAIN);

	char small[7];
	put(fd, 1);
	check_errno("read_short_einval", read(fd, small, sizeof(small)), EINVAL);
	check_errno("write_short_einval", write(fd, small, sizeof(small)), EINVAL);
	uint64_t big[2] = { 0, 0 };
	check_eq("read_long_buffer_8", read(fd, big, sizeof(big)), 8);
	check_errno("write_max_einval", put(fd, UINT64_MAX), EINVAL);

	check_eq("write_max_minus_1", put(fd, UINT64_MAX - 1), 8);
	check_errno("write_overflow_eagain", put(fd, 1), EAGAIN);
	check_eq("pollout_at_max", revents(fd, POLLIN | POLLOUT), POLLIN);
	check(got(fd) == 8 && got_value == UINT64_MAX - 1, "read_max", "read %lx",
	      (unsigned long)got_value);
	check_eq("poll_empty", revents(fd, POLLIN | POLLOUT), POLLOUT);
	put(fd, 2);
	check_eq("poll_count", revents(fd, POLLIN | POLLOUT), POLLIN | POLLOUT);
	close(fd);
}

static void test_semaphore(void)
{
	int fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	if (!check_ok("semaphore_create", fd))
		return;
	int ones = 0;
	for (int i = 0; i < 3; i++)
		ones += got(fd) == 8 && got_value == 1;
	check_eq("semaphore_reads_one", ones, 3);
	check_errno("semaphore_empty", got(fd), EAGAIN);
	close(fd);
}

static void test_flags(void)
{
	check_errno("bad_flags", eventfd(0, 0x4), EINVAL);
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!check_ok("flags_create", fd))
		return;
	check_eq("cloexec", fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	int fl = fcntl(fd, F_GETFL);
	check_eq("status_flags", fl & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
	struct stat st;
	if (check_ok("fstat", fstat(fd, &st))) {
		check_eq("fstat_mode", st.st_mode, 0600);
		check_eq("fstat_nlink", st.st_nlink, 1);
	}
	close(fd);
	/* The old call has no flags: a plain blocking descriptor. */
	fd = (int)syscall(SYS_eventfd, 1);
	if (check_ok("eventfd_old", fd)) {
		check_eq("eventfd_old_flags", fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
		check_eq("eventfd_old_nocloexec", fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
		close(fd);
	}
}

static int block_fd;
static void *late_writer(void *arg)
{
	sleep_ms(50);
	put(block_fd, 42);
	return arg;
}

static void *late_reader(void *arg)
{
	uint64_t v;
	sleep_ms(50);
	(void)!read(block_fd, &v, sizeof(v));
	return arg;
}

static void test_blocking(void)
{
	block_fd = eventfd(0, 0);
	pthread_t t;
	long long t0 = now_ns(CLOCK_MONOTONIC);
	pthread_create(&t, NULL, late_writer, NULL);
	long r = got(block_fd);
	long long waited = now_ns(CLOCK_MONOTONIC) - t0;
	pthread_join(t, NULL);
	check(r == 8 && got_value == 42, "read_blocks_until_write", "read %ld value %lu", r,
	      (unsigned long)got_value);
	check(waited >= 40 * MS, "read_waited", "returned after %lld ms", waited / MS);

	put(block_fd, UINT64_MAX - 1);
	t0 = now_ns(CLOCK_MONOTONIC);
	pthread_create(&t, NULL, late_reader, NULL);
	r = put(block_fd, 1);
	waited = now_ns(CLOCK_MONOTONIC) - t0;
	pthread_join(t, NULL);
	check_eq("write_blocks_until_read", r, 8);
	check(waited >= 40 * MS, "write_waited", "returned after %lld ms", waited / MS);
	check(got(block_fd) == 8 && got_value == 1, "value_after_blocked_write", "read %lu",
	      (unsigned long)got_value);
	close(block_fd);
}

int main(void)
{
	check_init("eventfd");
	test_counter();
	test_semaphore();
	test_flags();
	test_blocking();
	return check_done();
}
