/* System information, limits and usage: uname, sysinfo, getrlimit, setrlimit, prlimit64,
 * getrusage. */
#include "syscall/syscall.h"
#include "proc/process.h"
#include "mm/pmm.h"
#include "mm/vm.h"
#include "core/time.h"
#include "core/uts.h"
#include "lib/string.h"
#include <linux/utsname.h>
#include <linux/sysinfo.h>
#include <linux/resource.h>

long sys_uname(uptr_t buf)
{
	struct new_utsname u;
	memset(&u, 0, sizeof(u));
	memcpy(u.sysname, UTS_SYSNAME, sizeof(UTS_SYSNAME));
	memcpy(u.nodename, UTS_NODENAME, sizeof(UTS_NODENAME));
	memcpy(u.release, UTS_RELEASE, sizeof(UTS_RELEASE));
	memcpy(u.version, UTS_VERSION, sizeof(UTS_VERSION));
	memcpy(u.machine, UTS_MACHINE, sizeof(UTS_MACHINE));
	memcpy(u.domainname, UTS_DOMAINNAME, sizeof(UTS_DOMAINNAME));
	return copy_to_user(buf, &u, sizeof(u));
}

long sys_sysinfo(uptr_t buf)
{
	struct sysinfo si;
	memset(&si, 0, sizeof(si));
	si.uptime = (long)(time_monotonic_ns() / NSEC_PER_SEC);
	si.totalram = pmm_total_pages() * PAGE_SIZE;
	si.freeram = pmm_free_pages() * PAGE_SIZE;
	si.procs = 1;
	si.mem_unit = 1;
	return copy_to_user(buf, &si, sizeof(si));
}

static long get_limit(unsigned res, uptr_t out)
{
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	struct rlimit r = { proc.rlimits[res][0], proc.rlimits[res][1] };
	return copy_to_user(out, &r, sizeof(r));
}

static long set_limit(unsigned res, const struct rlimit *r)
{
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (r->rlim_cur > r->rlim_max)
		return -EINVAL;
	/* The app is root: raising the hard limit is allowed, except NOFILE past our table. */
	if (res == RLIMIT_NOFILE && r->rlim_max > 1048576)
		return -EPERM;
	proc.rlimits[res][0] = r->rlim_cur;
	proc.rlimits[res][1] = r->rlim_max;
	return 0;
}

long sys_getrlimit(unsigned res, uptr_t out) { return get_limit(res, out); }

long sys_setrlimit(unsigned res, uptr_t in)
{
	struct rlimit r;
	if (copy_from_user(&r, in, sizeof(r)))
		return -EFAULT;
	return set_limit(res, &r);
}

long sys_prlimit64(int pid, unsigned res, uptr_t new, uptr_t old)
{
	if (pid != 0 && pid != proc.pid)
		return -ESRCH;
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	struct rlimit r;
	if (new && copy_from_user(&r, new, sizeof(r)))
		return -EFAULT;
	if (old) {
		long err = get_limit(res, old);
		if (err)
			return err;
	}
	return new ? set_limit(res, &r) : 0;
}

long sys_getrusage(int who, uptr_t out)
{
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	switch (who) {
	case RUSAGE_SELF:
	case RUSAGE_THREAD: {
		u64 cpu = who == RUSAGE_SELF ? time_process_cpu_ns()
					     : time_thread_cpu_ns(current_thread());
		ru.ru_utime.tv_sec = (long)(cpu / NSEC_PER_SEC);
		ru.ru_utime.tv_usec = (long)(cpu % NSEC_PER_SEC / 1000);
		ru.ru_maxrss = (long)(vm_resident_peak_pages() * PAGE_SIZE / 1024);
		break;
	}
	case RUSAGE_CHILDREN:
		break; /* there are never children */
	default:
		return -EINVAL;
	}
	return copy_to_user(out, &ru, sizeof(ru));
}
