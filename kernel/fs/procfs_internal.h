/* Shared by the generators of /proc and /sys (procfs*.c), not by the rest of the kernel. Each
 * show function writes one file's text as Linux 6.1 formats it; arg is what the entry's directory
 * passed down (a descriptor number for fd/ and fdinfo/, a tid for task/<tid>/, else 0). */
#pragma once
#include "fs/synth.h"

#include "sched/sched.h"

/* The CPUs that run the app (sys_sched.c answers sched_getaffinity with the same ones). */
#define PROCFS_NR_CPUS sched_cpu_count()
/* Times in /proc count USER_HZ ticks, the AT_CLKTCK the app was given. */
#define USER_HZ 100

struct fs_info;
extern const struct fs_info proc_fs, sys_fs;

/* When the process started, in monotonic ns (its stat starttime). */
extern u64 procfs_start_ns;

/* "0" or "0-N": the CPUs the app can run on, as Linux's %*pbl prints a cpumask. */
void procfs_cpu_list(struct textbuf *t);

/* The address space in Linux's terms: page counts as its mm keeps them (total_vm, data_vm,
 * stack_vm, exec_vm) and the resident pages split as MM_ANONPAGES and MM_FILEPAGES. */
struct mm_sum {
	u64 total, data, stack, exec;
	u64 anon, file;
};
void procfs_mm_summary(struct mm_sum *s);

/* procfs_pid.c: /proc/<pid>/ and /proc/<pid>/task/<tid>/. */
void pid_status(struct textbuf *t, u64 arg);
void pid_stat(struct textbuf *t, u64 arg);
void pid_statm(struct textbuf *t, u64 arg);
void pid_maps(struct textbuf *t, u64 arg);
void pid_limits(struct textbuf *t, u64 arg);
void pid_cmdline(struct textbuf *t, u64 arg);
void pid_environ(struct textbuf *t, u64 arg);
void pid_auxv(struct textbuf *t, u64 arg);
void pid_comm(struct textbuf *t, u64 arg);
ssize_t pid_comm_store(const char *buf, size_t n, u64 arg);
void pid_oom_score_adj(struct textbuf *t, u64 arg);
ssize_t pid_oom_score_adj_store(const char *buf, size_t n, u64 arg);
void pid_fdinfo(struct textbuf *t, u64 fd);
void pid_mounts(struct textbuf *t, u64 arg);
void pid_mountinfo(struct textbuf *t, u64 arg);

/* procfs_system.c: the files about the whole system. */
void procfs_meminfo(struct textbuf *t, u64 arg);
void procfs_stat(struct textbuf *t, u64 arg);
void procfs_uptime(struct textbuf *t, u64 arg);
void procfs_loadavg(struct textbuf *t, u64 arg);
void procfs_version(struct textbuf *t, u64 arg);
void procfs_filesystems(struct textbuf *t, u64 arg);
void procfs_swaps(struct textbuf *t, u64 arg);

/* procfs_net.c: /proc/<pid>/net/. */
extern const struct synth_entry procfs_net_entries[];

/* procfs_cpuinfo.c */
void procfs_cpuinfo(struct textbuf *t, u64 arg);
