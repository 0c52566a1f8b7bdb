/* Loading an ELF executable's segments into the address space. */
#pragma once
#include "types.h"

struct elf_image {
	vaddr_t entry;      /* after relocation by load_bias */
	vaddr_t phdr;       /* where the program headers are in memory (AT_PHDR) */
	u64 phnum, phent;
	vaddr_t load_bias;  /* 0 for ET_EXEC */
	vaddr_t end;        /* highest mapped address, page-aligned (brk starts above) */
	bool exec_stack;    /* PT_GNU_STACK asks for an executable stack (or is absent) */
	const char *interp; /* PT_INTERP path inside the file, or NULL */
};

/* Checks the headers; fills what loading will need. Returns 0 or -ENOEXEC with a message. */
int elf_inspect(const u8 *data, u64 size, struct elf_image *img);
struct inode;
/* Maps the PT_LOAD segments at img->load_bias. Whole file pages map the image file in place
 * (copy on write); the page where file data meets bss is a private copy with zeros after. */
int elf_map(const u8 *data, struct elf_image *img, struct inode *file, const char *path);
/* The lowest page-aligned PT_LOAD address, and the bytes from it to the highest end. */
vaddr_t elf_first_vaddr(const u8 *data);
u64 elf_span(const u8 *data);
/* True for ET_DYN (PIE) images, which need a load bias. */
bool elf_is_dyn(const u8 *data);
