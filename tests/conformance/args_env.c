/*
 * args_env.c: the initial process stack as execve(2) builds it on x86-64
 * Linux: argc/argv/envp, the auxiliary vector after envp, the 16-byte
 * alignment of the stack pointer at entry, and where the strings live.
 * The harness passes the arguments and the variable below.
 */
// test-args: alpha 'two words' '' --flag=1 ünï
// env: MONOS_TEST_VAR=hello monos world
// also: glibc-static-pie
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "check.h"

/* Linker-defined: the ELF header of this executable and its entry point. */
extern const Elf64_Ehdr __ehdr_start;
extern char _start[];
extern char **environ;

static const char *const expected_args[] = {
	"alpha", "two words", "", "--flag=1", "ünï",
};
#define NEXPECTED (int)(sizeof(expected_args) / sizeof(expected_args[0]))

/* The auxv entries as found after envp, AT_NULL excluded. */
static Elf64_auxv_t *auxv;
static int nauxv;

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int auxv_find(unsigned long type, unsigned long *val)
{
	for (int i = 0; i < nauxv; i++) {
		if (auxv[i].a_type == type) {
			*val = auxv[i].a_un.a_val;
			return 1;
		}
	}
	return 0;
}

/* The executable's PT_INTERP path, or NULL when it has none (a static executable). */
static const char *interpreter_path(void)
{
	const Elf64_Ehdr *eh = &__ehdr_start;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)((const char *)eh + eh->e_phoff);
	uintptr_t bias = eh->e_type == ET_DYN ? (uintptr_t)eh : 0;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_INTERP)
			return (const char *)(bias + ph[i].p_vaddr);
	return NULL;
}

struct loaded { const char *name; uintptr_t base; };

static int find_loaded(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct loaded *l = arg;
	if (info->dlpi_name && strcmp(info->dlpi_name, l->name) == 0)
		l->base = info->dlpi_addr;
	return 0;
}

/* Where the dynamic loader says the interpreter sits (0 without one). */
static uintptr_t interpreter_base(void)
{
	struct loaded l = { interpreter_path(), 0 };
	if (l.name)
		dl_iterate_phdr(find_loaded, &l);
	return l.base;
}

/* An entry that must be present with exactly this value. */
static void check_auxv_eq(const char *name, unsigned long type, unsigned long want)
{
	unsigned long v;

	if (!auxv_find(type, &v)) {
		fail(name, "auxv has no entry of type %lu", type);
		return;
	}
	check(v == want, name, "auxv[%lu] = %lu (0x%lx), expected %lu (0x%lx)",
	      type, v, v, want, want);
}

static void check_args(int argc, char **argv, char **envp)
{
	check(argc == NEXPECTED + 1, "argc", "argc = %d, expected %d", argc,
	      NEXPECTED + 1);
	check(argv[argc] == NULL, "argv_null_terminated", "argv[argc] = %p",
	      (void *)argv[argc]);
	int same = argc == NEXPECTED + 1;
	for (int i = 0; same && i < NEXPECTED; i++) {
		if (strcmp(argv[i + 1], expected_args[i]) != 0) {
			fail("argv_values", "argv[%d] = \"%s\", expected \"%s\"",
			     i + 1, argv[i + 1], expected_args[i]);
			same = 0;
			break;
		}
	}
	if (same)
		pass("argv_values");
	check(envp == argv + argc + 1, "envp_follows_argv",
	      "envp = %p, argv + argc + 1 = %p", (void *)envp,
	      (void *)(argv + argc + 1));
	check(environ == envp, "environ_is_envp", "environ = %p, envp = %p",
	      (void *)environ, (void *)envp);

	/*
	 * At the entry point %rsp is 16-byte aligned and points at argc, so
	 * argv (%rsp + 8) is 8 mod 16 (x86-64 psABI, "Initial Stack").
	 */
	check(((uintptr_t)argv & 15) == 8, "entry_stack_alignment",
	      "argv = %p, expected 8 mod 16", (void *)argv);

	/*
	 * execve copies the argument and environment strings back to back
	 * (setproctitle() in nginx and PostgreSQL relies on it).
	 */
	int contiguous = 1;
	for (int i = 0; i + 1 < argc; i++) {
		if (argv[i + 1] != argv[i] + strlen(argv[i]) + 1) {
			fail("argv_strings_contiguous", "argv[%d] at %p, expected %p",
			     i + 1, (void *)argv[i + 1],
			     (void *)(argv[i] + strlen(argv[i]) + 1));
			contiguous = 0;
			break;
		}
	}
	if (contiguous)
		pass("argv_strings_contiguous");
	if (envp[0]) {
		char *after = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
		check(envp[0] == after, "env_strings_follow_args",
		      "envp[0] at %p, expected %p", (void *)envp[0], (void *)after);
	}
}

static void check_env(char **envp)
{
	const char *want = "hello monos world";
	const char *v = getenv("MONOS_TEST_VAR");

	if (!v)
		fail("getenv", "MONOS_TEST_VAR is not set");
	else
		check(strcmp(v, want) == 0, "getenv",
		      "MONOS_TEST_VAR = \"%s\", expected \"%s\"", v, want);
	int found = 0;
	for (char **e = envp; *e; e++)
		if (strcmp(*e, "MONOS_TEST_VAR=hello monos world") == 0)
			found = 1;
	check(found, "envp_entry", "no \"MONOS_TEST_VAR=%s\" in envp", want);
}

static void check_auxv(char **argv, char **envp)
{
	char **p = envp;
	while (*p)
		p++;
	auxv = (Elf64_auxv_t *)(p + 1);
	while (nauxv < 256 && auxv[nauxv].a_type != AT_NULL)
		nauxv++;
	if (!check(nauxv < 256, "auxv_terminated", "no AT_NULL in 256 entries"))
		return;

	/*
	 * getauxval must agree with the vector itself, except that glibc
	 * answers AT_HWCAP/AT_HWCAP2 from its own CPU feature bits.
	 */
	int agree = 1;
	for (int i = 0; i < nauxv; i++) {
		unsigned long t = auxv[i].a_type;
		if (t == AT_IGNORE || t == AT_HWCAP || t == AT_HWCAP2)
			continue;
		errno = 0;
		unsigned long v = getauxval(t);
		if (v != auxv[i].a_un.a_val) {
			fail("getauxval_agrees", "getauxval(%lu) = 0x%lx, auxv has 0x%lx",
			     t, v, (unsigned long)auxv[i].a_un.a_val);
			agree = 0;
			break;
		}
	}
	if (agree)
		pass("getauxval_agrees");

	int dup = 0;
	for (int i = 0; i < nauxv && !dup; i++)
		for (int j = i + 1; j < nauxv; j++)
			if (auxv[i].a_type == auxv[j].a_type && auxv[i].a_type != AT_IGNORE) {
				fail("auxv_unique", "type %lu appears twice",
				     (unsigned long)auxv[i].a_type);
				dup = 1;
				break;
			}
	if (!dup)
		pass("auxv_unique");

	check_auxv_eq("at_pagesz", AT_PAGESZ, 4096);
	check_auxv_eq("at_clktck", AT_CLKTCK, 100);
	check_auxv_eq("at_flags", AT_FLAGS, 0);
	/* AT_BASE is where the interpreter was loaded, 0 for a static executable. */
	check_auxv_eq("at_base", AT_BASE, interpreter_base());
	check_auxv_eq("at_secure", AT_SECURE, 0);
	check_auxv_eq("at_uid", AT_UID, getuid());
	check_auxv_eq("at_euid", AT_EUID, geteuid());
	check_auxv_eq("at_gid", AT_GID, getgid());
	check_auxv_eq("at_egid", AT_EGID, getegid());

	const Elf64_Ehdr *eh = &__ehdr_start;
	check_auxv_eq("at_phdr", AT_PHDR, (uintptr_t)eh + eh->e_phoff);
	check_auxv_eq("at_phent", AT_PHENT, eh->e_phentsize);
	check_auxv_eq("at_phnum", AT_PHNUM, eh->e_phnum);
	check_auxv_eq("at_entry", AT_ENTRY, (uintptr_t)_start);
	/* e_entry is relative to the load address for a PIE (ET_DYN). */
	uintptr_t bias = eh->e_type == ET_DYN ? (uintptr_t)eh : 0;
	check(eh->e_entry + bias == (uintptr_t)_start, "e_entry_is_start",
	      "e_entry + bias = 0x%lx, _start = %p",
	      (unsigned long)(eh->e_entry + bias), (void *)_start);

	unsigned long v;
	if (!auxv_find(AT_HWCAP, &v)) {
		fail("at_hwcap", "no AT_HWCAP entry");
	} else {
		/* AT_HWCAP is CPUID.1:EDX; x86-64 implies FPU, SSE and SSE2. */
		unsigned long need = 1ul << 0 | 1ul << 25 | 1ul << 26;
		check((v & need) == need, "at_hwcap",
		      "AT_HWCAP = 0x%lx lacks FPU/SSE/SSE2 bits 0x%lx", v, need);
	}
	check(auxv_find(AT_HWCAP2, &v), "at_hwcap2_present", "no AT_HWCAP2 entry");

	if (!auxv_find(AT_RANDOM, &v) || v == 0) {
		fail("at_random", "no AT_RANDOM entry");
	} else {
		const unsigned char *r = (const unsigned char *)v;
		int nonzero = 0;
		for (int i = 0; i < 16; i++)
			nonzero |= r[i];
		check(nonzero, "at_random", "the 16 bytes at %p are all zero", (void *)r);
		check((uintptr_t)r > (uintptr_t)(auxv + nauxv), "at_random_on_stack",
		      "AT_RANDOM %p is not above the auxv at %p", (void *)r,
		      (void *)auxv);
	}

	if (!auxv_find(AT_EXECFN, &v) || v == 0) {
		fail("at_execfn", "no AT_EXECFN entry");
	} else {
		const char *fn = (const char *)v;
		check(strcmp(base_name(fn), base_name(argv[0])) == 0, "at_execfn",
		      "AT_EXECFN = \"%s\", expected a path ending in \"%s\"", fn,
		      base_name(argv[0]));
		check((uintptr_t)fn > (uintptr_t)(auxv + nauxv), "at_execfn_on_stack",
		      "AT_EXECFN %p is not above the auxv at %p", (void *)fn,
		      (void *)auxv);
	}

	if (!auxv_find(AT_PLATFORM, &v) || v == 0)
		fail("at_platform", "no AT_PLATFORM entry");
	else
		check(strcmp((const char *)v, "x86_64") == 0, "at_platform",
		      "AT_PLATFORM = \"%s\", expected \"x86_64\"", (const char *)v);

	/* The vDSO is optional to this test, but if offered it is an ELF image. */
	if (auxv_find(AT_SYSINFO_EHDR, &v) && v != 0)
		check(memcmp((const void *)v, ELFMAG, SELFMAG) == 0, "at_sysinfo_ehdr",
		      "AT_SYSINFO_EHDR %p does not point at an ELF header", (void *)v);

	errno = 0;
	v = getauxval(12345);
	int e = errno;
	check(v == 0 && e == ENOENT, "getauxval_missing",
	      "getauxval(12345) = %lu, errno %s; expected 0 with ENOENT", v,
	      errno_name(e));
}

__attribute__((noinline)) static int is_aligned16(const void *p)
{
	return ((uintptr_t)p & 15) == 0;
}

int main(int argc, char **argv, char **envp)
{
	/*
	 * The compiler assumes %rsp is 16-byte aligned at every call and
	 * does not realign for a 16-byte object, so this checks the chain
	 * entry -> libc start code -> main.
	 */
	_Alignas(16) volatile char local16[16];
	local16[0] = 1;

	check_init("args_env");
	check(is_aligned16((const void *)local16), "main_stack_alignment",
	      "16-byte aligned local at %p", (void *)local16);
	check_args(argc, argv, envp);
	check_env(envp);
	check_auxv(argv, envp);
	return check_done();
}
