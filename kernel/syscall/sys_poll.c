/* poll, ppoll, select and pselect6: argument checks, timeouts and result sets in Linux's order
 * (fs/select.c); the waiting itself is fs/poll.c's poll_set. */
#include "syscall/syscall.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "syscall/user_sigmask.h"
#include "core/time.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include <asm-generic/poll.h>
#include <linux/resource.h>
#include <linux/time_types.h>

#define NSEC_PER_USEC 1000
#define USEC_PER_SEC 1000000

/* A call's timeout: none (wait for ever), zero (just look), or an absolute deadline, which
 * also gives the time left to write back. */
struct poll_timeout {
	bool forever, nowait;
	u64 deadline;
};

/* poll_select_set_timeout: EINVAL for a negative or denormal time. */
static int timeout_set(struct poll_timeout *t, s64 sec, s64 nsec)
{
	if (sec < 0 || nsec < 0 || nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	t->forever = false;
	t->nowait = sec == 0 && nsec == 0;
	u64 ns = (u64)sec > UINT64_MAX / NSEC_PER_SEC ? UINT64_MAX : (u64)sec * NSEC_PER_SEC + (u64)nsec;
	t->deadline = t->nowait ? 0 : poll_deadline_after(ns);
	return 0;
}

static u64 timeout_remaining_ns(const struct poll_timeout *t)
{
	u64 now = time_monotonic_ns();
	return t->deadline > now ? t->deadline - now : 0;
}

/* poll_select_finish: the time left is written back to a timeval or timespec the caller gave
 * (not for a zero timeout). A write that faults keeps the result, except that an interrupted
 * call then cannot restart with the time left and returns EINTR. */
static long timeout_finish(const struct poll_timeout *t, uptr_t user, bool timeval, long ret)
{
	if (!user || t->forever || t->nowait)
		return ret;
	u64 left = timeout_remaining_ns(t);
	int err;
	if (timeval) {
		struct __kernel_old_timeval tv = { (long)(left / NSEC_PER_SEC),
						   (long)(left % NSEC_PER_SEC / NSEC_PER_USEC) };
		err = copy_to_user(user, &tv, sizeof(tv));
	} else {
		struct __kernel_timespec ts = { (s64)(left / NSEC_PER_SEC), (s64)(left % NSEC_PER_SEC) };
		err = copy_to_user(user, &ts, sizeof(ts));
	}
	if (err && ret == -ERESTARTNOHAND)
		ret = -EINTR;
	return ret;
}

static int timeout_from_timespec(struct poll_timeout *t, uptr_t uts)
{
	t->forever = true;
	t->nowait = false;
	t->deadline = 0;
	if (!uts)
		return 0;
	struct __kernel_timespec ts;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	return timeout_set(t, ts.tv_sec, ts.tv_nsec);
}

static void sigmask_end(bool set, long ret)
{
	if (set)
		signal_mask_end(ret == -ERESTARTNOHAND);
}

/* Sleeps until the next scan; false when a signal interrupted the wait. */
static bool poll_wait_round(struct poll_set *ps, const struct poll_timeout *t, bool *timed_out)
{
	int reason = poll_set_sleep(ps, t->forever ? 0 : t->deadline);
	if (reason == WAKE_TIMEOUT)
		*timed_out = true;
	return reason != WAKE_INTERRUPT;
}

/* ---- poll ------------------------------------------------------------------------------------ */

#define POLL_STACK_FDS 32

static u16 poll_one(struct pollfd *p, struct poll_set *ps)
{
	if (p->fd < 0)
		return 0;
	struct file *f = fd_get(p->fd);
	if (!f)
		return POLLNVAL;
	u32 filter = (u16)p->events | EPOLLERR | EPOLLHUP;
	return (u16)(poll_set_file(ps, f, filter) & filter);
}

/* The scan-and-sleep loop of do_poll: registers only on the first scan, and only until some
 * descriptor is ready (the call will not sleep then). */
static long poll_fds(struct pollfd *fds, unsigned nfds, const struct poll_timeout *t)
{
	struct poll_set ps;
	poll_set_init(&ps);
	bool registering = !t->nowait, timed_out = t->nowait;
	long count;
	for (;;) {
		count = 0;
		for (unsigned k = 0; k < nfds; k++) {
			fds[k].revents = (short)poll_one(&fds[k], registering ? &ps : NULL);
			if (fds[k].revents) {
				count++;
				registering = false;
			}
		}
		registering = false;
		if (!count) {
			count = ps.error;
			if (signal_pending())
				count = -ERESTARTNOHAND;
		}
		if (count || timed_out)
			break;
		if (!poll_wait_round(&ps, t, &timed_out)) {
			count = -ERESTARTNOHAND;
			break;
		}
	}
	poll_set_free(&ps);
	return count;
}

static long do_sys_poll(uptr_t ufds, unsigned nfds, const struct poll_timeout *t)
{
	if (nfds > proc.rlimits[RLIMIT_NOFILE][0])
		return -EINVAL;
	struct pollfd stack_fds[POLL_STACK_FDS], *fds = stack_fds;
	size_t bytes = (size_t)nfds * sizeof(struct pollfd);
	if (nfds > POLL_STACK_FDS && !(fds = kmalloc(bytes)))
		return -ENOMEM;
	long ret = -EFAULT;
	if (copy_from_user(fds, ufds, bytes))
		goto out;
	ret = poll_fds(fds, nfds, t);
	/* Every revents goes back, even when the call failed or was interrupted. */
	for (unsigned k = 0; k < nfds; k++) {
		uptr_t at = ufds + k * sizeof(struct pollfd) + __builtin_offsetof(struct pollfd, revents);
		if (copy_to_user(at, &fds[k].revents, sizeof(fds[k].revents))) {
			ret = -EFAULT;
			break;
		}
	}
out:
	if (fds != stack_fds)
		kfree(fds);
	return ret;
}

long sys_poll(uptr_t ufds, unsigned nfds, int timeout_ms)
{
	struct poll_timeout t = { .forever = true };
	if (timeout_ms >= 0)
		timeout_set(&t, timeout_ms / 1000, (s64)(timeout_ms % 1000) * 1000000);
	long ret = do_sys_poll(ufds, nfds, &t);
	/* Linux restarts an interrupted poll with the time left (restart_syscall); monos restarts
	 * it only when no handler ran, with the time it was given. */
	return ret == -ERESTARTNOHAND && !t.forever ? -ERESTART_RESTARTBLOCK : ret;
}

long sys_ppoll(uptr_t ufds, unsigned nfds, uptr_t uts, uptr_t umask, u64 sigsetsize)
{
	struct poll_timeout t;
	bool masked;
	int err = timeout_from_timespec(&t, uts);
	if (err)
		return err;
	if ((err = user_sigmask_begin(umask, sigsetsize, &masked)))
		return err;
	long ret = do_sys_poll(ufds, nfds, &t);
	sigmask_end(masked, ret);
	return timeout_finish(&t, uts, false, ret);
}

/* ---- select ---------------------------------------------------------------------------------- */

#define POLLIN_SET (EPOLLRDNORM | EPOLLRDBAND | EPOLLIN | EPOLLHUP | EPOLLERR)
#define POLLOUT_SET (EPOLLWRBAND | EPOLLWRNORM | EPOLLOUT | EPOLLERR)
#define POLLEX_SET (EPOLLPRI)
#define BITS_PER_WORD 64
#define SELECT_STACK_WORDS (1024 / BITS_PER_WORD)

/* The three sets the caller gave and the three it gets back, n bits each. */
struct fd_sets {
	u64 *in, *out, *ex, *res_in, *res_out, *res_ex;
};

static bool bit(const u64 *set, unsigned fd) { return set[fd / BITS_PER_WORD] >> (fd % BITS_PER_WORD) & 1; }
static void set_bit(u64 *set, unsigned fd) { set[fd / BITS_PER_WORD] |= 1UL << (fd % BITS_PER_WORD); }

static int get_fd_set(uptr_t user, u64 *set, size_t words)
{
	if (!user) {
		memset(set, 0, words * sizeof(u64));
		return 0;
	}
	return copy_from_user(set, user, words * sizeof(u64)) ? -EFAULT : 0;
}

/* max_select_fd: EBADF when a set names a descriptor that is not open; else one past the
 * highest one named. */
static int select_max_fd(const struct fd_sets *s, unsigned n)
{
	int max = 0;
	for (unsigned fd = 0; fd < n; fd++) {
		if (!bit(s->in, fd) && !bit(s->out, fd) && !bit(s->ex, fd))
			continue;
		if (!fd_get((int)fd))
			return -EBADF;
		max = (int)fd + 1;
	}
	return max;
}

static long select_fds(struct fd_sets *s, int max, size_t words, const struct poll_timeout *t)
{
	struct poll_set ps;
	poll_set_init(&ps);
	bool registering = !t->nowait, timed_out = t->nowait;
	long count;
	for (;;) {
		count = 0;
		memset(s->res_in, 0, 3 * words * sizeof(u64));
		for (unsigned fd = 0; fd < (unsigned)max; fd++) {
			bool in = bit(s->in, fd), out = bit(s->out, fd), ex = bit(s->ex, fd);
			struct file *f = (in || out || ex) ? fd_get((int)fd) : NULL;
			if (!f)
				continue; /* closed by another thread meanwhile: skipped, as Linux does */
			u32 interest = POLLEX_SET | (in ? POLLIN_SET : 0) | (out ? POLLOUT_SET : 0);
			u32 mask = poll_set_file(registering ? &ps : NULL, f, interest);
			if (in && (mask & POLLIN_SET)) {
				set_bit(s->res_in, fd);
				count++;
			}
			if (out && (mask & POLLOUT_SET)) {
				set_bit(s->res_out, fd);
				count++;
			}
			if (ex && (mask & POLLEX_SET)) {
				set_bit(s->res_ex, fd);
				count++;
			}
			if (count)
				registering = false;
		}
		registering = false;
		if (!count && ps.error)
			count = ps.error;
		if (count || timed_out || signal_pending())
			break;
		if (!poll_wait_round(&ps, t, &timed_out)) {
			count = -ERESTARTNOHAND;
			break;
		}
	}
	poll_set_free(&ps);
	return count;
}

static int put_fd_set(uptr_t user, const u64 *set, size_t words)
{
	return user && copy_to_user(user, set, words * sizeof(u64)) ? -EFAULT : 0;
}

/* core_sys_select. */
static long do_select(int n, uptr_t inp, uptr_t outp, uptr_t exp, const struct poll_timeout *t)
{
	if (n < 0)
		return -EINVAL;
	if (n > FD_MAX)
		n = FD_MAX; /* Linux clamps to the size of its descriptor table */
	size_t words = ((size_t)n + BITS_PER_WORD - 1) / BITS_PER_WORD;
	u64 stack_bits[6 * SELECT_STACK_WORDS], *bits = stack_bits;
	if (words > SELECT_STACK_WORDS && !(bits = kmalloc(6 * words * sizeof(u64))))
		return -ENOMEM;
	struct fd_sets s = { bits, bits + words, bits + 2 * words,
			     bits + 3 * words, bits + 4 * words, bits + 5 * words };
	long ret;
	if ((ret = get_fd_set(inp, s.in, words)) || (ret = get_fd_set(outp, s.out, words)) ||
	    (ret = get_fd_set(exp, s.ex, words)))
		goto out;
	/* Bits past n in the last word are not the caller's to ask about. */
	if (n % BITS_PER_WORD) {
		u64 keep = (1UL << (n % BITS_PER_WORD)) - 1;
		s.in[words - 1] &= keep;
		s.out[words - 1] &= keep;
		s.ex[words - 1] &= keep;
	}
	int max = select_max_fd(&s, (unsigned)n);
	if (max < 0) {
		ret = max;
		goto out;
	}
	ret = select_fds(&s, max, words, t);
	if (ret < 0)
		goto out;
	if (!ret && signal_pending()) {
		ret = -ERESTARTNOHAND;
		goto out;
	}
	if (put_fd_set(inp, s.res_in, words) || put_fd_set(outp, s.res_out, words) ||
	    put_fd_set(exp, s.res_ex, words))
		ret = -EFAULT;
out:
	if (bits != stack_bits)
		kfree(bits);
	return ret;
}

long sys_select(int n, uptr_t inp, uptr_t outp, uptr_t exp, uptr_t utv)
{
	struct poll_timeout t = { .forever = true };
	if (utv) {
		struct __kernel_old_timeval tv;
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		/* Microseconds past a second carry into the seconds, as Linux's select allows. */
		if (timeout_set(&t, tv.tv_sec + tv.tv_usec / USEC_PER_SEC,
				(tv.tv_usec % USEC_PER_SEC) * NSEC_PER_USEC))
			return -EINVAL;
	}
	long ret = do_select(n, inp, outp, exp, &t);
	return timeout_finish(&t, utv, true, ret);
}

/* pselect6's sixth argument: where the mask is and its size. */
struct sigset_argpack {
	uptr_t p;
	u64 size;
};

long sys_pselect6(int n, uptr_t inp, uptr_t outp, uptr_t exp, uptr_t uts, uptr_t usig)
{
	struct sigset_argpack pack = { 0, 0 };
	if (usig && copy_from_user(&pack, usig, sizeof(pack)))
		return -EFAULT;
	struct poll_timeout t;
	bool masked;
	int err = timeout_from_timespec(&t, uts);
	if (err)
		return err;
	if ((err = user_sigmask_begin(pack.p, pack.size, &masked)))
		return err;
	long ret = do_select(n, inp, outp, exp, &t);
	sigmask_end(masked, ret);
	return timeout_finish(&t, uts, false, ret);
}
