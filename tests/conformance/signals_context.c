/*
 * signals_context.c: the ucontext a handler gets, and what its edits do.
 *
 * - General registers: values the interrupted code held are in
 *   uc_mcontext.gregs; a handler that sets REG_RIP past a ud2 and REG_RAX
 *   (or R12) sees the code continue there with that value. CS is 0x33 and
 *   SS 0x2b (REG_CSGSFS), IF is set in REG_EFL.
 * - The frame: the handler starts with RSP = 8 mod 16 (as after a call),
 *   below the interrupted code's 128-byte red zone.
 * - uc_sigmask is the interrupted code's mask (without the signal being
 *   handled); changing it there changes the mask after the handler returns,
 *   and a pending signal it unblocks is delivered then.
 * - FPU state: the interrupted code's xmm0-15, x87 stack (a double in
 *   flight) and MXCSR survive a handler that clobbers them all; the handler
 *   starts with the default MXCSR (0x1f80) and x87 control word (0x37f);
 *   with AVX, the ymm upper halves survive too. uc_mcontext.fpregs is
 *   non-NULL and holds the saved xmm registers; an edit there takes effect.
 *   When the OS uses XSAVE (CPUID OSXSAVE), sw_reserved has
 *   FP_XSTATE_MAGIC1, FP_XSTATE_MAGIC2 ends the extended area, the
 *   xfeatures have x87 and SSE, and uc_flags is UC_FP_XSTATE |
 *   UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS.
 * - getcontext/setcontext/makecontext/swapcontext, glibc only: musl has
 *   none of them (they are gone from POSIX.1-2008).
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"
#include "signal_util.h"
#include "thread_util.h"

/* From Linux's uapi asm/sigcontext.h, which clashes with <signal.h>. */
#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U
#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
/* struct _fpx_sw_bytes sits at byte 464 of the 512-byte fxsave area. */
#define SW_RESERVED_OFFSET 464
struct fpx_sw_bytes {
	uint32_t magic1, extended_size;
	uint64_t xfeatures;
	uint32_t xstate_size, padding[7];
};

#define HIDDEN __attribute__((visibility("hidden")))

/* ---- general registers ------------------------------------------------------- */

/* Returns whatever the SIGILL handler put in rax (0 if it did nothing). */
long ud2_rax(void) HIDDEN;
/* Loads r12..r15 and rbx with markers, ud2, returns r12 (the handler may change it). */
long ud2_regs(void) HIDDEN;
extern char ud2_rax_insn[] HIDDEN, ud2_regs_insn[] HIDDEN;
__asm__(".text\n"
	"ud2_rax:\n"
	"	xor %eax, %eax\n"
	"ud2_rax_insn:\n"
	"	ud2\n"
	"	ret\n"
	"ud2_regs:\n"
	"	push %rbx\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	mov $0x1111222233334444, %rbx\n"
	"	mov $0x5555666677778888, %r12\n"
	"	mov $0x0123456789abcdef, %r13\n"
	"	mov $0x7edcba9876543210, %r14\n"
	"	mov $0x0f0f0f0f0f0f0f0f, %r15\n"
	"ud2_regs_insn:\n"
	"	ud2\n"
	"	mov %r12, %rax\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbx\n"
	"	ret\n");

static struct {
	long long rbx, r12, r13, r14, r15, rip, rsp, efl, csgsfs;
	uintptr_t local;
	int count;
} ill;

/* Not static: align_entry jumps to it. */
void ill_handler(int sig, siginfo_t *si, void *ucv) HIDDEN;
void ill_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	volatile char here;

	ill.count++;
	ill.rbx = g[REG_RBX], ill.r12 = g[REG_R12], ill.r13 = g[REG_R13];
	ill.r14 = g[REG_R14], ill.r15 = g[REG_R15], ill.rip = g[REG_RIP];
	ill.rsp = g[REG_RSP], ill.efl = g[REG_EFL], ill.csgsfs = g[REG_CSGSFS];
	ill.local = (uintptr_t)&here;
	g[REG_RIP] += 2; /* past the ud2 */
	g[REG_RAX] = 1234;
	g[REG_R12] = 0x4242;
}

/* Entered as the handler: records RSP on entry, then runs the C handler. */
void align_entry(int, siginfo_t *, void *) HIDDEN;
uintptr_t entry_rsp HIDDEN;
__asm__(".text\n"
	"align_entry:\n"
	"	mov %rsp, entry_rsp(%rip)\n"
	"	jmp ill_handler\n");

static void register_checks(void)
{
	on_signal(SIGILL, align_entry, 0, sigset_of(0));

	memset(&ill, 0, sizeof(ill));
	long rax = ud2_rax();
	check(ill.count == 1 && rax == 1234, "edit_rip_and_rax",
	      "%d traps, rax %ld; expected 1, 1234", ill.count, rax);
	check(ill.rip == (long long)(uintptr_t)ud2_rax_insn, "rip_is_the_ud2",
	      "REG_RIP %#llx, expected %p", ill.rip, (void *)ud2_rax_insn);
	check(entry_rsp % 16 == 8, "handler_rsp_aligned", "RSP %#lx on entry, expected 8 mod 16",
	      (unsigned long)entry_rsp);
	check(ill.local < (uintptr_t)ill.rsp - 128, "frame_below_red_zone",
	      "a handler local at %#lx, the interrupted RSP %#llx", (unsigned long)ill.local,
	      ill.rsp);
	check((ill.csgsfs & 0xffff) == 0x33 && ((ill.csgsfs >> 48) & 0xffff) == 0x2b,
	      "cs_ss_selectors", "CSGSFS %#llx: CS %#llx SS %#llx, expected 0x33 and 0x2b",
	      ill.csgsfs, ill.csgsfs & 0xffff, (ill.csgsfs >> 48) & 0xffff);
	check(ill.efl & 0x200, "eflags_if", "REG_EFL %#llx without IF", ill.efl);

	memset(&ill, 0, sizeof(ill));
	long r12 = ud2_regs();
	check(ill.rbx == 0x1111222233334444LL && ill.r12 == 0x5555666677778888LL &&
		      ill.r13 == 0x0123456789abcdefLL && ill.r14 == 0x7edcba9876543210LL &&
		      ill.r15 == 0x0f0f0f0f0f0f0f0fLL,
	      "gregs_hold_interrupted_values", "rbx %#llx r12 %#llx r13 %#llx r14 %#llx r15 %#llx",
	      ill.rbx, ill.r12, ill.r13, ill.r14, ill.r15);
	check(r12 == 0x4242, "edit_r12", "r12 %#lx after the handler, expected 0x4242", r12);
	set_disposition(SIGILL, SIG_DFL);
}

/* ---- uc_sigmask ----------------------------------------------------------------- */

static struct {
	int usr1_in_ucmask, usr2_in_ucmask;
} msk;

static void mask_editing_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	msk.usr1_in_ucmask = sigismember(&uc->uc_sigmask, SIGUSR1);
	msk.usr2_in_ucmask = sigismember(&uc->uc_sigmask, SIGUSR2);
	sigaddset(&uc->uc_sigmask, SIGTERM);
	sigdelset(&uc->uc_sigmask, SIGUSR2);
}

static void ucmask_checks(void)
{
	sigset_t usr2 = sigset_of(SIGUSR2, 0), none = sigset_of(0);

	on_signal(SIGUSR1, mask_editing_handler, 0, sigset_of(0));
	on_signal(SIGUSR2, log_handler, 0, sigset_of(0));
	sigprocmask(SIG_SETMASK, &usr2, NULL);
	raise(SIGUSR2); /* pending, blocked */
	sig_log_clear();
	raise(SIGUSR1);
	check(msk.usr2_in_ucmask == 1 && msk.usr1_in_ucmask == 0, "uc_sigmask_is_interrupted_mask",
	      "SIGUSR2 %d, SIGUSR1 %d in uc_sigmask; expected 1, 0", msk.usr2_in_ucmask,
	      msk.usr1_in_ucmask);
	check(is_blocked(SIGTERM) && !is_blocked(SIGUSR2), "uc_sigmask_edit_takes_effect",
	      "after the handler SIGTERM blocked %d, SIGUSR2 blocked %d; expected 1, 0",
	      is_blocked(SIGTERM), is_blocked(SIGUSR2));
	check(sig_log_len == 1 && sig_log[0].signo == SIGUSR2, "uc_sigmask_unblocks_pending",
	      "deliveries: %s, expected %d", sig_log_signals(), SIGUSR2);
	sigprocmask(SIG_SETMASK, &none, NULL);
	set_disposition(SIGUSR1, SIG_DFL);
	set_disposition(SIGUSR2, SIG_DFL);
}

/* ---- FPU, SSE, AVX ------------------------------------------------------------------ */

/*
 * fpu_roundtrip(io, pid, tid, sig): loads xmm0-15 from io[0..255], pushes
 * the double at io+256 on the x87 stack, loads MXCSR from io+264, sends
 * itself sig with tgkill (the handler runs on that syscall's way out), then
 * stores xmm0-15 to io+512.., the x87 top to io+768 and MXCSR to io+776.
 */
void fpu_roundtrip(unsigned char *io, long pid, long tid, long sig) HIDDEN;
__asm__(".text\n"
	"fpu_roundtrip:\n"
	"	movdqu 0(%rdi), %xmm0\n  movdqu 16(%rdi), %xmm1\n  movdqu 32(%rdi), %xmm2\n"
	"	movdqu 48(%rdi), %xmm3\n movdqu 64(%rdi), %xmm4\n  movdqu 80(%rdi), %xmm5\n"
	"	movdqu 96(%rdi), %xmm6\n movdqu 112(%rdi), %xmm7\n movdqu 128(%rdi), %xmm8\n"
	"	movdqu 144(%rdi), %xmm9\n movdqu 160(%rdi), %xmm10\n movdqu 176(%rdi), %xmm11\n"
	"	movdqu 192(%rdi), %xmm12\n movdqu 208(%rdi), %xmm13\n movdqu 224(%rdi), %xmm14\n"
	"	movdqu 240(%rdi), %xmm15\n"
	"	fldl 256(%rdi)\n"
	"	ldmxcsr 264(%rdi)\n"
	"	push %rdi\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov $234, %eax\n" /* SYS_tgkill */
	"	syscall\n"
	"	pop %rdi\n"
	"	movdqu %xmm0, 512(%rdi)\n  movdqu %xmm1, 528(%rdi)\n  movdqu %xmm2, 544(%rdi)\n"
	"	movdqu %xmm3, 560(%rdi)\n  movdqu %xmm4, 576(%rdi)\n  movdqu %xmm5, 592(%rdi)\n"
	"	movdqu %xmm6, 608(%rdi)\n  movdqu %xmm7, 624(%rdi)\n  movdqu %xmm8, 640(%rdi)\n"
	"	movdqu %xmm9, 656(%rdi)\n  movdqu %xmm10, 672(%rdi)\n movdqu %xmm11, 688(%rdi)\n"
	"	movdqu %xmm12, 704(%rdi)\n movdqu %xmm13, 720(%rdi)\n movdqu %xmm14, 736(%rdi)\n"
	"	movdqu %xmm15, 752(%rdi)\n"
	"	fstpl 768(%rdi)\n"
	"	stmxcsr 776(%rdi)\n"
	"	ret\n");

/* The same for ymm0-15: 512 bytes in at io, out at io+512. */
void avx_roundtrip(unsigned char *io, long pid, long tid, long sig) HIDDEN;
__asm__(".text\n"
	"avx_roundtrip:\n"
	"	vmovdqu 0(%rdi), %ymm0\n   vmovdqu 32(%rdi), %ymm1\n  vmovdqu 64(%rdi), %ymm2\n"
	"	vmovdqu 96(%rdi), %ymm3\n  vmovdqu 128(%rdi), %ymm4\n vmovdqu 160(%rdi), %ymm5\n"
	"	vmovdqu 192(%rdi), %ymm6\n vmovdqu 224(%rdi), %ymm7\n vmovdqu 256(%rdi), %ymm8\n"
	"	vmovdqu 288(%rdi), %ymm9\n vmovdqu 320(%rdi), %ymm10\n vmovdqu 352(%rdi), %ymm11\n"
	"	vmovdqu 384(%rdi), %ymm12\n vmovdqu 416(%rdi), %ymm13\n vmovdqu 448(%rdi), %ymm14\n"
	"	vmovdqu 480(%rdi), %ymm15\n"
	"	push %rdi\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov $234, %eax\n"
	"	syscall\n"
	"	pop %rdi\n"
	"	vmovdqu %ymm0, 512(%rdi)\n  vmovdqu %ymm1, 544(%rdi)\n  vmovdqu %ymm2, 576(%rdi)\n"
	"	vmovdqu %ymm3, 608(%rdi)\n  vmovdqu %ymm4, 640(%rdi)\n  vmovdqu %ymm5, 672(%rdi)\n"
	"	vmovdqu %ymm6, 704(%rdi)\n  vmovdqu %ymm7, 736(%rdi)\n  vmovdqu %ymm8, 768(%rdi)\n"
	"	vmovdqu %ymm9, 800(%rdi)\n  vmovdqu %ymm10, 832(%rdi)\n vmovdqu %ymm11, 864(%rdi)\n"
	"	vmovdqu %ymm12, 896(%rdi)\n vmovdqu %ymm13, 928(%rdi)\n vmovdqu %ymm14, 960(%rdi)\n"
	"	vmovdqu %ymm15, 992(%rdi)\n"
	"	vzeroupper\n"
	"	ret\n");

/* Overwrites xmm0-15 (and with avx the ymm upper halves), the x87 stack
 * and control word, and MXCSR. */
static void clobber_fpu(int avx)
{
	unsigned mx = 0x7f80 | 0x6000; /* round toward zero, all masked */
	unsigned short cw = 0x0c7f;   /* x87 round toward zero */

	if (avx)
		__asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n"
				 "vmovdqa %%ymm0, %%ymm1\n vmovdqa %%ymm0, %%ymm2\n"
				 "vmovdqa %%ymm0, %%ymm3\n vmovdqa %%ymm0, %%ymm4\n"
				 "vmovdqa %%ymm0, %%ymm5\n vmovdqa %%ymm0, %%ymm6\n"
				 "vmovdqa %%ymm0, %%ymm7\n vmovdqa %%ymm0, %%ymm8\n"
				 "vmovdqa %%ymm0, %%ymm9\n vmovdqa %%ymm0, %%ymm10\n"
				 "vmovdqa %%ymm0, %%ymm11\n vmovdqa %%ymm0, %%ymm12\n"
				 "vmovdqa %%ymm0, %%ymm13\n vmovdqa %%ymm0, %%ymm14\n"
				 "vmovdqa %%ymm0, %%ymm15\n vzeroupper\n" ::
					 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
					   "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
					   "xmm13", "xmm14", "xmm15");
	/* vzeroupper left the upper halves zero: write ones there again. */
	if (avx)
		__asm__ volatile("vpcmpeqd %%ymm5, %%ymm5, %%ymm5\n"
				 "vmovdqa %%ymm5, %%ymm9\n" ::: "xmm5", "xmm9");
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n movdqa %%xmm0, %%xmm1\n movdqa %%xmm0, %%xmm2\n"
			 "movdqa %%xmm0, %%xmm3\n movdqa %%xmm0, %%xmm4\n movdqa %%xmm0, %%xmm6\n"
			 "movdqa %%xmm0, %%xmm7\n movdqa %%xmm0, %%xmm8\n movdqa %%xmm0, %%xmm10\n"
			 "movdqa %%xmm0, %%xmm11\n movdqa %%xmm0, %%xmm12\n movdqa %%xmm0, %%xmm13\n"
			 "movdqa %%xmm0, %%xmm14\n movdqa %%xmm0, %%xmm15\n" ::
				 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm6", "xmm7", "xmm8",
				   "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	__asm__ volatile("fninit\n fldcw %0\n fldpi\n fldpi\n fldpi\n fldpi\n fldpi\n fldpi\n"
			 "fldpi\n fldpi\n ldmxcsr %1\n" ::"m"(cw), "m"(mx)
			 : "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
}

static struct {
	int count, avx, edit_xmm1;
	unsigned mxcsr_at_entry;
	unsigned short fcw_at_entry;
	int fpregs_null;
	uint32_t magic1, magic2, extended_size, xstate_size;
	uint64_t xfeatures;
	unsigned long uc_flags;
	uint32_t saved_xmm3[4];
} fp;

static void fpu_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	unsigned mx;
	unsigned short cw;

	__asm__ volatile("stmxcsr %0\n fnstcw %1" : "=m"(mx), "=m"(cw));
	fp.count++;
	fp.mxcsr_at_entry = mx;
	fp.fcw_at_entry = cw;
	fp.uc_flags = uc->uc_flags;
	fp.fpregs_null = uc->uc_mcontext.fpregs == NULL;
	if (!fp.fpregs_null) {
		unsigned char *area = (unsigned char *)uc->uc_mcontext.fpregs;
		struct fpx_sw_bytes sw;
		memcpy(&sw, area + SW_RESERVED_OFFSET, sizeof(sw));
		fp.magic1 = sw.magic1;
		fp.extended_size = sw.extended_size;
		fp.xstate_size = sw.xstate_size;
		fp.xfeatures = sw.xfeatures;
		if (sw.magic1 == FP_XSTATE_MAGIC1 && sw.extended_size >= 4 &&
		    sw.extended_size < 64 * 1024)
			memcpy(&fp.magic2, area + sw.extended_size - 4, 4);
		memcpy(fp.saved_xmm3, (void *)&uc->uc_mcontext.fpregs->_xmm[3], 16);
		if (fp.edit_xmm1)
			memset((void *)&uc->uc_mcontext.fpregs->_xmm[1], 0x5a, 16);
	}
	clobber_fpu(fp.avx);
}

static int os_uses_xsave(void)
{
	unsigned a, b, c, d;
	__cpuid(1, a, b, c, d);
	return (c >> 27) & 1; /* OSXSAVE */
}

static int avx_usable(void)
{
	unsigned a, b, c, d, lo, hi;
	__cpuid(1, a, b, c, d);
	if (!((c >> 27) & 1) || !((c >> 28) & 1)) /* OSXSAVE, AVX */
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & 6) == 6; /* the OS saves SSE and AVX state */
}

static void fpu_checks(void)
{
	static unsigned char io[1024];
	double in_flight = 3.0 / 7.0, got;
	unsigned mx = 0x1f80 | 0x2000; /* round down: the handler must not see it */

	on_signal(SIGUSR1, fpu_handler, 0, sigset_of(0));
	for (int i = 0; i < 256; i++)
		io[i] = (unsigned char)(i * 7 + 3);
	memcpy(io + 256, &in_flight, 8);
	memcpy(io + 264, &mx, 4);

	memset(&fp, 0, sizeof(fp));
	fpu_roundtrip(io, getpid(), gettid_(), SIGUSR1);
	memcpy(&got, io + 768, 8);
	unsigned mx_after;
	memcpy(&mx_after, io + 776, 4);
	check(fp.count == 1, "fpu_handler_ran", "%d deliveries, expected 1", fp.count);
	check(memcmp(io, io + 512, 256) == 0, "xmm_survive_handler", "xmm0-15 changed");
	check(got == in_flight, "x87_survives_handler", "st(0) %.17g, expected %.17g", got,
	      in_flight);
	check_eq("mxcsr_survives_handler", mx_after, mx);
	check(fp.mxcsr_at_entry == 0x1f80 && fp.fcw_at_entry == 0x37f, "handler_starts_default_fpu",
	      "MXCSR %#x, FCW %#x in the handler; expected 0x1f80, 0x37f", fp.mxcsr_at_entry,
	      fp.fcw_at_entry);
	check(!fp.fpregs_null, "fpregs_present", "uc_mcontext.fpregs is NULL");
	check(memcmp(fp.saved_xmm3, io + 48, 16) == 0, "fpregs_hold_xmm",
	      "fpregs->_xmm[3] is not what xmm3 held");

	if (os_uses_xsave()) {
		check(fp.magic1 == FP_XSTATE_MAGIC1 && fp.magic2 == FP_XSTATE_MAGIC2,
		      "xstate_magics", "magic1 %#x magic2 %#x, expected %#x %#x", fp.magic1,
		      fp.magic2, FP_XSTATE_MAGIC1, FP_XSTATE_MAGIC2);
		check((fp.xfeatures & 3) == 3 && fp.extended_size == fp.xstate_size + 4 &&
			      fp.xstate_size >= 512 + 64,
		      "xstate_sizes", "xfeatures %#llx, extended_size %u, xstate_size %u",
		      (unsigned long long)fp.xfeatures, fp.extended_size, fp.xstate_size);
		check_eq("uc_flags", (long)fp.uc_flags,
			 UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS);
	} else {
		check_eq("uc_flags", (long)fp.uc_flags, UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS);
	}

	/* An edit of the saved xmm1 is what xmm1 holds after the handler. */
	memset(&fp, 0, sizeof(fp));
	fp.edit_xmm1 = 1;
	fpu_roundtrip(io, getpid(), gettid_(), SIGUSR1);
	unsigned char want[16];
	memset(want, 0x5a, 16);
	check(memcmp(io + 512 + 16, want, 16) == 0 && memcmp(io + 512 + 32, io + 32, 16) == 0,
	      "fpregs_edit_takes_effect", "xmm1 after the handler is not the edited value");

	if (avx_usable()) {
		static unsigned char yio[1024];
		for (int i = 0; i < 512; i++)
			yio[i] = (unsigned char)(i * 13 + 1);
		memset(&fp, 0, sizeof(fp));
		fp.avx = 1;
		avx_roundtrip(yio, getpid(), gettid_(), SIGUSR1);
		check(fp.count == 1 && memcmp(yio, yio + 512, 512) == 0, "ymm_survive_handler",
		      "%d deliveries; ymm0-15 %s", fp.count,
		      memcmp(yio, yio + 512, 512) ? "changed" : "kept");
	} else {
		printf("(no AVX: ymm check skipped)\n");
	}
	set_disposition(SIGUSR1, SIG_DFL);
}

/* ---- ucontext calls (glibc only) ------------------------------------------------------ */

#ifdef __GLIBC__
static ucontext_t main_ctx, co_ctx;
static int co_steps;

static void coroutine(int a, int b)
{
	co_steps = a + b;
	swapcontext(&co_ctx, &main_ctx);
	co_steps += 100;
	/* Returning follows uc_link back to main_ctx. */
}

static void ucontext_checks(void)
{
	static char co_stack[64 * 1024];
	volatile int passes = 0;
	ucontext_t ctx;
	sigset_t usr2 = sigset_of(SIGUSR2, 0);

	/* getcontext saves the mask; setcontext brings it back. */
	check_ok("getcontext", getcontext(&ctx));
	passes++;
	if (passes == 1) {
		sigprocmask(SIG_BLOCK, &usr2, NULL);
		setcontext(&ctx);
	}
	check(passes == 2 && !is_blocked(SIGUSR2), "setcontext_resumes_with_mask",
	      "passes %d, SIGUSR2 blocked %d; expected 2, 0", passes, is_blocked(SIGUSR2));

	getcontext(&co_ctx);
	co_ctx.uc_stack.ss_sp = co_stack;
	co_ctx.uc_stack.ss_size = sizeof(co_stack);
	co_ctx.uc_link = &main_ctx;
	makecontext(&co_ctx, (void (*)(void))coroutine, 2, 20, 22);
	swapcontext(&main_ctx, &co_ctx);
	check_eq("makecontext_args", co_steps, 42);
	swapcontext(&main_ctx, &co_ctx);
	check_eq("uc_link_returns", co_steps, 142);
}
#endif

int main(void)
{
	check_init("signals_context");
	register_checks();
	ucmask_checks();
	fpu_checks();
#ifdef __GLIBC__
	ucontext_checks();
#endif
	return check_done();
}
