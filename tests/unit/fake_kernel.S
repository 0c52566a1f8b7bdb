/* A stand-in kernel for testing `monos run` without the real one: a PVH entry that plays
 * one scene of docs/protocol.md on the control channel (port 0xe9), the console (COM1)
 * and isa-debug-exit (port 0xf4). monos.mk assembles one image per scene:
 *   FAKE_EXIT        'E' "hi\n", "ok\n" on COM1, 'X' 42, then isa-debug-exit 42
 *   FAKE_DEBUG_EXIT  no records; isa-debug-exit 7 (QEMU exits with 15)
 *   FAKE_PANIC       'E' "boom\n", 'K', then isa-debug-exit 1
 *   FAKE_STATUS_HANG 'X' 3, then halts forever (monos must stop QEMU itself)
 *   FAKE_HANG        halts forever
 *   FAKE_BAD_RECORD  'Z', then isa-debug-exit 5
 *   FAKE_NO_STATUS   a triple fault: with -no-reboot QEMU exits 0, no status anywhere */

	.section .note.pvh, "a"
	.p2align 2
	.long 4, 4, 18		/* name size, desc size, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long _start

	.macro outb port, byte
	mov $\port, %dx
	mov $\byte, %al
	out %al, %dx
	.endm

	.macro debug_exit value
	mov $0xf4, %dx
	mov $\value, %eax
	out %eax, %dx
	.endm

	.text
	.code32
	.globl _start
_start:
	cli
#if defined(FAKE_EXIT)
	outb 0xe9, 'E'
	outb 0xe9, 3
	outb 0xe9, 0
	outb 0xe9, 'h'
	outb 0xe9, 'i'
	outb 0xe9, '\n'
	outb 0x3f8, 'o'
	outb 0x3f8, 'k'
	outb 0x3f8, '\n'
	outb 0xe9, 'X'
	outb 0xe9, 42
	outb 0xe9, 0
	outb 0xe9, 0
	outb 0xe9, 0
	debug_exit 42
#elif defined(FAKE_DEBUG_EXIT)
	debug_exit 7
#elif defined(FAKE_PANIC)
	outb 0xe9, 'E'
	outb 0xe9, 5
	outb 0xe9, 0
	outb 0xe9, 'b'
	outb 0xe9, 'o'
	outb 0xe9, 'o'
	outb 0xe9, 'm'
	outb 0xe9, '\n'
	outb 0xe9, 'K'
	debug_exit 1
#elif defined(FAKE_STATUS_HANG)
	outb 0xe9, 'X'
	outb 0xe9, 3
	outb 0xe9, 0
	outb 0xe9, 0
	outb 0xe9, 0
#elif defined(FAKE_HANG)
#elif defined(FAKE_BAD_RECORD)
	outb 0xe9, 'Z'
	debug_exit 5
#elif defined(FAKE_NO_STATUS)
	lidt empty_idt		/* no IDT: the breakpoint becomes a triple fault */
	int3
#else
#error "define one FAKE_* scene"
#endif
1:	hlt
	jmp 1b

	.data
empty_idt:
	.word 0
	.long 0
