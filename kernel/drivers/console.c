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

/* A line typed on the terminal, kept between reads shorter than the line. */
static char line[4096];
static size_t line_len, line_pos;
static bool line_eof;

static void echo(const char *s, size_t n)
{
	if (termios.c_lflag & ECHO)
		serial_write(s, n);
}

/* The next byte typed, or -1 when a signal interrupts the wait. The UART's interrupt is not
 * wired up (no I/O APIC driver yet), so a reader polls it every 2 ms and sleeps between: other
 * threads run meanwhile. */
static int wait_getc(void)
{
	u8 c;
	while (!serial_poll(&c))
		if (sched_sleep_until(time_monotonic_ns() + 2 * 1000 * 1000) == WAKE_INTERRUPT)
			return -1;
	return c;
}

static bool line_building; /* read_line was interrupted: the line so far is kept */

/* Reads a line in canonical mode; false when a signal interrupted it (the part typed stays
 * for the restarted read, as in Linux's line discipline). */
static bool read_line(void)
{
	if (!line_building) {
		line_len = line_pos = 0;
		line_eof = false;
		line_building = true;
	}
	for (;;) {
		int got = wait_getc();
		if (got < 0)
			return false;
		u8 c = (u8)got;
		if (c == '\r' && (termios.c_iflag & ICRNL))
			c = '\n';
		if (c == 4) { /* VEOF: ends the line without a newline; alone, it is end of file */
			line_eof = line_len == 0;
			line_building = false;
			return true;
		}
		if (c == 0x7f || c == 8) { /* VERASE */
			if (line_len) {
				line_len--;
				echo("\b \b", 3);
			}
			continue;
		}
		if (c == 0x15) { /* VKILL */
			while (line_len--)
				echo("\b \b", 3);
			line_len = 0;
			continue;
		}
		if (line_len < sizeof(line) - 1 || c == '\n')
			line[line_len++] = (char)c;
		if (c == '\n') {
			echo("\r\n", 2);
			line_building = false;
			return true;
		}
		echo((char *)&c, 1);
	}
}

ssize_t console_read_line(char *buf, size_t n)
{
	if (!(termios.c_lflag & ICANON) && line_pos == line_len) {
		size_t got = 0;
		if (n == 0)
			return 0;
		int first = wait_getc();
		if (first < 0)
			return -ERESTARTSYS;
		u8 c = (u8)first;
		do {
			if (c == '\r' && (termios.c_iflag & ICRNL))
				c = '\n';
			buf[got++] = (char)c;
			echo((char *)&c, 1);
		} while (got < n && serial_poll(&c));
		return (ssize_t)got;
	}
	if (line_pos == line_len) {
		if (!read_line())
			return -ERESTARTSYS;
		if (line_eof)
			return 0;
	}
	size_t take = MIN(n, line_len - line_pos);
	memcpy(buf, line + line_pos, take);
	line_pos += take;
	return (ssize_t)take;
}
