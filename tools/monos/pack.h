/* What goes into the image of `monos run`: the program and its dynamic closure, the
 * trees of matching profiles, --add'ed files with the closures of the ELF objects among
 * them, minimal /etc files, the working directory; the manifest; stdin. */
#ifndef MONOS_PACK_H
#define MONOS_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"

struct pack_opts {
	const char *exe;		/* the program: absolute, symlink-free */
	const char *found;		/* the program as found (PATH search), before realpath */
	const char *typed;		/* as typed: names it in messages */
	char *const *env;		/* the guest environment, NULL-terminated K=V */
	const char *cwd;		/* the guest working directory */
	const struct image_add *adds;
	size_t nadds;
	char *const *profile_files;	/* --profile FILE, NULL-terminated or NULL */
	bool no_builtin_profiles;
	bool allow_missing;		/* a missing library is a warning */
	bool verbose;
};

/* Fills PLAN (already initialized). Returns 0, or the exit status for `monos run` after
 * messages: 127 when a library is missing, 125 for anything else. */
int pack_plan(const struct pack_opts *o, struct image_plan *plan);

/* The manifest records (docs/protocol.md): exe, arg..., env..., cwd. */
char *pack_manifest(const char *exe, char *const *argv, char *const *env, const char *cwd,
		    size_t *len);

/* Makes FD (monos's stdin, not a terminal) readable as a whole: a regular file is used in
 * place from its current position; anything else is read to EOF into a spool file in
 * TMPDIR. Fills run->stdin_*. Returns 0, or -1 after a message. */
int pack_stdin(int fd, const char *tmpdir, struct image_run *run);

#endif
