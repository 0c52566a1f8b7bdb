/*
 * mmap_anon.c: anonymous mmap, munmap and mprotect as Linux does them.
 *
 * Without signal handlers, whether a page is mapped and with what access is
 * seen through system calls that touch user memory: the kernel answers
 * EFAULT where the page is missing or lacks the access. getrandom(2) writes
 * the buffer it is given, nanosleep(2) reads its timespec, and
 * MAP_FIXED_NOREPLACE fails with EEXIST on a range that is still mapped.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000 /* linux/mman.h, Linux 4.17 */
#endif

#define PAGE 4096ul
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static char *map(void *hint, size_t len, int prot, int flags)
{
	return mmap(hint, len, prot, flags, -1, 0);
}

/* Can the kernel write 16 bytes at p? */
static int kernel_can_write(void *p)
{
	return syscall(SYS_getrandom, p, 16, 0) == 16;
}

/* Can the kernel read a (zero) timespec at p? nanosleep({0,0}) returns 0. */
static int kernel_can_read(void *p)
{
	return syscall(SYS_nanosleep, p, NULL) == 0;
}

static int all_bytes(const char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] != v)
			return 0;
	return 1;
}

static int overlaps(const char *a, size_t alen, const char *b, size_t blen)
{
	return a < b + blen && b < a + alen;
}

/* MAP_FIXED_NOREPLACE at [p, p+len): 1 if the range was free (then unmapped again). */
static long noreplace(char *p, size_t len)
{
	char *r = map(p, len, RW, ANON | MAP_FIXED_NOREPLACE);
	if (r == MAP_FAILED)
		return -1;
	munmap(r, len);
	return r == p ? 0 : (long)r;
}

static void basic(void)
{
	char *p = map(NULL, 16 * PAGE, RW, ANON);
	if (!check_ok("basic", (long)p))
		return;
	check(((uintptr_t)p & (PAGE - 1)) == 0, "page_aligned", "mmap returned %p",
	      (void *)p);
	check(all_bytes(p, 16 * PAGE, 0), "zero_filled", "fresh mapping not zero");
	memset(p, 0x11, 16 * PAGE);
	check(all_bytes(p, 16 * PAGE, 0x11), "writable", "writes did not stick");
	check_eq("munmap", munmap(p, 16 * PAGE), 0);

	/* Two mappings never overlap. */
	char *a = map(NULL, 3 * PAGE, RW, ANON);
	char *b = map(NULL, 3 * PAGE, RW, ANON);
	if (a != MAP_FAILED && b != MAP_FAILED)
		check(!overlaps(a, 3 * PAGE, b, 3 * PAGE), "distinct",
		      "mappings %p and %p overlap", (void *)a, (void *)b);
	else
		fail("distinct", "mmap failed with %s", errno_name(errno));
	munmap(a, 3 * PAGE);
	munmap(b, 3 * PAGE);

	/* An odd length maps whole pages. */
	char *c = map(NULL, 100, RW, ANON);
	if (check_ok("odd_length", (long)c)) {
		memset(c, 0x22, PAGE);
		check(all_bytes(c, PAGE, 0x22), "odd_length_whole_page",
		      "the rest of the page is not usable");
		munmap(c, 100);
	}

	/* PROT_NONE then mprotect to read-write: zero and usable. */
	char *d = map(NULL, 2 * PAGE, PROT_NONE, ANON);
	if (check_ok("prot_none", (long)d)) {
		check(!kernel_can_read(d), "prot_none_unreadable",
		      "nanosleep read a PROT_NONE timespec");
		check_eq("prot_none_to_rw", mprotect(d, 2 * PAGE, RW), 0);
		check(all_bytes(d, 2 * PAGE, 0), "prot_none_to_rw_zero",
		      "memory not zero after mprotect");
		munmap(d, 2 * PAGE);
	}

	char *s = map(NULL, 2 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS);
	if (check_ok("shared_anon", (long)s)) {
		check(all_bytes(s, 2 * PAGE, 0), "shared_anon_zero", "not zero");
		memset(s, 0x33, 2 * PAGE);
		check(all_bytes(s, 2 * PAGE, 0x33), "shared_anon_writable",
		      "writes did not stick");
		munmap(s, 2 * PAGE);
	}

	/* Demand paging: a large reservation costs nothing until touched. */
	size_t big = 1ul << 30;
	char *g = map(NULL, big, RW, ANON | MAP_NORESERVE);
	if (check_ok("noreserve_1g", (long)g)) {
		g[0] = 1;
		g[big / 2] = 2;
		g[big - 1] = 3;
		check(g[0] == 1 && g[big / 2] == 2 && g[big - 1] == 3 && g[PAGE] == 0,
		      "noreserve_1g_touch", "sparse writes did not stick");
		munmap(g, big);
	}
}

/* Unmap the middle page of five: the hole is gone, the ends remain. */
static void partial_munmap(void)
{
	char *p = map(NULL, 5 * PAGE, RW, ANON);
	if (!check_ok("partial_setup", (long)p))
		return;
	memset(p, 0x44, 5 * PAGE);
	check_eq("partial_munmap", munmap(p + 2 * PAGE, PAGE), 0);
	check(!kernel_can_write(p + 2 * PAGE), "partial_hole_unmapped",
	      "getrandom wrote into the unmapped hole");
	check(kernel_can_write(p + PAGE) && kernel_can_write(p + 3 * PAGE),
	      "partial_ends_mapped", "getrandom could not write next to the hole");
	check_eq("partial_hole_noreplace", noreplace(p + 2 * PAGE, PAGE), 0);
	check_errno("partial_left_eexist", noreplace(p + PAGE, PAGE), EEXIST);
	check_errno("partial_right_eexist", noreplace(p + 3 * PAGE, PAGE), EEXIST);
	check_errno("partial_span_eexist", noreplace(p + PAGE, 3 * PAGE), EEXIST);
	check(all_bytes(p, PAGE, 0x44) && all_bytes(p + 4 * PAGE, PAGE, 0x44),
	      "partial_ends_keep_data", "data next to the hole changed");

	/* Unmapping a range with a hole in it, and unmapped memory, is fine. */
	check_eq("munmap_across_hole", munmap(p, 5 * PAGE), 0);
	check_eq("munmap_unmapped", munmap(p, 5 * PAGE), 0);
	check_eq("after_munmap_noreplace", noreplace(p, 5 * PAGE), 0);

	/* munmap rounds the length up to whole pages. */
	char *q = map(NULL, 2 * PAGE, RW, ANON);
	if (check_ok("odd_munmap_setup", (long)q)) {
		check_eq("odd_munmap", munmap(q, 100), 0);
		check(!kernel_can_write(q), "odd_munmap_whole_page",
		      "first page still mapped after munmap(p, 100)");
		check(kernel_can_write(q + PAGE), "odd_munmap_next_page_kept",
		      "second page unmapped by munmap(p, 100)");
		munmap(q, 2 * PAGE);
	}
}

static void fixed(void)
{
	char *p = map(NULL, 4 * PAGE, RW, ANON);
	if (!check_ok("fixed_setup", (long)p))
		return;
	memset(p, 0x55, 4 * PAGE);

	/* MAP_FIXED over an existing mapping replaces it with zero pages. */
	char *r = map(p + PAGE, 2 * PAGE, RW, ANON | MAP_FIXED);
	check_eq("fixed_replace_addr", (long)r, (long)(p + PAGE));
	check(all_bytes(p + PAGE, 2 * PAGE, 0), "fixed_replace_zeroed",
	      "replaced pages still hold old data");
	check(all_bytes(p, PAGE, 0x55) && all_bytes(p + 3 * PAGE, PAGE, 0x55),
	      "fixed_replace_neighbours", "pages around the replaced range changed");

	check_errno("fixed_noreplace_eexist",
		    (long)map(p + PAGE, PAGE, RW, ANON | MAP_FIXED_NOREPLACE), EEXIST);
	check_errno("fixed_unaligned_einval",
		    (long)map(p + 100, PAGE, RW, ANON | MAP_FIXED), EINVAL);
	check(all_bytes(p, PAGE, 0x55), "fixed_unaligned_no_change",
	      "a failed MAP_FIXED changed memory");
	munmap(p, 4 * PAGE);

	/* A hint at a free, aligned address is taken as is. */
	char *h = map(NULL, 8 * PAGE, RW, ANON);
	if (check_ok("hint_setup", (long)h)) {
		munmap(h, 8 * PAGE);
		char *h2 = map(h + 2 * PAGE, 2 * PAGE, RW, ANON);
		check_eq("hint_honoured", (long)h2, (long)(h + 2 * PAGE));
		/* A hint at a taken address yields some other, free address. */
		char *h3 = map(h2, 2 * PAGE, RW, ANON);
		if (h3 == MAP_FAILED)
			fail("hint_taken_elsewhere", "mmap failed with %s",
			     errno_name(errno));
		else
			check(!overlaps(h3, 2 * PAGE, h2, 2 * PAGE),
			      "hint_taken_elsewhere", "got %p overlapping %p",
			      (void *)h3, (void *)h2);
		if (h3 != MAP_FAILED)
			munmap(h3, 2 * PAGE);
		if (h2 != MAP_FAILED)
			munmap(h2, 2 * PAGE);
	}
}

static void errors(void)
{
	check_errno("len0_einval", (long)map(NULL, 0, RW, ANON), EINVAL);
	check_errno("no_type_einval",
		    (long)mmap(NULL, PAGE, RW, MAP_ANONYMOUS, -1, 0), EINVAL);
	check_errno("unaligned_offset_einval",
		    (long)mmap(NULL, PAGE, RW, ANON, -1, 123), EINVAL);
	/* Larger than the whole 47-bit user address space. */
	check_errno("huge_2pow47_enomem", (long)map(NULL, 1ul << 47, RW, ANON), ENOMEM);
	check_errno("huge_minus_page_enomem",
		    (long)map(NULL, (size_t)-PAGE, RW, ANON), ENOMEM);
	check_errno("huge_minus_1_enomem", (long)map(NULL, (size_t)-1, RW, ANON),
		    ENOMEM);

	/*
	 * 64 TiB fits in the address space, but the default overcommit
	 * heuristic (vm.overcommit_memory=0) refuses a private writable
	 * mapping larger than RAM plus swap. Mode 1 would allow it.
	 */
	int always = 0;
	FILE *f = fopen("/proc/sys/vm/overcommit_memory", "r");
	if (f) {
		always = fgetc(f) == '1';
		fclose(f);
	}
	char *big = map(NULL, 1ul << 46, RW, ANON);
	if (always) {
		check(big != MAP_FAILED, "huge_2pow46_overcommit",
		      "failed with %s under vm.overcommit_memory=1",
		      errno_name(errno));
	} else {
		check_errno("huge_2pow46_enomem", (long)big, ENOMEM);
	}
	if (big != MAP_FAILED)
		munmap(big, 1ul << 46);

	char *p = map(NULL, 2 * PAGE, RW, ANON);
	if (!check_ok("errors_setup", (long)p))
		return;
	check_errno("munmap_unaligned_einval", munmap(p + 1, PAGE), EINVAL);
	check_errno("munmap_len0_einval", munmap(p, 0), EINVAL);
	/* Raw syscall: musl's mprotect() rounds the address down itself. */
	check_errno("mprotect_unaligned_einval",
		    syscall(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL);
	check(kernel_can_write(p), "failed_calls_no_change",
	      "mapping lost after failed munmap/mprotect");
	munmap(p, 2 * PAGE);
	check_errno("mprotect_unmapped_enomem", mprotect(p, PAGE, PROT_READ), ENOMEM);
}

static void protect(void)
{
	char *p = map(NULL, 2 * PAGE, RW, ANON);
	if (!check_ok("mprotect_setup", (long)p))
		return;
	memset(p, 0x66, PAGE);	/* the second page stays zero: a valid timespec */

	check_eq("mprotect_ro", mprotect(p, 2 * PAGE, PROT_READ), 0);
	check(all_bytes(p, PAGE, 0x66), "mprotect_ro_readable",
	      "data changed after PROT_READ");
	check(!kernel_can_write(p), "mprotect_ro_not_writable",
	      "getrandom wrote into a PROT_READ page");
	check(kernel_can_read(p + PAGE), "mprotect_ro_kernel_reads",
	      "nanosleep could not read a PROT_READ page");

	check_eq("mprotect_rw", mprotect(p, 2 * PAGE, RW), 0);
	check(all_bytes(p, PAGE, 0x66), "mprotect_rw_preserved",
	      "data changed after PROT_READ -> PROT_READ|PROT_WRITE");
	check(kernel_can_write(p), "mprotect_rw_writable",
	      "getrandom could not write after mprotect RW");
	p[0] = 1;
	check(p[0] == 1, "mprotect_rw_store", "store did not stick");

	check_eq("mprotect_none", mprotect(p + PAGE, PAGE, PROT_NONE), 0);
	check(!kernel_can_read(p + PAGE), "mprotect_none_unreadable",
	      "nanosleep read a PROT_NONE page");
	check(kernel_can_write(p + 8), "mprotect_none_neighbour_ok",
	      "the page below a PROT_NONE page lost access");
	munmap(p, 2 * PAGE);
}

int main(void)
{
	check_init("mmap_anon");
	basic();
	partial_munmap();
	fixed();
	errors();
	protect();
	return check_done();
}
