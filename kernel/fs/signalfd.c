/* signalfd (signalfd.h), after Linux's fs/signalfd.c. A read dequeues, for the thread that
 * reads, the signals of the file's mask pending for that thread or for the process, lowest
 * first, exactly as sigtimedwait would (signal_dequeue), and fills one struct signalfd_siginfo
 * per signal from its siginfo by Linux's siginfo_layout. Readiness is the same question asked
 * without taking anything; every queued signal wakes signal_queued_wq. State is guarded by the
 * big kernel lock. */
#include "fs/signalfd.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/anon_inode.h"
#include "proc/signal.h"
#include "proc/process.h"
#include "sched/sched.h"
#include "sched/wait.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "errno.h"
#include <asm/stat.h>
#include <linux/fcntl.h>
#include <linux/signalfd.h>

struct signalfd {
	u64 mask;
};

/* Linux's signalfd_copyinfo over siginfo_layout: which union member the siginfo uses. */
static void fill(struct signalfd_siginfo *out, const siginfo_t *in)
{
	memset(out, 0, sizeof(*out));
	int sig = in->si_signo, code = in->si_code;
	out->ssi_signo = (u32)sig;
	out->ssi_errno = in->si_errno;
	out->ssi_code = code;
	if (code > SI_USER && code < SI_KERNEL) {
		/* Codes the kernel gives faults and children (SEGV_MAPERR, CLD_EXITED...). */
		switch (sig) {
		case SIGILL: case SIGFPE: case SIGSEGV: case SIGBUS: case SIGTRAP:
			out->ssi_addr = (u64)in->si_addr;
			return;
		case SIGCHLD:
			out->ssi_pid = (u32)in->si_pid;
			out->ssi_uid = in->si_uid;
			out->ssi_status = in->si_status;
			out->ssi_utime = (u64)in->si_utime;
			out->ssi_stime = (u64)in->si_stime;
			return;
		case SIGSYS:
			out->ssi_call_addr = (u64)in->si_call_addr;
			out->ssi_syscall = in->si_syscall;
			out->ssi_arch = in->si_arch;
			return;
		default: /* SIGPOLL's codes and any other positive code */
			out->ssi_band = (u32)in->si_band;
			out->ssi_fd = in->si_fd;
			return;
		}
	}
	if (code == SI_TIMER) {
		out->ssi_tid = (u32)in->si_tid;
		out->ssi_overrun = (u32)in->si_overrun;
		out->ssi_ptr = (u64)in->si_ptr;
		out->ssi_int = in->si_int;
	} else if (code == SI_SIGIO) {
		out->ssi_band = (u32)in->si_band;
		out->ssi_fd = in->si_fd;
	} else {
		/* kill, tkill, sigqueue, the kernel: the sender, and sigqueue's value. */
		out->ssi_pid = (u32)in->si_pid;
		out->ssi_uid = in->si_uid;
		if (code < 0) {
			out->ssi_ptr = (u64)in->si_ptr;
			out->ssi_int = in->si_int;
		}
	}
}

static bool any_pending(u64 mask)
{
	return ((current_thread()->sigpending | proc.shared_pending) & mask) != 0;
}

static ssize_t signalfd_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	struct signalfd *sfd = f->priv;
	size_t want = n / sizeof(struct signalfd_siginfo);
	if (!want)
		return -EINVAL;
	struct signalfd_siginfo *out = buf;
	size_t got = 0;
	while (got < want) {
		siginfo_t info;
		if (signal_dequeue(sfd->mask, &info)) {
			fill(&out[got++], &info);
			continue;
		}
		/* Only the first signal is waited for. */
		if (got)
			break;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_on(&signal_queued_wq, 0) == WAKE_INTERRUPT && !any_pending(sfd->mask))
			return -ERESTARTSYS;
	}
	return (ssize_t)(got * sizeof(struct signalfd_siginfo));
}

static ssize_t signalfd_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	return -EINVAL; /* no write operation: Linux's vfs_write says EINVAL */
}

static u32 signalfd_poll(struct file *f, struct poll_table *pt)
{
	struct signalfd *sfd = f->priv;
	poll_wait(pt, &signal_queued_wq, f);
	return any_pending(sfd->mask) ? EPOLLIN : 0;
}

static int signalfd_stat(struct file *f, struct stat *st)
{
	anon_inode_stat(st);
	return 0;
}

static void signalfd_release(struct file *f) { kfree(f->priv); }

static const struct file_ops signalfd_ops = {
	.read = signalfd_read, .write = signalfd_write, .stat = signalfd_stat, .poll = signalfd_poll,
	.release = signalfd_release, .stream = true,
};

bool file_is_signalfd(struct file *f) { return f->ops == &signalfd_ops; }

int signalfd_new(u64 mask, u32 flags, struct file **out)
{
	static const char name[] = "anon_inode:[signalfd]";
	struct signalfd *sfd = kzalloc(sizeof(*sfd));
	struct file *f = file_new(&signalfd_ops, O_RDWR | (flags & O_NONBLOCK));
	char *path = kmalloc(sizeof(name));
	if (!sfd || !f || !path) {
		kfree(sfd);
		kfree(f);
		kfree(path);
		return -ENOMEM;
	}
	memcpy(path, name, sizeof(name));
	sfd->mask = mask;
	f->priv = sfd;
	f->path = path;
	*out = f;
	return 0;
}

void signalfd_set_mask(struct file *f, u64 mask)
{
	struct signalfd *sfd = f->priv;
	sfd->mask = mask;
	wake_up_all(&signal_queued_wq);
}
