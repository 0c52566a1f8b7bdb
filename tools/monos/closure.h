/* The dynamic closure of a program: its interpreter and every shared object its DT_NEEDED
 * entries pull in, found the way the program's own loader will look for them in the guest
 * (glibc's ld.so or musl's), without running anything. The result is a list of host paths
 * *as found* (e.g. /lib/x86_64-linux-gnu/libc.so.6, through the /lib symlink): the image
 * keeps each at that path, with its symlinks, so the guest's loader repeats the search and
 * lands on the same files. */
#ifndef MONOS_CLOSURE_H
#define MONOS_CLOSURE_H

#include <stdbool.h>
#include <sys/types.h>

#include "elf.h"
#include "util.h"

enum ld_flavor { LD_GLIBC, LD_MUSL };

struct ld_config {
	const char *ld_library_path;	/* LD_LIBRARY_PATH of the guest environment, or NULL */
	const char *ld_preload;		/* LD_PRELOAD of the guest environment, or NULL */
	const char *cwd;		/* guest working directory: where relative paths lead */
	const char *ldso_conf;		/* glibc: NULL for /etc/ld.so.conf */
	bool verbose;
};

/* One loaded object (the program, its interpreter, a library, an added module). */
struct ld_object {
	char *path;		/* absolute, as found: symlinks not resolved */
	char *origin;		/* $ORIGIN: the directory of path */
	char *display;		/* how messages name it */
	struct elf_dyn dyn;
	dev_t dev;
	ino_t ino;
	int loader;		/* the object whose DT_NEEDED brought it in; -1 for a root */
	bool strict;		/* a missing dependency is an error (else a warning) */
	bool done;		/* its DT_NEEDED entries have been resolved */
};

/* A missing dependency. */
struct ld_missing {
	char *message;		/* "X needs libY.so.1, which was not found (searched: ...)" */
	bool strict;
};

/* The objects of one process image: one loader, one set of loaded names. */
struct ld_world {
	enum ld_flavor flavor;
	struct ld_config cfg;
	char *interp;			/* PT_INTERP of the main program, or NULL */
	const char *dst_lib;		/* glibc's $LIB: lib/x86_64-linux-gnu (Debian) or lib64 */
	struct ld_object *obj;
	size_t nobj, cap;
	int main;			/* index of the main program, -1 when there is none */
	int interp_obj;			/* index of the interpreter, -1 when there is none */
	struct strset names;		/* a name asked for, or a DT_SONAME -> object index */
	struct strvec env_dirs;		/* LD_LIBRARY_PATH, split and expanded */
	struct strvec conf_dirs;	/* glibc: /etc/ld.so.conf and its includes */
	struct strvec sys_dirs;		/* the loader's built-in directories */
	bool conf_loaded;
	struct strvec files;		/* host paths to pack, in the order found */
	struct ld_missing *missing;
	size_t nmissing;
	/* glibc: libraries the host's ld.so finds through its cache (/etc/ld.so.conf) but the
	 * guest's, which has no cache, would not find in its built-in directories: the name
	 * asked for and the path. The image gets a small /etc/ld.so.cache for them. */
	struct strvec cache_names, cache_paths;
};

/* Starts a world for the program at PATH (absolute, symlink-free; DISPLAY names it in
 * messages), whose headers are DYN: its interpreter (if any) decides glibc or musl rules.
 * PATH may also be NULL, for a world of modules without a main program (glibc rules). */
void ld_world_init(struct ld_world *w, const struct ld_config *cfg, const char *path,
		   const char *display, const struct elf_dyn *dyn);

/* Adds a shared object that the program may dlopen() by its path (an --add'ed library, a
 * Python extension module): its own closure joins the world. STRICT: a missing dependency
 * is an error. Returns false when PATH is not an x86-64 ELF object. */
bool ld_world_add_module(struct ld_world *w, const char *path, bool strict);

/* Resolves every DT_NEEDED not yet resolved, breadth first as ld.so does. Missing
 * libraries are recorded in w->missing. */
void ld_world_resolve(struct ld_world *w);

void ld_world_free(struct ld_world *w);

/* Appends the directories of an ld.so.conf file to DIRS the way ldconfig reads it:
 * '#' comments, "include GLOB..." (relative to the file's directory), "hwcap" lines
 * ignored, trailing slashes dropped. A missing file adds nothing. */
void ldconf_parse(const char *file, struct strvec *dirs);

/* Expands the dynamic string tokens of S for an object whose directory is ORIGIN.
 * glibc (one search path element): $ORIGIN, $LIB, $PLATFORM, also as ${...}; other '$'
 * sequences stay as they are. musl (a whole DT_RPATH/DT_RUNPATH): only $ORIGIN and
 * ${ORIGIN}; any other '$' makes musl ignore the path, and this returns NULL. */
char *ld_expand(const struct ld_world *w, const char *s, const char *origin);

#endif
