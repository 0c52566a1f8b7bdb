/* ELF64 x86-64 executables: ET_EXEC, and ET_DYN without PT_INTERP (static-PIE). Segments become
 * areas whose pages are filled from the file on first touch; the bss is zero past p_filesz, with
 * the partial page's tail cleared as Linux does. Dynamic programs (PT_INTERP) come with the VFS. */
#include "proc/elf.h"
#include "mm/vm.h"
#include "core/log.h"
#include "lib/string.h"
#include "errno.h"
#include <linux/elf.h>

static int bad(const char *why)
{
	kerr("monos: cannot execute the program: %s\n", why);
	return -ENOEXEC;
}

bool elf_is_dyn(const u8 *data)
{
	return ((const Elf64_Ehdr *)data)->e_type == ET_DYN;
}

int elf_inspect(const u8 *data, u64 size, struct elf_image *img)
{
	const Elf64_Ehdr *eh = (const void *)data;
	memset(img, 0, sizeof(*img));
	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return bad("not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64)
		return bad("not an x86-64 ELF file");
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return bad("not an executable (ELF type is neither EXEC nor DYN)");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > 512 ||
	    eh->e_phoff > size || size - eh->e_phoff < (u64)eh->e_phnum * sizeof(Elf64_Phdr))
		return bad("malformed program headers");
	const Elf64_Phdr *ph = (const void *)(data + eh->e_phoff);
	img->phnum = eh->e_phnum;
	img->phent = sizeof(Elf64_Phdr);
	img->exec_stack = true; /* x86-64 Linux: no PT_GNU_STACK means an executable stack */
	bool any_load = false;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		switch (p->p_type) {
		case PT_LOAD:
			if (p->p_offset > size || p->p_filesz > size - p->p_offset ||
			    p->p_memsz < p->p_filesz ||
			    (p->p_vaddr & (PAGE_SIZE - 1)) != (p->p_offset & (PAGE_SIZE - 1)) ||
			    p->p_vaddr + p->p_memsz < p->p_vaddr || p->p_vaddr + p->p_memsz > USER_TOP)
				return bad("malformed PT_LOAD segment");
			any_load = true;
			break;
		case PT_INTERP:
			if (p->p_offset >= size || p->p_filesz == 0 || p->p_filesz > size - p->p_offset ||
			    data[p->p_offset + p->p_filesz - 1] != '\0')
				return bad("malformed PT_INTERP");
			img->interp = (const char *)data + p->p_offset;
			break;
		case PT_GNU_STACK:
			img->exec_stack = p->p_flags & PF_X;
			break;
		}
	}
	if (!any_load)
		return bad("no loadable segment");
	return 0;
}

static u32 prot_of(u32 pflags)
{
	return ((pflags & PF_R) ? VM_READ : 0) | ((pflags & PF_W) ? VM_WRITE : 0) |
	       ((pflags & PF_X) ? VM_EXEC : 0);
}

int elf_map(const u8 *data, struct elf_image *img, struct inode *file, const char *path)
{
	const Elf64_Ehdr *eh = (const void *)data;
	const Elf64_Phdr *ph = (const void *)(data + eh->e_phoff);
	vaddr_t bias = img->load_bias;
	img->entry = eh->e_entry + bias;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		if (p->p_type == PT_PHDR)
			img->phdr = p->p_vaddr + bias;
		if (p->p_type != PT_LOAD)
			continue;
		if (!img->phdr && eh->e_phoff >= p->p_offset &&
		    eh->e_phoff - p->p_offset < p->p_filesz)
			img->phdr = p->p_vaddr + (eh->e_phoff - p->p_offset) + bias;
		vaddr_t seg = p->p_vaddr + bias;
		vaddr_t start = PAGE_ALIGN_DOWN(seg), end = PAGE_ALIGN_UP(seg + p->p_memsz);
		if (start == end)
			continue;
		/* The area begins at the page boundary, so its file data begins that much earlier. */
		u64 file_off = p->p_offset - (seg - start);
		if (!vm_range_free(start, end))
			return bad("PT_LOAD segments overlap");
		u32 prot = prot_of(p->p_flags);
		/* Pages wholly inside the file's bytes come from the file itself. A segment without bss
		 * maps its last page from the file too, as Linux does (the bytes past p_filesz show). */
		vaddr_t file_end = seg + p->p_filesz;
		vaddr_t mapped_end = p->p_memsz > p->p_filesz ? PAGE_ALIGN_DOWN(file_end) : end;
		int err = 0;
		if (mapped_end > start)
			err = vm_map_file(start, mapped_end - start, prot, file, file_off / PAGE_SIZE,
					  false, false, path);
		/* The rest: the partial page of file bytes followed by zeros, and the bss. */
		if (!err && end > mapped_end && mapped_end >= start)
			err = vm_map(mapped_end, end - mapped_end, prot, VMA_FILE,
				     data + file_off + (mapped_end - start),
				     p->p_filesz && file_end > mapped_end ? file_end - mapped_end : 0);
		if (err)
			return err;
		if (end > img->end)
			img->end = end;
	}
	return 0;
}

vaddr_t elf_first_vaddr(const u8 *data)
{
	const Elf64_Ehdr *eh = (const void *)data;
	const Elf64_Phdr *ph = (const void *)(data + eh->e_phoff);
	vaddr_t lo = UINT64_MAX;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < lo)
			lo = ph[i].p_vaddr;
	return PAGE_ALIGN_DOWN(lo);
}

u64 elf_span(const u8 *data)
{
	const Elf64_Ehdr *eh = (const void *)data;
	const Elf64_Phdr *ph = (const void *)(data + eh->e_phoff);
	vaddr_t hi = 0;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > hi)
			hi = ph[i].p_vaddr + ph[i].p_memsz;
	return PAGE_ALIGN_UP(hi) - elf_first_vaddr(data);
}
