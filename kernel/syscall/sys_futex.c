/* futex with one thread: there is never a waiter to wake, and a wait can end only by its
 * timeout. Everything the call does to memory is real: the value checks (EAGAIN), WAKE_OP's
 * update of the second word, and the PI lock word (owner TID, EDEADLK, EPERM). Wait queues and
 * wakeups across threads come with the threads issue. */
#include "syscall/syscall.h"
#include "proc/process.h"
#include "core/time.h"
#include <linux/futex.h>
#include <linux/time_types.h>

static long get_word(uptr_t uaddr, u32 *v)
{
	if (uaddr & 3)
		return -EINVAL;
	return copy_from_user(v, uaddr, sizeof(*v));
}

/* Sleeps until the timeout (absolute on the given clock, or relative); none means for ever. */
static long wait_timeout(uptr_t utime, bool absolute, bool realtime)
{
	if (!utime)
		wait_forever("a futex wake-up");
	struct __kernel_timespec ts;
	if (copy_from_user(&ts, utime, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	u64 ns = (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
	u64 deadline;
	if (absolute) {
		s64 mono = (s64)ns - (realtime ? time_realtime_offset_ns() : 0);
		deadline = mono < 0 ? 0 : (u64)mono;
	} else {
		deadline = time_monotonic_ns() + ns;
	}
	time_sleep_until(deadline);
	return -ETIMEDOUT;
}

static long wake_op(uptr_t uaddr2, u32 encoded)
{
	u32 op = (encoded >> 28) & 0xf, cmp = (encoded >> 24) & 0xf;
	u32 oparg = (encoded >> 12) & 0xfff;
	(void)cmp; /* the comparison decides whom to wake on uaddr2: there is no one */
	if (op & FUTEX_OP_OPARG_SHIFT) {
		op &= ~FUTEX_OP_OPARG_SHIFT;
		if (oparg > 31)
			return -EINVAL;
		oparg = 1u << oparg;
	}
	u32 old;
	long err = get_word(uaddr2, &old);
	if (err)
		return err;
	u32 v;
	switch (op) {
	case FUTEX_OP_SET: v = oparg; break;
	case FUTEX_OP_ADD: v = old + oparg; break;
	case FUTEX_OP_OR: v = old | oparg; break;
	case FUTEX_OP_ANDN: v = old & ~oparg; break;
	case FUTEX_OP_XOR: v = old ^ oparg; break;
	default: return -ENOSYS;
	}
	return copy_to_user(uaddr2, &v, sizeof(v));
}

long sys_futex(uptr_t uaddr, int op, u32 val, uptr_t utime, uptr_t uaddr2, u32 val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	u32 cur, tid = (u32)current_thread()->tid;
	long err;
	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET &&
	    cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (cmd == FUTEX_WAIT_BITSET && val3 == 0)
			return -EINVAL;
		if ((err = get_word(uaddr, &cur)))
			return err;
		if (cur != val)
			return -EAGAIN;
		return wait_timeout(utime, cmd == FUTEX_WAIT_BITSET, realtime);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && val3 == 0)
			return -EINVAL;
		return (uaddr & 3) ? -EINVAL : 0;
	case FUTEX_REQUEUE:
		return (uaddr & 3) || (uaddr2 & 3) ? -EINVAL : 0;
	case FUTEX_CMP_REQUEUE:
		if ((uaddr2 & 3) || (err = get_word(uaddr, &cur)))
			return (uaddr2 & 3) ? -EINVAL : err;
		return cur == val3 ? 0 : -EAGAIN;
	case FUTEX_WAKE_OP:
		if (uaddr & 3)
			return -EINVAL;
		err = wake_op(uaddr2, val3);
		return err < 0 ? err : 0;
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_TRYLOCK_PI:
		if ((err = get_word(uaddr, &cur)))
			return err;
		if ((cur & FUTEX_TID_MASK) == tid)
			return -EDEADLK;
		if ((cur & FUTEX_TID_MASK) == 0) {
			/* Free (or its owner died): take it, keeping the OWNER_DIED mark. */
			u32 v = tid | (cur & FUTEX_OWNER_DIED);
			return copy_to_user(uaddr, &v, sizeof(v));
		}
		if (cmd == FUTEX_TRYLOCK_PI)
			return -EAGAIN;
		/* Owned by a thread that cannot exist: Linux finds no such task and says ESRCH. */
		return -ESRCH;
	case FUTEX_UNLOCK_PI:
		if ((err = get_word(uaddr, &cur)))
			return err;
		if ((cur & FUTEX_TID_MASK) != tid)
			return -EPERM;
		cur = 0;
		return copy_to_user(uaddr, &cur, sizeof(cur));
	case FUTEX_WAIT_REQUEUE_PI:
	case FUTEX_CMP_REQUEUE_PI:
		return -ENOSYS; /* with the threads issue */
	default:
		return -ENOSYS;
	}
}
