/* Kernel log, error reports and panic. Reports go to the user's stderr (the control channel when
 * there is one, else the console); verbose logging goes to the console. */
#include "core/log.h"
#include "core/ksyms.h"
#include "arch/x86_64/regs.h"
#include "arch/x86_64/cpu.h"
#include "drivers/console.h"
#include "drivers/power.h"
#include "lib/format.h"

bool log_verbose;

void kprintf(const char *fmt, ...)
{
	if (!log_verbose)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write_log(buf, MIN((size_t)n, sizeof(buf) - 1));
}

void kerr(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write_err(buf, MIN((size_t)n, sizeof(buf) - 1));
}

void dump_regs(const struct regs *r)
{
	kerr("  rip %016lx  rsp %016lx  rflags %08lx  cs %lx  ss %lx\n", r->rip, r->rsp, r->rflags,
	     r->cs, r->ss);
	kerr("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", r->rax, r->rbx, r->rcx, r->rdx);
	kerr("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", r->rsi, r->rdi, r->rbp, r->r8);
	kerr("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n", r->r9, r->r10, r->r11, r->r12);
	kerr("  r13 %016lx  r14 %016lx  r15 %016lx  err %lx\n", r->r13, r->r14, r->r15, r->error);
}

static void print_symbol(u64 addr)
{
	u64 off;
	const char *name = ksym_lookup(addr, &off);
	if (name)
		kerr("    %016lx %s+0x%lx\n", addr, name, off);
	else
		kerr("    %016lx ?\n", addr);
}

void backtrace(u64 rbp)
{
	kerr("  backtrace:\n");
	for (int depth = 0; depth < 32 && rbp >= KERNEL_VMA && !(rbp & 7); depth++) {
		u64 *frame = (u64 *)rbp;
		u64 ret = frame[1];
		if (ret < KERNEL_VMA)
			break;
		print_symbol(ret);
		rbp = frame[0];
	}
}

static void __noreturn panic_stop(void)
{
	power_off_panic();
}

void panic(const char *fmt, ...)
{
	__asm__ volatile("cli");
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kerr("monos: kernel panic: %s\n", buf);
	backtrace((u64)__builtin_frame_address(0));
	panic_stop();
}

void kernel_fault(struct regs *r, u64 addr)
{
	kerr("monos: kernel panic: %s (vector %lu) in kernel mode", trap_vector_name(r->vector),
	     r->vector);
	if (r->vector == 14)
		kerr(" at address %016lx", addr);
	kerr("\n");
	print_symbol(r->rip);
	dump_regs(r);
	backtrace(r->rbp);
	panic_stop();
}
