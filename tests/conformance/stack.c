/*
 * stack.c: the main thread's stack grows on demand up to RLIMIT_STACK
 * (8 MiB by default), so a program may use megabytes of it. Linux does not
 * require the pages to be touched in order (since 4.20 any access below
 * %rsp inside the stack's reach is allowed).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "check.h"

#define MB (1024ul * 1024)

/* A frame of n bytes, touched from its far end first, then checked. */
__attribute__((noinline)) static int big_frame(size_t n, unsigned char seed)
{
	volatile unsigned char *buf = __builtin_alloca(n);
	for (size_t i = 0; i < n; i += 4096)
		buf[i] = (unsigned char)(seed + i / 4096);
	buf[n - 1] = seed;
	for (size_t i = 0; i < n; i += 4096)
		if (buf[i] != (unsigned char)(seed + i / 4096))
			return 0;
	return buf[n - 1] == seed;
}

/*
 * Recursion with 16 KiB frames: the stack grows page by page. Returns the
 * number of frames below this one, or -1 if a frame lost its contents.
 */
__attribute__((noinline)) static long deep(int depth, volatile char *parent)
{
	volatile char frame[16384];
	frame[0] = (char)depth;
	frame[sizeof(frame) - 1] = (char)depth;
	if (parent && parent[0] != (char)(depth + 1))
		return -1;
	if (depth == 0)
		return 0;
	long below = deep(depth - 1, frame);
	if (below < 0 || frame[0] != (char)depth || frame[sizeof(frame) - 1] != (char)depth)
		return -1;
	return below + 1;
}

int main(void)
{
	struct rlimit rl;

	check_init("stack");
	check_eq("getrlimit", getrlimit(RLIMIT_STACK, &rl), 0);
	/* Stay 1 MiB inside the limit (argv, env and libc use some), at most 6 MiB. */
	size_t use = 6 * MB;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < use + MB)
		use = rl.rlim_cur > 2 * MB ? rl.rlim_cur - MB : MB / 2;
	check(big_frame(use, 0x5a), "big_frame", "a %zu-byte frame lost data", use);
	check(big_frame(use, 0xa5), "big_frame_again", "reusing the grown stack lost data");
	int depth = (int)(use / 16384) - 8;
	long r = deep(depth, NULL);
	check(r == depth, "deep_recursion", "%d frames of 16 KiB: result %ld", depth, r);
	return check_done();
}
