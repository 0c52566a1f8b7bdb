/* x86-64 4-level page tables: the kernel's (direct map + image) and the app's lower half, which
 * share one PML4 (one process). */
#pragma once
#include "types.h"

#define PTE_P (1UL << 0)
#define PTE_W (1UL << 1)
#define PTE_U (1UL << 2)
#define PTE_PS (1UL << 7)
#define PTE_G (1UL << 8)
#define PTE_NX (1UL << 63)
/* Software bits. FOREIGN: the page belongs to a file, not to this mapping (never freed by
 * unmapping). COW: a file page in a private mapping, copied before the first write. */
#define PTE_FOREIGN (1UL << 9)
#define PTE_COW (1UL << 10)
#define PTE_ADDR 0x000ffffffffff000UL

void paging_init(void);
/* The leaf entry for a user address, creating tables when create is set; NULL if absent/no memory. */
u64 *pte_lookup(vaddr_t va, bool create);
/* Invalidates one page on every CPU (a TLB shootdown when more than one runs). */
void tlb_flush_page(vaddr_t va);
