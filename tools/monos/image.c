/* The initramfs of `monos run`: first a plan, then the cpio archive written from it.
 *
 * The plan lists every entry once, parents before children. A path met twice keeps its
 * first entry (the program wins over a --add of the same path); a path wanted both as a
 * directory and as something else is an error. Guest paths are looked up through the
 * symlinks already in the plan, as the guest kernel will: with /lib -> usr/lib in the
 * image, /lib/x/y goes to /usr/lib/x/y, and the two never conflict.
 *
 * Writing follows docs/protocol.md: regular file data page-aligned, /.monos/manifest, and
 * /.monos/stdin, which is appended to a copy of a cached image rather than cached. */
#define _GNU_SOURCE
#include "image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpio.h"

#define PAGE_SIZE	4096
#define MONOS_DIR	"/.monos"
#define MAX_SYMLINKS	40	/* Linux's limit when resolving a path */

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

/* ---- the plan ---- */

void plan_init(struct image_plan *p, bool verbose)
{
	memset(p, 0, sizeof(*p));
	p->verbose = verbose;
	plan_add_dir(p, MONOS_DIR, 0755);	/* reserved: nothing else may claim it */
}

void plan_free(struct image_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->e[i].guest);
		free(p->e[i].host);
		free(p->e[i].data);
	}
	free(p->e);
	strset_free(&p->seen);
	memset(p, 0, sizeof(*p));
}

static struct plan_entry *push(struct image_plan *p, const char *guest, enum plan_kind kind)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 256;
		p->e = xrealloc(p->e, p->cap * sizeof(*p->e));
	}
	struct plan_entry *e = &p->e[p->n];
	memset(e, 0, sizeof(*e));
	e->guest = xstrdup(guest);
	e->kind = kind;
	strset_put(&p->seen, guest, (int)p->n++);
	return e;
}

static const struct plan_entry *entry_at(const struct image_plan *p, const char *guest)
{
	int i = strset_get(&p->seen, guest);
	return i < 0 ? NULL : &p->e[i];
}

/* PREFIX/TARGET + REST, or TARGET + REST for an absolute target, normalized. */
static char *join_link(const char *prefix, size_t prefix_len, const char *target, const char *rest)
{
	char *j = target[0] == '/' ? xasprintf("%s%s", target, rest)
				   : xasprintf("%.*s/%s%s", (int)prefix_len, prefix, target, rest);
	char *n = path_normalize(j);
	free(j);
	return n;
}

/* GUEST (absolute, normalized) with the plan's symlinks followed in its directories, and
 * in its last component too when follow_last. Too many links: returned as it stands. */
static char *resolve(const struct image_plan *p, const char *guest, bool follow_last)
{
	char *cur = path_normalize(guest);
	for (int hops = 0; hops < MAX_SYMLINKS; hops++) {
		char *next = NULL;
		for (char *s = cur + 1; *s; ) {
			char *slash = strchr(s, '/');
			size_t plen = slash ? (size_t)(slash - cur) : strlen(cur);
			if (slash || follow_last) {
				char save = cur[plen];
				cur[plen] = '\0';
				const struct plan_entry *e = entry_at(p, cur);
				cur[plen] = save;
				if (e && e->kind == PLAN_SYMLINK) {
					next = join_link(cur, s - 1 - cur, e->data, cur + plen);
					break;
				}
			}
			if (!slash)
				break;
			s = slash + 1;
		}
		if (!next)
			return cur;
		free(cur);
		cur = next;
	}
	return cur;
}

const struct plan_entry *plan_lookup(const struct image_plan *p, const char *guest)
{
	char *g = resolve(p, guest, true);
	const struct plan_entry *e = entry_at(p, g);
	free(g);
	return e;
}

/* Plans directory GUEST (resolved) and its parents. ST: its host metadata, or NULL to
 * take it from the host's directory of the same path when there is one. */
static int plan_dir(struct image_plan *p, const char *guest, const struct stat *st)
{
	struct stat hst;

	if (strcmp(guest, "/") == 0)
		return 0;	/* the root exists without an entry */
	const struct plan_entry *e = entry_at(p, guest);
	if (e && e->kind == PLAN_DIR)
		return 0;
	if (e) {
		msg("image: %s is wanted both as a directory and as a file", guest);
		return -1;
	}
	char *parent = path_dirname(guest);
	int r = plan_dir(p, parent, NULL);
	free(parent);
	if (r < 0)
		return r;
	if (!st)
		st = stat(guest, &hst) == 0 && S_ISDIR(hst.st_mode) ? &hst : NULL;
	struct plan_entry *d = push(p, guest, PLAN_DIR);
	d->mode = st ? st->st_mode & 07777 : 0755;
	d->generated = !st;
	if (st)
		d->st = *st;
	return 0;
}

/* Claims GUEST (resolved) for a non-directory entry after planning its parents: 1 to add
 * it, 0 when it is already there (the first one stays), -1 after a message. SAME: the
 * host file or symlink target of the new entry; meeting it again is no news. */
static int claim_other(struct image_plan *p, const char *guest, const char *same)
{
	const struct plan_entry *e = entry_at(p, guest);
	if (e && e->kind == PLAN_DIR) {
		msg("image: %s is wanted both as a directory and as a file", guest);
		return -1;
	}
	if (e) {
		const char *was = e->kind == PLAN_FILE ? e->host : e->data;
		if (p->verbose && !(same && was && strcmp(same, was) == 0))
			msg("image: %s is already in the image; keeping the first one", guest);
		return 0;
	}
	char *parent = path_dirname(guest);
	int r = plan_dir(p, parent, NULL);
	free(parent);
	return r < 0 ? -1 : 1;
}

static int plan_file(struct image_plan *p, const char *host, const char *guest,
		     const struct stat *st)
{
	int c = claim_other(p, guest, host);
	if (c <= 0)
		return c;
	if (st->st_size > 0xffffffffLL) {
		msg("%s: files of 4 GiB or more do not fit in a cpio newc archive", host);
		return -1;
	}
	struct plan_entry *e = push(p, guest, PLAN_FILE);
	e->host = xstrdup(host);
	e->st = *st;
	e->mode = st->st_mode & 07777;
	return 0;
}

/* Reads the target of symlink HOST; NULL after a message. */
static char *read_link(const char *host, const struct stat *st)
{
	size_t cap = st->st_size > 0 ? (size_t)st->st_size + 1 : 256;
	char *target = xmalloc(cap);
	ssize_t n = readlink(host, target, cap);
	if (n < 0 || (size_t)n >= cap) {
		msg("%s: %s", host, n < 0 ? strerror(errno) : "the symlink changed while read");
		free(target);
		return NULL;
	}
	target[n] = '\0';
	return target;
}

static int plan_symlink(struct image_plan *p, const char *guest, const char *target,
			const struct stat *st)
{
	int c = claim_other(p, guest, target);
	if (c <= 0)
		return c;
	struct plan_entry *e = push(p, guest, PLAN_SYMLINK);
	e->data = xstrdup(target);
	e->len = strlen(target);
	e->mode = 0777;
	e->st = *st;
	return 0;
}

static bool excluded(const struct plan_filter *f, const char *host, const char *name)
{
	for (char *const *x = f ? f->exclude : NULL; x && *x; x++)
		if (fnmatch(*x, strchr(*x, '/') ? host : name, 0) == 0)
			return true;
	return false;
}

static int add_path(struct image_plan *p, const char *host, const char *guest, bool follow,
		    const struct plan_filter *f);

/* Directory HOST at GUEST (resolved), with everything under it in name order. */
static int add_tree(struct image_plan *p, const char *host, const char *guest,
		    const struct stat *st, const struct plan_filter *f)
{
	if (plan_dir(p, guest, st) < 0)
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
			if (!excluded(f, h, name))
				r = add_path(p, h, g, false, f);
			free(h);
			free(g);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

static int add_path(struct image_plan *p, const char *host, const char *guest, bool follow,
		    const struct plan_filter *f)
{
	struct stat st;
	if ((follow ? stat(host, &st) : lstat(host, &st)) != 0) {
		msg("%s: %s", host, strerror(errno));
		return -1;
	}
	char *g = resolve(p, guest, S_ISDIR(st.st_mode));
	int r = 0;
	if (S_ISDIR(st.st_mode)) {
		r = add_tree(p, host, g, &st, f);
	} else if (S_ISREG(st.st_mode)) {
		r = plan_file(p, host, g, &st);
	} else if (S_ISLNK(st.st_mode)) {
		char *target = read_link(host, &st);
		r = target ? plan_symlink(p, g, target, &st) : -1;
		free(target);
	} else {
		msg("warning: %s: skipped (not a file, directory or symlink)", host);
	}
	free(g);
	return r;
}

int plan_add(struct image_plan *p, const char *host, const char *guest, bool follow,
	     const struct plan_filter *f)
{
	return add_path(p, host, guest, follow, f);
}

/* Walks PATH component by component on the host, mirroring each step in the plan. */
static int add_found(struct image_plan *p, const char *path, const struct plan_filter *f,
		     int depth)
{
	if (depth > MAX_SYMLINKS) {
		msg("%s: too many levels of symbolic links", path);
		return -1;
	}
	char *cur = path_normalize(path);
	int r = 0;
	for (char *s = cur + 1; *s; ) {
		char *slash = strchr(s, '/');
		size_t plen = slash ? (size_t)(slash - cur) : strlen(cur);
		char save = cur[plen];
		cur[plen] = '\0';
		const struct plan_entry *e = entry_at(p, cur);
		struct stat st;
		char *next = NULL;

		if (e && e->kind == PLAN_SYMLINK) {
			cur[plen] = save;
			next = join_link(cur, s - 1 - cur, e->data, cur + plen);
		} else if (e && e->kind == PLAN_DIR) {
			/* Already a directory in the image (even if the host has a symlink there:
			 * the rest goes below the image's directory). */
			if (!slash && stat(cur, &st) == 0 && S_ISDIR(st.st_mode))
				r = add_tree(p, cur, cur, &st, f);
		} else if (e) {
			if (slash) {
				msg("image: %s is wanted as a directory but is a file", cur);
				r = -1;
			}
			slash = NULL;	/* a file: nothing more to do */
		} else if (lstat(cur, &st) != 0) {
			msg("%s: %s", cur, strerror(errno));
			r = -1;
		} else if (S_ISLNK(st.st_mode)) {
			char *target = read_link(cur, &st);
			if (!target || plan_symlink(p, cur, target, &st) < 0) {
				r = -1;
			} else {
				cur[plen] = save;
				next = join_link(cur, s - 1 - cur, target, cur + plen);
			}
			free(target);
		} else if (S_ISDIR(st.st_mode)) {
			r = slash ? plan_dir(p, cur, &st) : add_tree(p, cur, cur, &st, f);
		} else if (S_ISREG(st.st_mode) && !slash) {
			r = plan_file(p, cur, cur, &st);
		} else if (S_ISREG(st.st_mode)) {
			msg("%s: not a directory", cur);
			r = -1;
		} else {
			msg("warning: %s: skipped (not a file, directory or symlink)", cur);
		}
		cur[plen] = save;
		if (next) {
			r = add_found(p, next, f, depth + 1);
			free(next);
			break;
		}
		if (r < 0 || !slash)
			break;
		s = slash + 1;
	}
	free(cur);
	return r;
}

int plan_add_found(struct image_plan *p, const char *path, const struct plan_filter *f)
{
	return add_found(p, path, f, 0);
}

int plan_add_dir(struct image_plan *p, const char *guest, mode_t mode)
{
	char *g = resolve(p, guest, true);
	int r = 0;
	if (!entry_at(p, g)) {
		struct stat st;
		if (stat(g, &st) == 0 && S_ISDIR(st.st_mode)) {
			r = plan_dir(p, g, &st);
		} else {
			char *parent = path_dirname(g);
			r = plan_dir(p, parent, NULL);
			free(parent);
			if (r == 0) {
				struct plan_entry *e = push(p, g, PLAN_DIR);
				e->mode = mode & 07777;
				e->generated = true;
			}
		}
	}
	free(g);
	return r;
}

int plan_add_data(struct image_plan *p, const char *guest, mode_t mode, const void *data,
		  size_t len)
{
	char *g = resolve(p, guest, false);
	int c = entry_at(p, g) ? 0 : claim_other(p, g, NULL);
	if (c > 0) {
		struct plan_entry *e = push(p, g, PLAN_DATA);
		e->mode = mode & 07777;
		e->generated = true;
		e->data = xmalloc(len + 1);
		memcpy(e->data, data, len);
		e->data[len] = '\0';
		e->len = len;
	}
	free(g);
	return c < 0 ? -1 : 0;
}

/* ---- the key ---- */

static void hash_u64(struct sha256 *h, uint64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = v >> (8 * i);
	sha256_update(h, b, 8);
}

static void hash_bytes(struct sha256 *h, const void *data, size_t len)
{
	hash_u64(h, len);
	sha256_update(h, data, len);
}

void plan_hash(const struct image_plan *p, struct sha256 *h)
{
	/* Directory and symlink times are left out: a directory's mtime changes whenever a
	 * file is created in it (/tmp, the working directory), which would make every key
	 * new; no program depends on them, and what is inside is in the key anyway. */
	hash_u64(h, p->n);
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_entry *e = &p->e[i];
		hash_u64(h, e->kind);
		hash_bytes(h, e->guest, strlen(e->guest));
		hash_u64(h, e->mode);
		switch (e->kind) {
		case PLAN_FILE:
			hash_bytes(h, e->host, strlen(e->host));
			hash_u64(h, e->st.st_size);
			hash_u64(h, e->st.st_mtim.tv_sec);
			hash_u64(h, e->st.st_mtim.tv_nsec);
			hash_u64(h, e->st.st_ctim.tv_sec);
			hash_u64(h, e->st.st_ctim.tv_nsec);
			hash_u64(h, e->st.st_ino);
			hash_u64(h, e->st.st_dev);
			break;
		case PLAN_SYMLINK:
		case PLAN_DATA:
			hash_bytes(h, e->data, e->len);
			break;
		case PLAN_DIR:
			break;
		}
	}
}

/* ---- writing ---- */

static int write_error(const char *path, int err)
{
	if (err == -EFBIG)
		msg("writing %s: 4 GiB or more does not fit in a cpio newc archive", path);
	else
		msg("writing %s: %s", path, strerror(-err));
	return -1;
}

static int write_file(struct cpio_writer *w, const struct plan_entry *e, const char *path,
		      bool *changed)
{
	struct stat st;
	int fd = open(e->host, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		msg("%s: %s", e->host, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_size != e->st.st_size || st.st_ino != e->st.st_ino || st.st_dev != e->st.st_dev ||
	    st.st_mtim.tv_sec != e->st.st_mtim.tv_sec || st.st_mtim.tv_nsec != e->st.st_mtim.tv_nsec ||
	    st.st_ctim.tv_sec != e->st.st_ctim.tv_sec || st.st_ctim.tv_nsec != e->st.st_ctim.tv_nsec)
		*changed = true;
	int err = cpio_add_file_fd(w, e->guest, st.st_mode, st.st_mtime, fd, 0, st.st_size);
	close(fd);
	if (err == -EIO) {
		msg("%s: the file shrank while it was being copied", e->host);
		return -1;
	}
	return err ? write_error(path, err) : 0;
}

static int write_stdin(struct cpio_writer *w, const struct image_run *run, const char *path)
{
	int err = cpio_add_file_fd(w, MONOS_DIR "/stdin", 0644, w->now, run->stdin_fd,
				   run->stdin_off, run->stdin_size);
	if (err == -EIO) {
		msg("stdin: the file shrank while it was being copied");
		return -1;
	}
	return err ? write_error(path, err) : 0;
}

int image_write(const struct image_plan *p, const struct image_run *run, int fd,
		const char *path, bool *changed)
{
	struct cpio_writer w;
	int err = 0;

	*changed = false;
	cpio_init(&w, fd, PAGE_SIZE);
	for (size_t i = 0; i < p->n && !err; i++) {
		const struct plan_entry *e = &p->e[i];
		time_t mtime = e->generated ? w.now : e->st.st_mtime;
		switch (e->kind) {
		case PLAN_DIR:
			err = cpio_add_dir(&w, e->guest, e->mode, mtime);
			break;
		case PLAN_SYMLINK:
			err = cpio_add_symlink(&w, e->guest, e->data, mtime);
			break;
		case PLAN_DATA:
			err = cpio_add_file(&w, e->guest, e->mode, mtime, e->data, e->len);
			break;
		case PLAN_FILE:
			if (write_file(&w, e, path, changed) < 0)
				return -1;
			break;
		}
	}
	if (!err)
		err = cpio_add_file(&w, MONOS_DIR "/manifest", 0444, w.now, run->manifest,
				    run->manifest_len);
	if (err)
		return write_error(path, err);
	if (run->stdin_fd >= 0 && write_stdin(&w, run, path) < 0)
		return -1;
	if ((err = cpio_finish(&w)) != 0)
		return write_error(path, err);
	if (p->verbose)
		msg("image: %s: %zu entries, %llu bytes", path, p->n + 1 + (run->stdin_fd >= 0),
		    (unsigned long long)w.off);
	return 0;
}

int image_add_stdin(const char *src, const struct image_run *run, int fd, const char *path)
{
	struct cpio_writer w;
	struct stat st;
	int err;

	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) != 0) {
		msg("%s: %s", src, strerror(errno));
		if (in >= 0)
			close(in);
		return -1;
	}
	int64_t trailer = cpio_find_trailer(in, st.st_size);
	if (trailer < 0) {
		msg("%s: not an image written by monos", src);
		close(in);
		return -1;
	}
	cpio_init(&w, fd, PAGE_SIZE);
	w.next_ino = 1u << 30;	/* clear of the numbers in the copied part */
	err = cpio_copy_prefix(&w, in, trailer);
	close(in);
	if (err)
		return write_error(path, err == -EIO ? -EINVAL : err);
	if (write_stdin(&w, run, path) < 0)
		return -1;
	if ((err = cpio_finish(&w)) != 0)
		return write_error(path, err);
	return 0;
}
