/* AF_INET sockets over lwIP's raw API: the state a socket keeps between lwIP's callbacks and the
 * app's calls, shared by net/inet.c (creation, addresses, options common to TCP and UDP),
 * net/inet_tcp.c and net/inet_udp.c. Lock: the big kernel lock, held by every syscall and by
 * lwIP's timer, serializes lwIP and these structures. */
#pragma once
#include "types.h"
#include "net/socket.h"
#include "sched/wait.h"
#include "lwip/ip_addr.h"

struct pbuf;
struct tcp_pcb;
struct udp_pcb;

enum inet_state {
	INET_CLOSED,      /* never connected, or the connection is gone (reset, refused) */
	INET_LISTEN,
	INET_CONNECTING,
	INET_CONNECTED,
};

/* A datagram waiting to be read (UDP). */
struct inet_dgram {
	struct inet_dgram *next;
	struct pbuf *p;
	ip_addr_t from;
	u16 port;
};

struct inet_sock {
	struct socket *s;
	enum inet_state state;
	struct wait_queue wq;   /* readers, writers, connectors, acceptors, poll */
	struct tcp_pcb *tcp;    /* NULL once lwIP freed it (reset) or it was closed */
	struct udp_pcb *udp;
	int err;                /* pending error as SO_ERROR reports it (positive errno) */
	bool rcv_shutdown;      /* FIN seen, SHUT_RD, or reset */
	bool snd_shutdown;      /* SHUT_WR, or reset */
	bool bound;
	bool nodelay;
	bool v6only;             /* IPV6_V6ONLY (AF_INET6) */
	struct inet_linger { int l_onoff, l_linger; } linger;   /* SO_LINGER: Linux's struct linger,
	                                                          which its UAPI does not export */
	bool connect_unreported; /* a non-blocking connect's EINPROGRESS not followed up yet */
	/* TCP: bytes received and not read, as lwIP's pbuf chain. */
	struct pbuf *rx;
	size_t rx_len;
	u8 quickacks;            /* TCP: segments acknowledged at once so far (inet_tcp.c) */
	/* Listening: connections not accepted yet, oldest first. */
	struct inet_sock *acceptq, *acceptq_tail, *next_conn;
	/* UDP: datagrams not read, oldest first. */
	struct inet_dgram *dq, *dq_tail;
	size_t dq_bytes;
	/* The addresses, kept so getsockname/getpeername answer after lwIP dropped the pcb. */
	ip_addr_t local_ip, remote_ip;
	u16 local_port, remote_port;
};

static inline struct inet_sock *inet_of(struct socket *s) { return s->sk; }

/* The socket's sockaddr_in or sockaddr_in6 <-> lwIP's address (an AF_INET6 socket's
 * ::ffff:a.b.c.d is IPv4 inside); inet_addr_in returns -EINVAL, -EAFNOSUPPORT as bind and
 * connect do, inet_addr_out the length it wrote. */
int inet_addr_in(const struct inet_sock *isk, const void *addr, int len, ip_addr_t *ip, u16 *port);
int inet_addr_out(const struct inet_sock *isk, const ip_addr_t *ip, u16 port, void *addr);
/* inet_addr_in for bind: also -EADDRNOTAVAIL when no interface has the address. */
int inet_bind_addr_in(const struct inet_sock *isk, const void *addr, int len, ip_addr_t *ip,
		      u16 *port);
/* inet_addr_in for a datagram socket's peer: an AF_INET6 socket also takes a sockaddr_in (as
 * Linux's ip6_datagram_connect and udpv6_sendmsg do), or v6only_err when it is IPV6_V6ONLY
 * (connect: -EAFNOSUPPORT, sendto: -ENETUNREACH). */
int inet_dgram_addr_in(const struct inet_sock *isk, const void *addr, int len, ip_addr_t *ip,
		       u16 *port, int v6only_err);
/* The lwIP address type of the socket's pcbs, and its wildcard address. */
u8 inet_pcb_type(const struct inet_sock *isk);
void inet_any(const struct inet_sock *isk, ip_addr_t *ip);
/* Connecting to the wildcard address means this machine, as on Linux. */
void inet_any_to_loopback(ip_addr_t *ip);
/* Whether the address is AF_UNSPEC: connect's disconnect. */
bool inet_addr_unspec(const void *addr, int len);
/* Whether ip names this machine (any, an interface's address: 127.0.0.1 but not the rest of
 * 127/8, which Linux accepts): bind's EADDRNOTAVAIL. */
bool inet_addr_local(const ip_addr_t *ip);
/* lwIP's err_t as a negative errno. */
int inet_errno(int lwip_err);
/* The EPIPE of a send on a dead or shut connection, with SIGPIPE unless MSG_NOSIGNAL. */
int inet_pipe_error(int msg_flags);
/* Waits on isk's queue: 0, or -ERESTARTSYS when a signal came. */
int inet_wait(struct inet_sock *isk);
int inet_getname(struct socket *s, void *addr, int *len, bool peer);

/* IPPROTO_IPV6 options (IPV6_V6ONLY) of AF_INET6 sockets. */
int inet_ipv6_setsockopt(struct inet_sock *isk, int name, const void *val, int len);
int inet_ipv6_getsockopt(struct inet_sock *isk, int name, int *v);

extern const struct proto_ops inet_tcp_ops, inet_udp_ops;
int inet_tcp_create(struct inet_sock *isk);
int inet_udp_create(struct inet_sock *isk);
