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

	.section .ex_table, "a"
	.quad 1b, 2b
	.quad 3b, 4b
