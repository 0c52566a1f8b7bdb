/* Checked user copies. The copy loops live in usercopy_asm.S with exception-table entries: a page
 * fault the address-space code cannot resolve resumes at a fixup that reports the bytes left. */
#include "mm/usercopy.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include "errno.h"

u64 __cmpxchg_user32(u32 *p, u32 old, u32 new_value, u32 *seen);

int clear_user(uptr_t dst, size_t n)
{
	if (!user_range_ok(dst, n))
		return -EFAULT;
	user_access_begin();
	u64 left = __clear_user((void *)dst, n);
	user_access_end();
	return left ? -EFAULT : 0;
}

long strncpy_from_user(char *dst, uptr_t src, size_t max)
{
	size_t done = 0;
	while (done < max) {
		/* Copy up to the next page boundary: a page is wholly readable or not at all. */
		size_t chunk = MIN(max - done, PAGE_SIZE - ((src + done) & (PAGE_SIZE - 1)));
		if (copy_from_user(dst + done, src + done, chunk))
			return -EFAULT;
		size_t len = strnlen(dst + done, chunk);
		if (len < chunk)
			return (long)(done + len);
		done += chunk;
	}
	return -ENAMETOOLONG;
}

int cmpxchg_user_u32(uptr_t p, u32 old, u32 new_value, u32 *seen)
{
	if ((p & 3) || !user_range_ok(p, 4))
		return -EFAULT;
	user_access_begin();
	u64 fault = __cmpxchg_user32((u32 *)p, old, new_value, seen);
	user_access_end();
	return fault ? -EFAULT : 0;
}
