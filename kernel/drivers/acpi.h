/* Just enough ACPI to power off (the FADT's sleep registers and the DSDT's \_S5 sleep type) and
 * to find the processors and I/O APICs (the MADT) and microvm's virtio-mmio devices (the DSDT). */
#pragma once
#include "types.h"

void acpi_init(paddr_t rsdp);
/* Enters S5; returns only when the platform has no usable ACPI power-off. */
void acpi_power_off(void);
/* The APIC ids of the enabled processors the MADT lists (local APIC and local x2APIC entries
 * with the enabled flag), in table order: the first `max` go to apic_ids, the return value counts
 * all of them; -1 when there is no MADT. *lapic_base: the local APICs' physical address. */
int acpi_madt_cpus(u32 *apic_ids, int max, paddr_t *lapic_base);
/* Calls fn for each MADT entry (entry[0] the type, entry[1] the length; ACPI 6.5, 5.2.12);
 * nothing without a MADT. */
void acpi_madt_foreach(void (*fn)(const u8 *entry, void *arg), void *arg);
/* Calls fn for each virtio-mmio device the DSDT describes (QEMU microvm), with its register
 * window and interrupt (flags: bit 0 level-triggered, bit 1 active low, as IRQ_* in
 * arch/x86_64/ioapic.h). Returns how many. */
int acpi_virtio_mmio(void (*fn)(paddr_t base, u32 size, u32 gsi, int flags));
