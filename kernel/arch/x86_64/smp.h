/* Bringing up the other CPUs (the ACPI MADT lists them; a STARTUP IPI, or INIT-STARTUP-STARTUP
 * for CPUs the firmware parked, starts them through a real-mode trampoline), the table of
 * per-CPU areas, and TLB shootdown across CPUs. */
#pragma once

/* Layout of struct ap_slot, read by the AP entry code before it has a stack. */
#define AP_SLOT_APIC_ID 0
#define AP_SLOT_STACK 8
#define AP_SLOT_STARTED 24
#define AP_SLOT_SIZE 32

#ifndef __ASSEMBLY__
#include "types.h"

struct percpu;

#define MAX_CPUS 64
extern int ncpus;                        /* CPUs running (1 until smp_init) */
extern struct percpu *cpus[MAX_CPUS];    /* by cpu_id 0..ncpus-1; cpus[0] is the boot CPU */
/* Bit n set: CPU n is running (cpus[n] is valid and it has not parked). An AP joins just before
 * sched_ap_entry. From then on a TLB shootdown may wait for it (unless it is in
 * tlb_idle_enter): it must take interrupts, or call tlb_shootdown_service while it spins with
 * them off (as for a lock whose holder may be shooting). Note that under QEMU's TCG a window
 * of "sti; pause; cli" never lets an interrupt in (pause keeps sti's one-instruction shadow
 * alive); "sti; hlt" and a longer window do. */
extern volatile u64 cpu_online_mask;

/* Starts every enabled CPU the ACPI MADT lists (capped at MAX_CPUS and at the number the
 * kernel command line allows), each with its own struct percpu, GDT, TSS (with its own
 * double-fault IST stack), kernel stack, IDT loaded, syscall MSRs, the same CR0/CR4/EFER/XCR0
 * features as the BSP (SMEP, SMAP, NXE, OSXSAVE, ...), its LAPIC initialised, interrupts off;
 * then each AP calls `void __noreturn sched_ap_entry(void)` (defined by the scheduler; provide
 * a weak default that does `for(;;) hlt` with interrupts off). smp_init returns when all APs have
 * reported in, or after 1 s (TSC) with a kernel log line naming the CPUs that did not. */
void smp_init(void);
/* TLB shootdown: invalidates [start, start+len) (len 0 = all non-global) on this CPU and every
 * other CPU that is online, waiting for their acknowledgement. Called with interrupts disabled
 * possibly; while waiting it must itself service shootdown requests aimed at it (two CPUs may
 * shoot at each other) so it never deadlocks. With ncpus == 1 it is just the local flush.
 * (Online here: in cpu_online_mask and not idle in tlb_idle_enter. Interrupts are off for the
 * whole call. Ranges of more than 33 user pages flush the whole non-global TLB.) */
void tlb_shootdown(vaddr_t start, size_t len);
/* Flushes what other CPUs asked of this one (the VEC_TLB handler). */
void tlb_shootdown_service(void);
/* For the idle loop, interrupts off: this CPU moves to page tables without the app's half and
 * drops out of TLB shootdowns (no IPI, nobody waits for it) until tlb_idle_exit, which goes back
 * to the page tables it left, with a clean TLB, before the CPU runs a thread again. */
void tlb_idle_enter(void);
void tlb_idle_exit(void);
/* Leaves cpu_online_mask and halts with interrupts off, for good. */
void __noreturn smp_park(void);

void __noreturn sched_ap_entry(void);

/* One AP being started: which APIC id, the stack and per-CPU area made for it. */
struct ap_slot {
	u32 apic_id;
	volatile u32 state;     /* AP_WAITING, then AP_ARRIVED (by the AP) or AP_ABANDONED (by the BSP) */
	u64 stack_top;
	struct percpu *pc;
	volatile u32 started;   /* set by the AP's entry code as soon as it found its slot */
	u32 pad;
};
#endif
