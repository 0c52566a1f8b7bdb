/* Memory syscalls: brk, mmap, munmap, mprotect, mremap, madvise — argument rules and errno exactly as
 * Linux's mm/mmap.c and mm/mprotect.c check them; the work is done by mm/vm.c. */
#include "syscall/syscall.h"
#include "mm/vm.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include <linux/fcntl.h>
#include <linux/stat.h>
#include "mm/pmm.h"
#include <asm/mman.h>
#include <linux/mman.h>

#define MAP_TYPE_MASK 0x0f
#define LOW_2G_START 0x40000000UL
#define LOW_2G_END 0x80000000UL

/* vm.overcommit_memory=0, Linux's default heuristic: one request for more than all of RAM
 * (there is no swap) fails; anything smaller is granted and paged in on demand. */
static bool enough_memory(u64 bytes)
{
	return bytes / PAGE_SIZE <= pmm_total_pages();
}

long sys_brk(uptr_t want)
{
	/* An invalid request is not an error: brk returns the break unchanged. */
	if (want < mm.brk_start)
		return (long)mm.brk;
	vaddr_t old_end = PAGE_ALIGN_UP(mm.brk), new_end = PAGE_ALIGN_UP(want);
	if (want > USER_TOP || new_end > USER_TOP)
		return (long)mm.brk;
	if (new_end > old_end) {
		if (!enough_memory(new_end - old_end) || vm_grow_heap(old_end, new_end))
			return (long)mm.brk;
	} else if (new_end < old_end) {
		vm_unmap(new_end, old_end - new_end);
	}
	mm.brk = want;
	return (long)mm.brk;
}

/* MAP_32BIT: the first 2 GiB above 1 GiB, as Linux places it. */
static vaddr_t find_low_2g(u64 len)
{
	for (vaddr_t a = LOW_2G_END - len; a >= LOW_2G_START && a < LOW_2G_END; a -= PAGE_SIZE)
		if (vm_range_free(a, a + len))
			return a;
	return 0;
}

long sys_mmap(uptr_t addr, u64 len, u64 prot, u64 flags, int fd, u64 off);

/* /dev/zero maps as anonymous memory, as Linux's mmap_zero does. */
static long mmap_zero_device(uptr_t addr, u64 len, u64 prot, u64 flags)
{
	return sys_mmap(addr, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

long sys_mmap(uptr_t addr, u64 len, u64 prot, u64 flags, int fd, u64 off)
{
	if (len == 0 || (off & ~PAGE_MASK))
		return -EINVAL;
	u64 type = flags & MAP_TYPE_MASK;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	u64 size = PAGE_ALIGN_UP(len);
	if (size == 0 || size > USER_TOP)
		return -ENOMEM;
	struct file *f = NULL;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_get(fd);
		if (!f || (f->flags & O_PATH))
			return -EBADF;
		if (!f->inode || !S_ISREG(f->inode->mode) || f->inode->fops)
			return f->inode && f->inode->rdev == 0x105 ? mmap_zero_device(addr, len, prot, flags)
								   : -ENODEV;
		u32 acc = f->flags & O_ACCMODE;
		if (acc == O_WRONLY)
			return -EACCES;
		if (type != MAP_PRIVATE && (prot & PROT_WRITE) && acc != O_RDWR)
			return -EACCES;
		if (off / PAGE_SIZE + size / PAGE_SIZE < off / PAGE_SIZE)
			return -EOVERFLOW;
	}
	if (flags & MAP_HUGETLB)
		return -ENOMEM; /* no huge pages are reserved, as on a default Linux */
	if ((prot & PROT_WRITE) && !(flags & MAP_NORESERVE) && (!f || type == MAP_PRIVATE) &&
	    !enough_memory(size))
		return -ENOMEM;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	vaddr_t at;
	if (fixed) {
		if (addr & ~PAGE_MASK)
			return -EINVAL;
		if (addr > USER_TOP - size)
			return -ENOMEM;
		if (!(flags & MAP_FIXED) && !vm_range_free(addr, addr + size))
			return -EEXIST;
		vm_unmap(addr, size);
		at = addr;
	} else if (flags & MAP_32BIT) {
		at = find_low_2g(size);
	} else {
		at = vm_find_free(size, PAGE_ALIGN_DOWN(addr));
	}
	if (!at)
		return -ENOMEM;
	u32 vprot = prot & (VM_READ | VM_WRITE | VM_EXEC);
	int err = f ? vm_map_file(at, size, vprot, f->inode, off / PAGE_SIZE, type != MAP_PRIVATE,
				  (f->flags & O_ACCMODE) == O_RDWR, f->path)
		    : vm_map(at, size, vprot, VMA_ANON, NULL, 0);
	return err ? err : (long)at;
}

long sys_munmap(uptr_t addr, u64 len)
{
	if ((addr & ~PAGE_MASK) || len == 0)
		return -EINVAL;
	u64 size = PAGE_ALIGN_UP(len);
	if (size == 0 || addr > USER_TOP || size > USER_TOP - addr)
		return -EINVAL;
	vm_unmap(addr, size);
	return 0;
}

long sys_mprotect(uptr_t addr, u64 len, u64 prot)
{
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (prot & ~(u64)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN |
			  PROT_GROWSUP))
		return -EINVAL;
	if (len == 0)
		return 0;
	u64 size = PAGE_ALIGN_UP(len);
	if (size == 0 || addr > USER_TOP || size > USER_TOP - addr)
		return -ENOMEM;
	return vm_protect(addr, size, prot & (VM_READ | VM_WRITE | VM_EXEC));
}

long sys_madvise(uptr_t addr, u64 len, int advice)
{
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	u64 size = PAGE_ALIGN_UP(len);
	if (len && size == 0)
		return -EINVAL;
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
		if (size == 0)
			return 0;
		return vm_discard(addr, size) ? 0 : -ENOMEM;
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_DONTFORK: case MADV_DOFORK: case MADV_MERGEABLE: case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
	case MADV_WIPEONFORK: case MADV_KEEPONFORK: case MADV_COLD: case MADV_PAGEOUT:
		/* Hints: demand paging already does what they ask, or they do not apply; a hole in
		 * the range is still an error, as on Linux. */
		return vm_range_mapped(addr, addr + size) ? 0 : -ENOMEM;
	default: /* MADV_POPULATE_* and the rest: not yet, answered as a kernel without them */
		return -EINVAL;
	}
}

long sys_mremap(uptr_t old, u64 old_len, u64 new_len, u64 flags, uptr_t new_addr)
{
	if (flags & ~(u64)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP)
		return -EINVAL; /* not yet; Linux < 5.7 answers the same */
	if (old & ~PAGE_MASK)
		return -EINVAL;
	old_len = PAGE_ALIGN_UP(old_len);
	u64 size = PAGE_ALIGN_UP(new_len);
	if (size == 0)
		return -EINVAL;
	if (old_len == 0)
		return -EINVAL; /* duplicating a shared mapping: there are no shared mappings yet */
	if (size > USER_TOP || old > USER_TOP - old_len)
		return -EFAULT;
	vaddr_t at = 0;
	if (flags & MREMAP_FIXED) {
		if ((new_addr & ~PAGE_MASK) || new_addr > USER_TOP - size)
			return -EINVAL;
		/* The new range may not overlap the old one. */
		if (new_addr < old + old_len && old < new_addr + size)
			return -EINVAL;
		at = new_addr;
	}
	if (!at && size > old_len && (flags & MREMAP_MAYMOVE) == 0 && !enough_memory(size - old_len))
		return -ENOMEM;
	return vm_remap(old, old_len, size, flags & MREMAP_MAYMOVE, at);
}

/* tmpfs pages are the file: there is nothing to write back, only the arguments to check. */
long sys_msync(uptr_t addr, u64 len, int flags)
{
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	u64 size = PAGE_ALIGN_UP(len);
	if (len && !size)
		return -ENOMEM;
	return vm_range_mapped(addr, addr + size) ? 0 : -ENOMEM;
}

long sys_mincore(uptr_t addr, u64 len, uptr_t vec)
{
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	u64 size = PAGE_ALIGN_UP(len);
	if (len && !size)
		return -ENOMEM;
	if (addr > USER_TOP || size > USER_TOP - addr)
		return -ENOMEM;
	if (!vm_range_mapped(addr, addr + size))
		return -ENOMEM;
	u8 chunk[256];
	for (u64 done = 0; done < size / PAGE_SIZE;) {
		u64 n = MIN(sizeof(chunk), size / PAGE_SIZE - done);
		for (u64 k = 0; k < n; k++)
			chunk[k] = vm_page_resident(addr + (done + k) * PAGE_SIZE);
		if (copy_to_user(vec + done, chunk, n))
			return -EFAULT;
		done += n;
	}
	return 0;
}
