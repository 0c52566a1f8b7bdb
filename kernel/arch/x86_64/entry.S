/* Kernel entry and exit: exception and interrupt entry points, the syscall instruction's entry, and the
 * two ways back to ring 3 (sysretq for syscalls, iretq for everything else). All build a struct
 * regs (regs.h). The ways out run with interrupts off: between the final swapgs and the return
 * instruction an interrupt would find the user's GS in the kernel. */
#include "arch/x86_64/asm.h"

.macro SAVE_REGS
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
.endm

.macro RESTORE_REGS
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
.endm

.macro ISR_NOERR n
	.p2align 4
isr_\n:
	pushq $0
	pushq $\n
	jmp trap_common
.endm
.macro ISR_ERR n
	.p2align 4
isr_\n:
	pushq $\n
	jmp trap_common
.endm

	.text
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR 29
ISR_ERR 30
ISR_NOERR 31

	.section .rodata
	.globl isr_table
isr_table:
	.irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr_\n
	.endr
	.text

/* Interrupts 32..255: one 16-byte entry point per vector (idt.c computes the addresses), error
 * code 0. Encoded by hand so every entry has the same size: push $0; push $vec (imm32);
 * jmp rel32. All in one page, which idt.c relies on; the assembler checks both at build time. */
	.p2align 12
	.globl irq_entries
irq_entries:
	.set vec, 32
	.rept 224
	.byte 0x6a, 0x00
	.byte 0x68
	.long vec
	.byte 0xe9
	.long irq_common - . - 4
	.fill 4, 1, 0xcc
	.set vec, vec + 1
	.endr
	.if . - irq_entries != 224 * 16
	.error "IRQ entry points are not 16 bytes each"
	.endif
	.if 224 * 16 > 4096
	.error "IRQ entry points do not fit one page"
	.endif

irq_common:
	testb $3, 24(%rsp)              /* the saved CS: from ring 3? */
	jz 1f
	swapgs
1:	cld
	SAVE_REGS
	mov %rsp, %rdi
	call irq_entry
	jmp trap_return

trap_common:
	testb $3, 24(%rsp)              /* the saved CS: did we come from ring 3? */
	jz 1f
	swapgs
1:	cld
	SAVE_REGS
	mov %rsp, %rdi
	call trap_dispatch
	.globl trap_return
trap_return:
	cli
	RESTORE_REGS
	add $16, %rsp                   /* vector and error code */
	testb $3, 8(%rsp)
	jz 2f
	swapgs
2:	iretq

/* syscall: RCX = user RIP, R11 = user RFLAGS, IF already cleared by FMASK. */
	.globl syscall_entry
syscall_entry:
	swapgs
	mov %rsp, %gs:PERCPU_USER_RSP
	mov %gs:PERCPU_KERNEL_RSP, %rsp
	pushq $USER_DS
	pushq %gs:PERCPU_USER_RSP
	pushq %r11
	pushq $USER_CS
	pushq %rcx
	pushq $0
	pushq $0x80                     /* "vector" marking a syscall frame */
	cld
	SAVE_REGS
	mov %rsp, %rdi
	call syscall_dispatch           /* returns nonzero when the frame must go back by iretq */
	test %eax, %eax
	jnz trap_return
	cli
	RESTORE_REGS
	add $16, %rsp
	mov (%rsp), %rcx
	mov 16(%rsp), %r11
	mov 24(%rsp), %rsp
	swapgs
	sysretq

/* Enters ring 3 for the first time from a struct regs built by the loader. */
	.globl enter_user
enter_user:
	mov %rdi, %rsp
	jmp trap_return
