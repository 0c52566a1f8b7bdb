/* The image cache: DIR/<sha256>.cpio, written as DIR/.tmp-* and renamed into place.
 *
 * The key covers every input by identity, not by content: for each host file its path,
 * size, mtime and ctime (nanoseconds), inode and device, plus every generated entry's
 * bytes, the manifest, and the monos executable itself (a rebuilt monos may write images
 * differently). Hashing contents would mean reading all of a 20 MB Python closure on
 * every run, which is what the cache is there to avoid; stat() of each file is cheap.
 * ctime is there because it cannot be set back: a file rewritten in place with its old
 * size and mtime restored (cp -p, tar) still gets a new ctime. A file replaced by rename
 * gets a new inode. The price is an occasional needless rebuild (chmod, a new hard link).
 * The image builder checks each file again while it copies it (image_write's *changed):
 * a file that changed between planning and copying makes that image uncacheable.
 *
 * Concurrency: two monos building the same key each write their own temporary file and
 * rename it over the other's; rename is atomic, both images are complete and identical.
 * A used image gets its mtime set to now, and eviction drops the least recently used
 * images beyond CACHE_KEEP or CACHE_MAX_BYTES (the one just used is never dropped).
 * Eviction can race with a monos that just found an image and has not started QEMU yet;
 * with 16 images kept that needs 16 other images made in between. */
#define _GNU_SOURCE
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KEY_FORMAT	"monos image cache 1"
#define STALE_TMP_SECONDS 3600	/* a temporary file this old was left by a killed monos */

char *cache_default_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/monos", xdg);
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return xasprintf("%s/.cache/monos", home);
	return NULL;
}

static void hash_u64(struct sha256 *h, uint64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = v >> (8 * i);
	sha256_update(h, b, 8);
}

void cache_key(const struct image_plan *plan, const struct image_run *run, char key[65])
{
	struct sha256 h;
	unsigned char d[SHA256_SIZE];
	struct stat st;

	sha256_init(&h);
	sha256_update(&h, KEY_FORMAT, sizeof(KEY_FORMAT));
	if (stat("/proc/self/exe", &st) == 0) {
		hash_u64(&h, st.st_size);
		hash_u64(&h, st.st_mtim.tv_sec);
		hash_u64(&h, st.st_mtim.tv_nsec);
		hash_u64(&h, st.st_ino);
		hash_u64(&h, st.st_dev);
	}
	plan_hash(plan, &h);
	hash_u64(&h, run->manifest_len);
	sha256_update(&h, run->manifest, run->manifest_len);
	/* Only an empty stdin file can be part of a cached image; bytes are appended to a
	 * copy (main.c). */
	hash_u64(&h, run->stdin_fd >= 0);
	sha256_final(&h, d);
	sha256_hex(d, key);
}

char *cache_lookup(const char *dir, const char *key)
{
	char *path = xasprintf("%s/%s.cpio", dir, key);
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		free(path);
		return NULL;
	}
	utimensat(AT_FDCWD, path, NULL, 0);	/* most recently used */
	return path;
}

static int mkdir_p(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	char *parent = path_dirname(dir);
	int r = strcmp(parent, dir) == 0 ? 0 : mkdir_p(parent);
	free(parent);
	if (r < 0)
		return r;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int cache_create(const char *dir, char **tmp, bool verbose)
{
	int r = mkdir_p(dir);
	if (r < 0) {
		if (verbose)
			msg("cache: %s: %s; building without the cache", dir, strerror(-r));
		return -1;
	}
	*tmp = xasprintf("%s/.tmp-%d-XXXXXX", dir, (int)getpid());
	int fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0) {
		if (verbose)
			msg("cache: %s: %s; building without the cache", dir, strerror(errno));
		free(*tmp);
		*tmp = NULL;
	}
	return fd;
}

struct cached {
	char *name;
	struct timespec used;
	off_t size;
};

static int newest_first(const void *a, const void *b)
{
	const struct cached *x = a, *y = b;
	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? 1 : -1;
	if (x->used.tv_nsec != y->used.tv_nsec)
		return x->used.tv_nsec < y->used.tv_nsec ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void evict(const char *dir, const char *keep, bool verbose)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct cached *c = NULL;
	size_t n = 0, cap = 0;
	time_t now = time(NULL);
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		size_t len = strlen(de->d_name);
		bool image = len == 64 + 5 && strcmp(de->d_name + 64, ".cpio") == 0;
		bool tmp = strncmp(de->d_name, ".tmp-", 5) == 0;
		if ((!image && !tmp) || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (tmp) {
			if (now - st.st_mtime > STALE_TMP_SECONDS)
				unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		if (n == cap)
			c = xrealloc(c, (cap = cap ? 2 * cap : 32) * sizeof(*c));
		c[n++] = (struct cached){ xstrdup(de->d_name), st.st_mtim, st.st_size };
	}
	qsort(c, n, sizeof(*c), newest_first);
	/* The image just used stays whatever its rank; the others fill the remaining room,
	 * newest first. */
	unsigned long long total = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].name, keep) == 0)
			total = c[i].size;
	size_t others = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(c[i].name, keep) != 0) {
			if (others < CACHE_KEEP - 1 && total + c[i].size <= CACHE_MAX_BYTES) {
				total += c[i].size;
				others++;
			} else {
				if (verbose)
					msg("cache: evicting %s", c[i].name);
				unlinkat(dirfd(d), c[i].name, 0);
			}
		}
		free(c[i].name);
	}
	free(c);
	closedir(d);
}

char *cache_commit(const char *dir, const char *tmp, const char *key, bool verbose)
{
	char *path = xasprintf("%s/%s.cpio", dir, key);
	if (rename(tmp, path) != 0) {
		if (verbose)
			msg("cache: %s: %s", path, strerror(errno));
		unlink(tmp);
		free(path);
		return NULL;
	}
	char *name = xasprintf("%s.cpio", key);
	evict(dir, name, verbose);
	free(name);
	return path;
}
