/* The one process and its threads. */
#pragma once
#include "types.h"
#include "sched/thread.h"
#include <asm/signal.h>

struct k_sigaction {
	u64 handler, flags, restorer, mask;
};

struct inode;

struct process {
	int pid;
	const char *exe_path;     /* absolute guest path of the executable */
	struct inode *cwd;        /* the working directory */
	const char **argv, **envp; /* as the program was started with (/proc/self/cmdline) */
	u32 personality;
	struct k_sigaction sigactions[64];
	u64 shared_pending;       /* signals sent to the process, not yet taken by a thread */
	struct list shared_queue; /* their siginfo (struct sigqueue_entry) */
	int nqueued;              /* siginfo entries queued in all (RLIMIT_SIGPENDING) */
	u32 umask;
	int ngroups;              /* supplementary groups (setgroups), each of them gid 0 */
	u64 rlimits[16][2];       /* RLIMIT_* cur, max */
	u64 auxv[64];             /* as given to the app, for /proc/self/auxv later */
	int nauxv;
	struct thread *main_thread;
	struct list threads;      /* every live thread, by all_link, oldest first */
	int nthreads;
	int next_tid;
	u64 exited_threads_ns;    /* CPU time of the threads that are gone */
};

extern struct process proc;

void proc_init(void);
/* Loads the manifest's program and enters it; returns only on failure (with a message). */
void exec_start(void);
void __noreturn proc_exit(int status);
/* The live thread with this tid, or NULL. */
struct thread *proc_find_thread(int tid);
/* Ends the calling thread (exit): clears and wakes its clear_child_tid word, releases its robust
 * futexes; the last thread to go ends the process with its status. */
void __noreturn thread_exit(int status);
/* futex.c's part in a thread's end. */
void futex_exit_robust_list(struct thread *t);
void futex_wake_one(uptr_t addr);
