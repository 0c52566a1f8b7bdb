/* Kernel logging. kprintf writes only with monos.verbose (the kernel is quiet by default);
 * kerr always reaches the user (stderr channel); panic stops the machine with a report. */
#pragma once
#include "types.h"

struct regs;

extern bool log_verbose;
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kerr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void __noreturn panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A fault in kernel mode: registers, backtrace, then power-off as a panic. */
void __noreturn kernel_fault(struct regs *r, u64 addr);
void dump_regs(const struct regs *r);
void backtrace(u64 rbp);
const char *trap_vector_name(u64 vec);

#define BUG_ON(c) do { if (unlikely(c)) panic("BUG at %s:%d: %s", __FILE__, __LINE__, #c); } while (0)
