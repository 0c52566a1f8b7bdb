/* The dynamic closure, found as the program's loader will find it in the guest.
 *
 * glibc (elf/dl-load.c, _dl_map_object), for a DT_NEEDED name without a '/', asked for by
 * object L:
 *   1. DT_RPATH of L, then of the object that loaded L, and so on up to the program (and
 *      the program's own DT_RPATH) -- all of this only when L has no DT_RUNPATH; an object
 *      with DT_RUNPATH has no DT_RPATH (get-dynamic-info.h drops it);
 *   2. LD_LIBRARY_PATH (':' or ';' separated, tokens expanded for the program);
 *   3. DT_RUNPATH of L only;
 *   4. /etc/ld.so.cache, i.e. the directories of /etc/ld.so.conf, then the built-in
 *      directories -- both skipped when L has DF_1_NODEFLIB.
 * A name already loaded (asked for before, or some object's DT_SONAME) is not searched
 * again, and a file already loaded under another name (same device and inode) is the same
 * object. Objects of another class or machine are skipped, and the search goes on.
 * Dependencies are taken breadth first: the program's, then theirs.
 *
 * musl (ldso/dynlink.c, load_library): LD_LIBRARY_PATH, then DT_RUNPATH -- or DT_RPATH
 * when there is none -- of L and of every object up the chain that loaded it, then the
 * lines of /etc/ld-musl-x86_64.path, else /lib:/usr/local/lib:/usr/lib. The names
 * libc, libpthread, librt, libm, libdl, libutil and libxnet are the loader itself. */
#define _GNU_SOURCE
#include "closure.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The host search, after ld.so.conf: the multiarch directories (Debian, Ubuntu), then
 * those of other distributions. */
static const char *const glibc_default_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
	"/lib", "/usr/lib", NULL,
};
/* What the guest's ld.so searches by itself, without a cache: SYSTEM_DIRS of a Debian
 * glibc (`ld.so --help` lists them), or of a glibc built for /lib64. */
static const char *const glibc_multiarch_sys_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib", NULL,
};
static const char *const glibc_lib64_sys_dirs[] = { "/lib64", "/usr/lib64", NULL };
static const char musl_default_path[] = "/lib:/usr/local/lib:/usr/lib";

/* Where a search directory came from: decides whether the guest needs a cache entry. */
enum dir_source { FROM_PATH, FROM_CONF, FROM_DEFAULT };

struct search {
	struct strvec dirs;
	enum dir_source *src;
	size_t cap;
};

static void search_add(struct search *s, const char *dir, enum dir_source src)
{
	for (size_t i = 0; i < s->dirs.n; i++)
		if (strcmp(s->dirs.v[i], dir) == 0)
			return;		/* tried already: the same answer */
	strvec_push(&s->dirs, dir);
	if (s->dirs.n > s->cap) {
		s->cap = s->dirs.cap;
		s->src = xrealloc(s->src, s->cap * sizeof(*s->src));
	}
	s->src[s->dirs.n - 1] = src;
}

static void search_free(struct search *s)
{
	strvec_free(&s->dirs);
	free(s->src);
}

static bool strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

/* An absolute path for P, relative paths taken from the guest working directory. */
static char *absolute(const struct ld_world *w, const char *p)
{
	if (p[0] == '/')
		return xstrdup(p);
	const char *cwd = w->cfg.cwd ? w->cfg.cwd : "/";
	return xasprintf("%s%s%s", cwd, cwd[strlen(cwd) - 1] == '/' ? "" : "/", p);
}

/* ---- dynamic string tokens ---- */

/* glibc's is_dst: the length of "NAME" or "{NAME}" at S, when NAME is not followed by
 * more identifier characters; else 0. */
static size_t is_dst(const char *s, const char *name)
{
	bool curly = s[0] == '{';
	size_t n = strlen(name);
	if (curly)
		s++;
	if (strncmp(s, name, n) != 0 || (curly && s[n] != '}'))
		return 0;
	char c = s[n];
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
		return 0;
	return curly ? n + 2 : n;
}

char *ld_expand(const struct ld_world *w, const char *s, const char *origin)
{
	size_t cap = strlen(s) + 1, n = 0;
	char *out = xmalloc(cap);

#define APPEND(p, l) do { \
		size_t l_ = (l); \
		while (n + l_ + 1 > cap) \
			out = xrealloc(out, cap *= 2); \
		memcpy(out + n, (p), l_); \
		n += l_; \
	} while (0)

	while (*s) {
		const char *dollar = strchr(s, '$');
		if (!dollar) {
			APPEND(s, strlen(s));
			break;
		}
		APPEND(s, dollar - s);
		s = dollar + 1;
		size_t len;
		const char *repl = NULL;
		if (w->flavor == LD_MUSL) {
			/* musl checks only the start: "$ORIGINX" is $ORIGIN then X. */
			if (strncmp(s, "ORIGIN", 6) == 0)
				len = 6;
			else if (strncmp(s, "{ORIGIN}", 8) == 0)
				len = 8;
			else {
				free(out);
				return NULL;
			}
			repl = origin;
		} else if ((len = is_dst(s, "ORIGIN"))) {
			repl = origin;
		} else if ((len = is_dst(s, "PLATFORM"))) {
			repl = "x86_64";	/* AT_PLATFORM of x86-64 Linux */
		} else if ((len = is_dst(s, "LIB"))) {
			repl = w->dst_lib;
		} else {
			APPEND("$", 1);		/* not a token glibc knows: kept as it is */
			continue;
		}
		APPEND(repl, strlen(repl));
		s += len;
	}
#undef APPEND
	out[n] = '\0';
	return out;
}

/* ---- ld.so.conf ---- */

static void ldconf_file(const char *file, struct strvec *dirs, int depth);

static void ldconf_include(const char *from, const char *pattern, struct strvec *dirs, int depth)
{
	char *pat;
	if (pattern[0] != '/' && strchr(from, '/')) {
		char *dir = path_dirname(from);
		pat = xasprintf("%s/%s", dir, pattern);
		free(dir);
	} else {
		pat = xstrdup(pattern);
	}
	glob_t g;
	if (glob(pat, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			ldconf_file(g.gl_pathv[i], dirs, depth + 1);
		globfree(&g);
	}
	free(pat);
}

static void ldconf_file(const char *file, struct strvec *dirs, int depth)
{
	if (depth > 16)
		return;		/* an include loop */
	FILE *f = fopen(file, "re");
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) >= 0) {
		*strchrnul(line, '#') = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
			p++;
		size_t n = strlen(p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' || p[n - 1] == '\r'))
			p[--n] = '\0';
		if (!*p)
			continue;
		if (strncmp(p, "include", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
			char *save, *tok;
			for (tok = strtok_r(p + 8, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
				ldconf_include(file, tok, dirs, depth);
		} else if (strncasecmp(p, "hwcap", 5) == 0 && (p[5] == ' ' || p[5] == '\t')) {
			continue;	/* ignored by ldconfig since glibc 2.37, unused before */
		} else {
			while (n > 1 && p[n - 1] == '/')
				p[--n] = '\0';
			if (!strv_has(dirs->v, p))
				strvec_push(dirs, p);
		}
	}
	free(line);
	fclose(f);
}

void ldconf_parse(const char *file, struct strvec *dirs)
{
	ldconf_file(file, dirs, 0);
}

/* ---- objects ---- */

static int add_object(struct ld_world *w, const char *path, const char *display,
		      struct elf_dyn *dyn, const struct stat *st, int loader, bool strict)
{
	if (w->nobj == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 32;
		w->obj = xrealloc(w->obj, w->cap * sizeof(*w->obj));
	}
	struct ld_object *o = &w->obj[w->nobj];
	memset(o, 0, sizeof(*o));
	o->path = xstrdup(path);
	o->origin = path_dirname(path);
	o->display = xstrdup(display ? display : path);
	o->dyn = *dyn;
	memset(dyn, 0, sizeof(*dyn));
	o->dev = st->st_dev;
	o->ino = st->st_ino;
	o->loader = loader;
	o->strict = strict;
	int idx = (int)w->nobj++;
	/* The names a later request matches without a search: glibc compares the DT_SONAME,
	 * musl the file name it was loaded from. */
	if (w->flavor == LD_GLIBC && o->dyn.soname && strset_get(&w->names, o->dyn.soname) < 0)
		strset_put(&w->names, o->dyn.soname, idx);
	if (w->flavor == LD_MUSL) {
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		if (strset_get(&w->names, base) < 0)
			strset_put(&w->names, base, idx);
	}
	return idx;
}

static int find_file(const struct ld_world *w, const struct stat *st)
{
	for (size_t i = 0; i < w->nobj; i++)
		if (w->obj[i].dev == st->st_dev && w->obj[i].ino == st->st_ino)
			return (int)i;
	return -1;
}

/* Can the loader use PATH? Fills *dyn and *st when it can. */
static bool candidate(const struct ld_world *w, const char *path, struct elf_dyn *dyn,
		      struct stat *st)
{
	if (stat(path, st) != 0 || !S_ISREG(st->st_mode))
		return false;
	int r = elf_read_dyn(path, dyn);
	if (r == 0 && dyn->status == ELF_DYN_OK)
		return true;
	if (w->cfg.verbose)
		msg("closure: %s: skipped (%s)", path, r < 0 ? strerror(-r) :
		    dyn->status == ELF_DYN_OTHER_ARCH ? "another class or machine" :
		    "not a valid ELF object");
	elf_dyn_free(dyn);
	return false;
}

/* Splits a search path at any of SEPS into S, expanding tokens for the object at ORIGIN.
 * keep_empty: an empty element means the working directory (glibc), else it is skipped. */
static void split_path(const struct ld_world *w, const char *path, const char *seps,
		       const char *origin, bool keep_empty, enum dir_source src, struct search *s)
{
	char *copy = xstrdup(path), *p = copy;
	for (;;) {
		size_t n = strcspn(p, seps);
		char end = p[n];
		p[n] = '\0';
		if (*p || keep_empty) {
			char *e = w->flavor == LD_GLIBC && *p ? ld_expand(w, p, origin) : xstrdup(p);
			if (e && (*e || keep_empty)) {
				size_t l = strlen(e);
				while (l > 1 && e[l - 1] == '/')
					e[--l] = '\0';
				char *abs = absolute(w, *e ? e : ".");
				char *norm = path_normalize(abs);
				search_add(s, norm, src);
				free(norm);
				free(abs);
			}
			free(e);
		}
		if (!end)
			break;
		p += n + 1;
	}
	free(copy);
}

static void load_conf(struct ld_world *w)
{
	if (w->conf_loaded)
		return;
	w->conf_loaded = true;
	ldconf_parse(w->cfg.ldso_conf ? w->cfg.ldso_conf : "/etc/ld.so.conf", &w->conf_dirs);
}

/* The directories searched for a name asked for by object L (-1: none), in order. */
static void search_dirs(struct ld_world *w, int l, struct search *s)
{
	const struct ld_object *lo = l >= 0 ? &w->obj[l] : NULL;

	if (w->flavor == LD_MUSL) {
		for (size_t i = 0; i < w->env_dirs.n; i++)
			search_add(s, w->env_dirs.v[i], FROM_PATH);
		for (int p = l; p >= 0; p = w->obj[p].loader) {
			const struct ld_object *po = &w->obj[p];
			const char *rp = po->dyn.runpath ? po->dyn.runpath : po->dyn.rpath;
			if (!rp)
				continue;
			char *e = ld_expand(w, rp, po->origin);
			if (e)
				split_path(w, e, ":\n", po->origin, false, FROM_PATH, s);
			free(e);
		}
		for (size_t i = 0; i < w->sys_dirs.n; i++)
			search_add(s, w->sys_dirs.v[i], FROM_DEFAULT);
		return;
	}

	if (!lo || !lo->dyn.runpath) {
		bool did_main = false;
		for (int p = l; p >= 0; p = w->obj[p].loader) {
			const struct ld_object *po = &w->obj[p];
			if (po->dyn.rpath && !po->dyn.runpath)
				split_path(w, po->dyn.rpath, ":", po->origin, true, FROM_PATH, s);
			did_main |= p == w->main;
		}
		if (!did_main && w->main >= 0) {
			const struct ld_object *m = &w->obj[w->main];
			if (m->dyn.rpath && !m->dyn.runpath)
				split_path(w, m->dyn.rpath, ":", m->origin, true, FROM_PATH, s);
		}
	}
	for (size_t i = 0; i < w->env_dirs.n; i++)
		search_add(s, w->env_dirs.v[i], FROM_PATH);
	if (lo && lo->dyn.runpath)
		split_path(w, lo->dyn.runpath, ":", lo->origin, true, FROM_PATH, s);
	if (lo && lo->dyn.nodeflib)
		return;
	load_conf(w);
	for (size_t i = 0; i < w->conf_dirs.n; i++)
		search_add(s, w->conf_dirs.v[i], FROM_CONF);
	for (size_t i = 0; glibc_default_dirs[i]; i++)
		search_add(s, glibc_default_dirs[i], FROM_DEFAULT);
}

/* musl: libc, libpthread, librt, libm, libdl, libutil, libxnet (any suffix after a '.')
 * are the dynamic linker itself, never loaded from a file. */
static bool musl_reserved(const char *name)
{
	static const char *const reserved[] = { "c", "pthread", "rt", "m", "dl", "util", "xnet" };
	if (strncmp(name, "lib", 3) != 0)
		return false;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		size_t n = strlen(reserved[i]);
		if (strncmp(name + 3, reserved[i], n) == 0 && name[3 + n] == '.')
			return true;
	}
	return false;
}

static void add_missing(struct ld_world *w, bool strict, char *message)
{
	w->missing = xrealloc(w->missing, (w->nmissing + 1) * sizeof(*w->missing));
	w->missing[w->nmissing++] = (struct ld_missing){ message, strict };
}

/* Finds NAME for object L (-1: none) and returns its object, loading it into the world
 * if new; -1 after recording it as missing. */
static int lookup(struct ld_world *w, const char *name, int l, bool strict, const char *who)
{
	struct elf_dyn dyn;
	struct stat st;
	int idx;

	if (w->flavor == LD_MUSL && musl_reserved(name) && w->interp_obj >= 0)
		return w->interp_obj;
	if ((idx = strset_get(&w->names, name)) >= 0)
		return idx;

	char *found = NULL;
	enum dir_source src = FROM_PATH;
	struct search s = { 0 };
	if (strchr(name, '/')) {
		/* A path: used as it is (glibc expands its tokens first). */
		const char *origin = l >= 0 ? w->obj[l].origin : "/";
		char *e = w->flavor == LD_GLIBC ? ld_expand(w, name, origin) : xstrdup(name);
		if (e) {
			char *abs = absolute(w, e);
			found = path_normalize(abs);
			free(abs);
			free(e);
			if (!candidate(w, found, &dyn, &st)) {
				free(found);
				found = NULL;
			}
		}
	} else {
		search_dirs(w, l, &s);
		for (size_t i = 0; i < s.dirs.n && !found; i++) {
			char *p = xasprintf("%s%s%s", s.dirs.v[i], strcmp(s.dirs.v[i], "/") ? "/" : "", name);
			if (candidate(w, p, &dyn, &st)) {
				found = p;
				src = s.src[i];
			} else {
				free(p);
			}
		}
	}

	if (!found) {
		char *list = NULL;
		size_t len = 0;
		for (size_t i = 0; i < s.dirs.n; i++)
			len += strlen(s.dirs.v[i]) + 1;
		list = xmalloc(len + 1);
		list[0] = '\0';
		for (size_t i = 0, o = 0; i < s.dirs.n; i++)
			o += sprintf(list + o, "%s%s", i ? ":" : "", s.dirs.v[i]);
		add_missing(w, strict, s.dirs.n ?
			    xasprintf("%s needs %s, which was not found (searched: %s)", who, name, list) :
			    xasprintf("%s needs %s, which was not found", who, name));
		free(list);
		search_free(&s);
		return -1;
	}
	search_free(&s);

	idx = find_file(w, &st);
	if (idx >= 0) {
		elf_dyn_free(&dyn);
	} else {
		if (w->cfg.verbose)
			msg("closure: %s -> %s", name, found);
		idx = add_object(w, found, NULL, &dyn, &st, l, strict);
		strvec_push(&w->files, found);
		/* Found by the host's ld.so through its cache, but outside the directories the
		 * guest's ld.so searches on its own: the guest needs a cache entry. */
		if (w->flavor == LD_GLIBC && src != FROM_PATH) {
			char *dir = path_dirname(found);
			bool multiarch = strcmp(w->dst_lib, "lib64") != 0;
			if (!strv_has((char *const *)(multiarch ? glibc_multiarch_sys_dirs
							    : glibc_lib64_sys_dirs), dir)) {
				strvec_push(&w->cache_names, name);
				strvec_push(&w->cache_paths, found);
			}
			free(dir);
		}
	}
	strset_put(&w->names, name, idx);
	free(found);
	return idx;
}

/* ---- the world ---- */

static void setup_musl_path(struct ld_world *w)
{
	/* musl reads PREFIX/etc/ld-musl-x86_64.path, PREFIX being the interpreter's path less
	 * its last two components ("" for /lib/ld-musl-x86_64.so.1). */
	const char *name = w->interp, *t = name, *z = name;
	for (const char *s = name; *s; s++)
		if (*s == '/') {
			z = t;
			t = s;
		}
	char *file = xasprintf("%.*s/etc/ld-musl-x86_64.path", (int)(z - name), name);
	FILE *f = fopen(file, "re");
	char *text = NULL;
	if (f) {
		size_t cap = 0;
		ssize_t n = getdelim(&text, &cap, '\0', f);
		if (n < 0) {
			free(text);
			text = NULL;
		}
		fclose(f);
		strvec_push(&w->files, file);	/* the guest's loader reads it too */
	}
	struct search s = { 0 };
	split_path(w, text ? text : musl_default_path, ":\n", "/", false, FROM_DEFAULT, &s);
	for (size_t i = 0; i < s.dirs.n; i++)
		strvec_push(&w->sys_dirs, s.dirs.v[i]);
	search_free(&s);
	free(text);
	free(file);
}

void ld_world_init(struct ld_world *w, const struct ld_config *cfg, const char *path,
		   const char *display, const struct elf_dyn *dyn)
{
	memset(w, 0, sizeof(*w));
	w->cfg = *cfg;
	w->main = w->interp_obj = -1;
	if (dyn && dyn->interp) {
		w->interp = xstrdup(dyn->interp);
		const char *base = strrchr(w->interp, '/') ? strrchr(w->interp, '/') + 1 : w->interp;
		if (strncmp(base, "ld-musl-", 8) == 0)
			w->flavor = LD_MUSL;
	}
	/* glibc's $LIB is its slibdir below /: Debian's multiarch or the lib64 of others. */
	struct stat st;
	w->dst_lib = stat("/lib/x86_64-linux-gnu", &st) == 0 && S_ISDIR(st.st_mode)
		     ? "lib/x86_64-linux-gnu" : "lib64";
	const char *origin = "/";
	char *main_origin = path ? path_dirname(path) : NULL;
	if (main_origin)
		origin = main_origin;

	if (w->flavor == LD_MUSL) {
		setup_musl_path(w);
		if (cfg->ld_library_path) {
			struct search s = { 0 };
			split_path(w, cfg->ld_library_path, ":\n", origin, false, FROM_PATH, &s);
			for (size_t i = 0; i < s.dirs.n; i++)
				strvec_push(&w->env_dirs, s.dirs.v[i]);
			search_free(&s);
		}
	} else if (cfg->ld_library_path) {
		struct search s = { 0 };
		split_path(w, cfg->ld_library_path, ":;", origin, true, FROM_PATH, &s);
		for (size_t i = 0; i < s.dirs.n; i++)
			strvec_push(&w->env_dirs, s.dirs.v[i]);
		search_free(&s);
	}
	free(main_origin);

	const char *who = display ? display : path;
	if (w->interp) {
		struct elf_dyn idyn;
		char *ip = absolute(w, w->interp);
		if (candidate(w, ip, &idyn, &st)) {
			w->interp_obj = add_object(w, ip, NULL, &idyn, &st, -1, true);
			w->obj[w->interp_obj].done = true;	/* the loader loads no libraries */
			strset_put(&w->names, ip, w->interp_obj);
			strvec_push(&w->files, ip);
		} else {
			add_missing(w, true, xasprintf("%s needs its interpreter %s, which was not found",
						       who, w->interp));
		}
		free(ip);
	}
	if (path) {
		struct elf_dyn mdyn;
		if (stat(path, &st) == 0 && elf_read_dyn(path, &mdyn) == 0) {
			w->main = add_object(w, path, display, &mdyn, &st, -1, true);
		}
	}
	/* LD_PRELOAD: loaded after the program, before its libraries; a missing one is only
	 * a warning from ld.so ("cannot be preloaded: ignored"). */
	if (cfg->ld_preload && w->main >= 0) {
		char *copy = xstrdup(cfg->ld_preload), *save, *tok;
		for (tok = strtok_r(copy, " :", &save); tok; tok = strtok_r(NULL, " :", &save))
			lookup(w, tok, w->flavor == LD_GLIBC ? w->main : -1, false, "LD_PRELOAD");
		free(copy);
	}
}

bool ld_world_add_module(struct ld_world *w, const char *path, bool strict)
{
	struct elf_dyn dyn;
	struct stat st;
	if (!candidate(w, path, &dyn, &st))
		return false;
	int idx = find_file(w, &st);
	if (idx >= 0) {
		elf_dyn_free(&dyn);
		w->obj[idx].strict |= strict;
		return true;
	}
	add_object(w, path, NULL, &dyn, &st, -1, strict);
	return true;
}

/* glibc loads libgcc_s.so.1 itself, by dlopen, the first time it unwinds a stack
 * (pthread_exit, pthread_cancel, backtrace): no DT_NEEDED names it, and without it those
 * calls abort ("libgcc_s.so.1 must be installed for pthread_exit to work"). */
static void add_glibc_dlopened(struct ld_world *w)
{
	int libc = strset_get(&w->names, "libc.so.6");
	if (w->flavor != LD_GLIBC || libc < 0 || strset_get(&w->names, "libgcc_s.so.1") >= 0)
		return;
	lookup(w, "libgcc_s.so.1", libc, false, "libc.so.6 (which loads it to unwind stacks)");
}

void ld_world_resolve(struct ld_world *w)
{
	/* Breadth first: w->obj grows at the end while it is walked. */
	for (size_t i = 0; i < w->nobj; i++) {
		if (i + 1 == w->nobj)
			add_glibc_dlopened(w); /* its own DT_NEEDED (libc) are walked next */
		if (w->obj[i].done)
			continue;
		w->obj[i].done = true;
		for (size_t k = 0; k < w->obj[i].dyn.needed.n; k++) {
			/* lookup() may move w->obj: copy what is needed first. */
			char *name = xstrdup(w->obj[i].dyn.needed.v[k]);
			char *who = xstrdup(w->obj[i].display);
			lookup(w, name, (int)i, w->obj[i].strict, who);
			free(who);
			free(name);
		}
	}
}

void ld_world_free(struct ld_world *w)
{
	for (size_t i = 0; i < w->nobj; i++) {
		free(w->obj[i].path);
		free(w->obj[i].origin);
		free(w->obj[i].display);
		elf_dyn_free(&w->obj[i].dyn);
	}
	free(w->obj);
	for (size_t i = 0; i < w->nmissing; i++)
		free(w->missing[i].message);
	free(w->missing);
	free(w->interp);
	strset_free(&w->names);
	strvec_free(&w->env_dirs);
	strvec_free(&w->conf_dirs);
	strvec_free(&w->sys_dirs);
	strvec_free(&w->files);
	strvec_free(&w->cache_names);
	strvec_free(&w->cache_paths);
	memset(w, 0, sizeof(*w));
}
