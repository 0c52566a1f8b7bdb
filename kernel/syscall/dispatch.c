/* From the syscall instruction to a handler and back: look the number up in the table, call the
 * handler with the six argument registers, trace, and say whether sysretq is safe. */
#include "syscall/table.h"
#include "sched/bkl.h"
#include "sched/sched.h"
#include "syscall/trace.h"
#include "syscall/syscall.h"
#include "arch/x86_64/regs.h"
#include "arch/x86_64/asm.h"
#include "core/cmdline.h"
#include "core/log.h"
#include "proc/signal.h"
#include "errno.h"

static u8 logged_unsupported[NR_SYSCALLS / 8];

static long unsupported(unsigned nr, const struct syscall_entry *e)
{
	if (nr < NR_SYSCALLS && !(logged_unsupported[nr / 8] & (1 << (nr % 8)))) {
		logged_unsupported[nr / 8] |= 1 << (nr % 8);
		if (e && e->name)
			kprintf("monos: syscall %s (%u) is not supported: ENOSYS\n", e->name, nr);
		else
			kprintf("monos: unknown syscall number %u: ENOSYS\n", nr);
	}
	return -ENOSYS;
}

/* Returns nonzero when the return to user mode must use iretq: sysretq faults in ring 0 on a
 * non-canonical RIP, and it cannot restore RCX and R11 (which rt_sigreturn restores). */
/* Unknown numbers, missing handlers and tracing: off the common path. */
static __attribute__((noinline)) long dispatch_slow(struct regs *r)
{
	unsigned nr = (unsigned)r->rax;
	const struct syscall_entry *e = r->rax < NR_SYSCALLS ? &syscall_table[nr] : NULL;
	u64 args[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };
	if (r->rax >= NR_SYSCALLS || !e->fn)
		return unsupported(nr, e);
	if (!options.trace_syscalls)
		return e->fn(args[0], args[1], args[2], args[3], args[4], args[5]);
	if (nr == __NR_exit || nr == __NR_exit_group)
		trace_syscall(nr, e, args, 0, true);
	long ret = e->fn(args[0], args[1], args[2], args[3], args[4], args[5]);
	trace_syscall(nr, e, args, ret, false);
	return ret;
}

int syscall_dispatch(struct regs *r)
{
	u64 nr = r->rax;
	syscall_fn fn = nr < NR_SYSCALLS ? syscall_table[nr].fn : NULL;
	r->error = nr; /* the number, should a signal make the call start again */
	bkl_lock();
	long ret;
	if (__builtin_expect(fn && !options.trace_syscalls, 1))
		ret = fn(r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9);
	else
		ret = dispatch_slow(r);
	r->rax = (u64)ret;
	bkl_unlock();
	sched_preempt_point();
	signal_return_to_user(r);
	struct thread *t = current_thread();
	if (t->force_iret) {
		t->force_iret = false;
		return 1;
	}
	return r->rip >= USER_TOP || r->cs != USER_CS;
}
