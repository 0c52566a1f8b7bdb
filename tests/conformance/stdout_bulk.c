/*
 * stdout_bulk.c: a lot of output, written in large and small pieces to
 * stdout (a pipe) and stderr, must arrive complete and unchanged. The
 * harness counts the lines (expect-count); the program checks that each
 * write reported the full length.
 */
// expect-count: 6000 ^# bulk [0-9]{5} abcdefghijklmnopqrstuvwxyz0123456789$
// expect-stderr-count: 1000 ^# bulk-err [0-9]{5} ABCDEFGHIJKLMNOPQRSTUVWXYZ$
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

#define LINE "# bulk %05d abcdefghijklmnopqrstuvwxyz0123456789\n"
#define LINE_LEN 50
#define ERR_LINE "# bulk-err %05d ABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
#define ERR_LINE_LEN 44

static char big[3000 * LINE_LEN + 1];

int main(void)
{
	check_init("stdout_bulk");

	/* 2000 lines through stdio in 64 KiB blocks. */
	static char fullbuf[65536];
	setvbuf(stdout, fullbuf, _IOFBF, sizeof(fullbuf));
	int ok = 1;
	for (int i = 0; i < 2000; i++)
		ok &= printf(LINE, i) == LINE_LEN;
	ok &= fflush(stdout) == 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	check(ok, "stdio_lines", "printf or fflush came up short");

	/* 3000 lines in one write of 150000 bytes. */
	for (int i = 0; i < 3000; i++)
		snprintf(big + i * LINE_LEN, LINE_LEN + 1, LINE, 2000 + i);
	size_t n = 3000 * LINE_LEN;
	ssize_t w = write(1, big, n);
	check(w == (ssize_t)n, "one_big_write", "write returned %zd of %zu (%s)", w, n,
	      w < 0 ? errno_name(errno) : "short");

	/* 1000 lines with writev, one iovec per line. */
	static struct iovec iov[1000];
	for (int i = 0; i < 1000; i++) {
		snprintf(big + i * LINE_LEN, LINE_LEN + 1, LINE, 5000 + i);
		iov[i].iov_base = big + i * LINE_LEN;
		iov[i].iov_len = LINE_LEN;
	}
	w = writev(1, iov, 1000);
	check(w == 1000 * LINE_LEN, "writev_1000", "writev returned %zd of %d", w,
	      1000 * LINE_LEN);

	/* 1000 lines to stderr in one write. */
	for (int i = 0; i < 1000; i++)
		snprintf(big + i * ERR_LINE_LEN, ERR_LINE_LEN + 1, ERR_LINE, i);
	w = write(2, big, 1000 * ERR_LINE_LEN);
	check(w == 1000 * ERR_LINE_LEN, "stderr_big_write", "write(2) returned %zd of %d",
	      w, 1000 * ERR_LINE_LEN);
	return check_done();
}
