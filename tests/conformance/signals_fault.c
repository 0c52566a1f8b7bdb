/*
 * signals_fault.c: CPU faults as signals a handler catches, with the siginfo
 * and the ucontext Linux fills for them.
 *
 * - SIGSEGV: a read of an unmapped page (SEGV_MAPERR), a write to a
 *   read-only page (SEGV_ACCERR), a jump into a page without PROT_EXEC
 *   (SEGV_ACCERR at the jump's target), a read of a kernel address
 *   (SEGV_MAPERR; Linux reports it as a protection fault in the error code
 *   so the kernel's page tables stay private), a non-canonical address
 *   (#GP: SI_KERNEL, si_addr 0). si_addr is the byte accessed; the
 *   ucontext has REG_TRAPNO 14, REG_CR2 = that byte, REG_ERR the page fault
 *   error code with the user bit (4), write (2), present (1) and
 *   instruction fetch (16) bits as the access was, REG_RIP the faulting
 *   instruction.
 * - Recovery with sigsetjmp/siglongjmp: the mask saved by sigsetjmp(env, 1)
 *   comes back, so SIGSEGV is no longer blocked after the jump.
 * - A handler that mprotects the page and returns: the write is retried
 *   and lands, and the handler ran once.
 * - SIGFPE from idiv by zero (FPE_INTDIV, trap 0), SIGILL from ud2
 *   (ILL_ILLOPN, trap 6), both with si_addr = REG_RIP = the instruction;
 *   SIGTRAP from int3 (SI_KERNEL, trap 3, REG_RIP just after the int3, so
 *   returning from the handler continues).
 * - SIGBUS (BUS_ADRERR, exact si_addr) reading a page of a file mapping
 *   wholly past the end of the file; the tail of the last page reads zeros.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"
#include "scratch.h"
#include "signal_util.h"

#define PAGE 4096L

/* Page fault error code bits (Linux's X86_PF_*). */
#define PF_PROT 1
#define PF_WRITE 2
#define PF_USER 4
#define PF_INSTR 16

/* x86 exception vectors. */
#define TRAP_DE 0
#define TRAP_BP 3
#define TRAP_UD 6
#define TRAP_GP 13
#define TRAP_PF 14

/* Instructions at known addresses: each fault's expected si_addr / RIP. */
#define HIDDEN __attribute__((visibility("hidden")))
extern char fault_div_insn[] HIDDEN, fault_ud2_insn[] HIDDEN, fault_int3_insn[] HIDDEN,
	fault_int3_after[] HIDDEN;
long fault_div(long a, long b) HIDDEN;
void fault_ud2(void) HIDDEN;
void fault_int3(void) HIDDEN;
__asm__(".text\n"
	".type fault_div, @function\n"
	"fault_div:\n"
	"	mov %rdi, %rax\n"
	"	cqo\n"
	"fault_div_insn:\n"
	"	idiv %rsi\n"
	"	ret\n"
	".type fault_ud2, @function\n"
	"fault_ud2:\n"
	"fault_ud2_insn:\n"
	"	ud2\n"
	"	ret\n"
	".type fault_int3, @function\n"
	"fault_int3:\n"
	"fault_int3_insn:\n"
	"	int3\n"
	"fault_int3_after:\n"
	"	ret\n");

/* What the last fault's handler saw. */
static struct {
	volatile int count;
	int signo, code, err, trapno;
	void *addr;
	uintptr_t rip, cr2;
	int segv_blocked;
} seen;

static sigjmp_buf recover;
static volatile int jump_back; /* the handler siglongjmps (else it returns) */

/* Pages the fixing handler makes writable. */
static char *volatile fix_page;

static void record(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	seen.count++;
	seen.signo = si->si_signo;
	seen.code = si->si_code;
	seen.addr = si->si_addr;
	seen.rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	seen.err = (int)uc->uc_mcontext.gregs[REG_ERR];
	seen.trapno = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
	seen.cr2 = (uintptr_t)uc->uc_mcontext.gregs[REG_CR2];
	seen.segv_blocked = is_blocked(SIGSEGV);
}

static void fault_handler(int sig, siginfo_t *si, void *ucv)
{
	record(sig, si, ucv);
	if (jump_back)
		siglongjmp(recover, 1);
	/* Returning: only the mprotect case, which makes the retry succeed. */
	if (fix_page)
		syscall(SYS_mprotect, fix_page, PAGE, PROT_READ | PROT_WRITE);
}

static void trap_handler(int sig, siginfo_t *si, void *ucv)
{
	record(sig, si, ucv);
}

/* Prepares for a fault that the handler jumps back from. */
#define EXPECT_FAULT() (memset(&seen, 0, sizeof(seen)), jump_back = 1, sigsetjmp(recover, 1) == 0)

/* The handler wrote seen behind the compiler's back: reload it. */
#define HANDLER_RAN() __asm__ volatile("" ::: "memory")

static void report(const char *name, int signo, int code, void *addr)
{
	HANDLER_RAN();
	check(seen.count == 1 && seen.signo == signo && seen.code == code && seen.addr == addr, name,
	      "%d faults, signo %d code %d addr %p; expected 1, %d %d %p", seen.count, seen.signo,
	      seen.code, seen.addr, signo, code, addr);
}

/* cr2 == NO_CR2: not checked (Linux leaves the last page fault's there). */
#define NO_CR2 ((uintptr_t)-1)

static void report_regs(const char *name, uintptr_t rip, int trapno, int err, uintptr_t cr2)
{
	HANDLER_RAN();
	if (cr2 == NO_CR2)
		cr2 = seen.cr2;
	check(seen.rip == rip && seen.trapno == trapno && seen.err == err && seen.cr2 == cr2, name,
	      "RIP %#lx TRAPNO %d ERR %#x CR2 %#lx; expected %#lx %d %#x %#lx",
	      (unsigned long)seen.rip, seen.trapno, seen.err, (unsigned long)seen.cr2,
	      (unsigned long)rip, trapno, err, (unsigned long)cr2);
}

/* Where a C load or store sits is the compiler's choice: for those only the
 * page fault facts are checked, not REG_RIP. */
static void segv_checks(void)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fail("segv_mmap", "mmap failed with %s", errno_name(errno));
		return;
	}

	/* Unmapped: the second page goes. */
	munmap(p + PAGE, PAGE);
	char *hole = p + PAGE + 0x123;
	if (EXPECT_FAULT())
		(void)*(volatile char *)hole;
	report("segv_unmapped_read", SIGSEGV, SEGV_MAPERR, hole);
	report_regs("segv_unmapped_read_regs", seen.rip, TRAP_PF, PF_USER, (uintptr_t)hole);
	check(!is_blocked(SIGSEGV), "siglongjmp_restores_mask", "SIGSEGV still blocked");
	check(seen.segv_blocked, "segv_blocked_in_handler", "SIGSEGV not blocked in its handler");

	if (EXPECT_FAULT())
		*(volatile char *)hole = 1;
	report("segv_unmapped_write", SIGSEGV, SEGV_MAPERR, hole);
	report_regs("segv_unmapped_write_regs", seen.rip, TRAP_PF, PF_USER | PF_WRITE,
		    (uintptr_t)hole);

	/* Read-only and present (read once): a write is a protection fault. */
	p[10] = 5;
	mprotect(p, PAGE, PROT_READ);
	(void)*(volatile char *)p;
	char *ro = p + 0x456;
	if (EXPECT_FAULT())
		*(volatile char *)ro = 1;
	report("segv_readonly_write", SIGSEGV, SEGV_ACCERR, ro);
	report_regs("segv_readonly_write_regs", seen.rip, TRAP_PF, PF_USER | PF_WRITE | PF_PROT,
		    (uintptr_t)ro);
	check(p[10] == 5 && p[0x456] == 0, "segv_readonly_unchanged", "the page changed");

	/* A page without PROT_EXEC: the fault is at the jump's target. */
	void (*fn)(void) = (void (*)(void))(void *)p;
	if (EXPECT_FAULT())
		fn();
	report("segv_noexec_jump", SIGSEGV, SEGV_ACCERR, p);
	report_regs("segv_noexec_jump_regs", (uintptr_t)p, TRAP_PF,
		    PF_USER | PF_INSTR | PF_PROT, (uintptr_t)p);

	/* A handler that fixes the page and returns: the write is retried. */
	fix_page = p;
	memset(&seen, 0, sizeof(seen));
	jump_back = 0;
	*(volatile char *)(p + 20) = 42;
	fix_page = NULL;
	HANDLER_RAN();
	check(seen.count == 1 && seen.code == SEGV_ACCERR && p[20] == 42,
	      "handler_fixes_and_returns", "%d faults, code %d, byte %d; expected 1, %d, 42",
	      seen.count, seen.code, p[20], SEGV_ACCERR);
	munmap(p, PAGE);

	/* A kernel address: MAPERR, with the protection bit in the error code. */
	char *kaddr = (char *)0xffffffff81000000UL;
	if (EXPECT_FAULT())
		(void)*(volatile char *)kaddr;
	report("segv_kernel_address", SIGSEGV, SEGV_MAPERR, kaddr);
	report_regs("segv_kernel_address_regs", seen.rip, TRAP_PF, PF_USER | PF_PROT,
		    (uintptr_t)kaddr);

	/* Non-canonical: a general protection fault, no address. */
	if (EXPECT_FAULT())
		(void)*(volatile char *)0x8000000000000000UL;
	report("segv_noncanonical", SIGSEGV, SI_KERNEL, NULL);
	check(seen.trapno == TRAP_GP && seen.err == 0, "segv_noncanonical_regs",
	      "TRAPNO %d ERR %#x; expected %d 0", seen.trapno, seen.err, TRAP_GP);
}

static void trap_checks(void)
{
	if (EXPECT_FAULT())
		fault_div(1, 0);
	report("fpe_intdiv", SIGFPE, FPE_INTDIV, fault_div_insn);
	report_regs("fpe_intdiv_regs", (uintptr_t)fault_div_insn, TRAP_DE, 0, NO_CR2);

	if (EXPECT_FAULT())
		fault_ud2();
	report("ill_ud2", SIGILL, ILL_ILLOPN, fault_ud2_insn);
	report_regs("ill_ud2_regs", (uintptr_t)fault_ud2_insn, TRAP_UD, 0, NO_CR2);

	/* int3 is a trap: the handler returns to the instruction after it. */
	memset(&seen, 0, sizeof(seen));
	jump_back = 0;
	fault_int3();
	HANDLER_RAN();
	check(seen.count == 1 && seen.signo == SIGTRAP && seen.code == SI_KERNEL, "trap_int3",
	      "%d traps, signo %d code %d; expected 1, %d %d", seen.count, seen.signo, seen.code,
	      SIGTRAP, SI_KERNEL);
	report_regs("trap_int3_regs", (uintptr_t)fault_int3_after, TRAP_BP, 0, NO_CR2);
}

static void bus_checks(void)
{
	scratch_make("signals_fault");
	int fd = open(sp("short"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	char text[100];

	memset(text, 'x', sizeof(text));
	if (fd < 0 || write(fd, text, sizeof(text)) != (ssize_t)sizeof(text)) {
		fail("bus_file", "cannot make the file: %s", errno_name(errno));
		return;
	}
	char *m = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		fail("bus_mmap", "mmap failed with %s", errno_name(errno));
		return;
	}
	check(m[99] == 'x' && m[100] == 0 && m[PAGE - 1] == 0, "bus_tail_zero",
	      "bytes 99, 100, 4095: %d %d %d; expected 'x' 0 0", m[99], m[100], m[PAGE - 1]);
	char *past = m + PAGE + 0x10;
	if (EXPECT_FAULT())
		(void)*(volatile char *)past;
	report("bus_past_eof", SIGBUS, BUS_ADRERR, past);
	munmap(m, 2 * PAGE);
	scratch_remove();
}

int main(void)
{
	check_init("signals_fault");
	on_signal(SIGSEGV, fault_handler, 0, sigset_of(0));
	on_signal(SIGBUS, fault_handler, 0, sigset_of(0));
	on_signal(SIGFPE, fault_handler, 0, sigset_of(0));
	on_signal(SIGILL, fault_handler, 0, sigset_of(0));
	on_signal(SIGTRAP, trap_handler, 0, sigset_of(0));
	segv_checks();
	trap_checks();
	bus_checks();
	return check_done();
}
