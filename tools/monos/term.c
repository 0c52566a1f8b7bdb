/* The host terminal around a VM run: save, hand the output line discipline to the guest
 * (ONLCR off here; the kernel does it for the fds that monos.tty marks as terminals),
 * restore. QEMU keeps OPOST on when it puts stdin in raw mode but takes ONLCR from the
 * settings it finds, so clearing ONLCR before QEMU starts holds for the whole run.
 * While ONLCR is off on stderr, monos's own messages end in "\r\n" (util.c). */
#include "term.h"

#include <signal.h>
#include <unistd.h>

#include "util.h"

/* tcsetattr from a background process group raises SIGTTOU unless it is blocked. */
static void set_attr(int fd, const struct termios *t)
{
	sigset_t ttou, old;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	tcsetattr(fd, TCSADRAIN, t);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void raw_output(struct term_state *ts)
{
	for (int fd = 1; fd <= 2; fd++) {
		if (!ts->fd[fd].saved || !(ts->fd[fd].orig.c_oflag & ONLCR))
			continue;
		struct termios t = ts->fd[fd].orig;
		t.c_oflag &= ~ONLCR;
		set_attr(fd, &t);
		if (fd == 2)
			msg_crlf = true;
	}
}

void term_enter(struct term_state *ts)
{
	/* All originals first: fds 1 and 2 (and 0) are often the same terminal. */
	for (int fd = 0; fd <= 2; fd++)
		ts->fd[fd].saved = isatty(fd) && tcgetattr(fd, &ts->fd[fd].orig) == 0;
	ts->entered = true;
	raw_output(ts);
}

void term_leave(struct term_state *ts)
{
	if (!ts->entered)
		return;
	for (int fd = 0; fd <= 2; fd++)
		if (ts->fd[fd].saved)
			tcgetattr(fd, &ts->fd[fd].live);
	for (int fd = 2; fd >= 0; fd--)
		if (ts->fd[fd].saved)
			set_attr(fd, &ts->fd[fd].orig);
	msg_crlf = false;
	ts->entered = false;
}

void term_resume(struct term_state *ts)
{
	for (int fd = 0; fd <= 2; fd++)
		if (ts->fd[fd].saved)
			set_attr(fd, &ts->fd[fd].live);
	ts->entered = true;
	msg_crlf = ts->fd[2].saved && (ts->fd[2].orig.c_oflag & ONLCR) &&
		   !(ts->fd[2].live.c_oflag & ONLCR);
}
