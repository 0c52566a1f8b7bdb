/*
 * files.c: regular files through the file syscalls: open flags, reads and
 * writes with and without offsets, seeking past the end, holes and
 * truncation (which read as zeros), fallocate, the stat family agreeing with
 * itself, access checks, timestamps, modes, owners, umask, sync and statfs.
 * Everything happens in a fresh directory under /tmp, removed at the end.
 * The harness runs as root natively: nothing here depends on permission
 * checks that root bypasses.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <linux/stat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "file_util.h"
#include "scratch.h"

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01 /* linux/falloc.h */
#endif

static long long size_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (long long)st.st_size : -1;
}

static int all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void create_flags(void)
{
	int fd = openat(dfd, "c1", O_RDWR | O_CREAT | O_EXCL, 0600);
	check_ok("o_creat_excl_new", fd);
	close(fd);
	check_errno("o_creat_excl_exists_eexist",
		    openat(dfd, "c1", O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	check_errno("no_o_creat_enoent", openat(dfd, "missing", O_RDONLY), ENOENT);

	/* O_CREAT on an existing file opens it and leaves its mode alone. */
	fd = openat(dfd, "c1", O_RDWR | O_CREAT, 0777);
	struct stat st;
	check(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0600,
	      "o_creat_existing_keeps_mode", "mode 0%o, expected 0600",
	      fd >= 0 ? (unsigned)(st.st_mode & 07777) : 0u);
	close(fd);

	/* O_TRUNC empties it; without O_TRUNC the data stays. */
	put("t1", "0123456789");
	fd = openat(dfd, "t1", O_RDWR);
	check_eq("no_o_trunc_keeps_size", size_of(fd), 10);
	close(fd);
	fd = openat(dfd, "t1", O_RDWR | O_TRUNC);
	check_eq("o_trunc_empties", size_of(fd), 0);
	close(fd);

	/* creat() is open(O_WRONLY | O_CREAT | O_TRUNC). */
	put("cr", "old contents");
	fd = creat(sp("cr"), 0644);
	check(fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY, "creat_wronly",
	      "fd %d, F_GETFL 0%o", fd, fd >= 0 ? fcntl(fd, F_GETFL) : 0);
	check_eq("creat_truncates", size_of(fd), 0);
	check_errno("creat_read_ebadf", read(fd, (char[4]){ 0 }, 4), EBADF);
	close(fd);

	/* Directories: O_DIRECTORY, EISDIR for writing, EISDIR for O_CREAT. */
	mkdirat(dfd, "d", 0755);
	fd = openat(dfd, "d", O_RDONLY | O_DIRECTORY);
	check_ok("o_directory_dir", fd);
	check_errno("read_dir_eisdir", read(fd, (char[8]){ 0 }, 8), EISDIR);
	close(fd);
	check_errno("o_directory_file_enotdir", openat(dfd, "t1", O_RDONLY | O_DIRECTORY),
		    ENOTDIR);
	check_errno("open_dir_wronly_eisdir", openat(dfd, "d", O_WRONLY), EISDIR);
	check_errno("open_dir_rdwr_eisdir", openat(dfd, "d", O_RDWR), EISDIR);
	check_errno("open_dir_o_creat_eisdir", openat(dfd, "d", O_RDONLY | O_CREAT, 0644),
		    EISDIR);
	check_errno("file_as_dir_enotdir", openat(dfd, "t1/x", O_RDONLY), ENOTDIR);
	check_errno("o_creat_under_file_enotdir",
		    openat(dfd, "t1/x", O_RDWR | O_CREAT, 0644), ENOTDIR);
	check_errno("o_creat_missing_dir_enoent",
		    openat(dfd, "nodir/x", O_RDWR | O_CREAT, 0644), ENOENT);

	/* O_CLOEXEC sets FD_CLOEXEC; without it the flag is clear. */
	fd = openat(dfd, "t1", O_RDONLY | O_CLOEXEC);
	check_eq("o_cloexec_sets_fd_cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	fd = openat(dfd, "t1", O_RDONLY);
	check_eq("no_o_cloexec", fcntl(fd, F_GETFD), 0);
	close(fd);

	/* Access modes are enforced per descriptor. */
	fd = openat(dfd, "t1", O_RDONLY);
	check_errno("write_rdonly_ebadf", write(fd, "x", 1), EBADF);
	check_eq("f_getfl_rdonly", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	close(fd);
	fd = openat(dfd, "t1", O_WRONLY);
	check_errno("read_wronly_ebadf", read(fd, (char[4]){ 0 }, 4), EBADF);
	close(fd);
}

static void nofollow_and_path(void)
{
	put("target", "target data");
	symlinkat("target", dfd, "link");

	/* O_NOFOLLOW refuses a final symlink, but not one earlier in the path. */
	check_errno("o_nofollow_symlink_eloop", openat(dfd, "link", O_RDONLY | O_NOFOLLOW),
		    ELOOP);
	int fd = openat(dfd, "target", O_RDONLY | O_NOFOLLOW);
	check_ok("o_nofollow_regular", fd);
	close(fd);
	symlinkat("d", dfd, "dlink");
	put("d/inner", "inner");
	fd = openat(dfd, "dlink/inner", O_RDONLY | O_NOFOLLOW);
	check_ok("o_nofollow_only_last_component", fd);
	close(fd);

	/* O_PATH: a handle for the name, no I/O through it. */
	fd = openat(dfd, "target", O_PATH);
	struct stat st, want;
	if (check_ok("o_path_open", fd)) {
		check_errno("o_path_read_ebadf", read(fd, (char[4]){ 0 }, 4), EBADF);
		check_errno("o_path_write_ebadf", write(fd, "x", 1), EBADF);
		fstatat(dfd, "target", &want, 0);
		check(fstat(fd, &st) == 0 && st.st_ino == want.st_ino && S_ISREG(st.st_mode),
		      "o_path_fstat", "fstat failed or names another file");
		check(fcntl(fd, F_GETFL) & O_PATH, "o_path_in_f_getfl", "F_GETFL 0%o",
		      fcntl(fd, F_GETFL));
		close(fd);
	}

	/* O_PATH | O_NOFOLLOW opens the symlink itself. */
	fd = openat(dfd, "link", O_PATH | O_NOFOLLOW);
	check(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode), "o_path_nofollow_symlink",
	      "fd %d, mode 0%o", fd, fd >= 0 ? (unsigned)st.st_mode : 0u);
	close(fd);

	/* An O_PATH directory works as the dirfd of *at calls. */
	fd = openat(dfd, "d", O_PATH | O_DIRECTORY);
	int in = openat(fd, "inner", O_RDONLY);
	char buf[16] = { 0 };
	check(in >= 0 && read(in, buf, sizeof(buf)) == 5 && !memcmp(buf, "inner", 5),
	      "o_path_dirfd", "openat through an O_PATH directory failed (%s)",
	      errno_name(errno));
	close(in);
	close(fd);
}

static void append(void)
{
	put("ap", "abc");
	int fd = openat(dfd, "ap", O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	check_eq("o_append_write", write(fd, "de", 2), 2);
	check_eq("o_append_offset_at_end", lseek(fd, 0, SEEK_CUR), 5);
	/* Linux's documented deviation from POSIX: pwrite on an O_APPEND file
	 * appends, whatever the offset (pwrite(2), BUGS). */
	check_eq("o_append_pwrite", pwrite(fd, "F", 1, 0), 1);
	close(fd);
	char buf[32];
	get("ap", buf, sizeof(buf));
	check(!strcmp(buf, "abcdeF"), "o_append_contents", "\"%s\", expected \"abcdeF\"", buf);

	/* O_RDWR | O_APPEND: reads still start where the offset is. */
	fd = openat(dfd, "ap", O_RDWR | O_APPEND);
	memset(buf, 0, sizeof(buf));
	check(read(fd, buf, 3) == 3 && !memcmp(buf, "abc", 3), "o_append_read_from_start",
	      "\"%s\"", buf);
	write(fd, "G", 1);
	check_eq("o_append_write_moves_offset_to_end", lseek(fd, 0, SEEK_CUR), 7);
	close(fd);
}

static void read_write(void)
{
	int fd = openat(dfd, "rw", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[64];

	check_eq("write", write(fd, "hello, world", 12), 12);
	check_eq("offset_after_write", lseek(fd, 0, SEEK_CUR), 12);
	check_eq("read_at_eof", read(fd, buf, sizeof(buf)), 0);
	check_eq("write_zero_bytes", write(fd, buf, 0), 0);

	memset(buf, 0, sizeof(buf));
	check_eq("pread", pread(fd, buf, 5, 7), 5);
	check(!memcmp(buf, "world", 5), "pread_data", "\"%.5s\"", buf);
	check_eq("pread_keeps_offset", lseek(fd, 0, SEEK_CUR), 12);
	check_eq("pread_short_at_end", pread(fd, buf, 64, 10), 2);
	check_eq("pread_past_eof", pread(fd, buf, 8, 100), 0);
	check_errno("pread_negative_offset_einval", pread(fd, buf, 1, -1), EINVAL);

	check_eq("pwrite", pwrite(fd, "W", 1, 7), 1);
	check_eq("pwrite_keeps_offset", lseek(fd, 0, SEEK_CUR), 12);
	check_errno("pwrite_negative_offset_einval", pwrite(fd, "x", 1, -1), EINVAL);
	pread(fd, buf, 12, 0);
	check(!memcmp(buf, "hello, World", 12), "pwrite_data", "\"%.12s\"", buf);

	/* Gathering and scattering. */
	lseek(fd, 0, SEEK_SET);
	ftruncate(fd, 0);
	struct iovec out[3] = {
		{ (void *)"one ", 4 }, { (void *)"", 0 }, { (void *)"two three", 9 },
	};
	check_eq("writev", writev(fd, out, 3), 13);
	char a[3], b[20];
	struct iovec in[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	lseek(fd, 0, SEEK_SET);
	memset(b, 0, sizeof(b));
	check_eq("readv", readv(fd, in, 2), 13);
	check(!memcmp(a, "one", 3) && !memcmp(b, " two three", 10), "readv_data",
	      "\"%.3s\" \"%.10s\"", a, b);

	struct iovec pout[2] = { { (void *)"AB", 2 }, { (void *)"CD", 2 } };
	check_eq("pwritev", pwritev(fd, pout, 2, 4), 4);
	check_eq("pwritev_keeps_offset", lseek(fd, 0, SEEK_CUR), 13);
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	check_eq("preadv", preadv(fd, in, 2, 2), 11);
	check(!memcmp(a, "e A", 3) && !memcmp(b, "BCDthree", 8), "preadv_data",
	      "\"%.3s\" \"%.8s\"", a, b);
	check_eq("preadv_keeps_offset", lseek(fd, 0, SEEK_CUR), 13);
	close(fd);
}

static void seek_and_holes(void)
{
	int fd = openat(dfd, "sk", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[8192];

	write(fd, "0123456789", 10);
	check_eq("seek_set", lseek(fd, 3, SEEK_SET), 3);
	check_eq("seek_cur", lseek(fd, 2, SEEK_CUR), 5);
	check_eq("seek_cur_back", lseek(fd, -4, SEEK_CUR), 1);
	check_eq("seek_end", lseek(fd, 0, SEEK_END), 10);
	check_eq("seek_end_back", lseek(fd, -3, SEEK_END), 7);
	check_errno("seek_negative_einval", lseek(fd, -1, SEEK_SET), EINVAL);
	check_errno("seek_before_start_einval", lseek(fd, -11, SEEK_END), EINVAL);
	check_eq("seek_failed_keeps_offset", lseek(fd, 0, SEEK_CUR), 7);
	check_errno("seek_bad_whence_einval", lseek(fd, 0, 42), EINVAL);

	/* Seeking past the end does not grow the file; writing there does,
	 * and the gap reads as zeros. */
	check_eq("seek_past_eof", lseek(fd, 5000, SEEK_SET), 5000);
	check_eq("seek_past_eof_size_unchanged", size_of(fd), 10);
	check_eq("read_past_eof", read(fd, buf, 16), 0);
	check_eq("write_past_eof", write(fd, "END", 3), 3);
	check_eq("hole_size", size_of(fd), 5003);
	memset(buf, 0x55, sizeof(buf));
	check_eq("hole_pread", pread(fd, buf, sizeof(buf), 0), 5003);
	check(!memcmp(buf, "0123456789", 10) && all_zero(buf + 10, 4990) &&
		      !memcmp(buf + 5000, "END", 3),
	      "hole_reads_zeros", "data or zeros wrong around the hole");

	/* A hole of several pages, starting on a page boundary. */
	pwrite(fd, "far", 3, 3 * 65536);
	check_eq("big_hole_size", size_of(fd), 3 * 65536 + 3);
	memset(buf, 0x55, sizeof(buf));
	check(pread(fd, buf, 8192, 65536) == 8192 && all_zero(buf, 8192), "big_hole_zeros",
	      "a page in the hole is not zero");
	close(fd);
}

static void truncation(void)
{
	int fd = openat(dfd, "tr", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[8192];

	write(fd, "abcdefghij", 10);
	check_eq("ftruncate_shrink", ftruncate(fd, 3), 0);
	check_eq("ftruncate_shrink_size", size_of(fd), 3);
	check_eq("ftruncate_keeps_offset", lseek(fd, 0, SEEK_CUR), 10);
	check_eq("ftruncate_grow", ftruncate(fd, 10), 0);
	memset(buf, 0x55, sizeof(buf));
	check_eq("grow_read", pread(fd, buf, sizeof(buf), 0), 10);
	check(!memcmp(buf, "abc", 3) && all_zero(buf + 3, 7), "shrink_then_grow_zeros",
	      "the cut-off bytes came back: \"%.10s\"", buf);

	check_eq("truncate_path_grow", truncate(sp("tr"), 6000), 0);
	check_eq("truncate_path_size", size_of(fd), 6000);
	memset(buf, 0x55, sizeof(buf));
	check(pread(fd, buf, sizeof(buf), 0) == 6000 && all_zero(buf + 3, 5997),
	      "truncate_grow_zeros", "the grown part is not zero");

	/* Shrinking inside a page, then growing: the rest of the page is zero. */
	pwrite(fd, "XXXXXXXXXX", 10, 4090);
	ftruncate(fd, 4093);
	ftruncate(fd, 8000);
	memset(buf, 0x55, sizeof(buf));
	check(pread(fd, buf, 20, 4090) == 20 && !memcmp(buf, "XXX", 3) && all_zero(buf + 3, 17),
	      "shrink_mid_page_zeros", "bytes after the cut are not zero");

	check_errno("ftruncate_negative_einval", ftruncate(fd, -1), EINVAL);
	check_errno("truncate_dir_eisdir", truncate(sp("d"), 0), EISDIR);
	check_errno("truncate_missing_enoent", truncate(sp("missing"), 0), ENOENT);
	close(fd);
	fd = openat(dfd, "tr", O_RDONLY);
	check_errno("ftruncate_rdonly_einval", ftruncate(fd, 0), EINVAL);
	close(fd);
}

static void preallocate(void)
{
	int fd = openat(dfd, "fa", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[4096];

	write(fd, "data", 4);
	check_eq("fallocate_extends", fallocate(fd, 0, 0, 10000), 0);
	check_eq("fallocate_size", size_of(fd), 10000);
	memset(buf, 0x55, sizeof(buf));
	check(pread(fd, buf, 4096, 0) == 4096 && !memcmp(buf, "data", 4) &&
		      all_zero(buf + 4, 4092),
	      "fallocate_keeps_data_zero_rest", "wrong data after fallocate");
	check_eq("fallocate_inside", fallocate(fd, 0, 100, 200), 0);
	check_eq("fallocate_inside_size", size_of(fd), 10000);
	check_eq("fallocate_keep_size", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 50000), 0);
	check_eq("fallocate_keep_size_size", size_of(fd), 10000);
	check_errno("fallocate_zero_len_einval", fallocate(fd, 0, 0, 0), EINVAL);
	check_errno("fallocate_negative_einval", fallocate(fd, 0, -1, 10), EINVAL);
	close(fd);
	fd = openat(dfd, "fa", O_RDONLY);
	check_errno("fallocate_rdonly_ebadf", fallocate(fd, 0, 0, 10), EBADF);
	close(fd);
}

static int same_ts(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static int same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_mode == b->st_mode &&
	       a->st_nlink == b->st_nlink && a->st_uid == b->st_uid && a->st_gid == b->st_gid &&
	       a->st_size == b->st_size && a->st_blksize == b->st_blksize &&
	       a->st_blocks == b->st_blocks && same_ts(a->st_mtim, b->st_mtim) &&
	       same_ts(a->st_ctim, b->st_ctim);
}

static void stat_family(void)
{
	put("st", "twelve bytes");
	symlinkat("st", dfd, "st_link");
	int fd = openat(dfd, "st", O_RDONLY);
	struct stat s1, s2, s3, s4, s5, ls;

	check_ok("stat", stat(sp("st"), &s1));
	check_ok("fstat", fstat(fd, &s2));
	check_ok("lstat_regular", lstat(sp("st"), &s3));
	check_ok("fstatat", fstatat(dfd, "st", &s4, 0));
	check_ok("fstatat_empty_path", fstatat(fd, "", &s5, AT_EMPTY_PATH));
	check(same_stat(&s1, &s2) && same_stat(&s1, &s3) && same_stat(&s1, &s4) &&
		      same_stat(&s1, &s5),
	      "stat_forms_agree", "stat, fstat, lstat and fstatat disagree");
	check(S_ISREG(s1.st_mode) && s1.st_size == 12 && s1.st_nlink == 1, "stat_fields",
	      "mode 0%o size %lld nlink %lu", (unsigned)s1.st_mode, (long long)s1.st_size,
	      (unsigned long)s1.st_nlink);
	check(s1.st_uid == geteuid() && s1.st_gid == getegid(), "stat_owner",
	      "uid %u gid %u, expected %u %u", s1.st_uid, s1.st_gid, geteuid(), getegid());
	check(s1.st_blksize > 0 && s1.st_blocks >= 0, "stat_blksize", "blksize %ld blocks %ld",
	      (long)s1.st_blksize, (long)s1.st_blocks);
	check(s1.st_ino != 0, "stat_ino_nonzero", "st_ino is 0");

	check_ok("lstat_symlink", fstatat(dfd, "st_link", &ls, AT_SYMLINK_NOFOLLOW));
	check(S_ISLNK(ls.st_mode) && ls.st_size == 2 && ls.st_ino != s1.st_ino &&
		      ls.st_dev == s1.st_dev,
	      "lstat_symlink_fields", "mode 0%o size %lld", (unsigned)ls.st_mode,
	      (long long)ls.st_size);
	struct stat fs;
	check(fstatat(dfd, "st_link", &fs, 0) == 0 && same_stat(&fs, &s1), "stat_follows_symlink",
	      "stat through the symlink differs from the target's");

	/* statx must tell the same story as stat. */
	struct statx sx;
	memset(&sx, 0xee, sizeof(sx));
	long r = syscall(SYS_statx, dfd, "st", 0, STATX_BASIC_STATS | STATX_BTIME, &sx);
	if (check_ok("statx", r)) {
		check((sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS, "statx_mask",
		      "stx_mask 0x%x lacks basic stats", sx.stx_mask);
		check(sx.stx_ino == s1.st_ino && sx.stx_size == (uint64_t)s1.st_size &&
			      sx.stx_mode == s1.st_mode && sx.stx_nlink == s1.st_nlink &&
			      sx.stx_uid == s1.st_uid && sx.stx_gid == s1.st_gid &&
			      sx.stx_blksize == (uint32_t)s1.st_blksize &&
			      sx.stx_blocks == (uint64_t)s1.st_blocks,
		      "statx_agrees_with_stat", "ino/size/mode/nlink/owner/blocks differ");
		check(makedev(sx.stx_dev_major, sx.stx_dev_minor) == s1.st_dev,
		      "statx_dev_agrees", "stx_dev %u:%u, st_dev %u:%u", sx.stx_dev_major,
		      sx.stx_dev_minor, major(s1.st_dev), minor(s1.st_dev));
		check(sx.stx_mtime.tv_sec == s1.st_mtim.tv_sec &&
			      sx.stx_mtime.tv_nsec == (uint32_t)s1.st_mtim.tv_nsec &&
			      sx.stx_ctime.tv_sec == s1.st_ctim.tv_sec &&
			      sx.stx_atime.tv_sec == s1.st_atim.tv_sec,
		      "statx_times_agree", "timestamps differ from stat's");
	}
	memset(&sx, 0, sizeof(sx));
	r = syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx);
	check(r == 0 && sx.stx_ino == s1.st_ino, "statx_empty_path", "r %ld ino %llu", r,
	      (unsigned long long)sx.stx_ino);
	r = syscall(SYS_statx, dfd, "st_link", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx);
	check(r == 0 && S_ISLNK(sx.stx_mode) && sx.stx_ino == ls.st_ino, "statx_nofollow",
	      "r %ld mode 0%o", r, sx.stx_mode);
	check_errno("statx_reserved_mask_einval",
		    syscall(SYS_statx, dfd, "st", 0, 0x80000000u, &sx), EINVAL);
	check_errno("statx_missing_enoent",
		    syscall(SYS_statx, dfd, "missing", 0, STATX_BASIC_STATS, &sx), ENOENT);

	check_errno("stat_missing_enoent", stat(sp("missing"), &s1), ENOENT);
	check_errno("stat_empty_path_enoent", stat("", &s1), ENOENT);
	check_errno("fstat_bad_fd_ebadf", fstat(-1, &s1), EBADF);

	/* A write moves mtime forward. */
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	futimens(fd, old);
	close(fd);
	fd = openat(dfd, "st", O_WRONLY);
	write(fd, "x", 1);
	fstat(fd, &s2);
	check(s2.st_mtim.tv_sec > 1000000000 && s2.st_ctim.tv_sec > 1000000000,
	      "write_updates_mtime_ctime", "mtime %lld ctime %lld after a write",
	      (long long)s2.st_mtim.tv_sec, (long long)s2.st_ctim.tv_sec);
	close(fd);

	/* Directories: S_ISDIR, and a directory's size is not checked (fs-specific). */
	check(fstatat(dfd, "d", &s1, 0) == 0 && S_ISDIR(s1.st_mode), "stat_dir",
	      "not a directory");
}

static void access_checks(void)
{
	put("ac", "x");
	fchmodat(dfd, "ac", 0644, 0);
	check_eq("access_f_ok", access(sp("ac"), F_OK), 0);
	check_eq("access_r_w_ok", access(sp("ac"), R_OK | W_OK), 0);
	/* X_OK needs an execute bit somewhere, even for root. */
	check_errno("access_x_ok_no_x_bits_eacces", access(sp("ac"), X_OK), EACCES);
	fchmodat(dfd, "ac", 0744, 0);
	check_eq("access_x_ok_after_chmod", access(sp("ac"), X_OK), 0);
	check_errno("access_missing_enoent", access(sp("missing"), F_OK), ENOENT);
	check_errno("access_through_file_enotdir", access(sp("ac/x"), F_OK), ENOTDIR);
	check_errno("access_bad_mode_einval", access(sp("ac"), 0100), EINVAL);
	check_eq("faccessat", faccessat(dfd, "ac", R_OK, 0), 0);
	check_errno("faccessat_missing_enoent", faccessat(dfd, "missing", F_OK, 0), ENOENT);
	check_eq("faccessat_dir_x_ok", faccessat(dfd, "d", X_OK, 0), 0);
	check_errno("faccessat_bad_dirfd_ebadf", faccessat(-5, "ac", F_OK, 0), EBADF);
}

static void timestamps(void)
{
	put("ut", "x");
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 987654321 } };
	struct stat st;

	check_eq("utimensat", utimensat(dfd, "ut", ts, 0), 0);
	fstatat(dfd, "ut", &st, 0);
	check(same_ts(st.st_atim, ts[0]), "utimensat_atime", "%lld.%09ld",
	      (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
	check(same_ts(st.st_mtim, ts[1]), "utimensat_mtime", "%lld.%09ld",
	      (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

	/* UTIME_OMIT leaves one alone; UTIME_NOW takes the current time. */
	struct timespec now0, now1;
	clock_gettime(CLOCK_REALTIME, &now0);
	struct timespec half[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
	check_eq("utimensat_omit_now", utimensat(dfd, "ut", half, 0), 0);
	clock_gettime(CLOCK_REALTIME, &now1);
	fstatat(dfd, "ut", &st, 0);
	check(same_ts(st.st_atim, ts[0]), "utime_omit_keeps_atime", "%lld.%09ld",
	      (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
	/* File times come from a coarse clock: allow a second either side. */
	check(st.st_mtim.tv_sec >= now0.tv_sec - 1 && st.st_mtim.tv_sec <= now1.tv_sec + 1,
	      "utime_now_sets_mtime", "mtime %lld, now %lld", (long long)st.st_mtim.tv_sec,
	      (long long)now1.tv_sec);

	/* NULL times: both become now. */
	check_eq("utimensat_null", utimensat(dfd, "ut", NULL, 0), 0);
	fstatat(dfd, "ut", &st, 0);
	check(st.st_atim.tv_sec >= now0.tv_sec - 1 && st.st_mtim.tv_sec >= now0.tv_sec - 1,
	      "utimensat_null_now", "atime %lld mtime %lld", (long long)st.st_atim.tv_sec,
	      (long long)st.st_mtim.tv_sec);

	/* futimens, and the ctime that any change of times moves. */
	int fd = openat(dfd, "ut", O_RDWR);
	struct timespec t3[2] = { { 1300000000, 5 }, { 1400000000, 6 } };
	check_eq("futimens", futimens(fd, t3), 0);
	fstat(fd, &st);
	check(same_ts(st.st_atim, t3[0]) && same_ts(st.st_mtim, t3[1]), "futimens_read_back",
	      "atime %lld.%09ld mtime %lld.%09ld", (long long)st.st_atim.tv_sec,
	      st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	check(st.st_ctim.tv_sec >= now0.tv_sec - 1, "utimes_update_ctime", "ctime %lld",
	      (long long)st.st_ctim.tv_sec);
	close(fd);

	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	check_errno("utimensat_bad_nsec_einval", utimensat(dfd, "ut", bad, 0), EINVAL);
	check_errno("utimensat_missing_enoent", utimensat(dfd, "missing", NULL, 0), ENOENT);

	/* AT_SYMLINK_NOFOLLOW sets the link's own times. */
	symlinkat("ut", dfd, "ut_link");
	struct stat target_before, lst;
	fstatat(dfd, "ut", &target_before, 0);
	check_eq("utimensat_nofollow", utimensat(dfd, "ut_link", ts, AT_SYMLINK_NOFOLLOW), 0);
	fstatat(dfd, "ut_link", &lst, AT_SYMLINK_NOFOLLOW);
	fstatat(dfd, "ut", &st, 0);
	check(same_ts(lst.st_mtim, ts[1]) && same_ts(st.st_mtim, target_before.st_mtim),
	      "utimensat_nofollow_link_only", "link mtime %lld, target mtime %lld",
	      (long long)lst.st_mtim.tv_sec, (long long)st.st_mtim.tv_sec);
}

static void modes_and_owners(void)
{
	struct stat st;

	/* umask masks the mode given to open(O_CREAT). */
	mode_t old = umask(022);
	int fd = openat(dfd, "m1", O_RDWR | O_CREAT | O_EXCL, 0666);
	fstat(fd, &st);
	check_eq("umask_022_create", st.st_mode & 07777, 0644);
	close(fd);
	check_eq("umask_returns_previous", umask(077), 022);
	fd = openat(dfd, "m2", O_RDWR | O_CREAT | O_EXCL, 0777);
	fstat(fd, &st);
	check_eq("umask_077_create", st.st_mode & 07777, 0700);
	close(fd);
	umask(0);
	fd = openat(dfd, "m3", O_RDWR | O_CREAT | O_EXCL, 0666);
	fstat(fd, &st);
	check_eq("umask_0_create", st.st_mode & 07777, 0666);
	close(fd);
	umask(0123456);
	check_eq("umask_keeps_only_0777", umask(022), 0456);

	/* chmod is not masked by umask. */
	check_eq("chmod", chmod(sp("m1"), 0600), 0);
	stat(sp("m1"), &st);
	check(st.st_mode == (S_IFREG | 0600), "chmod_stored", "mode 0%o", (unsigned)st.st_mode);
	check_eq("chmod_setuid", chmod(sp("m1"), 04755), 0);
	stat(sp("m1"), &st);
	check_eq("chmod_setuid_stored", st.st_mode & 07777, 04755);
	fd = openat(dfd, "m1", O_RDONLY);
	check_eq("fchmod", fchmod(fd, 0640), 0);
	fstat(fd, &st);
	check_eq("fchmod_stored", st.st_mode & 07777, 0640);
	check_eq("fchmodat", fchmodat(dfd, "m1", 0604, 0), 0);
	fstat(fd, &st);
	check_eq("fchmodat_stored", st.st_mode & 07777, 0604);
	check_errno("chmod_missing_enoent", chmod(sp("missing"), 0644), ENOENT);

	/* chown: -1 leaves an id alone; root may give the file away. */
	check_eq("chown_minus_one", chown(sp("m1"), (uid_t)-1, (gid_t)-1), 0);
	fstat(fd, &st);
	check(st.st_uid == geteuid() && st.st_gid == getegid(), "chown_minus_one_unchanged",
	      "uid %u gid %u", st.st_uid, st.st_gid);
	if (geteuid() == 0) {
		check_eq("chown_root", chown(sp("m1"), 1234, 5678), 0);
		fstat(fd, &st);
		check(st.st_uid == 1234 && st.st_gid == 5678, "chown_stored", "uid %u gid %u",
		      st.st_uid, st.st_gid);
		check_eq("fchown_gid_only", fchown(fd, (uid_t)-1, 4321), 0);
		fstat(fd, &st);
		check(st.st_uid == 1234 && st.st_gid == 4321, "fchown_gid_only_stored",
		      "uid %u gid %u", st.st_uid, st.st_gid);
	} else {
		check_eq("chown_self", chown(sp("m1"), geteuid(), getegid()), 0);
	}
	/* Changing the owner of a regular file clears set-user-ID, even for
	 * root (chown(2): "since Linux 2.2.13, root is treated like other users"). */
	fchmod(fd, 04755);
	fchown(fd, geteuid(), getegid());
	fstat(fd, &st);
	check(st.st_uid == geteuid() && (st.st_mode & 07777) == 0755, "chown_clears_setuid",
	      "mode 0%o uid %u", (unsigned)(st.st_mode & 07777), st.st_uid);
	close(fd);

	/* lchown changes the link, not the target. */
	symlinkat("m2", dfd, "m2_link");
	if (geteuid() == 0) {
		struct stat lst;
		check_eq("lchown", lchown(sp("m2_link"), 77, 88), 0);
		fstatat(dfd, "m2_link", &lst, AT_SYMLINK_NOFOLLOW);
		fstatat(dfd, "m2", &st, 0);
		check(lst.st_uid == 77 && lst.st_gid == 88 && st.st_uid == geteuid(),
		      "lchown_link_only", "link %u:%u, target uid %u", lst.st_uid, lst.st_gid,
		      st.st_uid);
	}
	umask(old);
}

static void sync_and_statfs(void)
{
	int fd = openat(dfd, "sy", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "sync me", 7);
	check_eq("fsync", fsync(fd), 0);
	check_eq("fdatasync", fdatasync(fd), 0);
	check_errno("fsync_bad_fd_ebadf", fsync(-1), EBADF);
	int dir = open(scratch_dir, O_RDONLY | O_DIRECTORY);
	check_eq("fsync_dir", fsync(dir), 0);
	close(dir);
	char buf[16] = { 0 };
	check(pread(fd, buf, 16, 0) == 7 && !memcmp(buf, "sync me", 7), "data_after_fsync",
	      "\"%s\"", buf);

	struct statfs a, b;
	check_ok("statfs", statfs(scratch_dir, &a));
	check_ok("fstatfs", fstatfs(fd, &b));
	check(a.f_type == b.f_type && a.f_bsize == b.f_bsize, "statfs_fstatfs_agree",
	      "f_type 0x%lx/0x%lx bsize %ld/%ld", (long)a.f_type, (long)b.f_type,
	      (long)a.f_bsize, (long)b.f_bsize);
	check(a.f_bsize > 0 && a.f_blocks >= a.f_bfree && a.f_bfree >= a.f_bavail,
	      "statfs_counts", "bsize %ld blocks %llu bfree %llu bavail %llu", (long)a.f_bsize,
	      (unsigned long long)a.f_blocks, (unsigned long long)a.f_bfree,
	      (unsigned long long)a.f_bavail);
	check_eq("statfs_namelen", a.f_namelen, 255);
	check_errno("statfs_missing_enoent", statfs(sp("missing"), &a), ENOENT);
	close(fd);
}

int main(void)
{
	check_init("files");
	scratch_make("files");
	dfd = open(scratch_dir, O_RDONLY | O_DIRECTORY);
	if (!check_ok("open_scratch_dir", dfd))
		return check_done();

	create_flags();
	nofollow_and_path();
	append();
	read_write();
	seek_and_holes();
	truncation();
	preallocate();
	stat_family();
	access_checks();
	timestamps();
	modes_and_owners();
	sync_and_statfs();

	close(dfd);
	scratch_remove();
	return check_done();
}
