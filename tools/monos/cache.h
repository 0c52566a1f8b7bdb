/* The image cache: an image is kept under the hash of everything that went into it, so
 * running the same program again boots the same file without building it. */
#ifndef MONOS_CACHE_H
#define MONOS_CACHE_H

#include <stdbool.h>

#include "image.h"

/* How many images the cache keeps, and how many bytes at most (the newest always stays). */
#define CACHE_KEEP	16
#define CACHE_MAX_BYTES	(2ull << 30)

/* $XDG_CACHE_HOME/monos, else $HOME/.cache/monos; NULL when neither is set. */
char *cache_default_dir(void);

/* The key of an image: the plan (paths and file identities, see cache.c), the manifest,
 * whether an empty /.monos/stdin is part of it, and this monos executable. 64 hex digits. */
void cache_key(const struct image_plan *plan, const struct image_run *run, char key[65]);

/* The cached image for KEY, marked as just used; NULL when there is none. */
char *cache_lookup(const char *dir, const char *key);

/* A new file in DIR (created if needed) to build an image into: its fd, and its name in
 * *tmp. -1 after a message (verbose only: the run goes on without the cache). */
int cache_create(const char *dir, char **tmp, bool verbose);

/* Puts the finished TMP in place under KEY (atomically: a concurrent monos sees the old
 * file, the new one or none, never a partial one) and evicts old images. Returns the
 * image's path, or NULL (TMP is removed). */
char *cache_commit(const char *dir, const char *tmp, const char *key, bool verbose);

#endif
