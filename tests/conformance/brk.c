/*
 * brk.c: the program break as the raw brk(2) system call sees it. Linux
 * keeps the exact byte value asked for, maps whole pages up to it, never
 * fails with -1 (a refused request returns the unchanged break), and keeps
 * a gap of at least one page below the next mapping.
 *
 * Only syscall(SYS_brk) is used, and nothing here calls malloc, so libc's
 * own idea of the break is never consulted (check.h's stdout buffer is static).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000 /* linux/mman.h, Linux 4.17 */
#endif

#define PAGE 4096ul

/* The ELF header and the end of .bss, from the default linker script. */
extern const Elf64_Ehdr __ehdr_start;
extern char end[];

static uintptr_t sys_brk(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

static uintptr_t page_up(uintptr_t a)
{
	return (a + PAGE - 1) & ~(PAGE - 1);
}

/* First non-zero byte in [p, p + n), or -1. */
static long first_nonzero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return (long)i;
	return -1;
}

static int all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static void check_brk_eq(const char *name, uintptr_t got, uintptr_t want)
{
	check(got == want, name, "brk returned 0x%lx, expected 0x%lx",
	      (unsigned long)got, (unsigned long)want);
}

int main(void)
{
	check_init("brk");

	uintptr_t b0 = sys_brk(0);
	check(b0 != (uintptr_t)-1 && b0 != 0, "query", "brk(0) = 0x%lx",
	      (unsigned long)b0);
	check_brk_eq("query_stable", sys_brk(0), b0);
	/*
	 * For a fixed-address executable the heap starts after .bss. A static
	 * PIE gets its heap away from the image (Linux 5.18 moved it to
	 * ELF_ET_DYN_BASE), but never inside it.
	 */
	if (__ehdr_start.e_type == ET_EXEC)
		check(b0 >= (uintptr_t)end, "above_bss",
		      "break 0x%lx is below the end of .bss %p", (unsigned long)b0,
		      (void *)end);
	else
		check(b0 >= (uintptr_t)end || b0 < (uintptr_t)&__ehdr_start,
		      "outside_image", "break 0x%lx is inside the image %p..%p",
		      (unsigned long)b0, (void *)&__ehdr_start, (void *)end);

	/* Byte granular: the break is exactly what was asked for. */
	check_brk_eq("grow_one_byte", sys_brk(b0 + 1), b0 + 1);
	check_brk_eq("grow_one_byte_query", sys_brk(0), b0 + 1);

	/* Grow by several pages to an unaligned end. */
	uintptr_t base = page_up(b0);
	uintptr_t top = base + 5 * PAGE + 123;
	check_brk_eq("grow_unaligned", sys_brk(top), top);
	check_brk_eq("grow_unaligned_query", sys_brk(0), top);

	/* Fresh pages read as zero; everything below the break is usable. */
	long nz = first_nonzero((const unsigned char *)base, top - base);
	check(nz < 0, "grow_zeroed", "byte at 0x%lx is non-zero",
	      (unsigned long)(base + nz));
	memset((void *)b0, 0xa5, top - b0);
	check(all_bytes((const unsigned char *)b0, top - b0, 0xa5), "grow_usable",
	      "bytes written below the break did not keep their value");

	/* Shrink to one page: what stays below the break keeps its data. */
	uintptr_t low = base + PAGE;
	check_brk_eq("shrink", sys_brk(low), low);
	check_brk_eq("shrink_query", sys_brk(0), low);
	check(all_bytes((const unsigned char *)b0, low - b0, 0xa5),
	      "shrink_keeps_below", "data below the new break changed");

	/* Growing again brings back zeroed pages, not the old contents. */
	check_brk_eq("shrink_regrow", sys_brk(top), top);
	nz = first_nonzero((const unsigned char *)low, top - low);
	check(nz < 0, "shrink_regrow_zeroed",
	      "byte at 0x%lx still holds old data 0x%02x",
	      (unsigned long)(low + nz),
	      nz < 0 ? 0 : ((unsigned char *)low)[nz]);

	/* Refused requests return the current break and change nothing. */
	uintptr_t cur = sys_brk(0);
	check_brk_eq("huge_refused", sys_brk(1ul << 47), cur);
	check_brk_eq("huge_refused_query", sys_brk(0), cur);
	check_brk_eq("top_of_space_refused", sys_brk((uintptr_t)-PAGE), cur);
	/* Below the start of the heap: the address of code in .text. */
	check_brk_eq("below_start_refused", sys_brk((uintptr_t)&main), cur);
	check_brk_eq("below_start_query", sys_brk(0), cur);
	check(*(volatile unsigned char *)b0 == 0xa5, "below_start_keeps_data",
	      "heap data changed after a refused brk");

	/*
	 * A mapping above the break: brk may not grow into it nor over it,
	 * and the mapping is left alone.
	 */
	uintptr_t want = page_up(cur) + 64 * PAGE;
	void *m = mmap((void *)want, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (m == MAP_FAILED) {
		fail("mmap_above_heap", "mmap at 0x%lx failed with %s",
		     (unsigned long)want, errno_name(errno));
	} else if ((uintptr_t)m != want) {
		fail("mmap_above_heap", "mmap returned %p, asked for 0x%lx", m,
		     (unsigned long)want);
		munmap(m, PAGE);
	} else {
		pass("mmap_above_heap");
		memset(m, 0x5a, PAGE);
		check_brk_eq("grow_into_mmap_refused", sys_brk(want + 10), cur);
		check_brk_eq("grow_over_mmap_refused", sys_brk(want + 4 * PAGE), cur);
		check_brk_eq("grow_into_mmap_query", sys_brk(0), cur);
		check(all_bytes(m, PAGE, 0x5a), "mmap_untouched",
		      "the mapping above the heap changed");
		/* Growing short of the mapping (leaving the guard page) works. */
		uintptr_t below = want - 8 * PAGE;
		check_brk_eq("grow_below_mmap", sys_brk(below), below);
		nz = first_nonzero((const unsigned char *)page_up(top),
				   below - page_up(top));
		check(nz < 0, "grow_below_mmap_zeroed", "byte at 0x%lx is non-zero",
		      (unsigned long)(page_up(top) + nz));
		munmap(m, PAGE);
	}

	/* Back to where we started. */
	check_brk_eq("restore", sys_brk(b0), b0);
	return check_done();
}
