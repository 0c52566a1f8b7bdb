/* Copy loops for user memory, each with an exception-table entry (insn, fixup): a fault on the
 * rep instruction resumes at the fixup with %rcx holding the bytes not done. */
	.text
	.globl __copy_user
__copy_user:
	mov %rdx, %rcx
1:	rep movsb
	xor %eax, %eax
	ret
2:	mov %rcx, %rax
	ret

	.globl __clear_user
__clear_user:
	mov %rsi, %rcx
	xor %eax, %eax
3:	rep stosb
	ret
4:	mov %rcx, %rax
	ret

/* u64 __cmpxchg_user32(u32 *p, u32 old, u32 new, u32 *seen): an atomic compare-and-exchange
 * on a user word (futexes share their words with other CPUs); 0, or 1 when p faulted. */
	.globl __cmpxchg_user32
__cmpxchg_user32:
	mov %esi, %eax
5:	lock cmpxchg %edx, (%rdi)
	mov %eax, (%rcx)
	xor %eax, %eax
	ret
6:	mov $1, %eax
	ret

	.section .ex_table, "a"
	.quad 1b, 2b
	.quad 3b, 4b
	.quad 5b, 6b
