/* The local APIC of each CPU, in xAPIC mode (memory-mapped registers): interrupt acknowledgement,
 * inter-processor interrupts and the one-shot timer. */
#pragma once
#include "types.h"

struct regs;

#define VEC_TIMER    0xf0   /* LAPIC timer */
#define VEC_RESCHED  0xf1   /* IPI: "look at your run queue" (the handler only EOIs; the scheduler acts on return) */
#define VEC_TLB      0xf2   /* IPI: TLB shootdown */
#define VEC_WAKE     0xf3   /* IPI or timer: only ends a hlt (arch EOIs it; smp_init's waits) */
#define VEC_SPURIOUS 0xff

void lapic_init(void);                 /* this CPU's LAPIC: enable, spurious vector, timer masked */
void lapic_eoi(void);
u32  lapic_id(void);
void lapic_send_ipi(u32 apic_id, u8 vector);
void lapic_send_ipi_others(u8 vector);   /* all but self */
/* One-shot timer interrupt (VEC_TIMER) at TSC value `deadline` (TSC-deadline mode when CPUID.1:ECX[24], else
 * the LAPIC one-shot count computed from a calibration against the TSC done once in lapic_init on the BSP).
 * A deadline in the past fires at once. lapic_timer_stop cancels. (The calibration starts in lapic_init and
 * is read at smp_init, or at the first arm with one CPU: lapic.c.) */
void lapic_timer_arm(u64 tsc_deadline);
void lapic_timer_stop(void);

/* Interrupts (vectors 32..255) other than VEC_TLB, VEC_WAKE and VEC_SPURIOUS (arch code's),
 * arrive here with interrupts off. The scheduler defines it; the weak default only EOIs. The
 * handler must call lapic_eoi(). */
void irq_dispatch(struct regs *r);

/* Used by smp_init. lapic_wake_at: the timer delivers VEC_WAKE at the TSC deadline (for a
 * hlt that must end by then); the next lapic_timer_arm takes the timer back. */
void lapic_wake_at(u64 tsc_deadline);
void lapic_send_init(u32 apic_id);
void lapic_send_startup(u32 apic_id, paddr_t page);
/* Ends the timer calibration lapic_init started (boot CPU, before any other CPU arms its timer;
 * done by the first lapic_timer_arm otherwise; a no-op in TSC-deadline mode). */
void lapic_timer_calibrate(void);
/* The virtual address of the registers, for the AP entry code (trampoline.S). */
extern volatile u8 *lapic_regs;
