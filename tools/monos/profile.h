/* Profiles: what an interpreter needs that its ELF does not say (Python's standard
 * library, Lua's and Perl's module trees), as data. A profile is a small text file
 * (tools/monos/profiles/NAME.profile, built into monos; more with --profile FILE):
 *
 *     # comment
 *     match GLOB...      the program's name: the name typed, each symlink on the way, or
 *                        the real file's name (fnmatch patterns)
 *     add PATH...        files or trees to pack; glob patterns; a warning when none exists
 *     add? PATH...       the same, silently skipped when nothing exists
 *     exclude GLOB...    left out of those trees: names (no '/') or host paths (with '/')
 *
 * In PATH and GLOB, ${name} is the name of the program's real file (python3.11).
 * docs/cli.md describes the format for users. */
#ifndef MONOS_PROFILE_H
#define MONOS_PROFILE_H

#include <stdbool.h>

#include "util.h"

/* A built-in profile's source text (profiles.c, generated from tools/monos/profiles/). */
struct profile_text {
	const char *name;
	const char *text;
};
extern const struct profile_text builtin_profiles[];	/* ends with { NULL, NULL } */

struct profile {
	char *name;
	struct strvec match;
	struct strvec add;	/* paths, each prefixed with "?" when optional */
	struct strvec exclude;
};

/* Parses TEXT (profile NAME, for messages). Returns 0, or -1 after a message naming the
 * line. */
int profile_parse(const char *name, const char *text, struct profile *out);
void profile_free(struct profile *p);

/* Does the profile match any of NAMES (NULL-terminated basenames)? */
bool profile_matches(const struct profile *p, char *const *names);

/* S with ${name} replaced by NAME; malloc'ed. */
char *profile_expand(const char *s, const char *name);

#endif
