/* Where an application processor starts. smp_init copies smp_trampoline to a page below 1 MiB
 * and sends the startup IPI with that page's number: the AP begins there in real mode with
 * CS = page >> 4, IP = 0. It goes to protected mode, then to long mode on the boot page tables
 * (boot.S: identity and kernel mappings of the first GiB, never modified), jumps to the kernel's
 * address, switches to the kernel's page tables, finds the stack smp_init made for its APIC id
 * and calls ap_start (smp.c). Several APs may run this at once: the real-mode and 32-bit parts
 * write no memory, and an AP may be sent back to the start by an INIT at any point. */
#include "arch/x86_64/asm.h"
#include "arch/x86_64/smp.h"

#define LAPIC_ID 0x20

	.section .rodata
	.p2align 4
	.globl smp_trampoline, smp_trampoline_end, smp_trampoline_params
	.code16
smp_trampoline:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	movzwl %ax, %ebx
	shl $4, %ebx                    /* %ebx = the page's physical address, kept to long mode */
	lgdtl tr_gdt_ptr - smp_trampoline
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl *(tr_far32 - smp_trampoline)

	.code32
tr_32:
	mov $0x18, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %cr4, %eax
	or $(CR4_PAE | CR4_PGE), %eax
	mov %eax, %cr4
	mov (tr_cr3 - smp_trampoline)(%ebx), %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	mov (tr_efer - smp_trampoline)(%ebx), %eax
	mov (tr_efer + 4 - smp_trampoline)(%ebx), %edx
	wrmsr
	mov $(CR0_PG | CR0_WP | CR0_PE), %eax
	mov %eax, %cr0
	ljmpl *(tr_far64 - smp_trampoline)(%ebx)

	.code64
tr_64:
	movabs $ap_entry64, %rax
	jmp *%rax

/* Filled by smp_init (struct trampoline_params in smp.c): the three addresses hold offsets from
 * smp_trampoline, to which smp_init adds the page's address. */
	.p2align 3
smp_trampoline_params:
tr_gdt_ptr:                             /* lgdtl operand: limit, 32-bit base */
	.word tr_gdt_end - tr_gdt - 1
	.long tr_gdt - smp_trampoline
	.word 0
tr_far32:                               /* far pointer: 32-bit offset, selector */
	.long tr_32 - smp_trampoline
	.word 0x08
	.word 0
tr_far64:
	.long tr_64 - smp_trampoline
	.word 0x10
	.word 0
tr_cr3:                                 /* boot_pml4: below 4 GiB, as a 32-bit CR3 load needs */
	.long 0
tr_efer:                                /* the boot CPU's EFER without LMA */
	.quad 0
	.p2align 3
tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff          /* 0x08: 32-bit code */
	.quad 0x00af9a000000ffff          /* 0x10: 64-bit code */
	.quad 0x00cf92000000ffff          /* 0x18: data */
tr_gdt_end:
smp_trampoline_end:

/* At the kernel's address, still on the boot page tables, no stack. */
	.text
ap_entry64:
	mov smp_kernel_cr3(%rip), %rax
	mov %rax, %cr3
	mov lapic_regs(%rip), %rax
	mov LAPIC_ID(%rax), %eax
	shr $24, %eax
	lea ap_slots(%rip), %rsi
	mov ap_slot_count(%rip), %ecx
1:	test %ecx, %ecx
	jz 3f
	cmp AP_SLOT_APIC_ID(%rsi), %eax
	je 2f
	add $AP_SLOT_SIZE, %rsi
	dec %ecx
	jmp 1b
2:	movl $1, AP_SLOT_STARTED(%rsi)
	mov AP_SLOT_STACK(%rsi), %rsp
	xor %ebp, %ebp                  /* the end of backtraces */
	mov %rsi, %rdi
	call ap_start
3:	cli                             /* not a CPU smp_init asked for */
	hlt
	jmp 3b
