/* The vDSO (built from vdso/ by kernel.mk) inside the kernel image: page-aligned and padded to
 * whole pages, so that proc/vdso.c maps these very pages into the app and no other kernel
 * bytes share them. */
	.section .rodata.vdso, "a"
	.p2align 12
	.globl vdso_image_start, vdso_image_end
vdso_image_start:
	.incbin VDSO_IMAGE_PATH
	.p2align 12
vdso_image_end:
