/* The process's identity and limits, its threads' birth and death, and its end: the VM powers
 * off with the exit status. */
#include "proc/process.h"
#include "proc/signal.h"
#include "sched/sched.h"
#include "core/time.h"
#include "mm/usercopy.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "drivers/power.h"
#include "core/log.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include <linux/resource.h>

struct process proc;

struct thread *proc_find_thread(int tid)
{
	list_for_each(pos, &proc.threads) {
		struct thread *t = list_entry(pos, struct thread, all_link);
		if (t->tid == tid)
			return t;
	}
	return NULL;
}

void proc_init(void)
{
	proc.pid = 1;
	proc.umask = 022;
	for (int i = 0; i < 16; i++)
		proc.rlimits[i][0] = proc.rlimits[i][1] = RLIM_INFINITY;
	proc.rlimits[RLIMIT_STACK][0] = 8UL << 20;
	proc.rlimits[RLIMIT_NOFILE][0] = 1024;
	proc.rlimits[RLIMIT_NOFILE][1] = 4096;
	proc.rlimits[RLIMIT_CORE][0] = 0;
	proc.rlimits[RLIMIT_MEMLOCK][0] = proc.rlimits[RLIMIT_MEMLOCK][1] = 8UL << 20;
	proc.rlimits[RLIMIT_NPROC][0] = proc.rlimits[RLIMIT_NPROC][1] = 0x3fffffff;
	proc.rlimits[RLIMIT_SIGPENDING][0] = proc.rlimits[RLIMIT_SIGPENDING][1] = 0x3fffffff;
	proc.rlimits[RLIMIT_MSGQUEUE][0] = proc.rlimits[RLIMIT_MSGQUEUE][1] = 819200;
	proc.rlimits[RLIMIT_NICE][0] = proc.rlimits[RLIMIT_NICE][1] = 0;
	proc.rlimits[RLIMIT_RTPRIO][0] = proc.rlimits[RLIMIT_RTPRIO][1] = 0;

	list_init(&proc.threads);
	list_init(&proc.shared_queue);
	struct thread *t = thread_alloc();
	if (!t)
		panic("out of memory for the first thread");
	t->tid = proc.pid; /* the thread-group leader's tid is the pid */
	proc.next_tid = t->tid + 1;
	proc.main_thread = t;
	list_push_back(&proc.threads, &t->all_link);
	proc.nthreads = 1;
	this_cpu()->current = t;
	cpu_set_kernel_stack((u64)t->kstack + KERNEL_STACK_SIZE);
}

void proc_exit(int status)
{
	kprintf("exit: status %d\n", status);
	power_off((u32)status & 0xff);
}

void thread_exit(int status)
{
	struct thread *t = current_thread();
	futex_exit_robust_list(t);
	if (t->clear_child_tid) {
		/* What pthread_join waits for: the tid word cleared, then a wake. A bad address is
		 * ignored, as Linux ignores it. */
		u32 zero = 0;
		if (copy_to_user(t->clear_child_tid, &zero, sizeof(zero)) == 0)
			futex_wake_one(t->clear_child_tid);
	}
	signal_thread_exit(t);
	if (--proc.nthreads == 0)
		proc_exit(status);
	/* The main thread stays listed as a zombie (/proc/self/task shows it, state Z) while the
	 * others run; any other thread goes. */
	if (t->tid == proc.pid) {
		t->zombie = true;
	} else {
		list_remove(&t->all_link);
		proc.exited_threads_ns += time_thread_cpu_ns(t);
	}
	sched_exit_current();
}

u64 time_process_cpu_ns(void)
{
	u64 ns = proc.exited_threads_ns;
	list_for_each(pos, &proc.threads)
		ns += time_thread_cpu_ns(list_entry(pos, struct thread, all_link));
	return ns;
}
