/* The only way the kernel touches app memory: checked copies that turn a bad pointer into
 * -EFAULT instead of a kernel fault, and that page in demand-paged memory on the way. */
#pragma once
#include "types.h"
#include "errno.h"
#include "arch/x86_64/cpu.h"

/* The copy loops (usercopy_asm.S): they return the bytes not copied. */
u64 __copy_user(void *dst, const void *src, u64 n);
u64 __clear_user(void *dst, u64 n);

static inline bool user_range_ok(uptr_t p, size_t n)
{
	return p < USER_TOP && n <= USER_TOP - p;
}

/* With SMAP the kernel may touch user pages only between stac and clac. */
static inline void user_access_begin(void)
{
	if (cpu_features.smap)
		__asm__ volatile("stac" ::: "memory");
}
static inline void user_access_end(void)
{
	if (cpu_features.smap)
		__asm__ volatile("clac" ::: "memory");
}

/* Inline: most syscalls make one or two small copies. */
static inline int copy_from_user(void *dst, uptr_t src, size_t n)
{
	if (!user_range_ok(src, n))
		return -EFAULT;
	user_access_begin();
	u64 left = __copy_user(dst, (const void *)src, n);
	user_access_end();
	return left ? -EFAULT : 0;
}

static inline int copy_to_user(uptr_t dst, const void *src, size_t n)
{
	if (!user_range_ok(dst, n))
		return -EFAULT;
	user_access_begin();
	u64 left = __copy_user((void *)dst, src, n);
	user_access_end();
	return left ? -EFAULT : 0;
}

int clear_user(uptr_t dst, size_t n);
/* Copies a NUL-terminated string of at most max-1 bytes; returns its length, -EFAULT, or
 * -ENAMETOOLONG when no NUL comes within max bytes. */
long strncpy_from_user(char *dst, uptr_t src, size_t max);
/* Atomically replaces the aligned user word at p with new_value if it holds old; *seen gets
 * the value found either way. 0, or -EFAULT. */
int cmpxchg_user_u32(uptr_t p, u32 old, u32 new_value, u32 *seen);
