/* Copy loops for user memory, each with an exception-table entry (insn, fixup): a fault on a
 * rep instruction resumes at a fixup that returns the bytes not done. Eight bytes per step,
 * then the tail: under QEMU every rep iteration is an instruction (and emulated work), so byte
 * steps made a 16-byte struct cost 16. */
	.text
	.globl __copy_user
__copy_user:
	mov %rdx, %rcx
	shr $3, %rcx
	and $7, %edx
1:	rep movsq
	mov %edx, %ecx
2:	rep movsb
	xor %eax, %eax
	ret
7:	lea (%rdx,%rcx,8), %rax         /* quadwords left, and the whole tail */
	ret
8:	mov %rcx, %rax
	ret

	.globl __clear_user
__clear_user:
	mov %rsi, %rcx
	shr $3, %rcx
	and $7, %esi
	xor %eax, %eax
3:	rep stosq
	mov %esi, %ecx
9:	rep stosb
	ret
4:	lea (%rsi,%rcx,8), %rax
	ret
10:	mov %rcx, %rax
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
	.quad 1b, 7b
	.quad 2b, 8b
	.quad 3b, 4b
	.quad 9b, 10b
	.quad 5b, 6b
