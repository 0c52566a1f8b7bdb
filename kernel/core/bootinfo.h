/* What the boot loader told us: memory map, initrd, command line, RSDP (from PVH start info). */
#pragma once
#include "types.h"

#define BOOT_MAX_RAM_RANGES 32

struct ram_range {
	paddr_t start, end;
};

struct bootinfo {
	struct ram_range ram[BOOT_MAX_RAM_RANGES];
	int nram;
	paddr_t initrd_start;
	u64 initrd_size;
	const char *cmdline;
	paddr_t rsdp;
	paddr_t max_ram;
};
extern struct bootinfo bootinfo;

void bootinfo_parse(paddr_t start_info);
