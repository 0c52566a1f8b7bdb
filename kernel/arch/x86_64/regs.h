/* The register frame the entry code saves on the kernel stack, for traps and syscalls alike:
 * general registers, then vector and error code, then what the CPU pushes for iretq. */
#pragma once
#include "types.h"

struct regs {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

/* A syscall's frame has this "vector"; its error slot holds the syscall number (for restarts)
 * until a signal frame or rt_sigreturn makes it NOT_A_SYSCALL. */
#define SYSCALL_FRAME_VECTOR 0x80
#define NOT_A_SYSCALL (~0UL)

static inline bool regs_from_user(const struct regs *r) { return (r->cs & 3) == 3; }
