/* The syscall table: generated (gen-table.awk) from Linux's syscall numbers and syscalls.tbl. */
#pragma once
#include "types.h"

#define NR_SYSCALLS 512

enum syscall_status { SYS_ENOSYS, SYS_SUPPORTED, SYS_PARTIAL };

typedef long (*syscall_fn)(u64, u64, u64, u64, u64, u64);

struct syscall_entry {
	const char *name;     /* NULL for numbers Linux does not assign */
	syscall_fn fn;        /* NULL: the call returns -ENOSYS */
	enum syscall_status status;
	const char *trace;    /* argument formats for --trace=syscalls */
};

extern const struct syscall_entry syscall_table[NR_SYSCALLS];
extern const unsigned syscall_count;
