/* Switching kernel stacks between threads. Only the callee-saved registers need keeping: the
 * switch is a function call, and the user's registers are already in the struct regs at the
 * top of each thread's kernel stack. */
#include "arch/x86_64/asm.h"

	.text
/* struct thread *context_switch(u64 *save_ksp, u64 next_ksp, struct thread *prev):
 * saves this stack in *save_ksp, continues on next_ksp, and returns prev there, so the thread
 * that resumes learns which thread it replaced. */
	.globl context_switch
context_switch:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, (%rdi)
	mov %rsi, %rsp
	mov %rdx, %rax
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

/* A new thread's first switch "returns" here (sched.c builds that frame): finish the switch,
 * then leave for ring 3 through the struct regs right above. */
	.globl thread_first_run
thread_first_run:
	mov %rax, %rdi
	call sched_finish_switch
	jmp trap_return

/* A CPU's idle thread starts here. */
	.globl idle_first_run
idle_first_run:
	mov %rax, %rdi
	call sched_finish_switch
	call sched_idle_loop
	ud2
