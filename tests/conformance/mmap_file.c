/*
 * mmap_file.c: mappings of files. MAP_SHARED pages are the file's pages:
 * stores show in read() and writes show in the mapping, across mappings and
 * after munmap. MAP_PRIVATE pages are copied on the first store, which the
 * file never sees. Offsets, the zero tail of the last page, msync, the
 * EACCES rules for the descriptor's access mode, and /dev/zero.
 * (SIGBUS past the end of the file needs a signal handler: not here.)
 * Files live in a fresh directory under /tmp, removed at the end.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "scratch.h"

#define PAGE 4096L
#define RW (PROT_READ | PROT_WRITE)

static int dfd = -1;

/* Byte i of the test pattern. */
static char pat(long i)
{
	return (char)('a' + i % 23 + (i / PAGE) * 3 % 7);
}

/* A file of len pattern bytes, open with the given flags (after creation). */
static int make_file(const char *name, long len, int flags)
{
	int fd = openat(dfd, name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	char *buf = malloc(len);
	for (long i = 0; i < len; i++)
		buf[i] = pat(i);
	write(fd, buf, len);
	free(buf);
	if ((flags & O_ACCMODE) == O_RDWR)
		return fd;
	close(fd);
	return openat(dfd, name, flags);
}

static int is_pattern(const char *p, long off, long len)
{
	for (long i = 0; i < len; i++)
		if (p[i] != pat(off + i))
			return 0;
	return 1;
}

static int all_zero(const char *p, long n)
{
	for (long i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static char file_byte(int fd, long off)
{
	char c = 0;
	pread(fd, &c, 1, off);
	return c;
}

static void shared(void)
{
	int fd = make_file("sh", 3 * PAGE, O_RDWR);
	char *p = mmap(NULL, 3 * PAGE, RW, MAP_SHARED, fd, 0);
	if (!check_ok("map_shared", (long)p))
		return;
	check(is_pattern(p, 0, 3 * PAGE), "shared_reads_file", "the mapping differs from the file");

	/* Stores reach the file. */
	p[10] = 'X';
	p[2 * PAGE + 5] = 'Y';
	check(file_byte(fd, 10) == 'X' && file_byte(fd, 2 * PAGE + 5) == 'Y',
	      "shared_store_seen_by_read", "read() returned '%c' '%c'", file_byte(fd, 10),
	      file_byte(fd, 2 * PAGE + 5));

	/* Writes reach the mapping. */
	pwrite(fd, "WRITE", 5, PAGE + 100);
	check(!memcmp(p + PAGE + 100, "WRITE", 5), "shared_write_seen_by_mapping",
	      "the mapping holds \"%.5s\"", p + PAGE + 100);

	/* A second mapping, of the same file through another descriptor. */
	int fd2 = openat(dfd, "sh", O_RDWR);
	char *q = mmap(NULL, PAGE, RW, MAP_SHARED, fd2, PAGE);
	if (check_ok("map_shared_second", (long)q)) {
		check(!memcmp(q + 100, "WRITE", 5), "second_mapping_sees_write", "\"%.5s\"",
		      q + 100);
		q[200] = 'Z';
		check(p[PAGE + 200] == 'Z', "mappings_share_pages", "'%c'", p[PAGE + 200]);
		munmap(q, PAGE);
	}
	close(fd2);

	check_eq("msync_sync", msync(p, 3 * PAGE, MS_SYNC), 0);
	check_eq("msync_async", msync(p, PAGE, MS_ASYNC), 0);
	check_eq("msync_invalidate", msync(p, PAGE, MS_INVALIDATE), 0);
	check_errno("msync_unaligned_einval", msync(p + 1, PAGE, MS_SYNC), EINVAL);
	check_errno("msync_sync_and_async_einval", msync(p, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
	check_errno("msync_bad_flag_einval", msync(p, PAGE, 0x100), EINVAL);

	/* After munmap the stores are still in the file, and closing the
	 * descriptor first does not end the mapping. */
	p[PAGE - 1] = 'E';
	close(fd);
	p[PAGE] = 'F';
	check_eq("munmap", munmap(p, 3 * PAGE), 0);
	char buf[8];
	int r = openat(dfd, "sh", O_RDONLY);
	pread(r, buf, 2, PAGE - 1);
	check(buf[0] == 'E' && buf[1] == 'F', "stores_kept_after_close_and_munmap", "'%c' '%c'",
	      buf[0], buf[1]);
	close(r);

	check_errno("msync_unmapped_enomem", msync(p, PAGE, MS_SYNC), ENOMEM);
}

static void private_copy(void)
{
	int fd = make_file("pr", 2 * PAGE, O_RDWR);
	char *p = mmap(NULL, 2 * PAGE, RW, MAP_PRIVATE, fd, 0);
	if (!check_ok("map_private", (long)p))
		return;
	check(is_pattern(p, 0, 2 * PAGE), "private_reads_file", "the mapping differs from the file");

	p[0] = 'P';
	check(p[0] == 'P' && file_byte(fd, 0) == pat(0), "private_store_not_in_file",
	      "the file holds '%c'", file_byte(fd, 0));

	/* The copied page is the process's own: later writes to the file do
	 * not reach it. (A page never stored to may still show them: Linux's
	 * does, POSIX leaves it open; not checked.) */
	pwrite(fd, "Q", 1, 1);
	check(p[1] == pat(1), "private_copy_detached", "the copied page shows a later write");

	/* Another private mapping of the same file sees the file, not the copy. */
	char *q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	check(q != MAP_FAILED && q[0] == pat(0) && q[1] == 'Q', "private_copies_separate",
	      "the second mapping holds '%c' '%c'", q != MAP_FAILED ? q[0] : 0,
	      q != MAP_FAILED ? q[1] : 0);
	munmap(q, PAGE);
	munmap(p, 2 * PAGE);
	check(file_byte(fd, 0) == pat(0), "private_discarded_at_munmap", "the file changed");
	close(fd);

	/* MAP_PRIVATE with PROT_WRITE is allowed on a read-only descriptor. */
	fd = make_file("pr_ro", PAGE, O_RDONLY);
	p = mmap(NULL, PAGE, RW, MAP_PRIVATE, fd, 0);
	if (check_ok("map_private_write_rdonly_fd", (long)p)) {
		p[0] = '!';
		check(file_byte(fd, 0) == pat(0), "private_rdonly_store_not_in_file",
		      "the file changed");
		munmap(p, PAGE);
	}
	close(fd);
}

static void offsets_and_tail(void)
{
	int fd = make_file("of", 4 * PAGE, O_RDWR);
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 2 * PAGE);
	check(p != MAP_FAILED && is_pattern(p, 2 * PAGE, PAGE), "map_at_offset",
	      "the page at offset 8192 does not hold the file's bytes there");
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 3 * PAGE);
	check(p != MAP_FAILED && is_pattern(p, 3 * PAGE, PAGE), "map_private_at_offset",
	      "wrong data at offset 12288");
	if (p != MAP_FAILED)
		munmap(p, 2 * PAGE);
	check_errno("map_unaligned_offset_einval",
		    (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 100), EINVAL);
	check_errno("map_zero_length_einval",
		    (long)mmap(NULL, 0, PROT_READ, MAP_SHARED, fd, 0), EINVAL);
	close(fd);

	/* The last page past the end of the file reads as zeros, and stores
	 * there do not grow the file. */
	fd = make_file("tail", 5000, O_RDWR);
	p = mmap(NULL, 2 * PAGE, RW, MAP_SHARED, fd, 0);
	if (check_ok("map_partial_page", (long)p)) {
		check(is_pattern(p, 0, 5000) && all_zero(p + 5000, 2 * PAGE - 5000),
		      "tail_of_last_page_zero", "bytes past the end are not zero");
		p[6000] = 'T';
		struct stat st;
		fstat(fd, &st);
		check_eq("store_past_eof_keeps_size", st.st_size, 5000);
		check_eq("store_past_eof_not_readable", pread(fd, (char[8]){ 0 }, 8, 6000), 0);
		munmap(p, 2 * PAGE);
	}
	close(fd);

	/* A file grown after mapping: the new part shows through. */
	fd = make_file("grow", PAGE, O_RDWR);
	p = mmap(NULL, 2 * PAGE, RW, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		ftruncate(fd, 2 * PAGE);
		pwrite(fd, "grown", 5, PAGE + 8);
		check(!memcmp(p + PAGE + 8, "grown", 5) && all_zero(p + PAGE, 8),
		      "file_grown_after_map", "\"%.5s\"", p + PAGE + 8);
		munmap(p, 2 * PAGE);
	}
	close(fd);
}

static void access_rules(void)
{
	int wr = make_file("acc", PAGE, O_WRONLY);
	check_errno("map_wronly_fd_eacces", (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED, wr, 0),
		    EACCES);
	check_errno("map_private_wronly_fd_eacces",
		    (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wr, 0), EACCES);
	close(wr);

	int ro = openat(dfd, "acc", O_RDONLY);
	check_errno("map_shared_write_rdonly_fd_eacces",
		    (long)mmap(NULL, PAGE, RW, MAP_SHARED, ro, 0), EACCES);
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
	if (check_ok("map_shared_read_rdonly_fd", (long)p)) {
		check(is_pattern(p, 0, PAGE), "map_shared_read_rdonly_data", "wrong data");
		/* The mapping may never become writable. */
		check_errno("mprotect_write_shared_rdonly_eacces",
			    mprotect(p, PAGE, PROT_READ | PROT_WRITE), EACCES);
		munmap(p, PAGE);
	}
	close(ro);

	int dir = open(scratch_dir, O_RDONLY | O_DIRECTORY);
	check_errno("map_directory_enodev", (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dir, 0),
		    ENODEV);
	close(dir);
	check_errno("map_bad_fd_ebadf", (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED, -1, 0),
		    EBADF);
	int fd = openat(dfd, "acc", O_RDWR);
	check_errno("map_no_type_einval", (long)mmap(NULL, PAGE, PROT_READ, 0, fd, 0), EINVAL);
	close(fd);
}

static void dev_zero(void)
{
	int fd = open("/dev/zero", O_RDWR);
	if (!check_ok("open_dev_zero", fd))
		return;
	char *p = mmap(NULL, 4 * PAGE, RW, MAP_PRIVATE, fd, 0);
	if (check_ok("map_dev_zero_private", (long)p)) {
		check(all_zero(p, 4 * PAGE), "dev_zero_private_zero", "not zero");
		memset(p, 0x5a, 4 * PAGE);
		check(p[4 * PAGE - 1] == 0x5a, "dev_zero_private_writable", "store lost");
		munmap(p, 4 * PAGE);
	}
	p = mmap(NULL, 2 * PAGE, RW, MAP_SHARED, fd, 0);
	if (check_ok("map_dev_zero_shared", (long)p)) {
		check(all_zero(p, 2 * PAGE), "dev_zero_shared_zero", "not zero");
		p[0] = 1;
		munmap(p, 2 * PAGE);
	}
	/* Each mapping is new memory: nothing of the last one remains. */
	p = mmap(NULL, 2 * PAGE, RW, MAP_SHARED, fd, 0);
	check(p != MAP_FAILED && all_zero(p, 2 * PAGE), "dev_zero_each_mapping_new",
	      "old contents visible");
	if (p != MAP_FAILED)
		munmap(p, 2 * PAGE);
	close(fd);
}

int main(void)
{
	check_init("mmap_file");
	scratch_make("mmap_file");
	dfd = open(scratch_dir, O_RDONLY | O_DIRECTORY);
	if (!check_ok("open_scratch_dir", dfd))
		return check_done();

	shared();
	private_copy();
	offsets_and_tail();
	access_rules();
	dev_zero();

	close(dfd);
	scratch_remove();
	return check_done();
}
