/* ELF inspection for `monos run`: is PROGRAM an x86-64 executable the kernel can load,
 * and is it static, static-PIE or dynamic (has a PT_INTERP)? */
#ifndef MONOS_ELF_H
#define MONOS_ELF_H

#include <stdint.h>

enum elf_kind {
	ELF_INVALID,		/* not an ELF64 little-endian x86-64 ET_EXEC/ET_DYN */
	ELF_STATIC,		/* ET_EXEC without PT_INTERP */
	ELF_STATIC_PIE,		/* ET_DYN without PT_INTERP */
	ELF_DYNAMIC,		/* has PT_INTERP */
};

struct elf_info {
	enum elf_kind kind;
	const char *why;	/* ELF_INVALID: what is wrong, e.g. "32-bit ELF" */
	uint16_t type;		/* e_type */
	uint64_t entry;		/* e_entry */
	char interp[256];	/* ELF_DYNAMIC: the PT_INTERP path (truncated if longer) */
};

/* Reads the headers of the open file FD. Returns 0 with *info filled (kind may be
 * ELF_INVALID), or -errno when the file cannot be read. */
int elf_inspect_fd(int fd, struct elf_info *info);
/* The same for PATH; -errno also when it cannot be opened. */
int elf_inspect(const char *path, struct elf_info *info);

const char *elf_kind_name(enum elf_kind kind);

#endif
