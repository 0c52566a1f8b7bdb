/* The 8250/16550 UART at COM1, polled. */
#pragma once
#include "types.h"

void serial_init(void);
void serial_write(const char *buf, size_t n);
/* Waits for one byte of input. */
u8 serial_getc(void);
/* One byte if one has arrived. */
bool serial_poll(u8 *c);
