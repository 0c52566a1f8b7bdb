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
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include <linux/in.h>
#include <linux/in6.h>
#include <asm/signal.h>

int inet_create(struct socket *s)
{
	/* AF_INET6 is served by the same code: its addresses are sockaddr_in6. */
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

/* AF_INET6 sockets are dual-stack unless IPV6_V6ONLY: their pcbs take IPv4 and IPv6. */
u8 inet_pcb_type(const struct inet_sock *isk)
{
	if (isk->s->family == AF_INET)
		return IPADDR_TYPE_V4;
	return isk->v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY;
}

void inet_any(const struct inet_sock *isk, ip_addr_t *ip)
{
	if (isk->s->family == AF_INET)
		ip_addr_set_zero_ip4(ip);
	else if (isk->v6only)
		ip_addr_set_zero_ip6(ip);
	else
		ip_addr_copy(*ip, *IP_ANY_TYPE);
}

void inet_any_to_loopback(ip_addr_t *ip)
{
	if (!ip_addr_isany(ip))
		return;
	if (IP_IS_V4(ip))
		ip_addr_set_loopback(false, ip);
	else
		ip_addr_set_loopback(true, ip);
}

static int addr_in6(const struct inet_sock *isk, const void *addr, int len, ip_addr_t *ip, u16 *port)
{
	struct sockaddr_in6 sin6;
	if (len < 24)   /* SIN6_LEN_RFC2133: the scope id is optional */
		return -EINVAL;
	memset(&sin6, 0, sizeof(sin6));
	memcpy(&sin6, addr, (size_t)MIN(len, (int)sizeof(sin6)));
	if (sin6.sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	*port = lwip_ntohs(sin6.sin6_port);
	u32 w[4];
	memcpy(w, &sin6.sin6_addr, sizeof(w));
	if (w[0] == 0 && w[1] == 0 && w[2] == lwip_htonl(0xffff)) {
		/* ::ffff:a.b.c.d, an IPv4 address */
		if (isk->v6only)
			return -EINVAL;
		ip_addr_set_ip4_u32_val(*ip, w[3]);
		return 0;
	}
	if ((w[0] | w[1] | w[2] | w[3]) == 0) {
		inet_any(isk, ip);
		return 0;
	}
	IP_ADDR6(ip, w[0], w[1], w[2], w[3]);
	ip6_addr_clear_zone(ip_2_ip6(ip));
	return 0;
}

int inet_addr_in(const struct inet_sock *isk, const void *addr, int len, ip_addr_t *ip, u16 *port)
{
	if (isk->s->family == AF_INET6)
		return addr_in6(isk, addr, len, ip, port);
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

int inet_bind_addr_in(const struct inet_sock *isk, const void *addr, int len, ip_addr_t *ip,
		      u16 *port)
{
	int err = inet_addr_in(isk, addr, len, ip, port);
	if (err)
		return err;
	return inet_addr_local(ip) ? 0 : -EADDRNOTAVAIL;
}

int inet_dgram_addr_in(const struct inet_sock *isk, const void *addr, int len, ip_addr_t *ip,
		       u16 *port, int v6only_err)
{
	u16 family; /* sa_family_t */
	if (isk->s->family == AF_INET6 && len >= (int)sizeof(struct sockaddr_in) &&
	    (memcpy(&family, addr, sizeof(family)), family == AF_INET)) {
		if (isk->v6only)
			return v6only_err;
		struct sockaddr_in sin;
		memcpy(&sin, addr, sizeof(sin));
		ip_addr_set_ip4_u32_val(*ip, sin.sin_addr.s_addr);
		*port = lwip_ntohs(sin.sin_port);
		return 0;
	}
	return inet_addr_in(isk, addr, len, ip, port);
}

int inet_addr_out(const struct inet_sock *isk, const ip_addr_t *ip, u16 port, void *addr)
{
	if (isk->s->family == AF_INET6) {
		struct sockaddr_in6 sin6;
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = lwip_htons(port);
		u32 w[4] = { 0, 0, 0, 0 };
		if (IP_IS_V4(ip) && !ip4_addr_isany(ip_2_ip4(ip))) {
			w[2] = lwip_htonl(0xffff);
			w[3] = ip4_addr_get_u32(ip_2_ip4(ip));
		} else if (IP_IS_V6(ip)) {
			memcpy(w, ip_2_ip6(ip)->addr, sizeof(w));
		}
		memcpy(&sin6.sin6_addr, w, sizeof(w));
		memcpy(addr, &sin6, sizeof(sin6));
		return (int)sizeof(sin6);
	}
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
	NETIF_FOREACH(n) {
		if (IP_IS_V4(ip) && ip4_addr_cmp(ip_2_ip4(ip), netif_ip4_addr(n)))
			return true;
		if (IP_IS_V6(ip) && netif_get_ip6_addr_match(n, ip_2_ip6(ip)) >= 0)
			return true;
	}
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
		*len = inet_addr_out(isk, &isk->remote_ip, isk->remote_port, addr);
	} else {
		*len = inet_addr_out(isk, &isk->local_ip, isk->local_port, addr);
	}
	return 0;
}

/* IPPROTO_IPV6 options of an AF_INET6 socket: IPV6_V6ONLY (before bind, as Linux). */
int inet_ipv6_setsockopt(struct inet_sock *isk, int name, const void *val, int len)
{
	if (isk->s->family != AF_INET6)
		return -ENOPROTOOPT;
	if (name != IPV6_V6ONLY)
		return -ENOPROTOOPT;
	if (len < (int)sizeof(int))
		return -EINVAL;
	int v;
	memcpy(&v, val, sizeof(v));
	if (isk->bound)
		return -EINVAL;
	isk->v6only = v != 0;
	u8 type = inet_pcb_type(isk);
	if (isk->tcp) {
		IP_SET_TYPE_VAL(isk->tcp->local_ip, type);
		IP_SET_TYPE_VAL(isk->tcp->remote_ip, type);
	}
	if (isk->udp) {
		IP_SET_TYPE_VAL(isk->udp->local_ip, type);
		IP_SET_TYPE_VAL(isk->udp->remote_ip, type);
	}
	return 0;
}

int inet_ipv6_getsockopt(struct inet_sock *isk, int name, int *v)
{
	if (isk->s->family != AF_INET6 || name != IPV6_V6ONLY)
		return -ENOPROTOOPT;
	*v = isk->v6only;
	return 0;
}
