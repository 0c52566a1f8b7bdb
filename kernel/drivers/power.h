/* Stopping the machine with the app's exit status (docs/protocol.md: isa-debug-exit, ACPI S5,
 * i8042 reset, halt — the first that works ends the VM). */
#pragma once
#include "types.h"

void power_init(paddr_t rsdp);
void __noreturn power_off(u32 status);
void __noreturn power_off_panic(void);
