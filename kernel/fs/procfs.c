/* /proc and /sys as programs read them: the layout of both trees, their symlinks and one-line
 * files. The process is pid 1; its one thread is tid 1. Every file is generated when it is looked
 * up; the longer generators live in procfs_pid.c (the process), procfs_system.c (the system) and
 * procfs_cpuinfo.c. Formats are Linux 6.1's. */
#include "fs/procfs.h"
#include "fs/procfs_internal.h"
#include "fs/vfs.h"
#include "fs/file.h"
#include "net/socket.h"
#include "proc/process.h"
#include "mm/pmm.h"
#include "core/time.h"
#include "core/random.h"
#include "core/cmdline.h"
#include "core/uts.h"
#include "lib/string.h"
#include "lib/format.h"
#include "errno.h"
#include "drivers/console.h"
#include <linux/stat.h>

const struct fs_info proc_fs = { "proc", 0x16, 0x9fa0 /* PROC_SUPER_MAGIC */ };
const struct fs_info sys_fs = { "sysfs", 0x15, 0x62656572 /* SYSFS_MAGIC */ };

/* A file whose text is one printf. */
#define TEXT_FILE(fn, ...) \
	static void fn(struct textbuf *t, u64 arg) { tb_printf(t, __VA_ARGS__); }

u64 procfs_start_ns;
static u8 boot_id[16];

void procfs_cpu_list(struct textbuf *t)
{
	if (PROCFS_NR_CPUS == 1)
		tb_printf(t, "0\n");
	else
		tb_printf(t, "0-%d\n", PROCFS_NR_CPUS - 1);
}

/* ---- symlinks -------------------------------------------------------------------------------- */

static void link_pid(struct textbuf *t, u64 arg) { tb_printf(t, "%d", proc.pid); }
static void link_thread(struct textbuf *t, u64 arg)
{
	tb_printf(t, "%d/task/%d", proc.pid, current_thread()->tid);
}
static void link_mounts(struct textbuf *t, u64 arg) { tb_printf(t, "self/mounts"); }
static void link_net(struct textbuf *t, u64 arg) { tb_printf(t, "self/net"); }
static void link_exe(struct textbuf *t, u64 arg) { tb_printf(t, "%s", proc.exe_path); }
static void link_root(struct textbuf *t, u64 arg) { tb_printf(t, "/"); }
static void link_cwd(struct textbuf *t, u64 arg) { dir_path(t, proc.cwd); }

/* /proc/self/fd/N: what descriptor N was opened as. */
static void link_fd(struct textbuf *t, u64 fd)
{
	struct file *f = fd_get((int)fd);
	if (!f)
		return;
	if (f->path)
		tb_printf(t, "%s", f->path);
	else if (f->inode && S_ISDIR(f->inode->mode))
		dir_path(t, f->inode);
	else if (socket_of(f))
		tb_printf(t, "socket:[%lu]", socket_of(f)->ino);
	else if (!f->inode)
		tb_printf(t, "%s", console_is_tty(f->stream) ? "/dev/ttyS0" : "pipe:[1]");
	else
		tb_printf(t, "anon_inode:[%lu]", f->inode->ino);
}

/* ---- dynamic directories: fd/, fdinfo/, task/ ------------------------------------------------ */

/* The open file itself, as Linux's magic link resolves it (open("/dev/stdin") reopens fd 0). */
static struct inode *follow_fd(u64 fd)
{
	struct file *f = fd_get((int)fd);
	if (!f || !f->inode)
		return NULL;
	inode_get(f->inode);
	return f->inode;
}

static const struct synth_entry fd_entry = { "fd", S_IFLNK | 0700, .link = link_fd, .follow = follow_fd };
static const struct synth_entry fdinfo_entry = { "fdinfo", S_IFREG | 0444, .show = pid_fdinfo };

/* The k-th open descriptor, or -1. */
static int nth_fd(u64 k)
{
	u64 seen = 0;
	for (int fd = 0; fd < FD_MAX; fd++)
		if (fd_get(fd) && seen++ == k)
			return fd;
	return -1;
}

static bool fd_nth_as(const struct synth_entry *as, u64 k, const struct synth_entry **e, char *name,
		      size_t *len, u64 *arg)
{
	int fd = nth_fd(k);
	if (fd < 0)
		return false;
	*e = as;
	*len = (size_t)snprintf(name, 32, "%d", fd);
	*arg = (u64)fd;
	return true;
}

static int fd_find_as(const struct synth_entry *as, const char *name, size_t len,
		      const struct synth_entry **e, u64 *arg)
{
	u64 fd;
	if (!parse_u64(name, len, &fd) || fd >= FD_MAX || !fd_get((int)fd))
		return -ENOENT;
	*e = as;
	*arg = fd;
	return 0;
}

static bool fd_nth(struct inode *dir, u64 k, const struct synth_entry **e, char *name,
		   size_t *len, u64 *arg)
{
	return fd_nth_as(&fd_entry, k, e, name, len, arg);
}

static int fd_find(struct inode *dir, const char *name, size_t len, const struct synth_entry **e,
		   u64 *arg)
{
	return fd_find_as(&fd_entry, name, len, e, arg);
}

static bool fdinfo_nth(struct inode *dir, u64 k, const struct synth_entry **e, char *name,
		       size_t *len, u64 *arg)
{
	return fd_nth_as(&fdinfo_entry, k, e, name, len, arg);
}

static int fdinfo_find(struct inode *dir, const char *name, size_t len,
		       const struct synth_entry **e, u64 *arg)
{
	return fd_find_as(&fdinfo_entry, name, len, e, arg);
}

static const struct synth_dir_ops fd_dir = { fd_nth, fd_find };
static const struct synth_dir_ops fdinfo_dir = { fdinfo_nth, fdinfo_find };

/* One cgroup v2 hierarchy, and the process at its root. */
TEXT_FILE(show_cgroup, "0::/\n")
TEXT_FILE(show_personality, "%08x\n", proc.personality)
/* Not sleeping in the kernel: no wait channel (no newline, as Linux prints it). */
TEXT_FILE(show_wchan, "0")
/* No audit login: the unset id (AUDIT_UID_UNSET), again without a newline. */
TEXT_FILE(show_loginuid, "%u", 4294967295u)
TEXT_FILE(show_sessionid, "%u", 4294967295u)
/* The initial user namespace maps every id to itself. */
TEXT_FILE(show_id_map, "%10u %10u %10u\n", 0u, 0u, 4294967295u)
TEXT_FILE(show_setgroups, "allow\n")
/* Pid 1 is the global init, which the OOM killer never picks: its badness, and score, is 0. */
TEXT_FILE(show_oom_score, "0\n")
TEXT_FILE(show_coredump_filter, "%08x\n", 0x33u) /* MMF_DUMP_FILTER_DEFAULT */
TEXT_FILE(show_timerslack_ns, "50000\n")
/* task/<tid>/children: the tids of its children, of which there are none. */
static void show_no_children(struct textbuf *t, u64 arg) {}

/* What /proc/<pid>/ and /proc/<pid>/task/<tid>/ both hold. */
#define TASK_ENTRIES                                                                      \
	{ "exe", S_IFLNK | 0777, .link = link_exe },                                      \
	{ "cwd", S_IFLNK | 0777, .link = link_cwd },                                      \
	{ "root", S_IFLNK | 0777, .link = link_root },                                    \
	{ "fd", S_IFDIR | 0500, .dyn = &fd_dir },                                         \
	{ "fdinfo", S_IFDIR | 0500, .dyn = &fdinfo_dir },                                 \
	{ "cmdline", S_IFREG | 0444, .show = pid_cmdline },                               \
	{ "environ", S_IFREG | 0400, .show = pid_environ },                               \
	{ "auxv", S_IFREG | 0400, .show = pid_auxv },                                     \
	{ "comm", S_IFREG | 0644, .show = pid_comm, .store = pid_comm_store },            \
	{ "stat", S_IFREG | 0444, .show = pid_stat },                                     \
	{ "status", S_IFREG | 0444, .show = pid_status },                                 \
	{ "statm", S_IFREG | 0444, .show = pid_statm },                                   \
	{ "maps", S_IFREG | 0444, .show = pid_maps },                                     \
	{ "limits", S_IFREG | 0444, .show = pid_limits },                                 \
	{ "mounts", S_IFREG | 0444, .show = pid_mounts },                                 \
	{ "mountinfo", S_IFREG | 0444, .show = pid_mountinfo },                           \
	{ "cgroup", S_IFREG | 0444, .show = show_cgroup },                                \
	{ "oom_score", S_IFREG | 0444, .show = show_oom_score },                          \
	{ "oom_score_adj", S_IFREG | 0644, .show = pid_oom_score_adj,                     \
	  .store = pid_oom_score_adj_store },                                             \
	{ "personality", S_IFREG | 0400, .show = show_personality },                      \
	{ "wchan", S_IFREG | 0444, .show = show_wchan },                                  \
	{ "loginuid", S_IFREG | 0644, .show = show_loginuid },                            \
	{ "sessionid", S_IFREG | 0444, .show = show_sessionid },                          \
	{ "uid_map", S_IFREG | 0644, .show = show_id_map },                               \
	{ "gid_map", S_IFREG | 0644, .show = show_id_map },                               \
	{ "setgroups", S_IFREG | 0644, .show = show_setgroups },                          \
	{ "net", S_IFDIR | 0555, .children = procfs_net_entries }


static const struct synth_entry tid_entries[] = {
	TASK_ENTRIES,
	{ "children", S_IFREG | 0444, .show = show_no_children },
	{ NULL },
};
static const struct synth_entry tid_entry = { "task", S_IFDIR | 0555, .children = tid_entries };

/* task/: one directory per live thread, named by its tid; its files get the tid as their arg. */
static bool task_nth(struct inode *dir, u64 k, const struct synth_entry **e, char *name,
		     size_t *len, u64 *arg)
{
	u64 i = 0;
	list_for_each(pos, &proc.threads) {
		if (i++ != k)
			continue;
		struct thread *t = list_entry(pos, struct thread, all_link);
		*e = &tid_entry;
		*len = (size_t)snprintf(name, 32, "%d", t->tid);
		*arg = (u64)t->tid;
		return true;
	}
	return false;
}

static int task_find(struct inode *dir, const char *name, size_t len, const struct synth_entry **e,
		     u64 *arg)
{
	u64 tid;
	if (!parse_u64(name, len, &tid) || tid > 0x7fffffff || !proc_find_thread((int)tid))
		return -ENOENT;
	*e = &tid_entry;
	*arg = tid;
	return 0;
}

static const struct synth_dir_ops task_dir = { task_nth, task_find };

static const struct synth_entry pid_entries[] = {
	TASK_ENTRIES,
	{ "coredump_filter", S_IFREG | 0644, .show = show_coredump_filter },
	{ "timerslack_ns", S_IFREG | 0666, .show = show_timerslack_ns },
	{ "task", S_IFDIR | 0555, .dyn = &task_dir },
	{ NULL },
};

/* ---- /proc/sys ------------------------------------------------------------------------------- */

TEXT_FILE(sysctl_osrelease, "%s\n", UTS_RELEASE)
TEXT_FILE(sysctl_ostype, "%s\n", UTS_SYSNAME)
TEXT_FILE(sysctl_hostname, "%s\n", UTS_NODENAME)
TEXT_FILE(sysctl_domainname, "%s\n", UTS_DOMAINNAME)
TEXT_FILE(sysctl_version, "%s\n", UTS_VERSION)
TEXT_FILE(sysctl_pid_max, "4194304\n")        /* PID_MAX_LIMIT on 64-bit */
TEXT_FILE(sysctl_ngroups_max, "65536\n")      /* NGROUPS_MAX */
TEXT_FILE(sysctl_cap_last_cap, "40\n")        /* CAP_CHECKPOINT_RESTORE */
TEXT_FILE(sysctl_randomize_va_space, "%d\n", options.aslr ? 2 : 0)
TEXT_FILE(sysctl_overcommit_memory, "0\n")    /* the heuristic (sys_mm.c) */
TEXT_FILE(sysctl_overcommit_ratio, "50\n")
TEXT_FILE(sysctl_max_map_count, "65530\n")
TEXT_FILE(sysctl_mmap_min_addr, "65536\n")    /* mmap places nothing below 64 KiB */
TEXT_FILE(sysctl_nr_open, "1048576\n")
TEXT_FILE(random_poolsize, "256\n")
TEXT_FILE(random_entropy_avail, "256\n")      /* the generator is seeded from boot on */

/* set_max_threads(): as many threads as kernel stacks would fill an eighth of RAM. */
static void sysctl_threads_max(struct textbuf *t, u64 arg)
{
	u64 n = pmm_total_pages() * PAGE_SIZE / (KERNEL_STACK_SIZE * 8);
	tb_printf(t, "%lu\n", MAX(n, 20UL));
}

/* files_maxfiles_init(): about 10% of RAM at 1 KiB a file, at least NR_FILE (8192). */
static void sysctl_file_max(struct textbuf *t, u64 arg)
{
	u64 n = pmm_total_pages() * (PAGE_SIZE / 1024) / 10;
	tb_printf(t, "%lu\n", MAX(n, 8192UL));
}

static void put_uuid(struct textbuf *t, const u8 *b)
{
	for (int i = 0; i < 16; i++)
		tb_printf(t, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", b[i]);
	tb_put(t, "\n", 1);
}

/* A random (version 4, variant 1) UUID, as generate_random_uuid() makes one. */
static void make_uuid(u8 *b)
{
	random_bytes(b, 16);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
}

static void random_uuid(struct textbuf *t, u64 arg)
{
	u8 b[16];
	make_uuid(b);
	put_uuid(t, b);
}

static void random_boot_id(struct textbuf *t, u64 arg) { put_uuid(t, boot_id); }

static const struct synth_entry random_entries[] = {
	{ "boot_id", S_IFREG | 0444, .show = random_boot_id },
	{ "entropy_avail", S_IFREG | 0444, .show = random_entropy_avail },
	{ "poolsize", S_IFREG | 0444, .show = random_poolsize },
	{ "uuid", S_IFREG | 0444, .show = random_uuid },
	{ NULL },
};

static const struct synth_entry sysctl_kernel[] = {
	{ "cap_last_cap", S_IFREG | 0444, .show = sysctl_cap_last_cap },
	{ "domainname", S_IFREG | 0644, .show = sysctl_domainname },
	{ "hostname", S_IFREG | 0644, .show = sysctl_hostname },
	{ "ngroups_max", S_IFREG | 0444, .show = sysctl_ngroups_max },
	{ "osrelease", S_IFREG | 0444, .show = sysctl_osrelease },
	{ "ostype", S_IFREG | 0444, .show = sysctl_ostype },
	{ "pid_max", S_IFREG | 0644, .show = sysctl_pid_max },
	{ "random", S_IFDIR | 0555, .children = random_entries },
	{ "randomize_va_space", S_IFREG | 0644, .show = sysctl_randomize_va_space },
	{ "threads-max", S_IFREG | 0644, .show = sysctl_threads_max },
	{ "version", S_IFREG | 0444, .show = sysctl_version },
	{ NULL },
};

static const struct synth_entry sysctl_vm[] = {
	{ "max_map_count", S_IFREG | 0644, .show = sysctl_max_map_count },
	{ "mmap_min_addr", S_IFREG | 0644, .show = sysctl_mmap_min_addr },
	{ "overcommit_memory", S_IFREG | 0644, .show = sysctl_overcommit_memory },
	{ "overcommit_ratio", S_IFREG | 0644, .show = sysctl_overcommit_ratio },
	{ NULL },
};

static const struct synth_entry sysctl_fs[] = {
	{ "file-max", S_IFREG | 0644, .show = sysctl_file_max },
	{ "nr_open", S_IFREG | 0644, .show = sysctl_nr_open },
	{ NULL },
};

static const struct synth_entry sysctl_entries[] = {
	{ "fs", S_IFDIR | 0555, .children = sysctl_fs },
	{ "kernel", S_IFDIR | 0555, .children = sysctl_kernel },
	{ "vm", S_IFDIR | 0555, .children = sysctl_vm },
	{ NULL },
};

static const struct synth_entry proc_entries[] = {
	{ "self", S_IFLNK | 0777, .link = link_pid },
	{ "thread-self", S_IFLNK | 0777, .link = link_thread },
	{ "1", S_IFDIR | 0555, .children = pid_entries },
	{ "cpuinfo", S_IFREG | 0444, .show = procfs_cpuinfo },
	{ "filesystems", S_IFREG | 0444, .show = procfs_filesystems },
	{ "loadavg", S_IFREG | 0444, .show = procfs_loadavg },
	{ "meminfo", S_IFREG | 0444, .show = procfs_meminfo },
	{ "mounts", S_IFLNK | 0777, .link = link_mounts },
	{ "net", S_IFLNK | 0777, .link = link_net },
	{ "stat", S_IFREG | 0444, .show = procfs_stat },
	{ "swaps", S_IFREG | 0444, .show = procfs_swaps },
	{ "sys", S_IFDIR | 0555, .children = sysctl_entries },
	{ "uptime", S_IFREG | 0444, .show = procfs_uptime },
	{ "version", S_IFREG | 0444, .show = procfs_version },
	{ NULL },
};

/* ---- /sys ------------------------------------------------------------------------------------ */

/* glibc's get_nprocs() reads online; get_nprocs_conf() counts the cpuN directories. */
static void show_cpu_list(struct textbuf *t, u64 arg) { procfs_cpu_list(t); }
static void show_cpu_mask(struct textbuf *t, u64 arg)
{
	tb_printf(t, "%lx\n", (1UL << PROCFS_NR_CPUS) - 1);
}
TEXT_FILE(show_zero, "0\n")

static const struct synth_entry topology_entries[] = {
	{ "core_cpus", S_IFREG | 0444, .show = show_cpu_mask },
	{ "core_cpus_list", S_IFREG | 0444, .show = show_cpu_list },
	{ "core_id", S_IFREG | 0444, .show = show_zero },
	{ "core_siblings", S_IFREG | 0444, .show = show_cpu_mask },
	{ "core_siblings_list", S_IFREG | 0444, .show = show_cpu_list },
	{ "die_id", S_IFREG | 0444, .show = show_zero },
	{ "package_cpus", S_IFREG | 0444, .show = show_cpu_mask },
	{ "package_cpus_list", S_IFREG | 0444, .show = show_cpu_list },
	{ "physical_package_id", S_IFREG | 0444, .show = show_zero },
	{ "thread_siblings", S_IFREG | 0444, .show = show_cpu_mask },
	{ "thread_siblings_list", S_IFREG | 0444, .show = show_cpu_list },
	{ NULL },
};
static const struct synth_entry cpu0_entries[] = {
	{ "topology", S_IFDIR | 0555, .children = topology_entries },
	{ NULL },
};
static const struct synth_entry cpu_entries[] = {
	{ "cpu0", S_IFDIR | 0555, .children = cpu0_entries },
	{ "online", S_IFREG | 0444, .show = show_cpu_list },
	{ "possible", S_IFREG | 0444, .show = show_cpu_list },
	{ "present", S_IFREG | 0444, .show = show_cpu_list },
	{ NULL },
};
static const struct synth_entry system_entries[] = {
	{ "cpu", S_IFDIR | 0555, .children = cpu_entries },
	{ NULL },
};
static const struct synth_entry devices_entries[] = {
	{ "system", S_IFDIR | 0555, .children = system_entries },
	{ NULL },
};

/* No transparent huge pages: the mode is never, the size is what it would be. */
TEXT_FILE(thp_enabled, "always madvise [never]\n")
TEXT_FILE(thp_defrag, "always defer defer+madvise madvise [never]\n")
TEXT_FILE(thp_pmd_size, "2097152\n")
static const struct synth_entry thp_entries[] = {
	{ "defrag", S_IFREG | 0644, .show = thp_defrag },
	{ "enabled", S_IFREG | 0644, .show = thp_enabled },
	{ "hpage_pmd_size", S_IFREG | 0444, .show = thp_pmd_size },
	{ NULL },
};
static const struct synth_entry mm_entries[] = {
	{ "transparent_hugepage", S_IFDIR | 0555, .children = thp_entries },
	{ NULL },
};
static const struct synth_entry kernel_entries[] = {
	{ "mm", S_IFDIR | 0555, .children = mm_entries },
	{ NULL },
};

static const struct synth_entry sys_entries[] = {
	{ "devices", S_IFDIR | 0555, .children = devices_entries },
	{ "kernel", S_IFDIR | 0555, .children = kernel_entries },
	{ NULL },
};

static bool mount(const char *name, const struct fs_info *fs, const struct synth_entry *entries)
{
	if (dir_find(vfs_root, name, strlen(name)))
		dir_unlink(vfs_root, name, strlen(name)); /* the image's empty mount point */
	struct inode *root = synth_root(fs, entries);
	return root && dir_link(vfs_root, name, strlen(name), root) == 0;
}

bool procfs_init(void)
{
	/* The process starts right after the file systems are up. */
	procfs_start_ns = time_monotonic_ns();
	make_uuid(boot_id);
	return mount("proc", &proc_fs, proc_entries) && mount("sys", &sys_fs, sys_entries);
}
