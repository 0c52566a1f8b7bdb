/* Exception and interrupt dispatch. Page faults go to the address-space code (demand paging); a
 * fault it cannot resolve inside copy_{from,to}_user resumes at the copy's fixup; any other user
 * fault kills the app with the matching signal, a kernel fault panics with registers and a
 * backtrace. Interrupts: TLB shootdowns, wake-ups and spurious interrupts are handled here, the
 * rest goes to irq_dispatch (the scheduler's). */
#include "arch/x86_64/regs.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/smp.h"
#include "core/log.h"
#include "mm/vm.h"
#include "proc/fault.h"
#include "proc/signal.h"
#include <asm/signal.h>
#include <asm-generic/siginfo.h>

#define VEC_PAGE_FAULT 14

struct ex_entry {
	u64 insn, fixup;
};
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

static bool apply_fixup(struct regs *r)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == r->rip) {
			r->rip = e->fixup;
			return true;
		}
	}
	return false;
}

static const char *const vector_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range", "invalid opcode",
	"device not available", "double fault", "coprocessor overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection", "page fault", "reserved",
	"x87 floating point", "alignment check", "machine check", "SIMD floating point",
	"virtualization", "control protection",
};

/* The signal and si_code Linux sends for each exception taken in user mode
 * (arch/x86/kernel/traps.c). */
static int vector_signal(u64 vec, int *code)
{
	switch (vec) {
	case 0: *code = FPE_INTDIV; return SIGFPE;
	case 16: case 19: *code = 0; return SIGFPE; /* x87 and SIMD: decoded from the status word on Linux */
	case 1: *code = TRAP_BRKPT; return SIGTRAP;
	case 3: *code = SI_KERNEL; return SIGTRAP;
	case 6: *code = ILL_ILLOPN; return SIGILL;
	case 12: *code = SI_KERNEL; return SIGBUS;
	case 17: *code = BUS_ADRALN; return SIGBUS;
	default: *code = SI_KERNEL; return SIGSEGV; /* #GP, #NP, #SS...: si_addr 0 */
	}
}

/* si_addr for a non-page-fault exception: the faulting instruction, as Linux reports for
 * divide errors and invalid opcodes; 0 for the ones it reports with SI_KERNEL. */
static u64 fault_address(const struct regs *r)
{
	switch (r->vector) {
	case 0: case 6: case 16: case 19: return r->rip;
	default: return 0;
	}
}

const char *trap_vector_name(u64 vec)
{
	return vec < 32 && vector_names[vec] ? vector_names[vec] : "unknown exception";
}

void trap_dispatch(struct regs *r)
{
	u64 addr = 0;
	if (r->vector == VEC_PAGE_FAULT) {
		addr = read_cr2();
		int code = vm_handle_fault(addr, r->error);
		if (code == 0)
			return;
		if (!regs_from_user(r)) {
			if (apply_fixup(r))
				return;
			kernel_fault(r, addr);
		}
		if (code == VM_FAULT_SIGBUS)
			signal_fault(r, SIGBUS, BUS_ADRERR, addr);
		else
			signal_fault(r, SIGSEGV, code, addr);
	} else {
		if (!regs_from_user(r))
			kernel_fault(r, 0);
		int code, sig = vector_signal(r->vector, &code);
		signal_fault(r, sig, code, fault_address(r));
	}
	signal_return_to_user(r);
}

/* Called by irq_common (entry.S) for vectors 32..255, interrupts off. */
void irq_entry(struct regs *r)
{
	switch (r->vector) {
	case VEC_SPURIOUS:
		return; /* a spurious interrupt is not in service: no EOI */
	case VEC_TLB:
		tlb_shootdown_service();
		lapic_eoi();
		return;
	case VEC_WAKE:
		lapic_eoi(); /* it ended a hlt: that was all */
		return;
	default:
		irq_dispatch(r);
	}
}

/* Until the scheduler takes interrupts: acknowledge and go on. */
__attribute__((weak)) void irq_dispatch(struct regs *r)
{
	lapic_eoi();
}
