/* Regular file contents (tmpfs). Page p of a file is pages[p] when the file has its own copy of
 * it, else the initrd's bytes (lower) where they reach, else zeros. A write copies up just the
 * pages it touches, so a large file from the image costs nothing until written, and truncation
 * shortens `lower` so that old bytes never reappear. */
#include "fs/vfs.h"
#include "mm/pmm.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "errno.h"

static u64 pages_for(u64 size) { return PAGE_ALIGN_UP(size) / PAGE_SIZE; }

/* Makes room for page idx in the page table of the file. */
static int ensure_slots(struct inode *i, u64 idx)
{
	if (idx < i->pages_cap)
		return 0;
	u64 cap = MAX(idx + 1, i->pages_cap * 2);
	cap = MAX(cap, 8);
	paddr_t *n = kzalloc(cap * sizeof(paddr_t));
	if (!n)
		return -ENOSPC;
	if (i->pages)
		memcpy(n, i->pages, i->pages_cap * sizeof(paddr_t));
	kfree(i->pages);
	i->pages = n;
	i->pages_cap = cap;
	return 0;
}

/* Fills a fresh page with what page idx reads as now (lower bytes, then zeros). */
static void fill_page(struct inode *i, u64 idx, u8 *dst)
{
	u64 off = idx * PAGE_SIZE;
	u64 have = off < i->lower_size ? MIN(PAGE_SIZE, i->lower_size - off) : 0;
	if (have)
		memcpy(dst, i->lower + off, have);
	memset(dst + have, 0, PAGE_SIZE - have);
}

/* The file's own copy of page idx, made on demand. */
static paddr_t own_page(struct inode *i, u64 idx)
{
	if (ensure_slots(i, idx))
		return 0;
	if (!i->pages[idx]) {
		paddr_t p = page_alloc();
		if (!p)
			return 0;
		fill_page(i, idx, phys_to_virt(p));
		i->pages[idx] = p;
	}
	return i->pages[idx];
}

ssize_t file_data_read(struct inode *i, void *buf, size_t n, u64 off)
{
	if (off >= i->size)
		return 0;
	n = MIN(n, i->size - off);
	u8 *out = buf;
	size_t done = 0;
	while (done < n) {
		u64 pos = off + done, idx = pos / PAGE_SIZE, in = pos % PAGE_SIZE;
		size_t chunk = MIN(n - done, PAGE_SIZE - in);
		if (idx < i->pages_cap && i->pages[idx]) {
			memcpy(out + done, (u8 *)phys_to_virt(i->pages[idx]) + in, chunk);
		} else {
			size_t from_lower = pos < i->lower_size ? MIN(chunk, i->lower_size - pos) : 0;
			memcpy(out + done, i->lower + pos, from_lower);
			memset(out + done + from_lower, 0, chunk - from_lower);
		}
		done += chunk;
	}
	return (ssize_t)n;
}

ssize_t file_data_write(struct inode *i, const void *buf, size_t n, u64 off)
{
	const u8 *in = buf;
	size_t done = 0;
	while (done < n) {
		u64 pos = off + done, idx = pos / PAGE_SIZE, at = pos % PAGE_SIZE;
		size_t chunk = MIN(n - done, PAGE_SIZE - at);
		paddr_t p = own_page(i, idx);
		if (!p)
			break;
		memcpy((u8 *)phys_to_virt(p) + at, in + done, chunk);
		done += chunk;
	}
	if (off + done > i->size)
		i->size = off + done;
	if (done == 0 && n)
		return -ENOSPC;
	return (ssize_t)done;
}

int file_data_truncate(struct inode *i, u64 size)
{
	if (size < i->size) {
		/* Bytes past the new end must read as zeros if the file grows again. */
		if (size < i->lower_size)
			i->lower_size = size;
		u64 keep = pages_for(size);
		for (u64 p = keep; p < i->pages_cap; p++) {
			if (i->pages[p]) {
				page_free(i->pages[p]);
				i->pages[p] = 0;
			}
		}
		if (size % PAGE_SIZE && keep - 1 < i->pages_cap && i->pages[keep - 1])
			memset((u8 *)phys_to_virt(i->pages[keep - 1]) + size % PAGE_SIZE, 0,
			       PAGE_SIZE - size % PAGE_SIZE);
	}
	i->size = size;
	return 0;
}

paddr_t file_data_page(struct inode *i, u64 idx, bool write, bool *shared)
{
	*shared = false;
	if (write || (idx < i->pages_cap && i->pages[idx]))
		return own_page(i, idx);
	/* A whole page of the initrd, page-aligned in memory, is mapped as it is: the zero-copy
	 * path. A partial last page holds the archive's next bytes past the end, so it is copied. */
	u64 off = idx * PAGE_SIZE;
	const u8 *src = i->lower + off;
	if (off + PAGE_SIZE <= i->lower_size && ((vaddr_t)src & (PAGE_SIZE - 1)) == 0) {
		*shared = true;
		return virt_to_phys(src);
	}
	return own_page(i, idx);
}
