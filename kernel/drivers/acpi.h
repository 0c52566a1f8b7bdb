/* Just enough ACPI to power off (the FADT's sleep registers and the DSDT's \_S5 sleep type) and
 * to find the processors (the MADT). */
#pragma once
#include "types.h"

void acpi_init(paddr_t rsdp);
/* Enters S5; returns only when the platform has no usable ACPI power-off. */
void acpi_power_off(void);
/* The APIC ids of the enabled processors the MADT lists (local APIC and local x2APIC entries
 * with the enabled flag), in table order: the first `max` go to apic_ids, the return value counts
 * all of them; -1 when there is no MADT. *lapic_base: the local APICs' physical address. */
int acpi_madt_cpus(u32 *apic_ids, int max, paddr_t *lapic_base);
