/* Socket syscalls: socket, socketpair, bind, listen, accept, accept4, connect, sendto,
 * recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg, shutdown, getsockname, getpeername,
 * setsockopt, getsockopt. This file moves addresses, data (through kernel buffers), control
 * messages and descriptors between the app and net/socket.h; the families do the rest. */
#include "syscall/syscall.h"
#include "syscall/timespec_user.h"
#include "net/socket.h"
#include "fs/file.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "proc/process.h"
#include <linux/uio.h>
#include <linux/fcntl.h>

#define SOCK_MAX 11              /* SOCK_PACKET + 1 */
#define SOCKADDR_MAX 128         /* sizeof(struct __kernel_sockaddr_storage) */
#define SOCK_CHUNK 65536         /* a stream moves at most this much per family call */
#define DGRAM_MAX (2 * SOCK_WMEM_MAX) /* no datagram fits a bigger send buffer */
#define OPTMEM_MAX 20480         /* /proc/sys/net/core/optmem_max: control data per call */
#define OPTVAL_MAX 256
#define RW_MAX 0x7ffff000L

/* The socket behind fd: EBADF, or ENOTSOCK for another kind of file. */
static long sock_lookup(int fd, struct socket **out)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	struct socket *s = socket_of(f);
	if (!s)
		return -ENOTSOCK;
	*out = s;
	return 0;
}

static long addr_from_user(uptr_t uaddr, int len, u8 *kaddr)
{
	if (len < 0 || len > SOCKADDR_MAX)
		return -EINVAL;
	if (len && copy_from_user(kaddr, uaddr, (size_t)len))
		return -EFAULT;
	return 0;
}

/* As Linux's move_addr_to_user: copies what fits and stores the address's full length. */
static long addr_to_user(const u8 *kaddr, int klen, uptr_t uaddr, uptr_t ulen)
{
	int len;
	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (len > klen)
		len = klen;
	if (len && copy_to_user(uaddr, kaddr, (size_t)len))
		return -EFAULT;
	return copy_to_user(ulen, &klen, sizeof(klen));
}

/* socket(2)'s type argument: the type and its SOCK_NONBLOCK/SOCK_CLOEXEC flags. */
static long split_type(int *type, u32 *flags)
{
	int extra = *type & ~SOCK_TYPE_MASK;
	if (extra & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	*flags = (u32)extra;
	*type &= SOCK_TYPE_MASK;
	return 0;
}

long sys_socket(int family, int type, int protocol)
{
	u32 flags;
	long err = split_type(&type, &flags);
	if (err)
		return err;
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	if (type >= SOCK_MAX)
		return -EINVAL;
	struct socket *s;
	err = socket_create(family, type, protocol, flags, &s);
	if (err)
		return err;
	int fd = fd_install(s->file, 0, flags & SOCK_CLOEXEC);
	file_put(s->file);
	return fd;
}

long sys_socketpair(int family, int type, int protocol, uptr_t usv)
{
	u32 flags;
	long err = split_type(&type, &flags);
	if (err)
		return err;
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	if (type >= SOCK_MAX)
		return -EINVAL;
	struct socket *a, *b;
	err = socket_create(family, type, protocol, flags, &a);
	if (err)
		return err;
	if (!a->ops->pair) {
		file_put(a->file);
		return -EOPNOTSUPP;
	}
	err = socket_create(family, type, protocol, flags, &b);
	if (err) {
		file_put(a->file);
		return err;
	}
	a->ops->pair(a, b);
	int fa = fd_install(a->file, 0, flags & SOCK_CLOEXEC);
	int fb = fa < 0 ? fa : fd_install(b->file, 0, flags & SOCK_CLOEXEC);
	file_put(a->file);
	file_put(b->file);
	if (fb < 0) {
		if (fa >= 0)
			fd_close(fa);
		return fb;
	}
	int sv[2] = { fa, fb };
	if (copy_to_user(usv, sv, sizeof(sv))) {
		fd_close(fa);
		fd_close(fb);
		return -EFAULT;
	}
	return 0;
}

long sys_bind(int fd, uptr_t uaddr, int len)
{
	struct socket *s;
	u8 addr[SOCKADDR_MAX];
	long err = sock_lookup(fd, &s);
	if (!err)
		err = addr_from_user(uaddr, len, addr);
	return err ? err : s->ops->bind(s, addr, len);
}

long sys_connect(int fd, uptr_t uaddr, int len)
{
	struct socket *s;
	u8 addr[SOCKADDR_MAX];
	long err = sock_lookup(fd, &s);
	if (!err)
		err = addr_from_user(uaddr, len, addr);
	return err ? err : s->ops->connect(s, addr, len, s->file->flags & O_NONBLOCK);
}

long sys_listen(int fd, int backlog)
{
	struct socket *s;
	long err = sock_lookup(fd, &s);
	return err ? err : s->ops->listen(s, backlog);
}

long sys_accept4(int fd, uptr_t uaddr, uptr_t ulen, int flags)
{
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	struct socket *s, *ns;
	long err = sock_lookup(fd, &s);
	if (err)
		return err;
	if (uaddr) {
		int len;
		if (copy_from_user(&len, ulen, sizeof(len)))
			return -EFAULT;
		if (len < 0)
			return -EINVAL;
	}
	err = s->ops->accept(s, &ns, s->file->flags & O_NONBLOCK);
	if (err)
		return err;
	err = socket_attach_file(ns, (u32)flags);
	if (err) {
		ns->ops->release(ns);
		kfree(ns);
		return err;
	}
	struct file *nf = ns->file;
	if (uaddr) {
		u8 addr[SOCKADDR_MAX];
		int alen;
		err = ns->ops->getname(ns, addr, &alen, true);
		if (err)
			err = -ECONNABORTED;
		else
			err = addr_to_user(addr, alen, uaddr, ulen);
		if (err) {
			file_put(nf);
			return err;
		}
	}
	int nfd = fd_install(nf, 0, flags & SOCK_CLOEXEC);
	file_put(nf);
	return nfd;
}

long sys_accept(int fd, uptr_t uaddr, uptr_t ulen) { return sys_accept4(fd, uaddr, ulen, 0); }

static long do_getname(int fd, uptr_t uaddr, uptr_t ulen, bool peer)
{
	struct socket *s;
	long err = sock_lookup(fd, &s);
	if (err)
		return err;
	int len;
	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	u8 addr[SOCKADDR_MAX];
	int alen;
	err = s->ops->getname(s, addr, &alen, peer);
	return err ? err : addr_to_user(addr, alen, uaddr, ulen);
}

long sys_getsockname(int fd, uptr_t uaddr, uptr_t ulen) { return do_getname(fd, uaddr, ulen, false); }
long sys_getpeername(int fd, uptr_t uaddr, uptr_t ulen) { return do_getname(fd, uaddr, ulen, true); }

long sys_shutdown(int fd, int how)
{
	struct socket *s;
	long err = sock_lookup(fd, &s);
	return err ? err : s->ops->shutdown(s, how);
}

long sys_setsockopt(int fd, int level, int name, uptr_t uval, int len)
{
	struct socket *s;
	long err = sock_lookup(fd, &s);
	if (err)
		return err;
	if (len < 0)
		return -EINVAL;
	u8 val[OPTVAL_MAX];
	int klen = MIN(len, OPTVAL_MAX);
	if (klen && copy_from_user(val, uval, (size_t)klen))
		return -EFAULT;
	return socket_setsockopt(s, level, name, val, klen);
}

long sys_getsockopt(int fd, int level, int name, uptr_t uval, uptr_t ulen)
{
	struct socket *s;
	long err = sock_lookup(fd, &s);
	if (err)
		return err;
	int len;
	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	u8 val[OPTVAL_MAX];
	int klen = MIN(len, OPTVAL_MAX);
	err = socket_getsockopt(s, level, name, val, &klen);
	if (err)
		return err;
	if (klen && copy_to_user(uval, val, (size_t)klen))
		return -EFAULT;
	return copy_to_user(ulen, &klen, sizeof(klen));
}

/* ---- data ------------------------------------------------------------------------------ */

/* The app's buffers of one call, walked in order. */
struct iov_walk {
	struct iovec iov[UIO_MAXIOV];
	int count, at;
	size_t at_off, total;
};

static long iov_load(struct iov_walk *w, uptr_t uiov, u64 count)
{
	if (count > UIO_MAXIOV)
		return -EMSGSIZE;
	if (count && copy_from_user(w->iov, uiov, sizeof(struct iovec) * count))
		return -EFAULT;
	w->count = (int)count;
	w->at = 0;
	w->at_off = 0;
	w->total = 0;
	for (int k = 0; k < w->count; k++) {
		if ((s64)w->iov[k].iov_len < 0)
			return -EINVAL;
		size_t room = RW_MAX - w->total;
		if (w->iov[k].iov_len > room)
			w->iov[k].iov_len = room; /* Linux caps a call at MAX_RW_COUNT */
		w->total += w->iov[k].iov_len;
	}
	return 0;
}

static void iov_single(struct iov_walk *w, uptr_t buf, size_t len)
{
	w->iov[0].iov_base = (void *)buf;
	w->iov[0].iov_len = MIN(len, (size_t)RW_MAX);
	w->count = 1;
	w->at = 0;
	w->at_off = 0;
	w->total = w->iov[0].iov_len;
}

/* Moves n bytes between the app's buffers, from where the walk is, and k; advances. */
static long iov_copy(struct iov_walk *w, void *k, size_t n, bool to_user)
{
	size_t done = 0;
	while (done < n && w->at < w->count) {
		struct iovec *v = &w->iov[w->at];
		size_t part = MIN(n - done, v->iov_len - w->at_off);
		uptr_t u = (uptr_t)v->iov_base + w->at_off;
		int err = to_user ? copy_to_user(u, (u8 *)k + done, part)
				  : copy_from_user((u8 *)k + done, u, part);
		if (err)
			return -EFAULT;
		done += part;
		w->at_off += part;
		if (w->at_off == v->iov_len) {
			w->at++;
			w->at_off = 0;
		}
	}
	return 0;
}

/* Control messages of a send (Linux's __scm_send): SCM_RIGHTS (files referenced into scm)
 * and SCM_CREDENTIALS; other levels are skipped, other SOL_SOCKET types are EINVAL. */
static long scm_from_user(struct socket *s, uptr_t ucontrol, u64 len, struct scm *scm)
{
	if (len > OPTMEM_MAX)
		return -ENOBUFS;
	u8 *buf = kmalloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	long err = copy_from_user(buf, ucontrol, len) ? -EFAULT : 0;
	for (u64 off = 0; !err && off + sizeof(struct cmsghdr) <= len;) {
		struct cmsghdr h;
		memcpy(&h, buf + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off) {
			err = -EINVAL;
			break;
		}
		const u8 *data = buf + off + sizeof(h);
		size_t dlen = h.cmsg_len - sizeof(h);
		if (h.cmsg_level == SOL_SOCKET) {
			if (h.cmsg_type == SCM_RIGHTS) {
				int n = (int)(dlen / sizeof(int));
				if (s->family != AF_UNIX || scm->nfds + n > SCM_MAX_FD) {
					err = -EINVAL;
					break;
				}
				for (int k = 0; k < n && !err; k++) {
					int fd;
					memcpy(&fd, data + k * sizeof(int), sizeof(fd));
					struct file *f = fd_get(fd);
					if (!f) {
						err = -EBADF;
						break;
					}
					f->refs++;
					scm->fds[scm->nfds++] = f;
				}
			} else if (h.cmsg_type == SCM_CREDENTIALS) {
				if (h.cmsg_len != CMSG_LEN(sizeof(struct ucred))) {
					err = -EINVAL;
					break;
				}
				memcpy(&scm->cred, data, sizeof(scm->cred));
				/* The app runs as root: CAP_SYS_ADMIN and CAP_SETUID let any pid, uid
				 * and gid pass the check (scm_check_creds), and then the pid must name
				 * a live task, our process or one of its threads. */
				if (scm->cred.pid != (u32)proc.pid &&
				    !proc_find_thread((int)scm->cred.pid)) {
					err = -ESRCH;
					break;
				}
				scm->has_cred = true;
			} else {
				err = -EINVAL;
				break;
			}
		}
		off += CMSG_ALIGN(h.cmsg_len);
	}
	kfree(buf);
	return err;
}

/* Sends what the walk holds: a stream in chunks (short only when interrupted or
 * nonblocking), any other type as one message. */
static long send_walk(struct socket *s, struct iov_walk *w, void *name, int namelen,
		      struct scm *scm, int flags)
{
	bool stream = s->type == SOCK_STREAM;
	if (!stream && w->total > DGRAM_MAX)
		return -EMSGSIZE;
	size_t bufsize = stream ? MIN(w->total, (size_t)SOCK_CHUNK) : w->total;
	u8 *buf = kmalloc(bufsize ? bufsize : 1);
	if (!buf)
		return -ENOMEM;
	size_t sent = 0;
	long ret = 0;
	do {
		size_t n = MIN(w->total - sent, bufsize);
		ret = iov_copy(w, buf, n, false);
		if (ret)
			break;
		struct sock_msg m = { .buf = buf, .len = n, .name = name, .namelen = namelen,
				      .scm = sent ? NULL : scm, .flags = flags };
		ret = s->ops->sendmsg(s, &m, s->file->flags & O_NONBLOCK);
		if (ret < 0)
			break;
		sent += (size_t)ret;
		if ((size_t)ret < n)
			break;
	} while (sent < w->total);
	kfree(buf);
	return sent ? (long)sent : ret;
}

/* Receives into the walk: one message, or for a stream as much as one family call gives
 * (MSG_WAITALL: until the buffers are full, end of file, a signal or descriptors). */
static long recv_walk(struct socket *s, struct iov_walk *w, struct sock_msg *m)
{
	bool stream = s->type == SOCK_STREAM;
	size_t bufsize = MIN(w->total, stream ? (size_t)SOCK_CHUNK : (size_t)DGRAM_MAX);
	u8 *buf = kmalloc(bufsize ? bufsize : 1);
	if (!buf)
		return -ENOMEM;
	size_t got = 0;
	long ret = 0;
	for (;;) {
		m->buf = buf;
		m->len = MIN(w->total - got, bufsize);
		ret = s->ops->recvmsg(s, m, s->file->flags & O_NONBLOCK);
		if (ret < 0)
			break;
		size_t n = MIN((size_t)ret, m->len);
		if (iov_copy(w, buf, n, true)) {
			ret = -EFAULT;
			break;
		}
		got += (size_t)ret;
		/* MSG_WAITALL: until the buffers are full; a call that gave less ends only at
		 * end of file (0) or an error (a signal, or EAGAIN when non-blocking). */
		bool more = stream && (m->flags & MSG_WAITALL) && !(m->flags & MSG_PEEK) &&
			    ret > 0 && got < w->total && !(m->scm && m->scm->nfds);
		if (!more)
			break;
		m->scm = NULL; /* the first part's credentials are the call's */
	}
	kfree(buf);
	return got ? (long)got : ret;
}

long sys_sendto(int fd, uptr_t ubuf, size_t len, int flags, uptr_t uaddr, int addrlen)
{
	struct socket *s;
	long err = sock_lookup(fd, &s);
	if (err)
		return err;
	u8 addr[SOCKADDR_MAX];
	if (!uaddr)
		addrlen = 0;
	else if ((err = addr_from_user(uaddr, addrlen, addr)))
		return err;
	struct iov_walk *w = kmalloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	iov_single(w, ubuf, len);
	err = send_walk(s, w, addrlen ? addr : NULL, addrlen, NULL, flags);
	kfree(w);
	return err;
}

long sys_recvfrom(int fd, uptr_t ubuf, size_t len, int flags, uptr_t uaddr, uptr_t ulen)
{
	struct socket *s;
	long err = sock_lookup(fd, &s);
	if (err)
		return err;
	struct iov_walk *w = kmalloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	iov_single(w, ubuf, len);
	u8 addr[SOCKADDR_MAX];
	struct sock_msg m = { .name = uaddr ? addr : NULL, .flags = flags };
	long n = recv_walk(s, w, &m);
	kfree(w);
	if (n >= 0 && uaddr && (err = addr_to_user(addr, m.namelen, uaddr, ulen)))
		return err;
	return n;
}

ssize_t socket_read_user(struct file *f, uptr_t buf, size_t n)
{
	struct iov_walk *w = kmalloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	iov_single(w, buf, n);
	struct sock_msg m = { 0 };
	long ret = recv_walk(socket_of(f), w, &m);
	kfree(w);
	return ret;
}

ssize_t socket_write_user(struct file *f, uptr_t buf, size_t n)
{
	struct iov_walk *w = kmalloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	iov_single(w, buf, n);
	long ret = send_walk(socket_of(f), w, NULL, 0, NULL, 0);
	kfree(w);
	return ret;
}

static long do_sendmsg(struct socket *s, uptr_t umsg, int flags)
{
	struct user_msghdr h;
	if (copy_from_user(&h, umsg, sizeof(h)))
		return -EFAULT;
	u8 addr[SOCKADDR_MAX];
	int namelen = h.msg_name ? h.msg_namelen : 0;
	long err = addr_from_user(h.msg_name, namelen, addr);
	if (err)
		return err;
	struct iov_walk *w = kmalloc(sizeof(*w));
	struct scm *scm = kzalloc(sizeof(*scm));
	if (!w || !scm) {
		kfree(w);
		kfree(scm);
		return -ENOMEM;
	}
	err = iov_load(w, h.msg_iov, h.msg_iovlen);
	if (!err && h.msg_controllen)
		err = scm_from_user(s, h.msg_control, h.msg_controllen, scm);
	if (!err)
		err = send_walk(s, w, namelen ? addr : NULL, namelen, scm, flags);
	scm_release(scm); /* whatever the family did not take */
	kfree(scm);
	kfree(w);
	return err;
}

/* Writes one control message as Linux's put_cmsg: cut (MSG_CTRUNC) when the room is short. */
static long put_cmsg(struct user_msghdr *h, int *out_flags, int type, const void *data,
		     size_t len)
{
	if (!h->msg_control || h->msg_controllen < sizeof(struct cmsghdr)) {
		*out_flags |= MSG_CTRUNC;
		return 0;
	}
	u64 cmlen = CMSG_LEN(len);
	if (h->msg_controllen < cmlen) {
		*out_flags |= MSG_CTRUNC;
		cmlen = h->msg_controllen;
	}
	struct cmsghdr c = { .cmsg_len = cmlen, .cmsg_level = SOL_SOCKET, .cmsg_type = type };
	if (copy_to_user(h->msg_control, &c, sizeof(c)) ||
	    copy_to_user(h->msg_control + sizeof(c), data, cmlen - sizeof(c)))
		return -EFAULT;
	u64 used = MIN((u64)CMSG_SPACE(len), h->msg_controllen);
	h->msg_control += used;
	h->msg_controllen -= used;
	return 0;
}

/* Received descriptors become new descriptors as far as the control buffer has room for
 * them (Linux's scm_detach_fds); the rest are closed and the message is marked MSG_CTRUNC. */
static long put_rights(struct user_msghdr *h, int *out_flags, struct scm *scm, bool cloexec)
{
	int room = h->msg_controllen > sizeof(struct cmsghdr)
			   ? (int)((h->msg_controllen - sizeof(struct cmsghdr)) / sizeof(int)) : 0;
	if (!h->msg_control)
		room = 0;
	int fds[SCM_MAX_FD];
	int n = 0;
	long err = 0;
	for (; n < scm->nfds && n < room; n++) {
		int fd = fd_install(scm->fds[n], 0, cloexec);
		if (fd < 0) {
			err = fd;
			break;
		}
		fds[n] = fd;
	}
	if (n > 0) {
		struct cmsghdr c = { .cmsg_len = CMSG_LEN(n * sizeof(int)), .cmsg_level = SOL_SOCKET,
				     .cmsg_type = SCM_RIGHTS };
		if (copy_to_user(h->msg_control, &c, sizeof(c)) ||
		    copy_to_user(h->msg_control + sizeof(c), fds, n * sizeof(int)))
			err = -EFAULT;
		u64 used = MIN((u64)CMSG_SPACE(n * sizeof(int)), h->msg_controllen);
		h->msg_control += used;
		h->msg_controllen -= used;
	}
	if (n < scm->nfds)
		*out_flags |= MSG_CTRUNC;
	scm_release(scm); /* installed ones hold their own reference now */
	return err;
}

static long do_recvmsg(struct socket *s, uptr_t umsg, int flags)
{
	struct user_msghdr h;
	if (copy_from_user(&h, umsg, sizeof(h)))
		return -EFAULT;
	if (h.msg_name && h.msg_namelen < 0)
		return -EINVAL;
	struct iov_walk *w = kmalloc(sizeof(*w));
	struct scm *scm = kzalloc(sizeof(*scm));
	if (!w || !scm) {
		kfree(w);
		kfree(scm);
		return -ENOMEM;
	}
	u8 addr[SOCKADDR_MAX];
	struct sock_msg m = { .name = h.msg_name ? addr : NULL, .scm = scm,
			      .flags = flags & ~MSG_CMSG_CLOEXEC };
	long n = iov_load(w, h.msg_iov, h.msg_iovlen);
	if (!n)
		n = recv_walk(s, w, &m);
	kfree(w);
	long err = 0;
	u64 control_start = h.msg_control;
	if (n >= 0) {
		if (scm->has_cred && s->passcred)
			err = put_cmsg(&h, &m.out_flags, SCM_CREDENTIALS, &scm->cred, sizeof(scm->cred));
		if (!err && scm->nfds)
			err = put_rights(&h, &m.out_flags, scm, flags & MSG_CMSG_CLOEXEC);
	}
	scm_release(scm);
	kfree(scm);
	if (n < 0)
		return n;
	if (err)
		return err;
	struct user_msghdr *uh = (struct user_msghdr *)umsg;
	u64 control_used = h.msg_control - control_start;
	unsigned out_flags = (unsigned)m.out_flags;
	if (h.msg_name) {
		int namelen = MIN(m.namelen, h.msg_namelen);
		if ((namelen && copy_to_user(h.msg_name, addr, (size_t)namelen)) ||
		    copy_to_user((uptr_t)&uh->msg_namelen, &m.namelen, sizeof(int)))
			return -EFAULT;
	}
	if (copy_to_user((uptr_t)&uh->msg_controllen, &control_used, sizeof(control_used)) ||
	    copy_to_user((uptr_t)&uh->msg_flags, &out_flags, sizeof(out_flags)))
		return -EFAULT;
	return n;
}

long sys_sendmsg(int fd, uptr_t umsg, int flags)
{
	struct socket *s;
	long err = sock_lookup(fd, &s);
	return err ? err : do_sendmsg(s, umsg, flags);
}

long sys_recvmsg(int fd, uptr_t umsg, int flags)
{
	struct socket *s;
	long err = sock_lookup(fd, &s);
	return err ? err : do_recvmsg(s, umsg, flags);
}

/* One entry of sendmmsg's or recvmmsg's vector: the message, then its msg_len; 0 or -errno. */
static long mmsg_one(struct socket *s, uptr_t one, int flags,
		     long (*xfer)(struct socket *s, uptr_t umsg, int flags))
{
	long n = xfer(s, one, flags);
	if (n < 0)
		return n;
	unsigned len = (unsigned)n;
	if (copy_to_user(one + __builtin_offsetof(struct user_mmsghdr, msg_len), &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

long sys_sendmmsg(int fd, uptr_t uvec, unsigned vlen, int flags)
{
	struct socket *s;
	long err = sock_lookup(fd, &s);
	if (err)
		return err;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	unsigned done = 0;
	for (; done < vlen; done++)
		if ((err = mmsg_one(s, uvec + done * sizeof(struct user_mmsghdr), flags, do_sendmsg)))
			break;
	return done ? (long)done : err;
}

/* The timeout is checked after each message, as Linux does (a blocking receive is not cut
 * short by it). */
long sys_recvmmsg(int fd, uptr_t uvec, unsigned vlen, int flags, uptr_t utimeout)
{
	struct socket *s;
	long err = sock_lookup(fd, &s);
	if (err)
		return err;
	u64 deadline = 0;
	if (utimeout) {
		u64 ns;
		if ((err = timespec_from_user(utimeout, &ns)))
			return err;
		deadline = time_monotonic_ns() + ns;
	}
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	unsigned done = 0;
	for (; done < vlen; done++) {
		if ((err = mmsg_one(s, uvec + done * sizeof(struct user_mmsghdr), flags, do_recvmsg)))
			break;
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (utimeout && time_monotonic_ns() >= deadline) {
			done++;
			break;
		}
	}
	if (utimeout && done) {
		u64 now = time_monotonic_ns();
		struct __kernel_timespec left = ns_to_timespec(now < deadline ? deadline - now : 0);
		copy_to_user(utimeout, &left, sizeof(left));
	}
	return done ? (long)done : err;
}
