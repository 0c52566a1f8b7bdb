/* Runs the VM: builds the QEMU command line, starts QEMU with the control channel on an
 * inherited pipe, relays the kernel's stderr records, and turns the outcome (exit record,
 * isa-debug-exit code, panic, timeout, signal) into the exit code of `monos run`.
 * QEMU never outlives monos: it is killed on every path out and gets PR_SET_PDEATHSIG. */
#define _GNU_SOURCE
#include "qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "term.h"

/* After the exit or panic record, how long QEMU gets to power off by itself. */
#define GRACE_SECONDS 2.0

char *qemu_kernel_cmdline(const struct vm_config *c)
{
	char trace[64] = "";
	const char *sep = " monos.trace=";
	if (c->trace_syscalls)
		strcat(trace, sep), strcat(trace, "syscalls"), sep = ",";
	if (c->trace_futex)
		strcat(trace, sep), strcat(trace, "futex"), sep = ",";
	if (c->trace_signals)
		strcat(trace, sep), strcat(trace, "signals"), sep = ",";
	char *s = xasprintf("monos.ctl=debugcon monos.tty=%u%s%s%s%s%s", c->tty_mask, trace,
			    c->kernel_verbose ? " monos.verbose" : "",
			    c->no_aslr ? " monos.aslr=off" : "",
			    c->stdin_null ? " monos.stdin=null" : "",
			    c->missing_files ? " monos.missing_files" : "");
	if (c->tsc_khz) {
		char *t = xasprintf("%s monos.tsc_khz=%lu", s, c->tsc_khz);
		free(s);
		s = t;
	}
	if (c->sched) {
		char *t = xasprintf("%s monos.sched=%s", s, c->sched);
		free(s);
		s = t;
	}
	for (char *const *k = c->kernel_extra; k && *k; k++) {
		char *t = xasprintf("%s %s", s, *k);
		free(s);
		s = t;
	}
	return s;
}

void qemu_argv(const struct vm_config *c, struct strvec *a)
{
	strvec_push(a, c->qemu);
	strvec_push(a, "-M");
	strvec_push(a, c->machine);
	if (c->accel == ACCEL_KVM) {
		strvec_push(a, "-accel");
		strvec_push(a, "kvm");
		strvec_push(a, "-cpu");
		strvec_push(a, "host");
	} else {
		strvec_push(a, "-accel");
		strvec_push(a, "tcg");
		strvec_push(a, "-cpu");
		strvec_push(a, "max");
	}
	if (c->icount) {
		strvec_push(a, "-icount");
		strvec_push(a, "shift=0,sleep=off");
	}
	strvec_push(a, "-m");
	strvec_push(a, c->mem);
	strvec_push(a, "-smp");
	strvec_pushf(a, "%u", c->smp);
	/* -display none rather than -nographic: -nographic also turns on SeaBIOS's serial
	 * console on q35/pc, whose escape sequences and banner would land in our stdout. */
	const char *base[] = {
		"-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
		"-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
		"-device", "isa-debugcon,iobase=0xe9,chardev=ctl",
	};
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		strvec_push(a, base[i]);
	strvec_push(a, "-chardev");
	strvec_pushf(a, "file,id=ctl,path=/dev/fd/%d", QEMU_CTL_FD);
	strvec_push(a, "-kernel");
	strvec_push(a, c->kernel);
	strvec_push(a, "-initrd");
	strvec_push(a, c->initrd);
	strvec_push(a, "-append");
	char *cmdline = qemu_kernel_cmdline(c);
	strvec_push(a, cmdline);
	free(cmdline);
	if (c->net)
		net_qemu_args(c->net, c->machine, a);
	for (char *const *e = c->extra; e && *e; e++)
		strvec_push(a, *e);
}

/* ---- running ---- */

static volatile sig_atomic_t got_signal;
static volatile sig_atomic_t got_child;
static volatile sig_atomic_t got_stop;

static void on_signal(int sig)
{
	if (!got_signal)
		got_signal = sig;
}

static void on_child(int sig)
{
	(void)sig;
	got_child = 1;
}

static void on_stop(int sig)
{
	(void)sig;
	got_stop = 1;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 'E' data goes to our stderr as it comes; a closed stderr only loses it. */
static void relay_stderr(void *ctx, const void *data, size_t n)
{
	(void)ctx;
	write_all(2, data, n);
}

/* Moves FD to a number >= 10 with close-on-exec, so that the child's dup2 onto
 * QEMU_CTL_FD can neither clobber it nor be a no-op that keeps close-on-exec. */
static int move_high(int fd)
{
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	int saved = errno;
	close(fd);
	errno = saved;
	return nfd;
}

/* A terminal job-control detail: a background process group writing to a terminal with
 * TOSTOP set gets stopped, so QEMU only leaves our group when no output terminal has it. */
static bool terminal_has_tostop(void)
{
	struct termios t;
	for (int fd = 1; fd <= 2; fd++)
		if (isatty(fd) && tcgetattr(fd, &t) == 0 && (t.c_lflag & TOSTOP))
			return true;
	return false;
}

/* The child: becomes QEMU or reports errno on errpipe and exits. */
static void exec_qemu(const struct vm_config *c, char *const *argv, int ctl_w, int errpipe,
		      const sigset_t *oldmask, pid_t parent, bool own_group)
{
	int err;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(125);	/* the parent is gone already: do not start a VM nobody reads */
	if (own_group)
		setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		signal(stop_signals[i], SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGTSTP, SIG_DFL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);

	if (dup2(ctl_w, QEMU_CTL_FD) < 0)
		goto fail;
	if (!c->stdin_to_qemu) {
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0)
			goto fail;
		if (null != 0)
			close(null);
	}
	execv(c->qemu, argv);
fail:
	err = errno;
	write_all(errpipe, &err, sizeof(err));
	_exit(127);
}

static void kill_and_reap(pid_t pid, int *wstatus)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
		;
}

/* Everything qemu_run holds, restored or released on the way out. */
struct run_state {
	pid_t pid;
	int ctl_r;
	bool reaped;
	int wstatus;
	struct term_state term;
	sigset_t oldmask;
	struct sigaction old_actions[4], old_chld, old_pipe, old_tstp;
};

static void restore_signals(struct run_state *s)
{
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaction(stop_signals[i], &s->old_actions[i], NULL);
	sigaction(SIGCHLD, &s->old_chld, NULL);
	sigaction(SIGPIPE, &s->old_pipe, NULL);
	sigaction(SIGTSTP, &s->old_tstp, NULL);
	sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
}

static void install_signals(struct run_state *s)
{
	struct sigaction sa;
	sigset_t block;

	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(&block, stop_signals[i]);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTSTP);
	sigprocmask(SIG_BLOCK, &block, &s->oldmask);

	memset(&sa, 0, sizeof(sa));
	sigfillset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaction(stop_signals[i], &sa, &s->old_actions[i]);
	sa.sa_handler = on_stop;
	sigaction(SIGTSTP, &sa, &s->old_tstp);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, &s->old_chld);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGPIPE, &sa, &s->old_pipe);
	got_signal = 0;
	got_child = 0;
	got_stop = 0;
}

/* Starts QEMU; returns 0, or an exit code after a message. */
static int start(const struct vm_config *c, char *const *argv, struct run_state *s)
{
	int ctl[2], errp[2];

	if (pipe2(ctl, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
		msg("pipe: %s", strerror(errno));
		return EXIT_TOOL;
	}
	if ((ctl[1] = move_high(ctl[1])) < 0 || (errp[1] = move_high(errp[1])) < 0) {
		msg("fcntl: %s", strerror(errno));
		return EXIT_TOOL;
	}
	s->ctl_r = ctl[0];

	term_enter(&s->term);	/* before QEMU reads the settings */
	bool own_group = !c->stdin_to_qemu && !terminal_has_tostop();
	pid_t parent = getpid();
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0) {
		msg("fork: %s", strerror(errno));
		close(ctl[1]), close(errp[0]), close(errp[1]);
		term_leave(&s->term);
		return EXIT_TOOL;
	}
	if (s->pid == 0)
		exec_qemu(c, argv, ctl[1], errp[1], &s->oldmask, parent, own_group);
	if (own_group)
		setpgid(s->pid, s->pid);	/* also here: no race with our signals */
	close(ctl[1]);
	close(errp[1]);

	int err = 0;
	ssize_t n;
	while ((n = read(errp[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(errp[0]);
	if (n > 0) {
		while (waitpid(s->pid, &s->wstatus, 0) < 0 && errno == EINTR)
			;
		s->reaped = true;
		term_leave(&s->term);
		msg("cannot run %s: %s", c->qemu, strerror(err));
		return err == ENOENT ? EXIT_NOTFOUND : EXIT_TOOL;
	}
	return 0;
}

/* Ctrl-Z (or SIGTSTP): stop QEMU and ourselves with the terminal as it was; on SIGCONT,
 * carry on. QEMU may be in its own process group, where the terminal's signal misses it.
 * Returns how long we were stopped. */
static double stop_and_continue(struct run_state *s)
{
	double t = now_seconds();
	term_leave(&s->term);
	kill(s->pid, SIGSTOP);
	raise(SIGSTOP);		/* returns once we are continued */
	term_resume(&s->term);
	kill(s->pid, SIGCONT);
	return now_seconds() - t;
}

static void reap_if_exited(struct run_state *s)
{
	if (s->reaped)
		return;
	pid_t r = waitpid(s->pid, &s->wstatus, WNOHANG);
	if (r == s->pid)
		s->reaped = true;
}

int qemu_run(const struct vm_config *c, char *const *argv)
{
	struct run_state s = { .pid = -1, .ctl_r = -1 };
	struct ctl_parser ctl;
	enum { RUNNING, TIMED_OUT, SIGNALLED } why = RUNNING;
	int sig = 0;

	ctl_init(&ctl, relay_stderr, NULL);
	install_signals(&s);
	int code = start(c, argv, &s);
	if (code) {
		if (s.ctl_r >= 0)
			close(s.ctl_r);
		restore_signals(&s);
		return code;
	}

	double deadline = c->timeout > 0 ? now_seconds() + c->timeout : 0;
	double grace = 0;	/* set once the exit or panic record came */
	bool ctl_open = true;
	static char buf[1 << 16];

	while (ctl_open || !s.reaped) {
		if (got_signal) {
			sig = got_signal;
			why = SIGNALLED;
			break;
		}
		if (got_child) {
			got_child = 0;
			reap_if_exited(&s);
		}
		if (got_stop) {
			got_stop = 0;
			if (!s.reaped) {
				double stopped = stop_and_continue(&s);
				if (deadline)
					deadline += stopped;	/* a stopped VM does not run out of time */
				if (grace)
					grace += stopped;
			}
		}
		if (s.reaped && ctl_open) {
			/* QEMU is gone, so the pipe holds all there is: drain without waiting. */
			fcntl(s.ctl_r, F_SETFL, O_NONBLOCK);
		}
		if (!ctl_open && s.reaped)
			break;

		double now = now_seconds(), until = 0;
		if (deadline && now >= deadline) {
			why = TIMED_OUT;
			break;
		}
		if (grace && now >= grace)
			break;	/* the guest is done; QEMU did not power off in time */
		if (deadline)
			until = deadline;
		if (grace && (!until || grace < until))
			until = grace;

		struct timespec ts, *tsp = NULL;
		if (until) {
			double d = until - now;
			ts.tv_sec = (time_t)d;
			ts.tv_nsec = (long)((d - ts.tv_sec) * 1e9);
			tsp = &ts;
		}
		struct pollfd pfd = { .fd = ctl_open ? s.ctl_r : -1, .events = POLLIN };
		int r = ppoll(&pfd, 1, tsp, &s.oldmask);
		if (r < 0 && errno != EINTR) {
			msg("poll: %s", strerror(errno));
			break;
		}
		if (r <= 0 || !ctl_open)
			continue;

		ssize_t n = read(s.ctl_r, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			if (n < 0)
				msg("reading the control channel: %s", strerror(errno));
			ctl_open = false;
			continue;
		}
		if (!ctl_feed(&ctl, buf, n))
			msg("the kernel sent a bad control record (type 0x%02x); ignoring the rest",
			    ctl.bad_type);
		if ((ctl.have_status || ctl.panicked) && !grace)
			grace = now_seconds() + GRACE_SECONDS;
	}

	if (!s.reaped) {
		kill_and_reap(s.pid, &s.wstatus);
		s.reaped = true;
	}
	if (ctl_open) {
		/* Whatever the pipe still holds (QEMU is dead, so no more will come). */
		ssize_t n;
		fcntl(s.ctl_r, F_SETFL, O_NONBLOCK);
		while ((n = read(s.ctl_r, buf, sizeof(buf))) > 0)
			ctl_feed(&ctl, buf, n);
	}
	close(s.ctl_r);
	term_leave(&s.term);	/* QEMU restores it when it exits; not when it is killed */
	restore_signals(&s);

	if (why == SIGNALLED)
		return 128 + sig;
	if (why == TIMED_OUT) {
		msg("timed out after %g seconds; stopped the VM", c->timeout);
		return EXIT_TIMEOUT;
	}
	if (ctl.panicked) {
		msg("kernel panic");
		return EXIT_TOOL;
	}
	if (ctl.have_status) {
		if (ctl.status > 255) {
			msg("the kernel sent an exit status out of range: %u", ctl.status);
			return EXIT_TOOL;
		}
		return ctl.status;
	}
	if (WIFEXITED(s.wstatus)) {
		int qcode = WEXITSTATUS(s.wstatus);
		/* isa-debug-exit: QEMU exits with (value << 1) | 1; 1 is also QEMU's own error. */
		if ((qcode & 1) && qcode > 1)
			return qcode >> 1;
		msg("the VM stopped without an exit status (QEMU exited with %d)", qcode);
		return EXIT_TOOL;
	}
	if (WIFSIGNALED(s.wstatus)) {
		msg("the VM stopped without an exit status (QEMU was killed by signal %d)",
		    WTERMSIG(s.wstatus));
		return EXIT_TOOL;
	}
	msg("the VM stopped without an exit status");
	return EXIT_TOOL;
}
