/* The control channel from the kernel (docs/protocol.md): a byte stream of records
 * 'E' u16 len, data (app stderr) | 'X' u32 status | 'K' (panic), all little-endian.
 * The parser takes the stream in chunks of any size; it does no I/O itself. */
#ifndef MONOS_CTL_H
#define MONOS_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Receives the data of 'E' records, possibly split across calls. */
typedef void ctl_sink_fn(void *ctx, const void *data, size_t n);

struct ctl_parser {
	/* results */
	bool have_status;	/* an 'X' record came */
	uint32_t status;	/* its status (the last one, if several came) */
	bool panicked;		/* a 'K' record came */
	bool broken;		/* an unknown record type came; the rest is ignored */
	uint8_t bad_type;	/* that type byte */

	/* internal state */
	int state;
	uint8_t field[4];	/* length or status bytes collected so far */
	unsigned got;
	uint32_t remain;	/* 'E' data bytes still to come */
	ctl_sink_fn *sink;
	void *ctx;
};

void ctl_init(struct ctl_parser *p, ctl_sink_fn *sink, void *ctx);
/* Consumes N bytes. Returns false the first time the stream turns out to be broken. */
bool ctl_feed(struct ctl_parser *p, const void *buf, size_t n);
/* True when the stream stopped in the middle of a record (checked at EOF). */
bool ctl_truncated(const struct ctl_parser *p);

#endif
