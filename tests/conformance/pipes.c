/*
 * pipes.c: pipe(2) and pipe2(2) in one process: data in order, partial
 * reads, end of file once the write end is closed, EAGAIN on an empty or
 * full non-blocking pipe, EPIPE with SIGPIPE ignored, FIONREAD, the
 * capacity F_GETPIPE_SZ reports, and the errors of a non-seekable file.
 * Nothing here blocks: every read finds data or an end of file.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#ifndef F_GETPIPE_SZ
#define F_SETPIPE_SZ 1031 /* linux/fcntl.h */
#define F_GETPIPE_SZ 1032
#endif

static void basics(void)
{
	int p[2];
	char buf[64];

	if (!check_eq("pipe", pipe(p), 0))
		return;
	check(p[0] >= 0 && p[1] >= 0 && p[0] != p[1], "pipe_fds", "%d %d", p[0], p[1]);
	check_eq("read_end_rdonly", fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
	check_eq("write_end_wronly", fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	check_eq("pipe_no_cloexec", fcntl(p[0], F_GETFD) | fcntl(p[1], F_GETFD), 0);
	check_eq("pipe_blocking", (fcntl(p[0], F_GETFL) | fcntl(p[1], F_GETFL)) & O_NONBLOCK, 0);

	struct stat s0, s1;
	check(fstat(p[0], &s0) == 0 && fstat(p[1], &s1) == 0 && S_ISFIFO(s0.st_mode) &&
		      S_ISFIFO(s1.st_mode) && s0.st_ino == s1.st_ino,
	      "fstat_fifo", "modes 0%o 0%o, inodes %lu %lu", (unsigned)s0.st_mode,
	      (unsigned)s1.st_mode, (unsigned long)s0.st_ino, (unsigned long)s1.st_ino);

	check_eq("write", write(p[1], "hello", 5), 5);
	check_eq("write_more", write(p[1], ", world", 7), 7);
	int n = -1;
	check_eq("fionread", ioctl(p[0], FIONREAD, &n), 0);
	check_eq("fionread_value", n, 12);
	memset(buf, 0, sizeof(buf));
	check_eq("read_partial", read(p[0], buf, 3), 3);
	check(!memcmp(buf, "hel", 3), "read_partial_data", "\"%.3s\"", buf);
	/* A read returns what is there, without waiting to fill the buffer. */
	check_eq("read_rest", read(p[0], buf, sizeof(buf)), 9);
	check(!memcmp(buf, "lo, world", 9), "read_rest_data", "\"%.9s\"", buf);
	ioctl(p[0], FIONREAD, &n);
	check_eq("fionread_empty", n, 0);

	/* Wrong direction, seeking, positioned I/O, fsync. */
	check_errno("read_write_end_ebadf", read(p[1], buf, 1), EBADF);
	check_errno("write_read_end_ebadf", write(p[0], "x", 1), EBADF);
	check_errno("lseek_espipe", lseek(p[0], 0, SEEK_CUR), ESPIPE);
	check_errno("pread_espipe", pread(p[0], buf, 1, 0), ESPIPE);
	check_errno("pwrite_espipe", pwrite(p[1], "x", 1, 0), ESPIPE);
	check_errno("fsync_pipe_einval", fsync(p[1]), EINVAL);
	check_errno("ftruncate_pipe_einval", ftruncate(p[1], 0), EINVAL);

	/* The data stays until read; closing the write end gives EOF after it. */
	write(p[1], "tail", 4);
	check_eq("close_write_end", close(p[1]), 0);
	memset(buf, 0, sizeof(buf));
	check_eq("read_after_writer_closed", read(p[0], buf, sizeof(buf)), 4);
	check(!memcmp(buf, "tail", 4), "read_after_writer_closed_data", "\"%.4s\"", buf);
	check_eq("read_eof", read(p[0], buf, sizeof(buf)), 0);
	check_eq("read_eof_again", read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);

	/* dup'd write ends: EOF only when the last one closes. */
	pipe(p);
	int w2 = dup(p[1]);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	check_errno("dup_writer_keeps_pipe_open", read(p[0], buf, 1), EAGAIN);
	close(w2);
	check_eq("last_writer_closed_eof", read(p[0], buf, 1), 0);
	close(p[0]);
}

static void flags(void)
{
	int p[2];
	char c;

	check_eq("pipe2_cloexec", pipe2(p, O_CLOEXEC), 0);
	check(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC,
	      "pipe2_cloexec_both", "F_GETFD %d %d", fcntl(p[0], F_GETFD), fcntl(p[1], F_GETFD));
	close(p[0]);
	close(p[1]);

	check_eq("pipe2_nonblock", pipe2(p, O_NONBLOCK), 0);
	check((fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK),
	      "pipe2_nonblock_both", "F_GETFL 0%o 0%o", fcntl(p[0], F_GETFL),
	      fcntl(p[1], F_GETFL));
	check_errno("read_empty_nonblock_eagain", read(p[0], &c, 1), EAGAIN);
	write(p[1], "z", 1);
	check(read(p[0], &c, 1) == 1 && c == 'z', "read_nonblock_data", "'%c'", c);
	check_errno("read_empty_again_eagain", read(p[0], &c, 1), EAGAIN);
	close(p[0]);
	close(p[1]);

	check_errno("pipe2_bad_flags_einval", pipe2(p, O_APPEND), EINVAL);

	/* O_NONBLOCK set later with F_SETFL works the same. */
	pipe(p);
	check_eq("f_setfl_nonblock", fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	check_errno("f_setfl_nonblock_eagain", read(p[0], &c, 1), EAGAIN);
	close(p[0]);
	close(p[1]);
}

static void capacity(void)
{
	int p[2];
	if (pipe2(p, O_NONBLOCK) != 0) {
		fail("capacity_pipe", "pipe2 failed with %s", errno_name(errno));
		return;
	}
	long size = fcntl(p[1], F_GETPIPE_SZ);
	check(size >= 4096 && size % 4096 == 0, "f_getpipe_sz", "%ld", size);

	/* A non-blocking write larger than the pipe writes what fits. */
	size_t big = 1 << 20;
	char *buf = malloc(big);
	for (size_t i = 0; i < big; i++)
		buf[i] = (char)(i * 13);
	check_eq("write_fills_pipe", write(p[1], buf, big), size);
	check_errno("write_full_eagain", write(p[1], "x", 1), EAGAIN);
	int n = -1;
	ioctl(p[0], FIONREAD, &n);
	check_eq("fionread_full", n, size);

	char *in = malloc(big);
	long got = 0, r;
	while ((r = read(p[0], in + got, 10000)) > 0)
		got += r;
	check(got == size && errno == EAGAIN && !memcmp(in, buf, size), "read_back_in_order",
	      "got %ld of %ld bytes, %s", got, size, got == size ? "data differs" : "");

	/* F_SETPIPE_SZ rounds up to a power-of-two number of pages. */
	long set = fcntl(p[1], F_SETPIPE_SZ, 3 * 4096);
	check(set == 4 * 4096 && fcntl(p[0], F_GETPIPE_SZ) == set, "f_setpipe_sz",
	      "F_SETPIPE_SZ(12288) = %ld, F_GETPIPE_SZ %d", set, fcntl(p[0], F_GETPIPE_SZ));
	check_eq("write_fills_resized", write(p[1], buf, big), 4 * 4096);
	check_errno("f_setpipe_sz_below_content_ebusy", fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
	free(buf);
	free(in);
	close(p[0]);
	close(p[1]);
}

static void broken(void)
{
	int p[2];

	/* With SIGPIPE ignored, writing to a pipe nobody can read gives EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	pipe(p);
	close(p[0]);
	check_errno("write_no_reader_epipe", write(p[1], "x", 1), EPIPE);
	check_errno("write_no_reader_epipe_again", write(p[1], "xyz", 3), EPIPE);
	close(p[1]);

	/* Data left in the pipe does not matter. */
	pipe(p);
	write(p[1], "left", 4);
	close(p[0]);
	check_errno("write_no_reader_with_data_epipe", write(p[1], "x", 1), EPIPE);
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);
}

int main(void)
{
	check_init("pipes");
	basics();
	flags();
	capacity();
	broken();
	return check_done();
}
