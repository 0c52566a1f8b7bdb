/*
 * scratch.h: a fresh directory under /tmp for a conformance program's files
 * (mkdtemp), paths inside it, and its removal at the end. Header-only and
 * libc-neutral like check.h; include it after check.h.
 */
#ifndef CONFORMANCE_SCRATCH_H
#define CONFORMANCE_SCRATCH_H

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCRATCH_API static __attribute__((unused))

/* The directory's absolute path, e.g. "/tmp/monos-files.Ab12Cd". */
static char scratch_dir[64];

/* Makes the directory; on failure prints a FAIL line and exits 1. */
SCRATCH_API const char *scratch_make(const char *prog)
{
	snprintf(scratch_dir, sizeof(scratch_dir), "/tmp/monos-%s.XXXXXX", prog);
	if (!mkdtemp(scratch_dir)) {
		printf("FAIL %s.scratch_dir: mkdtemp(%s) failed with %s\n", prog, scratch_dir,
		       errno_name(errno));
		exit(1);
	}
	return scratch_dir;
}

/* "SCRATCH/name" in one of a few rotating static buffers, so that a call may
 * take two or three of them at once. */
SCRATCH_API const char *sp(const char *name)
{
	static char bufs[4][PATH_MAX];
	static int next;
	char *b = bufs[next++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", scratch_dir, name);
	return b;
}

/* Removes everything under the directory open as dfd (closed here). */
static void scratch_empty(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;

	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dfd, e->d_name, 0) == 0)
			continue;
		/* A directory: empty it, then remove it. Make it searchable first. */
		fchmodat(dfd, e->d_name, 0700, 0);
		int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (sub >= 0)
			scratch_empty(sub);
		unlinkat(dfd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

/* Removes the directory and everything in it; the check "cleanup" says whether
 * it is gone. Leaves the working directory at "/". */
SCRATCH_API void scratch_remove(void)
{
	if (chdir("/") != 0)
		return;
	int dfd = open(scratch_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (dfd >= 0)
		scratch_empty(dfd);
	int r = rmdir(scratch_dir);
	check_ok("cleanup", r);
}

#endif
