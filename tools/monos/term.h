/* The host terminal around a VM run. The guest kernel runs the line discipline of the
 * program's terminal (its ONLCR turns "\n" into "\r\n"), so while the VM runs the host
 * terminal must not translate output a second time: ONLCR goes off on output terminals,
 * and everything is put back afterwards, also when QEMU was killed in raw mode. */
#ifndef MONOS_TERM_H
#define MONOS_TERM_H

#include <stdbool.h>
#include <termios.h>

struct term_state {
	struct {
		bool saved;
		struct termios orig;	/* before the run */
		struct termios live;	/* during the run, kept across a stop (Ctrl-Z) */
	} fd[3];
	bool entered;
};

/* Saves the settings of those of fds 0-2 that are terminals, then turns ONLCR off on
 * the output ones (1, 2). */
void term_enter(struct term_state *ts);
/* Puts the saved settings back (remembering the current ones for term_resume). */
void term_leave(struct term_state *ts);
/* After a stop: the settings of the run again. */
void term_resume(struct term_state *ts);

#endif
