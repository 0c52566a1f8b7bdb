/*
 * mremap.c: mremap(2) and madvise(2) on private anonymous memory. glibc's
 * and musl's realloc move large blocks with mremap, and allocators give
 * memory back with MADV_DONTNEED, after which it reads as zero.
 * As in mmap_anon.c, getrandom(2) probes whether a page is mapped and
 * writable: it fails with EFAULT where it is not.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000 /* linux/mman.h, Linux 4.17 */
#endif

#define PAGE 4096ul
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static char *map(void *hint, size_t len, int flags)
{
	return mmap(hint, len, RW, flags, -1, 0);
}

static int mapped(void *p)
{
	return syscall(SYS_getrandom, p, 8, 0) == 8;
}

static void fill(char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)(i * 7 + seed);
}

static int same(const char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (char)(i * 7 + seed))
			return 0;
	return 1;
}

static int zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/*
 * Eight free pages: map them and unmap all but the first n, so that the
 * space after the mapping is known to be free.
 */
static char *map_with_room(size_t n)
{
	char *p = map(NULL, 8 * PAGE, ANON);
	if (p == MAP_FAILED)
		return p;
	munmap(p + n * PAGE, (8 - n) * PAGE);
	return p;
}

static void shrink_and_grow(void)
{
	char *p = map_with_room(4);
	if (!check_ok("setup", (long)p))
		return;
	fill(p, 4 * PAGE, 1);

	char *r = mremap(p, 4 * PAGE, 2 * PAGE, 0);
	check_eq("shrink_in_place", (long)r, (long)p);
	check(same(p, 2 * PAGE, 1), "shrink_keeps_data", "data changed");
	check(!mapped(p + 2 * PAGE) && !mapped(p + 3 * PAGE), "shrink_unmaps_tail",
	      "the tail is still mapped");

	/* The pages after it are free, so it grows where it is. */
	r = mremap(p, 2 * PAGE, 6 * PAGE, 0);
	check_eq("grow_in_place", (long)r, (long)p);
	if (r == p) {
		check(same(p, 2 * PAGE, 1), "grow_keeps_data", "data changed");
		check(zero(p + 2 * PAGE, 4 * PAGE), "grow_zero_tail",
		      "the new pages are not zero");
	}
	munmap(p, 8 * PAGE);
}

static void blocked(void)
{
	char *p = map_with_room(2);
	if (!check_ok("blocked_setup", (long)p))
		return;
	char *wall = map(p + 2 * PAGE, PAGE, ANON | MAP_FIXED_NOREPLACE);
	if (!check(wall == p + 2 * PAGE, "blocked_wall", "could not map the page after"))
		return;
	memset(wall, 0x77, PAGE);
	fill(p, 2 * PAGE, 2);

	/* Without MREMAP_MAYMOVE a blocked mapping cannot grow. */
	check_errno("grow_blocked_enomem", (long)mremap(p, 2 * PAGE, 4 * PAGE, 0), ENOMEM);
	check(same(p, 2 * PAGE, 2), "grow_blocked_no_change", "data changed");

	/* With it, the mapping moves and takes its contents along. */
	char *q = mremap(p, 2 * PAGE, 16 * PAGE, MREMAP_MAYMOVE);
	if (check_ok("maymove", (long)q)) {
		check(q != p, "maymove_moved", "returned the old address %p", (void *)p);
		check(same(q, 2 * PAGE, 2) && zero(q + 2 * PAGE, 14 * PAGE),
		      "maymove_data", "data not carried over, or the rest not zero");
		check(!mapped(p) && !mapped(p + PAGE), "maymove_old_unmapped",
		      "the old range is still mapped");
		check(wall[0] == 0x77 && wall[PAGE - 1] == 0x77, "maymove_wall_untouched",
		      "the neighbouring mapping changed");
		munmap(q, 16 * PAGE);
	}
	munmap(wall, PAGE);
}

static void fixed(void)
{
	char *src = map(NULL, 2 * PAGE, ANON);
	char *dst = map(NULL, 3 * PAGE, ANON);
	if (!check_ok("fixed_setup", (long)src) || !check_ok("fixed_setup_dst", (long)dst))
		return;
	fill(src, 2 * PAGE, 3);
	memset(dst, 0x11, 3 * PAGE);
	char *r = mremap(src, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	check_eq("fixed_move", (long)r, (long)dst);
	check(same(dst, 2 * PAGE, 3), "fixed_data", "data not moved");
	check((unsigned char)dst[2 * PAGE] == 0x11, "fixed_rest_kept",
	      "the page after the target changed");
	check(!mapped(src), "fixed_source_unmapped", "the source is still mapped");
	munmap(dst, 3 * PAGE);
}

/* Raw system calls: libc wrappers check some arguments themselves. */
static long raw_mremap(void *old, size_t old_len, size_t new_len, long flags, void *new)
{
	return syscall(SYS_mremap, old, old_len, new_len, flags, new);
}

static void errors(void)
{
	char *p = map(NULL, 2 * PAGE, ANON);
	if (!check_ok("errors_setup", (long)p))
		return;
	check_errno("unaligned_einval", raw_mremap(p + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0),
		    EINVAL);
	check_errno("new_size_0_einval", raw_mremap(p, PAGE, 0, MREMAP_MAYMOVE, 0), EINVAL);
	check_errno("fixed_without_maymove_einval",
		    raw_mremap(p, PAGE, PAGE, MREMAP_FIXED, p + PAGE), EINVAL);
	check_errno("bad_flags_einval", raw_mremap(p, PAGE, PAGE, 0x80, 0), EINVAL);
	check(mapped(p) && mapped(p + PAGE), "errors_no_change",
	      "a refused mremap changed the mapping");
	munmap(p, 2 * PAGE);
	check_errno("unmapped_efault", raw_mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0),
		    EFAULT);
}

static void advice(void)
{
	char *p = map(NULL, 4 * PAGE, ANON);
	if (!check_ok("madvise_setup", (long)p))
		return;
	memset(p, 0x5a, 4 * PAGE);
	check_eq("madv_dontneed", madvise(p + PAGE, 2 * PAGE, MADV_DONTNEED), 0);
	check(zero(p + PAGE, 2 * PAGE), "madv_dontneed_zeroes",
	      "private anonymous pages keep their data after MADV_DONTNEED");
	check((unsigned char)p[0] == 0x5a && (unsigned char)p[3 * PAGE] == 0x5a,
	      "madv_dontneed_neighbours", "pages outside the range changed");
	check(mapped(p + PAGE), "madv_dontneed_still_mapped", "the range was unmapped");
	check_eq("madv_willneed", madvise(p, 4 * PAGE, MADV_WILLNEED), 0);
	check_eq("madv_normal", madvise(p, 4 * PAGE, MADV_NORMAL), 0);
	check_errno("madvise_unaligned_einval", madvise(p + 1, PAGE, MADV_NORMAL), EINVAL);
	check_errno("madvise_bad_advice_einval", madvise(p, PAGE, 12345), EINVAL);
	munmap(p, 4 * PAGE);
	check_errno("madvise_unmapped_enomem", madvise(p, PAGE, MADV_WILLNEED), ENOMEM);
}

int main(void)
{
	check_init("mremap");
	shrink_and_grow();
	blocked();
	fixed();
	errors();
	advice();
	return check_done();
}
