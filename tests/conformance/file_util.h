/*
 * file_util.h: what the file-system conformance programs (files, dirs,
 * links) share: the scratch directory they work in (dfd, opened by each
 * program), whole-file put/get and link counts relative to it. Header-only and static,
 * like check.h.
 */
#ifndef CONFORMANCE_FILE_UTIL_H
#define CONFORMANCE_FILE_UTIL_H

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static int dfd = -1;

/* Creates name with the given contents; returns 0 or -1. */
static __attribute__((unused)) int put(const char *name, const char *text)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The whole file (up to cap - 1 bytes) as a string; its length, or -1. */
static __attribute__((unused)) ssize_t get(const char *name, char *buf, size_t cap)
{
	int fd = openat(dfd, name, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return n;
}

/* The link count of name (not following a symlink), or -1. */
static __attribute__((unused)) long nlink_of(const char *name)
{
	struct stat st;
	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? (long)st.st_nlink : -1;
}

#endif
