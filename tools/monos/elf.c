/* ELF inspection: checks the identification, machine and type the way Linux's
 * binfmt_elf does before loading, and looks for PT_INTERP among the program headers.
 * For the dynamic closure, reads what a loader reads: the dynamic section's DT_NEEDED,
 * DT_SONAME, DT_RPATH, DT_RUNPATH and DF_1_NODEFLIB, its strings found through DT_STRTAB
 * mapped by the PT_LOAD segments. Truncated or inconsistent headers make a file invalid,
 * never a crash. */
#define _GNU_SOURCE
#include "elf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads exactly N bytes at OFF: 1, 0 when the file is shorter, or -errno. */
static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
	char *p = buf;
	while (n) {
		ssize_t k = pread(fd, p, n, off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return 0;
		p += k;
		n -= k;
		off += k;
	}
	return 1;
}

static int invalid(struct elf_info *info, const char *why)
{
	info->kind = ELF_INVALID;
	info->why = why;
	return 0;
}

static int check_ehdr(const Elf64_Ehdr *eh, struct elf_info *info)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return invalid(info, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return invalid(info, "not a 64-bit ELF file");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return invalid(info, "not a little-endian ELF file");
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return invalid(info, "unknown ELF version");
	if (eh->e_machine != EM_X86_64)
		return invalid(info, "not for x86-64");
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return invalid(info, "not an executable (ELF type is neither EXEC nor DYN)");
	/* Linux: e_phentsize must match, and the table must fit in 64 KiB. */
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return invalid(info, "bad program header size");
	if (eh->e_phnum < 1 || eh->e_phnum > 65536 / sizeof(Elf64_Phdr))
		return invalid(info, "bad program header count");
	return 1;
}

int elf_inspect_fd(int fd, struct elf_info *info)
{
	Elf64_Ehdr eh;
	struct stat st;

	memset(info, 0, sizeof(*info));
	if (fstat(fd, &st) != 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	memset(&eh, 0, sizeof(eh));
	int r = read_at(fd, &eh, sizeof(eh), 0);
	if (r < 0)
		return r;
	if (r == 0) {
		/* Shorter than a header: whatever was read is in eh (the rest is zero). */
		if (st.st_size >= SELFMAG && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0)
			return invalid(info, "truncated ELF header");
		return invalid(info, "not an ELF file");
	}
	if (check_ehdr(&eh, info) == 0)
		return 0;
	info->type = eh.e_type;
	info->entry = eh.e_entry;

	size_t tsize = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (eh.e_phoff > (uint64_t)st.st_size || tsize > (uint64_t)st.st_size - eh.e_phoff)
		return invalid(info, "truncated program headers");
	Elf64_Phdr *ph = malloc(tsize);
	if (!ph)
		return -ENOMEM;
	r = read_at(fd, ph, tsize, eh.e_phoff);
	if (r <= 0) {
		free(ph);
		return r < 0 ? r : invalid(info, "truncated program headers");
	}

	bool has_load = false;
	info->kind = eh.e_type == ET_EXEC ? ELF_STATIC : ELF_STATIC_PIE;
	for (size_t i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD)
			has_load = true;
		if (ph[i].p_type != PT_INTERP)
			continue;
		/* Linux: the path must fit in PATH_MAX, lie in the file and end with a NUL. */
		uint64_t off = ph[i].p_offset, len = ph[i].p_filesz;
		if (len < 2 || len > 4096 || off > (uint64_t)st.st_size ||
		    len > (uint64_t)st.st_size - off) {
			free(ph);
			return invalid(info, "bad PT_INTERP");
		}
		char path[4096];
		r = read_at(fd, path, len, off);
		if (r <= 0 || path[len - 1] != '\0') {
			free(ph);
			return r < 0 ? r : invalid(info, "bad PT_INTERP");
		}
		size_t keep = len - 1 < sizeof(info->interp) - 1 ? len - 1 : sizeof(info->interp) - 1;
		memcpy(info->interp, path, keep);
		info->interp[keep] = '\0';
		info->kind = ELF_DYNAMIC;
	}
	free(ph);
	if (!has_load)
		return invalid(info, "no loadable segment");
	return 0;
}

int elf_inspect(const char *path, struct elf_info *info)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		memset(info, 0, sizeof(*info));
		return -errno;
	}
	int r = elf_inspect_fd(fd, info);
	close(fd);
	return r;
}

const char *elf_kind_name(enum elf_kind kind)
{
	switch (kind) {
	case ELF_STATIC:	return "static";
	case ELF_STATIC_PIE:	return "static-pie";
	case ELF_DYNAMIC:	return "dynamic";
	case ELF_INVALID:	break;
	}
	return "invalid";
}

/* ---- the dynamic section ---- */

/* Largest string table we read: real ones are kilobytes; this only bounds damaged files. */
#define DYNSTR_MAX (16u << 20)

static char *dyn_string(const char *strtab, uint64_t strsz, uint64_t off)
{
	if (!strtab || off >= strsz)
		return NULL;
	size_t n = strnlen(strtab + off, strsz - off);
	if (n == strsz - off)
		return NULL;	/* not NUL-terminated inside the table */
	return xstrdup(strtab + off);
}

/* The file offset of virtual address VADDR, through the PT_LOAD segments (which is how a
 * loader finds DT_STRTAB, an address); -1 when no segment's file data holds it. */
static int64_t vaddr_to_off(const Elf64_Phdr *ph, size_t n, uint64_t vaddr)
{
	for (size_t i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && vaddr >= ph[i].p_vaddr &&
		    vaddr - ph[i].p_vaddr < ph[i].p_filesz)
			return (int64_t)(vaddr - ph[i].p_vaddr + ph[i].p_offset);
	return -1;
}

static int read_dyn_fd(int fd, struct elf_dyn *dyn)
{
	Elf64_Ehdr eh;
	struct stat st;
	int r;

	if (fstat(fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -(S_ISDIR(st.st_mode) ? EISDIR : EINVAL);
	memset(&eh, 0, sizeof(eh));
	r = read_at(fd, &eh, sizeof(eh), 0);
	if (r <= 0)
		return r;	/* the status stays ELF_DYN_INVALID for a short file */
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return 0;
	/* glibc's open_verify and musl skip an object of another class or machine quietly
	 * and keep searching; that is how 32-bit libraries in a search directory are passed. */
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64) {
		dyn->status = ELF_DYN_OTHER_ARCH;
		return 0;
	}
	if ((eh.e_type != ET_EXEC && eh.e_type != ET_DYN) ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum < 1 ||
	    eh.e_phnum > 65536 / sizeof(Elf64_Phdr))
		return 0;
	dyn->type = eh.e_type;

	size_t tsize = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (eh.e_phoff > (uint64_t)st.st_size || tsize > (uint64_t)st.st_size - eh.e_phoff)
		return 0;
	Elf64_Phdr *ph = xmalloc(tsize);
	Elf64_Dyn *dv = NULL;
	char *strtab = NULL;
	if ((r = read_at(fd, ph, tsize, eh.e_phoff)) <= 0)
		goto out;

	const Elf64_Phdr *pdyn = NULL;
	for (size_t i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_DYNAMIC)
			pdyn = &ph[i];
		if (ph[i].p_type == PT_INTERP && !dyn->interp) {
			uint64_t off = ph[i].p_offset, len = ph[i].p_filesz;
			if (len < 2 || len > 4096 || off > (uint64_t)st.st_size ||
			    len > (uint64_t)st.st_size - off)
				goto out_invalid;
			char *p = xmalloc(len);
			if ((r = read_at(fd, p, len, off)) <= 0 || p[len - 1] != '\0') {
				free(p);
				goto out_invalid;
			}
			dyn->interp = p;
		}
	}
	dyn->status = ELF_DYN_OK;
	r = 1;
	if (!pdyn)
		goto out;	/* static */

	uint64_t dsize = pdyn->p_filesz;
	if (pdyn->p_offset > (uint64_t)st.st_size || dsize > (uint64_t)st.st_size - pdyn->p_offset ||
	    dsize > (1u << 20))
		goto out_invalid;
	size_t ndyn = dsize / sizeof(Elf64_Dyn);
	dv = xmalloc(ndyn * sizeof(Elf64_Dyn) + 1);
	if ((r = read_at(fd, dv, ndyn * sizeof(Elf64_Dyn), pdyn->p_offset)) <= 0)
		goto out_invalid_r;

	uint64_t strtab_vaddr = 0, strsz = 0;
	bool have_strtab = false;
	for (size_t i = 0; i < ndyn && dv[i].d_tag != DT_NULL; i++) {
		if (dv[i].d_tag == DT_STRTAB) {
			strtab_vaddr = dv[i].d_un.d_ptr;
			have_strtab = true;
		} else if (dv[i].d_tag == DT_STRSZ) {
			strsz = dv[i].d_un.d_val;
		} else if (dv[i].d_tag == DT_FLAGS_1 && (dv[i].d_un.d_val & DF_1_NODEFLIB)) {
			dyn->nodeflib = true;
		}
	}
	if (have_strtab) {
		int64_t off = vaddr_to_off(ph, eh.e_phnum, strtab_vaddr);
		if (off < 0 || strsz == 0 || strsz > DYNSTR_MAX || (uint64_t)off > (uint64_t)st.st_size ||
		    strsz > (uint64_t)st.st_size - off)
			goto out_invalid;
		strtab = xmalloc(strsz);
		if ((r = read_at(fd, strtab, strsz, off)) <= 0)
			goto out_invalid_r;
	}
	for (size_t i = 0; i < ndyn && dv[i].d_tag != DT_NULL; i++) {
		char **slot = NULL;
		switch (dv[i].d_tag) {
		case DT_NEEDED: {
			char *s = dyn_string(strtab, strsz, dv[i].d_un.d_val);
			if (!s)
				goto out_invalid;
			strvec_push(&dyn->needed, s);
			free(s);
			continue;
		}
		case DT_SONAME:	 slot = &dyn->soname; break;
		case DT_RPATH:	 slot = &dyn->rpath; break;
		case DT_RUNPATH: slot = &dyn->runpath; break;
		default:	 continue;
		}
		free(*slot);
		if (!(*slot = dyn_string(strtab, strsz, dv[i].d_un.d_val)))
			goto out_invalid;
	}
	r = 1;
	goto out;

out_invalid_r:
	if (r < 0)
		goto out;
out_invalid:
	r = 0;
	elf_dyn_free(dyn);
out:
	free(strtab);
	free(dv);
	free(ph);
	return r < 0 ? r : 0;
}

int elf_read_dyn(const char *path, struct elf_dyn *dyn)
{
	memset(dyn, 0, sizeof(*dyn));
	dyn->status = ELF_DYN_INVALID;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = read_dyn_fd(fd, dyn);
	close(fd);
	if (r < 0)
		elf_dyn_free(dyn);
	return r;
}

void elf_dyn_free(struct elf_dyn *dyn)
{
	free(dyn->interp);
	free(dyn->soname);
	free(dyn->rpath);
	free(dyn->runpath);
	strvec_free(&dyn->needed);
	memset(dyn, 0, sizeof(*dyn));
	dyn->status = ELF_DYN_INVALID;
}
