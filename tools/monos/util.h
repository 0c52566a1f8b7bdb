/* Small helpers shared by the monos host tool: messages that begin with "monos: ",
 * allocation that cannot fail, growable string vectors and sets, whole-buffer writes,
 * PATH search, lexical path normalization and shell quoting. */
#ifndef MONOS_UTIL_H
#define MONOS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

/* Exit codes of `monos run` besides the program's own status (docs/cli.md). */
enum {
	EXIT_TIMEOUT  = 124,	/* --timeout expired */
	EXIT_TOOL     = 125,	/* monos itself failed: usage, kernel missing, panic, I/O */
	EXIT_NOEXEC   = 126,	/* PROGRAM is not a runnable x86-64 static ELF */
	EXIT_NOTFOUND = 127,	/* PROGRAM or QEMU not found */
};

/* "monos: <message>\n" on stderr; "\r\n" at the end while msg_crlf is set (term.c turns
 * ONLCR off on the terminal during a run). */
extern bool msg_crlf;
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vmsg(const char *fmt, va_list ap);
/* msg(), then exit(code): atexit handlers (temp dir removal) run. */
noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A NULL-terminated, growable vector of owned strings (argv, env). */
struct strvec {
	char **v;
	size_t n, cap;
};
void strvec_push(struct strvec *sv, const char *s);	/* pushes a copy */
void strvec_pushf(struct strvec *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strvec_free(struct strvec *sv);

/* A set of strings, each with a small integer tag (open addressing, grows as needed). */
struct strset {
	char **keys;
	int *tags;
	size_t n, cap;
};
/* Returns the tag of key, or -1 when absent. */
int strset_get(const struct strset *s, const char *key);
void strset_put(struct strset *s, const char *key, int tag);
void strset_free(struct strset *s);

/* write(2) until everything is written; 0 or -errno. */
int write_all(int fd, const void *buf, size_t n);

/* Looks NAME up like execvp(3) does: in $PATH (a default path when unset), an empty
 * entry meaning the current directory. Returns a malloc'ed path to an executable regular
 * file, or NULL with *err = ENOENT (nothing found) or EACCES (found, not executable). */
char *path_search(const char *name, int *err);

/* Makes PATH absolute (against the current directory) and removes ".", ".." and repeated
 * slashes without following symlinks: what the user named, not where it leads. */
char *path_normalize(const char *path);

/* The directory part of PATH ("/" for "/x", "." for "x"), malloc'ed. */
char *path_dirname(const char *path);

/* S quoted for a POSIX shell when it needs it, malloc'ed. */
char *shell_quote(const char *s);

#endif
