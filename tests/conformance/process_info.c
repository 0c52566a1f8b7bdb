/*
 * process_info.c: what a single-threaded process learns about itself:
 * ids, limits, CPUs, memory, its executable and its name.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "check.h"

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static void ids(void)
{
	pid_t pid = getpid();
	check(pid > 0, "getpid", "getpid() = %d", pid);
	check_eq("gettid_is_pid", syscall(SYS_gettid), pid);
	pid_t ppid = getppid();
	check(ppid >= 0 && ppid != pid, "getppid", "getppid() = %d, getpid() = %d", ppid,
	      pid);

	uid_t r, e, s;
	gid_t gr, ge, gs;
	check(getresuid(&r, &e, &s) == 0 && r == getuid() && e == geteuid() && s == e,
	      "getresuid", "(%u, %u, %u), getuid %u geteuid %u", r, e, s, getuid(),
	      geteuid());
	check(getresgid(&gr, &ge, &gs) == 0 && gr == getgid() && ge == getegid() &&
		      gs == ge,
	      "getresgid", "(%u, %u, %u), getgid %u getegid %u", gr, ge, gs, getgid(),
	      getegid());
	check(getuid() == geteuid() && getgid() == getegid(), "not_setuid",
	      "uid %u euid %u gid %u egid %u", getuid(), geteuid(), getgid(), getegid());
	int n = getgroups(0, NULL);
	check(n >= 0, "getgroups", "getgroups(0, NULL) = %d (%s)", n, errno_name(errno));
}

static void memory_and_cpus(void)
{
	struct sysinfo si;
	memset(&si, 0xff, sizeof(si));
	if (check_eq("sysinfo", sysinfo(&si), 0)) {
		unsigned long long total = (unsigned long long)si.totalram * si.mem_unit;
		check(si.mem_unit >= 1 && total >= 16ull << 20, "sysinfo_totalram",
		      "totalram %lu x mem_unit %u", si.totalram, si.mem_unit);
		check(si.freeram <= si.totalram, "sysinfo_freeram",
		      "freeram %lu > totalram %lu", si.freeram, si.totalram);
		check(si.procs >= 1, "sysinfo_procs",
		      "procs %u", si.procs);
	}

	cpu_set_t set;
	CPU_ZERO(&set);
	long r = syscall(SYS_sched_getaffinity, 0, sizeof(set), &set);
	/* The raw call returns the size of the kernel's CPU mask in bytes. */
	check(r > 0 && r % 8 == 0 && (size_t)r <= sizeof(set), "sched_getaffinity_raw",
	      "returned %ld (%s)", r, r < 0 ? errno_name(errno) : "ok");
	int ncpu = CPU_COUNT(&set);
	check(ncpu >= 1, "sched_getaffinity_count", "%d CPUs in the mask", ncpu);
	CPU_ZERO(&set);
	check_eq("sched_getaffinity_libc", sched_getaffinity(0, sizeof(set), &set), 0);
	unsigned cpu = ~0u, node = ~0u;
	if (check_eq("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL), 0))
		check(cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set), "getcpu_in_affinity",
		      "running on CPU %u, not in the affinity mask", cpu);
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	check(online >= 1, "nprocessors_onln", "sysconf = %ld", online);
	check_eq("sysconf_pagesize", sysconf(_SC_PAGESIZE), 4096);
	check_eq("sysconf_clk_tck", sysconf(_SC_CLK_TCK), 100);
	check_eq("sched_yield", sched_yield(), 0);

	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	check(getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > 0, "getrusage",
	      "ru_maxrss %ld KiB", ru.ru_maxrss);
}

static int sane(const struct rlimit *r)
{
	return r->rlim_max == RLIM_INFINITY || r->rlim_cur <= r->rlim_max;
}

static void limits(void)
{
	struct rlimit st, nf, raw;

	if (check_eq("getrlimit_stack", getrlimit(RLIMIT_STACK, &st), 0))
		check(sane(&st) && st.rlim_cur > 0, "rlimit_stack_sane",
		      "cur %llu max %llu", (unsigned long long)st.rlim_cur,
		      (unsigned long long)st.rlim_max);
	if (!check_eq("getrlimit_nofile", getrlimit(RLIMIT_NOFILE, &nf), 0))
		return;
	check(sane(&nf) && nf.rlim_cur >= 3 && nf.rlim_cur != RLIM_INFINITY,
	      "rlimit_nofile_sane", "cur %llu max %llu", (unsigned long long)nf.rlim_cur,
	      (unsigned long long)nf.rlim_max);
	check(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &raw) == 0 &&
		      raw.rlim_cur == nf.rlim_cur && raw.rlim_max == nf.rlim_max,
	      "prlimit64_agrees", "prlimit64 cur %llu max %llu",
	      (unsigned long long)raw.rlim_cur, (unsigned long long)raw.rlim_max);

	/* The soft limit can be lowered and raised back up to the hard one. */
	struct rlimit low = { 64, nf.rlim_max }, now;
	check(setrlimit(RLIMIT_NOFILE, &low) == 0 && getrlimit(RLIMIT_NOFILE, &now) == 0 &&
		      now.rlim_cur == 64,
	      "setrlimit_nofile", "cur %llu after setting 64",
	      (unsigned long long)now.rlim_cur);
	check_eq("setrlimit_restore", setrlimit(RLIMIT_NOFILE, &nf), 0);
	if (nf.rlim_max != RLIM_INFINITY) {
		struct rlimit over = { nf.rlim_max + 1, nf.rlim_max };
		check_errno("setrlimit_soft_over_hard_einval",
			    setrlimit(RLIMIT_NOFILE, &over), EINVAL);
	}
}

static void self(const char *argv0)
{
	char buf[PATH_MAX + 1];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n < 0) {
		fail("proc_self_exe", "readlink failed with %s", errno_name(errno));
	} else {
		buf[n] = 0;
		check(buf[0] == '/' && strcmp(base_name(buf), base_name(argv0)) == 0,
		      "proc_self_exe", "\"%s\", expected an absolute path ending in \"%s\"",
		      buf, base_name(argv0));
	}

	char cwd[PATH_MAX];
	check(getcwd(cwd, sizeof(cwd)) != NULL && cwd[0] == '/', "getcwd",
	      "getcwd failed (%s) or is not absolute", errno_name(errno));

	/* The task name is the executable's file name, cut to 15 bytes. */
	char name[17] = { 0 }, want[16];
	snprintf(want, sizeof(want), "%s", base_name(argv0));
	check(prctl(PR_GET_NAME, name) == 0 && strcmp(name, want) == 0, "pr_get_name",
	      "\"%s\", expected \"%s\"", name, want);
	prctl(PR_SET_NAME, "renamed-task");
	memset(name, 0, sizeof(name));
	check(prctl(PR_GET_NAME, name) == 0 && strcmp(name, "renamed-task") == 0,
	      "pr_set_name", "\"%s\" after PR_SET_NAME \"renamed-task\"", name);

	/* A root process's bounding set holds every capability (CAP_CHOWN is 0). */
	check(prctl(PR_CAPBSET_READ, 0) == 1, "pr_capbset_read", "CAP_CHOWN not in the bounding set");
	errno = 0;
	check(prctl(PR_CAPBSET_READ, 1000) == -1 && errno == EINVAL, "pr_capbset_read_invalid",
	      "capability 1000: %s", errno_name(errno));

	mode_t old = umask(027);
	mode_t now = umask(old);
	check(now == 027, "umask", "umask returned 0%o after setting 027", now);

	int persona = personality(0xffffffff);
	check(persona >= 0 && (persona & PER_MASK) == PER_LINUX, "personality",
	      "personality = 0x%x", persona);
}

int main(int argc, char **argv)
{
	check_init("process_info");
	ids();
	memory_and_cpus();
	limits();
	self(argv[0]);
	return check_done();
}
