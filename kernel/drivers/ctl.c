/* Control-channel records: 'E' len16 data (stderr), 'X' status32 (exit), 'K' (panic). The
 * isa-debugcon port takes one byte per write. */
#include "drivers/ctl.h"
#include "arch/x86_64/cpu.h"

#define DEBUGCON_PORT 0xe9

bool ctl_enabled;

static void put_bytes(const void *p, size_t n)
{
	const u8 *b = p;
	for (size_t i = 0; i < n; i++)
		outb(DEBUGCON_PORT, b[i]);
}

void ctl_stderr(const char *buf, size_t n)
{
	while (n) {
		u16 chunk = n > 0xffff ? 0xffff : (u16)n;
		u8 hdr[3] = { 'E', chunk & 0xff, chunk >> 8 };
		put_bytes(hdr, 3);
		put_bytes(buf, chunk);
		buf += chunk;
		n -= chunk;
	}
}

void ctl_exit_status(u32 status)
{
	u8 rec[5] = { 'X', status & 0xff, (status >> 8) & 0xff, (status >> 16) & 0xff, status >> 24 };
	put_bytes(rec, 5);
}

void ctl_panic(void)
{
	put_bytes("K", 1);
}
