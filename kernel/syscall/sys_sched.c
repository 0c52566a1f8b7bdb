/* Scheduling calls: sched_yield, the CPU affinity masks, getcpu, membarrier, and the policy
 * queries (every thread is SCHED_OTHER at nice 0 to the app; the policy monos uses inside is
 * its own business). */
#include "syscall/syscall.h"
#include "sched/sched.h"
#include "proc/process.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include <linux/membarrier.h>
#include <linux/sched.h>

#define CPUMASK_BYTES 8 /* BITS_TO_LONGS(nr_cpu_ids) * sizeof(long), with at most 64 CPUs */

long sys_sched_yield(void)
{
	sched_yield();
	return 0;
}

/* pid 0 is the caller; any other is one of the process's threads (the pid is the main one). */
static struct thread *thread_of(int pid)
{
	return pid == 0 ? current_thread() : proc_find_thread(pid);
}

long sys_sched_getaffinity(int pid, u64 len, uptr_t mask)
{
	if (pid < 0)
		return -EINVAL;
	struct thread *t = thread_of(pid);
	if (!t)
		return -ESRCH;
	if (len * 8 < (u64)ncpus || (len & (sizeof(long) - 1)))
		return -EINVAL;
	u64 bits = t->affinity & sched_online_mask();
	if (copy_to_user(mask, &bits, CPUMASK_BYTES))
		return -EFAULT;
	return CPUMASK_BYTES;
}

long sys_sched_setaffinity(int pid, u64 len, uptr_t mask)
{
	if (pid < 0)
		return -EINVAL;
	struct thread *t = thread_of(pid);
	if (!t)
		return -ESRCH;
	/* A shorter mask means zeros for the rest; a longer one is cut. */
	u64 bits = 0;
	if (copy_from_user(&bits, mask, len < CPUMASK_BYTES ? len : CPUMASK_BYTES))
		return -EFAULT;
	if (!(bits & sched_online_mask()))
		return -EINVAL;
	t->affinity = bits;
	if (t == current_thread())
		sched_affinity_changed();
	return 0;
}

long sys_getcpu(uptr_t cpu, uptr_t node, uptr_t cache)
{
	u32 me = this_cpu()->cpu_id, zero = 0;
	if (cpu && copy_to_user(cpu, &me, sizeof(me)))
		return -EFAULT;
	if (node && copy_to_user(node, &zero, sizeof(zero)))
		return -EFAULT;
	return 0;
}

#define MEMBARRIER_SUPPORTED (MEMBARRIER_CMD_GLOBAL | MEMBARRIER_CMD_GLOBAL_EXPEDITED | \
			      MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED | \
			      MEMBARRIER_CMD_PRIVATE_EXPEDITED | \
			      MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED)

static bool private_registered;

/* Every other CPU takes an interrupt before this returns: an interrupt orders memory on x86.
 * A one-page shootdown of an address never mapped is an IPI that waits for its answer. */
static void barrier_on_all_cpus(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	tlb_shootdown(0, PAGE_SIZE);
}

long sys_membarrier(int cmd, u32 flags, int cpu_id)
{
	if (flags)
		return -EINVAL;
	switch (cmd) {
	case MEMBARRIER_CMD_QUERY:
		return MEMBARRIER_SUPPORTED;
	case MEMBARRIER_CMD_GLOBAL:
	case MEMBARRIER_CMD_GLOBAL_EXPEDITED:
		barrier_on_all_cpus();
		return 0;
	case MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED:
		return 0;
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED:
		if (!private_registered)
			return -EPERM;
		barrier_on_all_cpus();
		return 0;
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED:
		private_registered = true;
		return 0;
	default:
		/* The SYNC_CORE and RSEQ variants. */
		return -EINVAL;
	}
}
