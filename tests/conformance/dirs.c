/*
 * dirs.c: directories: mkdir/mkdirat/rmdir and their errors, getdents64
 * listings (every entry exactly once, "." and ".." included, across many
 * calls with a small buffer, and while entries are unlinked), the working
 * directory (chdir, fchdir, getcwd, also after its parent is renamed or it
 * is removed) and rename/renameat2 with their flags and errors.
 * Everything happens in a fresh directory under /tmp, removed at the end.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "file_util.h"
#include "scratch.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0) /* linux/fs.h */
#define RENAME_EXCHANGE (1 << 1)
#endif

/* getdents64's record; the libc structs differ between glibc and musl. */
struct dirent64_rec {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

#define DT_UNKNOWN_ 0
#define DT_DIR_ 4
#define DT_REG_ 8

static ino_t ino_of(const char *name)
{
	struct stat st;
	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st.st_ino : 0;
}

static int is_dir(const char *name)
{
	struct stat st;
	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *name)
{
	struct stat st;
	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void make_and_remove(void)
{
	struct stat st;
	mode_t old = umask(022);

	check_eq("mkdir", mkdir(sp("m"), 0777), 0);
	check(fstatat(dfd, "m", &st, 0) == 0 && S_ISDIR(st.st_mode) &&
		      (st.st_mode & 07777) == 0755,
	      "mkdir_mode_umask", "mode 0%o, expected directory 0755", (unsigned)st.st_mode);
	check_eq("mkdir_nlink_2", nlink_of("m"), 2);
	long parent = nlink_of(".");
	check_eq("mkdirat", mkdirat(dfd, "m/sub", 0700), 0);
	check_eq("mkdirat_mode", fstatat(dfd, "m/sub", &st, 0) == 0 ? (long)(st.st_mode & 07777) : -1,
		 0700);
	check_eq("subdir_raises_parent_nlink", nlink_of("m"), 3);
	check_eq("other_dir_nlink_unchanged", nlink_of("."), parent);
	check_eq("mkdir_trailing_slash", mkdir(sp("m2/"), 0755), 0);
	umask(old);

	put("file", "f");
	check_errno("mkdir_exists_eexist", mkdir(sp("m"), 0755), EEXIST);
	check_errno("mkdir_over_file_eexist", mkdir(sp("file"), 0755), EEXIST);
	check_errno("mkdir_under_file_enotdir", mkdir(sp("file/x"), 0755), ENOTDIR);
	check_errno("mkdir_missing_parent_enoent", mkdir(sp("nope/x"), 0755), ENOENT);
	check_errno("mkdir_empty_enoent", mkdir("", 0755), ENOENT);
	check_errno("mkdirat_bad_dirfd_ebadf", mkdirat(-7, "x", 0755), EBADF);

	check_errno("rmdir_nonempty_enotempty", rmdir(sp("m")), ENOTEMPTY);
	check_errno("rmdir_file_enotdir", rmdir(sp("file")), ENOTDIR);
	check_errno("rmdir_missing_enoent", rmdir(sp("nope")), ENOENT);
	check_errno("rmdir_dot_einval", rmdir(sp("m/.")), EINVAL);
	check_errno("rmdir_dotdot_enotempty", rmdir(sp("m/sub/..")), ENOTEMPTY);
	check_errno("unlink_dir_eisdir", unlink(sp("m")), EISDIR);
	check_errno("unlinkat_removedir_file_enotdir", unlinkat(dfd, "file", AT_REMOVEDIR),
		    ENOTDIR);
	check_errno("unlinkat_bad_flag_einval", unlinkat(dfd, "file", 0x1), EINVAL);
	check_eq("rmdir", rmdir(sp("m/sub")), 0);
	check(!exists("m/sub"), "rmdir_gone", "still there");
	check_eq("rmdir_lowers_parent_nlink", nlink_of("m"), 2);
	check_eq("unlinkat_removedir", unlinkat(dfd, "m", AT_REMOVEDIR), 0);
	check_eq("rmdir_trailing_slash", rmdir(sp("m2/")), 0);
	unlinkat(dfd, "file", 0);
}

/* One name and type as listed. */
struct seen {
	char name[32];
	int type;
	int count;
};

/*
 * Reads the directory open as fd to its end with getdents64 and a buffer of
 * bufsize bytes, counting each name in list (added when new). Returns the
 * number of getdents64 calls that returned entries, or -1 on an error.
 * Between calls, after the first, runs between() once if given.
 */
static int list_dir(int fd, size_t bufsize, struct seen *list, int *n, int max,
		    void (*between)(void))
{
	char buf[4096] __attribute__((aligned(8)));
	int calls = 0;

	for (;;) {
		long got = syscall(SYS_getdents64, fd, buf, bufsize);
		if (got < 0)
			return -1;
		if (got == 0)
			return calls;
		calls++;
		for (long off = 0; off < got;) {
			struct dirent64_rec *d = (struct dirent64_rec *)(buf + off);
			int i;
			for (i = 0; i < *n; i++)
				if (!strcmp(list[i].name, d->d_name))
					break;
			if (i == *n && *n < max) {
				snprintf(list[i].name, sizeof(list[i].name), "%s", d->d_name);
				list[i].type = d->d_type;
				list[i].count = 0;
				(*n)++;
			}
			if (i < max)
				list[i].count++;
			off += d->d_reclen;
		}
		if (calls == 1 && between)
			between();
	}
}

static struct seen *find(struct seen *list, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i].name, name))
			return &list[i];
	return NULL;
}

#define NFILES 40

/* Checks that list holds ".", "..", "sub" and f00..f39 (those with want[i])
 * exactly once each and nothing else. */
static void check_listing(const char *name, struct seen *list, int n, const int *want)
{
	int expected = 3;
	for (int i = 0; i < NFILES; i++)
		expected += want[i];

	const char *bad = NULL;
	char fname[8];
	if (n != expected)
		bad = "entry count";
	for (int i = 0; i < n && !bad; i++)
		if (list[i].count != 1)
			bad = list[i].name;
	if (!bad && !find(list, n, "."))
		bad = ".";
	if (!bad && !find(list, n, ".."))
		bad = "..";
	if (!bad && !find(list, n, "sub"))
		bad = "sub";
	for (int i = 0; i < NFILES && !bad; i++) {
		snprintf(fname, sizeof(fname), "f%02d", i);
		if (!find(list, n, fname) != !want[i])
			bad = "a file listed or missing wrongly";
	}
	check(!bad, name, "%d entries, %d expected; first problem: %s", n, expected,
	      bad ? bad : "");
}

static int unlink_fd = -1;

/* Removes the even-numbered files, some of them already listed, some not. */
static void unlink_evens(void)
{
	char fname[8];
	for (int i = 0; i < NFILES; i += 2) {
		snprintf(fname, sizeof(fname), "f%02d", i);
		unlinkat(unlink_fd, fname, 0);
	}
}

static void listing(void)
{
	mkdirat(dfd, "ls", 0755);
	int ld = openat(dfd, "ls", O_RDONLY | O_DIRECTORY);
	char fname[8];
	int want[NFILES];

	for (int i = 0; i < NFILES; i++) {
		snprintf(fname, sizeof(fname), "f%02d", i);
		int fd = openat(ld, fname, O_WRONLY | O_CREAT, 0644);
		close(fd);
		want[i] = 1;
	}
	mkdirat(ld, "sub", 0755);

	struct seen list[64];
	int n = 0;
	int fd = openat(dfd, "ls", O_RDONLY | O_DIRECTORY);
	check(list_dir(fd, 4096, list, &n, 64, NULL) >= 1, "getdents64_big_buffer",
	      "getdents64 failed with %s", errno_name(errno));
	check_listing("getdents64_each_once", list, n, want);
	struct seen *e = find(list, n, "f07"), *s = find(list, n, "sub"), *dot = find(list, n, ".");
	/* The type is in the record on ext4 and tmpfs alike; DT_UNKNOWN is
	 * allowed by the ABI, so only a wrong known type is an error. */
	check(e && s && dot && (e->type == DT_REG_ || e->type == DT_UNKNOWN_) &&
		      (s->type == DT_DIR_ || s->type == DT_UNKNOWN_) &&
		      (dot->type == DT_DIR_ || dot->type == DT_UNKNOWN_),
	      "getdents64_d_type", "file %d, dir %d, dot %d", e ? e->type : -1,
	      s ? s->type : -1, dot ? dot->type : -1);
	check_eq("getdents64_at_end", syscall(SYS_getdents64, fd, (char[512]){ 0 }, 512), 0);

	/* Rewound, with a buffer that holds only a few records. */
	check_eq("rewind", lseek(fd, 0, SEEK_SET), 0);
	n = 0;
	int calls = list_dir(fd, 80, list, &n, 64, NULL);
	check(calls >= 10, "getdents64_small_buffer_calls", "%d calls for 43 entries", calls);
	check_listing("getdents64_small_buffer_each_once", list, n, want);

	/* A buffer too small for one record. */
	lseek(fd, 0, SEEK_SET);
	check_errno("getdents64_tiny_buffer_einval", syscall(SYS_getdents64, fd, (char[8]){ 0 }, 8),
		    EINVAL);
	close(fd);

	/*
	 * Unlinking during the listing: whether a removed entry not yet
	 * returned still appears is unspecified (POSIX readdir), but every
	 * entry that stays must come exactly once.
	 */
	fd = openat(dfd, "ls", O_RDONLY | O_DIRECTORY);
	unlink_fd = ld;
	n = 0;
	calls = list_dir(fd, 120, list, &n, 64, unlink_evens);
	const char *bad = NULL;
	for (int i = 0; i < n && !bad; i++)
		if (list[i].count != 1)
			bad = list[i].name;
	for (int i = 1; i < NFILES && !bad; i += 2) {
		snprintf(fname, sizeof(fname), "f%02d", i);
		if (!find(list, n, fname))
			bad = "a surviving file is missing";
	}
	if (!bad && (!find(list, n, ".") || !find(list, n, "..") || !find(list, n, "sub")))
		bad = ". .. or sub missing";
	check(calls > 1 && !bad, "getdents64_unlink_during_listing", "%d calls; %s", calls,
	      bad ? bad : "");

	/* Afterwards, the survivors only. */
	for (int i = 0; i < NFILES; i += 2)
		want[i] = 0;
	lseek(fd, 0, SEEK_SET);
	n = 0;
	list_dir(fd, 200, list, &n, 64, NULL);
	check_listing("getdents64_after_unlink", list, n, want);
	close(fd);

	/* Entries created after opening appear once the listing restarts. */
	fd = openat(dfd, "ls", O_RDONLY | O_DIRECTORY);
	for (int i = 0; i < NFILES; i += 2) {
		snprintf(fname, sizeof(fname), "f%02d", i);
		close(openat(ld, fname, O_WRONLY | O_CREAT, 0644));
		want[i] = 1;
	}
	n = 0;
	list_dir(fd, 4096, list, &n, 64, NULL);
	check_listing("getdents64_after_recreate", list, n, want);
	close(fd);

	/* An empty directory lists "." and ".." only. */
	mkdirat(dfd, "empty", 0755);
	fd = openat(dfd, "empty", O_RDONLY | O_DIRECTORY);
	n = 0;
	list_dir(fd, 4096, list, &n, 64, NULL);
	check(n == 2 && find(list, n, ".") && find(list, n, ".."), "getdents64_empty_dir",
	      "%d entries", n);
	close(fd);

	put("plain", "x");
	fd = openat(dfd, "plain", O_RDONLY);
	check_errno("getdents64_file_enotdir", syscall(SYS_getdents64, fd, (char[512]){ 0 }, 512),
		    ENOTDIR);
	close(fd);
	check_errno("getdents64_bad_fd_ebadf", syscall(SYS_getdents64, -1, (char[512]){ 0 }, 512),
		    EBADF);
	close(ld);
}

/* getcwd via the system call: the libc wrappers differ on errors. */
static long sys_getcwd(char *buf, size_t size)
{
	return syscall(SYS_getcwd, buf, size);
}

static void working_dir(const char *real)
{
	char cwd[PATH_MAX], want[PATH_MAX];

	check_eq("chdir", chdir(scratch_dir), 0);
	check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, real), "getcwd", "\"%s\", expected \"%s\"",
	      cwd, real);
	check_eq("getcwd_syscall_length", sys_getcwd(cwd, sizeof(cwd)), (long)strlen(real) + 1);
	check_errno("getcwd_small_erange", sys_getcwd(cwd, 4), ERANGE);

	mkdirat(dfd, "p", 0755);
	mkdirat(dfd, "p/c", 0755);
	check_eq("chdir_relative", chdir("p/c"), 0);
	snprintf(want, sizeof(want), "%s/p/c", real);
	check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, want), "getcwd_relative",
	      "\"%s\", expected \"%s\"", cwd, want);
	check_eq("chdir_dotdot", chdir(".."), 0);
	snprintf(want, sizeof(want), "%s/p", real);
	check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, want), "getcwd_after_dotdot",
	      "\"%s\", expected \"%s\"", cwd, want);

	/* fchdir back to the scratch directory. */
	check_eq("fchdir", fchdir(dfd), 0);
	check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, real), "getcwd_after_fchdir",
	      "\"%s\", expected \"%s\"", cwd, real);

	put("plain2", "x");
	check_errno("chdir_file_enotdir", chdir("plain2"), ENOTDIR);
	check_errno("chdir_missing_enoent", chdir("nope"), ENOENT);
	int fd = openat(dfd, "plain2", O_RDONLY);
	check_errno("fchdir_file_enotdir", fchdir(fd), ENOTDIR);
	close(fd);
	check_errno("fchdir_bad_fd_ebadf", fchdir(-1), EBADF);

	/* Renaming the parent of the working directory: getcwd follows. */
	chdir("p/c");
	check_eq("rename_cwd_parent", rename(sp("p"), sp("q")), 0);
	snprintf(want, sizeof(want), "%s/q/c", real);
	check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, want), "getcwd_after_parent_rename",
	      "\"%s\", expected \"%s\"", cwd, want);
	fd = open("here", O_WRONLY | O_CREAT, 0644);
	check(fd >= 0 && exists("q/c/here"), "cwd_still_usable",
	      "creating a file in the working directory failed (%s)", errno_name(errno));
	close(fd);
	unlink("here");

	/* The working directory removed: getcwd says ENOENT, and nothing can
	 * be created in it; ".." still leads out. */
	check_eq("rmdir_cwd", rmdir(sp("q/c")), 0);
	check_errno("getcwd_removed_enoent", sys_getcwd(cwd, sizeof(cwd)), ENOENT);
	check_errno("create_in_removed_cwd_enoent", open("new", O_WRONLY | O_CREAT, 0644),
		    ENOENT);
	check_eq("chdir_out_of_removed", chdir(".."), 0);
	snprintf(want, sizeof(want), "%s/q", real);
	check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, want), "getcwd_after_leaving_removed",
	      "\"%s\", expected \"%s\"", cwd, want);
	chdir("/");
}

static void renames(void)
{
	char buf[64];

	put("r_a", "AAA");
	put("r_b", "BBB");
	check_eq("rename_file", rename(sp("r_a"), sp("r_new")), 0);
	check(!exists("r_a") && get("r_new", buf, sizeof(buf)) == 3 && !strcmp(buf, "AAA"),
	      "rename_file_moved", "old name still there or new name wrong");
	ino_t b_ino = ino_of("r_b"), new_ino = ino_of("r_new");
	check_eq("rename_over_file", rename(sp("r_new"), sp("r_b")), 0);
	check(!exists("r_new") && get("r_b", buf, sizeof(buf)) == 3 && !strcmp(buf, "AAA") &&
		      ino_of("r_b") == new_ino && new_ino != b_ino,
	      "rename_over_file_replaces", "\"%s\"", buf);
	check_eq("rename_same_name", rename(sp("r_b"), sp("r_b")), 0);
	check(exists("r_b"), "rename_same_name_noop", "the file vanished");
	check_errno("rename_missing_enoent", rename(sp("nope"), sp("r_x")), ENOENT);

	/* Directories. */
	mkdirat(dfd, "rd1", 0755);
	mkdirat(dfd, "rd1/inner", 0755);
	put("rd1/inner/f", "deep");
	mkdirat(dfd, "rd_empty", 0755);
	mkdirat(dfd, "rd_full", 0755);
	put("rd_full/x", "x");
	check_errno("rename_file_over_dir_eisdir", rename(sp("r_b"), sp("rd_empty")), EISDIR);
	check_errno("rename_dir_over_file_enotdir", rename(sp("rd_empty"), sp("r_b")), ENOTDIR);
	check_errno("rename_dir_over_nonempty_enotempty", rename(sp("rd_empty"), sp("rd_full")),
		    ENOTEMPTY);
	check_errno("rename_dir_into_own_subdir_einval", rename(sp("rd1"), sp("rd1/inner/x")),
		    EINVAL);
	check_errno("rename_dir_onto_own_subdir_einval", rename(sp("rd1"), sp("rd1/inner")),
		    EINVAL);
	long parent_before = nlink_of(".");
	check_eq("rename_dir_over_empty_dir", rename(sp("rd1"), sp("rd_empty")), 0);
	/* The moved directory keeps its links (its name, ".", "inner/.."); the
	 * parent loses the replaced directory's "..". */
	check_eq("rename_dir_over_empty_keeps_nlink", nlink_of("rd_empty"), 3);
	check_eq("rename_dir_over_empty_parent_nlink", nlink_of("."), parent_before - 1);
	check(!exists("rd1") && get("rd_empty/inner/f", buf, sizeof(buf)) == 4,
	      "rename_dir_moves_tree", "the tree did not move");
	long before = nlink_of("rd_full");
	check_eq("rename_dir_across", renameat(dfd, "rd_empty/inner", dfd, "rd_full/inner"), 0);
	check(nlink_of("rd_full") == before + 1 && nlink_of("rd_empty") == 2,
	      "rename_dir_across_nlink", "nlink %ld (was %ld) and %ld", nlink_of("rd_full"),
	      before, nlink_of("rd_empty"));
	check(get("rd_full/inner/f", buf, sizeof(buf)) == 4 && !strcmp(buf, "deep"),
	      "rename_dir_across_contents", "\"%s\"", buf);
	/* ".." of the moved directory is its new parent. */
	struct stat dd, parent;
	fstatat(dfd, "rd_full/inner/..", &dd, 0);
	fstatat(dfd, "rd_full", &parent, 0);
	check(dd.st_ino == parent.st_ino, "rename_dir_dotdot_updated", "\"..\" is ino %lu, not %lu",
	      (unsigned long)dd.st_ino, (unsigned long)parent.st_ino);

	/* renameat2 RENAME_NOREPLACE. */
	put("n_a", "na");
	put("n_b", "nb");
	check_errno("noreplace_existing_eexist",
		    syscall(SYS_renameat2, dfd, "n_a", dfd, "n_b", RENAME_NOREPLACE), EEXIST);
	check(get("n_b", buf, sizeof(buf)) == 2 && !strcmp(buf, "nb") && exists("n_a"),
	      "noreplace_existing_untouched", "a file changed");
	check_eq("noreplace_new", syscall(SYS_renameat2, dfd, "n_a", dfd, "n_c", RENAME_NOREPLACE),
		 0);
	check(!exists("n_a") && exists("n_c"), "noreplace_new_moved", "not moved");

	/* RENAME_EXCHANGE: both names must exist; they swap, types and all. */
	ino_t ib = ino_of("n_b"), ic = ino_of("n_c");
	check_eq("exchange_files", syscall(SYS_renameat2, dfd, "n_b", dfd, "n_c", RENAME_EXCHANGE),
		 0);
	check(ino_of("n_b") == ic && ino_of("n_c") == ib && get("n_b", buf, sizeof(buf)) == 2 &&
		      !strcmp(buf, "na"),
	      "exchange_files_swapped", "n_b holds \"%s\"", buf);
	check_eq("exchange_file_and_dir",
		 syscall(SYS_renameat2, dfd, "n_b", dfd, "rd_full", RENAME_EXCHANGE), 0);
	check(is_dir("n_b") && !is_dir("rd_full") && exists("n_b/inner/f"),
	      "exchange_file_and_dir_swapped", "types not swapped");
	check_errno("exchange_missing_enoent",
		    syscall(SYS_renameat2, dfd, "n_c", dfd, "nope", RENAME_EXCHANGE), ENOENT);
	check_errno("exchange_and_noreplace_einval",
		    syscall(SYS_renameat2, dfd, "n_c", dfd, "n_b",
			    RENAME_EXCHANGE | RENAME_NOREPLACE),
		    EINVAL);
	check_errno("renameat2_bad_flags_einval",
		    syscall(SYS_renameat2, dfd, "n_c", dfd, "n_z", 0x100), EINVAL);
}

int main(void)
{
	char real[PATH_MAX];

	check_init("dirs");
	scratch_make("dirs");
	dfd = open(scratch_dir, O_RDONLY | O_DIRECTORY);
	if (!check_ok("open_scratch_dir", dfd) || !realpath(scratch_dir, real))
		return check_done();

	make_and_remove();
	listing();
	working_dir(real);
	renames();

	close(dfd);
	scratch_remove();
	return check_done();
}
