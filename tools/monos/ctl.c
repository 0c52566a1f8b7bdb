/* A parser for the kernel's control channel records (docs/protocol.md). It is a small
 * state machine so that records may be split anywhere between reads of the pipe; after an
 * unknown record type it cannot find the next record again, so it ignores the rest. */
#include "ctl.h"

#include <string.h>

enum { CTL_TYPE, CTL_ELEN, CTL_EDATA, CTL_XSTATUS, CTL_BROKEN };

void ctl_init(struct ctl_parser *p, ctl_sink_fn *sink, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->state = CTL_TYPE;
	p->sink = sink;
	p->ctx = ctx;
}

bool ctl_feed(struct ctl_parser *p, const void *buf, size_t n)
{
	const uint8_t *b = buf;

	while (n && p->state != CTL_BROKEN) {
		switch (p->state) {
		case CTL_TYPE:
			p->got = 0;
			switch (*b) {
			case 'E': p->state = CTL_ELEN; break;
			case 'X': p->state = CTL_XSTATUS; break;
			case 'K': p->panicked = true; break;
			default:
				p->broken = true;
				p->bad_type = *b;
				p->state = CTL_BROKEN;
				return false;
			}
			b++, n--;
			break;
		case CTL_ELEN:
			p->field[p->got++] = *b++, n--;
			if (p->got == 2) {
				p->remain = p->field[0] | (uint32_t)p->field[1] << 8;
				p->state = p->remain ? CTL_EDATA : CTL_TYPE;
			}
			break;
		case CTL_EDATA: {
			size_t k = n < p->remain ? n : p->remain;
			if (p->sink)
				p->sink(p->ctx, b, k);
			b += k, n -= k;
			p->remain -= k;
			if (!p->remain)
				p->state = CTL_TYPE;
			break;
		}
		case CTL_XSTATUS:
			p->field[p->got++] = *b++, n--;
			if (p->got == 4) {
				p->status = p->field[0] | (uint32_t)p->field[1] << 8 |
					    (uint32_t)p->field[2] << 16 | (uint32_t)p->field[3] << 24;
				p->have_status = true;
				p->state = CTL_TYPE;
			}
			break;
		}
	}
	return true;
}

bool ctl_truncated(const struct ctl_parser *p)
{
	return p->state != CTL_TYPE && p->state != CTL_BROKEN;
}
