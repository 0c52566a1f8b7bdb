/*
 * vdso.c: the vDSO that AT_SYSINFO_EHDR announces. The program finds it as a
 * libc does: it walks the ELF header, PT_DYNAMIC, the symbol table through
 * both DT_HASH (musl's lookup) and DT_GNU_HASH (glibc's), and the version
 * definitions, and resolves each __vdso_ function at version LINUX_2.6. Then
 * it calls them and compares with the system calls: clocks in order with
 * syscall readings, resolutions equal, getcpu equal, and what the vDSO does
 * not serve itself handed to the kernel with the kernel's answer.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define NSEC 1000000000LL

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, struct timezone *);
typedef time_t (*time_fn)(time_t *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);
typedef int (*clock_getres_fn)(clockid_t, struct timespec *);

/* The vDSO as a dynamic linker sees it. */
struct vdso {
	uintptr_t base; /* load bias: link-time address + base = run-time address */
	const Elf64_Sym *symtab;
	const char *strtab;
	const Elf32_Word *hash;    /* DT_HASH */
	const Elf32_Word *gnu_hash; /* DT_GNU_HASH */
	const Elf64_Versym *versym;
	const Elf64_Verdef *verdef;
	const char *soname;
};

static long long ns(const struct timespec *t)
{
	return t->tv_sec * NSEC + t->tv_nsec;
}

static int parse(const Elf64_Ehdr *eh, struct vdso *v)
{
	memset(v, 0, sizeof(*v));
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_type != ET_DYN || eh->e_machine != EM_X86_64)
		return -1;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)((const char *)eh + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	int have_load = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !have_load) {
			v->base = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
			have_load = 1;
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = (const Elf64_Dyn *)((const char *)eh + ph[i].p_offset);
		}
	}
	if (!have_load || !dyn)
		return -1;
	Elf64_Xword soname = 0;
	int have_soname = 0;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		uintptr_t p = dyn->d_un.d_ptr + v->base;
		switch (dyn->d_tag) {
		case DT_SYMTAB: v->symtab = (const Elf64_Sym *)p; break;
		case DT_STRTAB: v->strtab = (const char *)p; break;
		case DT_HASH: v->hash = (const Elf32_Word *)p; break;
		case DT_GNU_HASH: v->gnu_hash = (const Elf32_Word *)p; break;
		case DT_VERSYM: v->versym = (const Elf64_Versym *)p; break;
		case DT_VERDEF: v->verdef = (const Elf64_Verdef *)p; break;
		case DT_SONAME: soname = dyn->d_un.d_val; have_soname = 1; break;
		}
	}
	if (!v->symtab || !v->strtab)
		return -1;
	if (have_soname)
		v->soname = v->strtab + soname;
	return 0;
}

/* The version name of symbol i ("LINUX_2.6"), or NULL. */
static const char *version_of(const struct vdso *v, unsigned i)
{
	if (!v->versym || !v->verdef)
		return NULL;
	unsigned ndx = v->versym[i] & 0x7fff;
	const Elf64_Verdef *d = v->verdef;
	for (;;) {
		if (!(d->vd_flags & VER_FLG_BASE) && d->vd_ndx == ndx) {
			const Elf64_Verdaux *a = (const Elf64_Verdaux *)((const char *)d + d->vd_aux);
			return v->strtab + a->vda_name;
		}
		if (!d->vd_next)
			return NULL;
		d = (const Elf64_Verdef *)((const char *)d + d->vd_next);
	}
}

static int symbol_matches(const struct vdso *v, unsigned i, const char *name)
{
	const Elf64_Sym *s = &v->symtab[i];
	if (strcmp(v->strtab + s->st_name, name) != 0 || s->st_shndx == SHN_UNDEF)
		return 0;
	int type = ELF64_ST_TYPE(s->st_info), bind = ELF64_ST_BIND(s->st_info);
	if (type != STT_FUNC || (bind != STB_GLOBAL && bind != STB_WEAK))
		return 0;
	const char *ver = version_of(v, i);
	return ver && strcmp(ver, "LINUX_2.6") == 0;
}

/* musl's way: the SysV hash table's nchain is the symbol count; scan them all. */
static void *lookup_hash(const struct vdso *v, const char *name)
{
	if (!v->hash)
		return NULL;
	unsigned nchain = v->hash[1];
	for (unsigned i = 1; i < nchain; i++)
		if (symbol_matches(v, i, name))
			return (void *)(v->symtab[i].st_value + v->base);
	return NULL;
}

static uint32_t gnu_hash(const char *s)
{
	uint32_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

/* glibc's way: the GNU hash bucket, then its chain until the end bit. (The Bloom filter only
 * says "maybe"; skipping it is allowed.) */
static void *lookup_gnu_hash(const struct vdso *v, const char *name)
{
	if (!v->gnu_hash)
		return NULL;
	uint32_t nbuckets = v->gnu_hash[0], symoffset = v->gnu_hash[1];
	uint32_t bloom_size = v->gnu_hash[2];
	const uint64_t *bloom = (const uint64_t *)&v->gnu_hash[4];
	const uint32_t *buckets = (const uint32_t *)&bloom[bloom_size];
	const uint32_t *chain = &buckets[nbuckets];
	uint32_t h = gnu_hash(name);
	uint32_t i = buckets[h % nbuckets];
	if (i < symoffset)
		return NULL;
	for (;; i++) {
		uint32_t h2 = chain[i - symoffset];
		if ((h | 1) == (h2 | 1) && symbol_matches(v, i, name))
			return (void *)(v->symtab[i].st_value + v->base);
		if (h2 & 1)
			return NULL;
	}
}

static const char *const names[] = {
	"__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time", "__vdso_getcpu",
	"__vdso_clock_getres",
};
static void *fns[5];

static void symbols(const struct vdso *v)
{
	check(v->soname && strcmp(v->soname, "linux-vdso.so.1") == 0, "soname",
	      "DT_SONAME %s, expected linux-vdso.so.1", v->soname ? v->soname : "(none)");
	check(v->hash && v->gnu_hash, "both_hash_tables", "DT_HASH %p, DT_GNU_HASH %p",
	      (void *)v->hash, (void *)v->gnu_hash);
	for (int i = 0; i < 5; i++) {
		char name[64];
		void *a = lookup_hash(v, names[i]), *b = lookup_gnu_hash(v, names[i]);
		snprintf(name, sizeof(name), "symbol.%s", names[i] + 7);
		check(a && a == b, name, "DT_HASH finds %p, DT_GNU_HASH %p (version LINUX_2.6)", a, b);
		fns[i] = a;
		/* The unprefixed alias Linux exports too (clock_gettime, ...), at the same place. */
		void *alias = lookup_hash(v, names[i] + 7);
		snprintf(name, sizeof(name), "alias.%s", names[i] + 7);
		check(alias == a, name, "%s at %p, %s at %p", names[i] + 7, alias, names[i], a);
	}
	check(!lookup_hash(v, "__vdso_nonexistent") && !lookup_gnu_hash(v, "__vdso_nonexistent"),
	      "unknown_symbol_absent", "a symbol that does not exist was found");
}

/* The vDSO's pages: read and execute, never write, named [vdso] (its line of /proc/self/maps). */
static void mapping(uintptr_t base)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], perms[8] = "", name[64] = "";
	if (!f) {
		fail("mapping_rx", "cannot open /proc/self/maps");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		name[0] = 0;
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %63s", &lo, &hi, perms, name) >= 3 &&
		    base >= lo && base < hi)
			break;
		perms[0] = 0;
	}
	fclose(f);
	check(strncmp(perms, "r-x", 3) == 0, "mapping_rx", "the vDSO's mapping is \"%s\"", perms);
	check(strcmp(name, "[vdso]") == 0, "mapping_name", "the vDSO's mapping is named \"%s\"", name);
}

static const struct { clockid_t id; const char *name; int coarse; } vclocks[] = {
	{ CLOCK_MONOTONIC, "monotonic", 0 },
	{ CLOCK_MONOTONIC_RAW, "monotonic_raw", 0 },
	{ CLOCK_BOOTTIME, "boottime", 0 },
	{ CLOCK_REALTIME, "realtime", 0 },
	{ CLOCK_TAI, "tai", 0 },
	{ CLOCK_MONOTONIC_COARSE, "monotonic_coarse", 1 },
	{ CLOCK_REALTIME_COARSE, "realtime_coarse", 1 },
};

static void clocks(void)
{
	clock_gettime_fn vgettime = (clock_gettime_fn)fns[0];
	clock_getres_fn vgetres = (clock_getres_fn)fns[4];
	if (!vgettime || !vgetres) {
		fail("clock_gettime", "__vdso_clock_gettime or __vdso_clock_getres missing");
		return;
	}
	for (size_t i = 0; i < sizeof(vclocks) / sizeof(vclocks[0]); i++) {
		clockid_t id = vclocks[i].id;
		char name[64];
		struct timespec a, s, b;
		/* vDSO, syscall, vDSO: each reading is at most the next. A coarse clock is read at the
		 * last tick by both, so it too never goes back between them. */
		int ra = vgettime(id, &a);
		int rs = (int)syscall(SYS_clock_gettime, id, &s);
		int rb = vgettime(id, &b);
		snprintf(name, sizeof(name), "gettime_order.%s", vclocks[i].name);
		check(ra == 0 && rs == 0 && rb == 0 && ns(&a) <= ns(&s) && ns(&s) <= ns(&b) &&
			      a.tv_nsec >= 0 && a.tv_nsec < NSEC,
		      name, "returned %d/%d/%d; vdso %lld, syscall %lld, vdso %lld ns", ra, rs, rb,
		      ns(&a), ns(&s), ns(&b));

		/* A coarse reading trails the precise clock by at most a few ticks. */
		if (vclocks[i].coarse) {
			clockid_t fine = id == CLOCK_MONOTONIC_COARSE ? CLOCK_MONOTONIC : CLOCK_REALTIME;
			struct timespec c, p;
			vgettime(id, &c);
			vgettime(fine, &p);
			long long lag = ns(&p) - ns(&c);
			snprintf(name, sizeof(name), "coarse_lag.%s", vclocks[i].name);
			check(lag >= 0 && lag < 100 * 1000 * 1000, name,
			      "the precise clock is %lld ns ahead", lag);
		}

		struct timespec rv = { -1, -1 }, rk = { -2, -2 };
		ra = vgetres(id, &rv);
		rs = (int)syscall(SYS_clock_getres, id, &rk);
		snprintf(name, sizeof(name), "getres.%s", vclocks[i].name);
		check(ra == 0 && rs == 0 && rv.tv_sec == rk.tv_sec && rv.tv_nsec == rk.tv_nsec, name,
		      "vdso %d {%lld, %ld}, syscall %d {%lld, %ld}", ra, (long long)rv.tv_sec,
		      rv.tv_nsec, rs, (long long)rk.tv_sec, rk.tv_nsec);
	}
	check_eq("getres_null", vgetres(CLOCK_MONOTONIC, NULL), 0);

	/* What the vDSO does not serve itself, the kernel answers, and the vDSO returns its raw
	 * result: -errno, not -1 with errno (libc turns it into errno). */
	struct timespec t;
	check_eq("gettime_bad_clock", vgettime(100, &t), -EINVAL);
	check_eq("getres_bad_clock", vgetres(100, &t), -EINVAL);
	struct timespec c0, c1;
	int r0 = vgettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	int r1 = (int)syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &c1);
	check(r0 == 0 && r1 == 0 && ns(&c0) <= ns(&c1), "gettime_cputime_via_kernel",
	      "vdso %d %lld ns, then syscall %d %lld ns", r0, ns(&c0), r1, ns(&c1));

	/* Reading the clock many times never goes backwards and stays within the syscall's. */
	struct timespec prev, now, k;
	int ok = 1;
	vgettime(CLOCK_MONOTONIC, &prev);
	for (int i = 0; i < 20000 && ok; i++) {
		vgettime(CLOCK_MONOTONIC, &now);
		if (ns(&now) < ns(&prev))
			ok = 0;
		else
			prev = now;
	}
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &k);
	check(ok && ns(&prev) <= ns(&k), "monotonic_many_reads",
	      "vdso %lld ns, then %lld; syscall after: %lld", ns(&prev), ns(&now), ns(&k));
}

static void wall(void)
{
	gettimeofday_fn vgtod = (gettimeofday_fn)fns[1];
	time_fn vtime = (time_fn)fns[2];
	if (!vgtod || !vtime) {
		fail("gettimeofday", "__vdso_gettimeofday or __vdso_time missing");
		return;
	}
	struct timespec a, b;
	struct timeval tv;
	struct timezone tz = { -1, -1 }, ktz = { -2, -2 };
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &a);
	int r = vgtod(&tv, &tz);
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &b);
	long long us = tv.tv_sec * 1000000LL + tv.tv_usec;
	check(r == 0 && ns(&a) / 1000 <= us && us <= ns(&b) / 1000 && tv.tv_usec >= 0 &&
		      tv.tv_usec < 1000000,
	      "gettimeofday", "returned %d, %lld us; syscall before/after %lld/%lld us", r, us,
	      ns(&a) / 1000, ns(&b) / 1000);
	syscall(SYS_gettimeofday, NULL, &ktz);
	check(tz.tz_minuteswest == ktz.tz_minuteswest && tz.tz_dsttime == ktz.tz_dsttime,
	      "gettimeofday_timezone", "vdso {%d, %d}, syscall {%d, %d}", tz.tz_minuteswest,
	      tz.tz_dsttime, ktz.tz_minuteswest, ktz.tz_dsttime);
	check_eq("gettimeofday_null", vgtod(NULL, NULL), 0);

	time_t t1 = 0;
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &a);
	time_t t0 = vtime(&t1);
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &b);
	/* Linux's time() may read the coarse clock, a tick behind. */
	check(t0 == t1 && t0 >= a.tv_sec - 1 && t0 <= b.tv_sec, "time",
	      "returned %lld, stored %lld; clock %lld..%lld s", (long long)t0, (long long)t1,
	      (long long)a.tv_sec, (long long)b.tv_sec);
	check(vtime(NULL) >= t0, "time_null", "time(NULL) went back");
}

static void cpu_number(void)
{
	getcpu_fn vgetcpu = (getcpu_fn)fns[3];
	if (!vgetcpu) {
		fail("getcpu", "__vdso_getcpu missing");
		return;
	}
	/* Pinned to the CPU it is on, the answer cannot change between the two calls. */
	unsigned cpu = 0, node = 0;
	syscall(SYS_getcpu, &cpu, &node, NULL);
	cpu_set_t one, old;
	sched_getaffinity(0, sizeof(old), &old);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
	unsigned vc = ~0u, vn = ~0u, kc = ~1u, kn = ~1u;
	long r = vgetcpu(&vc, &vn, NULL);
	syscall(SYS_getcpu, &kc, &kn, NULL);
	check(r == 0 && vc == kc && vn == kn, "getcpu", "vdso %ld cpu %u node %u, syscall cpu %u node %u",
	      r, vc, vn, kc, kn);
	vc = ~0u;
	check(vgetcpu(&vc, NULL, NULL) == 0 && vc == kc, "getcpu_null_node", "cpu %u, expected %u",
	      vc, kc);
	check_eq("getcpu_all_null", vgetcpu(NULL, NULL, NULL), 0);
	check_eq("sched_getcpu", sched_getcpu(), (long)kc);
	sched_setaffinity(0, sizeof(old), &old);
}

/* libc finds the vDSO by itself (glibc through its loader's tables, musl through DT_HASH):
 * its clock_gettime works and agrees with the kernel. */
static void libc(void)
{
	struct timespec a, s, b;
	int ra = clock_gettime(CLOCK_MONOTONIC, &a);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &s);
	int rb = clock_gettime(CLOCK_MONOTONIC, &b);
	check(ra == 0 && rb == 0 && ns(&a) <= ns(&s) && ns(&s) <= ns(&b), "libc_clock_gettime",
	      "libc %lld, syscall %lld, libc %lld ns", ns(&a), ns(&s), ns(&b));
	errno = 0;
	check_errno("libc_bad_clock", clock_gettime(100, &a), EINVAL);
}

int main(void)
{
	check_init("vdso");
	uintptr_t ehdr = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
	if (!check(ehdr != 0 && ehdr % 4096 == 0, "auxv", "AT_SYSINFO_EHDR = %#lx",
		   (unsigned long)ehdr))
		return check_done();
	struct vdso v;
	if (!check(parse((const Elf64_Ehdr *)ehdr, &v) == 0, "elf",
		   "not an x86-64 ET_DYN with PT_LOAD, PT_DYNAMIC, DT_SYMTAB and DT_STRTAB"))
		return check_done();
	symbols(&v);
	mapping(ehdr);
	clocks();
	wall();
	cpu_number();
	libc();
	return check_done();
}
