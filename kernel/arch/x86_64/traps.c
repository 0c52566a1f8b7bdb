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

/* The signal Linux sends for each exception taken in user mode (arch/x86/kernel/traps.c). */
static int vector_signal(u64 vec)
{
	switch (vec) {
	case 0: case 16: case 19: return SIGFPE;
	case 1: case 3: return SIGTRAP;
	case 6: return SIGILL;
	case 12: case 17: return SIGBUS;
	default: return SIGSEGV;
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
			user_fault(r, SIGBUS, BUS_ADRERR, addr);
		user_fault(r, SIGSEGV, code, addr);
	}
	if (!regs_from_user(r))
		kernel_fault(r, 0);
	user_fault(r, vector_signal(r->vector), 0, r->rip);
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
