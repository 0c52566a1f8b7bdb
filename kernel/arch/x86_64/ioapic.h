/* The I/O APICs the ACPI MADT lists: route a global system interrupt (GSI) to a vector on the
 * boot CPU, mask and unmask it. Every entry starts masked. The end of interrupt goes through the
 * LAPIC (lapic_eoi), whose broadcast also ends a level-triggered entry's service in the I/O APIC. */
#pragma once
#include "types.h"

/* Polarity and trigger as the MADT's MPS INTI flags and ACPI's interrupt descriptors give them. */
#define IRQ_EDGE       0
#define IRQ_LEVEL      1
#define IRQ_ACTIVE_HIGH 0
#define IRQ_ACTIVE_LOW  2

/* Finds the I/O APICs and the ISA overrides in the MADT (without a MADT: the standard one at
 * 0xfec00000 if it answers) and masks every entry. False without an I/O APIC (interrupts
 * routed through it then never arrive). */
bool ioapic_init(void);
/* GSI `gsi` delivers `vector` to the boot CPU with `flags` (IRQ_*), masked until ioapic_unmask.
 * -ENODEV when no I/O APIC serves that GSI. */
int ioapic_route(u32 gsi, u8 vector, int flags);
/* The GSI and flags for ISA IRQ `irq` after the MADT's interrupt source overrides (ISA default:
 * the same number, edge, active high). */
u32 ioapic_isa_gsi(u8 irq, int *flags);
void ioapic_mask(u32 gsi);
void ioapic_unmask(u32 gsi);
/* Makes a 2 MiB page of the direct map uncached for device registers (PCD|PWT); returns the
 * virtual address of `base`. Only below 4 GiB, where the direct map has 2 MiB pages. */
volatile void *mmio_map(paddr_t base);
