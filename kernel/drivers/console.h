/* The console as the app and the kernel see it: the serial line with Linux's default tty
 * processing (ONLCR out; ICANON, ECHO, ICRNL in) for the fds the host says are terminals. */
#pragma once
#include "types.h"
#include <asm/termbits.h>

void console_init(u32 tty_mask);
bool console_is_tty(int fd);
/* App output on fd 1 or 2. */
void console_write_fd(int fd, const char *buf, size_t n);
/* App input on fd 0 when it is a terminal: a canonical line (0 at end of file, ^D), or in
 * non-canonical mode the bytes that have arrived (at least one). */
ssize_t console_read_line(char *buf, size_t n);
/* Whether a read of the terminal would return now (a whole line in canonical mode, a byte
 * otherwise); takes what the UART holds into the line discipline without waiting. */
bool console_input_ready(void);
/* The terminal's settings (Linux's defaults until the app changes them). */
const struct termios *console_termios(void);
void console_set_termios(const struct termios *t);
void console_write_log(const char *buf, size_t n);
void console_write_err(const char *buf, size_t n);
