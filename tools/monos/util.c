/* Small helpers shared by the monos host tool: messages, checked allocation, string
 * vectors and sets, whole-buffer writes, PATH search, path normalization, shell quoting.
 * Nothing here knows about ELF, cpio or QEMU. */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool msg_crlf;

void vmsg(const char *fmt, va_list ap)
{
	/* One write per message, so lines from monos and QEMU do not interleave mid-line. */
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "monos: ");
	int m = vsnprintf(buf + n, sizeof(buf) - n - 2, fmt, ap);
	if (m < 0)
		m = 0;
	if ((size_t)(n + m) > sizeof(buf) - 3)
		m = sizeof(buf) - 3 - n;
	if (msg_crlf)
		buf[n + m++] = '\r';
	buf[n + m] = '\n';
	write_all(2, buf, n + m + 1);
}

void msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(code);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die(EXIT_TOOL, "out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die(EXIT_TOOL, "out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EXIT_TOOL, "out of memory");
	return s;
}

void strvec_push(struct strvec *sv, const char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? 2 * sv->cap : 16;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = xstrdup(s);
	sv->v[sv->n] = NULL;
}

void strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EXIT_TOOL, "out of memory");
	strvec_push(sv, s);
	free(s);
}

void strvec_free(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static size_t strset_slot(char **keys, size_t cap, const char *key)
{
	size_t i = hash_str(key) & (cap - 1);
	while (keys[i] && strcmp(keys[i], key) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

int strset_get(const struct strset *s, const char *key)
{
	if (!s->cap)
		return -1;
	size_t i = strset_slot(s->keys, s->cap, key);
	return s->keys[i] ? s->tags[i] : -1;
}

void strset_put(struct strset *s, const char *key, int tag)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		char **keys = xmalloc(cap * sizeof(*keys));
		int *tags = xmalloc(cap * sizeof(*tags));
		memset(keys, 0, cap * sizeof(*keys));
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->keys[i])
				continue;
			size_t j = strset_slot(keys, cap, s->keys[i]);
			keys[j] = s->keys[i];
			tags[j] = s->tags[i];
		}
		free(s->keys);
		free(s->tags);
		s->keys = keys;
		s->tags = tags;
		s->cap = cap;
	}
	size_t i = strset_slot(s->keys, s->cap, key);
	if (!s->keys[i]) {
		s->keys[i] = xstrdup(key);
		s->n++;
	}
	s->tags[i] = tag;
}

void strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->tags);
	memset(s, 0, sizeof(*s));
}

int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += k;
		n -= k;
	}
	return 0;
}

static bool is_executable_file(const char *path, int *err)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	if (access(path, X_OK) != 0) {
		*err = EACCES;
		return false;
	}
	return true;
}

char *path_search(const char *name, int *err)
{
	*err = ENOENT;
	if (!*name)
		return NULL;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";	/* glibc's execvp default, minus "." */
	for (const char *p = path;; ) {
		const char *end = strchrnul(p, ':');
		char *cand = end == p ? xasprintf("%s", name)
				      : xasprintf("%.*s/%s", (int)(end - p), p, name);
		if (is_executable_file(cand, err)) {
			*err = 0;
			return cand;
		}
		free(cand);
		if (!*end)
			break;
		p = end + 1;
	}
	return NULL;
}

char *path_normalize(const char *path)
{
	char *cwd = NULL;
	if (path[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			die(EXIT_TOOL, "cannot get the current directory: %s", strerror(errno));
	}
	char *in = cwd ? xasprintf("%s/%s", cwd, path) : xstrdup(path);
	free(cwd);

	/* Rebuild component by component; the output never grows longer than the input. */
	size_t len = strlen(in);
	char *out = xmalloc(len + 2);
	size_t o = 0;
	for (char *p = in; *p; ) {
		while (*p == '/')
			p++;
		char *q = p;
		while (*q && *q != '/')
			q++;
		size_t n = q - p;
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;	/* the slash before the removed component */
		} else {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = q;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	free(in);
	return out;
}

char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}

char *shell_quote(const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789@%_+=:,./-";
	if (*s && strspn(s, safe) == strlen(s))
		return xstrdup(s);
	/* 'it'\''s': close the quote, an escaped quote, reopen. */
	size_t n = 2;
	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	char *out = xmalloc(n + 1), *o = out;
	*o++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}
