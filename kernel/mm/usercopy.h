/* The only way the kernel touches app memory: checked copies that turn a bad pointer into
 * -EFAULT instead of a kernel fault, and that page in demand-paged memory on the way. */
#pragma once
#include "types.h"

bool user_range_ok(uptr_t p, size_t n);
int copy_from_user(void *dst, uptr_t src, size_t n);
int copy_to_user(uptr_t dst, const void *src, size_t n);
int clear_user(uptr_t dst, size_t n);
/* Copies a NUL-terminated string of at most max-1 bytes; returns its length, -EFAULT, or
 * -ENAMETOOLONG when no NUL comes within max bytes. */
long strncpy_from_user(char *dst, uptr_t src, size_t max);
/* Atomically replaces the aligned user word at p with new_value if it holds old; *seen gets
 * the value found either way. 0, or -EFAULT. */
int cmpxchg_user_u32(uptr_t p, u32 old, u32 new_value, u32 *seen);
