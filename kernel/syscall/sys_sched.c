/* Scheduling queries: sched_yield, sched_getaffinity, getcpu (one CPU runs the app for now). */
#include "syscall/syscall.h"
#include "proc/process.h"

#define NR_CPU_IDS 1
#define CPUMASK_BYTES 8 /* BITS_TO_LONGS(nr_cpu_ids) * sizeof(long) */

long sys_sched_yield(void) { return 0; }

long sys_sched_getaffinity(int pid, u64 len, uptr_t mask)
{
	if (pid < 0)
		return -EINVAL;
	if (pid != 0 && pid != proc.pid && pid != current_thread()->tid)
		return -ESRCH;
	if (len * 8 < NR_CPU_IDS || (len & (sizeof(long) - 1)))
		return -EINVAL;
	u64 bits = (1UL << NR_CPU_IDS) - 1;
	if (copy_to_user(mask, &bits, CPUMASK_BYTES))
		return -EFAULT;
	return CPUMASK_BYTES;
}

long sys_getcpu(uptr_t cpu, uptr_t node, uptr_t cache)
{
	u32 zero = 0;
	if (cpu && copy_to_user(cpu, &zero, sizeof(zero)))
		return -EFAULT;
	if (node && copy_to_user(node, &zero, sizeof(zero)))
		return -EFAULT;
	return 0;
}
