/* Console output with ONLCR and a minimal canonical-mode line discipline for input. stderr goes to
 * the control channel when `monos run` provides one, so the host keeps the two streams apart. */
#include "sched/sched.h"
#include "core/time.h"
#include "drivers/console.h"
#include "drivers/serial.h"
#include "drivers/ctl.h"
#include "lib/string.h"
#include "errno.h"

static u32 tty_mask = 7;

/* Linux's tty_std_termios, with the serial line's speed. */
static struct termios termios = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = B38400 | CS8 | CREAD | HUPCL,
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	.c_cc = "\003\034\177\025\004\0\1\0\021\023\032\0\022\017\027\026\0",
};

const struct termios *console_termios(void)
{
	return &termios;
}

void console_set_termios(const struct termios *t)
{
	termios = *t;
}

static bool onlcr(int fd)
{
	return console_is_tty(fd) && (termios.c_oflag & OPOST) && (termios.c_oflag & ONLCR);
}

void console_init(u32 mask)
{
	tty_mask = mask;
}

bool console_is_tty(int fd)
{
	return fd >= 0 && fd < 3 && (tty_mask & (1u << fd));
}

typedef void (*sink_fn)(const char *, size_t);

/* Writes buf to sink, turning "\n" into "\r\n" when onlcr is set. */
static void write_processed(sink_fn sink, const char *buf, size_t n, bool onlcr)
{
	if (!onlcr) {
		sink(buf, n);
		return;
	}
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (i > start)
				sink(buf + start, i - start);
			sink("\r\n", 2);
			start = i + 1;
		}
	}
	if (n > start)
		sink(buf + start, n - start);
}

void console_write_fd(int fd, const char *buf, size_t n)
{
	if (fd == 2 && ctl_enabled)
		write_processed(ctl_stderr, buf, n, onlcr(2));
	else
		write_processed(serial_write, buf, n, onlcr(fd));
}

void console_write_log(const char *buf, size_t n)
{
	write_processed(serial_write, buf, n, console_is_tty(1));
}

void console_write_err(const char *buf, size_t n)
{
	console_write_fd(2, buf, n);
}

/* Input is a line discipline fed one byte at a time, by a read that waits for input or by a
 * poll that only looks (console_input_ready): bytes are echoed and edited as they arrive, as
 * Linux's n_tty does, whoever takes them from the UART. */

/* A line typed on the terminal, kept between reads shorter than the line. line_done: the line
 * (or an end of file, line_eof) is complete and not yet read to its end. */
static char line[4096];
static size_t line_len, line_pos;
static bool line_done, line_eof;
/* In non-canonical mode, a byte a poll took from the UART for the next read. */
static int raw_pending = -1;

static void echo(const char *s, size_t n)
{
	if (termios.c_lflag & ECHO)
		serial_write(s, n);
}

/* One byte into the canonical line. */
static void line_feed(u8 c)
{
	if (c == '\r' && (termios.c_iflag & ICRNL))
		c = '\n';
	if (c == 4) { /* VEOF: ends the line without a newline; alone, it is end of file */
		line_eof = line_len == 0;
		line_done = true;
		return;
	}
	if (c == 0x7f || c == 8) { /* VERASE */
		if (line_len) {
			line_len--;
			echo("\b \b", 3);
		}
		return;
	}
	if (c == 0x15) { /* VKILL */
		while (line_len--)
			echo("\b \b", 3);
		line_len = 0;
		return;
	}
	if (line_len < sizeof(line) - 1 || c == '\n')
		line[line_len++] = (char)c;
	if (c == '\n') {
		echo("\r\n", 2);
		line_done = true;
		return;
	}
	echo((char *)&c, 1);
}

static bool canonical(void)
{
	return termios.c_lflag & ICANON;
}

/* A canonical line left over after the mode changed is read first, as n_tty keeps it. */
static bool line_left(void)
{
	return line_done && line_pos < line_len;
}

bool console_input_ready(void)
{
	u8 c;
	if (line_left())
		return true;
	if (canonical()) {
		while (!line_done && serial_poll(&c))
			line_feed(c);
		return line_done;
	}
	if (raw_pending < 0 && serial_poll(&c))
		raw_pending = c;
	return raw_pending >= 0;
}

/* The UART's interrupt is not wired up (no I/O APIC driver yet), so a reader polls it every
 * 2 ms and sleeps between: other threads run meanwhile. false when a signal interrupted the
 * wait (what was typed so far stays, as in Linux's line discipline, for the restarted read). */
static bool wait_input(void)
{
	while (!console_input_ready())
		if (sched_sleep_until(time_monotonic_ns() + 2 * 1000 * 1000) == WAKE_INTERRUPT)
			return false;
	return true;
}

static int raw_getc(void)
{
	u8 c;
	if (raw_pending >= 0) {
		c = (u8)raw_pending;
		raw_pending = -1;
		return c;
	}
	return serial_poll(&c) ? c : -1;
}

ssize_t console_read_line(char *buf, size_t n)
{
	if (!wait_input())
		return -ERESTARTSYS;
	if (!line_left() && !canonical()) {
		size_t got = 0;
		int c;
		while (got < n && (c = raw_getc()) >= 0) {
			u8 b = (u8)c;
			if (b == '\r' && (termios.c_iflag & ICRNL))
				b = '\n';
			buf[got++] = (char)b;
			echo((char *)&b, 1);
		}
		return (ssize_t)got;
	}
	if (line_eof) {
		line_done = line_eof = false;
		line_len = line_pos = 0;
		return 0;
	}
	size_t take = MIN(n, line_len - line_pos);
	memcpy(buf, line + line_pos, take);
	line_pos += take;
	if (line_pos == line_len) {
		line_done = false;
		line_len = line_pos = 0;
	}
	return (ssize_t)take;
}
