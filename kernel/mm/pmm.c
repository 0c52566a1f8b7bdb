/* Free RAM is a set of ranges carved from the front (bump), plus a list of freed pages threaded
 * through the pages themselves, from which runs of contiguous pages are taken again. Boot touches no free page: the cost of setting up memory does not
 * grow with -m. Lock: none yet (one CPU, no preemption in the kernel). */
#include "mm/pmm.h"
#include "core/bootinfo.h"
#include "core/log.h"
#include "lib/string.h"

static struct ram_range ranges[BOOT_MAX_RAM_RANGES];
static int nranges;
static paddr_t free_list; /* first freed page, 0 when empty */
static u64 free_count, total_count;

extern char __kernel_end[];

/* Removes [s, e) from the free ranges. */
static void reserve(paddr_t s, paddr_t e)
{
	s = PAGE_ALIGN_DOWN(s);
	e = PAGE_ALIGN_UP(e);
	for (int i = 0; i < nranges; i++) {
		struct ram_range *r = &ranges[i];
		if (e <= r->start || s >= r->end)
			continue;
		if (s > r->start && e < r->end && nranges < BOOT_MAX_RAM_RANGES) {
			ranges[nranges++] = (struct ram_range){ e, r->end };
			r->end = s;
		} else if (s <= r->start) {
			r->start = MIN(e, r->end);
		} else {
			r->end = s;
		}
	}
}

void pmm_init(void)
{
	nranges = bootinfo.nram;
	memcpy(ranges, bootinfo.ram, sizeof(ranges[0]) * nranges);
	reserve(0, 0x100000); /* BIOS data, start info, real-mode leftovers */
	reserve(0x100000, virt_to_phys(__kernel_end));
	if (bootinfo.initrd_size)
		reserve(bootinfo.initrd_start, bootinfo.initrd_start + bootinfo.initrd_size);
	for (int i = 0; i < nranges; i++)
		if (ranges[i].end > ranges[i].start)
			total_count += (ranges[i].end - ranges[i].start) / PAGE_SIZE;
	free_count = total_count;
}

static paddr_t next_free(paddr_t p) { return *(paddr_t *)phys_to_virt(p); }

/* Freed pages come back one at a time, but a block freed whole (a thread's kernel stack, a big
 * kmalloc) is freed in ascending order, so it sits in the free list as a run p+n-1, p+n-2, ...,
 * p. Takes the first such run of n pages among the first max_scan entries; 0 when none. */
static paddr_t take_run(size_t n, size_t max_scan)
{
	paddr_t *link = &free_list; /* the link that points at the candidate run */
	size_t scanned = 0;
	while (*link && scanned < max_scan) {
		paddr_t low = *link;
		size_t k = 1;
		while (k < n && next_free(low) == low - PAGE_SIZE) {
			low -= PAGE_SIZE;
			k++;
		}
		if (k == n) {
			*link = next_free(low);
			free_count -= n;
			return low;
		}
		scanned += k;
		link = (paddr_t *)phys_to_virt(low);
	}
	return 0;
}

/* n contiguous pages: a freed run near the head of the free list, else the untouched ranges,
 * else any freed run (a slow walk, only once the ranges are spent). Without the reuse every
 * multi-page block freed was lost to multi-page allocations for good. */
paddr_t pages_alloc(size_t n)
{
	if (n == 0)
		return 0;
	paddr_t p = n > 1 ? take_run(n, 64) : 0;
	if (p)
		return p;
	for (int i = 0; i < nranges; i++) {
		struct ram_range *r = &ranges[i];
		if (r->end - r->start >= n * PAGE_SIZE) {
			p = r->start;
			r->start += n * PAGE_SIZE;
			free_count -= n;
			return p;
		}
	}
	if (n == 1 && free_list)
		return take_run(1, 1);
	return n > 1 ? take_run(n, (size_t)-1) : 0;
}

paddr_t page_alloc(void)
{
	if (free_list) {
		paddr_t p = free_list;
		free_list = *(paddr_t *)phys_to_virt(p);
		free_count--;
		return p;
	}
	return pages_alloc(1);
}

paddr_t page_alloc_zeroed(void)
{
	paddr_t p = page_alloc();
	if (p)
		memset(phys_to_virt(p), 0, PAGE_SIZE);
	return p;
}

void page_free(paddr_t p)
{
	*(paddr_t *)phys_to_virt(p) = free_list;
	free_list = p;
	free_count++;
}

u64 pmm_free_pages(void) { return free_count; }
u64 pmm_total_pages(void) { return total_count; }
