/* Physical page allocator. */
#pragma once
#include "types.h"

void pmm_init(void);
/* One page, not zeroed; 0 when memory is exhausted. */
paddr_t page_alloc(void);
paddr_t page_alloc_zeroed(void);
/* n physically contiguous pages, not zeroed; 0 when none. */
paddr_t pages_alloc(size_t n);
void page_free(paddr_t p);
u64 pmm_free_pages(void);
u64 pmm_total_pages(void);
