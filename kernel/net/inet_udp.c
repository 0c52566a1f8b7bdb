/* UDP sockets over lwIP's raw API: datagrams arrive through on_recv (for loopback inside
 * lwip_port_pump, which sendto runs) and wait in the socket until read, up to its receive
 * buffer; sendto copies the data into a pbuf and hands it to lwIP. */
#include "net/inet.h"
#include "net/lwip_port.h"
#include "fs/poll.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "errno.h"
#include "lwip/udp.h"
#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include <linux/in.h>
#include <asm/ioctls.h>
#include <linux/eventpoll.h>

#define UDP_MAX_PAYLOAD 65507   /* 65535 - IPv4 header - UDP header */

static void on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		    u16_t port)
{
	struct inet_sock *isk = arg;
	struct inet_dgram *d = NULL;
	/* Linux drops what would overflow the receive buffer (counting its own overhead; here
	 * the payload only). */
	if (isk->dq_bytes + p->tot_len > (size_t)isk->s->rcvbuf || !(d = kmalloc(sizeof(*d)))) {
		pbuf_free(p);
		return;
	}
	d->next = NULL;
	d->p = p;
	ip_addr_copy(d->from, *addr);
	d->port = port;
	if (isk->dq_tail)
		isk->dq_tail->next = d;
	else
		isk->dq = d;
	isk->dq_tail = d;
	isk->dq_bytes += p->tot_len;
	wake_up_poll(&isk->wq, EPOLLIN | EPOLLRDNORM);
}

int inet_udp_create(struct inet_sock *isk)
{
	struct udp_pcb *pcb = udp_new_ip_type(inet_pcb_type(isk));
	if (!pcb)
		return -ENOMEM;
	isk->udp = pcb;
	udp_recv(pcb, on_recv, isk);
	return 0;
}

static void note_local(struct inet_sock *isk)
{
	isk->bound = true;
	ip_addr_copy(isk->local_ip, isk->udp->local_ip);
	isk->local_port = isk->udp->local_port;
}

/* A connected socket's name carries the source address the route to its peer gives, as
 * Linux picks it at connect (glibc's getaddrinfo reads it to sort addresses). */
static void note_source(struct inet_sock *isk, const ip_addr_t *peer)
{
	if (!ip_addr_isany(&isk->local_ip))
		return;
	struct netif *n = ip_route(&isk->local_ip, peer);
	const ip_addr_t *src = n ? ip_netif_get_local_ip(n, peer) : NULL;
	if (src)
		ip_addr_copy(isk->local_ip, *src);
}

static int udp_sock_bind(struct socket *s, const void *addr, int len)
{
	struct inet_sock *isk = inet_of(s);
	ip_addr_t ip;
	u16 port;
	int err = inet_bind_addr_in(isk, addr, len, &ip, &port);
	if (err)
		return err;
	if (isk->bound)
		return -EINVAL;
	if (s->reuseaddr)
		ip_set_option(isk->udp, SOF_REUSEADDR);
	err = inet_errno(udp_bind(isk->udp, &ip, port));
	if (err)
		return err;
	note_local(isk);
	return 0;
}

static int udp_sock_connect(struct socket *s, const void *addr, int len, bool nonblock)
{
	struct inet_sock *isk = inet_of(s);
	if (inet_addr_unspec(addr, len)) {
		udp_disconnect(isk->udp);
		inet_any(isk, &isk->remote_ip);
		isk->remote_port = 0;
		ip_addr_copy(isk->local_ip, isk->udp->local_ip); /* the bound address again */
		return 0;
	}
	ip_addr_t ip;
	u16 port;
	int err = inet_dgram_addr_in(isk, addr, len, &ip, &port, -EAFNOSUPPORT);
	if (err)
		return err;
	if (ip_addr_isany(&ip))
		inet_any_to_loopback(&ip);
	err = inet_errno(udp_connect(isk->udp, &ip, port));
	if (err)
		return err;
	ip_addr_copy(isk->remote_ip, ip);
	isk->remote_port = port;
	note_local(isk);
	note_source(isk, &ip);
	return 0;
}

static ssize_t udp_sock_sendmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	struct inet_sock *isk = inet_of(s);
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (isk->snd_shutdown)
		return inet_pipe_error(m->flags);
	ip_addr_t ip;
	u16 port;
	if (m->name) {
		int err = inet_dgram_addr_in(isk, m->name, m->namelen, &ip, &port, -ENETUNREACH);
		if (err)
			return err;
		if (port == 0)
			return -EINVAL;
		if (ip_addr_isany(&ip))
			inet_any_to_loopback(&ip);
	} else {
		if (!isk->remote_port)
			return -EDESTADDRREQ;
		ip_addr_copy(ip, isk->remote_ip);
		port = isk->remote_port;
	}
	if (m->len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	/* A chain of pool pbufs (each within the heap's 2 KiB class, see lwipopts.h). */
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)m->len, PBUF_POOL);
	if (!p)
		return -ENOMEM;
	if (m->len && pbuf_take(p, m->buf, (u16_t)m->len) != ERR_OK) {
		pbuf_free(p);
		return -ENOMEM;
	}
	err_t e = udp_sendto(isk->udp, p, &ip, port);
	pbuf_free(p);
	if (!isk->bound && isk->udp->local_port)
		note_local(isk);
	if (e != ERR_OK)
		return e == ERR_RTE ? -ENETUNREACH : inet_errno(e);
	lwip_port_pump();
	return (ssize_t)m->len;
}

static void dgram_free(struct inet_sock *isk)
{
	struct inet_dgram *d = isk->dq;
	isk->dq = d->next;
	if (!isk->dq)
		isk->dq_tail = NULL;
	isk->dq_bytes -= d->p->tot_len;
	pbuf_free(d->p);
	kfree(d);
}

static ssize_t udp_sock_recvmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	struct inet_sock *isk = inet_of(s);
	nonblock = nonblock || (m->flags & MSG_DONTWAIT);
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	while (!isk->dq) {
		if (isk->rcv_shutdown)
			return 0;
		if (nonblock)
			return -EAGAIN;
		int err = inet_wait(isk);
		if (err)
			return err;
	}
	struct inet_dgram *d = isk->dq;
	size_t full = d->p->tot_len;
	size_t n = MIN(m->len, full);
	pbuf_copy_partial(d->p, m->buf, (u16_t)n, 0);
	if (n < full)
		m->out_flags |= MSG_TRUNC;
	if (m->name)
		m->namelen = inet_addr_out(isk, &d->from, d->port, m->name);
	if (!(m->flags & MSG_PEEK))
		dgram_free(isk);
	return (ssize_t)(m->flags & MSG_TRUNC ? full : n);
}

static int udp_sock_shutdown(struct socket *s, int how)
{
	struct inet_sock *isk = inet_of(s);
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (!isk->remote_port)
		return -ENOTCONN;
	if (how != SHUT_WR)
		isk->rcv_shutdown = true;
	if (how != SHUT_RD)
		isk->snd_shutdown = true;
	wake_up_poll(&isk->wq, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
	return 0;
}

static void udp_sock_release(struct socket *s)
{
	struct inet_sock *isk = inet_of(s);
	udp_recv(isk->udp, NULL, NULL);
	udp_remove(isk->udp);
	while (isk->dq)
		dgram_free(isk);
	kfree(isk);
}

static int udp_sock_getname(struct socket *s, void *addr, int *len, bool peer)
{
	struct inet_sock *isk = inet_of(s);
	if (peer && !isk->remote_port)
		return -ENOTCONN;
	return inet_getname(s, addr, len, peer);
}

/* As Linux's datagram_poll. */
static u32 udp_sock_poll(struct socket *s, struct file *f, struct poll_table *pt)
{
	struct inet_sock *isk = inet_of(s);
	poll_wait(pt, &isk->wq, f);
	u32 mask = EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	if (isk->dq)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (isk->rcv_shutdown)
		mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
	if (isk->rcv_shutdown && isk->snd_shutdown)
		mask |= EPOLLHUP;
	return mask;
}

static long udp_sock_ioctl(struct socket *s, unsigned cmd, uptr_t arg)
{
	struct inet_sock *isk = inet_of(s);
	int v;
	switch (cmd) {
	case FIONREAD: /* SIOCINQ: the next datagram's size */
		v = isk->dq ? (int)isk->dq->p->tot_len : 0;
		break;
	case TIOCOUTQ:
		v = 0;
		break;
	default:
		return -ENOTTY;
	}
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static int udp_sock_setsockopt(struct socket *s, int level, int name, const void *val, int len)
{
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_SNDBUF: case SO_SNDBUFFORCE: case SO_RCVBUF: case SO_RCVBUFFORCE:
		case SO_REUSEADDR: case SO_KEEPALIVE:
			return 0;
		default:
			return -ENOPROTOOPT;
		}
	}
	if (level == IPPROTO_IPV6)
		return inet_ipv6_setsockopt(inet_of(s), name, val, len);
	return level == IPPROTO_IP || level == IPPROTO_UDP ? -ENOPROTOOPT : -EOPNOTSUPP;
}

static int udp_sock_getsockopt(struct socket *s, int level, int name, void *val, int *len)
{
	int v;
	if (level == IPPROTO_IPV6) {
		int err = inet_ipv6_getsockopt(inet_of(s), name, &v);
		if (err)
			return err;
	} else if (level != SOL_SOCKET) {
		return level == IPPROTO_IP || level == IPPROTO_UDP ? -ENOPROTOOPT : -EOPNOTSUPP;
	} else {
		switch (name) {
		case SO_ERROR: v = 0; break;
		case SO_ACCEPTCONN: v = 0; break;
		default: return -ENOPROTOOPT;
		}
	}
	if (*len < 0)
		return -EINVAL;
	if (*len > (int)sizeof(v))
		*len = sizeof(v);
	memcpy(val, &v, (size_t)*len);
	return 0;
}

static int udp_sock_listen(struct socket *s, int backlog) { return -EOPNOTSUPP; }
static int udp_sock_accept(struct socket *s, struct socket **out, bool nonblock) { return -EOPNOTSUPP; }

const struct proto_ops inet_udp_ops = {
	.bind = udp_sock_bind, .connect = udp_sock_connect, .listen = udp_sock_listen,
	.accept = udp_sock_accept, .sendmsg = udp_sock_sendmsg, .recvmsg = udp_sock_recvmsg,
	.shutdown = udp_sock_shutdown, .getname = udp_sock_getname,
	.setsockopt = udp_sock_setsockopt, .getsockopt = udp_sock_getsockopt,
	.poll = udp_sock_poll, .ioctl = udp_sock_ioctl, .release = udp_sock_release,
};
