/*
 * signals_altstack.c: the alternate signal stack (sigaltstack, SA_ONSTACK).
 *
 * - At start there is none (SS_DISABLE); one set is read back (address,
 *   size, flags 0); SS_ONSTACK is accepted as a flag when setting (old
 *   programs pass it); SS_DISABLE removes it and reads back as address 0,
 *   size 0. Too small (below MINSIGSTKSZ) is ENOMEM, unknown flags EINVAL.
 * - An SA_ONSTACK handler runs on it: a local variable lies inside it, and
 *   sigaltstack reports SS_ONSTACK there; changing it there is EPERM while
 *   reading it is fine. A handler without SA_ONSTACK stays on the normal
 *   stack. A second SA_ONSTACK signal raised in the handler nests below the
 *   first frame on the same alternate stack.
 * - SS_AUTODISARM: inside the handler the stack is disarmed (SS_DISABLE, and
 *   may be changed), and it comes back when the handler returns.
 * - A new thread starts with no alternate stack.
 * - Stack overflow: in a thread with a small stack, and in the main thread
 *   up to its 8 MiB limit (the harness sets it), the SIGSEGV handler runs on
 *   the alternate stack and siglongjmps out.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "signal_util.h"

/* Linux's uapi linux/signal.h value; musl's headers lack it and the uapi
 * header clashes with <signal.h>. */
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

#define ALT_SIZE (64 * 1024)

static char *alt; /* the alternate stack (mmap) */

static int in_alt(const void *p, const char *base, size_t size)
{
	return (const char *)p >= base && (const char *)p < base + size;
}

static int set_alt(void *sp, size_t size, int flags)
{
	stack_t ss = { .ss_sp = sp, .ss_size = size, .ss_flags = flags };
	return sigaltstack(&ss, NULL);
}

static stack_t get_alt(void)
{
	stack_t ss;
	memset(&ss, 0xa5, sizeof(ss));
	sigaltstack(NULL, &ss);
	return ss;
}

/* ---- set and get --------------------------------------------------------- */

static void setget_checks(void)
{
	stack_t ss = get_alt();
	check(ss.ss_flags == SS_DISABLE, "initially_disabled", "flags %#x, expected SS_DISABLE",
	      ss.ss_flags);

	check_ok("set", set_alt(alt, ALT_SIZE, 0));
	ss = get_alt();
	check(ss.ss_sp == alt && ss.ss_size == ALT_SIZE && ss.ss_flags == 0, "get_after_set",
	      "sp %p size %zu flags %#x, expected %p %d 0", ss.ss_sp, ss.ss_size, ss.ss_flags,
	      (void *)alt, ALT_SIZE);

	/* The old one comes back from a change. Raw: musl refuses SS_ONSTACK
	 * itself. */
	stack_t nss = { .ss_sp = alt, .ss_size = ALT_SIZE / 2, .ss_flags = SS_ONSTACK }, old;
	check_ok("set_flag_ss_onstack", syscall(SYS_sigaltstack, &nss, &old));
	check(old.ss_sp == alt && old.ss_size == ALT_SIZE, "old_returned",
	      "old sp %p size %zu, expected %p %d", old.ss_sp, old.ss_size, (void *)alt, ALT_SIZE);
	ss = get_alt();
	check(ss.ss_size == ALT_SIZE / 2 && ss.ss_flags == 0, "ss_onstack_reads_as_0",
	      "size %zu flags %#x, expected %d 0", ss.ss_size, ss.ss_flags, ALT_SIZE / 2);

	check_errno("too_small_enomem", set_alt(alt, 1024, 0), ENOMEM);
	check_errno("bad_flags_einval", set_alt(alt, ALT_SIZE, 0x1234), EINVAL);
	ss = get_alt();
	check(ss.ss_size == ALT_SIZE / 2, "failed_set_changes_nothing", "size %zu, expected %d",
	      ss.ss_size, ALT_SIZE / 2);

	check_ok("disable", set_alt(NULL, 0, SS_DISABLE));
	ss = get_alt();
	check(ss.ss_flags == SS_DISABLE && ss.ss_sp == NULL && ss.ss_size == 0, "get_after_disable",
	      "sp %p size %zu flags %#x, expected NULL 0 SS_DISABLE", ss.ss_sp, ss.ss_size,
	      ss.ss_flags);
	set_alt(alt, ALT_SIZE, 0);
}

/* ---- handlers on it ---------------------------------------------------------- */

static struct {
	void *local;       /* a local variable's address in the handler */
	int flags;         /* sigaltstack's flags there */
	int set_ret, set_errno;
	void *nested_local;
	int nested_flags;
	stack_t disarmed;
} h;

static void nested_handler(int sig, siginfo_t *si, void *uc)
{
	volatile char here;
	h.nested_local = (void *)&here;
	h.nested_flags = get_alt().ss_flags;
}

static void onstack_handler(int sig, siginfo_t *si, void *uc)
{
	volatile char here;
	h.local = (void *)&here;
	h.flags = get_alt().ss_flags;
	errno = 0;
	h.set_ret = set_alt(alt, ALT_SIZE, 0);
	h.set_errno = errno;
	if (sig == SIGUSR1)
		raise(SIGUSR2);
}

static void autodisarm_handler(int sig, siginfo_t *si, void *uc)
{
	volatile char here;
	h.local = (void *)&here;
	h.disarmed = get_alt();
	/* Disarmed: a new one may be set here; the old one comes back anyway. */
	errno = 0;
	h.set_ret = set_alt(alt, ALT_SIZE / 2, 0);
	h.set_errno = errno;
}

static void handler_checks(void)
{
	volatile char main_local;

	memset(&h, 0, sizeof(h));
	on_signal(SIGUSR1, onstack_handler, SA_ONSTACK, sigset_of(0));
	on_signal(SIGUSR2, nested_handler, SA_ONSTACK, sigset_of(0));
	raise(SIGUSR1);
	check(in_alt(h.local, alt, ALT_SIZE), "onstack_handler_on_alt",
	      "a local at %p, the stack is %p..%p", h.local, (void *)alt, (void *)(alt + ALT_SIZE));
	check(h.flags == SS_ONSTACK, "reports_ss_onstack", "flags %#x, expected SS_ONSTACK",
	      h.flags);
	check(h.set_ret == -1 && h.set_errno == EPERM, "change_on_it_eperm",
	      "returned %d (%s), expected -1 EPERM", h.set_ret, errno_name(h.set_errno));
	check(in_alt(h.nested_local, alt, ALT_SIZE) && (char *)h.nested_local < (char *)h.local &&
		      h.nested_flags == SS_ONSTACK,
	      "nested_below_on_alt", "nested local %p (first %p), flags %#x", h.nested_local,
	      h.local, h.nested_flags);
	check(get_alt().ss_flags == 0 && !in_alt((void *)&main_local, alt, ALT_SIZE),
	      "off_it_after_return", "flags %#x after the handler", get_alt().ss_flags);

	/* Without SA_ONSTACK: the normal stack. */
	memset(&h, 0, sizeof(h));
	on_signal(SIGUSR1, onstack_handler, 0, sigset_of(0));
	on_signal(SIGUSR2, nested_handler, 0, sigset_of(0));
	raise(SIGUSR1);
	check(h.local && !in_alt(h.local, alt, ALT_SIZE) && h.flags == 0, "plain_handler_not_on_alt",
	      "a local at %p, flags %#x", h.local, h.flags);
	check(h.set_ret == 0, "change_off_it_ok", "sigaltstack in the handler failed with %s",
	      errno_name(h.set_errno));

	/* SS_AUTODISARM. */
	memset(&h, 0, sizeof(h));
	set_alt(alt, ALT_SIZE, SS_AUTODISARM);
	on_signal(SIGUSR1, autodisarm_handler, SA_ONSTACK, sigset_of(0));
	raise(SIGUSR1);
	check(in_alt(h.local, alt, ALT_SIZE), "autodisarm_runs_on_alt", "a local at %p", h.local);
	check(h.disarmed.ss_flags == SS_DISABLE, "autodisarm_disarmed_in_handler",
	      "flags %#x in the handler, expected SS_DISABLE", h.disarmed.ss_flags);
	check(h.set_ret == 0, "autodisarm_change_ok", "sigaltstack in the handler failed with %s",
	      errno_name(h.set_errno));
	stack_t ss = get_alt();
	check(ss.ss_sp == alt && ss.ss_size == ALT_SIZE && ss.ss_flags == (int)SS_AUTODISARM,
	      "autodisarm_restored", "sp %p size %zu flags %#x, expected %p %d SS_AUTODISARM",
	      ss.ss_sp, ss.ss_size, ss.ss_flags, (void *)alt, ALT_SIZE);
	set_alt(alt, ALT_SIZE, 0);
	set_disposition(SIGUSR1, SIG_DFL);
	set_disposition(SIGUSR2, SIG_DFL);
}

/* ---- stack overflow ------------------------------------------------------------ */

static __thread sigjmp_buf overflow_jmp;
static __thread char *overflow_alt;
static __thread struct {
	volatile int hit, on_alt, signo;
} ov;

static void overflow_handler(int sig, siginfo_t *si, void *uc)
{
	volatile char here;
	ov.hit = 1;
	ov.signo = si->si_signo;
	ov.on_alt = in_alt((void *)&here, overflow_alt, ALT_SIZE);
	siglongjmp(overflow_jmp, 1);
}

/* Recursion with small frames (it must hit the guard page, not step over it). */
static int __attribute__((noinline)) recurse(int n)
{
	volatile char pad[256];
	pad[0] = (char)n;
	pad[255] = (char)n;
	if (n < 0) /* never: keeps the compiler from calling this endless */
		return 0;
	return recurse(n + 1) + pad[0] + pad[255];
}

/* Overflows the calling thread's stack with alt_stack as its alternate stack. */
static void overflow_here(char *alt_stack)
{
	overflow_alt = alt_stack;
	memset((void *)&ov, 0, sizeof(ov));
	set_alt(alt_stack, ALT_SIZE, 0);
	if (sigsetjmp(overflow_jmp, 1) == 0)
		recurse(0);
}

struct thread_result {
	int initial_flags;
	int hit, on_alt, signo;
};

static void *overflow_thread(void *arg)
{
	struct thread_result *r = arg;
	static char thread_alt[ALT_SIZE] __attribute__((aligned(16)));

	r->initial_flags = get_alt().ss_flags;
	overflow_here(thread_alt);
	r->hit = ov.hit, r->on_alt = ov.on_alt, r->signo = ov.signo;
	set_alt(NULL, 0, SS_DISABLE);
	return NULL;
}

static void overflow_checks(void)
{
	struct thread_result r = { -1, 0, 0, 0 };
	pthread_attr_t attr;
	pthread_t th;

	on_signal(SIGSEGV, overflow_handler, SA_ONSTACK, sigset_of(0));

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	pthread_attr_setguardsize(&attr, 64 * 1024);
	if (pthread_create(&th, &attr, overflow_thread, &r) != 0) {
		fail("thread_create", "pthread_create failed");
		return;
	}
	pthread_join(th, NULL);
	check(r.initial_flags == SS_DISABLE, "new_thread_has_none",
	      "flags %#x in a new thread, expected SS_DISABLE", r.initial_flags);
	check(r.hit && r.signo == SIGSEGV && r.on_alt, "thread_overflow_handled_on_alt",
	      "handled %d, signal %d, on the alternate stack %d", r.hit, r.signo, r.on_alt);

	/* The main thread: up to RLIMIT_STACK, 8 MiB under the harness. */
	struct rlimit rl;
	getrlimit(RLIMIT_STACK, &rl);
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 64 * 1024 * 1024) {
		printf("(main thread overflow skipped: stack limit %llu)\n",
		       (unsigned long long)rl.rlim_cur);
	} else {
		overflow_here(alt);
		check(ov.hit && ov.signo == SIGSEGV && ov.on_alt, "main_overflow_handled_on_alt",
		      "handled %d, signal %d, on the alternate stack %d", ov.hit, ov.signo,
		      ov.on_alt);
	}
	set_disposition(SIGSEGV, SIG_DFL);
}

int main(void)
{
	check_init("signals_altstack");
	alt = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (alt == MAP_FAILED) {
		fail("mmap", "mmap failed with %s", errno_name(errno));
		return check_done();
	}
	setget_checks();
	handler_checks();
	overflow_checks();
	return check_done();
}
