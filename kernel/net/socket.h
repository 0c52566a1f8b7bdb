/* Sockets: a file kind whose read, write, poll, stat and release go to the operations of the
 * socket's address family (AF_UNIX now, lwIP's AF_INET/AF_INET6 later, issue 6). The syscall
 * layer (syscall/sys_socket.c) copies addresses, data and control messages in and out of the
 * app; families see kernel buffers only. Options of level SOL_SOCKET that mean the same for
 * every family (SO_TYPE, SO_RCVBUF, ...) live here. Lock: the big kernel lock. */
#pragma once
#include "types.h"
#include "net/socket_abi.h"

struct file;
struct poll_table;
struct socket;

/* What a control message carries between sender and receiver: descriptors (each file
 * referenced) and credentials. */
struct scm {
	struct file *fds[SCM_MAX_FD];
	int nfds;
	bool has_cred;
	struct ucred cred;
};

/* One message going out or coming in. Data is a kernel buffer; name a kernel address. */
struct sock_msg {
	void *buf;
	size_t len;
	void *name;          /* in: destination (sendto); out: source (recvfrom), may be NULL */
	int namelen;         /* in: its length; out: the source address's full length */
	struct scm *scm;     /* in: what to pass; out: what came, or NULL when not wanted */
	int flags;           /* MSG_* asked for */
	int out_flags;       /* recv: MSG_TRUNC, MSG_CTRUNC... */
};

struct proto_ops {
	int (*bind)(struct socket *s, const void *addr, int len);
	int (*connect)(struct socket *s, const void *addr, int len, bool nonblock);
	int (*listen)(struct socket *s, int backlog);
	/* A new socket for the next connection (its file made by the caller). */
	int (*accept)(struct socket *s, struct socket **out, bool nonblock);
	/* Bytes sent or -errno; a stream send may be short only when interrupted or nonblocking. */
	ssize_t (*sendmsg)(struct socket *s, struct sock_msg *m, bool nonblock);
	ssize_t (*recvmsg)(struct socket *s, struct sock_msg *m, bool nonblock);
	int (*shutdown)(struct socket *s, int how);
	/* The socket's own address (peer false) or its peer's, into addr (128 bytes); *len set
	 * to the address's length. */
	int (*getname)(struct socket *s, void *addr, int *len, bool peer);
	/* SOL_SOCKET options the generic code does not answer, and the family's own levels. */
	int (*setsockopt)(struct socket *s, int level, int name, const void *val, int len);
	int (*getsockopt)(struct socket *s, int level, int name, void *val, int *len);
	u32 (*poll)(struct socket *s, struct file *f, struct poll_table *pt);
	/* FIONREAD and the family's ioctls; -ENOTTY otherwise. */
	long (*ioctl)(struct socket *s, unsigned cmd, uptr_t arg);
	/* Only socketpair families: connects two new sockets. */
	int (*pair)(struct socket *a, struct socket *b);
	void (*release)(struct socket *s);
};

struct socket {
	const struct proto_ops *ops;
	int family, type, protocol;
	struct file *file;   /* the file it belongs to (not referenced) */
	u64 ino;             /* st_ino, and /proc/self/fd's socket:[ino] */
	int sndbuf, rcvbuf;  /* as SO_SNDBUF/SO_RCVBUF report them (doubled, as Linux) */
	bool passcred;       /* SO_PASSCRED */
	bool reuseaddr, keepalive;
	void *sk;            /* the family's state */
};

/* The socket layer's view of Linux's defaults (/proc/sys/net/core/{w,r}mem_{default,max}). */
#define SOCK_WMEM_DEFAULT 212992
#define SOCK_RMEM_DEFAULT 212992
#define SOCK_WMEM_MAX 212992
#define SOCK_RMEM_MAX 212992
#define SOCK_MIN_SNDBUF 4608
#define SOCK_MIN_RCVBUF 2304

/* Makes a socket with its file (flags: O_NONBLOCK), or -EAFNOSUPPORT, -ESOCKTNOSUPPORT,
 * -EPROTONOSUPPORT, -EINVAL as socket(2). */
int socket_create(int family, int type, int protocol, u32 flags, struct socket **out);
/* A socket the family made (accept): gives it a file. */
int socket_attach_file(struct socket *s, u32 flags);
/* A new socket of s's family and type, without a file (for a family's accept). */
struct socket *socket_alloc(const struct socket *like);
/* The socket behind a file, or NULL when it is not one. */
struct socket *socket_of(struct file *f);
int socket_setsockopt(struct socket *s, int level, int name, const void *val, int len);
int socket_getsockopt(struct socket *s, int level, int name, void *val, int *len);
/* read(2) and write(2) of a socket (syscall/sys_socket.c): recv and send without flags,
 * straight from the app's buffer, so a datagram is never split or cut at a page. */
ssize_t socket_read_user(struct file *f, uptr_t buf, size_t n);
ssize_t socket_write_user(struct file *f, uptr_t buf, size_t n);
/* Dropped files of descriptors in flight (a message never received). */
void scm_release(struct scm *scm);

/* Families. */
extern const struct proto_ops unix_proto_ops;
int unix_create(struct socket *s);
