/* Assembles the initramfs of `monos run` (docs/protocol.md) with the cpio writer: every
 * path appears once, parents before children; regular file data is page-aligned.
 * A path met twice keeps its first entry (the program wins over a --add of the same
 * path); a path wanted both as a directory and as something else is an error. */
#define _GNU_SOURCE
#include "image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cpio.h"
#include "util.h"

#define PAGE_SIZE	4096
#define MONOS_DIR	"/.monos"

enum { SEEN_DIR = 1, SEEN_OTHER = 2 };

struct image {
	struct cpio_writer w;
	struct strset seen;	/* guest path -> SEEN_* */
	const struct image_spec *spec;
	const char *path;	/* the image file, for messages */
	unsigned long entries;
};

int image_parse_add(const char *arg, struct image_add *out)
{
	const char *sep = NULL;
	for (const char *p = strstr(arg, ":/"); p; p = strstr(p + 1, ":/"))
		sep = p;
	char *host = sep ? xasprintf("%.*s", (int)(sep - arg), arg) : xstrdup(arg);
	if (!*host) {
		msg("--add %s: the host path is empty", arg);
		free(host);
		return -1;
	}
	out->host = host;
	out->guest = path_normalize(sep ? sep + 1 : host);
	return 0;
}

static int write_error(struct image *im, int err)
{
	msg("writing %s: %s", im->path, strerror(-err));
	return -1;
}

/* Claims GUEST for an entry of the given kind: 1 to emit it, 0 when it is already there,
 * -1 (after a message) when it is there as the other kind. */
static int claim(struct image *im, const char *guest, int kind)
{
	int seen = strset_get(&im->seen, guest);
	if (seen < 0) {
		strset_put(&im->seen, guest, kind);
		return 1;
	}
	if (seen == kind) {
		if (kind != SEEN_DIR && im->spec->verbose)
			msg("image: %s is already in the image; keeping the first one", guest);
		return 0;
	}
	msg("image: %s is wanted both as a directory and as a file", guest);
	return -1;
}

static int emit_dir(struct image *im, const char *guest, const struct stat *st);

/* Emits the directories above GUEST, taking modes from the host where the same path is
 * a directory there (it usually is: files keep their host paths). */
static int emit_parents(struct image *im, const char *guest)
{
	char *dir = path_dirname(guest);
	int r = strcmp(dir, "/") == 0 ? 0 : emit_dir(im, dir, NULL);
	free(dir);
	return r;
}

static int emit_dir(struct image *im, const char *guest, const struct stat *st)
{
	struct stat hst;

	if (strcmp(guest, "/") == 0)
		return 0;	/* the root exists without an entry */
	if (strset_get(&im->seen, guest) == SEEN_DIR)
		return 0;
	if (emit_parents(im, guest) < 0)
		return -1;
	int c = claim(im, guest, SEEN_DIR);
	if (c <= 0)
		return c;
	if (!st)
		st = stat(guest, &hst) == 0 && S_ISDIR(hst.st_mode) ? &hst : NULL;
	int err = cpio_add_dir(&im->w, guest, st ? st->st_mode & 07777 : 0755,
			       st ? st->st_mtime : im->w.now);
	if (err)
		return write_error(im, err);
	im->entries++;
	return 0;
}

static int emit_file(struct image *im, const char *host, const char *guest)
{
	struct stat st;

	if (emit_parents(im, guest) < 0)
		return -1;
	int c = claim(im, guest, SEEN_OTHER);
	if (c <= 0)
		return c;
	int fd = open(host, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		msg("%s: %s", host, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int err = cpio_add_file_fd(&im->w, guest, st.st_mode, st.st_mtime, fd, 0, st.st_size);
	close(fd);
	if (err == -EIO) {
		msg("%s: the file shrank while it was being copied", host);
		return -1;
	}
	if (err == -EFBIG) {
		msg("%s: files of 4 GiB or more do not fit in a cpio newc archive", host);
		return -1;
	}
	if (err)
		return write_error(im, err);
	im->entries++;
	return 0;
}

static int emit_symlink(struct image *im, const char *host, const char *guest,
			const struct stat *st)
{
	if (emit_parents(im, guest) < 0)
		return -1;
	int c = claim(im, guest, SEEN_OTHER);
	if (c <= 0)
		return c;
	size_t cap = st->st_size > 0 ? st->st_size + 1 : 256;
	char *target = xmalloc(cap);
	ssize_t n = readlink(host, target, cap);
	if (n < 0 || (size_t)n >= cap) {
		msg("%s: %s", host, n < 0 ? strerror(errno) : "the symlink changed while read");
		free(target);
		return -1;
	}
	target[n] = '\0';
	int err = cpio_add_symlink(&im->w, guest, target, st->st_mtime);
	free(target);
	if (err)
		return write_error(im, err);
	im->entries++;
	return 0;
}

static int add_path(struct image *im, const char *host, const char *guest, bool follow);

static int add_tree(struct image *im, const char *host, const char *guest,
		    const struct stat *st)
{
	if (emit_dir(im, guest, st) < 0)
		return -1;
	struct dirent **names;
	int n = scandir(host, &names, NULL, alphasort);
	if (n < 0) {
		msg("%s: %s", host, strerror(errno));
		return -1;
	}
	int r = 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (r == 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			char *h = xasprintf("%s/%s", host, name);
			char *g = strcmp(guest, "/") == 0 ? xasprintf("/%s", name)
							  : xasprintf("%s/%s", guest, name);
			r = add_path(im, h, g, false);
			free(h);
			free(g);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

/* Adds HOST as GUEST: a file, a symlink, or a directory with everything under it.
 * follow: HOST itself is taken through symlinks (it was named on the command line). */
static int add_path(struct image *im, const char *host, const char *guest, bool follow)
{
	struct stat st;
	if ((follow ? stat(host, &st) : lstat(host, &st)) != 0) {
		msg("%s: %s", host, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return add_tree(im, host, guest, &st);
	if (S_ISREG(st.st_mode))
		return emit_file(im, host, guest);
	if (S_ISLNK(st.st_mode))
		return emit_symlink(im, host, guest, &st);
	msg("warning: %s: skipped (not a file, directory or symlink)", host);
	return 0;
}

/* The manifest records in protocol order: exe, arg..., env..., cwd. */
static char *build_manifest(const struct image_spec *spec, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);

#define RECORD(...) do { \
		char *r_ = xasprintf(__VA_ARGS__); \
		size_t l_ = strlen(r_) + 1; \
		while (n + l_ > cap) \
			buf = xrealloc(buf, cap *= 2); \
		memcpy(buf + n, r_, l_); \
		n += l_; \
		free(r_); \
	} while (0)

	RECORD("exe=%s", spec->exe);
	for (char *const *a = spec->argv; *a; a++)
		RECORD("arg=%s", *a);
	for (char *const *e = spec->env; *e; e++)
		RECORD("env=%s", *e);
	RECORD("cwd=%s", spec->cwd);
#undef RECORD
	*len = n;
	return buf;
}

/* Copies stdin into the image as /.monos/stdin. A regular file is copied from its current
 * position; anything else (pipe, socket, device) is read to EOF into a spool file first,
 * since the cpio header needs the size. An unreadable stdin gives an empty file. */
static int emit_stdin(struct image *im)
{
	const struct image_spec *spec = im->spec;
	const char *guest = MONOS_DIR "/stdin";
	struct stat st;
	int err;

	strset_put(&im->seen, guest, SEEN_OTHER);
	if (fstat(spec->stdin_fd, &st) != 0) {
		err = cpio_add_file(&im->w, guest, 0644, im->w.now, "", 0);
	} else if (S_ISREG(st.st_mode)) {
		off_t pos = lseek(spec->stdin_fd, 0, SEEK_CUR);
		if (pos < 0 || pos > st.st_size)
			pos = pos < 0 ? 0 : st.st_size;
		err = cpio_add_file_fd(&im->w, guest, 0644, im->w.now, spec->stdin_fd, pos,
				       st.st_size - pos);
		if (err == -EIO) {
			msg("stdin: the file shrank while it was being copied");
			return -1;
		}
		lseek(spec->stdin_fd, st.st_size, SEEK_SET);	/* consumed, as a reader would */
	} else {
		char *spool = xasprintf("%s/stdin", spec->tmpdir);
		int fd = open(spool, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			msg("%s: %s", spool, strerror(errno));
			free(spool);
			return -1;
		}
		unlink(spool);
		free(spool);

		static char buf[1 << 16];
		uint64_t size = 0;
		for (;;) {
			ssize_t n = read(spec->stdin_fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && size > 0)
				msg("warning: reading stdin: %s; the guest gets the first %llu bytes",
				    strerror(errno), (unsigned long long)size);
			if (n <= 0)
				break;
			if ((err = write_all(fd, buf, n)) != 0) {
				msg("spooling stdin: %s", strerror(-err));
				close(fd);
				return -1;
			}
			size += n;
		}
		err = cpio_add_file_fd(&im->w, guest, 0644, im->w.now, fd, 0, size);
		close(fd);
	}
	if (err == -EFBIG) {
		msg("stdin: 4 GiB or more does not fit in a cpio newc archive");
		return -1;
	}
	if (err)
		return write_error(im, err);
	im->entries++;
	return 0;
}

static int check_adds(const struct image_spec *spec)
{
	for (size_t i = 0; i < spec->nadds; i++) {
		const char *g = spec->adds[i].guest;
		size_t n = strlen(MONOS_DIR);
		if (strncmp(g, MONOS_DIR, n) == 0 && (g[n] == '\0' || g[n] == '/')) {
			msg("--add %s: %s is reserved for monos", spec->adds[i].host, MONOS_DIR);
			return -1;
		}
	}
	return 0;
}

static int build(struct image *im)
{
	const struct image_spec *spec = im->spec;
	size_t mlen;
	int err;

	if (check_adds(spec) < 0)
		return -1;

	if (emit_dir(im, MONOS_DIR, NULL) < 0)
		return -1;
	char *manifest = build_manifest(spec, &mlen);
	strset_put(&im->seen, MONOS_DIR "/manifest", SEEN_OTHER);
	err = cpio_add_file(&im->w, MONOS_DIR "/manifest", 0444, im->w.now, manifest, mlen);
	free(manifest);
	if (err)
		return write_error(im, err);
	im->entries++;
	if (spec->stdin_fd >= 0 && emit_stdin(im) < 0)
		return -1;

	if (emit_file(im, spec->exe, spec->exe) < 0)
		return -1;
	for (size_t i = 0; i < spec->nadds; i++)
		if (add_path(im, spec->adds[i].host, spec->adds[i].guest, true) < 0)
			return -1;
	if (emit_dir(im, spec->cwd, NULL) < 0)
		return -1;

	if ((err = cpio_finish(&im->w)) != 0)
		return write_error(im, err);
	return 0;
}

int image_build(const struct image_spec *spec, const char *path)
{
	struct image im = { .spec = spec, .path = path };

	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		msg("%s: %s", path, strerror(errno));
		return -1;
	}
	cpio_init(&im.w, fd, PAGE_SIZE);
	int r = build(&im);
	if (close(fd) != 0 && r == 0) {
		msg("writing %s: %s", path, strerror(errno));
		r = -1;
	}
	if (r == 0 && spec->verbose)
		msg("image: %s: %lu entries, %llu bytes", path, im.entries,
		    (unsigned long long)im.w.off);
	strset_free(&im.seen);
	return r;
}
