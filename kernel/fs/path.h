/* Path resolution as Linux's namei does it: "." and "..", symlinks (40 at most: ELOOP),
 * NAME_MAX per component (ENAMETOOLONG), ENOTDIR through non-directories, trailing slashes. */
#pragma once
#include "types.h"

struct inode;

#define LOOKUP_FOLLOW 1    /* follow a symlink in the last component */
#define LOOKUP_DIRECTORY 2 /* the result must be a directory */

#define NAME_MAX_LEN 255

/* Resolves path from start (used when path is relative). Returns a referenced inode. */
int path_walk(struct inode *start, const char *path, unsigned flags, struct inode **out);

/* Resolves all but the last component: *dir (referenced) and the last name, which points into
 * path. *must_dir is set when the path ends in a slash. The last name is "" for "/" itself. */
int path_parent(struct inode *start, const char *path, struct inode **dir, const char **name,
		size_t *len, bool *must_dir);

/* A symlink's target into buf (not NUL-terminated); its length or -errno. */
long inode_readlink(struct inode *i, char *buf, size_t size);
