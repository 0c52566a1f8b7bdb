/* Just enough ACPI to power off: the FADT's sleep registers and the DSDT's \_S5 sleep type. */
#pragma once
#include "types.h"

void acpi_init(paddr_t rsdp);
/* Enters S5; returns only when the platform has no usable ACPI power-off. */
void acpi_power_off(void);
