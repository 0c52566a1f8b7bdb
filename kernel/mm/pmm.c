/* The physical page allocator: a buddy system for pages that were freed, fed from ranges of RAM
 * never handed out yet (carved from the front, so boot touches no free page and its cost does
 * not grow with -m).
 *
 * A freed page goes back as a block of order 0 and merges with its buddy (the block of the same
 * order whose frame number differs in bit `order`) while that buddy is free too, so memory
 * freed a page at a time (a kmalloc'd buffer, a thread's stack) comes back as the large blocks
 * multi-page allocations need, however the single-page allocations in between interleave. Free
 * blocks are kept on one doubly linked list per order, threaded through the blocks themselves;
 * one byte per page frame says whether that frame heads a free block and of which order. That
 * byte array (1/4096 of RAM) is the only memory set up at boot.
 *
 * Allocation prefers freed blocks (reused memory) over the untouched ranges.
 *
 * Lock: a spinlock of its own (interrupts off while held). Most callers hold the big kernel
 * lock, but not all: the scheduler frees a dead thread's stack right after switching away from
 * it, before the next thread takes the big lock, on any CPU. */
#include "mm/pmm.h"
#include "core/bootinfo.h"
#include "core/log.h"
#include "lib/string.h"
#include "sched/spinlock.h"

#define MAX_ORDER 11 /* blocks of 1 to 1024 pages (4 MiB) */

static struct ram_range ranges[BOOT_MAX_RAM_RANGES];
static int nranges;
static u64 free_count, total_count;
static struct spinlock pmm_lock;

struct free_block {
	paddr_t next, prev; /* physical addresses; 0 ends the list (page 0 is never free) */
};
static paddr_t free_head[MAX_ORDER];
static u8 *head_order; /* per frame: 0, or 1 + the order of the free block it heads */
static u64 nframes;    /* frames head_order covers: up to the end of the highest range */

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

/* n pages from the untouched ranges; 0 when no range has them. */
static paddr_t take_untouched(size_t n)
{
	for (int i = 0; i < nranges; i++) {
		struct ram_range *r = &ranges[i];
		if (r->end - r->start >= n * PAGE_SIZE) {
			paddr_t p = r->start;
			r->start += n * PAGE_SIZE;
			return p;
		}
	}
	return 0;
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
		if (ranges[i].end > nframes * PAGE_SIZE)
			nframes = ranges[i].end / PAGE_SIZE;
	size_t map_pages = PAGE_ALIGN_UP(nframes) / PAGE_SIZE;
	paddr_t map = take_untouched(map_pages);
	if (!map)
		panic("pmm: no room for the page map (%lu frames)", nframes);
	head_order = phys_to_virt(map);
	memset(head_order, 0, nframes);
	for (int i = 0; i < nranges; i++)
		if (ranges[i].end > ranges[i].start)
			total_count += (ranges[i].end - ranges[i].start) / PAGE_SIZE;
	free_count = total_count;
}

static struct free_block *block(paddr_t p) { return phys_to_virt(p); }

static void list_push(paddr_t p, unsigned order)
{
	struct free_block *b = block(p);
	b->prev = 0;
	b->next = free_head[order];
	if (b->next)
		block(b->next)->prev = p;
	free_head[order] = p;
	head_order[p / PAGE_SIZE] = (u8)(order + 1);
}

static void list_remove(paddr_t p, unsigned order)
{
	struct free_block *b = block(p);
	if (b->prev)
		block(b->prev)->next = b->next;
	else
		free_head[order] = b->next;
	if (b->next)
		block(b->next)->prev = b->prev;
	head_order[p / PAGE_SIZE] = 0;
}

/* Frees one page, merging it with free buddies into the largest block it can. */
static void free_one(paddr_t p)
{
	u64 frame = p / PAGE_SIZE;
	BUG_ON(frame >= nframes || head_order[frame]);
	unsigned order = 0;
	while (order + 1 < MAX_ORDER) {
		u64 buddy = frame ^ (1UL << order);
		if (buddy >= nframes || head_order[buddy] != order + 1)
			break;
		list_remove(buddy * PAGE_SIZE, order);
		frame &= ~(1UL << order);
		order++;
	}
	list_push(frame * PAGE_SIZE, order);
}

/* A free block of exactly `order`, split from a larger one if need be; 0 when none. */
static paddr_t take_block(unsigned order)
{
	unsigned k = order;
	while (k < MAX_ORDER && !free_head[k])
		k++;
	if (k == MAX_ORDER)
		return 0;
	paddr_t p = free_head[k];
	list_remove(p, k);
	while (k > order) { /* the upper halves go back, each on its own list */
		k--;
		list_push(p + (PAGE_SIZE << k), k);
	}
	return p;
}

paddr_t pages_alloc(size_t n)
{
	if (n == 0)
		return 0;
	unsigned order = 0;
	while ((1UL << order) < n)
		order++;
	u64 flags = spin_lock_irqsave(&pmm_lock);
	paddr_t p = order < MAX_ORDER ? take_block(order) : 0;
	if (p) {
		/* The block's tail beyond n goes back (and merges again). */
		for (size_t i = n; i < (1UL << order); i++)
			free_one(p + i * PAGE_SIZE);
	} else {
		p = take_untouched(n);
	}
	if (p)
		free_count -= n;
	spin_unlock_irqrestore(&pmm_lock, flags);
	return p;
}

paddr_t page_alloc(void)
{
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
	u64 flags = spin_lock_irqsave(&pmm_lock);
	free_one(p);
	free_count++;
	spin_unlock_irqrestore(&pmm_lock, flags);
}

u64 pmm_free_pages(void) { return free_count; }
u64 pmm_total_pages(void) { return total_count; }
