/* Unit test of the control channel parser (tools/monos/ctl.c): records whole and split
 * at every byte, the largest 'E' record, exit status and panic, and a broken stream. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ctl.h"

static unsigned char out[1 << 17];
static size_t out_len;

static void sink(void *ctx, const void *data, size_t n)
{
	(void)ctx;
	if (out_len + n <= sizeof(out))
		memcpy(out + out_len, data, n);
	out_len += n;
}

/* A stream: E "hello\n", X 300 (little-endian), E "bye", K. */
static const unsigned char stream[] = {
	'E', 6, 0, 'h', 'e', 'l', 'l', 'o', '\n',
	'X', 0x2c, 0x01, 0, 0,
	'E', 3, 0, 'b', 'y', 'e',
	'K',
};

static bool stream_result_ok(const struct ctl_parser *p)
{
	return out_len == 9 && memcmp(out, "hello\nbye", 9) == 0 && p->have_status &&
	       p->status == 300 && p->panicked && !p->broken && !ctl_truncated(p);
}

int main(void)
{
	struct ctl_parser p;

	out_len = 0;
	ctl_init(&p, sink, NULL);
	ctl_feed(&p, stream, sizeof(stream));
	check("ctl.whole", stream_result_ok(&p), "one chunk: out_len=%zu status=%u panic=%d",
	      out_len, p.status, p.panicked);

	bool all = true;
	for (size_t cut = 1; cut < sizeof(stream); cut++) {
		out_len = 0;
		ctl_init(&p, sink, NULL);
		ctl_feed(&p, stream, cut);
		ctl_feed(&p, stream + cut, sizeof(stream) - cut);
		all &= stream_result_ok(&p);
	}
	check("ctl.split_anywhere", all, "a stream cut in two parsed differently");

	out_len = 0;
	ctl_init(&p, sink, NULL);
	for (size_t i = 0; i < sizeof(stream); i++)
		ctl_feed(&p, stream + i, 1);
	check("ctl.byte_by_byte", stream_result_ok(&p), "byte-at-a-time parse differs");

	/* The largest record: 65535 bytes. */
	static unsigned char big[3 + 65535 + 5];
	big[0] = 'E', big[1] = 0xff, big[2] = 0xff;
	for (size_t i = 0; i < 65535; i++)
		big[3 + i] = (unsigned char)i;
	memcpy(big + 3 + 65535, "X\x07\0\0\0", 5);
	out_len = 0;
	ctl_init(&p, sink, NULL);
	ctl_feed(&p, big, sizeof(big));
	check("ctl.largest_record", out_len == 65535 && memcmp(out, big + 3, 65535) == 0 &&
	      p.have_status && p.status == 7, "out_len=%zu status=%u", out_len, p.status);

	/* Zero-length 'E' records are outside the protocol but harmless. */
	out_len = 0;
	ctl_init(&p, sink, NULL);
	ctl_feed(&p, "E\0\0X\0\0\0\0", 8);
	check("ctl.empty_record", out_len == 0 && p.have_status && p.status == 0 && !p.broken,
	      "empty E record mis-parsed");

	/* An unknown type breaks the stream; what follows is ignored. */
	out_len = 0;
	ctl_init(&p, sink, NULL);
	bool first = ctl_feed(&p, "E\1\0aZX\1\0\0\0", 10);
	bool again = ctl_feed(&p, "X\1\0\0\0", 5);
	check("ctl.unknown_type", !first && again && p.broken && p.bad_type == 'Z' &&
	      !p.have_status && out_len == 1, "first=%d again=%d broken=%d type=%c status=%d",
	      first, again, p.broken, p.bad_type, p.have_status);

	/* A stream that stops inside a record is noticed. */
	ctl_init(&p, sink, NULL);
	ctl_feed(&p, "X\1\0", 3);
	check("ctl.truncated", ctl_truncated(&p) && !p.have_status, "a cut X record was taken");

	/* No sink: 'E' data is dropped without harm. */
	ctl_init(&p, NULL, NULL);
	ctl_feed(&p, stream, sizeof(stream));
	check("ctl.no_sink", p.have_status && p.status == 300, "parse without a sink failed");

	return check_exit();
}
