/* PVH entry. QEMU (-kernel, through qboot/SeaBIOS) and Firecracker start us here in 32-bit
 * protected mode with paging off, %ebx holding the physical address of struct hvm_start_info.
 * We build just enough paging to reach long mode at our high address, then call kmain(). */
#include "arch/x86_64/asm.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a"
	.p2align 2
	.long 4                      /* name size: "Xen\0" */
	.long 4                      /* descriptor size */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.p2align 2
	.long pvh_start32

	.section .boot.text, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	/* PAE, then the early tables (identity 0-1 GiB and the same at -2 GiB). */
	mov %cr4, %eax
	or $(CR4_PAE | CR4_PGE), %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	/* Long mode and no-execute. */
	mov $MSR_EFER, %ecx
	rdmsr
	or $(EFER_LME | EFER_NXE | EFER_SCE), %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP | CR0_PE), %eax
	mov %eax, %cr0
	lgdt boot_gdt_ptr
	ljmp $0x10, $boot_long

	.code64
boot_long:
	mov $0x18, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov %ebx, %edi                    /* kmain(start_info physical address) */
	movabs $boot_stack_top, %rsp
	movabs $kmain, %rax
	call *%rax
1:	hlt
	jmp 1b

	.section .boot.data, "aw"
	.p2align 12
/* Slot 0: identity (the jump to long mode runs here); slot 273: the direct map, as the final
 * tables have it, so phys_to_virt() works from the start; slot 511: the kernel at -2 GiB. All
 * three show the first GiB. The other CPUs reach long mode on these tables too (trampoline.S):
 * nothing may change them. */
	.globl boot_pml4
boot_pml4:
	.quad boot_pdpt_low + 0x3
	.fill 272, 8, 0
	.quad boot_pdpt_low + 0x3
	.fill 237, 8, 0
	.quad boot_pdpt_high + 0x3
boot_pdpt_low:
	.quad boot_pd + 0x3
	.fill 511, 8, 0
boot_pdpt_high:
	.fill 510, 8, 0
	.quad boot_pd + 0x3
	.quad 0
boot_pd:                                  /* 512 x 2 MiB pages: the first GiB */
	.set i, 0
	.rept 512
	.quad (i << 21) | 0x83
	.set i, i + 1
	.endr

	.p2align 3
boot_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff          /* 0x08: 32-bit code (unused after entry) */
	.quad 0x00af9a000000ffff          /* 0x10: 64-bit kernel code */
	.quad 0x00cf92000000ffff          /* 0x18: kernel data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .bss
	.p2align 12
	.globl boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:
