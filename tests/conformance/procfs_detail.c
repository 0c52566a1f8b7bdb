/*
 * procfs_detail.c: /proc and /sys parsed the way programs parse them, each
 * figure checked against what the system calls say: maps against the
 * addresses of code, stack, heap and fresh mappings; status, stat and statm
 * against getpid, the signal mask and each other; limits against getrlimit;
 * cpuinfo against CPUID; meminfo against sysinfo; uptime and btime against
 * the clocks; sys/kernel against uname. Files are read with open/read into
 * static buffers, so that reading one does not change the memory the next
 * one describes.
 */
// test-args: first 'second arg'
// env: PROCFS_DETAIL=yes
#define _GNU_SOURCE
#include <ctype.h>
#include <cpuid.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

static char buf[1 << 17], buf2[1 << 17];
static char exe[PATH_MAX];
static struct stat exe_st;
static int g_argc;
static char **g_argv;
static char **initial_env;

/* The whole file into b (NUL-terminated): its length, or -1 with errno. */
static long slurp_into(const char *path, char *b, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = 0;
	ssize_t r;
	while (n < cap - 1 && (r = read(fd, b + n, cap - 1 - n)) > 0)
		n += r;
	close(fd);
	b[n] = 0;
	return (long)n;
}

static long slurp(const char *path) { return slurp_into(path, buf, sizeof(buf)); }

/* The text after "key:" (or cpuinfo's "key\t:") at the start of a line, blanks skipped, or
 * NULL. */
static const char *field(const char *text, const char *key)
{
	size_t k = strlen(key);
	for (const char *line = text; line && *line;) {
		const char *colon = line + k;
		if (!strncmp(line, key, k))
			while (*colon == '\t' || *colon == ' ')
				colon++;
		if (!strncmp(line, key, k) && *colon == ':') {
			const char *v = colon + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			return v;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

static long field_long(const char *text, const char *key)
{
	const char *v = field(text, key);
	return v ? strtol(v, NULL, 0) : -1;
}

/* A line of text that starts with prefix, copied into out (without the newline). */
static int line_with(const char *text, const char *prefix, char *out, size_t cap)
{
	size_t k = strlen(prefix);
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		if (len >= k && !strncmp(line, prefix, k)) {
			snprintf(out, cap, "%.*s", (int)len, line);
			return 1;
		}
		line = eol ? eol + 1 : NULL;
	}
	return 0;
}

static void strip_newline(char *s)
{
	size_t n = strlen(s);
	if (n && s[n - 1] == '\n')
		s[n - 1] = 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static pid_t my_tid(void) { return (pid_t)syscall(SYS_gettid); }

static int cpus_allowed(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	return CPU_COUNT(&set);
}

/* Counts the CPUs of a list such as "0-3,5\n". */
static int count_cpu_list(const char *s)
{
	int n = 0;
	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s)
			return -1;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		n += (int)(b - a + 1);
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

/* ---- links --------------------------------------------------------------------------- */

static int read_link(const char *path, char *out, size_t cap)
{
	ssize_t n = readlink(path, out, cap - 1);
	if (n < 0)
		return 0;
	out[n] = 0;
	return 1;
}

static void links(void)
{
	char link[PATH_MAX], want[PATH_MAX];
	snprintf(want, sizeof(want), "%d", getpid());
	check(read_link("/proc/self", link, sizeof(link)) && !strcmp(link, want), "self_link",
	      "\"%s\", expected \"%s\"", link, want);
	snprintf(want, sizeof(want), "%d/task/%d", getpid(), my_tid());
	check(read_link("/proc/thread-self", link, sizeof(link)) && !strcmp(link, want),
	      "thread_self_link", "\"%s\", expected \"%s\"", link, want);
	check(read_link("/proc/mounts", link, sizeof(link)) && !strcmp(link, "self/mounts"),
	      "proc_mounts_link", "\"%s\"", link);
	check(read_link("/proc/self/root", link, sizeof(link)) && !strcmp(link, "/"), "root_link",
	      "\"%s\"", link);
	char cwd[PATH_MAX];
	check(read_link("/proc/self/cwd", link, sizeof(link)) && getcwd(cwd, sizeof(cwd)) &&
		      !strcmp(link, cwd),
	      "cwd_link", "\"%s\", getcwd \"%s\"", link, cwd);
	struct stat via;
	check(exe[0] == '/' && stat("/proc/self/exe", &via) == 0 && via.st_ino == exe_st.st_ino &&
		      via.st_dev == exe_st.st_dev,
	      "exe_link", "\"%s\" is not the file /proc/self/exe opens", exe);
	snprintf(want, sizeof(want), "/proc/%d/exe", getpid());
	check(read_link(want, link, sizeof(link)) && !strcmp(link, exe), "pid_dir_exe", "\"%s\"",
	      link);
}

/* ---- fd, fdinfo ---------------------------------------------------------------------- */

static int dir_has(const char *dir, const char *name, int *numeric)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int found = 0;
	*numeric = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, name))
			found = 1;
		if (isdigit((unsigned char)e->d_name[0]))
			(*numeric)++;
	}
	closedir(d);
	return found;
}

static void fds(void)
{
	int fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (!check(fd >= 0, "open_exe", "open(%s) failed with %s", exe, errno_name(errno)))
		return;
	lseek(fd, 5, SEEK_SET);
	char path[64], link[PATH_MAX], name[16];
	snprintf(name, sizeof(name), "%d", fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	check(read_link(path, link, sizeof(link)) && !strcmp(link, exe), "fd_link",
	      "\"%s\", expected \"%s\"", link, exe);
	int n;
	check(dir_has("/proc/self/fd", name, &n), "fd_dir_lists_fd", "no %s in /proc/self/fd", name);
	check(dir_has("/proc/self/fdinfo", name, &n), "fdinfo_dir_lists_fd",
	      "no %s in /proc/self/fdinfo", name);

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (check(slurp(path) > 0, "fdinfo_readable", "%s", errno_name(errno))) {
		check_eq("fdinfo_pos", field_long(buf, "pos"), 5);
		const char *f = field(buf, "flags");
		unsigned long flags = f && *f == '0' ? strtoul(f, NULL, 8) : ~0UL;
		/* open(2) on x86-64 adds O_LARGEFILE (0100000; glibc's header calls it 0). */
		check(f && (flags & O_ACCMODE) == O_RDONLY && (flags & O_CLOEXEC) && (flags & 0100000),
		      "fdinfo_flags", "flags \"%.12s\": want O_RDONLY, O_CLOEXEC and O_LARGEFILE",
		      f ? f : "(none)");
		check(field(buf, "mnt_id") != NULL, "fdinfo_mnt_id", "no mnt_id line");
		struct stat st;
		fstat(fd, &st);
		check(field_long(buf, "ino") == (long)st.st_ino, "fdinfo_ino", "ino %ld, fstat %lu",
		      field_long(buf, "ino"), (unsigned long)st.st_ino);
	}
	close(fd);
}

/* ---- maps ---------------------------------------------------------------------------- */

struct map {
	unsigned long start, end, off, ino;
	unsigned maj, min;
	char perms[5];
	const char *name; /* into buf: up to the newline */
	int name_col;
};

/* Parses one maps line; returns 1 if it has Linux's form. */
static int parse_map(const char *line, struct map *m)
{
	int used = 0;
	if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &m->start, &m->end, m->perms, &m->off,
		   &m->maj, &m->min, &m->ino, &used) != 7)
		return 0;
	const char *eol = strchr(line, '\n');
	m->name = line + used;
	m->name_col = used;
	if (eol && m->name >= eol)
		m->name = NULL;
	return m->start < m->end && strlen(m->perms) == 4;
}

static int name_is(const struct map *m, const char *name)
{
	size_t k = strlen(name);
	return m->name && !strncmp(m->name, name, k) && (m->name[k] == '\n' || m->name[k] == 0);
}

static void maps(void)
{
	int local = 1;
	unsigned long code = (unsigned long)&maps, sp = (unsigned long)&local;
	/* A read-only anonymous mapping, a file mapping at an offset, and a grown heap. */
	char *anon = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open(exe, O_RDONLY);
	char *filemap = fd >= 0 ? mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096) : MAP_FAILED;
	unsigned long brk0 = (unsigned long)syscall(SYS_brk, 0);
	unsigned long brk1 = (unsigned long)syscall(SYS_brk, brk0 + 65536);

	long len = slurp("/proc/self/maps");
	if (!check(len > 0, "maps_readable", "%s", errno_name(errno)))
		goto out;
	int lines = 0, bad = 0, unsorted = 0, col_bad = 0, exe_lines = 0, exe_id_bad = 0;
	int code_in_exe = 0, stacks = 0, sp_in_stack = 0, anon_ok = 0, file_ok = 0, heap_ok = 0;
	unsigned long prev_end = 0;
	for (const char *line = buf; *line;) {
		struct map m;
		lines++;
		if (!parse_map(line, &m)) {
			bad++;
		} else {
			if (m.start < prev_end)
				unsorted++;
			prev_end = m.end;
			/* The name starts after column 72 (seq_pad) when the header is shorter. */
			if (m.name && m.name_col != 73)
				col_bad++;
			if (name_is(&m, exe)) {
				exe_lines++;
				if (m.maj != major(exe_st.st_dev) || m.min != minor(exe_st.st_dev) ||
				    m.ino != exe_st.st_ino)
					exe_id_bad++;
				if (m.perms[2] == 'x' && code >= m.start && code < m.end)
					code_in_exe = 1;
				if ((unsigned long)filemap == m.start && m.off == 4096 &&
				    !strcmp(m.perms, "r--p"))
					file_ok = 1;
			}
			if (name_is(&m, "[stack]")) {
				stacks++;
				sp_in_stack |= sp >= m.start && sp < m.end;
			}
			if (name_is(&m, "[heap]") && brk1 == brk0 + 65536)
				heap_ok |= m.start < brk1 && m.end >= brk1 && m.start <= brk0;
			if (anon != MAP_FAILED && (unsigned long)anon >= m.start &&
			    (unsigned long)anon + 3 * 4096 <= m.end)
				anon_ok = !strcmp(m.perms, "r--p") && m.ino == 0 && m.maj == 0 &&
					  m.min == 0 && m.off == 0 && !m.name;
		}
		const char *eol = strchr(line, '\n');
		line = eol ? eol + 1 : line + strlen(line);
	}
	check(lines > 4 && !bad, "maps_format", "%d of %d lines malformed", bad, lines);
	check(!unsorted, "maps_sorted", "%d lines start below the previous end", unsorted);
	check(!col_bad, "maps_name_column", "%d names do not start at column 73", col_bad);
	check(exe_lines >= 1, "maps_names_exe", "no line names %s", exe);
	check(!exe_id_bad, "maps_exe_dev_ino", "%d lines name the executable with another "
	      "device or inode than %u:%u %lu", exe_id_bad, major(exe_st.st_dev),
	      minor(exe_st.st_dev), (unsigned long)exe_st.st_ino);
	check(code_in_exe, "maps_code_in_exe", "%#lx is in no executable line of the program", code);
	check(stacks == 1 && sp_in_stack, "maps_stack", "%d [stack] lines; a local at %#lx %s",
	      stacks, sp, sp_in_stack ? "is inside" : "is outside");
	check(anon_ok, "maps_anon_mapping", "no r--p anonymous line holds the mapping at %p", anon);
	check(file_ok, "maps_file_offset", "no r--p line of %s at %p with offset 1000", exe, filemap);
	check(heap_ok, "maps_heap", "no [heap] line holds the break moved from %#lx to %#lx", brk0,
	      brk1);

	/* Read a few bytes at a time, the text is the same. */
	int mfd = open("/proc/self/maps", O_RDONLY);
	long got = 0;
	ssize_t r;
	while (mfd >= 0 && got < (long)sizeof(buf2) - 8 && (r = read(mfd, buf2 + got, 7)) > 0)
		got += r;
	if (mfd >= 0)
		close(mfd);
	check(got == len && !memcmp(buf, buf2, (size_t)len), "maps_small_reads",
	      "%ld bytes in 7-byte reads, %ld in one", got, len);
out:
	syscall(SYS_brk, brk0);
	if (filemap != MAP_FAILED)
		munmap(filemap, 4096);
	if (fd >= 0)
		close(fd);
	if (anon != MAP_FAILED)
		munmap(anon, 3 * 4096);
}

/* ---- status, stat, statm ------------------------------------------------------------- */

/* The 16-hex-digit signal set of a status line. */
static unsigned long long sigset_field(const char *text, const char *key)
{
	const char *v = field(text, key);
	return v ? strtoull(v, NULL, 16) : ~0ULL;
}

static void on_hup(int sig) {}
static int parse_stat(const char *text, unsigned long long *f, char *comm, size_t cap);

/* The keys of Linux 6.1's status, in order (later kernels add lines between them). */
static const char *const status_keys[] = {
	"Name", "Umask", "State", "Tgid", "Ngid", "Pid", "PPid", "TracerPid", "Uid", "Gid",
	"FDSize", "Groups", "NStgid", "NSpid", "NSpgid", "NSsid", "VmPeak", "VmSize", "VmLck",
	"VmPin", "VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem", "VmData", "VmStk", "VmExe",
	"VmLib", "VmPTE", "VmSwap", "HugetlbPages", "CoreDumping", "THP_enabled", "Threads",
	"SigQ", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt", "CapInh", "CapPrm", "CapEff",
	"CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "Seccomp_filters",
	"Speculation_Store_Bypass", "SpeculationIndirectBranch", "Cpus_allowed",
	"Cpus_allowed_list", "Mems_allowed", "Mems_allowed_list", "voluntary_ctxt_switches",
	"nonvoluntary_ctxt_switches",
};

static void status_layout(const char *comm)
{
	/* Every key, in order. */
	const char *at = buf;
	const char *missing = NULL;
	for (size_t i = 0; i < sizeof(status_keys) / sizeof(status_keys[0]); i++) {
		char key[64];
		snprintf(key, sizeof(key), "\n%s:", status_keys[i]);
		const char *p = i == 0 ? (strncmp(buf, "Name:", 5) ? NULL : buf) : strstr(at, key);
		if (!p) {
			missing = status_keys[i];
			break;
		}
		at = p + 1;
	}
	check(!missing, "status_keys_in_order", "%s: missing or out of order", missing);

	char want[64], line[128];
	snprintf(want, sizeof(want), "Name:\t%s", comm);
	check(line_with(buf, "Name:", line, sizeof(line)) && !strcmp(line, want), "status_name",
	      "\"%s\", expected \"%s\"", line, want);
	check(line_with(buf, "Umask:", line, sizeof(line)) && !strcmp(line, "Umask:\t0022"),
	      "status_umask", "\"%s\" after umask(022)", line);
	check(line_with(buf, "State:", line, sizeof(line)) && !strcmp(line, "State:\tR (running)"),
	      "status_state", "\"%s\"", line);
	/* Memory lines: "VmRSS:\t" then the number right-aligned in 8 columns and " kB". */
	int ok = line_with(buf, "VmRSS:", line, sizeof(line));
	check(ok && strlen(line) == strlen("VmRSS:\t") + 8 + 3 && !strcmp(line + strlen(line) - 3, " kB"),
	      "status_kb_format", "\"%s\"", line);
	check(line_with(buf, "Groups:", line, sizeof(line)), "status_groups", "no Groups line");
	check(line_with(buf, "CapBnd:", line, sizeof(line)) && strlen(line) == 8 + 16,
	      "status_cap_format", "\"%s\": 16 hex digits expected", line);
}

static void status(const char *comm)
{
	if (!check(slurp("/proc/self/status") > 0, "status_readable", "%s", errno_name(errno)))
		return;
	status_layout(comm);
	check_eq("status_pid", field_long(buf, "Pid"), getpid());
	check_eq("status_tgid", field_long(buf, "Tgid"), getpid());
	check_eq("status_ppid", field_long(buf, "PPid"), getppid());
	check_eq("status_tracerpid", field_long(buf, "TracerPid"), 0);
	check_eq("status_threads", field_long(buf, "Threads"), 1);
	unsigned u[4] = { 9, 9, 9, 9 }, g[4] = { 9, 9, 9, 9 };
	const char *uid = field(buf, "Uid"), *gid = field(buf, "Gid");
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	getresuid(&ru, &eu, &su);
	getresgid(&rg, &eg, &sg);
	check(uid && sscanf(uid, "%u %u %u %u", &u[0], &u[1], &u[2], &u[3]) == 4 && u[0] == ru &&
		      u[1] == eu && u[2] == su && u[3] == eu,
	      "status_uid", "Uid: %u %u %u %u, getresuid %u %u %u", u[0], u[1], u[2], u[3], ru, eu, su);
	check(gid && sscanf(gid, "%u %u %u %u", &g[0], &g[1], &g[2], &g[3]) == 4 && g[0] == rg &&
		      g[1] == eg && g[2] == sg && g[3] == eg,
	      "status_gid", "Gid: %u %u %u %u, getresgid %u %u %u", g[0], g[1], g[2], g[3], rg, eg, sg);
	long size = field_long(buf, "VmSize"), rss = field_long(buf, "VmRSS");
	long peak = field_long(buf, "VmPeak"), hwm = field_long(buf, "VmHWM");
	long anon = field_long(buf, "RssAnon"), file = field_long(buf, "RssFile");
	long shmem = field_long(buf, "RssShmem");
	check(rss > 0 && size >= rss && peak >= size && hwm >= rss, "status_vm_sizes",
	      "VmPeak %ld VmSize %ld VmHWM %ld VmRSS %ld", peak, size, hwm, rss);
	check(anon + file + shmem == rss, "status_rss_split", "RssAnon %ld + RssFile %ld + "
	      "RssShmem %ld != VmRSS %ld", anon, file, shmem, rss);
	long stk = field_long(buf, "VmStk"), exe_kb = field_long(buf, "VmExe");
	check(stk > 0 && exe_kb > 0 && field_long(buf, "VmData") > 0, "status_vm_parts",
	      "VmStk %ld VmExe %ld VmData %ld", stk, exe_kb, field_long(buf, "VmData"));
	check(field_long(buf, "FDSize") >= 64, "status_fdsize", "FDSize %ld",
	      field_long(buf, "FDSize"));
	const char *list = field(buf, "Cpus_allowed_list");
	check(list && count_cpu_list(list) == cpus_allowed(), "status_cpus_allowed_list",
	      "\"%.20s\": %d CPUs, sched_getaffinity has %d", list ? list : "", list ?
	      count_cpu_list(list) : -1, cpus_allowed());
	check(sigset_field(buf, "CapEff") == sigset_field(buf, "CapPrm"), "status_cap_eff_prm",
	      "CapEff %llx CapPrm %llx", sigset_field(buf, "CapEff"), sigset_field(buf, "CapPrm"));
	check_eq("status_seccomp", field_long(buf, "Seccomp"), 0);
}

/* Signal state shows in SigBlk, SigPnd, SigIgn and SigCgt. */
static void status_signals(void)
{
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	raise(SIGUSR1); /* pending: it is blocked */
	signal(SIGUSR2, SIG_IGN);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	if (check(slurp("/proc/self/status") > 0, "status_reread", "%s", errno_name(errno))) {
		unsigned long long blk = sigset_field(buf, "SigBlk"), pnd = sigset_field(buf, "SigPnd");
		unsigned long long shd = sigset_field(buf, "ShdPnd");
		unsigned long long ign = sigset_field(buf, "SigIgn"), cgt = sigset_field(buf, "SigCgt");
		check(blk != ~0ULL && (blk & (1ULL << (SIGUSR1 - 1))), "status_sigblk", "SigBlk %016llx",
		      blk);
		check(((pnd | shd) & (1ULL << (SIGUSR1 - 1))), "status_sigpnd", "SigPnd %016llx ShdPnd "
		      "%016llx", pnd, shd);
		check(ign != ~0ULL && (ign & (1ULL << (SIGUSR2 - 1))), "status_sigign", "SigIgn %016llx",
		      ign);
		check(cgt != ~0ULL && (cgt & (1ULL << (SIGHUP - 1))) && !(cgt & (1ULL << (SIGUSR2 - 1))),
		      "status_sigcgt", "SigCgt %016llx", cgt);
		check(field_long(buf, "SigQ") >= 0, "status_sigq", "no SigQ");
	}
	/* stat's obsolete decimal fields 31..34 (signal, blocked, sigignore, sigcatch) agree. */
	unsigned long long f[64] = { 0 };
	char c[64];
	if (slurp("/proc/self/stat") > 0 && parse_stat(buf, f, c, sizeof(c)) == 52)
		check((f[31] & (1ULL << (SIGUSR1 - 1))) && (f[32] & (1ULL << (SIGUSR1 - 1))) &&
			      (f[33] & (1ULL << (SIGUSR2 - 1))) && (f[34] & (1ULL << (SIGHUP - 1))),
		      "stat_signal_fields", "signal %llu blocked %llu ignore %llu catch %llu", f[31],
		      f[32], f[33], f[34]);
	else
		fail("stat_signal_fields", "stat unreadable or not 52 fields");
	/* Ignoring a pending signal discards it; then it can be unblocked. */
	signal(SIGUSR1, SIG_IGN);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGHUP, &sa, NULL);
}

/* stat's fields 1..52, numbered as proc(5) numbers them; comm into *comm. */
static int parse_stat(const char *text, unsigned long long *f, char *comm, size_t cap)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	if (!open || !close || close < open)
		return 0;
	f[1] = strtoull(text, NULL, 10);
	snprintf(comm, cap, "%.*s", (int)(close - open - 1), open + 1);
	f[3] = (unsigned char)close[2];
	int n = 3;
	const char *p = close + 3;
	while (*p == ' ' && n < 60) {
		char *end;
		unsigned long long v = p[1] == '-' ? (unsigned long long)strtoll(p + 1, &end, 10)
						   : strtoull(p + 1, &end, 10);
		if (end == p + 1)
			break;
		f[++n] = v;
		p = end;
	}
	return *p == '\n' ? n : -n;
}

static unsigned long string_end(const char *s) { return (unsigned long)s + strlen(s) + 1; }

static void stat_file(const char *comm)
{
	unsigned long long f[64] = { 0 };
	char c[64];
	if (!check(slurp("/proc/self/status") > 0, "status_for_stat", "%s", errno_name(errno)))
		return;
	long vmsize = field_long(buf, "VmSize"), vmrss = field_long(buf, "VmRSS");
	if (!check(slurp("/proc/self/stat") > 0, "stat_readable", "%s", errno_name(errno)))
		return;
	int n = parse_stat(buf, f, c, sizeof(c));
	check_eq("stat_52_fields", n, 52);
	check_eq("stat_pid", (long)f[1], getpid());
	check(!strcmp(c, comm), "stat_comm", "(%s), expected (%s)", c, comm);
	check(f[3] == 'R', "stat_state", "'%c'", (char)f[3]);
	check_eq("stat_ppid", (long)f[4], getppid());
	check_eq("stat_pgrp", (long)f[5], getpgrp());
	check_eq("stat_session", (long)f[6], getsid(0));
	check_eq("stat_num_threads", (long)f[20], 1);
	check_eq("stat_exit_signal", (long)f[38], SIGCHLD);
	check(f[23] == (unsigned long long)vmsize * 1024, "stat_vsize", "vsize %llu, VmSize %ld kB",
	      f[23], vmsize);
	/* Linux's stat reads the RSS counters without summing the per-CPU parts: it may lag. */
	check(f[24] * 4 <= (unsigned long long)vmrss + 64, "stat_rss", "rss %llu pages, VmRSS %ld kB",
	      f[24], vmrss);
	struct rlimit rl;
	getrlimit(RLIMIT_RSS, &rl);
	check(f[25] == (unsigned long long)rl.rlim_cur, "stat_rsslim", "%llu, RLIMIT_RSS %llu", f[25],
	      (unsigned long long)rl.rlim_cur);
	unsigned long code = (unsigned long)&stat_file;
	check(f[26] <= code && code < f[27], "stat_code_range", "startcode %#llx endcode %#llx, "
	      "code at %#lx", f[26], f[27], code);
	/* startstack is where argc is: the word below argv[]. */
	check(f[28] == (unsigned long)(g_argv - 1), "stat_startstack", "%#llx, argc at %p", f[28],
	      (void *)(g_argv - 1));
	check(f[45] <= f[46] && f[45] >= f[26], "stat_data_range", "start_data %#llx end_data %#llx",
	      f[45], f[46]);
	unsigned long brk = (unsigned long)syscall(SYS_brk, 0);
	check(f[47] && f[47] <= brk, "stat_start_brk", "start_brk %#llx, brk %#lx", f[47], brk);
	check(f[48] == (unsigned long)g_argv[0] && f[49] == string_end(g_argv[g_argc - 1]),
	      "stat_arg_range", "%#llx-%#llx, argv[0] at %p", f[48], f[49], (void *)g_argv[0]);
	unsigned long env_start = f[49], env_end = f[49];
	if (initial_env[0]) {
		char **e = initial_env;
		env_start = (unsigned long)e[0];
		while (e[1])
			e++;
		env_end = string_end(e[0]);
	}
	check(f[50] == env_start && f[51] == env_end, "stat_env_range", "%#llx-%#llx, expected "
	      "%#lx-%#lx", f[50], f[51], env_start, env_end);
	check_eq("stat_exit_code", (long)f[52], 0);

	/* starttime: clock ticks after boot, not after now. */
	struct timespec bt;
	clock_gettime(CLOCK_BOOTTIME, &bt);
	long long now_ticks = (long long)bt.tv_sec * 100 + bt.tv_nsec / 10000000;
	check((long long)f[22] <= now_ticks + 1, "stat_starttime", "starttime %llu ticks, boot "
	      "time now %lld", f[22], now_ticks);

	/* statm: size resident shared text lib data dt, in pages. */
	unsigned long m[7] = { 0 };
	if (check(slurp("/proc/self/statm") > 0, "statm_readable", "%s", errno_name(errno))) {
		int k = sscanf(buf, "%lu %lu %lu %lu %lu %lu %lu", &m[0], &m[1], &m[2], &m[3], &m[4],
			       &m[5], &m[6]);
		check(k == 7 && m[0] * 4096 == f[23] && m[2] <= m[1] && m[3] > 0 && m[4] == 0 &&
			      m[6] == 0 && labs((long)m[1] * 4 - vmrss) <= 64,
		      "statm_fields", "%d fields: %lu %lu %lu %lu %lu %lu %lu; vsize %llu, VmRSS %ld kB",
		      k, m[0], m[1], m[2], m[3], m[4], m[5], m[6], f[23], vmrss);
	}

	/* The thread's own stat and status. */
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", my_tid());
	memset(f, 0, sizeof(f));
	check(slurp(path) > 0 && parse_stat(buf, f, c, sizeof(c)) == 52 && (long)f[1] == my_tid() &&
		      !strcmp(c, comm),
	      "task_stat", "%s: pid %llu comm (%s)", path, f[1], c);
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", my_tid());
	check(slurp(path) > 0 && field_long(buf, "Pid") == my_tid() &&
		      field_long(buf, "Tgid") == getpid(),
	      "task_status", "%s: Pid %ld Tgid %ld", path, field_long(buf, "Pid"),
	      field_long(buf, "Tgid"));
	int numeric = 0;
	char tid[16];
	snprintf(tid, sizeof(tid), "%d", my_tid());
	check(dir_has("/proc/self/task", tid, &numeric) && numeric == 1, "task_dir",
	      "%d numeric entries in /proc/self/task, expected just %s", numeric, tid);
}

/* ---- comm ---------------------------------------------------------------------------- */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	errno = e;
	return (int)n;
}

static void comm(const char *orig)
{
	char name[32] = { 0 }, path[64];
	check(slurp("/proc/self/comm") > 0 && (strip_newline(buf), !strcmp(buf, orig)),
	      "comm_is_exe_name", "\"%s\", expected \"%s\"", buf, orig);
	check_eq("comm_write", write_file("/proc/self/comm", "renamed"), 7);
	prctl(PR_GET_NAME, name);
	check(!strcmp(name, "renamed"), "comm_write_sets_name", "PR_GET_NAME \"%s\"", name);
	check(slurp("/proc/self/status") > 0 && !strncmp(field(buf, "Name") ?: "", "renamed\n", 8),
	      "comm_write_status", "Name: %.20s", field(buf, "Name") ?: "(none)");
	check(slurp("/proc/self/stat") > 0 && strstr(buf, " (renamed) "), "comm_write_stat",
	      "%.40s", buf);
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", my_tid());
	check(slurp(path) > 0 && !strcmp(buf, "renamed\n"), "task_comm", "\"%s\"", buf);
	/* Longer names are cut to 15 bytes; the whole write is taken. */
	check_eq("comm_write_long", write_file(path, "abcdefghijklmnopqrstuvwxyz"), 26);
	check(slurp("/proc/self/comm") > 0 && !strcmp(buf, "abcdefghijklmno\n"), "comm_truncated",
	      "\"%s\"", buf);
	prctl(PR_SET_NAME, orig);
}

/* ---- limits -------------------------------------------------------------------------- */

/* The soft and hard columns of a limits row ("unlimited" is RLIM_INFINITY). */
static int limit_row(const char *text, const char *name, rlim_t *soft, rlim_t *hard)
{
	char line[256], a[32], b[32];
	if (!line_with(text, name, line, sizeof(line)) || sscanf(line + 26, "%31s %31s", a, b) != 2)
		return 0;
	*soft = strcmp(a, "unlimited") ? strtoull(a, NULL, 10) : RLIM_INFINITY;
	*hard = strcmp(b, "unlimited") ? strtoull(b, NULL, 10) : RLIM_INFINITY;
	return 1;
}

static void limits(void)
{
	if (!check(slurp("/proc/self/limits") > 0, "limits_readable", "%s", errno_name(errno)))
		return;
	char line[256];
	check(line_with(buf, "Limit", line, sizeof(line)) &&
		      !strcmp(line, "Limit                     Soft Limit           "
				    "Hard Limit           Units     "),
	      "limits_header", "\"%s\"", line);
	int rows = 0;
	for (const char *p = buf; (p = strstr(p, "\nMax ")); p++)
		rows++;
	check_eq("limits_rows", rows, 16);
	struct { int res; const char *name; } rs[] = {
		{ RLIMIT_NOFILE, "Max open files" }, { RLIMIT_STACK, "Max stack size" },
		{ RLIMIT_CORE, "Max core file size" }, { RLIMIT_AS, "Max address space" },
		{ RLIMIT_SIGPENDING, "Max pending signals" },
	};
	for (size_t i = 0; i < sizeof(rs) / sizeof(rs[0]); i++) {
		struct rlimit r;
		rlim_t soft = 0, hard = 0;
		getrlimit(rs[i].res, &r);
		char name[64];
		snprintf(name, sizeof(name), "limits_%d", rs[i].res);
		check(limit_row(buf, rs[i].name, &soft, &hard) && soft == r.rlim_cur &&
			      hard == r.rlim_max,
		      name, "%s: %llu %llu, getrlimit %llu %llu", rs[i].name,
		      (unsigned long long)soft, (unsigned long long)hard,
		      (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max);
	}
	check(line_with(buf, "Max open files", line, sizeof(line)) && strlen(line) == 26 + 21 + 21 + 10,
	      "limits_columns", "\"%s\"", line);
	/* A new soft limit shows at once. */
	struct rlimit nf, low;
	getrlimit(RLIMIT_NOFILE, &nf);
	low = nf;
	low.rlim_cur = 512 < nf.rlim_cur ? 512 : nf.rlim_cur;
	setrlimit(RLIMIT_NOFILE, &low);
	rlim_t soft = 0, hard = 0;
	check(slurp("/proc/self/limits") > 0 && limit_row(buf, "Max open files", &soft, &hard) &&
		      soft == low.rlim_cur,
	      "limits_follow_setrlimit", "soft %llu after setting %llu", (unsigned long long)soft,
	      (unsigned long long)low.rlim_cur);
	setrlimit(RLIMIT_NOFILE, &nf);
}

/* ---- cmdline, environ, auxv ---------------------------------------------------------- */

static void args(void)
{
	long n = slurp("/proc/self/cmdline");
	size_t want = 0;
	int same = n > 0;
	for (int i = 0; i < g_argc; i++) {
		size_t k = strlen(g_argv[i]) + 1;
		if (same && (want + k > (size_t)n || memcmp(buf + want, g_argv[i], k)))
			same = 0;
		want += k;
	}
	check(same && (size_t)n == want, "cmdline", "%ld bytes, argv has %zu", n, want);
	n = slurp("/proc/self/environ");
	want = 0;
	same = n >= 0;
	for (char **e = initial_env; *e; e++) {
		size_t k = strlen(*e) + 1;
		if (same && (want + k > (size_t)n || memcmp(buf + want, *e, k)))
			same = 0;
		want += k;
	}
	check(same && (size_t)n == want, "environ", "%ld bytes, the environment has %zu", n, want);

	n = slurp("/proc/self/auxv");
	const unsigned long *av = (const unsigned long *)buf;
	long words = n / 8;
	int pagesz = 0, entry = 0, phdr = 0, rnd = 0, ends = words >= 2 && av[words - 2] == 0;
	for (long i = 0; i + 1 < words; i += 2) {
		if (av[i] == AT_PAGESZ)
			pagesz = av[i + 1] == 4096;
		if (av[i] == AT_ENTRY)
			entry = av[i + 1] == getauxval(AT_ENTRY);
		if (av[i] == AT_PHDR)
			phdr = av[i + 1] == getauxval(AT_PHDR);
		if (av[i] == AT_RANDOM)
			rnd = av[i + 1] == getauxval(AT_RANDOM);
	}
	check(n > 0 && n % 16 == 0 && ends && pagesz && entry && phdr && rnd, "auxv",
	      "%ld bytes; AT_NULL last %d, PAGESZ %d ENTRY %d PHDR %d RANDOM %d", n, ends, pagesz,
	      entry, phdr, rnd);
}

/* ---- mounts, cgroup, oom_score_adj --------------------------------------------------- */

static void mounts(void)
{
	long n = slurp("/proc/self/mounts");
	long n2 = slurp_into("/proc/mounts", buf2, sizeof(buf2));
	check(n > 0 && n == n2 && !memcmp(buf, buf2, (size_t)n), "mounts_same_as_proc_mounts",
	      "%ld and %ld bytes", n, n2);
	int root = 0, proc = 0;
	for (const char *line = buf; line && *line;) {
		char src[256], point[256], type[64], opts[256];
		int a, b;
		if (sscanf(line, "%255s %255s %63s %255s %d %d", src, point, type, opts, &a, &b) == 6) {
			root |= !strcmp(point, "/");
			proc |= !strcmp(point, "/proc") && !strcmp(type, "proc");
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	check(root && proc, "mounts_root_and_proc", "root %d, proc %d", root, proc);

	/* mountinfo: each mount point's major:minor is what stat says of it. */
	if (!check(slurp("/proc/self/mountinfo") > 0, "mountinfo_readable", "%s", errno_name(errno)))
		return;
	const char *points[] = { "/", "/proc", "/sys" };
	for (int i = 0; i < 3; i++) {
		struct stat st;
		stat(points[i], &st);
		int found = 0, form = 1;
		for (const char *line = buf; line && *line;) {
			int id, parent;
			unsigned maj, min;
			char root[256], point[256];
			if (sscanf(line, "%d %d %u:%u %255s %255s", &id, &parent, &maj, &min, root,
				   point) != 6) {
				form = 0;
			} else if (!strcmp(point, points[i])) {
				const char *eol = strchr(line, '\n');
				const char *dash = strstr(line, " - ");
				found = maj == major(st.st_dev) && min == minor(st.st_dev) && dash &&
					(!eol || dash < eol);
			}
			line = strchr(line, '\n');
			line = line ? line + 1 : NULL;
		}
		char name[32];
		snprintf(name, sizeof(name), "mountinfo_%s", i == 0 ? "root" : points[i] + 1);
		check(found && form, name, "no well-formed line for %s with device %u:%u", points[i],
		      major(st.st_dev), minor(st.st_dev));
	}
}

static void cgroup_and_oom(void)
{
	check(slurp("/proc/self/cgroup") > 0 && (!strncmp(buf, "0::", 3) || strstr(buf, "\n0::")),
	      "cgroup_v2_line", "\"%.40s\"", buf);
	long adj = slurp("/proc/self/oom_score_adj") > 0 ? strtol(buf, NULL, 10) : -9999;
	check(adj >= -1000 && adj <= 1000, "oom_score_adj", "\"%.12s\"", buf);
	char text[16];
	snprintf(text, sizeof(text), "%ld\n", adj);
	check_eq("oom_score_adj_write", write_file("/proc/self/oom_score_adj", text),
		 (long)strlen(text));
	check_errno("oom_score_adj_range", write_file("/proc/self/oom_score_adj", "1001"), EINVAL);
}

/* The small per-process files. */
static void small_files(void)
{
	char want[32];
	snprintf(want, sizeof(want), "%08x\n", (unsigned)personality(0xffffffff));
	check(slurp("/proc/self/personality") > 0 && !strcmp(buf, want), "personality",
	      "\"%s\", expected \"%s\"", buf, want);
	unsigned a, b, c;
	check(slurp("/proc/self/uid_map") > 0 && sscanf(buf, "%u %u %u", &a, &b, &c) == 3 &&
		      slurp("/proc/self/gid_map") > 0 && sscanf(buf, "%u %u %u", &a, &b, &c) == 3,
	      "id_maps", "\"%s\"", buf);
	long score = slurp("/proc/self/oom_score") > 0 ? strtol(buf, NULL, 10) : -1;
	check(score >= 0 && score <= 2000, "oom_score", "\"%s\"", buf);
	/* The reading thread runs: no wait channel. */
	check(slurp("/proc/self/wchan") >= 0 && !strcmp(buf, "0"), "wchan", "\"%s\"", buf);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", my_tid());
	check(slurp(path) == 0, "task_children", "\"%s\" (%s)", buf, errno_name(errno));
}

/* ---- cpuinfo ------------------------------------------------------------------------- */

static int has_flag(const char *flags, const char *name)
{
	size_t k = strlen(name);
	for (const char *p = flags; (p = strstr(p, name)); p++)
		if ((p == flags || p[-1] == ' ') && (p[k] == ' ' || p[k] == '\n' || p[k] == 0))
			return 1;
	return 0;
}

static void cpuinfo(void)
{
	if (!check(slurp("/proc/cpuinfo") > 0, "cpuinfo_readable", "%s", errno_name(errno)))
		return;
	int processors = 0, listed_all = 1;
	for (const char *p = buf; (p = strstr(p, "processor\t: ")); p++)
		processors++;
	cpu_set_t set;
	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof(set), &set);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		char want[32];
		snprintf(want, sizeof(want), "processor\t: %d\n", c);
		if (CPU_ISSET(c, &set) && !strstr(buf, want))
			listed_all = 0;
	}
	check(processors >= CPU_COUNT(&set) && listed_all, "cpuinfo_processors",
	      "%d processor lines, %d CPUs in the affinity mask", processors, CPU_COUNT(&set));

	unsigned a, b, c, d, max;
	char vendor[13] = { 0 }, line[4096];
	__cpuid(0, max, b, c, d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	check(line_with(buf, "vendor_id", line, sizeof(line)) && !strcmp(field(line, "vendor_id"), vendor),
	      "cpuinfo_vendor", "\"%s\", CPUID says %s", line, vendor);
	unsigned sig, ebx1, ecx1, edx1;
	__cpuid(1, sig, ebx1, ecx1, edx1);
	unsigned family = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;
	if (family == 0xf)
		family += (sig >> 20) & 0xff;
	if (family >= 6)
		model += ((sig >> 16) & 0xf) << 4;
	check(field_long(buf, "cpu family") == family && field_long(buf, "model") == model &&
		      field_long(buf, "stepping") == (sig & 0xf),
	      "cpuinfo_signature", "family %ld model %ld stepping %ld, CPUID %u %u %u",
	      field_long(buf, "cpu family"), field_long(buf, "model"), field_long(buf, "stepping"),
	      family, model, sig & 0xf);
	check_eq("cpuinfo_cpuid_level", field_long(buf, "cpuid level"), max);

	/* The model name: Linux shows the brand string trimmed (though a hypervisor may have
	 * changed the brand since the kernel read it), so only its form is checked. */
	unsigned maxext, brand[12] = { 0 };
	__cpuid(0x80000000, maxext, b, c, d);
	if (maxext >= 0x80000004) {
		for (unsigned i = 0; i < 3; i++)
			__cpuid(0x80000002 + i, brand[i * 4], brand[i * 4 + 1], brand[i * 4 + 2],
				brand[i * 4 + 3]);
		char *s = (char *)brand;
		while (*s == ' ')
			s++;
		size_t k = strlen(s);
		while (k && s[k - 1] == ' ')
			s[--k] = 0;
		const char *got = field(buf, "model name");
		const char *eol = got ? strchr(got, '\n') : NULL;
		check(got && eol && eol > got && eol[-1] != ' ' && *got != ' ', "cpuinfo_model_name",
		      "\"%.*s\", CPUID brand \"%s\"", eol && got ? (int)(eol - got) : 0,
		      got ? got : "", s);
	}

	/* Flags: a feature is listed exactly when CPUID has it (and, for AVX, the OS enabled
	 * its registers). */
	if (!check(line_with(buf, "flags", line, sizeof(line)), "cpuinfo_flags", "no flags line"))
		return;
	unsigned b7 = 0, c7 = 0, d7 = 0, ext_c = 0, ext_d = 0;
	if (max >= 7)
		__cpuid_count(7, 0, a, b7, c7, d7);
	if (maxext >= 0x80000001)
		__cpuid(0x80000001, a, b, ext_c, ext_d);
	unsigned long long xcr0 = 0;
	if (ecx1 & (1u << 27)) {
		unsigned lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		xcr0 = ((unsigned long long)hi << 32) | lo;
	}
	int avx_os = (xcr0 & 6) == 6;
	struct { const char *name; int has; } fl[] = {
		{ "fpu", edx1 & 1 }, { "tsc", edx1 & (1 << 4) }, { "cx8", edx1 & (1 << 8) },
		{ "cmov", edx1 & (1 << 15) }, { "mmx", edx1 & (1 << 23) }, { "fxsr", edx1 & (1 << 24) },
		{ "sse", edx1 & (1 << 25) }, { "sse2", edx1 & (1 << 26) }, { "pni", ecx1 & 1 },
		{ "ssse3", ecx1 & (1 << 9) }, { "cx16", ecx1 & (1 << 13) },
		{ "sse4_1", ecx1 & (1 << 19) }, { "sse4_2", ecx1 & (1 << 20) },
		{ "popcnt", ecx1 & (1 << 23) }, { "aes", ecx1 & (1 << 25) },
		{ "rdrand", ecx1 & (1 << 30) }, { "avx", (ecx1 & (1 << 28)) && avx_os },
		{ "avx2", (b7 & (1 << 5)) && avx_os }, { "bmi1", b7 & (1 << 3) },
		{ "bmi2", b7 & (1 << 8) }, { "adx", b7 & (1 << 19) }, { "rdseed", b7 & (1 << 18) },
		{ "sha_ni", b7 & (1 << 29) }, { "syscall", ext_d & (1 << 11) },
		{ "nx", ext_d & (1 << 20) }, { "lm", ext_d & (1 << 29) }, { "lahf_lm", ext_c & 1 },
	};
	char wrong[512] = "";
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
		if (!!fl[i].has != has_flag(line, fl[i].name))
			snprintf(wrong + strlen(wrong), sizeof(wrong) - strlen(wrong), " %s%s",
				 fl[i].has ? "-" : "+", fl[i].name);
	check(!wrong[0], "cpuinfo_flags_match_cpuid", "flags differ from CPUID:%s", wrong);

	double mhz = field(buf, "cpu MHz") ? atof(field(buf, "cpu MHz")) : 0;
	double mips = field(buf, "bogomips") ? atof(field(buf, "bogomips")) : 0;
	check(mhz > 0 && mips > 0, "cpuinfo_mhz_bogomips", "cpu MHz %.3f bogomips %.2f", mhz, mips);
	if (maxext >= 0x80000008) {
		__cpuid(0x80000008, a, b, c, d);
		char want[80];
		snprintf(want, sizeof(want), "%u bits physical, %u bits virtual\n", a & 0xff,
			 (a >> 8) & 0xff);
		const char *got = field(buf, "address sizes");
		check(got && !strncmp(got, want, strlen(want)), "cpuinfo_address_sizes",
		      "\"%.50s\", CPUID says %s", got ? got : "", want);
	}
	check(field_long(buf, "clflush size") == (long)((ebx1 >> 8) & 0xff) * 8,
	      "cpuinfo_clflush", "%ld, CPUID %u", field_long(buf, "clflush size"),
	      ((ebx1 >> 8) & 0xff) * 8);
}

/* ---- meminfo, stat, uptime, loadavg -------------------------------------------------- */

static void meminfo(void)
{
	if (!check(slurp("/proc/meminfo") > 0, "meminfo_readable", "%s", errno_name(errno)))
		return;
	struct sysinfo si;
	sysinfo(&si);
	long total = field_long(buf, "MemTotal"), free_kb = field_long(buf, "MemFree");
	unsigned long long want = (unsigned long long)si.totalram * si.mem_unit / 1024;
	check((unsigned long long)total == want, "meminfo_memtotal", "MemTotal %ld kB, sysinfo %llu kB",
	      total, want);
	check(free_kb > 0 && free_kb <= total, "meminfo_memfree", "MemFree %ld", free_kb);
	check(!strncmp(buf, "MemTotal:", 9) && strstr(buf, "\nMemFree:") &&
		      strstr(buf, "\nMemAvailable:") &&
		      strstr(buf, "\nMemFree:") < strstr(buf, "\nMemAvailable:"),
	      "meminfo_order", "MemTotal, MemFree, MemAvailable do not lead");
	/* Every line is "Key:" padded to 16 columns (or more), then a number, then maybe kB. */
	int bad = 0, lines = 0;
	for (const char *line = buf; *line;) {
		const char *eol = strchr(line, '\n');
		if (!eol)
			break;
		const char *colon = memchr(line, ':', (size_t)(eol - line));
		const char *p = colon ? colon + 1 : eol;
		while (*p == ' ')
			p++;
		char *end;
		strtoul(p, &end, 10);
		if (!colon || end == p || (*end != '\n' && strncmp(end, " kB\n", 4)))
			bad++;
		lines++;
		line = eol + 1;
	}
	check(lines > 20 && !bad, "meminfo_lines", "%d of %d lines malformed", bad, lines);
	char line[128];
	check(line_with(buf, "MemTotal:", line, sizeof(line)) && strlen(line) >= 16 + 8 + 3,
	      "meminfo_columns", "\"%s\"", line);
	check(field(buf, "SwapTotal") && field(buf, "Hugepagesize") && field(buf, "Committed_AS"),
	      "meminfo_keys", "SwapTotal, Hugepagesize or Committed_AS missing");
}

static void system_stat(void)
{
	if (!check(slurp("/proc/stat") > 0, "stat_file_readable", "%s", errno_name(errno)))
		return;
	unsigned long long v[10];
	check(sscanf(buf, "cpu  %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		     &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) == 10,
	      "stat_cpu_line", "\"%.60s\"", buf);
	int cpus = 0;
	for (const char *p = buf; (p = strstr(p, "\ncpu")); p++)
		cpus += isdigit((unsigned char)p[4]) != 0;
	check_eq("stat_cpu_lines", cpus, sysconf(_SC_NPROCESSORS_ONLN));
	const char *b = strstr(buf, "\nbtime ");
	long long boot = b ? atoll(b + 7) : 0;
	struct timespec rt, bt;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	long long diff = boot + bt.tv_sec - rt.tv_sec;
	check(b && llabs(diff) <= 2, "stat_btime", "btime %lld + boot time %ld s differs from the "
	      "wall clock %ld by %lld s", boot, (long)bt.tv_sec, (long)rt.tv_sec, diff);
	const char *keys[] = { "\nintr ", "\nctxt ", "\nprocesses ", "\nprocs_running ",
			       "\nprocs_blocked ", "\nsoftirq " };
	const char *missing = NULL;
	for (int i = 0; i < 6; i++)
		if (!strstr(buf, keys[i]))
			missing = keys[i] + 1;
	check(!missing, "stat_keys", "no %s line", missing);
	const char *r = strstr(buf, "\nprocs_running ");
	check(r && atol(r + 15) >= 1, "stat_procs_running", "%.20s", r ? r + 1 : "");
}

static void uptime_loadavg(void)
{
	struct timespec bt;
	double up = -1, idle = -1;
	if (check(slurp("/proc/uptime") > 0 && sscanf(buf, "%lf %lf", &up, &idle) == 2,
		  "uptime_format", "\"%s\"", buf)) {
		clock_gettime(CLOCK_BOOTTIME, &bt);
		double now = bt.tv_sec + bt.tv_nsec / 1e9;
		check(up <= now + 0.01 && now - up < 1.5 && idle >= 0, "uptime_value",
		      "uptime %.2f idle %.2f, CLOCK_BOOTTIME %.2f", up, idle, now);
		char *dot = strchr(buf, '.');
		check(dot && isdigit((unsigned char)dot[1]) && isdigit((unsigned char)dot[2]) &&
			      dot[3] == ' ',
		      "uptime_two_decimals", "\"%s\"", buf);
	}
	double l1, l5, l15;
	int run, total, last;
	check(slurp("/proc/loadavg") > 0 &&
		      sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &total, &last) == 6 &&
		      run >= 1 && total >= run && last >= 1,
	      "loadavg_format", "\"%s\"", buf);
}

/* ---- sys/kernel, sys/vm, sys/fs, /sys ------------------------------------------------ */

static int uuid_form(const char *s)
{
	for (int i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	}
	return s[36] == '\n' && s[37] == 0;
}

static long file_long(const char *path)
{
	return slurp(path) > 0 ? strtol(buf, NULL, 10) : -1;
}

static void sysctl(void)
{
	struct utsname u;
	uname(&u);
	struct { const char *path, *want, *name; } same[] = {
		{ "/proc/sys/kernel/osrelease", u.release, "osrelease_is_uname" },
		{ "/proc/sys/kernel/ostype", u.sysname, "ostype_is_uname" },
		{ "/proc/sys/kernel/hostname", u.nodename, "hostname_is_uname" },
		{ "/proc/sys/kernel/version", u.version, "version_is_uname" },
	};
	for (int i = 0; i < 4; i++)
		check(slurp(same[i].path) > 0 && (strip_newline(buf), !strcmp(buf, same[i].want)),
		      same[i].name, "\"%s\", uname says \"%s\"", buf, same[i].want);
	char want[256];
	snprintf(want, sizeof(want), "Linux version %s ", u.release);
	check(slurp("/proc/version") > 0 && !strncmp(buf, want, strlen(want)), "proc_version",
	      "\"%.80s\"", buf);
	check(file_long("/proc/sys/kernel/pid_max") > getpid(), "pid_max", "\"%s\"", buf);
	check(file_long("/proc/sys/kernel/threads-max") > 0, "threads_max", "\"%s\"", buf);
	check_eq("ngroups_max", file_long("/proc/sys/kernel/ngroups_max"), 65536);
	long oc = file_long("/proc/sys/vm/overcommit_memory");
	check(oc >= 0 && oc <= 2, "overcommit_memory", "\"%s\"", buf);
	check(file_long("/proc/sys/vm/max_map_count") > 0, "max_map_count", "\"%s\"", buf);
	struct rlimit nf;
	getrlimit(RLIMIT_NOFILE, &nf);
	long nr_open = file_long("/proc/sys/fs/nr_open");
	check(nr_open > 0 && (nf.rlim_max == RLIM_INFINITY || (rlim_t)nr_open >= nf.rlim_max),
	      "nr_open", "%ld, RLIMIT_NOFILE hard %llu", nr_open, (unsigned long long)nf.rlim_max);
	check(slurp("/proc/sys/fs/file-max") > 0 && strtoull(buf, NULL, 10) > 0, "file_max", "\"%s\"",
	      buf);

	char u1[64], u2[64];
	slurp("/proc/sys/kernel/random/uuid");
	snprintf(u1, sizeof(u1), "%s", buf);
	slurp("/proc/sys/kernel/random/uuid");
	snprintf(u2, sizeof(u2), "%s", buf);
	check(uuid_form(u1) && uuid_form(u2), "uuid_form", "\"%s\" \"%s\"", u1, u2);
	check(strcmp(u1, u2) != 0, "uuid_fresh", "two reads gave %s", u1);
	check(u1[14] == '4' && strchr("89ab", u1[19]), "uuid_v4", "%s", u1);
	slurp("/proc/sys/kernel/random/boot_id");
	snprintf(u1, sizeof(u1), "%s", buf);
	slurp("/proc/sys/kernel/random/boot_id");
	snprintf(u2, sizeof(u2), "%s", buf);
	check(uuid_form(u1) && !strcmp(u1, u2), "boot_id", "\"%s\" then \"%s\"", u1, u2);
}

static void sysfs(void)
{
	const char *files[] = { "online", "possible", "present" };
	for (int i = 0; i < 3; i++) {
		char path[80], name[32];
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/%s", files[i]);
		snprintf(name, sizeof(name), "cpu_%s", files[i]);
		check(slurp(path) > 0 && count_cpu_list(buf) >= 1, name, "\"%s\"", buf);
	}
	slurp("/sys/devices/system/cpu/online");
	check_eq("cpu_online_count", count_cpu_list(buf), sysconf(_SC_NPROCESSORS_ONLN));
	struct stat st;
	check(stat("/sys/devices/system/cpu/cpu0", &st) == 0 && S_ISDIR(st.st_mode), "cpu0_dir",
	      "stat failed with %s", errno_name(errno));
	int bracketed = 0, words = 0;
	if (check(slurp("/sys/kernel/mm/transparent_hugepage/enabled") > 0, "thp_enabled",
		  "%s", errno_name(errno))) {
		for (char *w = strtok(buf, " \n"); w; w = strtok(NULL, " \n")) {
			words++;
			if (w[0] == '[' && w[strlen(w) - 1] == ']')
				bracketed++;
		}
		check(words == 3 && bracketed == 1, "thp_enabled_form",
		      "%d words, %d bracketed", words, bracketed);
	}
	/* Sizes: proc files say 0 and sysfs attributes a page; both are read to EOF. */
	struct stat a, b;
	check(stat("/proc/self/status", &a) == 0 && a.st_size == 0 && stat("/proc/meminfo", &b) == 0 &&
		      b.st_size == 0,
	      "proc_size_zero", "st_size %lld and %lld", (long long)a.st_size, (long long)b.st_size);
	check(stat("/sys/devices/system/cpu/online", &a) == 0 && a.st_size == 4096, "sysfs_size_page",
	      "st_size %lld", (long long)a.st_size);
	check(slurp("/proc/filesystems") > 0 && strstr(buf, "nodev\tproc\n") &&
		      strstr(buf, "nodev\tsysfs\n"),
	      "filesystems", "no proc or sysfs line");
}

int main(int argc, char **argv)
{
	check_init("procfs_detail");
	g_argc = argc;
	g_argv = argv;
	initial_env = environ;
	umask(022);
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0)
		exe[n] = 0;
	if (!check(n > 0 && stat(exe, &exe_st) == 0, "exe_path", "readlink or stat failed with %s",
		   errno_name(errno)))
		return check_done();
	/* The thread is named after the executable's file, cut to 15 bytes. */
	char comm_name[16] = { 0 };
	memcpy(comm_name, base_name(exe), strnlen(base_name(exe), sizeof(comm_name) - 1));

	links();
	fds();
	maps();
	status(comm_name);
	status_signals();
	stat_file(comm_name);
	comm(comm_name);
	limits();
	args();
	mounts();
	cgroup_and_oom();
	small_files();
	cpuinfo();
	meminfo();
	system_stat();
	uptime_loadavg();
	sysctl();
	sysfs();
	return check_done();
}
