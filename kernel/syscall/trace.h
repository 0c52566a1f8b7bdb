/* --trace=syscalls: one strace-format line per syscall on stderr. */
#pragma once
#include "types.h"

struct syscall_entry;

struct errno_name {
	const char *name, *text;
};
extern const struct errno_name errno_names[];
extern const unsigned errno_names_count;

void trace_syscall(unsigned nr, const struct syscall_entry *e, const u64 args[6], long ret,
		   bool before);
