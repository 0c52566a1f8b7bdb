/*
 * threads_pipes.c: blocking pipe I/O and sleeps between threads of one
 * process. 1 MiB through a pipe in chunks of random size, read in reads of
 * random size and checked byte by byte; a read() sleeping on an empty pipe
 * until another thread writes; a write() sleeping on a full pipe (64 KiB)
 * until another thread reads; end of file, and EPIPE, when the other end is
 * closed while a thread sleeps on it; and nanosleep / clock_nanosleep
 * (relative, and absolute on CLOCK_MONOTONIC and CLOCK_REALTIME) lasting at
 * least what was asked in one thread while another keeps running.
 *
 * Everything that could sleep forever on a broken kernel has a way out:
 * the main thread closes the other end after a deadline, so a failure is a
 * FAIL line rather than a hang. Only the main thread reports checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "thread_util.h"

#ifndef F_GETPIPE_SZ
#define F_GETPIPE_SZ 1032
#endif

#define TOTAL (1 << 20)
#define PIPE_CAP 65536

/* The byte at offset i of the stream, and a small deterministic PRNG. */
static unsigned char byte_at(size_t i)
{
	return (unsigned char)(i * 131 + (i >> 9) + 7);
}

static uint32_t rng(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* FNV-1a over the stream, computed by the reader and from byte_at. */
static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* ---- 1 MiB from a producer thread --------------------------------------- */

struct producer {
	int fd;
	long writes, short_writes, errors;
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	static unsigned char buf[200000];
	uint32_t seed = 12345;
	size_t off = 0;

	while (off < TOTAL) {
		/* Mostly small chunks, some larger than the pipe itself. */
		size_t n = rng(&seed) % 8 == 0 ? 1 + rng(&seed) % 150000 : 1 + rng(&seed) % 5000;
		if (n > TOTAL - off)
			n = TOTAL - off;
		for (size_t i = 0; i < n; i++)
			buf[i] = byte_at(off + i);
		/* A blocking write returns only when all of it is in. */
		ssize_t w = write(p->fd, buf, n);
		p->writes++;
		if (w < 0) {
			p->errors++;
			break;
		}
		if ((size_t)w != n)
			p->short_writes++;
		off += (size_t)w;
	}
	close(p->fd);
	return NULL;
}

static void bulk(void)
{
	int fds[2];
	static unsigned char buf[70000];
	struct producer p = { 0 };
	pthread_t t;

	if (!check_eq("bulk_pipe", pipe(fds), 0))
		return;
	p.fd = fds[1];
	pthread_create(&t, NULL, producer_main, &p);

	uint32_t seed = 999;
	size_t got = 0;
	long reads = 0, mismatches = 0, first_bad = -1, errors = 0;
	uint64_t h = 0xcbf29ce484222325ull;
	for (;;) {
		size_t want = 1 + rng(&seed) % sizeof(buf);
		ssize_t r = read(fds[0], buf, want);
		if (r < 0) {
			errors++;
			break;
		}
		if (r == 0)
			break;
		reads++;
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != byte_at(got + i) && mismatches++ == 0)
				first_bad = (long)(got + i);
		h = fnv(h, buf, (size_t)r);
		got += (size_t)r;
	}
	pthread_join(t, NULL);
	close(fds[0]);

	uint64_t want_h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < TOTAL; i++) {
		unsigned char b = byte_at(i);
		want_h = fnv(want_h, &b, 1);
	}
	check_eq("bulk_bytes", (long)got, TOTAL);
	check(mismatches == 0, "bulk_data", "%ld bytes differ, the first at offset %ld", mismatches,
	      first_bad);
	check(h == want_h, "bulk_checksum", "FNV-1a %016llx, expected %016llx",
	      (unsigned long long)h, (unsigned long long)want_h);
	check(p.errors == 0 && errors == 0, "bulk_no_errors", "%ld write errors, %ld read errors",
	      p.errors, errors);
	check_eq("bulk_writes_whole", p.short_writes, 0);
	printf("threads_pipes: 1 MiB in %ld writes and %ld reads\n", p.writes, reads);
}

/* ---- a reader sleeping on an empty pipe ---------------------------------- */

struct sleeper {
	int fd;
	pid_t tid;
	int ready;
	ssize_t ret;
	int err;
	char buf[16];
	long long returned; /* CLOCK_MONOTONIC ns */
};

static void *reader_main(void *arg)
{
	struct sleeper *s = arg;
	s->tid = gettid_();
	__atomic_store_n(&s->ready, 1, __ATOMIC_SEQ_CST);
	s->ret = read(s->fd, s->buf, sizeof(s->buf));
	s->err = errno;
	s->returned = now_ns(CLOCK_MONOTONIC);
	return NULL;
}

static void start_sleeper(pthread_t *t, struct sleeper *s, void *(*fn)(void *))
{
	pthread_create(t, NULL, fn, s);
	while (!__atomic_load_n(&s->ready, __ATOMIC_SEQ_CST))
		sleep_ms(1);
}

static void reader_woken(void)
{
	int fds[2];
	pthread_t t;

	pipe(fds);
	struct sleeper s = { .fd = fds[0] };
	start_sleeper(&t, &s, reader_main);
	check(until_sleeping(s.tid), "reader_sleeps_on_empty_pipe",
	      "the reader never slept (state %c)", thread_state(s.tid));
	long long wrote = now_ns(CLOCK_MONOTONIC);
	check_eq("reader_wake_write", write(fds[1], "wake", 4), 4);
	pthread_join(t, NULL);
	check_eq("reader_woken_read", s.ret, 4);
	check(memcmp(s.buf, "wake", 4) == 0, "reader_woken_data", "read \"%.4s\"", s.buf);
	check(s.returned >= wrote, "reader_returned_after_write",
	      "read returned %lld ns before the write", wrote - s.returned);

	/* End of file: the last write end closes while the reader sleeps. */
	struct sleeper e = { .fd = fds[0] };
	start_sleeper(&t, &e, reader_main);
	until_sleeping(e.tid);
	close(fds[1]);
	pthread_join(t, NULL);
	check_eq("reader_woken_by_close_eof", e.ret, 0);
	close(fds[0]);

	/* Closing the descriptor a read sleeps on does not end the read: the read holds the open
	 * file, which lives on until the read returns (and the data written later reaches it). */
	pipe(fds);
	struct sleeper c = { .fd = fds[0] };
	start_sleeper(&t, &c, reader_main);
	until_sleeping(c.tid);
	check_eq("close_under_reader", close(fds[0]), 0);
	check_eq("reader_still_asleep", __atomic_load_n(&c.ret, __ATOMIC_SEQ_CST), 0);
	check_eq("write_to_closed_readers_fd", write(fds[1], "late", 4), 4);
	pthread_join(t, NULL);
	check(c.ret == 4 && memcmp(c.buf, "late", 4) == 0, "reader_survives_close",
	      "read returned %zd (%s) \"%.4s\"", c.ret, c.ret < 0 ? strerror(c.err) : "bytes", c.buf);
	close(fds[1]);
}

/* ---- a writer sleeping on a full pipe ----------------------------------- */

static void *writer_main(void *arg)
{
	struct sleeper *s = arg;
	static char msg[100];
	memset(msg, 'w', sizeof(msg));
	s->tid = gettid_();
	__atomic_store_n(&s->ready, 1, __ATOMIC_SEQ_CST);
	s->ret = write(s->fd, msg, sizeof(msg));
	s->err = errno;
	s->returned = now_ns(CLOCK_MONOTONIC);
	return NULL;
}

static void writer_blocked(void)
{
	int fds[2];
	pthread_t t;
	static char fill[PIPE_CAP], buf[PIPE_CAP + 200];

	pipe(fds);
	check_eq("pipe_capacity_64k", fcntl(fds[1], F_GETPIPE_SZ), PIPE_CAP);
	memset(fill, 'f', sizeof(fill));
	check_eq("fill_pipe", write(fds[1], fill, sizeof(fill)), PIPE_CAP);

	struct sleeper s = { .fd = fds[1] };
	start_sleeper(&t, &s, writer_main);
	check(until_sleeping(s.tid), "writer_sleeps_on_full_pipe",
	      "the writer never slept (state %c)", thread_state(s.tid));
	int n = -1;
	ioctl(fds[0], FIONREAD, &n);
	check_eq("full_pipe_fionread", n, PIPE_CAP);
	/* not returned: its result is still 0 */
	check_eq("writer_still_blocked", __atomic_load_n(&s.ret, __ATOMIC_SEQ_CST), 0);

	/* Reading one page makes room; the 100 bytes then go in at once. */
	long long drained = now_ns(CLOCK_MONOTONIC);
	check_eq("drain_one_page", read(fds[0], buf, 4096), 4096);
	pthread_join(t, NULL);
	check_eq("writer_woken_wrote_all", s.ret, 100);
	check(s.returned >= drained, "writer_returned_after_read",
	      "write returned %lld ns before the read", drained - s.returned);
	ssize_t rest = 0, r;
	int fl = fcntl(fds[0], F_GETFL);
	fcntl(fds[0], F_SETFL, fl | O_NONBLOCK);
	while ((r = read(fds[0], buf + rest, sizeof(buf) - rest)) > 0)
		rest += r;
	check_eq("pipe_left_after_drain", rest, PIPE_CAP - 4096 + 100);
	check(rest == PIPE_CAP - 4096 + 100 && buf[rest - 101] == 'f' && buf[rest - 100] == 'w' &&
		      buf[rest - 1] == 'w',
	      "pipe_order_kept", "the writer's bytes are not after the filler");
	fcntl(fds[0], F_SETFL, fl);

	/* EPIPE: the read end closes while the writer sleeps on a full pipe. */
	signal(SIGPIPE, SIG_IGN);
	write(fds[1], fill, sizeof(fill));
	struct sleeper e = { .fd = fds[1] };
	start_sleeper(&t, &e, writer_main);
	until_sleeping(e.tid);
	close(fds[0]);
	pthread_join(t, NULL);
	check(e.ret == -1 && e.err == EPIPE, "writer_woken_by_close_epipe",
	      "write returned %zd (%s), expected -1 EPIPE", e.ret, errno_name(e.err));
	close(fds[1]);
}

/* ---- sleeping in one thread while another runs ---------------------------- */

struct napper {
	int kind;
	long long asked, before, after; /* ns on the clock of the sleep */
	int ret, err;
	long progress_before, progress_after;
};

static long progress; /* the main thread's work counter */
static int napping;

enum { NANOSLEEP, CLOCK_REL, CLOCK_ABS_MONO, CLOCK_ABS_REAL, NKINDS };
static const char *kind_name[] = { "nanosleep", "clock_nanosleep_relative",
				   "clock_nanosleep_abs_monotonic", "clock_nanosleep_abs_realtime" };

static void *napper_main(void *arg)
{
	struct napper *n = arg;
	clockid_t clk = n->kind == CLOCK_ABS_REAL ? CLOCK_REALTIME : CLOCK_MONOTONIC;
	struct timespec rel = ts_ns(n->asked), abs;

	n->progress_before = __atomic_load_n(&progress, __ATOMIC_SEQ_CST);
	n->before = now_ns(clk);
	abs = ts_ns(n->before + n->asked);
	switch (n->kind) {
	case NANOSLEEP:
		n->ret = nanosleep(&rel, NULL);
		n->err = n->ret ? errno : 0;
		break;
	case CLOCK_REL:
		n->ret = clock_nanosleep(CLOCK_MONOTONIC, 0, &rel, NULL);
		break;
	default: /* clock_nanosleep returns the error itself */
		n->ret = clock_nanosleep(clk, TIMER_ABSTIME, &abs, NULL);
		break;
	}
	n->after = now_ns(clk);
	n->progress_after = __atomic_load_n(&progress, __ATOMIC_SEQ_CST);
	__atomic_store_n(&napping, 0, __ATOMIC_SEQ_CST);
	return NULL;
}

static void sleeps(void)
{
	char name[96];

	for (int k = 0; k < NKINDS; k++) {
		struct napper n = { .kind = k, .asked = 60 * MS };
		pthread_t t;
		__atomic_store_n(&napping, 1, __ATOMIC_SEQ_CST);
		pthread_create(&t, NULL, napper_main, &n);
		/* Keep running (and counting) while the other thread sleeps. */
		long long limit = now_ns(CLOCK_MONOTONIC) + 5000 * MS;
		while (__atomic_load_n(&napping, __ATOMIC_SEQ_CST) &&
		       now_ns(CLOCK_MONOTONIC) < limit)
			__atomic_add_fetch(&progress, 1, __ATOMIC_SEQ_CST);
		pthread_join(t, NULL);
		snprintf(name, sizeof(name), "%s_returns_0", kind_name[k]);
		check(n.ret == 0, name, "returned %d (%s)", n.ret,
		      errno_name(k == NANOSLEEP ? n.err : n.ret));
		snprintf(name, sizeof(name), "%s_slept_long_enough", kind_name[k]);
		check(n.after - n.before >= n.asked, name, "slept %lld ns, asked %lld",
		      n.after - n.before, n.asked);
		snprintf(name, sizeof(name), "%s_other_thread_ran", kind_name[k]);
		check(n.progress_after > n.progress_before, name,
		      "the main thread made no progress while this thread slept");
	}

	/* The errors, returned (not in errno) by clock_nanosleep. The past
	 * deadline is 1 ns after boot: a VM's monotonic clock may be below 1 s,
	 * and a negative time would be EINVAL. */
	struct timespec bad = { 0, 1000000000L }, past = { 0, 1 };
	check_eq("clock_nanosleep_bad_nsec_einval", clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL),
		 EINVAL);
	check_eq("clock_nanosleep_abs_past_returns_0",
		 clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), 0);
	struct timespec ms1 = ts_ns(1 * MS);
	check_eq("clock_nanosleep_thread_cputime_einval",
		 clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ms1, NULL), EINVAL);
	check_errno("nanosleep_bad_nsec_einval", nanosleep(&bad, NULL), EINVAL);
}

int main(void)
{
	check_init("threads_pipes");
	bulk();
	reader_woken();
	writer_blocked();
	sleeps();
	return check_done();
}
