/* /proc and /sys, as far as programs commonly read them. The process is pid 1; its one thread
 * is tid 1. Every file is generated when looked up. */
#include "fs/procfs.h"
#include "fs/synth.h"
#include "fs/vfs.h"
#include "fs/file.h"
#include "proc/process.h"
#include "mm/pmm.h"
#include "mm/vm.h"
#include "core/time.h"
#include "lib/string.h"
#include "lib/format.h"
#include "errno.h"
#include "drivers/console.h"
#include <linux/stat.h>

static const struct fs_info proc_fs = { "proc", 0x16, 0x9fa0 /* PROC_SUPER_MAGIC */ };
static const struct fs_info sys_fs = { "sysfs", 0x15, 0x62656572 /* SYSFS_MAGIC */ };

static void link_pid(struct textbuf *t, u64 arg) { tb_printf(t, "%d", proc.pid); }
static void link_thread(struct textbuf *t, u64 arg) { tb_printf(t, "%d/task/%d", proc.pid, current_thread()->tid); }
static void link_exe(struct textbuf *t, u64 arg) { tb_printf(t, "%s", proc.exe_path); }
static void link_root(struct textbuf *t, u64 arg) { tb_printf(t, "/"); }

static void link_cwd(struct textbuf *t, u64 arg) { dir_path(t, proc.cwd); }

static void show_strings(struct textbuf *t, const char *const *v)
{
	for (; v && *v; v++)
		tb_put(t, *v, strlen(*v) + 1);
}

static void show_cmdline(struct textbuf *t, u64 arg) { show_strings(t, proc.argv); }
static void show_environ(struct textbuf *t, u64 arg) { show_strings(t, proc.envp); }
static void show_comm(struct textbuf *t, u64 arg) { tb_printf(t, "%s\n", current_thread()->comm); }
static void show_auxv(struct textbuf *t, u64 arg) { tb_put(t, proc.auxv, proc.nauxv * sizeof(u64)); }

static void show_statm(struct textbuf *t, u64 arg)
{
	u64 rss = vm_resident_pages();
	tb_printf(t, "%lu %lu 0 0 0 0 0\n", rss, rss);
}

/* /proc/self/fd: one symlink per open descriptor, named by its number. */
static void link_fd(struct textbuf *t, u64 fd)
{
	struct file *f = fd_get((int)fd);
	if (!f)
		return;
	if (f->path)
		tb_printf(t, "%s", f->path);
	else if (f->inode && S_ISDIR(f->inode->mode))
		dir_path(t, f->inode);
	else if (!f->inode)
		tb_printf(t, "%s", console_is_tty(f->stream) ? "/dev/ttyS0" : "pipe:[1]");
	else
		tb_printf(t, "anon_inode:[%lu]", f->inode->ino);
}

static const struct synth_entry fd_entry = { "fd", S_IFLNK | 0700, .link = link_fd };

static bool fd_nth(struct inode *dir, u64 k, const struct synth_entry **e, char *name,
		   size_t *len, u64 *arg)
{
	u64 seen = 0;
	for (int fd = 0; fd < FD_MAX; fd++) {
		if (!fd_get(fd))
			continue;
		if (seen++ == k) {
			*e = &fd_entry;
			*len = (size_t)snprintf(name, 32, "%d", fd);
			*arg = (u64)fd;
			return true;
		}
	}
	return false;
}

static int fd_find(struct inode *dir, const char *name, size_t len, const struct synth_entry **e,
		   u64 *arg)
{
	u64 fd;
	if (!parse_u64(name, len, &fd) || fd >= FD_MAX || !fd_get((int)fd))
		return -ENOENT;
	*e = &fd_entry;
	*arg = fd;
	return 0;
}

static const struct synth_dir_ops fd_dir = { fd_nth, fd_find };

static const struct synth_entry pid_entries[] = {
	{ "exe", S_IFLNK | 0777, .link = link_exe },
	{ "cwd", S_IFLNK | 0777, .link = link_cwd },
	{ "root", S_IFLNK | 0777, .link = link_root },
	{ "fd", S_IFDIR | 0500, .dyn = &fd_dir },
	{ "cmdline", S_IFREG | 0444, .show = show_cmdline },
	{ "environ", S_IFREG | 0400, .show = show_environ },
	{ "comm", S_IFREG | 0644, .show = show_comm },
	{ "auxv", S_IFREG | 0400, .show = show_auxv },
	{ "statm", S_IFREG | 0444, .show = show_statm },
	{ NULL },
};

static void show_uptime(struct textbuf *t, u64 arg)
{
	u64 ns = time_monotonic_ns();
	tb_printf(t, "%lu.%02lu %lu.%02lu\n", ns / NSEC_PER_SEC, ns % NSEC_PER_SEC / 10000000,
		  ns / NSEC_PER_SEC, ns % NSEC_PER_SEC / 10000000);
}

static void show_meminfo(struct textbuf *t, u64 arg)
{
	u64 total = pmm_total_pages() * 4, free = pmm_free_pages() * 4;
	tb_printf(t, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n",
		  total, free, free);
	tb_printf(t, "Buffers:               0 kB\nCached:                0 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n");
}

static void show_version(struct textbuf *t, u64 arg)
{
	tb_printf(t, "Linux version 6.1.0-monos (monos) #1 SMP monos\n");
}

static void show_filesystems(struct textbuf *t, u64 arg)
{
	tb_printf(t, "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n");
}

static void show_mounts(struct textbuf *t, u64 arg)
{
	tb_printf(t, "rootfs / tmpfs rw 0 0\nproc /proc proc rw,nosuid,nodev,noexec 0 0\n"
		     "sysfs /sys sysfs rw,nosuid,nodev,noexec 0 0\n");
}

static const struct synth_entry proc_entries[] = {
	{ "self", S_IFLNK | 0777, .link = link_pid },
	{ "thread-self", S_IFLNK | 0777, .link = link_thread },
	{ "1", S_IFDIR | 0555, .children = pid_entries },
	{ "uptime", S_IFREG | 0444, .show = show_uptime },
	{ "meminfo", S_IFREG | 0444, .show = show_meminfo },
	{ "version", S_IFREG | 0444, .show = show_version },
	{ "filesystems", S_IFREG | 0444, .show = show_filesystems },
	{ "mounts", S_IFREG | 0444, .show = show_mounts },
	{ NULL },
};

/* glibc's get_nprocs() reads these; one CPU runs the app for now. */
static void show_cpu_list(struct textbuf *t, u64 arg) { tb_printf(t, "0\n"); }

static const struct synth_entry cpu_entries[] = {
	{ "online", S_IFREG | 0444, .show = show_cpu_list },
	{ "possible", S_IFREG | 0444, .show = show_cpu_list },
	{ "present", S_IFREG | 0444, .show = show_cpu_list },
	{ NULL },
};
static const struct synth_entry system_entries[] = { { "cpu", S_IFDIR | 0555, .children = cpu_entries }, { NULL } };
static const struct synth_entry devices_entries[] = { { "system", S_IFDIR | 0555, .children = system_entries }, { NULL } };
static const struct synth_entry sys_entries[] = { { "devices", S_IFDIR | 0555, .children = devices_entries }, { NULL } };

static bool mount(const char *name, const struct fs_info *fs, const struct synth_entry *entries)
{
	if (dir_find(vfs_root, name, strlen(name)))
		dir_unlink(vfs_root, name, strlen(name)); /* the image's empty mount point */
	struct inode *root = synth_root(fs, entries);
	return root && dir_link(vfs_root, name, strlen(name), root) == 0;
}

bool procfs_init(void)
{
	return mount("proc", &proc_fs, proc_entries) && mount("sys", &sys_fs, sys_entries);
}
