/* Power-off in order of preference; each step is harmless where its device is absent. */
#include "drivers/power.h"
#include "drivers/acpi.h"
#include "drivers/ctl.h"
#include "drivers/serial.h"
#include "arch/x86_64/cpu.h"

#define DEBUG_EXIT_PORT 0xf4
#define I8042_COMMAND 0x64
#define I8042_PULSE_RESET 0xfe

void power_init(paddr_t rsdp)
{
	acpi_init(rsdp);
}

static void __noreturn stop(u32 debug_exit_value)
{
	__asm__ volatile("cli");
	outl(DEBUG_EXIT_PORT, debug_exit_value);
	acpi_power_off();
	outb(I8042_COMMAND, I8042_PULSE_RESET);
	halt_forever();
}

void power_off(u32 status)
{
	if (ctl_enabled)
		ctl_exit_status(status);
	stop(status);
}

void power_off_panic(void)
{
	if (ctl_enabled)
		ctl_panic();
	stop(125);
}
