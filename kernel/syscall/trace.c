/* Formats a syscall as strace does: name(args) = result, errors as "-1 ENAME (text)". Strings
 * and buffers are read from the app with the checked copies and cut at 32 bytes. */
#include "syscall/trace.h"
#include "syscall/table.h"
#include "mm/usercopy.h"
#include "core/log.h"
#include "lib/format.h"
#include "lib/string.h"
#include "drivers/console.h"
#include "errno.h"

#define SHOW_BYTES 32
#define AT_FDCWD -100

struct line {
	char buf[512];
	size_t len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct line *l, const char *fmt, ...)
{
	if (l->len >= sizeof(l->buf))
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	l->len = MIN(l->len + (size_t)n, sizeof(l->buf) - 1);
}

static void add_escaped(struct line *l, const u8 *p, size_t n, bool more)
{
	add(l, "\"");
	for (size_t i = 0; i < n; i++) {
		u8 c = p[i];
		if (c == '\n') add(l, "\\n");
		else if (c == '\t') add(l, "\\t");
		else if (c == '\r') add(l, "\\r");
		else if (c == '"' || c == '\\') add(l, "\\%c", c);
		else if (c >= 32 && c < 127) add(l, "%c", c);
		else add(l, "\\%o", c);
	}
	add(l, "\"%s", more ? "..." : "");
}

static void add_user_buffer(struct line *l, u64 addr, u64 len)
{
	u8 tmp[SHOW_BYTES];
	size_t n = MIN(len, SHOW_BYTES);
	if (copy_from_user(tmp, addr, n))
		add(l, "%#lx", addr);
	else
		add_escaped(l, tmp, n, len > n);
}

static void add_user_string(struct line *l, u64 addr)
{
	char tmp[SHOW_BYTES + 1];
	long n = strncpy_from_user(tmp, addr, sizeof(tmp));
	if (n == -ENAMETOOLONG)
		add_escaped(l, (u8 *)tmp, SHOW_BYTES, true);
	else if (n < 0)
		add(l, "%#lx", addr);
	else
		add_escaped(l, (u8 *)tmp, n, false);
}

static void add_arg(struct line *l, char fmt, u64 v, u64 next, long ret, bool done)
{
	switch (fmt) {
	case 'd': add(l, "%ld", (long)v); break;
	case 'u': add(l, "%lu", v); break;
	case 'o': add(l, "0%lo", v); break;
	case 'f':
		if ((int)v == AT_FDCWD) add(l, "AT_FDCWD");
		else add(l, "%d", (int)v);
		break;
	case 'p':
		if (v) add(l, "0x%lx", v);
		else add(l, "NULL");
		break;
	case 's': add_user_string(l, v); break;
	case 'b': add_user_buffer(l, v, next); break;
	case 'B':
		if (done && ret >= 0) add_user_buffer(l, v, (u64)ret);
		else add(l, "0x%lx", v);
		break;
	default: add(l, "0x%lx", v); break;
	}
}

void trace_syscall(unsigned nr, const struct syscall_entry *e, const u64 args[6], long ret,
		   bool before)
{
	struct line l = { .len = 0 };
	const char *fmt = e && e->name ? e->trace : "";
	if (e && e->name)
		add(&l, "%s(", e->name);
	else
		add(&l, "syscall_%u(", nr);
	const char *arrow = strchr(fmt, '>');
	char rfmt = arrow && arrow[1] ? arrow[1] : 'd';
	int i = 0;
	for (const char *f = fmt; *f && *f != '>' && i < 6; f++) {
		if (*f == ',')
			continue;
		if (i)
			add(&l, ", ");
		add_arg(&l, *f, args[i], i < 5 ? args[i + 1] : 0, ret, !before);
		i++;
	}
	if (before) {
		add(&l, ") = ?\n");
	} else if (ret < 0 && ret >= -MAX_ERRNO) {
		unsigned en = (unsigned)-ret;
		if (en < errno_names_count && errno_names[en].name)
			add(&l, ") = -1 %s (%s)\n", errno_names[en].name, errno_names[en].text);
		else
			add(&l, ") = -1 (errno %u)\n", en);
	} else if (rfmt == 'p' || rfmt == 'x') {
		add(&l, ") = 0x%lx\n", (u64)ret);
	} else {
		add(&l, ") = %ld\n", ret);
	}
	console_write_err(l.buf, l.len);
}
