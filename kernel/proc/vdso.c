/* The vDSO in the app: its data page, kept current by the kernel, and the mapping of both at exec.
 * The app sees the kernel's own pages (the vDSO's in the image's .rodata, the data page in .bss)
 * through read-only entries marked foreign and copy-on-write: unmapping never frees them, and an
 * app that mprotects them writable (a debugger planting a breakpoint) writes its own copy, never
 * the kernel's page. Writers of the data page hold the big kernel lock. */
#include "proc/vdso.h"
#include "proc/vdso_data.h"
#include "mm/vm.h"
#include "mm/paging.h"
#include "core/cmdline.h"
#include "core/random.h"
#include "core/log.h"
#include "arch/x86_64/cpu.h"
#include "errno.h"

extern const u8 vdso_image_start[], vdso_image_end[];

static union {
	struct vdso_data d;
	u8 page[PAGE_SIZE];
} vvar __aligned(PAGE_SIZE);

/* The seqcount's write side: readers that saw an odd count or a changed one read again. x86
 * keeps stores in order, so compiler barriers are the whole fence. */
static void write_begin(void)
{
	vvar.d.seq++;
	__asm__ volatile("" : : : "memory");
}

static void write_end(void)
{
	__asm__ volatile("" : : : "memory");
	vvar.d.seq++;
}

void vdso_publish_clock(u64 tsc_base, u64 mult, s64 realtime_offset_ns)
{
	write_begin();
	vvar.d.tsc_base = tsc_base;
	vvar.d.mult = mult;
	vvar.d.realtime_offset_ns = realtime_offset_ns;
	write_end();
}

void vdso_publish_timezone(s32 minuteswest, s32 dsttime)
{
	vvar.d.tz_minuteswest = minuteswest;
	vvar.d.tz_dsttime = dsttime;
}

/* RDPID (CPUID.7.0:ECX bit 22) reads TSC_AUX in one instruction; RDTSCP reads it with the TSC.
 * The per-CPU start-up (arch/x86_64/smp.c) writes TSC_AUX only when RDTSCP exists. */
static u32 getcpu_method(void)
{
	if (!cpu_features.rdtscp)
		return VDSO_GETCPU_SYSCALL;
	u32 a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		if (c & (1u << 22))
			return VDSO_GETCPU_RDPID;
	}
	return VDSO_GETCPU_RDTSCP;
}

/* Puts the kernel pages [pa, pa + len) at va: present, user, never writable in place. */
static int install(vaddr_t va, paddr_t pa, u64 len, u32 prot)
{
	for (u64 off = 0; off < len; off += PAGE_SIZE) {
		u64 *pte = pte_lookup(va + off, true);
		if (!pte)
			return -ENOMEM;
		*pte = (pa + off) | PTE_P | PTE_U | (prot & VM_EXEC ? 0 : PTE_NX) | PTE_FOREIGN |
		       PTE_COW;
	}
	return 0;
}

/* Where the pair goes. With ASLR, as Linux 6.1's vdso_addr(): a random page between the stack
 * top and the next 2 MiB boundary above it (or the next one's, when that leaves no room); else,
 * or when that is taken, where mmap would put it. */
static vaddr_t place(u64 len)
{
	if (options.aslr) {
		vaddr_t start = PAGE_ALIGN_UP(mm.stack_top);
		vaddr_t end = ALIGN_UP(start + len, 2UL << 20);
		if (end > USER_TOP)
			end = USER_TOP;
		if (end >= start + len) {
			end -= len;
			vaddr_t at = start + random_u64() % ((end - start) / PAGE_SIZE + 1) * PAGE_SIZE;
			if (vm_range_free(at, at + len))
				return at;
		}
	}
	return vm_find_free(len, 0);
}

uptr_t vdso_map(void)
{
	vvar.d.getcpu_method = getcpu_method();
	u64 text = (u64)(vdso_image_end - vdso_image_start);
	vaddr_t at = place(PAGE_SIZE + text);
	if (!at) {
		kerr("monos: no room for the vDSO; the app runs without one\n");
		return 0;
	}
	vaddr_t vdso = at + PAGE_SIZE;
	if (vm_map(at, PAGE_SIZE, VM_READ, VMA_ANON, NULL, 0) || vm_name_area(at, "[vvar]") ||
	    install(at, virt_to_phys(&vvar), PAGE_SIZE, VM_READ) ||
	    vm_map(vdso, text, VM_READ | VM_EXEC, VMA_ANON, NULL, 0) || vm_name_area(vdso, "[vdso]") ||
	    install(vdso, virt_to_phys(vdso_image_start), text, VM_READ | VM_EXEC)) {
		vm_unmap(at, PAGE_SIZE + text);
		kerr("monos: out of memory mapping the vDSO; the app runs without one\n");
		return 0;
	}
	return vdso;
}
