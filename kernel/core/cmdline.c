/* Splits the command line into words and sets the options it names. Unknown words are ignored so
 * that a newer host tool can talk to an older kernel. */
#include "core/cmdline.h"
#include "core/log.h"
#include "drivers/virtio/virtio.h"
#include "lib/string.h"

struct options options = { .tty_mask = 7, .aslr = true };

static bool word_is(const char *w, size_t n, const char *key)
{
	return strlen(key) == n && memcmp(w, key, n) == 0;
}

static bool value_of(const char *w, size_t n, const char *key, const char **val, size_t *vn)
{
	size_t k = strlen(key);
	if (n <= k || memcmp(w, key, k) != 0)
		return false;
	*val = w + k;
	*vn = n - k;
	return true;
}

/* monos.trace=syscalls,futex,signals: a comma-separated list. */
static void parse_traces(const char *v, size_t vn)
{
	while (vn) {
		size_t k = 0;
		while (k < vn && v[k] != ',')
			k++;
		if (word_is(v, k, "syscalls"))
			options.trace_syscalls = true;
		else if (word_is(v, k, "futex"))
			options.trace_futex = true;
		else if (word_is(v, k, "signals"))
			options.trace_signals = true;
		v += k;
		vn -= k;
		if (vn) {
			v++;
			vn--;
		}
	}
}

/* The length of v up to `stop` (or all of it). */
static size_t span_until(const char *v, size_t vn, char stop)
{
	size_t k = 0;
	while (k < vn && v[k] != stop)
		k++;
	return k;
}

/* virtio_mmio.device=<size>@<base>:<irq>[:<id>] as Linux reads it (size with an optional K, M
 * or G suffix; Firecracker passes 4K@0xd0000000:5). An IRQ below 16 is an ISA one (edge, unless
 * the MADT overrides it); above, a GSI wired level-triggered as QEMU's virtio-mmio lines are. */
static void parse_virtio_mmio(const char *v, size_t vn)
{
	size_t k = span_until(v, vn, '@');
	if (k == vn || k == 0)
		return;
	u64 size, base, irq, shift = 0;
	char unit = v[k - 1];
	if (unit == 'K' || unit == 'k')
		shift = 10;
	else if (unit == 'M' || unit == 'm')
		shift = 20;
	else if (unit == 'G' || unit == 'g')
		shift = 30;
	if (!parse_u64(v, k - (shift ? 1 : 0), &size))
		return;
	v += k + 1;
	vn -= k + 1;
	k = span_until(v, vn, ':');
	if (k == vn || !parse_u64(v, k, &base))
		return;
	v += k + 1;
	vn -= k + 1;
	if (!parse_u64(v, span_until(v, vn, ':'), &irq) || irq > 255)
		return;
	virtio_mmio_add(base, (u32)(size << shift), (u32)irq, irq < 16 ? -1 : 1);
}

static void parse_word(const char *w, size_t n)
{
	const char *v;
	size_t vn;
	u64 num;
	if (word_is(w, n, "monos.verbose"))
		options.verbose = true;
	else if (word_is(w, n, "monos.missing_files"))
		options.missing_files = true;
	else if (value_of(w, n, "monos.tty=", &v, &vn) && parse_u64(v, vn, &num))
		options.tty_mask = (u32)num & 7;
	else if (value_of(w, n, "monos.ctl=", &v, &vn))
		options.ctl_debugcon = vn == 8 && memcmp(v, "debugcon", 8) == 0;
	else if (value_of(w, n, "monos.trace=", &v, &vn))
		parse_traces(v, vn);
	else if (value_of(w, n, "monos.sched=", &v, &vn) && vn < sizeof(options.sched_policy)) {
		memcpy(options.sched_policy, v, vn);
		options.sched_policy[vn] = '\0';
	}
	else if (value_of(w, n, "monos.aslr=", &v, &vn))
		options.aslr = !(vn == 3 && memcmp(v, "off", 3) == 0);
	else if (value_of(w, n, "monos.stdin=", &v, &vn))
		options.stdin_null = vn == 4 && memcmp(v, "null", 4) == 0;
	else if (value_of(w, n, "monos.tsc_khz=", &v, &vn) && parse_u64(v, vn, &num))
		options.tsc_khz = num;
	else if (value_of(w, n, "monos.netprobe=", &v, &vn)) {
		if (word_is(v, vn, "arp"))
			options.netprobe_arp = 1;
		else if (vn > 4 && memcmp(v, "arp:", 4) == 0 && parse_u64(v + 4, vn - 4, &num) &&
			 num >= 1 && num <= 10000)
			options.netprobe_arp = (u32)num;
	}
	else if (value_of(w, n, "monos.memlog=", &v, &vn) && parse_u64(v, vn, &num) && num <= 86400)
		options.memlog_seconds = (u32)num;
	else if (value_of(w, n, "monos.ip=", &v, &vn) && vn < sizeof(options.net_ip)) {
		memcpy(options.net_ip, v, vn);
		options.net_ip[vn] = '\0';
	}
	else if (value_of(w, n, "virtio_mmio.device=", &v, &vn))
		parse_virtio_mmio(v, vn);
}

void cmdline_parse(const char *c)
{
	while (*c) {
		while (*c == ' ')
			c++;
		const char *start = c;
		while (*c && *c != ' ')
			c++;
		if (c > start)
			parse_word(start, c - start);
	}
}
