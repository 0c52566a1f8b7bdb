/*
 * links.c: hard links (link/linkat and link counts), symbolic links
 * (symlink/symlinkat/readlink/readlinkat, lstat against stat, dangling
 * links, loops and the 40-link limit), trailing-slash rules, ".." after a
 * symlinked directory, and the path errors: ENAMETOOLONG for a 256-byte
 * name and a 4096-byte path, ENOTDIR through a file.
 * Everything happens in a fresh directory under /tmp, removed at the end.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "file_util.h"
#include "scratch.h"

static ino_t ino_of(const char *name, int flags)
{
	struct stat st;
	return fstatat(dfd, name, &st, flags) == 0 ? st.st_ino : 0;
}

static int exists(const char *name)
{
	struct stat st;
	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void hard_links(void)
{
	char buf[64];

	put("h1", "shared");
	check_eq("nlink_1", nlink_of("h1"), 1);
	check_eq("link", link(sp("h1"), sp("h2")), 0);
	check_eq("link_nlink_2", nlink_of("h1"), 2);
	check(ino_of("h1", 0) == ino_of("h2", 0), "link_same_inode", "different inodes");
	check_eq("linkat", linkat(dfd, "h2", dfd, "h3", 0), 0);
	check(nlink_of("h1") == 3 && nlink_of("h3") == 3, "linkat_nlink_3", "nlink %ld %ld",
	      nlink_of("h1"), nlink_of("h3"));

	/* A write through one name shows through the others. */
	int fd = openat(dfd, "h3", O_WRONLY | O_APPEND);
	write(fd, "+more", 5);
	close(fd);
	check(get("h1", buf, sizeof(buf)) == 11 && !strcmp(buf, "shared+more"),
	      "link_shares_data", "\"%s\"", buf);

	check_errno("link_exists_eexist", link(sp("h1"), sp("h2")), EEXIST);
	check_errno("link_missing_enoent", link(sp("nope"), sp("h9")), ENOENT);
	mkdirat(dfd, "hd", 0755);
	check_errno("link_dir_eperm", link(sp("hd"), sp("hd2")), EPERM);
	check_errno("linkat_bad_flag_einval", linkat(dfd, "h1", dfd, "h9", 0x1), EINVAL);

	check_eq("unlink_one_name", unlink(sp("h1")), 0);
	check(nlink_of("h2") == 2 && !exists("h1"), "unlink_nlink_down", "nlink %ld",
	      nlink_of("h2"));

	/* Renaming one hard link onto another of the same file does nothing. */
	check_eq("rename_same_inode", rename(sp("h2"), sp("h3")), 0);
	check(exists("h2") && exists("h3") && nlink_of("h3") == 2, "rename_same_inode_noop",
	      "h2 %d h3 %d nlink %ld", exists("h2"), exists("h3"), nlink_of("h3"));

	/* An open file outlives its last name. */
	fd = openat(dfd, "h2", O_RDWR);
	unlink(sp("h2"));
	unlink(sp("h3"));
	struct stat st;
	check(fstat(fd, &st) == 0 && st.st_nlink == 0, "unlinked_open_nlink_0", "nlink %lu",
	      (unsigned long)st.st_nlink);
	memset(buf, 0, sizeof(buf));
	check(pread(fd, buf, sizeof(buf), 0) == 11 && !strcmp(buf, "shared+more"),
	      "unlinked_open_readable", "\"%s\"", buf);
	check_eq("unlinked_open_writable", pwrite(fd, "!", 1, 11), 1);
	close(fd);

	/* linkat and symlinks: not followed by default, followed with
	 * AT_SYMLINK_FOLLOW. */
	put("lt", "link target");
	symlinkat("lt", dfd, "lt_sym");
	check_eq("linkat_symlink_nofollow", linkat(dfd, "lt_sym", dfd, "lt_hard_sym", 0), 0);
	struct stat a;
	check(fstatat(dfd, "lt_hard_sym", &a, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(a.st_mode) &&
		      a.st_ino == ino_of("lt_sym", AT_SYMLINK_NOFOLLOW),
	      "linkat_links_the_symlink", "not the symlink itself");
	check_eq("linkat_follow", linkat(dfd, "lt_sym", dfd, "lt_hard", AT_SYMLINK_FOLLOW), 0);
	check(fstatat(dfd, "lt_hard", &a, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(a.st_mode) &&
		      a.st_ino == ino_of("lt", 0) && a.st_nlink == 2,
	      "linkat_follow_links_target", "mode 0%o nlink %lu", (unsigned)a.st_mode,
	      (unsigned long)a.st_nlink);
}

static void symlinks(void)
{
	char buf[PATH_MAX];
	struct stat st, lst;

	put("target", "the target");
	check_eq("symlink", symlink("target", sp("sl")), 0);
	check_eq("symlinkat", symlinkat("target", dfd, "sl2"), 0);

	memset(buf, '#', sizeof(buf));
	check_eq("readlink", readlink(sp("sl"), buf, sizeof(buf)), 6);
	check(!memcmp(buf, "target", 6) && buf[6] == '#', "readlink_no_nul",
	      "\"%.8s\": readlink must not add a NUL", buf);
	memset(buf, '#', sizeof(buf));
	check_eq("readlink_truncates", readlink(sp("sl"), buf, 3), 3);
	check(!memcmp(buf, "tar#", 4), "readlink_truncated_data", "\"%.4s\"", buf);
	check_eq("readlinkat", readlinkat(dfd, "sl2", buf, sizeof(buf)), 6);
	check_errno("readlink_regular_einval", readlink(sp("target"), buf, sizeof(buf)), EINVAL);
	check_errno("readlink_missing_enoent", readlink(sp("nope"), buf, sizeof(buf)), ENOENT);
	check_errno("readlink_zero_size_einval", syscall(SYS_readlink, sp("sl"), buf, 0),
		    EINVAL);

	/* readlinkat with an empty path reads an O_PATH | O_NOFOLLOW link. */
	int fd = openat(dfd, "sl", O_PATH | O_NOFOLLOW);
	memset(buf, 0, sizeof(buf));
	check(readlinkat(fd, "", buf, sizeof(buf)) == 6 && !strcmp(buf, "target"),
	      "readlinkat_empty_path", "\"%s\" (%s)", buf, errno_name(errno));
	close(fd);

	/* lstat describes the link, stat its target. */
	check_ok("lstat", lstat(sp("sl"), &lst));
	check_ok("stat", stat(sp("sl"), &st));
	check(S_ISLNK(lst.st_mode) && lst.st_size == 6, "lstat_is_link", "mode 0%o size %lld",
	      (unsigned)lst.st_mode, (long long)lst.st_size);
	check(S_ISREG(st.st_mode) && st.st_size == 10 && st.st_ino == ino_of("target", 0),
	      "stat_is_target", "mode 0%o size %lld", (unsigned)st.st_mode, (long long)st.st_size);
	check(get("sl", buf, sizeof(buf)) == 10 && !strcmp(buf, "the target"), "open_follows",
	      "\"%s\"", buf);
	check_eq("symlink_nlink_1", nlink_of("sl"), 1);

	/* Relative targets are resolved from the link's directory. */
	mkdirat(dfd, "sub", 0755);
	symlinkat("../target", dfd, "sub/up");
	check(get("sub/up", buf, sizeof(buf)) == 10, "relative_target_from_link_dir",
	      "could not read through sub/up (%s)", errno_name(errno));
	char abs[PATH_MAX];
	snprintf(abs, sizeof(abs), "%s/target", scratch_dir);
	symlinkat(abs, dfd, "sub/abs");
	check(get("sub/abs", buf, sizeof(buf)) == 10, "absolute_target",
	      "could not read through sub/abs (%s)", errno_name(errno));

	check_errno("symlink_exists_eexist", symlink("x", sp("sl")), EEXIST);
	check_errno("symlink_empty_target_enoent", symlink("", sp("sl_empty")), ENOENT);
	check_errno("symlink_missing_dir_enoent", symlink("x", sp("nope/sl")), ENOENT);

	/* Unlinking a link leaves its target. */
	check_eq("unlink_symlink", unlink(sp("sl2")), 0);
	check(!exists("sl2") && exists("target"), "unlink_symlink_keeps_target",
	      "target gone or link still there");

	/* Dangling links. */
	symlinkat("absent", dfd, "dangling");
	check_errno("dangling_stat_enoent", stat(sp("dangling"), &st), ENOENT);
	check(lstat(sp("dangling"), &lst) == 0 && S_ISLNK(lst.st_mode), "dangling_lstat",
	      "lstat failed (%s)", errno_name(errno));
	check_errno("dangling_open_enoent", openat(dfd, "dangling", O_RDONLY), ENOENT);
	check_errno("dangling_access_enoent", access(sp("dangling"), F_OK), ENOENT);
	check_errno("dangling_o_excl_eexist",
		    openat(dfd, "dangling", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	/* O_CREAT without O_EXCL creates the target through the link. */
	fd = openat(dfd, "dangling", O_WRONLY | O_CREAT, 0644);
	check(fd >= 0 && exists("absent"), "dangling_o_creat_creates_target", "fd %d (%s)", fd,
	      errno_name(errno));
	close(fd);

	/* Loops. */
	symlinkat("loop_b", dfd, "loop_a");
	symlinkat("loop_a", dfd, "loop_b");
	symlinkat("self", dfd, "self");
	check_errno("loop_stat_eloop", stat(sp("loop_a"), &st), ELOOP);
	check_errno("loop_open_eloop", openat(dfd, "loop_a", O_RDONLY), ELOOP);
	check_errno("self_loop_eloop", stat(sp("self"), &st), ELOOP);
	check_errno("loop_in_middle_eloop", stat(sp("self/x"), &st), ELOOP);
	check(lstat(sp("loop_a"), &lst) == 0 && S_ISLNK(lst.st_mode), "loop_lstat",
	      "lstat of a looping link failed (%s)", errno_name(errno));
	check_errno("o_nofollow_eloop", openat(dfd, "sl", O_RDONLY | O_NOFOLLOW), ELOOP);

	/* Linux follows at most 40 links in one lookup (MAXSYMLINKS). */
	char name[16], next[16];
	for (int i = 0; i < 41; i++) {
		snprintf(name, sizeof(name), "c%02d", i);
		snprintf(next, sizeof(next), i == 40 ? "target" : "c%02d", i + 1);
		symlinkat(next, dfd, name);
	}
	check(stat(sp("c01"), &st) == 0 && S_ISREG(st.st_mode), "chain_of_40_links",
	      "stat through 40 links failed (%s)", errno_name(errno));
	check_errno("chain_of_41_links_eloop", stat(sp("c00"), &st), ELOOP);
}

static void trailing_slashes(void)
{
	struct stat st;

	put("tf", "file");
	mkdirat(dfd, "tdir", 0755);
	symlinkat("tdir", dfd, "tdir_link");
	symlinkat("tf", dfd, "tf_link");

	check_errno("stat_file_slash_enotdir", stat(sp("tf/"), &st), ENOTDIR);
	check_errno("open_file_slash_enotdir", openat(dfd, "tf/", O_RDONLY), ENOTDIR);
	check(stat(sp("tdir/"), &st) == 0 && S_ISDIR(st.st_mode), "stat_dir_slash",
	      "failed (%s)", errno_name(errno));
	check(lstat(sp("tdir_link/"), &st) == 0 && S_ISDIR(st.st_mode),
	      "lstat_dir_link_slash_follows", "mode 0%o (%s)", (unsigned)st.st_mode,
	      errno_name(errno));
	check(lstat(sp("tdir_link"), &st) == 0 && S_ISLNK(st.st_mode), "lstat_dir_link_no_slash",
	      "mode 0%o", (unsigned)st.st_mode);
	check_errno("lstat_file_link_slash_enotdir", lstat(sp("tf_link/"), &st), ENOTDIR);
	check_errno("o_creat_slash_eisdir", openat(dfd, "newf/", O_WRONLY | O_CREAT, 0644), EISDIR);
	check(!exists("newf"), "o_creat_slash_creates_nothing", "newf was created");
	check_errno("unlink_file_slash_enotdir", unlink(sp("tf/")), ENOTDIR);
	check_errno("unlink_dir_slash_eisdir", unlink(sp("tdir/")), EISDIR);
	check_errno("unlink_missing_slash_enoent", unlink(sp("nope/")), ENOENT);
	check_errno("rename_file_to_slash_enotdir", rename(sp("tf"), sp("tf2/")), ENOTDIR);
	check_errno("rename_file_slash_enotdir", rename(sp("tf/"), sp("tf2")), ENOTDIR);
	check_eq("rename_dir_to_slash", rename(sp("tdir"), sp("tdir2/")), 0);
	check_eq("rename_dir_slash_back", rename(sp("tdir2/"), sp("tdir")), 0);
	check_errno("link_to_slash_enoent", link(sp("tf"), sp("tf3/")), ENOENT);
	check_errno("symlink_to_slash_enoent", symlink("tf", sp("tf4/")), ENOENT);
	check_errno("rmdir_link_slash_enotdir", rmdir(sp("tdir_link/")), ENOTDIR);
	check(exists("tdir"), "rmdir_through_link_keeps_dir", "tdir is gone");
	check_eq("mkdir_slash_slash", mkdir(sp("tnew//"), 0755), 0);
	check_eq("rmdir_slash", rmdir(sp("tnew/")), 0);
	check_eq("dot_slashes", stat(sp("./tdir/./../tf"), &st), 0);
}

static void dotdot_and_symlinked_dirs(void)
{
	char cwd[PATH_MAX], want[PATH_MAX + 16], real[PATH_MAX];
	struct stat st, a_st;

	/* dd/a/b is a real directory, "lb" a symlink to it in the scratch
	 * directory: "lb/.." is dd/a, not the scratch directory. */
	mkdirat(dfd, "dd", 0755);
	mkdirat(dfd, "dd/a", 0755);
	mkdirat(dfd, "dd/a/b", 0755);
	put("dd/a/marker", "m");
	symlinkat("dd/a/b", dfd, "lb");
	fstatat(dfd, "dd/a", &a_st, 0);
	check(fstatat(dfd, "lb/..", &st, 0) == 0 && st.st_ino == a_st.st_ino,
	      "dotdot_after_symlink_is_physical", "\"lb/..\" is not dd/a");
	check(fstatat(dfd, "lb/../marker", &st, 0) == 0, "dotdot_after_symlink_lookup",
	      "lb/../marker not found (%s)", errno_name(errno));

	/* chdir through the link: the kernel's cwd is the physical one. */
	realpath(scratch_dir, real);
	check_eq("chdir_symlinked_dir", chdir(sp("lb")), 0);
	snprintf(want, sizeof(want), "%s/dd/a/b", real);
	check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, want), "getcwd_is_physical",
	      "\"%s\", expected \"%s\"", cwd, want);
	chdir("..");
	check(access("marker", F_OK) == 0, "chdir_dotdot_physical", "marker not found in ..");
	chdir("/");

	/* "/.." is "/". */
	struct stat root, rootup;
	stat("/", &root);
	check(stat("/..", &rootup) == 0 && rootup.st_ino == root.st_ino &&
		      rootup.st_dev == root.st_dev,
	      "root_dotdot_is_root", "\"/..\" differs from \"/\"");
}

static void long_names(void)
{
	char name[300], path[PATH_MAX + 16];
	struct stat st;

	/* 255 bytes is the longest name (NAME_MAX); 256 is too long. */
	memset(name, 'n', 255);
	name[255] = 0;
	int fd = openat(dfd, name, O_WRONLY | O_CREAT, 0644);
	check_ok("name_255_ok", fd);
	close(fd);
	memset(name, 'n', 256);
	name[256] = 0;
	check_errno("name_256_open_enametoolong", openat(dfd, name, O_WRONLY | O_CREAT, 0644),
		    ENAMETOOLONG);
	check_errno("name_256_stat_enametoolong", fstatat(dfd, name, &st, 0), ENAMETOOLONG);
	check_errno("name_256_mkdir_enametoolong", mkdirat(dfd, name, 0755), ENAMETOOLONG);
	check_errno("name_256_in_middle_enametoolong",
		    fstatat(dfd, strcat(name, "/x"), &st, 0), ENAMETOOLONG);

	/* A path of 4095 bytes plus its NUL fits PATH_MAX; 4096 bytes do not:
	 * "./" 2047 times, relative to the scratch directory, then "p" or "pm". */
	put("p", "x");
	put("pm", "x");
	chdir(scratch_dir);
	size_t n = 0;
	while (n < 2 * 2047)
		path[n++] = '.', path[n++] = '/';
	strcpy(path + n, "p");
	check(strlen(path) == 4095 && stat(path, &st) == 0, "path_4095_ok",
	      "length %zu, stat failed (%s)", strlen(path), errno_name(errno));
	strcpy(path + n, "pm");
	check_errno("path_4096_stat_enametoolong", stat(path, &st), ENAMETOOLONG);
	check_errno("path_4096_open_enametoolong", open(path, O_RDONLY), ENAMETOOLONG);
	check_errno("symlink_target_4096_enametoolong", symlink(path, sp("longlink")),
		    ENAMETOOLONG);
	chdir("/");

	/* ENOTDIR when a file stands where a directory should. */
	put("plain", "x");
	check_errno("through_file_stat_enotdir", fstatat(dfd, "plain/x", &st, 0), ENOTDIR);
	check_errno("through_file_deep_enotdir", fstatat(dfd, "plain/x/y/z", &st, 0), ENOTDIR);
	check_errno("through_file_mkdir_enotdir", mkdirat(dfd, "plain/x", 0755), ENOTDIR);
	check_errno("through_file_symlink_enotdir", symlinkat("t", dfd, "plain/x"), ENOTDIR);
	check_errno("through_file_dotdot_enotdir", fstatat(dfd, "plain/..", &st, 0), ENOTDIR);
	check_errno("missing_component_enoent", fstatat(dfd, "nope/x", &st, 0), ENOENT);
}

int main(void)
{
	check_init("links");
	scratch_make("links");
	dfd = open(scratch_dir, O_RDONLY | O_DIRECTORY);
	if (!check_ok("open_scratch_dir", dfd))
		return check_done();

	hard_links();
	symlinks();
	trailing_slashes();
	dotdot_and_symlinked_dirs();
	long_names();

	close(dfd);
	scratch_remove();
	return check_done();
}
