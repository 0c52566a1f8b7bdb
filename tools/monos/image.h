/* The initramfs of `monos run` (docs/protocol.md), in two steps: a plan -- every entry
 * with its guest path and where its contents come from, which also gives the cache key --
 * and the writing of a plan, with the manifest and stdin, as a cpio archive. */
#ifndef MONOS_IMAGE_H
#define MONOS_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "sha256.h"
#include "util.h"

/* One --add HOST[:GUEST]. */
struct image_add {
	char *host;		/* as given */
	char *guest;		/* absolute and normalized */
};

/* Parses "HOST[:GUEST]": GUEST starts at the last ":/" (so HOST may contain colons) and
 * must be absolute; without it GUEST is HOST made absolute (path_normalize). Returns 0, or
 * -1 after printing why. */
int image_parse_add(const char *arg, struct image_add *out);

enum plan_kind { PLAN_DIR, PLAN_FILE, PLAN_SYMLINK, PLAN_DATA };

struct plan_entry {
	char *guest;		/* absolute */
	enum plan_kind kind;
	mode_t mode;		/* permission bits */
	bool generated;		/* made by monos (no host file): mtime is the writing time */
	char *host;		/* FILE: the host file */
	struct stat st;		/* FILE, and DIR/SYMLINK from the host: lstat/stat when planned */
	char *data;		/* SYMLINK: the target; DATA: the contents */
	size_t len;
};

struct image_plan {
	struct plan_entry *e;
	size_t n, cap;
	struct strset seen;	/* guest path -> index in e */
	bool verbose;
};

/* What a tree leaves out: names (patterns without '/') or host paths (with '/'), as
 * fnmatch(3) patterns. */
struct plan_filter {
	char *const *exclude;	/* NULL-terminated, or NULL */
};

void plan_init(struct image_plan *p, bool verbose);
void plan_free(struct image_plan *p);

/* The entry at GUEST after following the image's own symlinks in its directories, or
 * NULL. */
const struct plan_entry *plan_lookup(const struct image_plan *p, const char *guest);

/* Adds HOST at GUEST (--add): a file, a symlink, or a directory with its whole tree.
 * follow: HOST itself is taken through symlinks (it was named on the command line).
 * Inside a tree, symlinks are kept as symlinks. GUEST's directories are looked up through
 * the symlinks already in the image (/lib/x with /lib -> usr/lib lands in /usr/lib/x).
 * A path already in the image keeps its first entry. Returns 0, or -1 after a message. */
int plan_add(struct image_plan *p, const char *host, const char *guest, bool follow,
	     const struct plan_filter *f);

/* Adds the host path PATH at the same path, as a loader finds it: every symlink on the
 * way (in a directory or at the end) goes into the image as a symlink, together with
 * what it points to, so both the path a program names and the real file exist. A
 * directory at the end brings its tree. Returns 0, or -1 after a message. */
int plan_add_found(struct image_plan *p, const char *path, const struct plan_filter *f);

/* A directory or a file made by monos, unless GUEST is already in the image (the user's
 * own --add wins). A directory takes the metadata of the host's directory of the same
 * path when there is one (the working directory, /tmp), else MODE. */
int plan_add_dir(struct image_plan *p, const char *guest, mode_t mode);
int plan_add_data(struct image_plan *p, const char *guest, mode_t mode, const void *data,
		  size_t len);

/* Hashes everything the plan puts into an image: each entry's path, kind, mode, and for a
 * host file its path, size, mtime, ctime, inode and device (not its bytes; see cache.c). */
void plan_hash(const struct image_plan *p, struct sha256 *h);

/* The parts of an image that change from run to run. */
struct image_run {
	const char *manifest;	/* /.monos/manifest records */
	size_t manifest_len;
	int stdin_fd;		/* /.monos/stdin: SIZE bytes of this fd from OFF; -1: none */
	uint64_t stdin_off, stdin_size;
};

/* Writes the image of plan P to the open file FD (its name PATH is for messages).
 * *changed is set when a host file differed from the plan when it was copied (the image
 * is fine for this run but must not be cached under the plan's key). Returns 0, or -1
 * after a message. */
int image_write(const struct image_plan *p, const struct image_run *run, int fd,
		const char *path, bool *changed);

/* Copies the image SRC to the open file FD (named PATH) with /.monos/stdin added from the
 * run's stdin: the cached image stays without it. Returns 0, or -1 after a message. */
int image_add_stdin(const char *src, const struct image_run *run, int fd, const char *path);

#endif
