/* The process's identity and limits, and its end: the VM powers off with the exit status. */
#include "proc/process.h"
#include "mm/kheap.h"
#include "mm/pmm.h"
#include "arch/x86_64/gdt.h"
#include "drivers/power.h"
#include "core/log.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include <linux/resource.h>

struct process proc;
static struct thread main_thread;

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

	main_thread.tid = 1;
	paddr_t stack = pages_alloc(KERNEL_STACK_SIZE / PAGE_SIZE);
	if (!stack)
		panic("out of memory for the first kernel stack");
	main_thread.kstack = phys_to_virt(stack);
	proc.main_thread = &main_thread;
	cpu_set_kernel_stack((u64)main_thread.kstack + KERNEL_STACK_SIZE);
}

void proc_exit(int status)
{
	kprintf("exit: status %d\n", status);
	power_off((u32)status & 0xff);
}

void wait_forever(const char *what)
{
	kerr("monos: the only thread waits for %s, which nothing else can bring\n", what);
	for (;;)
		cpu_relax();
}
