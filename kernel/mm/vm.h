/* The app's address space: a sorted list of areas (VMAs) over the lower half, filled on demand by
 * the page-fault handler. One process, so one address space. */
#pragma once
#include "types.h"

#define VM_READ 1   /* = PROT_READ */
#define VM_WRITE 2  /* = PROT_WRITE */
#define VM_EXEC 4   /* = PROT_EXEC */

enum vma_kind {
	VMA_ANON,
	VMA_FILE,   /* private copy of bytes (ELF segments): src/src_len */
	VMA_MAPPED, /* a mapping of a file's pages (mmap of an fd): file/pgoff */
	VMA_HEAP,
	VMA_STACK,
};

/* vm_handle_fault's answer for an access past the end of a mapped file. */
#define VM_FAULT_SIGBUS 0x100

struct inode;

struct vma {
	struct vma *prev, *next;
	vaddr_t start, end;
	u32 prot;
	enum vma_kind kind;
	/* Private file data: the bytes that belong at `start` (src_len of them; zeros after). */
	const u8 *src;
	u64 src_len;
	/* VMA_MAPPED: the file (referenced), the page of it at `start`, and MAP_SHARED. */
	struct inode *file;
	u64 pgoff;
	bool shared;
	bool may_write;    /* a shared mapping of a file opened for writing */
	const char *path;  /* the file's name as opened, for /proc/self/maps (shared string) */
};

struct mm {
	struct vma list; /* sentinel of the sorted, circular list */
	vaddr_t mmap_base;    /* top-down search for free ranges starts here */
	vaddr_t brk_start, brk;
	vaddr_t stack_top;
};
extern struct mm mm;

void vm_init(void);
struct vma *vma_find(vaddr_t addr);
bool vm_range_free(vaddr_t start, vaddr_t end);
/* True when every page of [start, end) belongs to some area. */
bool vm_range_mapped(vaddr_t start, vaddr_t end);
/* Maps [start, start+len) (page-aligned, free) as one area. */
int vm_map(vaddr_t start, u64 len, u32 prot, enum vma_kind kind, const u8 *src, u64 src_len);
/* Maps pages of a file: MAP_SHARED maps the file's own pages, MAP_PRIVATE maps them read-only
 * and copies a page on its first write. Takes a reference on the file. */
int vm_map_file(vaddr_t start, u64 len, u32 prot, struct inode *file, u64 pgoff, bool shared,
		bool may_write, const char *path);
/* Names the area that starts at start for /proc/self/maps ("[vdso]", "[vvar]"). 0 or -errno. */
int vm_name_area(vaddr_t start, const char *name);
/* Removes every mapping in the range; holes are fine, as with Linux's munmap. */
void vm_unmap(vaddr_t start, u64 len);
/* Changes protection; -ENOMEM if part of the range is not mapped (Linux's rule), -EACCES when
 * it would make a shared mapping of a file opened read-only writable. */
int vm_protect(vaddr_t start, u64 len, u32 prot);
/* A free, page-aligned range of len bytes: at hint when free there, else the highest below
 * mmap_base. 0 if none. */
vaddr_t vm_find_free(u64 len, vaddr_t hint);
/* Resolves a page fault at addr; 0 when resolved, else the si_code (SEGV_MAPERR/SEGV_ACCERR). */
int vm_handle_fault(vaddr_t addr, u64 error);
/* Frees the pages behind [start, start+len): the next touch refills them (zeros, or file data).
 * Returns false when part of the range is not mapped. */
bool vm_discard(vaddr_t start, u64 len);
/* Grows the heap area that ends at old_end up to new_end, or makes one. */
int vm_grow_heap(vaddr_t old_end, vaddr_t new_end);
/* Resizes or moves the area holding [old, old+old_len) (which must lie in one area; -EFAULT
 * otherwise): shrinking unmaps the tail; growing extends in place when the pages after it are
 * free, else, with may_move, moves it to a new place (new_at, or anywhere when 0) by moving its
 * page-table entries, not copying pages. Returns the new address or -errno. */
long vm_remap(vaddr_t old, u64 old_len, u64 new_len, bool may_move, vaddr_t new_at);
/* Whether the page at va has memory behind it now (mincore). */
bool vm_page_resident(vaddr_t va);
/* Bytes of the app's memory that are backed by pages now (for statm-like figures). */
u64 vm_resident_pages(void);
u64 vm_resident_peak_pages(void);
