/* AF_INET sockets: socket(2) for SOCK_STREAM (TCP) and SOCK_DGRAM (UDP) over lwIP, started on
 * the first one, and what TCP and UDP share: addresses, errors, waiting. */
#include "net/inet.h"
#include "net/inet_family.h"
#include "net/lwip_port.h"
#include "proc/signal.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "errno.h"
#include "lwip/err.h"
#include "lwip/netif.h"
#include <linux/in.h>
#include <asm/signal.h>

int inet_create(struct socket *s)
{
	if (s->type == SOCK_STREAM) {
		if (s->protocol != 0 && s->protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		s->protocol = IPPROTO_TCP;
		s->ops = &inet_tcp_ops;
		/* Linux's tcp_wmem[1] and tcp_rmem[1]. */
		s->sndbuf = 16384;
		s->rcvbuf = 131072;
	} else if (s->type == SOCK_DGRAM) {
		if (s->protocol != 0 && s->protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		s->protocol = IPPROTO_UDP;
		s->ops = &inet_udp_ops;
	} else {
		/* SOCK_RAW (ICMP sockets, ping) is not there yet; other types do not exist. */
		return -ESOCKTNOSUPPORT;
	}
	lwip_port_start();
	struct inet_sock *isk = kzalloc(sizeof(*isk));
	if (!isk)
		return -ENOMEM;
	isk->s = s;
	wait_queue_init(&isk->wq);
	s->sk = isk;
	int err = s->type == SOCK_STREAM ? inet_tcp_create(isk) : inet_udp_create(isk);
	if (err) {
		kfree(isk);
		s->sk = NULL;
	}
	return err;
}

int inet_addr_in(const void *addr, int len, ip_addr_t *ip, u16 *port)
{
	struct sockaddr_in sin;
	if (len < (int)sizeof(sin))
		return -EINVAL;
	memcpy(&sin, addr, sizeof(sin));
	if (sin.sin_family != AF_INET)
		return -EAFNOSUPPORT;
	ip_addr_set_ip4_u32_val(*ip, sin.sin_addr.s_addr);
	*port = lwip_ntohs(sin.sin_port);
	return 0;
}

int inet_addr_out(const ip_addr_t *ip, u16 port, void *addr)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = lwip_htons(port);
	sin.sin_addr.s_addr = IP_IS_V4(ip) ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0;
	memcpy(addr, &sin, sizeof(sin));
	return (int)sizeof(sin);
}

bool inet_addr_unspec(const void *addr, int len)
{
	u16 family;
	if (len < (int)sizeof(family))
		return false;
	memcpy(&family, addr, sizeof(family));
	return family == AF_UNSPEC;
}

bool inet_addr_local(const ip_addr_t *ip)
{
	if (ip_addr_isany(ip))
		return true;
	struct netif *n;
	NETIF_FOREACH(n)
		if (IP_IS_V4(ip) && ip4_addr_cmp(ip_2_ip4(ip), netif_ip4_addr(n)))
			return true;
	return false;
}

int inet_errno(int lwip_err)
{
	switch (lwip_err) {
	case ERR_OK: return 0;
	case ERR_MEM: case ERR_BUF: return -ENOMEM;
	case ERR_TIMEOUT: return -ETIMEDOUT;
	case ERR_RTE: return -ENETUNREACH;
	case ERR_INPROGRESS: return -EINPROGRESS;
	case ERR_VAL: case ERR_ARG: return -EINVAL;
	case ERR_WOULDBLOCK: return -EAGAIN;
	case ERR_USE: return -EADDRINUSE;
	case ERR_ALREADY: return -EALREADY;
	case ERR_ISCONN: return -EISCONN;
	case ERR_CONN: return -ENOTCONN;
	case ERR_ABRT: return -ECONNABORTED;
	case ERR_RST: return -ECONNRESET;
	case ERR_CLSD: return -ENOTCONN;
	default: return -EIO;
	}
}

int inet_pipe_error(int msg_flags)
{
	if (!(msg_flags & MSG_NOSIGNAL))
		signal_raise(SIGPIPE);
	return -EPIPE;
}

int inet_wait(struct inet_sock *isk)
{
	return wait_on(&isk->wq, 0) == WAKE_INTERRUPT ? -ERESTARTSYS : 0;
}

int inet_getname(struct socket *s, void *addr, int *len, bool peer)
{
	struct inet_sock *isk = inet_of(s);
	if (peer) {
		if (isk->state != INET_CONNECTED && !(s->type == SOCK_DGRAM && isk->remote_port))
			return -ENOTCONN;
		*len = inet_addr_out(&isk->remote_ip, isk->remote_port, addr);
	} else {
		*len = inet_addr_out(&isk->local_ip, isk->local_port, addr);
	}
	return 0;
}
