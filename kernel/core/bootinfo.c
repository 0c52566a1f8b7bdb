/* Reads struct hvm_start_info (Xen's PVH boot ABI, version 1: with a memory map), which QEMU and
 * Firecracker both provide. Everything is copied out, because the pages holding it are free RAM
 * as far as the memory map is concerned. */
#include "core/bootinfo.h"
#include "core/log.h"
#include "lib/string.h"

#define HVM_START_MAGIC 0x336ec578
#define E820_RAM 1

struct hvm_start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	u32 memmap_entries, reserved;
} __packed;

struct hvm_modlist_entry {
	u64 paddr, size, cmdline_paddr, reserved;
} __packed;

struct hvm_memmap_entry {
	u64 addr, size;
	u32 type, reserved;
} __packed;

struct bootinfo bootinfo;
static char cmdline_copy[2048];

void bootinfo_parse(paddr_t pa)
{
	/* The early page tables identity-map the first GiB, where PVH loaders put these. */
	const struct hvm_start_info *si = (const void *)pa;
	if (si->magic != HVM_START_MAGIC)
		panic("not started through PVH (start info magic %x)", si->magic);
	if (si->version < 1 || !si->memmap_paddr)
		panic("PVH start info has no memory map (version %u)", si->version);
	const struct hvm_memmap_entry *mm = (const void *)si->memmap_paddr;
	for (u32 i = 0; i < si->memmap_entries && bootinfo.nram < BOOT_MAX_RAM_RANGES; i++) {
		if (mm[i].type != E820_RAM)
			continue;
		paddr_t s = PAGE_ALIGN_UP(mm[i].addr), e = PAGE_ALIGN_DOWN(mm[i].addr + mm[i].size);
		if (e <= s)
			continue;
		bootinfo.ram[bootinfo.nram++] = (struct ram_range){ s, e };
		if (e > bootinfo.max_ram)
			bootinfo.max_ram = e;
	}
	if (si->nr_modules) {
		const struct hvm_modlist_entry *mod = (const void *)si->modlist_paddr;
		bootinfo.initrd_start = mod[0].paddr;
		bootinfo.initrd_size = mod[0].size;
	}
	if (si->cmdline_paddr) {
		const char *c = (const char *)si->cmdline_paddr;
		size_t n = strnlen(c, sizeof(cmdline_copy) - 1);
		memcpy(cmdline_copy, c, n);
	}
	bootinfo.cmdline = cmdline_copy;
	bootinfo.rsdp = si->rsdp_paddr;
}
