/* The /proc files about the whole system: meminfo, stat, uptime, loadavg, version, filesystems,
 * swaps. Formats are Linux 6.1's (fs/proc/meminfo.c, stat.c, uptime.c, loadavg.c, version.c,
 * Debian's configuration for the optional meminfo lines); counters monos does not keep
 * (interrupts, page cache, slab) are 0. */
#include "fs/procfs_internal.h"
#include "lib/format.h"
#include "proc/process.h"
#include "mm/pmm.h"
#include "core/time.h"
#include "core/uts.h"
#include "core/bootinfo.h"

static u64 clock_ticks(u64 ns) { return ns / (NSEC_PER_SEC / USER_HZ); }

/* show_val_kb(): the label padded to 16 columns, the value to 8. */
static void kb(struct textbuf *t, const char *label, u64 kbytes)
{
	tb_printf(t, "%-16s%8lu kB\n", label, kbytes);
}

static u64 pages_kb(u64 pages) { return pages * (PAGE_SIZE / 1024); }

void procfs_meminfo(struct textbuf *t, u64 arg)
{
	struct mm_sum s;
	procfs_mm_summary(&s);
	u64 total = pmm_total_pages(), free = pmm_free_pages();
	/* No page cache, no swap: what is free is what is available. */
	kb(t, "MemTotal:", pages_kb(total));
	kb(t, "MemFree:", pages_kb(free));
	kb(t, "MemAvailable:", pages_kb(free));
	kb(t, "Buffers:", 0);
	kb(t, "Cached:", 0);
	kb(t, "SwapCached:", 0);
	kb(t, "Active:", pages_kb(s.anon));
	kb(t, "Inactive:", 0);
	kb(t, "Active(anon):", pages_kb(s.anon));
	kb(t, "Inactive(anon):", 0);
	kb(t, "Active(file):", 0);
	kb(t, "Inactive(file):", 0);
	kb(t, "Unevictable:", 0);
	kb(t, "Mlocked:", 0);
	kb(t, "SwapTotal:", 0);
	kb(t, "SwapFree:", 0);
	kb(t, "Zswap:", 0);
	kb(t, "Zswapped:", 0);
	kb(t, "Dirty:", 0);
	kb(t, "Writeback:", 0);
	kb(t, "AnonPages:", pages_kb(s.anon));
	kb(t, "Mapped:", pages_kb(s.file));
	kb(t, "Shmem:", 0);
	kb(t, "KReclaimable:", 0);
	kb(t, "Slab:", 0);
	kb(t, "SReclaimable:", 0);
	kb(t, "SUnreclaim:", 0);
	kb(t, "KernelStack:", KERNEL_STACK_SIZE / 1024);
	kb(t, "PageTables:", 0);
	kb(t, "SecPageTables:", 0);
	kb(t, "NFS_Unstable:", 0);
	kb(t, "Bounce:", 0);
	kb(t, "WritebackTmp:", 0);
	/* vm_commit_limit(): overcommit_ratio (50) percent of RAM, plus swap (none). */
	kb(t, "CommitLimit:", pages_kb(total) / 2);
	kb(t, "Committed_AS:", pages_kb(s.data + s.stack));
	kb(t, "VmallocTotal:", 0);
	kb(t, "VmallocUsed:", 0);
	kb(t, "VmallocChunk:", 0);
	kb(t, "Percpu:", 0);
	tb_printf(t, "HardwareCorrupted: %5lu kB\n", 0UL);
	kb(t, "AnonHugePages:", 0);
	kb(t, "ShmemHugePages:", 0);
	kb(t, "ShmemPmdMapped:", 0);
	kb(t, "FileHugePages:", 0);
	kb(t, "FilePmdMapped:", 0);
	tb_printf(t, "HugePages_Total:   %5lu\nHugePages_Free:    %5lu\nHugePages_Rsvd:    %5lu\n"
		     "HugePages_Surp:    %5lu\n", 0UL, 0UL, 0UL, 0UL);
	kb(t, "Hugepagesize:", 2048);
	kb(t, "Hugetlb:", 0);
	/* The direct map: all of RAM up to at least 4 GiB, in 2 MiB pages (mm/paging.c). */
	u64 direct = ALIGN_UP(MAX(bootinfo.max_ram, 0x100000000UL), 0x200000);
	kb(t, "DirectMap4k:", 0);
	kb(t, "DirectMap2M:", direct / 1024);
}

/* The cpu line's ten columns: user nice system idle iowait irq softirq steal guest guest_nice.
 * The app's CPU time is user time; the rest of the time since boot the CPU waited. */
static void cpu_times(struct textbuf *t, const char *name, u64 user_ns, u64 idle_ns)
{
	tb_printf(t, "%s %lu 0 0 %lu 0 0 0 0 0 0\n", name, clock_ticks(user_ns), clock_ticks(idle_ns));
}

void procfs_stat(struct textbuf *t, u64 arg)
{
	u64 up = time_monotonic_ns(), cpu = time_process_cpu_ns();
	u64 all = up * (u64)PROCFS_NR_CPUS;
	cpu_times(t, "cpu ", cpu, all > cpu ? all - cpu : 0);
	for (int i = 0; i < PROCFS_NR_CPUS; i++) {
		char name[16];
		u64 busy = sched_cpu_busy_ns(i);
		snprintf(name, sizeof(name), "cpu%d", i);
		cpu_times(t, name, busy, up > busy ? up - busy : 0);
	}
	/* btime: the wall-clock second the system booted (realtime minus time since boot). */
	s64 boot = time_realtime_offset_ns();
	tb_printf(t, "intr 0\nctxt 0\nbtime %ld\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n",
		  boot > 0 ? boot / (s64)NSEC_PER_SEC : 0);
	tb_printf(t, "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
}

void procfs_uptime(struct textbuf *t, u64 arg)
{
	u64 up = time_monotonic_ns(), cpu = time_process_cpu_ns();
	u64 idle = up > cpu ? up - cpu : 0;
	tb_printf(t, "%lu.%02lu %lu.%02lu\n", up / NSEC_PER_SEC, up % NSEC_PER_SEC / 10000000,
		  idle / NSEC_PER_SEC, idle % NSEC_PER_SEC / 10000000);
}

/* The load averages stay 0: one runnable thread, sampled by nothing. "1/1 1": running/threads,
 * and the last pid handed out. */
void procfs_loadavg(struct textbuf *t, u64 arg)
{
	tb_printf(t, "0.00 0.00 0.00 1/1 %d\n", proc.pid);
}

#if defined(__clang__)
#define COMPILER "clang version " __clang_version__
#else
#define COMPILER "gcc version " __VERSION__
#endif

void procfs_version(struct textbuf *t, u64 arg)
{
	tb_printf(t, "Linux version %s (monos@monos) (%s) %s\n", UTS_RELEASE, COMPILER, UTS_VERSION);
}

/* The file system types there are, in registration order; "nodev": no block device needed. */
void procfs_filesystems(struct textbuf *t, u64 arg)
{
	tb_printf(t, "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\n");
}

/* No swap: the header alone, as Linux's swap_show() prints it. */
void procfs_swaps(struct textbuf *t, u64 arg)
{
	tb_printf(t, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
}
