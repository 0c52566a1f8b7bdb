/* The x86-64 signal frame, laid out as Linux lays it out (arch/x86/kernel/signal.c), because
 * libcs and language runtimes read and edit it: below the interrupted stack pointer (less the
 * 128-byte red zone, or at the top of the alternate stack) comes the XSAVE area, 64-byte
 * aligned, then struct rt_sigframe { return address = sa_restorer; ucontext; siginfo }, placed
 * so that the handler starts as if called (rsp + 8 a multiple of 16). */
#include "proc/signal_frame.h"
#include "proc/signal.h"
#include "proc/process.h"
#include "arch/x86_64/regs.h"
#include "arch/x86_64/asm.h"
#include "arch/x86_64/fpu.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "errno.h"
#include <linux/signal.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>

struct rt_sigframe {
	u64 pretcode;
	struct ucontext uc;
	siginfo_t info;
};

#define RED_ZONE 128
#define FXSAVE_SIZE 512
#define XSAVE_HEADER 512     /* offset of the XSAVE header: xstate_bv, xcomp_bv, reserved */
#define SW_BYTES_OFFSET 464  /* struct _fpx_sw_bytes in the FXSAVE area's software bytes */
#define X86_FLAGS_CF 0x1UL
/* The flags a handler may change through uc_mcontext (Linux's FIX_EFLAGS). */
#define FIX_EFLAGS (0x1UL | 0x4UL | 0x10UL | 0x40UL | 0x80UL | 0x100UL | 0x400UL | 0x800UL | \
		    0x10000UL | 0x40000UL)
#define FLAGS_CLEARED_FOR_HANDLER (0x100UL | 0x400UL | 0x10000UL) /* TF, DF, RF */

/* The state a handler starts with: default control words, every component in its initial
 * state (XSAVE header xstate_bv = 0). */
static u8 init_fpu[FXSAVE_SIZE + 64] __attribute__((aligned(64)));
static u32 mxcsr_mask;

static void fpu_tables_init(void)
{
	if (mxcsr_mask)
		return;
	static u8 probe[FXSAVE_SIZE] __attribute__((aligned(64)));
	__asm__ volatile("fxsave64 (%0)" : : "r"(probe) : "memory");
	u32 m;
	memcpy(&m, probe + 28, 4);
	mxcsr_mask = m ? m : 0xffbf;
	u16 fcw = 0x37f;
	u32 mxcsr = 0x1f80;
	memcpy(init_fpu, &fcw, 2);
	memcpy(init_fpu + 24, &mxcsr, 4);
}

static size_t fpu_frame_size(void)
{
	return cpu_features.xsave ? cpu_features.xsave_size + FP_XSTATE_MAGIC2_SIZE : FXSAVE_SIZE;
}

static bool on_altstack(const struct thread *t, u64 sp)
{
	if (t->altstack_flags & SS_AUTODISARM)
		return false;
	return sp > t->altstack_sp && sp - t->altstack_sp <= t->altstack_size;
}

static int altstack_state(const struct thread *t, u64 sp)
{
	if (!t->altstack_size)
		return SS_DISABLE;
	return on_altstack(t, sp) ? SS_ONSTACK : 0;
}

long signal_altstack(const stack_t *ss, stack_t *old, u64 sp)
{
	struct thread *t = current_thread();
	if (old) {
		memset(old, 0, sizeof(*old));
		old->ss_sp = (void *)t->altstack_sp;
		old->ss_size = t->altstack_size;
		old->ss_flags = altstack_state(t, sp) | (t->altstack_flags & SS_FLAG_BITS);
	}
	if (!ss)
		return 0;
	u64 new_sp = (u64)ss->ss_sp, new_size = ss->ss_size;
	int flags = ss->ss_flags;
	if (on_altstack(t, sp))
		return -EPERM;
	int mode = flags & ~SS_FLAG_BITS;
	if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		new_sp = 0;
		new_size = 0;
	} else if (new_size < MINSIGSTKSZ) {
		return -ENOMEM;
	}
	t->altstack_sp = new_sp;
	t->altstack_size = new_size;
	t->altstack_flags = (u32)flags;
	return 0;
}

/* Writes the live FPU state to the user area at fx, with Linux's XSAVE markers. */
static int save_fpu(struct thread *t, u64 fx)
{
	fpu_save(t->fpu);
	if (!cpu_features.xsave)
		return copy_to_user(fx, t->fpu, FXSAVE_SIZE);
	u32 size = cpu_features.xsave_size;
	struct _fpx_sw_bytes sw;
	memset(&sw, 0, sizeof(sw));
	sw.magic1 = FP_XSTATE_MAGIC1;
	sw.extended_size = size + FP_XSTATE_MAGIC2_SIZE;
	sw.xfeatures = cpu_features.xcr0;
	sw.xstate_size = size;
	memcpy((u8 *)t->fpu + SW_BYTES_OFFSET, &sw, sizeof(sw));
	u32 magic2 = FP_XSTATE_MAGIC2;
	if (copy_to_user(fx, t->fpu, size) || copy_to_user(fx + size, &magic2, sizeof(magic2)))
		return -EFAULT;
	return 0;
}

static void load_init_fpu(void)
{
	fpu_tables_init();
	fpu_restore(init_fpu);
}

int signal_frame_setup(struct regs *r, int sig, const siginfo_t *info,
		       const struct k_sigaction *ka, u64 mask)
{
	struct thread *t = current_thread();
	if (!(ka->flags & SA_RESTORER))
		return -EFAULT; /* x86-64 has no kernel-provided return path */
	u64 sp = r->rsp - RED_ZONE;
	bool to_altstack = (ka->flags & SA_ONSTACK) && altstack_state(t, sp) == 0;
	if (to_altstack)
		sp = t->altstack_sp + t->altstack_size;
	u64 fx = (sp - fpu_frame_size()) & ~63UL;
	u64 frame = ((fx - sizeof(struct rt_sigframe)) & ~15UL) - 8;
	if (to_altstack && frame < t->altstack_sp)
		return -EFAULT; /* would overflow the alternate stack */

	struct rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (cpu_features.xsave ? UC_FP_XSTATE : 0);
	f.uc.uc_stack.ss_sp = (void *)t->altstack_sp;
	f.uc.uc_stack.ss_size = t->altstack_size;
	f.uc.uc_stack.ss_flags = (int)t->altstack_flags;
	struct sigcontext *sc = &f.uc.uc_mcontext;
	sc->r8 = r->r8; sc->r9 = r->r9; sc->r10 = r->r10; sc->r11 = r->r11;
	sc->r12 = r->r12; sc->r13 = r->r13; sc->r14 = r->r14; sc->r15 = r->r15;
	sc->rdi = r->rdi; sc->rsi = r->rsi; sc->rbp = r->rbp; sc->rbx = r->rbx;
	sc->rdx = r->rdx; sc->rax = r->rax; sc->rcx = r->rcx; sc->rsp = r->rsp;
	sc->rip = r->rip; sc->eflags = r->rflags;
	sc->cs = USER_CS;
	sc->ss = USER_DS;
	sc->err = t->trap_err;
	sc->trapno = t->trap_nr;
	sc->oldmask = mask;
	sc->cr2 = t->trap_cr2;
	sc->fpstate = (struct _fpstate *)fx;
	f.uc.uc_sigmask = mask;
	if (ka->flags & SA_SIGINFO)
		f.info = *info;
	if (save_fpu(t, fx) || copy_to_user(frame, &f, sizeof(f)))
		return -EFAULT;
	if (to_altstack && (t->altstack_flags & SS_AUTODISARM)) {
		t->altstack_sp = 0;
		t->altstack_size = 0;
		t->altstack_flags = SS_DISABLE;
	}

	r->rdi = (u64)sig;
	r->rsi = frame + offsetof(struct rt_sigframe, info);
	r->rdx = frame + offsetof(struct rt_sigframe, uc);
	r->rax = 0;
	r->rsp = frame;
	r->rip = ka->handler;
	r->cs = USER_CS;
	r->ss = USER_DS;
	r->rflags &= ~FLAGS_CLEARED_FOR_HANDLER;
	r->error = NOT_A_SYSCALL;
	load_init_fpu();
	return 0;
}

static bool canonical(u64 a) { return (u64)((s64)(a << 16) >> 16) == a; }

/* Reads the FPU state at fx (as save_fpu or a runtime left it) into the thread's area, made
 * safe for XRSTOR, and loads it. */
static int restore_fpu(struct thread *t, u64 fx)
{
	fpu_tables_init();
	if (!fx) {
		load_init_fpu();
		return 0;
	}
	u8 *area = t->fpu;
	if (copy_from_user(area, fx, FXSAVE_SIZE))
		return -EFAULT;
	if (cpu_features.xsave) {
		struct _fpx_sw_bytes sw;
		memcpy(&sw, area + SW_BYTES_OFFSET, sizeof(sw));
		u32 size = cpu_features.xsave_size, magic2 = 0;
		bool xstate = sw.magic1 == FP_XSTATE_MAGIC1 && sw.xstate_size >= FXSAVE_SIZE + 64 &&
			      sw.xstate_size <= size && sw.extended_size == sw.xstate_size + FP_XSTATE_MAGIC2_SIZE &&
			      copy_from_user(&magic2, fx + sw.xstate_size, 4) == 0 && magic2 == FP_XSTATE_MAGIC2;
		u64 bv;
		if (xstate) {
			memset(area + FXSAVE_SIZE, 0, size - FXSAVE_SIZE);
			if (copy_from_user(area + FXSAVE_SIZE, fx + FXSAVE_SIZE, sw.xstate_size - FXSAVE_SIZE))
				return -EFAULT;
			memcpy(&bv, area + XSAVE_HEADER, 8);
			bv &= cpu_features.xcr0 & sw.xfeatures;
		} else {
			bv = 3; /* a legacy frame: x87 and SSE only, the rest in its initial state */
		}
		/* XRSTOR faults on a compacted header or reserved bits: start the header clean. */
		memset(area + XSAVE_HEADER, 0, 64);
		memcpy(area + XSAVE_HEADER, &bv, 8);
	}
	u32 mxcsr;
	memcpy(&mxcsr, area + 24, 4);
	mxcsr &= mxcsr_mask;
	memcpy(area + 24, &mxcsr, 4);
	fpu_restore(area);
	return 0;
}

int signal_frame_restore(struct regs *r)
{
	struct thread *t = current_thread();
	u64 frame = r->rsp - 8; /* the handler's ret popped pretcode */
	struct rt_sigframe f;
	if (copy_from_user(&f, frame, sizeof(f)))
		return -EFAULT;
	const struct sigcontext *sc = &f.uc.uc_mcontext;
	if (!canonical(sc->rip))
		return -EFAULT;
	r->r8 = sc->r8; r->r9 = sc->r9; r->r10 = sc->r10; r->r11 = sc->r11;
	r->r12 = sc->r12; r->r13 = sc->r13; r->r14 = sc->r14; r->r15 = sc->r15;
	r->rdi = sc->rdi; r->rsi = sc->rsi; r->rbp = sc->rbp; r->rbx = sc->rbx;
	r->rdx = sc->rdx; r->rax = sc->rax; r->rcx = sc->rcx; r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->rflags = (r->rflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	r->cs = USER_CS;
	r->ss = USER_DS;
	r->error = NOT_A_SYSCALL; /* rax is the interrupted code's, not a result to restart */
	t->sigmask = f.uc.uc_sigmask & ~SIG_UNBLOCKABLE;
	if (restore_fpu(t, (u64)sc->fpstate))
		return -EFAULT;
	/* As Linux: errors ignored (EPERM while still on the alternate stack, for one). */
	signal_altstack(&f.uc.uc_stack, NULL, r->rsp);
	return 0;
}
