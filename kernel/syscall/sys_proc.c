/* Process identity and lifetime: exit, exit_group, the id queries, set_tid_address, the robust
 * list, arch_prctl (the thread pointer), umask, prctl, personality. One process: its pid is 1, its parent 0, and the
 * app is root of its VM. */
#include "syscall/syscall.h"
#include "proc/process.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/asm.h"
#include "lib/string.h"
#include <asm/prctl.h>
#include <linux/prctl.h>
#include <linux/capability.h>
#include <linux/personality.h>

long sys_exit(int status)
{
	/* The last thread leaving ends the process with its status. */
	thread_exit(status & 0xff);
}

/* Every thread ends with the VM, at once: nothing they would do on their way out (clearing tid
 * words, robust lists) could be seen by anyone. */
long sys_exit_group(int status)
{
	proc_exit(status & 0xff);
}

long sys_getpid(void) { return proc.pid; }
long sys_gettid(void) { return current_thread()->tid; }
long sys_getppid(void) { return 0; }
long sys_getuid(void) { return 0; }
long sys_geteuid(void) { return 0; }
long sys_getgid(void) { return 0; }
long sys_getegid(void) { return 0; }
static long put_three_ids(uptr_t a, uptr_t b, uptr_t c)
{
	u32 zero = 0;
	if (copy_to_user(a, &zero, 4) || copy_to_user(b, &zero, 4) || copy_to_user(c, &zero, 4))
		return -EFAULT;
	return 0;
}

long sys_getresuid(uptr_t r, uptr_t e, uptr_t s) { return put_three_ids(r, e, s); }
long sys_getresgid(uptr_t r, uptr_t e, uptr_t s) { return put_three_ids(r, e, s); }

long sys_getpgrp(void) { return proc.pid; }
long sys_getpgid(int pid) { return pid == 0 || pid == proc.pid ? proc.pid : -ESRCH; }
long sys_getsid(int pid) { return pid == 0 || pid == proc.pid ? proc.pid : -ESRCH; }

long sys_set_tid_address(uptr_t tidptr)
{
	current_thread()->clear_child_tid = tidptr;
	return current_thread()->tid;
}

/* struct robust_list_head: three words. Linux rejects any other size. */
#define ROBUST_LIST_HEAD_SIZE 24

long sys_set_robust_list(uptr_t head, u64 len)
{
	if (len != ROBUST_LIST_HEAD_SIZE)
		return -EINVAL;
	current_thread()->robust_list = head;
	current_thread()->robust_list_len = len;
	return 0;
}

long sys_get_robust_list(int tid, uptr_t head_ptr, uptr_t len_ptr)
{
	if (tid != 0 && tid != current_thread()->tid)
		return -ESRCH;
	u64 head = current_thread()->robust_list, len = ROBUST_LIST_HEAD_SIZE;
	if (copy_to_user(head_ptr, &head, sizeof(head)) || copy_to_user(len_ptr, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

static bool canonical_user(u64 a) { return a < USER_TOP + PAGE_SIZE; }

long sys_arch_prctl(int code, u64 arg)
{
	switch (code) {
	case ARCH_SET_FS:
		if (!canonical_user(arg))
			return -EPERM;
		current_thread()->fs_base = arg;
		wrmsr(MSR_FS_BASE, arg);
		return 0;
	case ARCH_GET_FS:
		return copy_to_user(arg, &current_thread()->fs_base, sizeof(u64));
	case ARCH_SET_GS:
		if (!canonical_user(arg))
			return -EPERM;
		/* The user's GS base waits in KERNEL_GS_BASE while we run (swapgs). */
		current_thread()->gs_base = arg;
		wrmsr(MSR_KERNEL_GS_BASE, arg);
		return 0;
	case ARCH_GET_GS: {
		u64 gs = rdmsr(MSR_KERNEL_GS_BASE);
		return copy_to_user(arg, &gs, sizeof(gs));
	}
	default:
		return -EINVAL;
	}
}

long sys_umask(u32 mask)
{
	u32 old = proc.umask;
	proc.umask = mask & 0777;
	return old;
}

long sys_prctl(int option, u64 arg2, u64 arg3, u64 arg4, u64 arg5)
{
	struct thread *t = current_thread();
	switch (option) {
	case PR_SET_NAME: {
		char name[sizeof(t->comm)];
		long n = strncpy_from_user(name, arg2, sizeof(name));
		if (n == -EFAULT)
			return -EFAULT;
		/* Longer names are cut to 15 bytes, as Linux does. */
		name[sizeof(name) - 1] = '\0';
		memcpy(t->comm, name, sizeof(name));
		return 0;
	}
	case PR_GET_NAME:
		return copy_to_user(arg2, t->comm, sizeof(t->comm));
	case PR_CAPBSET_READ:
		/* Root of its VM: the bounding set holds every capability there is. */
		return arg2 <= CAP_LAST_CAP ? 1 : -EINVAL;
	default:
		return -EINVAL;
	}
}

long sys_personality(u32 persona)
{
	u32 old = proc.personality;
	if (persona != 0xffffffff)
		proc.personality = persona;
	return old;
}
