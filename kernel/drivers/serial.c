/* COM1 (0x3f8), 115200 8N1, polled. QEMU's UART never holds the transmitter busy, so output costs
 * one port write per byte; input is polled until the scheduler brings interrupts. */
#include "drivers/serial.h"
#include "arch/x86_64/cpu.h"

#define COM1 0x3f8
#define REG_DATA 0
#define REG_IER 1
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

void serial_init(void)
{
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, 0x80); /* divisor latch */
	outb(COM1 + 0, 0x01);       /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + REG_LCR, 0x03); /* 8N1 */
	outb(COM1 + REG_FCR, 0xc7);
	outb(COM1 + REG_MCR, 0x03);
}

void serial_write(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		while (!(inb(COM1 + REG_LSR) & LSR_THR_EMPTY))
			cpu_relax();
		outb(COM1 + REG_DATA, (u8)buf[i]);
	}
}

u8 serial_getc(void)
{
	while (!(inb(COM1 + REG_LSR) & LSR_DATA_READY))
		cpu_relax();
	return inb(COM1 + REG_DATA);
}

bool serial_poll(u8 *c)
{
	if (!(inb(COM1 + REG_LSR) & LSR_DATA_READY))
		return false;
	*c = inb(COM1 + REG_DATA);
	return true;
}
