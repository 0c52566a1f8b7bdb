/* TCP sockets over lwIP's raw API. lwIP calls back (recv, sent, err, accept, connected) while
 * the kernel runs its input: for loopback inside lwip_port_pump, which every call here that
 * may have sent runs before it returns, so a connection to 127.0.0.1 is set up, and data
 * reach the peer's queue, before connect or send returns. Received data wait in the socket as
 * lwIP's pbufs; the window opens again (tcp_recved) as the app reads them. */
#include "net/inet.h"
#include "net/lwip_port.h"
#include "fs/poll.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "errno.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include <linux/in.h>
#include <linux/tcp.h>
#include <asm/ioctls.h>
#include <linux/eventpoll.h>

static void tcp_attach(struct inet_sock *isk, struct tcp_pcb *pcb);

#define QUICKACKS 16 /* Linux's TCP_MAX_QUICKACKS */

/* ---- lwIP's callbacks ------------------------------------------------------------------ */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct inet_sock *isk = arg;
	if (!p) {
		isk->rcv_shutdown = true;
		wake_up_poll(&isk->wq, EPOLLIN | EPOLLRDNORM | EPOLLRDHUP);
		return ERR_OK;
	}
	if (isk->rx)
		pbuf_cat(isk->rx, p);
	else
		isk->rx = p;
	isk->rx_len += p->tot_len;
	/* A young connection acknowledges at once, as Linux's quickack mode does for its first
	 * segments (a sender's Nagle then never waits on our delayed ACK while it starts); later
	 * ones wait for the reply to carry the ACK (lwip_port.c). */
	if (isk->quickacks < QUICKACKS) {
		isk->quickacks++;
		tcp_ack_now(pcb);
	}
	wake_up_poll(&isk->wq, EPOLLIN | EPOLLRDNORM);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct inet_sock *isk = arg;
	wake_up_poll(&isk->wq, EPOLLOUT | EPOLLWRNORM);
	return ERR_OK;
}

/* The pcb is gone (lwIP freed it): a reset, a refused connect, or an abort. */
static void on_err(void *arg, err_t err)
{
	struct inet_sock *isk = arg;
	isk->tcp = NULL;
	if (isk->state == INET_CONNECTING)
		isk->err = ECONNREFUSED;
	else if (err == ERR_RST)
		isk->err = ECONNRESET;
	else if (err == ERR_ABRT || err == ERR_TIMEOUT)
		isk->err = err == ERR_TIMEOUT ? ETIMEDOUT : ECONNABORTED;
	isk->state = INET_CLOSED;
	isk->rcv_shutdown = isk->snd_shutdown = true;
	wake_up_poll(&isk->wq, EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDHUP);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct inet_sock *isk = arg;
	isk->state = INET_CONNECTED;
	ip_addr_copy(isk->local_ip, pcb->local_ip);
	isk->local_port = pcb->local_port;
	wake_up_poll(&isk->wq, EPOLLOUT | EPOLLWRNORM);
	return ERR_OK;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct inet_sock *lsk = arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	struct socket *s = socket_alloc(lsk->s);
	struct inet_sock *isk = s ? kzalloc(sizeof(*isk)) : NULL;
	if (!isk) {
		kfree(s);
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	s->sk = isk;
	s->sndbuf = lsk->s->sndbuf;
	s->rcvbuf = lsk->s->rcvbuf;
	isk->s = s;
	wait_queue_init(&isk->wq);
	isk->state = INET_CONNECTED;
	isk->bound = true;
	isk->nodelay = lsk->nodelay;
	tcp_attach(isk, pcb);
	/* It counts against the listener's backlog until the app accepts it (tcp_sock_accept), so
	 * lwIP ignores new SYNs while backlog + 1 wait, as Linux's full accept queue does. */
	tcp_backlog_delayed(pcb);
	if (isk->nodelay)
		tcp_nagle_disable(pcb);
	ip_addr_copy(isk->local_ip, pcb->local_ip);
	isk->local_port = pcb->local_port;
	ip_addr_copy(isk->remote_ip, pcb->remote_ip);
	isk->remote_port = pcb->remote_port;
	if (lsk->acceptq_tail)
		lsk->acceptq_tail->next_conn = isk;
	else
		lsk->acceptq = isk;
	lsk->acceptq_tail = isk;
	wake_up_poll(&lsk->wq, EPOLLIN | EPOLLRDNORM);
	return ERR_OK;
}

static void tcp_attach(struct inet_sock *isk, struct tcp_pcb *pcb)
{
	isk->tcp = pcb;
	tcp_arg(pcb, isk);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
}

/* Cuts the pcb loose from the socket: lwIP finishes (or drops) the connection on its own. */
static void tcp_detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	if (pcb->state != LISTEN) {
		tcp_recv(pcb, NULL);   /* tcp_recv_null: drops data, closes on FIN */
		tcp_sent(pcb, NULL);
		tcp_err(pcb, NULL);
	} else {
		tcp_accept(pcb, NULL);
	}
}

int inet_tcp_create(struct inet_sock *isk)
{
	struct tcp_pcb *pcb = tcp_new_ip_type(inet_pcb_type(isk));
	if (!pcb)
		return -ENOMEM;
	tcp_attach(isk, pcb);
	return 0;
}

/* ---- the socket's operations ----------------------------------------------------------- */

static int tcp_sock_bind(struct socket *s, const void *addr, int len)
{
	struct inet_sock *isk = inet_of(s);
	ip_addr_t ip;
	u16 port;
	int err = inet_bind_addr_in(isk, addr, len, &ip, &port);
	if (err)
		return err;
	if (isk->bound || !isk->tcp || isk->state != INET_CLOSED)
		return -EINVAL;
	if (s->reuseaddr)
		ip_set_option(isk->tcp, SOF_REUSEADDR);
	else
		ip_reset_option(isk->tcp, SOF_REUSEADDR);
	err = inet_errno(tcp_bind(isk->tcp, &ip, port));
	if (err)
		return err;
	isk->bound = true;
	ip_addr_copy(isk->local_ip, ip);
	isk->local_port = isk->tcp->local_port;
	return 0;
}

static int autobind(struct inet_sock *isk)
{
	if (isk->bound)
		return 0;
	ip_addr_t any;
	inet_any(isk, &any);
	int err = inet_errno(tcp_bind(isk->tcp, &any, 0));
	if (err)
		return err;
	isk->bound = true;
	isk->local_port = isk->tcp->local_port;
	return 0;
}

static int tcp_sock_listen(struct socket *s, int backlog)
{
	struct inet_sock *isk = inet_of(s);
	if (isk->state == INET_LISTEN) {
		/* Linux only updates the backlog. */
		return 0;
	}
	if (isk->state != INET_CLOSED || !isk->tcp)
		return -EINVAL;
	if (backlog < 0)
		backlog = 0;
	if (backlog > 4096)
		backlog = 4096;
	int err = autobind(isk);
	if (err)
		return err;
	err_t lerr;
	/* Linux accepts backlog + 1 connections before it stops answering. */
	u8_t lwip_backlog = (u8_t)MIN(backlog + 1, 255);
	struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(isk->tcp, lwip_backlog, &lerr);
	if (!lpcb)
		return inet_errno(lerr);
	isk->tcp = lpcb;   /* the old pcb is freed */
	tcp_arg(lpcb, isk);
	tcp_accept(lpcb, on_accept);
	isk->state = INET_LISTEN;
	return 0;
}

static int tcp_sock_accept(struct socket *s, struct socket **out, bool nonblock)
{
	struct inet_sock *lsk = inet_of(s);
	if (lsk->state != INET_LISTEN)
		return -EINVAL;
	while (!lsk->acceptq) {
		if (nonblock)
			return -EAGAIN;
		int err = inet_wait(lsk);
		if (err)
			return err;
		if (lsk->state != INET_LISTEN)
			return -EINVAL;
	}
	struct inet_sock *isk = lsk->acceptq;
	lsk->acceptq = isk->next_conn;
	if (!lsk->acceptq)
		lsk->acceptq_tail = NULL;
	isk->next_conn = NULL;
	if (isk->tcp)
		tcp_backlog_accepted(isk->tcp);
	*out = isk->s;
	return 0;
}

static int tcp_sock_connect(struct socket *s, const void *addr, int len, bool nonblock)
{
	struct inet_sock *isk = inet_of(s);
	if (inet_addr_unspec(addr, len)) {
		/* Linux's disconnect: a connected socket is aborted and may connect again. */
		return isk->state == INET_CLOSED ? 0 : -EOPNOTSUPP;
	}
	ip_addr_t ip;
	u16 port;
	int err = inet_addr_in(isk, addr, len, &ip, &port);
	if (err)
		return err;
	switch (isk->state) {
	case INET_CONNECTED:
		if (isk->connect_unreported) {
			isk->connect_unreported = false;
			return 0;
		}
		return -EISCONN;
	case INET_LISTEN:
		return -EISCONN;
	case INET_CONNECTING:
		if (nonblock)
			return -EALREADY;
		break;
	case INET_CLOSED:
		if (isk->err) {
			/* A refused non-blocking connect reports its error once. */
			err = -isk->err;
			isk->err = 0;
			return err;
		}
		if (!isk->tcp) {
			/* The last attempt failed and lwIP freed its pcb: start afresh. */
			struct tcp_pcb *pcb = tcp_new_ip_type(inet_pcb_type(isk));
			if (!pcb)
				return -ENOMEM;
			tcp_attach(isk, pcb);
			isk->bound = false;
			isk->rcv_shutdown = isk->snd_shutdown = false;
		}
		if (ip_addr_isany(&ip))
			inet_any_to_loopback(&ip);   /* Linux connects INADDR_ANY to itself */
		isk->state = INET_CONNECTING;
		ip_addr_copy(isk->remote_ip, ip);
		isk->remote_port = port;
		err = inet_errno(tcp_connect(isk->tcp, &ip, port, on_connected));
		if (err) {
			isk->state = INET_CLOSED;
			return err;
		}
		isk->bound = true;
		isk->local_port = isk->tcp->local_port;
		lwip_port_pump();
		if (nonblock) {
			isk->connect_unreported = true;
			return -EINPROGRESS;
		}
		break;
	}
	while (isk->state == INET_CONNECTING) {
		if (nonblock)
			return -EALREADY;
		err = inet_wait(isk);
		if (err)
			return err;
	}
	isk->connect_unreported = false;
	if (isk->state == INET_CONNECTED)
		return 0;
	err = isk->err ? -isk->err : -ECONNREFUSED;
	isk->err = 0;
	return err;
}

static ssize_t tcp_sock_sendmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	struct inet_sock *isk = inet_of(s);
	nonblock = nonblock || (m->flags & MSG_DONTWAIT);
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	size_t sent = 0;
	for (;;) {
		if (isk->err && isk->state == INET_CLOSED && !sent) {
			int err = -isk->err;
			isk->err = 0;
			return err == -ECONNREFUSED ? err : (err == -ECONNRESET ? err : inet_pipe_error(m->flags));
		}
		if (isk->state == INET_CONNECTING) {
			if (nonblock)
				return sent ? (ssize_t)sent : -EAGAIN;
			int err = inet_wait(isk);
			if (err)
				return sent ? (ssize_t)sent : err;
			continue;
		}
		if (isk->state != INET_CONNECTED || isk->snd_shutdown || !isk->tcp)
			return sent ? (ssize_t)sent : inet_pipe_error(m->flags);
		if (sent == m->len)
			return (ssize_t)sent;
		size_t room = tcp_sndbuf(isk->tcp);
		if (tcp_sndqueuelen(isk->tcp) >= TCP_SND_QUEUELEN - 1)
			room = 0;
		if (room) {
			size_t n = MIN(room, m->len - sent);
			n = MIN(n, (size_t)0xffff);
			u8_t flags = TCP_WRITE_FLAG_COPY;
			if ((m->flags & MSG_MORE) || sent + n < m->len)
				flags |= TCP_WRITE_FLAG_MORE;
			err_t e = tcp_write(isk->tcp, (const u8 *)m->buf + sent, (u16_t)n, flags);
			if (e == ERR_OK) {
				sent += n;
				tcp_output(isk->tcp);
				lwip_port_pump();
				continue;
			}
			if (e != ERR_MEM)
				return sent ? (ssize_t)sent : inet_errno(e);
			/* ERR_MEM: the queue is full; wait for ACKs as when there is no room. */
		}
		if (nonblock)
			return sent ? (ssize_t)sent : -EAGAIN;
		int err = inet_wait(isk);
		if (err)
			return sent ? (ssize_t)sent : err;
	}
}

/* Takes n bytes off the front of the receive queue and opens the window by as much. */
static void rx_consume(struct inet_sock *isk, size_t n)
{
	isk->rx = pbuf_free_header(isk->rx, (u16_t)n);
	isk->rx_len -= n;
	if (isk->tcp) {
		tcp_recved(isk->tcp, (u16_t)n);
		lwip_port_pump();
	}
}

static ssize_t tcp_sock_recvmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	struct inet_sock *isk = inet_of(s);
	nonblock = nonblock || (m->flags & MSG_DONTWAIT);
	if (m->flags & MSG_OOB)
		return -EINVAL;
	if (m->name)
		m->namelen = 0;   /* TCP reports no source address (an empty one), as Linux */
	for (;;) {
		if (isk->rx_len) {
			size_t n = MIN(m->len, isk->rx_len);
			n = MIN(n, (size_t)0xffff);   /* pbuf offsets are 16-bit */
			pbuf_copy_partial(isk->rx, m->buf, (u16_t)n, 0);
			if (!(m->flags & MSG_PEEK))
				rx_consume(isk, n);
			return (ssize_t)n;
		}
		if (isk->err && isk->state == INET_CLOSED) {
			int err = -isk->err;
			isk->err = 0;
			return err == -ECONNREFUSED || err == -ECONNRESET || err == -ETIMEDOUT ? err : 0;
		}
		if (isk->rcv_shutdown)
			return 0;
		if (isk->state == INET_LISTEN || isk->state == INET_CLOSED)
			return -ENOTCONN;
		if (m->len == 0)
			return 0;
		if (nonblock)
			return -EAGAIN;
		int err = inet_wait(isk);
		if (err)
			return err;
	}
}

static int tcp_sock_shutdown(struct socket *s, int how)
{
	struct inet_sock *isk = inet_of(s);
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (isk->state == INET_LISTEN) {
		/* Linux closes the listener: blocked accepts return EINVAL. */
		if (how == SHUT_WR)
			return 0;
		isk->rcv_shutdown = true;
		wake_up_poll(&isk->wq, EPOLLIN | EPOLLHUP);
		return 0;
	}
	if (isk->state != INET_CONNECTED && isk->state != INET_CONNECTING)
		return -ENOTCONN;
	if (how != SHUT_WR)
		isk->rcv_shutdown = true;
	if (how != SHUT_RD && !isk->snd_shutdown) {
		isk->snd_shutdown = true;
		if (isk->tcp) {
			tcp_shutdown(isk->tcp, 0, 1);
			lwip_port_pump();
		}
	}
	wake_up_poll(&isk->wq, EPOLLIN | EPOLLOUT | EPOLLRDHUP |
		     (isk->rcv_shutdown && isk->snd_shutdown ? EPOLLHUP : 0));
	return 0;
}

static void release_sock(struct inet_sock *isk);

static void tcp_sock_release(struct socket *s)
{
	release_sock(inet_of(s));
}

static void release_sock(struct inet_sock *isk)
{
	/* Connections nobody accepted are reset, as Linux does on closing a listener. */
	while (isk->acceptq) {
		struct inet_sock *c = isk->acceptq;
		isk->acceptq = c->next_conn;
		if (c->tcp) {
			tcp_detach(c->tcp);
			tcp_abort(c->tcp);
			c->tcp = NULL;
		}
		if (c->rx)
			pbuf_free(c->rx);
		struct socket *cs = c->s;
		kfree(c);
		kfree(cs);
	}
	struct tcp_pcb *pcb = isk->tcp;
	if (pcb) {
		tcp_detach(pcb);
		if (pcb->state == LISTEN || pcb->state == CLOSED) {
			tcp_close(pcb);
		} else if (isk->rx_len || (isk->linger.l_onoff && isk->linger.l_linger == 0)) {
			tcp_abort(pcb);   /* unread data, or a zero linger: a reset, as Linux */
		} else if (tcp_close(pcb) != ERR_OK) {
			tcp_abort(pcb);
		}
		isk->tcp = NULL;
		lwip_port_pump();
	}
	if (isk->rx)
		pbuf_free(isk->rx);
	kfree(isk);
}

static int tcp_sock_getname(struct socket *s, void *addr, int *len, bool peer)
{
	return inet_getname(s, addr, len, peer);
}

static u32 tcp_sock_poll(struct socket *s, struct file *f, struct poll_table *pt)
{
	struct inet_sock *isk = inet_of(s);
	poll_wait(pt, &isk->wq, f);
	if (isk->state == INET_LISTEN)
		return isk->acceptq ? EPOLLIN | EPOLLRDNORM : 0;
	u32 mask = 0;
	/* As Linux's tcp_poll. */
	if ((isk->rcv_shutdown && isk->snd_shutdown) || isk->state == INET_CLOSED)
		mask |= EPOLLHUP;
	if (isk->rcv_shutdown)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (isk->state != INET_CONNECTING) {
		if (isk->rx_len)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (isk->snd_shutdown || isk->state != INET_CONNECTED || !isk->tcp)
			mask |= EPOLLOUT | EPOLLWRNORM;
		else if (tcp_sndbuf(isk->tcp) > 0 && tcp_sndqueuelen(isk->tcp) < TCP_SND_QUEUELEN - 1)
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	if (isk->err)
		mask |= EPOLLERR;
	return mask;
}

static long tcp_sock_ioctl(struct socket *s, unsigned cmd, uptr_t arg)
{
	struct inet_sock *isk = inet_of(s);
	int v;
	switch (cmd) {
	case FIONREAD: /* SIOCINQ */
		if (isk->state == INET_LISTEN)
			return -EINVAL;
		v = (int)isk->rx_len;
		break;
	case TIOCOUTQ: /* SIOCOUTQ */
		if (isk->state == INET_LISTEN)
			return -EINVAL;
		v = isk->tcp && isk->state == INET_CONNECTED ? TCP_SND_BUF - tcp_sndbuf(isk->tcp) : 0;
		break;
	default:
		return -ENOTTY;
	}
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static int tcp_sock_setsockopt(struct socket *s, int level, int name, const void *val, int len)
{
	struct inet_sock *isk = inet_of(s);
	if (level == SOL_SOCKET) {
		if (name == SO_SNDBUF || name == SO_SNDBUFFORCE)
			return 0;   /* lwIP's send buffer is fixed; the size is only reported */
		if (name == SO_REUSEADDR || name == SO_RCVBUF || name == SO_RCVBUFFORCE)
			return 0;
		if (name == SO_LINGER) {
			if (len < (int)sizeof(isk->linger))
				return -EINVAL;
			memcpy(&isk->linger, val, sizeof(isk->linger));
			return 0;
		}
		if (name == SO_KEEPALIVE) {
			if (isk->tcp && isk->tcp->state != LISTEN) {
				if (s->keepalive)
					ip_set_option(isk->tcp, SOF_KEEPALIVE);
				else
					ip_reset_option(isk->tcp, SOF_KEEPALIVE);
			}
			return 0;
		}
		return -ENOPROTOOPT;
	}
	if (level == IPPROTO_IPV6)
		return inet_ipv6_setsockopt(isk, name, val, len);
	if (level != IPPROTO_TCP)
		return level == IPPROTO_IP ? -ENOPROTOOPT : -EOPNOTSUPP;
	if (len < (int)sizeof(int))
		return -EINVAL;
	int v;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case TCP_NODELAY:
		isk->nodelay = v != 0;
		if (isk->tcp && isk->tcp->state != LISTEN) {
			if (isk->nodelay)
				tcp_nagle_disable(isk->tcp);
			else
				tcp_nagle_enable(isk->tcp);
		}
		return 0;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
	case TCP_KEEPCNT:
		if (v < 1 || v > 32767)
			return -EINVAL;
		return 0;   /* accepted; lwIP's keepalive uses its own timings */
	default:
		return -ENOPROTOOPT;
	}
}

static int tcp_sock_getsockopt(struct socket *s, int level, int name, void *val, int *len)
{
	struct inet_sock *isk = inet_of(s);
	int v;
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_ERROR:
			v = isk->err;
			isk->err = 0;
			break;
		case SO_ACCEPTCONN:
			v = isk->state == INET_LISTEN;
			break;
		case SO_LINGER: {
			struct inet_linger l = { isk->linger.l_onoff != 0, isk->linger.l_linger };
			if (*len < 0)
				return -EINVAL;
			if (*len > (int)sizeof(l))
				*len = sizeof(l);
			memcpy(val, &l, (size_t)*len);
			return 0;
		}
		default:
			return -ENOPROTOOPT;
		}
	} else if (level == IPPROTO_TCP) {
		switch (name) {
		case TCP_NODELAY:
			v = isk->nodelay;
			break;
		case TCP_MAXSEG:
			v = isk->tcp && isk->state == INET_CONNECTED ? isk->tcp->mss : 536;
			break;
		default:
			return -ENOPROTOOPT;
		}
	} else if (level == IPPROTO_IPV6) {
		int err = inet_ipv6_getsockopt(isk, name, &v);
		if (err)
			return err;
	} else {
		return level == IPPROTO_IP ? -ENOPROTOOPT : -EOPNOTSUPP;
	}
	if (*len < 0)
		return -EINVAL;
	if (*len > (int)sizeof(v))
		*len = sizeof(v);
	memcpy(val, &v, (size_t)*len);
	return 0;
}

const struct proto_ops inet_tcp_ops = {
	.bind = tcp_sock_bind, .connect = tcp_sock_connect, .listen = tcp_sock_listen,
	.accept = tcp_sock_accept, .sendmsg = tcp_sock_sendmsg, .recvmsg = tcp_sock_recvmsg,
	.shutdown = tcp_sock_shutdown, .getname = tcp_sock_getname,
	.setsockopt = tcp_sock_setsockopt, .getsockopt = tcp_sock_getsockopt,
	.poll = tcp_sock_poll, .ioctl = tcp_sock_ioctl, .release = tcp_sock_release,
};
