/* Unit test of the dynamic closure (tools/monos/closure.c) and of how the image keeps what
 * it finds (image.c): against the real loaders. The fixtures of monos.mk (FIXTURE_DIR) are
 * libraries and programs whose search paths disagree on purpose; each program prints which
 * copy of its library it got, so every answer of the closure is checked against what
 * glibc's ld.so itself picks. Also: ld.so.conf parsing, token expansion, the generated
 * ld.so.cache (read back by ldconfig), symlinks in the image, the plan's hash, real
 * programs (/bin/ls; python3 when installed), and -- as root -- images unpacked and run
 * under chroot, which proves a closure complete. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "closure.h"
#include "image.h"
#include "ldcache.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name the directory of the closure fixtures"
#endif
#define FX FIXTURE_DIR

static char tmp[256];

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		check("closure.scratch", false, "cannot write %s", path);
		exit(1);
	}
}

/* The first line the program prints when run natively, with LD_LIBRARY_PATH=LLP. */
static const char *native(const char *prog, const char *llp)
{
	static char line[256];
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "env %s%s %s 2>&1", llp ? "LD_LIBRARY_PATH=" : "-u LD_LIBRARY_PATH",
		 llp ? llp : "", prog);
	FILE *p = popen(cmd, "r");
	line[0] = '\0';
	if (p) {
		if (!fgets(line, sizeof(line), p))
			line[0] = '\0';
		pclose(p);
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/* Resolves PROG's closure into *w. */
static void closure_of(struct ld_world *w, const char *prog, const char *llp, const char *conf)
{
	struct ld_config cfg = { .ld_library_path = llp, .cwd = "/", .ldso_conf = conf };
	struct elf_dyn dyn;
	if (elf_read_dyn(prog, &dyn) != 0) {
		check("closure.fixture", false, "cannot read %s", prog);
		exit(1);
	}
	ld_world_init(w, &cfg, prog, prog, &dyn);
	elf_dyn_free(&dyn);
	ld_world_resolve(w);
}

/* The file the world packs whose name is BASE, or "". */
static const char *packed(const struct ld_world *w, const char *base)
{
	for (size_t i = 0; i < w->files.n; i++) {
		const char *s = strrchr(w->files.v[i], '/');
		if (s && strcmp(s + 1, base) == 0)
			return w->files.v[i];
	}
	return "";
}

/* Checks that the closure of PROG picks DIR/libdep.so.1 and the real ld.so prints WANT. */
static void expect_dep(const char *name, const char *prog, const char *llp, const char *dir,
		       const char *want)
{
	struct ld_world w;
	closure_of(&w, prog, llp, NULL);
	char path[512];
	snprintf(path, sizeof(path), "%s/libdep.so.1", dir);
	const char *got = packed(&w, "libdep.so.1");
	const char *ld = native(prog, llp);
	check(name, !strcmp(got, path) && !strcmp(ld, want) && w.nmissing == 0,
	      "closure: %s, want %s; ld.so printed '%s', want '%s'; %zu missing", got, path, ld,
	      want, w.nmissing);
	ld_world_free(&w);
}

/* A copy of p-runpath (RUNPATH "B:A") whose DT_DEBUG becomes a DT_RPATH pointing into the
 * same string at "A": an object with both, where RPATH must be ignored. */
static const char *make_both(void)
{
	static char out[512];
	snprintf(out, sizeof(out), "%s/p-both", tmp);
	FILE *f = fopen(FX "/p-runpath", "rb");
	static unsigned char buf[1 << 20];
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	if (f)
		fclose(f);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + eh->e_phoff);
	Elf64_Dyn *dyn = NULL, *runpath = NULL, *debug = NULL;
	for (int i = 0; n && i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (Elf64_Dyn *)(buf + ph[i].p_offset);
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_RUNPATH)
			runpath = dyn;
		if (dyn->d_tag == DT_DEBUG)
			debug = dyn;
	}
	if (!runpath || !debug)
		return NULL;
	debug->d_tag = DT_RPATH;
	debug->d_un.d_val = runpath->d_un.d_val + strlen(FX "/B:");
	f = fopen(out, "wb");
	if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0)
		return NULL;
	chmod(out, 0755);
	return out;
}

static void test_search_order(void)
{
	/* RPATH X32:A:B -- the 32-bit copy is passed over, as ld.so does. */
	expect_dep("closure.rpath_skips_other_class", FX "/p-rpath", NULL, FX "/A", "A");
	/* RPATH comes before LD_LIBRARY_PATH ... */
	expect_dep("closure.rpath_before_ld_library_path", FX "/p-rpath", FX "/B", FX "/A", "A");
	/* ... RUNPATH after it. */
	expect_dep("closure.runpath", FX "/p-runpath", NULL, FX "/B", "B");
	expect_dep("closure.ld_library_path_before_runpath", FX "/p-runpath", FX "/A", FX "/A", "A");

	const char *both = make_both();
	struct elf_dyn d = { 0 };
	bool ok = both && elf_read_dyn(both, &d) == 0 && d.rpath && d.runpath &&
		  !strcmp(d.rpath, FX "/A");
	elf_dyn_free(&d);
	if (check("closure.fixture_rpath_and_runpath", ok, "could not make %s with both", tmp))
		expect_dep("closure.rpath_ignored_with_runpath", both, NULL, FX "/B", "B");

	/* The program's RPATH serves its libraries' dependencies too; its RUNPATH does not. */
	struct ld_world w;
	closure_of(&w, FX "/p-inherit-rpath", NULL, NULL);
	const char *ld = native(FX "/p-inherit-rpath", NULL);
	check("closure.rpath_inherited", !strcmp(packed(&w, "libleaf.so"), FX "/leaf/libleaf.so") &&
	      w.nmissing == 0 && !strcmp(ld, "leaf"), "libleaf.so: '%s', %zu missing; ld.so: %s",
	      packed(&w, "libleaf.so"), w.nmissing, ld);
	ld_world_free(&w);

	closure_of(&w, FX "/p-inherit-runpath", NULL, NULL);
	ld = native(FX "/p-inherit-runpath", NULL);
	check("closure.runpath_not_inherited", w.nmissing == 1 && w.missing[0].strict &&
	      strstr(w.missing[0].message, FX "/mid/libmid.so needs libleaf.so, which was not found "
		     "(searched: ") && strstr(ld, "libleaf.so: cannot open"),
	      "%zu missing (%s); ld.so: %s", w.nmissing, w.nmissing ? w.missing[0].message : "-", ld);
	ld_world_free(&w);

	/* $ORIGIN, in the program's RUNPATH and in its library's. */
	closure_of(&w, FX "/p-origin", NULL, NULL);
	ld = native(FX "/p-origin", NULL);
	check("closure.origin", !strcmp(packed(&w, "libori.so"), FX "/origin/libori.so") &&
	      !strcmp(packed(&w, "libsub.so"), FX "/origin/sub/libsub.so") && !strcmp(ld, "sub"),
	      "libori.so '%s', libsub.so '%s'; ld.so: %s", packed(&w, "libori.so"),
	      packed(&w, "libsub.so"), ld);
	ld_world_free(&w);

	/* Missing: the message names what needs what, and where it was looked for. */
	closure_of(&w, FX "/p-missing", NULL, NULL);
	check("closure.missing", w.nmissing == 1 && w.missing[0].strict &&
	      strstr(w.missing[0].message, FX "/p-missing needs libnothere.so.1, which was not found "
		     "(searched: ") && strstr(w.missing[0].message, "/usr/lib/x86_64-linux-gnu") &&
	      packed(&w, "libc.so.6")[0], "%s", w.nmissing ? w.missing[0].message : "nothing missing");
	ld_world_free(&w);

	/* LD_PRELOAD and an added module bring their closures. */
	struct ld_config cfg = { .ld_preload = FX "/ver/libver.so.1", .cwd = "/" };
	struct elf_dyn dyn;
	elf_read_dyn(FX "/p-runpath", &dyn);
	ld_world_init(&w, &cfg, FX "/p-runpath", "p-runpath", &dyn);
	elf_dyn_free(&dyn);
	ld_world_resolve(&w);
	bool module = ld_world_add_module(&w, FX "/origin/libori.so", true);
	ld_world_resolve(&w);
	check("closure.preload_and_module", module && !strcmp(packed(&w, "libver.so.1"),
	      FX "/ver/libver.so.1") && !strcmp(packed(&w, "libsub.so"), FX "/origin/sub/libsub.so") &&
	      w.nmissing == 0, "libver.so.1 '%s', libsub.so '%s', %zu missing",
	      packed(&w, "libver.so.1"), packed(&w, "libsub.so"), w.nmissing);
	ld_world_free(&w);
}

static void test_ldconf(void)
{
	char path[512], text[1024];
	snprintf(path, sizeof(path), "%s/conf.d", tmp);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/extra.conf", tmp);
	write_text(path, "/extra\n");
	snprintf(path, sizeof(path), "%s/conf.d/b.conf", tmp);
	snprintf(text, sizeof(text), "/b\ninclude %s/extra.conf\n", tmp);
	write_text(path, text);
	snprintf(path, sizeof(path), "%s/conf.d/a.conf", tmp);
	write_text(path, "/a1\n\t/a2\t\n/first/dir\n");
	snprintf(path, sizeof(path), "%s/conf.d/c.txt", tmp);
	write_text(path, "/not-included\n");
	snprintf(path, sizeof(path), "%s/ld.so.conf", tmp);
	write_text(path, "# comment\n/first/dir/ \ninclude conf.d/*.conf\nhwcap 0 nosegneg\n"
		   "/last # trailing comment\n\n");

	struct strvec dirs = { 0 };
	ldconf_parse(path, &dirs);
	const char *want[] = { "/first/dir", "/a1", "/a2", "/b", "/extra", "/last" };
	bool ok = dirs.n == 6;
	for (size_t i = 0; ok && i < 6; i++)
		ok = !strcmp(dirs.v[i], want[i]);
	char got[1024] = "";
	for (size_t i = 0; i < dirs.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s ", dirs.v[i]);
	check("closure.ldconf_include", ok, "got %s", got);
	strvec_free(&dirs);

	/* A library found only through ld.so.conf: the guest gets a cache entry for it. */
	char conf[512];
	snprintf(conf, sizeof(conf), "%s/fx.conf", tmp);
	write_text(conf, FX "/conf\n");
	struct ld_world w;
	closure_of(&w, FX "/p-conf", NULL, conf);
	check("closure.ldconf_search", !strcmp(packed(&w, "libconf.so.1"), FX "/conf/libconf.so.1") &&
	      w.nmissing == 0 && w.cache_names.n == 1 && !strcmp(w.cache_names.v[0], "libconf.so.1"),
	      "libconf.so.1 '%s', %zu missing, %zu cache entries", packed(&w, "libconf.so.1"),
	      w.nmissing, w.cache_names.n);
	ld_world_free(&w);
}

static void test_expand(void)
{
	struct ld_world w;
	struct ld_config cfg = { .cwd = "/" };
	ld_world_init(&w, &cfg, NULL, NULL, NULL);
	struct { const char *in, *out; } g[] = {
		{ "$ORIGIN/lib", "/o/lib" }, { "${ORIGIN}/../x", "/o/../x" },
		{ "$ORIGINAL/x", "$ORIGINAL/x" }, { "/a/$PLATFORM", "/a/x86_64" },
		{ "/u/${LIB}/z", NULL }, { "$FOO:$ORIGIN", "$FOO:/o" },
	};
	char lib[64];
	snprintf(lib, sizeof(lib), "/u/%s/z", w.dst_lib);
	g[4].out = lib;
	bool ok = true;
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		char *e = ld_expand(&w, g[i].in, "/o");
		if (!e || strcmp(e, g[i].out)) {
			check("closure.expand_glibc", false, "%s -> %s, want %s", g[i].in, e ? e : "NULL",
			      g[i].out);
			ok = false;
		}
		free(e);
	}
	if (ok)
		check("closure.expand_glibc", true, "%s", "");
	w.flavor = LD_MUSL;
	char *a = ld_expand(&w, "$ORIGIN/../lib:${ORIGIN}", "/o"), *b = ld_expand(&w, "$LIB", "/o");
	check("closure.expand_musl", a && !strcmp(a, "/o/../lib:/o") && !b,
	      "got %s and %s (musl ignores a path with other tokens)", a ? a : "NULL", b ? b : "NULL");
	free(a);
	free(b);
	ld_world_free(&w);
}

/* ---- the image side ---- */

static const struct plan_entry *raw_entry(const struct image_plan *p, const char *guest)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->e[i].guest, guest))
			return &p->e[i];
	return NULL;
}

static bool is_entry(const struct image_plan *p, const char *guest, enum plan_kind kind,
		     const char *target)
{
	const struct plan_entry *e = raw_entry(p, guest);
	return e && e->kind == kind && (!target || (e->data && !strcmp(e->data, target)));
}

static void test_symlinks(void)
{
	struct image_plan p;
	plan_init(&p, false);

	/* libver.so.1 -> libver.so.1.2.3: both in the image. */
	struct ld_world w;
	closure_of(&w, FX "/p-ver", NULL, NULL);
	for (size_t i = 0; i < w.files.n; i++)
		plan_add_found(&p, w.files.v[i], NULL);
	check("plan.library_symlink", is_entry(&p, FX "/ver/libver.so.1", PLAN_SYMLINK, "libver.so.1.2.3") &&
	      is_entry(&p, FX "/ver/libver.so.1.2.3", PLAN_FILE, NULL) &&
	      !raw_entry(&p, FX "/ver/libver.so"), "libver.so.1 and its target are not both there");

	/* The interpreter as PT_INTERP names it, every symlink on the way kept. */
	char cur[4096] = "", buf[4096];
	const char *interp = w.interp ? w.interp : "";
	bool ok = interp[0] == '/';
	for (const char *s = interp + 1; ok && *s; ) {
		const char *slash = strchrnul(s, '/');
		snprintf(cur + strlen(cur), sizeof(cur) - strlen(cur), "/%.*s", (int)(slash - s), s);
		struct stat st;
		const struct plan_entry *e = plan_lookup(&p, cur);
		if (lstat(cur, &st) == 0 && S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(cur, buf, sizeof(buf) - 1);
			buf[n > 0 ? n : 0] = '\0';
			ok = is_entry(&p, cur, PLAN_SYMLINK, buf);
			break;	/* what follows is checked through the link */
		}
		ok = e != NULL;
		s = *slash ? slash + 1 : slash;
	}
	const struct plan_entry *ie = plan_lookup(&p, interp);
	check("plan.interpreter_path", ok && ie && ie->kind == PLAN_FILE,
	      "%s is not in the image as the program names it (at %s)", interp, cur);
	ld_world_free(&w);

	/* Guest paths go through the image's symlinks: t/ln -> real. */
	char t[512], real[600], ln[600], file[700], other[700];
	snprintf(t, sizeof(t), "%s/t", tmp);
	snprintf(real, sizeof(real), "%s/real", t);
	snprintf(ln, sizeof(ln), "%s/ln", t);
	mkdir(t, 0755);
	mkdir(real, 0755);
	symlink("real", ln);
	snprintf(file, sizeof(file), "%s/ln/f", t);
	write_text(file, "f");
	plan_add_found(&p, file, NULL);
	snprintf(other, sizeof(other), "%s/ln/other", t);
	int r = plan_add(&p, FX "/p-ver", other, true, NULL);
	int r2 = plan_add_dir(&p, ln, 0755);
	snprintf(buf, sizeof(buf), "%s/real/f", t);
	snprintf(cur, sizeof(cur), "%s/real/other", t);
	check("plan.guest_through_symlink", r == 0 && r2 == 0 && is_entry(&p, ln, PLAN_SYMLINK, "real") &&
	      is_entry(&p, buf, PLAN_FILE, NULL) && is_entry(&p, cur, PLAN_FILE, NULL),
	      "ln/f and ln/other should be real/f and real/other, with ln a symlink");

	/* The key: the same inputs, the same hash; a touched file, another. */
	unsigned char h1[32], h2[32], h3[32];
	struct sha256 s;
	sha256_init(&s); plan_hash(&p, &s); sha256_final(&s, h1);
	sha256_init(&s); plan_hash(&p, &s); sha256_final(&s, h2);
	plan_free(&p);
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 12345, 678 } };
	utimensat(AT_FDCWD, buf, ts, 0);
	plan_init(&p, false);
	closure_of(&w, FX "/p-ver", NULL, NULL);
	for (size_t i = 0; i < w.files.n; i++)
		plan_add_found(&p, w.files.v[i], NULL);
	ld_world_free(&w);
	plan_add_found(&p, file, NULL);
	plan_add(&p, FX "/p-ver", other, true, NULL);
	plan_add_dir(&p, ln, 0755);
	sha256_init(&s); plan_hash(&p, &s); sha256_final(&s, h3);
	check("plan.hash", !memcmp(h1, h2, 32) && memcmp(h1, h3, 32), "stable %d, changed %d",
	      !memcmp(h1, h2, 32), !!memcmp(h1, h3, 32));
	plan_free(&p);
}

static void test_ldcache(void)
{
	check("ldcache.libcmp", ldcache_libcmp("libfoo.so.10", "libfoo.so.9") > 0 &&
	      ldcache_libcmp("libfoo.so.9", "libfoo.so.10") < 0 &&
	      ldcache_libcmp("libc.so.6", "libc.so.6") == 0 && ldcache_libcmp("liba.so", "libb.so") < 0,
	      "numbers compare as numbers");

	char *names[] = { "libconf.so.1", "libz.so.1", "liba.so.10", "liba.so.9" };
	char *paths[] = { FX "/conf/libconf.so.1", "/opt/z/libz.so.1", "/opt/a10", "/opt/a9" };
	size_t len;
	char *cache = ldcache_build(names, paths, 4, &len);
	char path[512], cmd[1024], out[4096] = "";
	snprintf(path, sizeof(path), "%s/ld.so.cache", tmp);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bool wrote = fd >= 0 && write(fd, cache, len) == (ssize_t)len;
	close(fd);
	free(cache);
	snprintf(cmd, sizeof(cmd), "/sbin/ldconfig -C %s -p 2>&1", path);
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(out, 1, sizeof(out) - 1, p) : 0;
	out[n] = '\0';
	if (p)
		pclose(p);
	check("ldcache.ldconfig_reads_it", wrote && strstr(out, "4 libs found in cache") &&
	      strstr(out, "libconf.so.1 (libc6,x86-64) => " FX "/conf/libconf.so.1") &&
	      strstr(out, "liba.so.10 (libc6,x86-64) => /opt/a10"), "ldconfig -p says:\n%s", out);
}

/* ---- real programs ---- */

static void test_real_programs(void)
{
	struct ld_world w;
	closure_of(&w, "/bin/ls", NULL, NULL);
	size_t ld = 0;
	for (size_t i = 0; i < w.files.n; i++)
		ld += strstr(w.files.v[i], "ld-linux-x86-64.so.2") != NULL;
	check("closure.ls", w.nmissing == 0 && w.interp && w.files.n >= 2 &&
	      !strcmp(w.files.v[0], w.interp) && packed(&w, "libc.so.6")[0] && ld == 1,
	      "%zu missing, %zu files, interp %s, libc '%s', %zu copies of ld.so (libc.so.6 needs "
	      "it by its soname)", w.nmissing, w.files.n, w.interp ? w.interp : "-",
	      packed(&w, "libc.so.6"), ld);
	/* glibc dlopens libgcc_s.so.1 to unwind (pthread_exit, pthread_cancel): packed too. */
	check("closure.glibc_libgcc_s", packed(&w, "libgcc_s.so.1")[0] != 0,
	      "libgcc_s.so.1 not packed with libc.so.6 (%zu files)", w.files.n);
	ld_world_free(&w);

	closure_of(&w, FX "/p-musl", NULL, NULL);
	check("closure.musl", w.flavor == LD_MUSL && w.nmissing == 0 &&
	      !strcmp(packed(&w, "ld-musl-x86_64.so.1"), "/lib/ld-musl-x86_64.so.1") &&
	      !strcmp(packed(&w, "libdep.so.1"), FX "/musl/libdep.so.1") && !packed(&w, "libc.so")[0],
	      "flavor %d, %zu missing (%s), interpreter '%s', libdep '%s'", w.flavor,
	      w.nmissing, w.nmissing ? w.missing[0].message : "-", packed(&w, "ld-musl-x86_64.so.1"),
	      packed(&w, "libdep.so.1"));
	ld_world_free(&w);

	/* python3's extension modules bring libssl, libcrypto, libsqlite3. */
	char py[256];
	ssize_t n = readlink("/usr/bin/python3", py, sizeof(py) - 1);
	if (n <= 0)
		return;		/* not installed: nothing to check */
	py[n] = '\0';
	char dynload[512];
	snprintf(dynload, sizeof(dynload), "/usr/lib/%s/lib-dynload", py);
	closure_of(&w, "/usr/bin/python3", NULL, NULL);
	const char *mods[] = { "_ssl", "_hashlib", "_sqlite3" };
	for (size_t i = 0; i < 3; i++) {
		char m[1024];
		snprintf(m, sizeof(m), "%s/%s.cpython-%c%s-x86_64-linux-gnu.so", dynload, mods[i],
			 py[6], py + 8);
		ld_world_add_module(&w, m, false);
	}
	ld_world_resolve(&w);
	check("closure.python3_modules", packed(&w, "libssl.so.3")[0] && packed(&w, "libcrypto.so.3")[0] &&
	      packed(&w, "libsqlite3.so.0")[0], "libssl '%s', libcrypto '%s', libsqlite3 '%s'",
	      packed(&w, "libssl.so.3"), packed(&w, "libcrypto.so.3"), packed(&w, "libsqlite3.so.0"));
	ld_world_free(&w);
}

/* As root: PROG's image, unpacked, runs under chroot and prints WANT. The image is made
 * as pack.c does: the program, its closure, the generated ld.so.cache. with_proc: /proc
 * mounted in the chroot, where glibc's ld.so reads the program's $ORIGIN
 * (/proc/self/exe); where proc cannot be mounted, the check is skipped. */
static void chroot_run(const char *name, const char *prog, const char *conf, const char *want,
		       bool with_proc)
{
	struct ld_world w;
	closure_of(&w, prog, NULL, conf);
	struct image_plan p;
	plan_init(&p, false);
	int r = plan_add(&p, prog, prog, true, NULL);
	for (size_t i = 0; i < w.files.n && r == 0; i++)
		r = plan_add_found(&p, w.files.v[i], NULL);
	if (w.cache_names.n) {
		size_t len;
		char *c = ldcache_build(w.cache_names.v, w.cache_paths.v, w.cache_names.n, &len);
		plan_add_data(&p, "/etc/ld.so.cache", 0644, c, len);
		free(c);
	}
	char img[512], root[512], cmd[4096], out[512] = "";
	snprintf(img, sizeof(img), "%s/%s.cpio", tmp, name);
	snprintf(root, sizeof(root), "%s/%s.root", tmp, name);
	struct image_run run = { .manifest = "exe=/x", .manifest_len = 7, .stdin_fd = -1 };
	int fd = open(img, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	bool changed;
	if (r == 0)
		r = image_write(&p, &run, fd, img, &changed);
	close(fd);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && cd %s && cpio -idm --quiet < %s", root, root, img);
	if (r == 0 && system(cmd) != 0)
		r = -1;
	if (r == 0 && with_proc) {
		snprintf(cmd, sizeof(cmd), "mkdir -p %s/proc && mount -t proc proc %s/proc 2>/dev/null",
			 root, root);
		if (system(cmd) != 0) {
			printf("SKIP %s: cannot mount proc in the chroot\n", name);
			plan_free(&p);
			ld_world_free(&w);
			return;
		}
	}
	snprintf(cmd, sizeof(cmd), "env -i /usr/sbin/chroot %s %s 2>&1", root, prog);
	FILE *f = r == 0 ? popen(cmd, "r") : NULL;
	size_t n = f ? fread(out, 1, sizeof(out) - 1, f) : 0;
	out[n] = '\0';
	if (f)
		pclose(f);
	out[strcspn(out, "\n")] = '\0';
	if (with_proc) {
		snprintf(cmd, sizeof(cmd), "umount %s/proc", root);
		if (system(cmd) != 0)
			fprintf(stderr, "closure_test: could not unmount %s/proc\n", root);
	}
	check(name, r == 0 && w.nmissing == 0 && !strcmp(out, want), "chroot printed '%s', want '%s'",
	      out, want);
	plan_free(&p);
	ld_world_free(&w);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/closure_test.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmp))
		return check("closure.tmpdir", false, "mkdtemp: %s", strerror(errno)), 1;

	test_search_order();
	test_ldconf();
	test_expand();
	test_symlinks();
	test_ldcache();
	test_real_programs();
	if (geteuid() == 0 && access("/usr/sbin/chroot", X_OK) == 0) {
		char conf[512];
		snprintf(conf, sizeof(conf), "%s/fx.conf", tmp);
		chroot_run("chroot.runpath", FX "/p-runpath", NULL, "B", false);
		chroot_run("chroot.origin", FX "/p-origin", NULL, "sub", true);
		chroot_run("chroot.ld_so_cache", FX "/p-conf", conf, "conf", false);
		chroot_run("chroot.musl", FX "/p-musl", NULL, "musl", false);
	}

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (!check_failed && system(cmd) != 0)
		fprintf(stderr, "closure_test: could not remove %s\n", tmp);
	return check_exit();
}
