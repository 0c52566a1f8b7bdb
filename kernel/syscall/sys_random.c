/* getrandom: the kernel generator is seeded at boot, so it never blocks and every flag
 * combination Linux accepts is served from the same pool. */
#include "syscall/syscall.h"
#include "core/random.h"
#include <linux/random.h>

#define GETRANDOM_MAX 33554431 /* Linux returns at most this much per call */

long sys_getrandom(uptr_t buf, u64 len, unsigned flags)
{
	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	len = MIN(len, (u64)GETRANDOM_MAX);
	u8 tmp[256];
	u64 done = 0;
	while (done < len) {
		size_t n = MIN(len - done, sizeof(tmp));
		random_bytes(tmp, n);
		if (copy_to_user(buf + done, tmp, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}
