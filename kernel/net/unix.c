/* AF_UNIX as Linux's net/unix/af_unix.c does it. Every message is a buffer (struct unix_skb)
 * queued at the receiving socket and charged to the sender's send buffer (wmem) until it is
 * read, so a sender blocks, or polls unwritable, while its own data sits unread; a stream
 * receiver reads across buffers, a datagram or seqpacket receiver one buffer per call. A
 * connection to a listener makes its server end at once (the "embryo", a socket without a
 * file) and queues it at the listener for accept, so connect returns before accept runs.
 *
 * Sockets refer to each other (peer, the sender of a queued buffer, a listener's embryos),
 * so struct unix_sock is reference-counted and outlives its file; a closed one is marked dead
 * and unbound. Descriptors in flight hold their files; a cycle of sockets sent over each
 * other is never collected (Linux has a garbage collector for that; we do not).
 * Lock: the big kernel lock; every wait re-checks its condition. */
#include "net/unix.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/vfs.h"
#include "fs/path.h"
#include "syscall/pathname.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "sched/wait.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "lib/list.h"
#include "errno.h"
#include <linux/un.h>
#include <linux/stat.h>
#include <linux/fcntl.h>
#include <asm/ioctls.h>
#include <asm/signal.h>

#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3
/* What a buffer costs its sender beyond its bytes, roughly Linux's sk_buff truesize. */
#define SKB_OVERHEAD 512
/* /proc/sys/net/unix/max_dgram_qlen's kernel default: datagrams one socket may have queued
 * from senders it is not connected back to. */
#define MAX_DGRAM_QLEN 10
#define SUN_PATH_OFFSET 2 /* offsetof(struct sockaddr_un, sun_path) */
#define AUTOBIND_LEN (SUN_PATH_OFFSET + 6) /* NUL and five hex digits */

enum unix_state { UNIX_UNCONNECTED, UNIX_LISTEN, UNIX_CONNECTED };

struct unix_addr {
	int refs;
	int len;                     /* as getsockname reports it */
	struct sockaddr_un sun;
};

struct unix_sock {
	int refs;
	struct socket *sock;         /* NULL for an embryo not yet accepted, or once closed */
	int type;
	enum unix_state state;
	bool dead;
	struct unix_sock *peer;      /* referenced */
	struct unix_addr *addr;      /* bound name, or NULL */
	struct inode *inode;         /* the socket file of a path name (referenced) */
	struct list bound_link;      /* in bound_sockets while bound and open */
	struct list rq;              /* struct unix_skb: data, or embryos for a listener */
	size_t rq_bytes;             /* unread bytes (FIONREAD) */
	int rq_len;                  /* buffers queued */
	size_t wmem;                 /* what this socket sent that is still queued */
	int shutdown;                /* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;                     /* pending error (SO_ERROR): ECONNRESET */
	int backlog;
	bool has_peercred;
	struct ucred peercred;       /* SO_PEERCRED: who made the connection's other end */
	struct wait_queue wq;        /* data, room, connections, state changes */
};

struct unix_skb {
	struct list link;
	struct unix_sock *from;      /* referenced; charged truesize */
	struct unix_sock *embryo;    /* a listener's entry: the server end of a connection */
	struct unix_addr *addr;      /* the sender's name (datagrams), referenced */
	struct ucred cred;
	struct file **fds;
	int nfds;
	size_t len, off, truesize;   /* off: bytes a stream reader already took */
	u8 data[];
};

static struct list bound_sockets = LIST_INIT(bound_sockets);
static u32 next_autobind;

/* monos runs the app as root (syscall/sys_proc.c). */
static struct ucred current_ucred(void)
{
	return (struct ucred){ .pid = (u32)proc.pid, .uid = 0, .gid = 0 };
}

static struct unix_sock *unix_of(struct socket *s) { return s->sk; }
static bool connection_type(int type) { return type == SOCK_STREAM || type == SOCK_SEQPACKET; }
static int sndbuf_of(struct unix_sock *u) { return u->sock ? u->sock->sndbuf : SOCK_WMEM_DEFAULT; }

static void addr_put(struct unix_addr *a)
{
	if (a && --a->refs == 0)
		kfree(a);
}

static struct unix_sock *unix_sock_new(int type)
{
	struct unix_sock *u = kzalloc(sizeof(*u));
	if (!u)
		return NULL;
	u->refs = 1;
	u->type = type;
	list_init(&u->bound_link);
	list_init(&u->rq);
	wait_queue_init(&u->wq);
	return u;
}

static void unix_put(struct unix_sock *u)
{
	if (!u || --u->refs > 0)
		return;
	addr_put(u->addr);
	inode_put(u->inode);
	kfree(u);
}

static void unix_release_sock(struct unix_sock *u, bool embryo);

static void skb_free(struct unix_skb *skb)
{
	struct unix_sock *from = skb->from;
	if (from) {
		from->wmem -= skb->truesize;
		wake_up_poll(&from->wq, EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
		unix_put(from);
	}
	for (int k = 0; k < skb->nfds; k++)
		file_put(skb->fds[k]);
	kfree(skb->fds);
	addr_put(skb->addr);
	if (skb->embryo)
		unix_release_sock(skb->embryo, true);
	kfree(skb);
}

static struct unix_skb *skb_first(struct unix_sock *u)
{
	return list_empty(&u->rq) ? NULL : list_entry(u->rq.next, struct unix_skb, link);
}

static void skb_dequeue(struct unix_sock *u, struct unix_skb *skb)
{
	list_remove(&skb->link);
	u->rq_len--;
	u->rq_bytes -= skb->len - skb->off;
	skb_free(skb);
	/* A sender waiting for the queue to shrink (MAX_DGRAM_QLEN, a full backlog). */
	wake_up_poll(&u->wq, EPOLLOUT | EPOLLWRNORM);
}

static void skb_queue(struct unix_sock *to, struct unix_skb *skb)
{
	list_push_back(&to->rq, &skb->link);
	to->rq_len++;
	to->rq_bytes += skb->len;
	wake_up_poll(&to->wq, EPOLLIN | EPOLLRDNORM);
}

/* A buffer of len bytes from `from`, charged to it, with what scm carries (its descriptors
 * move into the buffer). */
static struct unix_skb *skb_new(struct unix_sock *from, const void *data, size_t len,
				struct scm *scm)
{
	struct unix_skb *skb = kzalloc(sizeof(*skb) + len);
	if (!skb)
		return NULL;
	list_init(&skb->link);
	if (scm && scm->nfds) {
		skb->fds = kmalloc(sizeof(struct file *) * (size_t)scm->nfds);
		if (!skb->fds) {
			kfree(skb);
			return NULL;
		}
		memcpy(skb->fds, scm->fds, sizeof(struct file *) * (size_t)scm->nfds);
		skb->nfds = scm->nfds;
		scm->nfds = 0;
	}
	skb->cred = scm && scm->has_cred ? scm->cred : current_ucred();
	memcpy(skb->data, data, len);
	skb->len = len;
	skb->truesize = len + SKB_OVERHEAD;
	if (from) {
		from->refs++;
		from->wmem += skb->truesize;
		skb->from = from;
		if (from->addr) {
			from->addr->refs++;
			skb->addr = from->addr;
		}
	}
	return skb;
}

/* Hands a buffer's descriptors to the receiver (peek: new references, the buffer keeps its
 * own) and its credentials. Without a place for them (read(2)) the files are dropped. */
static void skb_give_scm(struct unix_skb *skb, struct sock_msg *m, bool peek)
{
	if (m->scm) {
		m->scm->has_cred = true;
		m->scm->cred = skb->cred;
	}
	if (!skb->nfds)
		return;
	for (int k = 0; k < skb->nfds; k++) {
		if (m->scm && m->scm->nfds < SCM_MAX_FD) {
			if (peek)
				skb->fds[k]->refs++;
			m->scm->fds[m->scm->nfds++] = skb->fds[k];
		} else if (!peek) {
			file_put(skb->fds[k]);
		}
	}
	if (!peek) {
		kfree(skb->fds);
		skb->fds = NULL;
		skb->nfds = 0;
	}
}

/* Closing a socket (its file's last close) or dropping an embryo nobody accepted. A connected
 * peer of a stream or seqpacket socket sees both directions shut (end of file, EPIPE) and,
 * when data was left unread here or the connection was never accepted, ECONNRESET. */
static void unix_release_sock(struct unix_sock *u, bool embryo)
{
	u->dead = true;
	u->sock = NULL;
	list_remove(&u->bound_link);
	struct unix_sock *peer = u->peer;
	u->peer = NULL;
	if (peer) {
		if (connection_type(u->type)) {
			peer->shutdown = SHUTDOWN_MASK;
			if (!list_empty(&u->rq) || embryo)
				peer->err = ECONNRESET;
			wake_up_poll(&peer->wq, EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLHUP | EPOLLRDHUP |
					       (peer->err ? EPOLLERR : 0));
		}
		unix_put(peer);
	}
	struct list *n;
	while ((n = list_pop_front(&u->rq))) {
		struct unix_skb *skb = list_entry(n, struct unix_skb, link);
		u->rq_len--;
		skb_free(skb);
	}
	u->rq_bytes = 0;
	/* Connectors waiting for this listener's backlog look again and find it gone. */
	wake_up_poll(&u->wq, EPOLLHUP | EPOLLERR);
	unix_put(u);
}

static void unix_release(struct socket *s)
{
	struct unix_sock *u = unix_of(s);
	if (u)
		unix_release_sock(u, false);
	s->sk = NULL;
}

int unix_create(struct socket *s)
{
	switch (s->type) {
	case SOCK_RAW:
		s->type = SOCK_DGRAM; /* as Linux's unix_create */
		break;
	case SOCK_STREAM:
	case SOCK_DGRAM:
	case SOCK_SEQPACKET:
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	if (s->protocol && s->protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	struct unix_sock *u = unix_sock_new(s->type);
	if (!u)
		return -ENOMEM;
	u->sock = s;
	s->sk = u;
	return 0;
}

static void connect_pair(struct unix_sock *a, struct unix_sock *b)
{
	a->peer = b;
	b->refs++;
	b->peer = a;
	a->refs++;
	a->state = b->state = UNIX_CONNECTED;
	a->has_peercred = b->has_peercred = true;
	a->peercred = b->peercred = current_ucred();
}

static int unix_pair(struct socket *a, struct socket *b)
{
	connect_pair(unix_of(a), unix_of(b));
	return 0;
}

/* ---- names ----------------------------------------------------------------------------- */

static bool addr_is_abstract(const struct sockaddr_un *sun) { return sun->sun_path[0] == 0; }

/* A bound socket of this type with this abstract name. */
static struct unix_sock *find_abstract(const struct sockaddr_un *sun, int len, int type)
{
	list_for_each(n, &bound_sockets) {
		struct unix_sock *u = list_entry(n, struct unix_sock, bound_link);
		if (u->type == type && !u->inode && u->addr->len == len &&
		    memcmp(&u->addr->sun, sun, (size_t)len) == 0)
			return u;
	}
	return NULL;
}

static struct unix_sock *find_by_inode(struct inode *i)
{
	list_for_each(n, &bound_sockets) {
		struct unix_sock *u = list_entry(n, struct unix_sock, bound_link);
		if (u->inode == i)
			return u;
	}
	return NULL;
}

/* The address the app gave, checked and made into a unix_addr: a path is cut at its first
 * NUL (its length then counts one NUL, as Linux's unix_mkname_bsd), an abstract name keeps
 * every byte. */
static int addr_make(const void *addr, int len, struct unix_addr **out)
{
	if (len <= SUN_PATH_OFFSET || len > (int)sizeof(struct sockaddr_un))
		return -EINVAL;
	const struct sockaddr_un *sun = addr;
	if (sun->sun_family != AF_UNIX)
		return -EINVAL;
	struct unix_addr *a = kzalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->refs = 1;
	memcpy(&a->sun, addr, (size_t)len);
	if (addr_is_abstract(&a->sun)) {
		a->len = len;
	} else {
		size_t n = 0;
		while (n < sizeof(a->sun.sun_path) - 1 && a->sun.sun_path[n])
			n++;
		a->sun.sun_path[n] = 0;
		a->len = SUN_PATH_OFFSET + (int)n + 1;
	}
	*out = a;
	return 0;
}

static void bind_to(struct unix_sock *u, struct unix_addr *a, struct inode *i)
{
	u->addr = a;
	u->inode = i;
	list_push_back(&bound_sockets, &u->bound_link);
}

static int autobind(struct unix_sock *u)
{
	struct unix_addr *a = kzalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->refs = 1;
	a->len = AUTOBIND_LEN;
	a->sun.sun_family = AF_UNIX;
	for (u32 tries = 0; tries < 0x100000; tries++) {
		u32 v = next_autobind++ & 0xfffff;
		static const char hex[] = "0123456789abcdef";
		for (int k = 0; k < 5; k++)
			a->sun.sun_path[1 + k] = hex[(v >> (4 * (4 - k))) & 0xf];
		if (!find_abstract(&a->sun, a->len, u->type)) {
			bind_to(u, a, NULL);
			return 0;
		}
	}
	kfree(a);
	return -ENOSPC;
}

/* A socket file at a new path, as mknod(S_IFSOCK) would make it. */
static int bind_path(struct unix_sock *u, struct unix_addr *a)
{
	const char *path = a->sun.sun_path;
	struct inode *start, *dir;
	const char *name;
	size_t len;
	bool must_dir;
	int err = path_start(AT_FDCWD, path, &start);
	if (err)
		return err;
	err = path_parent(start, path, &dir, &name, &len, &must_dir);
	if (err)
		return err;
	if (len == 0 || dir_find(dir, name, len))
		err = -EADDRINUSE;
	else if (must_dir)
		err = -EISDIR;
	else if (dir->iops)
		err = -EACCES; /* /proc, /sys: nothing can be made there */
	struct inode *i = NULL;
	if (!err) {
		i = inode_new(&tmpfs_fs, S_IFSOCK | (0777 & ~proc.umask));
		err = i ? dir_link(dir, name, len, i) : -ENOSPC;
		if (err && i)
			inode_put(i);
	}
	inode_put(dir);
	if (err)
		return err;
	inode_get(i);
	bind_to(u, a, i);
	return 0;
}

static int unix_bind(struct socket *s, const void *addr, int len)
{
	struct unix_sock *u = unix_of(s);
	if (len < SUN_PATH_OFFSET || ((const struct sockaddr_un *)addr)->sun_family != AF_UNIX)
		return -EINVAL;
	if (len == SUN_PATH_OFFSET)
		return u->addr ? -EINVAL : autobind(u);
	struct unix_addr *a;
	int err = addr_make(addr, len, &a);
	if (err)
		return err;
	if (u->addr)
		err = -EINVAL;
	else if (addr_is_abstract(&a->sun))
		err = find_abstract(&a->sun, a->len, u->type) ? -EADDRINUSE : (bind_to(u, a, NULL), 0);
	else
		err = bind_path(u, a);
	if (err)
		addr_put(a);
	return err;
}

/* The open socket an address names, referenced: ENOENT (or another path error) for a missing
 * path, ECONNREFUSED for a name nobody has bound (any longer), EPROTOTYPE for another type. */
static int find_other(const void *addr, int len, int type, struct unix_sock **out)
{
	struct unix_addr *a;
	int err = addr_make(addr, len, &a);
	if (err)
		return err;
	struct unix_sock *other = NULL;
	if (addr_is_abstract(&a->sun)) {
		other = find_abstract(&a->sun, a->len, type);
		err = other ? 0 : -ECONNREFUSED;
	} else {
		struct inode *start, *i;
		err = path_start(AT_FDCWD, a->sun.sun_path, &start);
		if (!err)
			err = path_walk(start, a->sun.sun_path, LOOKUP_FOLLOW, &i);
		if (!err) {
			other = S_ISSOCK(i->mode) ? find_by_inode(i) : NULL;
			err = !other ? -ECONNREFUSED : other->type != type ? -EPROTOTYPE : 0;
			inode_put(i);
		}
	}
	addr_put(a);
	if (err)
		return err;
	other->refs++;
	*out = other;
	return 0;
}

static int unix_getname(struct socket *s, void *addr, int *len, bool peer)
{
	struct unix_sock *u = unix_of(s);
	if (peer) {
		if (!u->peer || u->state != UNIX_CONNECTED)
			return -ENOTCONN;
		u = u->peer;
	}
	if (!u->addr) {
		memset(addr, 0, SUN_PATH_OFFSET);
		((struct sockaddr_un *)addr)->sun_family = AF_UNIX;
		*len = SUN_PATH_OFFSET;
	} else {
		memcpy(addr, &u->addr->sun, (size_t)u->addr->len);
		*len = u->addr->len;
	}
	return 0;
}

/* ---- connections ----------------------------------------------------------------------- */

static int unix_listen(struct socket *s, int backlog)
{
	struct unix_sock *u = unix_of(s);
	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (!u->addr || (u->state != UNIX_UNCONNECTED && u->state != UNIX_LISTEN))
		return -EINVAL;
	if ((unsigned)backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	if (backlog > u->backlog)
		wake_up_poll(&u->wq, EPOLLOUT); /* connectors waiting for room */
	u->backlog = backlog;
	u->state = UNIX_LISTEN;
	return 0;
}

static int stream_connect(struct unix_sock *u, const void *addr, int len, bool nonblock)
{
	if (u->state == UNIX_CONNECTED)
		return -EISCONN;
	if (u->state == UNIX_LISTEN)
		return -EINVAL;
	struct unix_sock *other;
	for (;;) {
		int err = find_other(addr, len, u->type, &other);
		if (err)
			return err;
		if (other->state != UNIX_LISTEN || other->dead) {
			unix_put(other);
			return -ECONNREFUSED;
		}
		/* The backlog holds one more than asked, as Linux's unix_recvq_full. */
		if (other->rq_len <= other->backlog)
			break;
		if (nonblock) {
			unix_put(other);
			return -EAGAIN;
		}
		int why = wait_on(&other->wq, 0);
		unix_put(other);
		if (why == WAKE_INTERRUPT)
			return -ERESTARTSYS;
		if (u->state == UNIX_CONNECTED)
			return -EISCONN; /* another thread connected it meanwhile */
	}
	struct unix_sock *embryo = unix_sock_new(u->type);
	struct unix_skb *skb = embryo ? skb_new(NULL, NULL, 0, NULL) : NULL;
	if (!skb) {
		kfree(embryo);
		unix_put(other);
		return -ENOMEM;
	}
	connect_pair(u, embryo);
	if (other->addr) {
		other->addr->refs++;
		embryo->addr = other->addr;
	}
	skb->embryo = embryo;
	skb_queue(other, skb);
	unix_put(other);
	return 0;
}

static void dgram_disconnect(struct unix_sock *u)
{
	unix_put(u->peer);
	u->peer = NULL;
	u->state = UNIX_UNCONNECTED;
}

static int dgram_connect(struct unix_sock *u, const void *addr, int len)
{
	if (len >= (int)sizeof(short) && ((const struct sockaddr_un *)addr)->sun_family == AF_UNSPEC) {
		dgram_disconnect(u);
		return 0;
	}
	struct unix_sock *other;
	int err = find_other(addr, len, u->type, &other);
	if (err)
		return err;
	/* unix_may_send: a socket connected elsewhere takes nothing from us. */
	if (other->peer && other->peer != u) {
		unix_put(other);
		return -EPERM;
	}
	unix_put(u->peer);
	u->peer = other;
	u->state = UNIX_CONNECTED;
	wake_up_poll(&u->wq, EPOLLOUT | EPOLLWRNORM);
	return 0;
}

static int unix_connect(struct socket *s, const void *addr, int len, bool nonblock)
{
	struct unix_sock *u = unix_of(s);
	if (u->type == SOCK_DGRAM)
		return dgram_connect(u, addr, len);
	if (len < SUN_PATH_OFFSET)
		return -EINVAL;
	return stream_connect(u, addr, len, nonblock);
}

static int unix_accept(struct socket *s, struct socket **out, bool nonblock)
{
	struct unix_sock *u = unix_of(s);
	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (u->state != UNIX_LISTEN)
		return -EINVAL;
	while (list_empty(&u->rq)) {
		if (nonblock)
			return -EAGAIN;
		if (wait_on(&u->wq, 0) == WAKE_INTERRUPT)
			return -ERESTARTSYS;
		if (u->state != UNIX_LISTEN)
			return -EINVAL;
	}
	struct socket *ns = socket_alloc(s);
	if (!ns)
		return -ENOMEM;
	struct unix_skb *skb = skb_first(u);
	struct unix_sock *embryo = skb->embryo;
	skb->embryo = NULL;
	skb_dequeue(u, skb);
	embryo->sock = ns;
	ns->sk = embryo;
	*out = ns;
	return 0;
}

static int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = unix_of(s);
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (connection_type(u->type) && u->state != UNIX_CONNECTED)
		return -ENOTCONN;
	int mode = how + 1; /* SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN */
	u->shutdown |= mode;
	wake_up_poll(&u->wq, EPOLLIN | EPOLLOUT | EPOLLRDHUP | (u->shutdown == SHUTDOWN_MASK ? EPOLLHUP : 0));
	struct unix_sock *peer = u->peer;
	if (peer && connection_type(u->type)) {
		int peer_mode = ((mode & RCV_SHUTDOWN) ? SEND_SHUTDOWN : 0) |
				((mode & SEND_SHUTDOWN) ? RCV_SHUTDOWN : 0);
		peer->shutdown |= peer_mode;
		wake_up_poll(&peer->wq, EPOLLIN | EPOLLOUT | EPOLLRDHUP |
				       (peer->shutdown == SHUTDOWN_MASK ? EPOLLHUP : 0));
	}
	return 0;
}

/* ---- sending --------------------------------------------------------------------------- */

/* Waits until u's sent-but-unread data leaves room in its send buffer. */
static int wait_for_room(struct unix_sock *u, bool nonblock)
{
	if (nonblock)
		return -EAGAIN;
	return wait_on(&u->wq, 0) == WAKE_INTERRUPT ? -ERESTARTSYS : 0;
}

static ssize_t stream_pipe_error(struct sock_msg *m)
{
	if (!(m->flags & MSG_NOSIGNAL))
		signal_raise(SIGPIPE);
	return -EPIPE;
}

static ssize_t stream_send(struct unix_sock *u, struct sock_msg *m, bool nonblock)
{
	if (m->namelen)
		return u->state == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	if (u->state != UNIX_CONNECTED || !u->peer)
		return -ENOTCONN;
	size_t sent = 0;
	while (sent < m->len) {
		struct unix_sock *other = u->peer;
		if ((u->shutdown & SEND_SHUTDOWN) || other->dead || (other->shutdown & RCV_SHUTDOWN))
			return sent ? (ssize_t)sent : stream_pipe_error(m);
		if (u->wmem >= (size_t)sndbuf_of(u)) {
			int err = wait_for_room(u, nonblock);
			if (err)
				return sent ? (ssize_t)sent : err;
			continue;
		}
		size_t size = MIN(m->len - sent, (size_t)(sndbuf_of(u) / 2 - 64));
		size = MIN(size, (size_t)65536);
		struct unix_skb *skb = skb_new(u, (const u8 *)m->buf + sent, size, sent ? NULL : m->scm);
		if (!skb)
			return sent ? (ssize_t)sent : -ENOMEM;
		skb_queue(other, skb);
		sent += size;
	}
	return (ssize_t)sent;
}

static ssize_t dgram_send(struct unix_sock *u, struct sock_msg *m, bool nonblock)
{
	if (m->len > (size_t)sndbuf_of(u) - 32)
		return -EMSGSIZE;
	struct unix_sock *other;
	if (m->namelen && u->type == SOCK_DGRAM) {
		int err = find_other(m->name, m->namelen, u->type, &other);
		if (err)
			return err;
	} else {
		if (!u->peer)
			return u->type == SOCK_SEQPACKET ? -ENOTCONN : -ENOTCONN;
		other = u->peer;
		other->refs++;
	}
	ssize_t ret;
	for (;;) {
		if (other->dead) {
			/* The connected peer closed: the first send says so, later ones find
			 * no peer (unix_dgram_sendmsg). */
			if (u->type == SOCK_SEQPACKET) {
				ret = -EPIPE;
			} else {
				if (u->peer == other)
					dgram_disconnect(u);
				ret = -ECONNREFUSED;
			}
			goto out;
		}
		if (other->peer && other->peer != u) {
			ret = -EPERM;
			goto out;
		}
		if ((u->shutdown & SEND_SHUTDOWN) || (other->shutdown & RCV_SHUTDOWN)) {
			ret = -EPIPE;
			goto out;
		}
		if (u->wmem >= (size_t)sndbuf_of(u)) {
			ret = wait_for_room(u, nonblock);
		} else if (other->peer != u && other->rq_len > MAX_DGRAM_QLEN) {
			if (nonblock)
				ret = -EAGAIN;
			else
				ret = wait_on(&other->wq, 0) == WAKE_INTERRUPT ? -ERESTARTSYS : 0;
		} else {
			break;
		}
		if (ret)
			goto out;
	}
	struct unix_skb *skb = skb_new(u, m->buf, m->len, m->scm);
	if (!skb) {
		ret = -ENOMEM;
		goto out;
	}
	skb_queue(other, skb);
	ret = (ssize_t)m->len;
out:
	unix_put(other);
	return ret;
}

static ssize_t unix_sendmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	struct unix_sock *u = unix_of(s);
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	nonblock = nonblock || (m->flags & MSG_DONTWAIT);
	if (u->type == SOCK_STREAM)
		return stream_send(u, m, nonblock);
	if (u->type == SOCK_SEQPACKET) {
		if (u->state != UNIX_CONNECTED)
			return -ENOTCONN;
		m->namelen = 0; /* a seqpacket send ignores any address */
	}
	return dgram_send(u, m, nonblock);
}

/* ---- receiving ------------------------------------------------------------------------- */

/* What a receiver with nothing queued gets: a pending error, end of file, EAGAIN, or a wait
 * (0: look again). */
static int wait_for_data(struct unix_sock *u, bool nonblock)
{
	if (u->err) {
		int err = u->err;
		u->err = 0;
		return -err;
	}
	if (u->shutdown & RCV_SHUTDOWN)
		return 1;
	if (nonblock)
		return -EAGAIN;
	return wait_on(&u->wq, 0) == WAKE_INTERRUPT ? -ERESTARTSYS : 0;
}

static void give_name(struct unix_skb *skb, struct sock_msg *m)
{
	if (!m->name)
		return;
	if (skb->addr) {
		memcpy(m->name, &skb->addr->sun, (size_t)skb->addr->len);
		m->namelen = skb->addr->len;
	} else {
		m->namelen = 0;
	}
}

static bool same_cred(const struct ucred *a, const struct ucred *b)
{
	return a->pid == b->pid && a->uid == b->uid && a->gid == b->gid;
}

/* Reads across buffers until len bytes (or, without MSG_WAITALL, until what is there); stops
 * at a buffer of other credentials and after one that carried descriptors. */
static ssize_t stream_recv(struct unix_sock *u, struct sock_msg *m, bool nonblock)
{
	if (u->state != UNIX_CONNECTED)
		return -EINVAL;
	bool peek = m->flags & MSG_PEEK;
	size_t target = (m->flags & MSG_WAITALL) ? m->len : 1;
	size_t copied = 0;
	struct ucred first_cred = { 0 };
	for (;;) {
		/* With MSG_PEEK, skip what this call has already looked at. */
		struct unix_skb *skb = NULL;
		size_t skip = peek ? copied : 0;
		list_for_each(n, &u->rq) {
			struct unix_skb *b = list_entry(n, struct unix_skb, link);
			size_t left = b->len - b->off;
			if (skip < left || (left == 0 && skip == 0)) {
				skb = b;
				break;
			}
			skip -= left;
		}
		if (!skb) {
			if (copied >= target || copied == m->len)
				break;
			int err = wait_for_data(u, nonblock);
			if (err > 0)
				break;
			if (err < 0)
				return copied ? (ssize_t)copied : err;
			continue;
		}
		if (copied && !same_cred(&first_cred, &skb->cred))
			break;
		if (!copied)
			first_cred = skb->cred;
		size_t chunk = MIN(skb->len - skb->off - skip, m->len - copied);
		memcpy((u8 *)m->buf + copied, skb->data + skb->off + skip, chunk);
		copied += chunk;
		bool had_fds = skb->nfds > 0;
		if (had_fds || m->scm)
			skb_give_scm(skb, m, peek);
		if (!peek) {
			skb->off += chunk;
			u->rq_bytes -= chunk;
			if (skb->off == skb->len) {
				list_remove(&skb->link);
				u->rq_len--;
				skb_free(skb);
			}
		}
		if (had_fds || copied == m->len)
			break;
	}
	return (ssize_t)copied;
}

/* One datagram per call, cut to the buffer (MSG_TRUNC in the flags; with MSG_TRUNC asked,
 * its full length returned). */
static ssize_t dgram_recv(struct unix_sock *u, struct sock_msg *m, bool nonblock)
{
	if (u->type == SOCK_SEQPACKET && u->state != UNIX_CONNECTED)
		return -ENOTCONN;
	struct unix_skb *skb;
	while (!(skb = skb_first(u))) {
		int err = wait_for_data(u, nonblock);
		if (err > 0)
			return 0;
		if (err < 0)
			return err;
	}
	size_t copy = MIN(m->len, skb->len);
	memcpy(m->buf, skb->data, copy);
	if (copy < skb->len)
		m->out_flags |= MSG_TRUNC;
	size_t full = skb->len;
	give_name(skb, m);
	skb_give_scm(skb, m, m->flags & MSG_PEEK);
	if (!(m->flags & MSG_PEEK))
		skb_dequeue(u, skb);
	return (ssize_t)((m->flags & MSG_TRUNC) ? full : copy);
}

static ssize_t unix_recvmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	struct unix_sock *u = unix_of(s);
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	nonblock = nonblock || (m->flags & MSG_DONTWAIT);
	if (m->name)
		m->namelen = 0;
	if (u->type == SOCK_STREAM) {
		ssize_t n = stream_recv(u, m, nonblock);
		/* A stream's source is its peer. */
		if (n >= 0 && m->name && u->peer && u->peer->addr) {
			memcpy(m->name, &u->peer->addr->sun, (size_t)u->peer->addr->len);
			m->namelen = u->peer->addr->len;
		}
		return n;
	}
	return dgram_recv(u, m, nonblock);
}

/* ---- readiness, ioctls, options -------------------------------------------------------- */

static bool unix_writable(struct unix_sock *u)
{
	return u->state != UNIX_LISTEN && u->wmem * 4 <= (size_t)sndbuf_of(u);
}

/* As Linux's unix_poll (stream) and unix_dgram_poll (datagram, seqpacket). */
static u32 unix_poll(struct socket *s, struct file *f, struct poll_table *pt)
{
	struct unix_sock *u = unix_of(s);
	poll_wait(pt, &u->wq, f);
	u32 mask = 0;
	if (u->err)
		mask |= EPOLLERR;
	if (u->shutdown == SHUTDOWN_MASK)
		mask |= EPOLLHUP;
	if (u->shutdown & RCV_SHUTDOWN)
		mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
	if (!list_empty(&u->rq))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (connection_type(u->type) && u->state == UNIX_UNCONNECTED)
		mask |= EPOLLHUP;
	if (unix_writable(u))
		mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	return mask;
}

static long unix_ioctl(struct socket *s, unsigned cmd, uptr_t arg)
{
	struct unix_sock *u = unix_of(s);
	int v;
	switch (cmd) {
	case FIONREAD: /* SIOCINQ */
		if (u->state == UNIX_LISTEN)
			return -EINVAL;
		if (u->type == SOCK_STREAM || u->type == SOCK_SEQPACKET)
			v = (int)u->rq_bytes;
		else
			v = skb_first(u) ? (int)skb_first(u)->len : 0;
		break;
	case TIOCOUTQ: /* SIOCOUTQ */
		v = (int)u->wmem;
		break;
	default:
		return -ENOTTY;
	}
	return copy_to_user(arg, &v, sizeof(v));
}

static int unix_setsockopt(struct socket *s, int level, int name, const void *val, int len)
{
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (name == SO_SNDBUF || name == SO_SNDBUFFORCE) {
		wake_up_poll(&unix_of(s)->wq, EPOLLOUT | EPOLLWRNORM); /* room may have grown */
		return 0;
	}
	return -ENOPROTOOPT;
}

static int unix_getsockopt(struct socket *s, int level, int name, void *val, int *len)
{
	struct unix_sock *u = unix_of(s);
	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	int v;
	switch (name) {
	case SO_ERROR:
		v = u->err;
		u->err = 0;
		break;
	case SO_ACCEPTCONN:
		v = u->state == UNIX_LISTEN;
		break;
	case SO_PEERCRED: {
		/* Without a connection: no pid, and uid/gid -1 (cred_to_ucred). */
		struct ucred c = u->has_peercred ? u->peercred : (struct ucred){ 0, ~0u, ~0u };
		if (*len > (int)sizeof(c))
			*len = sizeof(c);
		memcpy(val, &c, (size_t)*len);
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
	if (*len > (int)sizeof(v))
		*len = sizeof(v);
	memcpy(val, &v, (size_t)*len);
	return 0;
}

const struct proto_ops unix_proto_ops = {
	.bind = unix_bind, .connect = unix_connect, .listen = unix_listen, .accept = unix_accept,
	.sendmsg = unix_sendmsg, .recvmsg = unix_recvmsg, .shutdown = unix_shutdown,
	.getname = unix_getname, .setsockopt = unix_setsockopt, .getsockopt = unix_getsockopt,
	.poll = unix_poll, .ioctl = unix_ioctl, .pair = unix_pair, .release = unix_release,
};
