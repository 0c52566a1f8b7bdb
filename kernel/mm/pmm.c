/* Free RAM is a set of ranges carved from the front (bump), plus a list of freed pages threaded
 * through the pages themselves. Boot touches no free page: the cost of setting up memory does not
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

paddr_t pages_alloc(size_t n)
{
	for (int i = 0; i < nranges; i++) {
		struct ram_range *r = &ranges[i];
		if (r->end - r->start >= n * PAGE_SIZE) {
			paddr_t p = r->start;
			r->start += n * PAGE_SIZE;
			free_count -= n;
			return p;
		}
	}
	return 0;
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
