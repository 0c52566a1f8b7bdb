/* VMAs in a sorted doubly-linked list, page tables filled on first touch. Range operations on page
 * tables skip absent upper-level tables, so unmapping or protecting a huge, mostly untouched
 * reservation costs what was touched, not its size. Lock: none yet (one CPU). */
#include "mm/vm.h"
#include "sched/bkl.h"
#include "mm/paging.h"
#include "arch/x86_64/smp.h"
#include "mm/pmm.h"
#include "mm/kheap.h"
#include "fs/vfs.h"
#include "core/log.h"
#include "lib/string.h"
#include "arch/x86_64/cpu.h"
#include "errno.h"
#include <asm-generic/siginfo.h>

#define PF_PRESENT 1
#define PF_WRITE 2
#define PF_INSN 16

struct mm mm;

/* Mapped file names are shared between the areas a split makes: a count stands before the text.
 * path_new copies a plain string into a counted one; path_ref shares a counted one. */
static const char *path_ref(const char *path)
{
	if (path)
		(*((u64 *)path - 1))++;
	return path;
}

static const char *path_new(const char *path)
{
	if (!path)
		return NULL;
	size_t n = strlen(path);
	u64 *copy = kmalloc(sizeof(u64) + n + 1);
	if (!copy)
		return NULL;
	copy[0] = 1;
	memcpy(copy + 1, path, n + 1);
	return (const char *)(copy + 1);
}

static void path_drop(const char *path)
{
	if (path && --*((u64 *)path - 1) == 0)
		kfree((u64 *)path - 1);
}
static u64 resident, resident_peak;

void vm_init(void)
{
	mm.list.next = mm.list.prev = &mm.list;
}

static bool is_head(const struct vma *v) { return v == &mm.list; }

struct vma *vma_find(vaddr_t addr)
{
	for (struct vma *v = mm.list.next; !is_head(v); v = v->next) {
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

bool vm_range_free(vaddr_t start, vaddr_t end)
{
	if (start >= end || end > USER_TOP)
		return false;
	for (struct vma *v = mm.list.next; !is_head(v); v = v->next)
		if (v->start < end && v->end > start)
			return false;
	return true;
}

static void insert_before(struct vma *pos, struct vma *v)
{
	v->next = pos;
	v->prev = pos->prev;
	pos->prev->next = v;
	pos->prev = v;
}

static void unlink_vma(struct vma *v)
{
	v->prev->next = v->next;
	v->next->prev = v->prev;
	if (v->file)
		inode_put(v->file);
	path_drop(v->path);
	kfree(v);
}

int vm_map_file(vaddr_t start, u64 len, u32 prot, struct inode *file, u64 pgoff, bool shared,
		bool may_write, const char *path)
{
	int err = vm_map(start, len, prot, VMA_MAPPED, NULL, 0);
	if (err)
		return err;
	struct vma *v = vma_find(start);
	v->file = file;
	v->pgoff = pgoff;
	v->shared = shared;
	v->may_write = may_write;
	v->path = path_new(path);
	inode_get(file);
	return 0;
}

int vm_map(vaddr_t start, u64 len, u32 prot, enum vma_kind kind, const u8 *src, u64 src_len)
{
	struct vma *v = kzalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->start = start;
	v->end = start + len;
	v->prot = prot;
	v->kind = kind;
	v->src = src;
	v->src_len = src_len;
	struct vma *pos = mm.list.next;
	while (!is_head(pos) && pos->start < start)
		pos = pos->next;
	insert_before(pos, v);
	return 0;
}

int vm_name_area(vaddr_t start, const char *name)
{
	struct vma *v = vma_find(start);
	if (!v || v->start != start)
		return -EINVAL;
	const char *copy = path_new(name);
	if (!copy)
		return -ENOMEM;
	path_drop(v->path);
	v->path = copy;
	return 0;
}

/* Splits v at addr (inside it); returns the upper part, or NULL when out of memory. */
static struct vma *split(struct vma *v, vaddr_t addr)
{
	struct vma *u = kmalloc(sizeof(*u));
	if (!u)
		return NULL;
	*u = *v;
	u->start = addr;
	u64 delta = addr - v->start;
	if (v->src) {
		u->src = v->src + delta;
		u->src_len = v->src_len > delta ? v->src_len - delta : 0;
	}
	if (u->file) {
		path_ref(u->path);
		inode_get(u->file);
		u->pgoff = v->pgoff + delta / PAGE_SIZE;
	}
	v->end = addr;
	insert_before(v->next, u);
	return u;
}

/* Visits the present leaf entries in [s, e) at one table level, skipping absent subtrees. */
typedef void (*pte_fn)(u64 *pte, vaddr_t va, void *arg);

static void walk(u64 *table, int level, vaddr_t base, vaddr_t s, vaddr_t e, pte_fn fn, void *arg)
{
	u64 span = 1UL << (12 + 9 * level);
	for (unsigned i = (s - base) / span; i < 512; i++) {
		vaddr_t lo = base + i * span;
		if (lo >= e)
			break;
		u64 *ent = &table[i];
		if (level == 0) {
			if (*ent & PTE_ADDR) /* present, or parked by PROT_NONE */
				fn(ent, lo, arg);
			continue;
		}
		if (!(*ent & PTE_P))
			continue;
		else
			walk(phys_to_virt(*ent & PTE_ADDR), level - 1, lo, MAX(s, lo), e, fn, arg);
	}
}

static void for_each_pte(vaddr_t s, vaddr_t e, pte_fn fn, void *arg)
{
	u64 *pml4 = phys_to_virt(read_cr3() & PTE_ADDR);
	walk(pml4, 3, 0, s, e, fn, arg);
}

/* Pages taken out of the page tables wait here until every CPU has forgotten them: one TLB
 * shootdown for a whole range instead of one per page, then the frees. */
struct unmap_batch {
	vaddr_t lo, hi;
	size_t n;
	paddr_t pages[256];
};

static void batch_flush(struct unmap_batch *b)
{
	if (b->hi > b->lo)
		tlb_shootdown(b->lo, b->hi - b->lo);
	for (size_t i = 0; i < b->n; i++)
		page_free(b->pages[i]);
	resident -= b->n;
	b->lo = b->hi = 0;
	b->n = 0;
}

static void drop_pte(u64 *pte, vaddr_t va, void *arg)
{
	struct unmap_batch *b = arg;
	u64 old = *pte;
	*pte = 0;
	if (b->hi == b->lo)
		b->lo = va;
	b->hi = va + PAGE_SIZE;
	if (!(old & PTE_FOREIGN)) {
		b->pages[b->n++] = old & PTE_ADDR;
		if (b->n == ARRAY_SIZE(b->pages))
			batch_flush(b);
	}
}

static void drop_range(vaddr_t start, vaddr_t end)
{
	struct unmap_batch b = { 0 };
	for_each_pte(start, end, drop_pte, &b);
	batch_flush(&b);
}

static u64 pte_flags(u32 prot)
{
	u64 f = PTE_P | PTE_U;
	if (prot & VM_WRITE)
		f |= PTE_W;
	if (!(prot & VM_EXEC))
		f |= PTE_NX;
	return f;
}

static void reprotect_pte(u64 *pte, vaddr_t va, void *arg)
{
	u32 prot = *(u32 *)arg;
	paddr_t pa = *pte & PTE_ADDR;
	/* PROT_NONE parks the page: not present, but its contents stay, as on Linux, for a later
	 * mprotect to bring back. */
	u64 soft = *pte & (PTE_FOREIGN | PTE_COW);
	u64 flags = prot ? pte_flags(prot) : 0;
	if (soft & PTE_COW)
		flags &= ~PTE_W; /* still shared with the file: the next write copies it */
	*pte = pa | flags | soft;
}

void vm_unmap(vaddr_t start, u64 len)
{
	vaddr_t end = start + len;
	struct vma *v = mm.list.next;
	while (!is_head(v) && v->start < end) {
		struct vma *next = v->next;
		if (v->end > start) {
			if (v->start < start) {
				struct vma *u = split(v, start);
				if (!u)
					return;
				v = u;
				next = v->next;
			}
			if (v->end > end && !split(v, end))
				return;
			next = v->next;
			unlink_vma(v);
		}
		v = next;
	}
	drop_range(start, end);
}

bool vm_range_mapped(vaddr_t start, vaddr_t end)
{
	vaddr_t cursor = start;
	for (struct vma *v = mm.list.next; !is_head(v) && cursor < end; v = v->next) {
		if (v->end <= cursor)
			continue;
		if (v->start > cursor)
			return false;
		cursor = v->end;
	}
	return cursor >= end;
}

bool vm_discard(vaddr_t start, u64 len)
{
	drop_range(start, start + len);
	return vm_range_mapped(start, start + len);
}

int vm_grow_heap(vaddr_t old_end, vaddr_t new_end)
{
	if (!vm_range_free(old_end, new_end))
		return -ENOMEM;
	for (struct vma *v = mm.list.next; !is_head(v); v = v->next) {
		if (v->kind == VMA_HEAP && v->end == old_end) {
			v->end = new_end;
			return 0;
		}
	}
	return vm_map(old_end, new_end - old_end, VM_READ | VM_WRITE, VMA_HEAP, NULL, 0);
}

int vm_protect(vaddr_t start, u64 len, u32 prot)
{
	vaddr_t end = start + len;
	/* Linux checks the whole range is mapped before changing anything. */
	if (!vm_range_mapped(start, end))
		return -ENOMEM;
	for (struct vma *v = mm.list.next; !is_head(v) && v->start < end; v = v->next)
		if (v->end > start && v->shared && !v->may_write && (prot & VM_WRITE))
			return -EACCES;
	for (struct vma *v = mm.list.next; !is_head(v) && v->start < end; v = v->next) {
		if (v->end <= start)
			continue;
		if (v->start < start) {
			if (!split(v, start))
				return -ENOMEM;
			continue; /* the upper part comes next */
		}
		if (v->end > end && !split(v, end))
			return -ENOMEM;
		v->prot = prot;
	}
	for_each_pte(start, end, reprotect_pte, &prot);
	tlb_shootdown(start, end - start); /* once for the range, not per page */
	return 0;
}

/* Moves the page-table entry of one page from `from` to `to` (a page-aligned target that has
 * no page of its own). */
static int move_page(vaddr_t from, vaddr_t to)
{
	u64 *src = pte_lookup(from, false);
	if (!src || !(*src & PTE_ADDR))
		return 0;
	u64 *dst = pte_lookup(to, true);
	if (!dst)
		return -ENOMEM;
	*dst = *src;
	*src = 0;
	tlb_flush_page(from);
	return 0;
}

long vm_remap(vaddr_t old, u64 old_len, u64 new_len, bool may_move, vaddr_t new_at)
{
	struct vma *v = vma_find(old);
	if (!v || old + old_len > v->end)
		return -EFAULT;
	if (!new_at && new_len <= old_len) {
		if (new_len < old_len)
			vm_unmap(old + new_len, old_len - new_len);
		return (long)old;
	}
	/* In place: the area ends where the old range ends and the pages after it are free. */
	if (!new_at && v->end == old + old_len && old + new_len <= USER_TOP &&
	    vm_range_free(old + old_len, old + new_len)) {
		v->end = old + new_len;
		return (long)old;
	}
	if (!may_move)
		return -ENOMEM;
	vaddr_t to = new_at ? new_at : vm_find_free(new_len, 0);
	if (!to)
		return -ENOMEM;
	if (new_at)
		vm_unmap(new_at, new_len);
	/* Isolate the old range as its own area, then give it its new place. */
	if (v->start < old && !(v = split(v, old)))
		return -ENOMEM;
	if (v->end > old + old_len && !split(v, old + old_len))
		return -ENOMEM;
	u64 keep = MIN(old_len, new_len);
	for (u64 off = 0; off < keep; off += PAGE_SIZE)
		if (move_page(old + off, to + off))
			return -ENOMEM;
	int err = vm_map(to, new_len, v->prot, v->kind == VMA_HEAP ? VMA_ANON : v->kind, v->src,
			 v->src_len);
	if (err)
		return err;
	vm_unmap(old, old_len); /* frees only what was not moved (the tail beyond new_len) */
	return (long)to;
}

vaddr_t vm_find_free(u64 len, vaddr_t hint)
{
	if (len == 0 || len > USER_TOP)
		return 0;
	if (hint && !(hint & ~PAGE_MASK) && hint <= USER_TOP - len && hint >= PAGE_SIZE * 16 &&
	    vm_range_free(hint, hint + len))
		return hint;
	/* Top-down: walk the areas from the highest, looking for a gap below mmap_base. */
	vaddr_t top = mm.mmap_base;
	for (struct vma *v = mm.list.prev; ; v = v->prev) {
		vaddr_t gap_lo = is_head(v) ? PAGE_SIZE * 16 : v->end;
		if (!is_head(v) && v->start >= top)
			continue;
		if (gap_lo < top && top - gap_lo >= len)
			return top - len;
		if (is_head(v))
			return 0;
		top = MIN(top, v->start);
	}
}

static void count_resident(void)
{
	if (++resident > resident_peak)
		resident_peak = resident;
}

/* A write to a file page shared read-only with a private mapping: the mapping gets its copy. */
static int break_cow(u64 *pte, vaddr_t page, struct vma *v)
{
	paddr_t pa = page_alloc();
	if (!pa)
		return SEGV_MAPERR;
	memcpy(phys_to_virt(pa), phys_to_virt(*pte & PTE_ADDR), PAGE_SIZE);
	*pte = pa | pte_flags(v->prot);
	tlb_flush_page(page);
	count_resident();
	return 0;
}

static int fault_file(u64 *pte, vaddr_t page, struct vma *v, bool write)
{
	u64 idx = v->pgoff + (page - v->start) / PAGE_SIZE;
	/* Pages wholly past the end of the file raise SIGBUS, as on Linux. */
	if (idx >= PAGE_ALIGN_UP(v->file->size) / PAGE_SIZE)
		return VM_FAULT_SIGBUS;
	bool in_initrd;
	if (v->shared) {
		paddr_t pa = file_data_page(v->file, idx, v->prot & VM_WRITE, &in_initrd);
		if (!pa)
			return SEGV_MAPERR;
		u64 flags = pte_flags(v->prot);
		if (in_initrd)
			flags &= ~PTE_W;
		*pte = pa | flags | PTE_FOREIGN;
		return 0;
	}
	if (write) {
		paddr_t pa = page_alloc();
		if (!pa)
			return SEGV_MAPERR;
		file_data_read(v->file, phys_to_virt(pa), PAGE_SIZE, idx * PAGE_SIZE);
		u64 got = v->file->size > idx * PAGE_SIZE ? v->file->size - idx * PAGE_SIZE : 0;
		if (got < PAGE_SIZE)
			memset((u8 *)phys_to_virt(pa) + got, 0, PAGE_SIZE - got);
		*pte = pa | pte_flags(v->prot);
		count_resident();
		return 0;
	}
	paddr_t pa = file_data_page(v->file, idx, false, &in_initrd);
	if (!pa)
		return SEGV_MAPERR;
	*pte = pa | (pte_flags(v->prot) & ~PTE_W) | PTE_FOREIGN | PTE_COW;
	return 0;
}

static int handle_fault(vaddr_t addr, u64 error)
{
	if (addr >= USER_TOP)
		return SEGV_MAPERR;
	struct vma *v = vma_find(addr);
	if (!v)
		return SEGV_MAPERR;
	if ((error & PF_WRITE) && !(v->prot & VM_WRITE))
		return SEGV_ACCERR;
	if ((error & PF_INSN) && !(v->prot & VM_EXEC))
		return SEGV_ACCERR;
	if (!v->prot)
		return SEGV_ACCERR;
	vaddr_t page = PAGE_ALIGN_DOWN(addr);
	u64 *pte = pte_lookup(page, true);
	if (!pte)
		return SEGV_MAPERR; /* out of memory for page tables */
	bool write = error & PF_WRITE;
	if (*pte & PTE_ADDR) {
		if ((*pte & PTE_COW) && write)
			return break_cow(pte, page, v);
		/* A page we already have (stale TLB entry, or one parked by PROT_NONE). */
		u64 soft = *pte & (PTE_FOREIGN | PTE_COW);
		u64 flags = pte_flags(v->prot);
		if (soft & PTE_COW)
			flags &= ~PTE_W;
		*pte = (*pte & PTE_ADDR) | flags | soft;
		invlpg(page); /* rights only grew: other CPUs' stale entries fault here and heal */
		return 0;
	}
	if (v->kind == VMA_MAPPED)
		return fault_file(pte, page, v, write);
	paddr_t pa = page_alloc();
	if (!pa)
		return SEGV_MAPERR;
	u8 *dst = phys_to_virt(pa);
	u64 off = page - v->start;
	u64 have = v->src && off < v->src_len ? MIN(PAGE_SIZE, v->src_len - off) : 0;
	if (have)
		memcpy(dst, v->src + off, have);
	memset(dst + have, 0, PAGE_SIZE - have);
	*pte = pa | pte_flags(v->prot);
	count_resident();
	return 0;
}

/* Faults from every CPU take the big kernel lock: the page tables and VMAs are shared. A fault
 * taken inside a system call (a user copy) already holds it. */
int vm_handle_fault(vaddr_t addr, u64 error)
{
	bkl_lock();
	int r = handle_fault(addr, error);
	bkl_unlock();
	return r;
}

u64 vm_resident_pages(void)
{
	return resident;
}

u64 vm_resident_peak_pages(void)
{
	return resident_peak;
}

bool vm_page_resident(vaddr_t va)
{
	u64 *pte = pte_lookup(va, false);
	return pte && (*pte & PTE_ADDR);
}
