/* The report printed when the app dies of a fault: signal, address, cause, registers. The exit
 * status is 128+signal, as a shell reports a process killed by that signal. */
#include "proc/fault.h"
#include "proc/process.h"
#include "arch/x86_64/regs.h"
#include "core/log.h"
#include <asm/signal.h>
#include <asm-generic/siginfo.h>

static const char *const names[32] = {
	[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
	[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",
	[SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
	[SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO",
	[SIGPWR] = "SIGPWR", [SIGSYS] = "SIGSYS",
};

const char *signal_name(int signo)
{
	return signo > 0 && signo < 32 && names[signo] ? names[signo] : "signal";
}

static const char *describe(int signo)
{
	switch (signo) {
	case SIGSEGV: return "Segmentation fault";
	case SIGBUS: return "Bus error";
	case SIGFPE: return "Floating point exception";
	case SIGILL: return "Illegal instruction";
	case SIGTRAP: return "Trace/breakpoint trap";
	case SIGABRT: return "Aborted";
	case SIGTERM: return "Terminated";
	case SIGINT: return "Interrupt";
	case SIGKILL: return "Killed";
	case SIGQUIT: return "Quit";
	case SIGPIPE: return "Broken pipe";
	case SIGALRM: return "Alarm clock";
	case SIGHUP: return "Hangup";
	default: return "signal";
	}
}

void user_fault(struct regs *r, int signo, int code, u64 addr)
{
	kerr("monos: the program was killed by %s (%s)\n", signal_name(signo), describe(signo));
	if (r->vector == 14)
		kerr("  %s at address %016lx (%s, %s access)\n",
		     signo == SIGBUS ? "past the end of the mapped file" :
		     code == SEGV_ACCERR ? "invalid permissions" : "address not mapped", addr,
		     (r->error & 1) ? "page present" : "page not present",
		     (r->error & 16) ? "instruction" : (r->error & 2) ? "write" : "read");
	else
		kerr("  %s (vector %lu, error code %lx) at %016lx\n", trap_vector_name(r->vector),
		     r->vector, r->error, addr);
	kerr("  thread %d\n", current_thread()->tid);
	dump_regs(r);
	proc_exit(128 + signo);
}

void signal_terminate(int signo)
{
	kerr("monos: the program was killed by %s (%s)\n", signal_name(signo), describe(signo));
	proc_exit(128 + signo);
}
