/* Assembles the initramfs of `monos run` (docs/protocol.md): the program at its host path,
 * files and trees named with --add, the working directory, /.monos/manifest and
 * /.monos/stdin. */
#ifndef MONOS_IMAGE_H
#define MONOS_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

/* One --add HOST[:GUEST]. */
struct image_add {
	char *host;		/* as given */
	char *guest;		/* absolute and normalized */
};

struct image_spec {
	const char *exe;		/* the program: absolute, symlink-free host path = guest path */
	char *const *argv;		/* NULL-terminated; argv[0] as the user typed it */
	char *const *env;		/* NULL-terminated K=V strings */
	const char *cwd;		/* absolute guest working directory */
	const struct image_add *adds;
	size_t nadds;
	int stdin_fd;			/* read to EOF into /.monos/stdin; -1: no such file */
	const char *tmpdir;		/* scratch space (spooling stdin) */
	bool verbose;
};

/* Parses "HOST[:GUEST]": GUEST starts at the last ":/" (so HOST may contain colons) and
 * must be absolute; without it GUEST is HOST made absolute (path_normalize). Returns 0, or
 * -1 after printing why. */
int image_parse_add(const char *arg, struct image_add *out);

/* Writes the image to PATH (created, mode 0600). Returns 0, or -1 after printing why. */
int image_build(const struct image_spec *spec, const char *path);

#endif
