/* Unit test of the ELF inspection (tools/monos/elf.c) on real files: static and
 * static-PIE programs built by monos.mk (FIXTURE_DIR), the system's dynamic /bin/true,
 * and damaged copies made here: cut short, wrong class, machine, type or byte order. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "elf.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name the directory with elf-static and elf-static-pie"
#endif

static char tmp[256];
static unsigned char *orig;	/* the static fixture's bytes */
static size_t orig_len;

static bool load(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		return false;
	orig = malloc(st.st_size);
	orig_len = st.st_size;
	bool ok = read(fd, orig, orig_len) == (ssize_t)orig_len;
	close(fd);
	return ok;
}

/* Writes LEN bytes of BUF to a scratch file named NAME; returns its path. */
static const char *scratch(const char *name, const void *buf, size_t len)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len) {
		check("elf.scratch", false, "cannot write %s", path);
		exit(1);
	}
	close(fd);
	return path;
}

static void expect(const char *check_name, const char *path, enum elf_kind kind,
		   const char *why_part)
{
	struct elf_info info;
	int r = elf_inspect(path, &info);
	if (r < 0) {
		check(check_name, false, "%s: %s", path, strerror(-r));
		return;
	}
	bool ok = info.kind == kind && (!why_part || (info.why && strstr(info.why, why_part)));
	check(check_name, ok, "%s: got %s (%s), want %s%s%s", path, elf_kind_name(info.kind),
	      info.why ? info.why : "-", elf_kind_name(kind), why_part ? " / " : "",
	      why_part ? why_part : "");
}

/* A copy of the static fixture with one header field changed. */
static const char *patched(const char *name, size_t off, const void *val, size_t n)
{
	unsigned char *b = malloc(orig_len);
	memcpy(b, orig, orig_len);
	memcpy(b + off, val, n);
	const char *p = scratch(name, b, orig_len);
	free(b);
	return p;
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/elf_test.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmp))
		return check("elf.tmpdir", false, "mkdtemp: %s", strerror(errno)), 1;

	expect("elf.static", FIXTURE_DIR "/elf-static", ELF_STATIC, NULL);
	expect("elf.static_pie", FIXTURE_DIR "/elf-static-pie", ELF_STATIC_PIE, NULL);

	struct elf_info info;
	int r = elf_inspect("/bin/true", &info);
	check("elf.dynamic", r == 0 && info.kind == ELF_DYNAMIC &&
	      strcmp(info.interp, "/lib64/ld-linux-x86-64.so.2") == 0,
	      "/bin/true: r=%d kind=%s interp=%s", r, elf_kind_name(info.kind), info.interp);

	const char text[] = "#!/bin/sh\necho this is not an ELF file\n";
	expect("elf.text_file", scratch("text", text, sizeof(text) - 1), ELF_INVALID,
	       "not an ELF file");
	expect("elf.empty_file", scratch("empty", "", 0), ELF_INVALID, "not an ELF file");

	if (!check("elf.fixture", load(FIXTURE_DIR "/elf-static"), "cannot read the fixture"))
		return 1;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)orig;
	expect("elf.truncated_header", scratch("cut40", orig, 40), ELF_INVALID,
	       "truncated ELF header");
	expect("elf.truncated_phdrs", scratch("cut-ph", orig, eh->e_phoff + sizeof(Elf64_Phdr)),
	       ELF_INVALID, "truncated program headers");
	expect("elf.magic_only", scratch("magic", ELFMAG, SELFMAG), ELF_INVALID,
	       "truncated ELF header");

	unsigned char c32 = ELFCLASS32, be = ELFDATA2MSB;
	uint16_t arm = EM_AARCH64, rel = ET_REL, core = ET_CORE, zero = 0, big = 0xffff;
	expect("elf.class32", patched("c32", EI_CLASS, &c32, 1), ELF_INVALID, "64-bit");
	expect("elf.big_endian", patched("be", EI_DATA, &be, 1), ELF_INVALID, "little-endian");
	expect("elf.machine", patched("arm", offsetof(Elf64_Ehdr, e_machine), &arm, 2),
	       ELF_INVALID, "x86-64");
	expect("elf.type_rel", patched("rel", offsetof(Elf64_Ehdr, e_type), &rel, 2),
	       ELF_INVALID, "not an executable");
	expect("elf.type_core", patched("core", offsetof(Elf64_Ehdr, e_type), &core, 2),
	       ELF_INVALID, "not an executable");
	expect("elf.no_phdrs", patched("nophdr", offsetof(Elf64_Ehdr, e_phnum), &zero, 2),
	       ELF_INVALID, "program header count");
	expect("elf.phentsize", patched("phent", offsetof(Elf64_Ehdr, e_phentsize), &big, 2),
	       ELF_INVALID, "program header size");

	/* Turn the first program header into a PT_INTERP pointing past the end. */
	Elf64_Phdr ph = { .p_type = PT_INTERP, .p_offset = orig_len - 4, .p_filesz = 64 };
	expect("elf.bad_interp", patched("interp", eh->e_phoff, &ph, sizeof(ph)), ELF_INVALID,
	       "PT_INTERP");

	r = elf_inspect(tmp, &info);
	check("elf.directory", r == -EISDIR, "a directory gave %d, not -EISDIR", r);
	r = elf_inspect("/nonexistent/monos-elf-test", &info);
	check("elf.missing", r == -ENOENT, "a missing file gave %d, not -ENOENT", r);

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (!check_failed && system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return check_exit();
}
