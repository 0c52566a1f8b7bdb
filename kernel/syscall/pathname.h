/* What the path syscalls share: copying a path in from the app, and the directory a relative
 * path starts from (dirfd or the working directory). */
#pragma once
#include "types.h"

struct inode;

/* Copies a path (at most PATH_MAX-1 bytes) into a new buffer: 0, -EFAULT, -ENAMETOOLONG.
 * An empty path is returned as "" for the caller to judge (ENOENT unless AT_EMPTY_PATH). */
int path_from_user(uptr_t upath, char **out);
void path_free(char *path);
/* The inode a path starts from: the root for absolute paths, else dirfd's directory or the
 * working directory (AT_FDCWD). Not referenced: valid for the syscall's duration. */
int path_start(int dirfd, const char *path, struct inode **out);
/* Resolves (dirfd, path) with LOOKUP_* flags, honouring AT_EMPTY_PATH for "". Referenced. */
int path_at(int dirfd, const char *path, unsigned lookup, bool empty_ok, struct inode **out);
/* path_from_user, then path_at: the inode a user's path names. */
int user_path_at(int dirfd, uptr_t upath, unsigned lookup, bool empty_ok, struct inode **out);
/* Reports a path the app looked for and did not find (monos.missing_files). */
void note_missing(const char *path, int err);
