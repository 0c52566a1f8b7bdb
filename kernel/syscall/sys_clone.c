/* clone and clone3: new threads of the one process. A request for a new process (no
 * CLONE_THREAD: fork, vfork, posix_spawn) gives ENOSYS; the flag checks before that give
 * Linux's EINVAL, in the order kernel/fork.c makes them, so a program probing them learns what
 * it would on Linux. */
#include "syscall/syscall.h"
#include "sched/sched.h"
#include "proc/process.h"
#include "arch/x86_64/regs.h"
#include "arch/x86_64/asm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "core/log.h"
#include "lib/string.h"
#include <linux/sched.h>

extern char thread_first_run[];

/* The flags one thread of this process may ask for; the rest are namespaces, new processes or
 * tracing. */
#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define ACCEPTED_FLAGS (THREAD_FLAGS | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | \
			CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED | CLONE_IO | \
			CLONE_UNTRACED | CLONE_PTRACE)

struct clone_request {
	u64 flags;
	uptr_t stack;        /* the child's stack pointer; 0: the parent's */
	uptr_t parent_tid, child_tid;
	u64 tls;
};

static long logged_once(const char *what)
{
	static u32 said;
	u32 bit = what[0] == 'n' ? 1 : 2;
	if (!(said & bit)) {
		said |= bit;
		kprintf("monos: clone of %s is not supported: ENOSYS\n", what);
	}
	return -ENOSYS;
}

static long check_flags(u64 flags)
{
	if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS) ||
	    (flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_PIDFD) && (flags & (CLONE_DETACHED | CLONE_THREAD)))
		return -EINVAL;
	if ((flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) == (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND))
		return -EINVAL;
	if (!(flags & CLONE_THREAD))
		return logged_once("new processes (fork, vfork, posix_spawn)");
	if ((flags & THREAD_FLAGS) != THREAD_FLAGS || (flags & ~ACCEPTED_FLAGS))
		return logged_once("threads with their own files, cwd or namespaces");
	return 0;
}

static long do_clone(const struct clone_request *c)
{
	long err = check_flags(c->flags);
	if (err)
		return err;
	if ((c->flags & CLONE_SETTLS) && c->tls >= USER_TOP)
		return -EPERM;
	struct thread *parent = current_thread(), *t = thread_alloc();
	if (!t)
		return -ENOMEM;
	t->tid = proc.next_tid++;
	*t->regs = *parent->regs;
	t->regs->rax = 0;
	if (c->stack)
		t->regs->rsp = c->stack;
	t->fs_base = (c->flags & CLONE_SETTLS) ? c->tls : parent->fs_base;
	t->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	fpu_save(t->fpu); /* the parent's live state: the child starts with a copy */
	t->sigmask = parent->sigmask;
	t->affinity = parent->affinity;
	t->cpu = parent->cpu;
	memcpy(t->comm, parent->comm, sizeof(t->comm));
	if (c->flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = c->child_tid;
	/* Both stores are into the one address space; Linux ignores a fault in either. */
	u32 tid = (u32)t->tid;
	if (c->flags & CLONE_PARENT_SETTID)
		copy_to_user(c->parent_tid, &tid, sizeof(tid));
	if (c->flags & CLONE_CHILD_SETTID)
		copy_to_user(c->child_tid, &tid, sizeof(tid));

	/* The first switch to the child pops context_switch's six registers, then "returns" into
	 * thread_first_run, right below its struct regs. */
	u64 *sp = (u64 *)t->regs;
	*--sp = (u64)thread_first_run;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->ksp = (u64)sp;
	list_push_back(&proc.threads, &t->all_link);
	proc.nthreads++;
	sched_start(t);
	return t->tid;
}

long sys_clone(u64 flags, uptr_t stack, uptr_t parent_tid, uptr_t child_tid, u64 tls)
{
	/* The low byte is the exit signal for a new process; a thread has none. */
	struct clone_request c = { flags & ~(u64)CSIGNAL, stack, parent_tid, child_tid, tls };
	return do_clone(&c);
}

long sys_clone3(uptr_t uargs, u64 size)
{
	struct clone_args a;
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	memset(&a, 0, sizeof(a));
	if (copy_from_user(&a, uargs, MIN(size, sizeof(a))))
		return -EFAULT;
	/* A larger struct from a newer libc is fine if what we do not know of is zero. */
	for (u64 off = sizeof(a); off < size; off++) {
		u8 b;
		if (copy_from_user(&b, uargs + off, 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	const u64 known = 0xffffffffULL | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP;
	if ((a.flags & ~known) || a.exit_signal > 64)
		return -EINVAL;
	/* The exit signal has its own field: the low byte of flags must be clear (but for
	 * CLONE_NEWTIME, which lives there). */
	if ((a.flags & (CLONE_DETACHED | (CSIGNAL & ~CLONE_NEWTIME))) || a.set_tid_size > 32 ||
	    (!a.set_tid && a.set_tid_size) || (a.set_tid && !a.set_tid_size))
		return -EINVAL;
	if ((a.flags & (CLONE_THREAD | CLONE_PARENT)) && a.exit_signal)
		return -EINVAL;
	if ((a.flags & CLONE_INTO_CGROUP) && size < CLONE_ARGS_SIZE_VER2)
		return -EINVAL;
	if ((!a.stack && a.stack_size) || (a.stack && !a.stack_size) ||
	    a.stack + a.stack_size < a.stack)
		return -EINVAL;
	if (a.set_tid_size || (a.flags & CLONE_INTO_CGROUP))
		return logged_once("threads with their own files, cwd or namespaces");
	struct clone_request c = {
		a.flags, a.stack ? a.stack + a.stack_size : 0, a.parent_tid, a.child_tid, a.tls,
	};
	return do_clone(&c);
}
