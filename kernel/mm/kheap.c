/* Power-of-two size classes from 32 bytes to 2 KiB, carved from whole pages; larger requests get
 * contiguous pages. Each block carries a 16-byte header naming its class, so kfree needs no size.
 * Lock: a spinlock of its own, taken before the page allocator's: the scheduler frees a dead
 * thread's struct on any CPU without the big kernel lock. */
#include "mm/kheap.h"
#include "mm/pmm.h"
#include "core/log.h"
#include "lib/string.h"
#include "sched/spinlock.h"

#define MIN_SHIFT 5
#define MAX_SHIFT 11
#define NCLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define HEADER 16
#define BIG_CLASS 0xff

struct header {
	u32 class;  /* index into free_lists, or BIG_CLASS */
	u32 pages;  /* for BIG_CLASS */
	u64 magic;
};
#define MAGIC 0x6d6f6e6f73686561UL

struct free_block {
	struct free_block *next;
};
static struct free_block *free_lists[NCLASSES];
static struct spinlock heap_lock;

static void refill(unsigned class)
{
	paddr_t p = page_alloc();
	if (!p)
		return;
	size_t size = 1UL << (class + MIN_SHIFT);
	u8 *page = phys_to_virt(p);
	for (size_t off = 0; off + size <= PAGE_SIZE; off += size) {
		struct free_block *b = (void *)(page + off);
		b->next = free_lists[class];
		free_lists[class] = b;
	}
}

void *kmalloc(size_t n)
{
	size_t need = n + HEADER;
	struct header *h;
	if (need > (1UL << MAX_SHIFT)) {
		size_t pages = PAGE_ALIGN_UP(need) / PAGE_SIZE;
		paddr_t p = pages == 1 ? page_alloc() : pages_alloc(pages);
		if (!p)
			return NULL;
		h = phys_to_virt(p);
		h->class = BIG_CLASS;
		h->pages = (u32)pages;
	} else {
		unsigned class = 0;
		while ((1UL << (class + MIN_SHIFT)) < need)
			class++;
		u64 flags = spin_lock_irqsave(&heap_lock);
		if (!free_lists[class])
			refill(class);
		h = (void *)free_lists[class];
		if (h)
			free_lists[class] = free_lists[class]->next;
		spin_unlock_irqrestore(&heap_lock, flags);
		if (!h)
			return NULL;
		h->class = class;
	}
	h->magic = MAGIC;
	return (u8 *)h + HEADER;
}

void *kzalloc(size_t n)
{
	void *p = kmalloc(n);
	if (p)
		memset(p, 0, n);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct header *h = (void *)((u8 *)p - HEADER);
	BUG_ON(h->magic != MAGIC);
	h->magic = 0;
	if (h->class == BIG_CLASS) {
		/* Read before the loop: a freed page holds the allocator's links, so the first
		 * page_free overwrites the header. */
		u32 pages = h->pages;
		paddr_t base = virt_to_phys(h);
		for (u32 i = 0; i < pages; i++)
			page_free(base + i * PAGE_SIZE);
		return;
	}
	u32 class = h->class; /* the link below overwrites the header */
	struct free_block *b = (void *)h;
	u64 flags = spin_lock_irqsave(&heap_lock);
	b->next = free_lists[class];
	free_lists[class] = b;
	spin_unlock_irqrestore(&heap_lock, flags);
}
