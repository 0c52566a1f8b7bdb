/* A thread: its kernel stack and saved context, its user-visible state (TLS base, masks, the
 * clear-on-exit tid address) and its place in the scheduler. The process (proc/process.h) owns
 * the list of all of them. */
#pragma once
#include "types.h"
#include "lib/list.h"
#include "arch/x86_64/percpu.h"

#define KERNEL_STACK_SIZE (16 * 1024)

enum thread_state {
	THREAD_RUNNABLE, /* on a run queue, or running */
	THREAD_BLOCKED,  /* waiting for sched_wake or its deadline */
	THREAD_MIGRATING, /* leaving a CPU its affinity no longer allows */
	THREAD_DEAD,     /* exited; freed by the next thread on its CPU */
};

/* Why a blocked thread woke (sched_block's result). */
enum wake_reason {
	WAKE_NONE,
	WAKE_NORMAL,    /* a sched_wake: what it waited for may have happened */
	WAKE_TIMEOUT,   /* its deadline passed */
	WAKE_INTERRUPT, /* a signal or the end of the process */
};

struct regs;

struct thread {
	int tid;
	volatile enum thread_state state;
	volatile int wake_reason;
	int cpu;                 /* the CPU it runs on, or whose run queue holds it */
	volatile bool on_cpu;    /* its context is live on a CPU (not yet saved) */
	bool is_idle;            /* a CPU's idle loop, not an app thread */
	bool zombie;             /* the exited main thread, kept (as on Linux) while others run */
	u64 affinity;            /* CPUs it may run on, bit n for CPU n */
	struct list rq_link;     /* on a run queue */
	struct list all_link;    /* on proc.threads */
	struct list timer_link;  /* on its CPU's timer list while blocked with a deadline */
	u64 deadline_ns;         /* when a blocked thread wakes by itself; 0: never */
	u64 ksp;                 /* saved kernel stack pointer while switched out */
	u8 *kstack;              /* KERNEL_STACK_SIZE bytes */
	void *fpu;               /* XSAVE/FXSAVE area of the user's FPU and vector state */
	struct regs *regs;       /* the user frame at the top of its kernel stack */
	int bkl_depth;           /* big-kernel-lock holds given up while switched out */
	u64 slice_start_ns;      /* when it last got the CPU */
	u64 run_ns;              /* CPU time used (CLOCK_THREAD_CPUTIME_ID) */
	u64 nvcsw, nivcsw;       /* voluntary and involuntary context switches */

	u64 fs_base, gs_base;    /* user FS and GS bases */
	uptr_t clear_child_tid;  /* CLONE_CHILD_CLEARTID / set_tid_address */
	uptr_t robust_list;
	u64 robust_list_len;
	u64 sigmask;             /* blocked signals, bit n-1 for signal n */
	u64 sigpending;          /* signals sent to this thread alone and not yet taken */
	struct list sigqueue;    /* their siginfo (struct sigqueue_entry), oldest first */
	u64 saved_sigmask;       /* the own mask while a temporary one is in place */
	bool restore_sigmask;    /* put saved_sigmask back once a signal has been delivered */
	u64 sigwait_set;         /* rt_sigtimedwait's signals, unblocked in sigmask while it waits */
	bool force_iret;         /* the syscall rewrote every register: return by iretq */
	uptr_t altstack_sp;      /* sigaltstack; altstack_flags SS_DISABLE when there is none */
	u64 altstack_size;
	u32 altstack_flags;
	u64 trap_nr, trap_err, trap_cr2; /* the last user fault, for the signal frame */
	char comm[16];           /* the thread's name (prctl PR_SET_NAME), NUL-terminated */
};

/* A new thread's kernel stack (its struct regs at the top), FPU area and lists; NULL when
 * memory is short. */
struct thread *thread_alloc(void);
void thread_free(struct thread *t);
/* The thread running on this CPU: one load through %gs (it is on every syscall's path). */
static inline struct thread *current_thread(void) { return this_cpu()->current; }
