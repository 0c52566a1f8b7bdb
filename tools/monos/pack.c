/* What goes into the image, in this order (the first entry of a path wins):
 *   1. the program, at its real path and at the path it was found at;
 *   2. its interpreter and DT_NEEDED closure (closure.c), at the paths where they are
 *      found, symlinks included;
 *   3. the trees of the profiles that match the program (profile.h);
 *   4. each --add;
 *   5. the closures of the ELF objects among 3 and 4: shared objects join the program's
 *      closure (it may dlopen them), executables get one of their own;
 *   6. /etc/ld.so.cache when some library is only found through /etc/ld.so.conf;
 *   7. minimal /etc files, /root and /tmp, unless already there; the working directory.
 * A library missing from 2, or from an --add of a single file, is an error (exit 127,
 * unless --allow-missing); one missing from a module found inside a tree only matters if
 * the program loads that module, and is mentioned with --verbose. */
#define _GNU_SOURCE
#include "pack.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "closure.h"
#include "elf.h"
#include "ldcache.h"
#include "profile.h"

#define MONOS_DIR	"/.monos"

/* What a program expects to find in /etc (getpwuid, getaddrinfo for localhost, DNS
 * through QEMU's user network, whose resolver is 10.0.2.3). */
static const struct {
	const char *path, *text;
} default_files[] = {
	{ "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n" },
	{ "/etc/group", "root:x:0:\n" },
	{ "/etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost\n" },
	{ "/etc/resolv.conf", "nameserver 10.0.2.3\n" },
	{ "/etc/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n" },
};

/* A run of plan entries whose ELF objects need their closures. */
struct range {
	size_t start, end;
	bool strict;	/* an --add of one file: the user named it */
};

struct packer {
	const struct pack_opts *o;
	struct image_plan *plan;
	struct ld_config cfg;
	struct ld_world main;
	size_t main_packed;		/* main.files already in the plan */
	struct range *ranges;
	size_t nranges;
	struct strvec errors, notes;	/* missing libraries: strict, lenient */
	struct strvec cache_names, cache_paths;
};

static const char *env_get(char *const *env, const char *key)
{
	size_t n = strlen(key);
	for (; env && *env; env++)
		if (strncmp(*env, key, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Puts the files of world W from index *done on into the plan, and collects its missing
 * libraries and cache entries. */
static int pack_world(struct packer *k, struct ld_world *w, size_t *done, size_t *missing_done)
{
	for (; *done < w->files.n; (*done)++)
		if (plan_add_found(k->plan, w->files.v[*done], NULL) < 0)
			return -1;
	for (; *missing_done < w->nmissing; (*missing_done)++) {
		const struct ld_missing *m = &w->missing[*missing_done];
		strvec_push(m->strict ? &k->errors : &k->notes, m->message);
	}
	return 0;
}

static void take_cache_entries(struct packer *k, const struct ld_world *w)
{
	for (size_t i = 0; i < w->cache_names.n; i++) {
		bool dup = false;
		for (size_t j = 0; j < k->cache_names.n && !dup; j++)
			dup = strcmp(k->cache_names.v[j], w->cache_names.v[i]) == 0;
		if (!dup) {
			strvec_push(&k->cache_names, w->cache_names.v[i]);
			strvec_push(&k->cache_paths, w->cache_paths.v[i]);
		}
	}
}

/* The program's names, for profiles: as typed, each symlink on the way, the real file. */
static void program_names(const struct pack_opts *o, struct strvec *names)
{
	strvec_push(names, base_name(o->typed));
	char *p = xstrdup(o->found);
	for (int hops = 0; hops < 40; hops++) {
		struct stat st;
		if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode))
			break;
		char buf[4096];
		ssize_t n = readlink(p, buf, sizeof(buf) - 1);
		if (n <= 0)
			break;
		buf[n] = '\0';
		char *dir = path_dirname(p);
		char *next = buf[0] == '/' ? xstrdup(buf) : xasprintf("%s/%s", dir, buf);
		free(dir);
		free(p);
		p = next;
		strvec_push(names, base_name(p));
	}
	free(p);
	strvec_push(names, base_name(o->exe));
}

static int read_file(const char *path, char **text)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	size_t cap = 0;
	*text = NULL;
	ssize_t n = getdelim(text, &cap, '\0', f);
	int err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (n < 0 && !err) {
		free(*text);
		*text = xstrdup("");
	}
	return err;
}

static int apply_profile(struct packer *k, const struct profile *pr, const char *name)
{
	struct strvec excl = { 0 };
	for (size_t i = 0; i < pr->exclude.n; i++) {
		char *x = profile_expand(pr->exclude.v[i], name);
		strvec_push(&excl, x);
		free(x);
	}
	struct plan_filter filter = { excl.v };
	struct range r = { k->plan->n, 0, false };
	int ret = 0;
	if (k->o->verbose)
		msg("profile %s: matches %s", pr->name, k->o->typed);
	for (size_t i = 0; i < pr->add.n && ret == 0; i++) {
		bool optional = pr->add.v[i][0] == '?';
		char *pat = profile_expand(pr->add.v[i] + optional, name);
		glob_t g;
		size_t found = 0;
		if (glob(pat, 0, NULL, &g) == 0) {
			for (size_t j = 0; j < g.gl_pathc && ret == 0; j++) {
				struct stat st;
				if (stat(g.gl_pathv[j], &st) != 0)
					continue;	/* a dangling symlink */
				found++;
				ret = plan_add_found(k->plan, g.gl_pathv[j], &filter);
			}
			globfree(&g);
		}
		if (!found && !optional)
			msg("warning: profile %s: %s not found", pr->name, pat);
		free(pat);
	}
	r.end = k->plan->n;
	k->ranges = xrealloc(k->ranges, (k->nranges + 1) * sizeof(*k->ranges));
	k->ranges[k->nranges++] = r;
	strvec_free(&excl);
	return ret;
}

static int pack_profiles(struct packer *k)
{
	const struct pack_opts *o = k->o;
	struct strvec names = { 0 };
	program_names(o, &names);
	const char *name = base_name(o->exe);
	int ret = 0;

	for (char *const *f = o->profile_files; f && *f && ret == 0; f++) {
		char *text;
		int err = read_file(*f, &text);
		if (err) {
			msg("--profile %s: %s", *f, strerror(-err));
			ret = -1;
			break;
		}
		struct profile pr;
		if (profile_parse(*f, text, &pr) < 0) {
			ret = -1;
		} else {
			if (profile_matches(&pr, names.v))
				ret = apply_profile(k, &pr, name);
			profile_free(&pr);
		}
		free(text);
	}
	for (const struct profile_text *t = builtin_profiles;
	     !o->no_builtin_profiles && t->name && ret == 0; t++) {
		struct profile pr;
		if (profile_parse(t->name, t->text, &pr) < 0) {
			ret = -1;
			break;
		}
		if (profile_matches(&pr, names.v))
			ret = apply_profile(k, &pr, name);
		profile_free(&pr);
	}
	strvec_free(&names);
	return ret;
}

static int pack_adds(struct packer *k)
{
	const struct pack_opts *o = k->o;
	for (size_t i = 0; i < o->nadds; i++) {
		const char *g = o->adds[i].guest;
		size_t n = strlen(MONOS_DIR);
		if (strncmp(g, MONOS_DIR, n) == 0 && (g[n] == '\0' || g[n] == '/')) {
			msg("--add %s: %s is reserved for monos", o->adds[i].host, MONOS_DIR);
			return -1;
		}
	}
	for (size_t i = 0; i < o->nadds; i++) {
		struct stat st;
		struct range r = { k->plan->n, 0, false };
		if (plan_add(k->plan, o->adds[i].host, o->adds[i].guest, true, NULL) < 0)
			return -1;
		r.end = k->plan->n;
		r.strict = stat(o->adds[i].host, &st) == 0 && !S_ISDIR(st.st_mode);
		k->ranges = xrealloc(k->ranges, (k->nranges + 1) * sizeof(*k->ranges));
		k->ranges[k->nranges++] = r;
	}
	return 0;
}

/* Could this file in a tree be an ELF object the program loads or runs? Looking only at
 * shared-object names and executables keeps a 1500-file stdlib from being opened whole. */
static bool maybe_object(const struct plan_entry *e)
{
	const char *name = base_name(e->guest);
	return (e->mode & 0111) || fnmatch("*.so", name, 0) == 0 || fnmatch("*.so.*", name, 0) == 0;
}

static int pack_modules(struct packer *k, size_t *missing_done)
{
	for (size_t r = 0; r < k->nranges; r++) {
		const struct range *rg = &k->ranges[r];
		for (size_t i = rg->start; i < rg->end; i++) {
			const struct plan_entry *e = &k->plan->e[i];
			if (e->kind != PLAN_FILE || (!rg->strict && !maybe_object(e)))
				continue;
			struct elf_dyn d;
			if (elf_read_dyn(e->host, &d) < 0 || d.status != ELF_DYN_OK) {
				elf_dyn_free(&d);
				continue;
			}
			if (d.interp) {
				/* An executable: a process of its own, with its own loader. */
				struct ld_world w;
				size_t done = 0, mdone = 0;
				struct ld_config cfg = k->cfg;
				cfg.ld_preload = NULL;
				char *host = xstrdup(e->host);
				ld_world_init(&w, &cfg, host, host, &d);
				ld_world_resolve(&w);
				for (size_t m = 0; m < w.nmissing; m++)
					w.missing[m].strict &= rg->strict;
				int ret = pack_world(k, &w, &done, &mdone);
				take_cache_entries(k, &w);
				ld_world_free(&w);
				free(host);
				if (ret < 0) {
					elf_dyn_free(&d);
					return -1;
				}
			} else if (d.type == ET_DYN) {
				ld_world_add_module(&k->main, e->host, rg->strict);
			}
			elf_dyn_free(&d);
		}
	}
	ld_world_resolve(&k->main);
	return pack_world(k, &k->main, &k->main_packed, missing_done);
}

static int pack_defaults(struct packer *k)
{
	struct image_plan *p = k->plan;
	if (k->cache_names.n) {
		size_t len;
		char *cache = ldcache_build(k->cache_names.v, k->cache_paths.v, k->cache_names.n, &len);
		if (k->o->verbose)
			for (size_t i = 0; i < k->cache_names.n; i++)
				msg("closure: /etc/ld.so.cache: %s -> %s", k->cache_names.v[i],
				    k->cache_paths.v[i]);
		int r = plan_add_data(p, "/etc/ld.so.cache", 0644, cache, len);
		free(cache);
		if (r < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(default_files) / sizeof(default_files[0]); i++)
		if (plan_add_data(p, default_files[i].path, 0644, default_files[i].text,
				  strlen(default_files[i].text)) < 0)
			return -1;
	if (plan_add_dir(p, "/root", 0700) < 0 || plan_add_dir(p, "/tmp", 01777) < 0)
		return -1;
	return plan_add_dir(p, k->o->cwd, 0755);
}

int pack_plan(const struct pack_opts *o, struct image_plan *plan)
{
	struct packer k = { .o = o, .plan = plan };
	struct elf_dyn dyn;
	size_t missing_done = 0;
	int ret = EXIT_TOOL, r;

	k.cfg = (struct ld_config){
		.ld_library_path = env_get(o->env, "LD_LIBRARY_PATH"),
		.ld_preload = env_get(o->env, "LD_PRELOAD"),
		.cwd = o->cwd,
		.verbose = o->verbose,
	};
	if (plan_add(plan, o->exe, o->exe, true, NULL) < 0)
		return EXIT_TOOL;
	/* Also the path it was found at, symlinks and all (/bin/ls through /bin -> usr/bin,
	 * /usr/bin/python3 -> python3.11): what argv[0] says must exist, e.g. for Python's
	 * search of its prefix. */
	char *found = path_normalize(o->found);
	r = plan_add_found(plan, found, NULL);
	free(found);
	if (r < 0)
		return EXIT_TOOL;
	r = elf_read_dyn(o->exe, &dyn);
	if (r < 0) {
		msg("%s: %s", o->exe, strerror(-r));
		return EXIT_TOOL;
	}
	/* A static program gets a world without a main object: added modules still get
	 * their closures, by glibc's rules. */
	if (dyn.interp)
		ld_world_init(&k.main, &k.cfg, o->exe, o->typed, &dyn);
	else
		ld_world_init(&k.main, &k.cfg, NULL, NULL, NULL);
	elf_dyn_free(&dyn);
	ld_world_resolve(&k.main);

	if (pack_world(&k, &k.main, &k.main_packed, &missing_done) < 0 || pack_profiles(&k) < 0 ||
	    pack_adds(&k) < 0 || pack_modules(&k, &missing_done) < 0)
		goto out;
	take_cache_entries(&k, &k.main);

	for (size_t i = 0; i < k.notes.n; i++)
		if (o->verbose)
			msg("note: %s (only a problem if it is loaded)", k.notes.v[i]);
	for (size_t i = 0; i < k.errors.n; i++)
		msg("%s%s", o->allow_missing ? "warning: " : "", k.errors.v[i]);
	if (k.errors.n && !o->allow_missing) {
		ret = EXIT_NOTFOUND;
		goto out;
	}
	if (pack_defaults(&k) < 0)
		goto out;
	ret = 0;
out:
	ld_world_free(&k.main);
	free(k.ranges);
	strvec_free(&k.errors);
	strvec_free(&k.notes);
	strvec_free(&k.cache_names);
	strvec_free(&k.cache_paths);
	return ret;
}

/* ---- the manifest and stdin ---- */

char *pack_manifest(const char *exe, char *const *argv, char *const *env, const char *cwd,
		    size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);

#define RECORD(...) do { \
		char *r_ = xasprintf(__VA_ARGS__); \
		size_t l_ = strlen(r_) + 1; \
		while (n + l_ > cap) \
			buf = xrealloc(buf, cap *= 2); \
		memcpy(buf + n, r_, l_); \
		n += l_; \
		free(r_); \
	} while (0)

	RECORD("exe=%s", exe);
	for (char *const *a = argv; *a; a++)
		RECORD("arg=%s", *a);
	for (char *const *e = env; *e; e++)
		RECORD("env=%s", *e);
	RECORD("cwd=%s", cwd);
#undef RECORD
	*len = n;
	return buf;
}

int pack_stdin(int fd, const char *tmpdir, struct image_run *run)
{
	struct stat st;

	run->stdin_fd = -1;
	run->stdin_off = run->stdin_size = 0;
	if (fstat(fd, &st) != 0) {
		/* Unreadable: the guest gets an empty file. */
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0) {
			msg("/dev/null: %s", strerror(errno));
			return -1;
		}
		run->stdin_fd = null;
		return 0;
	}
	if (S_ISREG(st.st_mode)) {
		off_t pos = lseek(fd, 0, SEEK_CUR);
		if (pos < 0 || pos > st.st_size)
			pos = pos < 0 ? 0 : st.st_size;
		run->stdin_fd = fd;
		run->stdin_off = pos;
		run->stdin_size = st.st_size - pos;
		lseek(fd, st.st_size, SEEK_SET);	/* consumed, as a reader would */
		return 0;
	}

	char *spool = xasprintf("%s/stdin", tmpdir);
	int out = open(spool, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		msg("%s: %s", spool, strerror(errno));
		free(spool);
		return -1;
	}
	unlink(spool);
	free(spool);

	static char buf[1 << 16];
	uint64_t size = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && size > 0)
			msg("warning: reading stdin: %s; the guest gets the first %llu bytes",
			    strerror(errno), (unsigned long long)size);
		if (n <= 0)
			break;
		int err = write_all(out, buf, n);
		if (err) {
			msg("spooling stdin: %s", strerror(-err));
			close(out);
			return -1;
		}
		size += n;
	}
	if (size > 0xffffffffULL) {
		msg("stdin: 4 GiB or more does not fit in a cpio newc archive");
		close(out);
		return -1;
	}
	run->stdin_fd = out;
	run->stdin_size = size;
	return 0;
}
