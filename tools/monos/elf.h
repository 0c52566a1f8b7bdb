/* ELF inspection for `monos run`: is PROGRAM an x86-64 executable the kernel can load,
 * and is it static, static-PIE or dynamic (has a PT_INTERP)? And for the dynamic closure:
 * what a program or shared object asks of its loader (PT_INTERP, DT_NEEDED, search paths). */
#ifndef MONOS_ELF_H
#define MONOS_ELF_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

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

/* What the dynamic loader reads from an object it loads. */
enum elf_dyn_status {
	ELF_DYN_OK,		/* ELF64 little-endian x86-64, EXEC or DYN */
	ELF_DYN_OTHER_ARCH,	/* an ELF of another class or machine (e.g. a 32-bit library):
				 * loaders skip it and go on searching */
	ELF_DYN_INVALID,	/* not an ELF file, or damaged */
};

struct elf_dyn {
	enum elf_dyn_status status;
	uint16_t type;		/* e_type */
	char *interp;		/* PT_INTERP, or NULL */
	struct strvec needed;	/* DT_NEEDED names, in order */
	char *soname;		/* DT_SONAME, or NULL */
	/* DT_RPATH and DT_RUNPATH as written (before $ORIGIN expansion), or NULL. */
	char *rpath, *runpath;
	bool nodeflib;		/* DF_1_NODEFLIB: no default directories for its dependencies */
};

/* Reads the program headers and the dynamic section of PATH. Returns 0 with *dyn filled
 * (status says whether the file qualifies), or -errno when it cannot be opened or read.
 * A static object has status ELF_DYN_OK and no interp, needed or paths. */
int elf_read_dyn(const char *path, struct elf_dyn *dyn);
void elf_dyn_free(struct elf_dyn *dyn);

#endif
