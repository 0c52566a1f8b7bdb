/* The one process and its (for now, one) thread. */
#pragma once
#include "types.h"
#include <asm/signal.h>

#define KERNEL_STACK_SIZE (16 * 1024)

struct k_sigaction {
	u64 handler, flags, restorer, mask;
};

struct inode;

struct thread {
	int tid;
	u64 fs_base;
	uptr_t clear_child_tid;
	uptr_t robust_list;
	u64 robust_list_len;
	u64 sigmask;
	u64 sigpending;           /* signals sent while blocked, bit n-1 for signal n */
	char comm[16];            /* the thread's name (prctl PR_SET_NAME), NUL-terminated */
	u8 *kstack;
};

struct process {
	int pid;
	const char *exe_path;     /* absolute guest path of the executable */
	struct inode *cwd;        /* the working directory */
	const char **argv, **envp; /* as the program was started with (/proc/self/cmdline) */
	u32 personality;
	struct k_sigaction sigactions[64];
	u32 umask;
	u64 rlimits[16][2];       /* RLIMIT_* cur, max */
	u64 auxv[64];             /* as given to the app, for /proc/self/auxv later */
	int nauxv;
	struct thread *main_thread;
};

extern struct process proc;

static inline struct thread *current_thread(void) { return proc.main_thread; }

void proc_init(void);
/* Loads the manifest's program and enters it; returns only on failure (with a message). */
void exec_start(void);
void __noreturn proc_exit(int status);
/* The only thread waits for something only another thread could bring (a pipe filled, a lock
 * released): on Linux it would block for ever, and so do we, after saying so once. Threads and
 * wait queues replace this. */
void __noreturn wait_forever(const char *what);
