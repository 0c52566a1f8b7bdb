/*
 * procfs.c: what a program reads about itself from /proc and /sys: its
 * executable, descriptors, command line, environment, status, memory map,
 * working directory, and the system's memory and online CPUs. The harness
 * passes the arguments and the variable below.
 */
// test-args: one 'two words' '' three
// env: MONOS_PROCFS_VAR=a value with spaces
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "scratch.h"

#define ENV_VAR "MONOS_PROCFS_VAR=a value with spaces"

/* The whole of a (proc) file, NUL-terminated; its length or -1. proc files
 * report size 0, so read until EOF. */
static long slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t n = 0;
	ssize_t r;
	while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return (long)n;
}

/* The value after "Key:" on its line in text, or NULL. */
static const char *field(const char *text, const char *key)
{
	size_t k = strlen(key);
	for (const char *line = text; line && *line;) {
		if (!strncmp(line, key, k) && line[k] == ':')
			return line + k + 1;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static void exe(const char *argv0, char *exe_path)
{
	char link[PATH_MAX + 1], real[PATH_MAX];

	exe_path[0] = 0;
	ssize_t n = readlink("/proc/self/exe", link, sizeof(link) - 1);
	if (!check_ok("readlink_exe", n))
		return;
	link[n] = 0;
	strcpy(exe_path, link);
	if (!realpath(argv0, real)) {
		fail("exe_is_argv0_realpath", "realpath(%s) failed with %s", argv0,
		     errno_name(errno));
		return;
	}
	check(!strcmp(link, real), "exe_is_argv0_realpath", "\"%s\", expected \"%s\"", link, real);

	struct stat a, b;
	check(stat("/proc/self/exe", &a) == 0 && stat(real, &b) == 0 && a.st_ino == b.st_ino &&
		      a.st_dev == b.st_dev,
	      "exe_stat_same_file", "stat through /proc/self/exe names another file");
	char magic[4] = { 0 };
	int fd = open("/proc/self/exe", O_RDONLY);
	check(fd >= 0 && read(fd, magic, 4) == 4 && !memcmp(magic, "\177ELF", 4),
	      "exe_open_elf_magic", "open or read failed, or no ELF magic");
	close(fd);

	char self[32], want[32];
	n = readlink("/proc/self", self, sizeof(self) - 1);
	self[n < 0 ? 0 : n] = 0;
	snprintf(want, sizeof(want), "%d", getpid());
	check(!strcmp(self, want), "proc_self_is_pid", "\"%s\", expected \"%s\"", self, want);
	char pid_exe[64];
	snprintf(pid_exe, sizeof(pid_exe), "/proc/%d/exe", getpid());
	n = readlink(pid_exe, link, sizeof(link) - 1);
	link[n < 0 ? 0 : n] = 0;
	check(!strcmp(link, exe_path), "proc_pid_exe", "\"%s\"", link);
}

static void fds(void)
{
	char path[64], link[PATH_MAX + 1], real[PATH_MAX];

	scratch_make("procfs");
	realpath(scratch_dir, real);
	strcat(real, "/f");
	int fd = open(sp("f"), O_RDWR | O_CREAT, 0644);
	write(fd, "0123456789", 10);

	DIR *d = opendir("/proc/self/fd");
	if (!check(d != NULL, "opendir_fd", "failed with %s", errno_name(errno)))
		return;
	int seen0 = 0, seen1 = 0, seen2 = 0, seen_fd = 0, seen_dir = 0, bad = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *end;
		long n = strtol(e->d_name, &end, 10);
		if (*end || n < 0) {
			bad = 1;
			continue;
		}
		seen0 |= n == 0;
		seen1 |= n == 1;
		seen2 |= n == 2;
		seen_fd |= n == fd;
		seen_dir |= n == dirfd(d);
	}
	closedir(d);
	check(seen0 && seen1 && seen2 && seen_fd && seen_dir && !bad, "fd_lists_open_fds",
	      "0:%d 1:%d 2:%d file:%d dir:%d non-numeric:%d", seen0, seen1, seen2, seen_fd,
	      seen_dir, bad);

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	link[n < 0 ? 0 : n] = 0;
	check(!strcmp(link, real), "fd_link_names_file", "\"%s\", expected \"%s\"", link, real);
	struct stat l;
	check(lstat(path, &l) == 0 && S_ISLNK(l.st_mode), "fd_entry_is_symlink", "mode 0%o",
	      (unsigned)l.st_mode);

	/* Opening the link opens the file anew, with its own offset. */
	int again = open(path, O_RDONLY);
	char c = 0;
	check(again >= 0 && again != fd && read(again, &c, 1) == 1 && c == '0' &&
		      lseek(fd, 0, SEEK_CUR) == 10,
	      "fd_reopen_new_offset", "fd %d, read '%c', original offset %ld", again, c,
	      (long)lseek(fd, 0, SEEK_CUR));
	close(again);

	/* fdinfo: the offset and flags of the open file. */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	char info[512];
	const char *pos = slurp(path, info, sizeof(info)) > 0 ? field(info, "pos") : NULL;
	check(pos && atol(pos) == 10, "fdinfo_pos", "pos %s", pos ? pos : "(none)");

	close(fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	check_errno("closed_fd_gone_enoent", readlink(path, link, sizeof(link)), ENOENT);
	scratch_remove();
}

static void cmdline_environ(int argc, char **argv)
{
	static char buf[65536], want[65536];
	size_t wn = 0;

	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]) + 1;
		memcpy(want + wn, argv[i], len);
		wn += len;
	}
	long n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	check(n == (long)wn && !memcmp(buf, want, wn), "cmdline_is_argv",
	      "%ld bytes, expected %zu (argv joined by NULs)", n, wn);
	check(argc == 5 && !strcmp(argv[2], "two words") && !strcmp(argv[3], ""),
	      "harness_args", "argc %d", argc);

	n = slurp("/proc/self/environ", buf, sizeof(buf));
	int found = 0;
	for (long off = 0; off < n; off += strlen(buf + off) + 1)
		found |= !strcmp(buf + off, ENV_VAR);
	check(found, "environ_has_var", "no \"%s\" in %ld bytes", ENV_VAR, n);
	check(getenv("MONOS_PROCFS_VAR") && !strcmp(getenv("MONOS_PROCFS_VAR"),
						     "a value with spaces"),
	      "getenv_var", "getenv gave \"%s\"", getenv("MONOS_PROCFS_VAR"));
}

static void status(const char *exe_path)
{
	static char buf[8192];
	char want[32];

	if (!check(slurp("/proc/self/status", buf, sizeof(buf)) > 0, "status_readable", "%s",
		   errno_name(errno)))
		return;
	/* The task name: the executable's file name, cut to 15 bytes. */
	snprintf(want, 16, "%s", base_name(exe_path));
	const char *name = field(buf, "Name");
	check(name && !strncmp(name, "\t", 1) && !strncmp(name + 1, want, strlen(want)) &&
		      name[1 + strlen(want)] == '\n',
	      "status_name", "Name:%.20s, expected \"%s\"", name ? name : "(none)", want);
	const char *pid = field(buf, "Pid");
	check(pid && atol(pid) == getpid(), "status_pid", "Pid:%.12s, expected %d",
	      pid ? pid : "(none)", getpid());
	const char *ppid = field(buf, "PPid");
	check(ppid && atol(ppid) == getppid(), "status_ppid", "PPid:%.12s, expected %d",
	      ppid ? ppid : "(none)", getppid());
	const char *uid = field(buf, "Uid");
	check(uid && atol(uid) == (long)getuid(), "status_uid", "Uid:%.20s, expected %u",
	      uid ? uid : "(none)", getuid());
	check(field(buf, "State") != NULL, "status_state", "no State: line");

	/* /proc/self/stat: "pid (comm) state ...". */
	slurp("/proc/self/stat", buf, sizeof(buf));
	char comm[64] = { 0 }, state = 0;
	int spid = 0;
	check(sscanf(buf, "%d (%63[^)]) %c", &spid, comm, &state) == 3 && spid == getpid() &&
		      !strcmp(comm, want),
	      "stat_pid_comm", "\"%.60s\"", buf);
}

static void maps(const char *exe_path)
{
	static char buf[65536];
	long n = slurp("/proc/self/maps", buf, sizeof(buf));
	if (!check(n > 0, "maps_readable", "%s", errno_name(errno)))
		return;

	int lines = 0, bad = 0, exe_lines = 0, stack = 0, text_in_exe = 0, stack_in_stack = 0;
	int local;
	uintptr_t text = (uintptr_t)&maps, sp = (uintptr_t)&local;
	for (char *line = buf; *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		unsigned long lo, hi, off, ino;
		char perms[5], path[PATH_MAX] = "";
		unsigned maj, min;
		int got = sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %4095s", &lo, &hi, perms, &off,
				 &maj, &min, &ino, path);
		lines++;
		if (got < 7 || lo >= hi || strlen(perms) != 4)
			bad++;
		if (!strcmp(path, exe_path)) {
			exe_lines++;
			if (text >= lo && text < hi && perms[0] == 'r' && perms[2] == 'x')
				text_in_exe = 1;
		}
		if (!strcmp(path, "[stack]")) {
			stack++;
			if (sp >= lo && sp < hi && perms[0] == 'r' && perms[1] == 'w')
				stack_in_stack = 1;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	check(lines > 3 && !bad, "maps_format", "%d lines, %d malformed", lines, bad);
	check(exe_lines >= 1, "maps_has_exe", "no line names %s", exe_path);
	check(text_in_exe, "maps_code_in_exe", "this function's address %#lx is not in an r-x "
	      "mapping of the executable", (unsigned long)text);
	check_eq("maps_one_stack", stack, 1);
	check(stack_in_stack, "maps_sp_in_stack", "a local at %#lx is not in [stack]",
	      (unsigned long)sp);
}

static void cwd(void)
{
	char link[PATH_MAX + 1], here[PATH_MAX];
	ssize_t n = readlink("/proc/self/cwd", link, sizeof(link) - 1);
	link[n < 0 ? 0 : n] = 0;
	check(getcwd(here, sizeof(here)) && !strcmp(link, here), "cwd_link", "\"%s\", getcwd \"%s\"",
	      link, here);
	chdir("/");
	n = readlink("/proc/self/cwd", link, sizeof(link) - 1);
	link[n < 0 ? 0 : n] = 0;
	check(!strcmp(link, "/"), "cwd_link_follows_chdir", "\"%s\"", link);
	chdir(here);
}

/* Counts the CPUs in a list like "0-3,5,7-8". -1 if it does not parse. */
static long count_cpus(const char *s)
{
	long count = 0;
	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s)
			return -1;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				return -1;
			s = end;
		}
		count += b - a + 1;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -1;
	}
	return count;
}

static void system_info(void)
{
	static char buf[16384];

	if (check(slurp("/proc/meminfo", buf, sizeof(buf)) > 0, "meminfo_readable", "%s",
		  errno_name(errno))) {
		const char *total = field(buf, "MemTotal"), *free_ = field(buf, "MemFree");
		const char *avail = field(buf, "MemAvailable");
		long t = total ? atol(total) : 0, f = free_ ? atol(free_) : -1;
		long a = avail ? atol(avail) : -1;
		const char *eol = total ? strchr(total, '\n') : NULL;
		check(t > 0 && eol && eol - total > 3 && !strncmp(eol - 3, " kB", 3),
		      "meminfo_memtotal", "MemTotal:%.30s", total ? total : "(none)");
		check(f >= 0 && f <= t, "meminfo_memfree", "MemFree %ld, MemTotal %ld", f, t);
		check(a >= 0 && a <= t, "meminfo_memavailable", "MemAvailable %ld, MemTotal %ld", a,
		      t);
	}

	long online = -1;
	if (check(slurp("/sys/devices/system/cpu/online", buf, sizeof(buf)) > 0,
		  "cpu_online_readable", "%s", errno_name(errno))) {
		online = count_cpus(buf);
		check(online >= 1, "cpu_online_parses", "\"%s\"", buf);
	}
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	check(n >= 1, "sysconf_nprocessors_onln", "%ld", n);
	/* glibc counts the online list, musl the affinity mask: never more. */
	check(online < 1 || n <= online, "sysconf_within_online", "sysconf %ld, online %ld", n,
	      online);
}

int main(int argc, char **argv)
{
	char exe_path[PATH_MAX + 1];

	check_init("procfs");
	exe(argv[0], exe_path);
	cwd();
	fds();
	cmdline_environ(argc, argv);
	status(exe_path);
	maps(exe_path);
	system_info();
	return check_done();
}
