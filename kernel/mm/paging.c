/* Builds the kernel's final page tables: every physical page up to max(RAM, 4 GiB) in the direct
 * map (2 MiB pages, no-execute), the kernel image with 4 KiB pages and exact permissions (text
 * RX, rodata R, data RW+NX), global. Then it serves the app's page-table walks. */
#include "mm/paging.h"
#include "arch/x86_64/smp.h"
#include "mm/pmm.h"
#include "core/bootinfo.h"
#include "core/log.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[], __kernel_end[];

static u64 *pml4;

static u64 *table_alloc(void)
{
	paddr_t p = page_alloc_zeroed();
	if (!p)
		panic("out of memory for page tables");
	return phys_to_virt(p);
}

/* The next-level table behind entry e, made when absent. */
static u64 *next_table(u64 *e, bool create, u64 flags)
{
	if (!(*e & PTE_P)) {
		if (!create)
			return NULL;
		paddr_t p = page_alloc_zeroed();
		if (!p)
			return NULL;
		*e = p | flags;
	}
	return phys_to_virt(*e & PTE_ADDR);
}

static unsigned idx(vaddr_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

static void map_kernel_page(vaddr_t va, paddr_t pa, u64 flags)
{
	u64 *t = pml4;
	for (int level = 3; level > 0; level--)
		t = next_table(&t[idx(va, level)], true, PTE_P | PTE_W);
	t[idx(va, 0)] = pa | flags;
}

static void map_direct(void)
{
	paddr_t top = MAX(bootinfo.max_ram, 0x100000000UL);
	for (paddr_t pa = 0; pa < top; pa += 0x200000) {
		vaddr_t va = PHYS_MAP_BASE + pa;
		u64 *t = pml4;
		for (int level = 3; level > 1; level--)
			t = next_table(&t[idx(va, level)], true, PTE_P | PTE_W);
		t[idx(va, 1)] = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
	}
}

static void map_image(void)
{
	for (vaddr_t va = (vaddr_t)__text_start; va < (vaddr_t)__kernel_end; va += PAGE_SIZE) {
		u64 flags = PTE_P | PTE_G;
		if (va >= (vaddr_t)__rodata_end)
			flags |= PTE_W | PTE_NX;
		else if (va >= (vaddr_t)__text_end)
			flags |= PTE_NX;
		map_kernel_page(va, va - KERNEL_VMA, flags);
	}
}

void paging_init(void)
{
	/* The early tables show the first GiB in the direct map, and the allocator hands out low
	 * pages first, so the new tables are reachable while we build them. */
	pml4 = table_alloc();
	map_direct();
	map_image();
	write_cr3(virt_to_phys(pml4));
}

u64 *pte_lookup(vaddr_t va, bool create)
{
	u64 *t = pml4;
	for (int level = 3; level > 0; level--) {
		t = next_table(&t[idx(va, level)], create, PTE_P | PTE_W | PTE_U);
		if (!t)
			return NULL;
	}
	return &t[idx(va, 0)];
}

void tlb_flush_page(vaddr_t va)
{
	tlb_shootdown(va, PAGE_SIZE);
}
