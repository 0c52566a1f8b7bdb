/*
 * inet6: AF_INET6 over ::1. TCP: bind/listen/getsockname (sockaddr_in6),
 * connect and accept with the peer's address, data both ways, end of file;
 * a dual-stack listener on :: accepting an IPv4 client, whose address shows
 * as ::ffff:127.0.0.1; IPV6_V6ONLY (default off, EINVAL after bind); UDP
 * sendto/recvfrom over ::1; address errors.
 */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in6 addr6(const struct in6_addr *a, unsigned short port)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	s.sin6_addr = *a;
	return s;
}

static void tcp_loopback6(void)
{
	int l = socket(AF_INET6, SOCK_STREAM, 0);
	check(l >= 0, "socket", "%s", errno_name(errno));
	int v = -1;
	socklen_t len = sizeof(v);
	check_ok("v6only get", getsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len));
	check_eq("v6only default", v, 0);
	len = sizeof(v);
	getsockopt(l, SOL_SOCKET, SO_DOMAIN, &v, &len);
	check_eq("so_domain", v, AF_INET6);
	struct sockaddr_in6 a = addr6(&in6addr_loopback, 0);
	check_ok("bind ::1", bind(l, (struct sockaddr *)&a, sizeof(a)));
	v = 1;
	check_errno("v6only after bind", setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)), EINVAL);
	check_ok("listen", listen(l, 4));
	len = sizeof(a);
	check_ok("getsockname", getsockname(l, (struct sockaddr *)&a, &len));
	check_eq("getsockname len", len, sizeof(a));
	check_eq("getsockname family", a.sin6_family, AF_INET6);
	check_eq("getsockname addr", memcmp(&a.sin6_addr, &in6addr_loopback, 16), 0);
	check(a.sin6_port != 0, "getsockname port", "0");

	int c = socket(AF_INET6, SOCK_STREAM, 0);
	check_ok("connect ::1", connect(c, (struct sockaddr *)&a, sizeof(a)));
	struct sockaddr_in6 from;
	len = sizeof(from);
	int s = accept(l, (struct sockaddr *)&from, &len);
	check(s >= 0, "accept", "%s", errno_name(errno));
	check_eq("accept addr len", len, sizeof(from));
	check_eq("accept peer addr", memcmp(&from.sin6_addr, &in6addr_loopback, 16), 0);
	struct sockaddr_in6 cme;
	len = sizeof(cme);
	getsockname(c, (struct sockaddr *)&cme, &len);
	check_eq("accept peer port", from.sin6_port, cme.sin6_port);
	check_eq("send", send(c, "over six", 8, 0), 8);
	char buf[32] = { 0 };
	check_eq("recv", recv(s, buf, sizeof(buf), 0), 8);
	check_eq("recv data", memcmp(buf, "over six", 8), 0);
	check_eq("reply", send(s, "ok", 2, 0), 2);
	check_eq("reply recv", recv(c, buf, sizeof(buf), 0), 2);
	close(s);
	check_eq("eof", recv(c, buf, sizeof(buf), 0), 0);
	close(c);
	close(l);

	struct sockaddr_in v4 = { .sin_family = AF_INET };
	c = socket(AF_INET6, SOCK_STREAM, 0);
	check_errno("bind v4 sockaddr", bind(c, (struct sockaddr *)&v4, sizeof(v4)), EINVAL);
	a = addr6(&in6addr_loopback, 0);
	a.sin6_family = AF_INET;
	check_errno("bind wrong family", bind(c, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	close(c);
}

static void dual_stack(void)
{
	int l = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a = addr6(&in6addr_any, 0);
	check_ok("bind ::", bind(l, (struct sockaddr *)&a, sizeof(a)));
	check_ok("listen ::", listen(l, 4));
	socklen_t len = sizeof(a);
	getsockname(l, (struct sockaddr *)&a, &len);
	struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_port = a.sin6_port };
	v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	check_ok("connect v4 to dual stack", connect(c, (struct sockaddr *)&v4, sizeof(v4)));
	struct sockaddr_in6 from;
	len = sizeof(from);
	int s = accept(l, (struct sockaddr *)&from, &len);
	check(s >= 0, "accept v4 client", "%s", errno_name(errno));
	check_eq("v4 client is mapped", IN6_IS_ADDR_V4MAPPED(&from.sin6_addr), 1);
	check_eq("mapped address", from.sin6_addr.s6_addr32[3], htonl(INADDR_LOOPBACK));
	check_eq("send v4", send(c, "mapped", 6, 0), 6);
	char buf[16];
	check_eq("recv on v6", recv(s, buf, sizeof(buf), 0), 6);
	close(s);
	close(c);
	close(l);
}

static void udp6(void)
{
	int r = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a = addr6(&in6addr_loopback, 0);
	check_ok("udp bind ::1", bind(r, (struct sockaddr *)&a, sizeof(a)));
	socklen_t len = sizeof(a);
	getsockname(r, (struct sockaddr *)&a, &len);
	int s = socket(AF_INET6, SOCK_DGRAM, 0);
	check_eq("udp sendto", sendto(s, "dgram6", 6, 0, (struct sockaddr *)&a, sizeof(a)), 6);
	struct sockaddr_in6 from;
	len = sizeof(from);
	char buf[16];
	check_eq("udp recvfrom", recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len), 6);
	check_eq("udp from len", len, sizeof(from));
	check_eq("udp from addr", memcmp(&from.sin6_addr, &in6addr_loopback, 16), 0);
	close(s);
	close(r);
}

/* An AF_INET6 datagram socket takes a plain sockaddr_in as its peer (glibc's getaddrinfo does
 * this when it sorts addresses), unless it is IPV6_V6ONLY. */
static void udp6_to_ipv4(void)
{
	int r = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	bind(r, (struct sockaddr *)&a, sizeof(a));
	socklen_t len = sizeof(a);
	getsockname(r, (struct sockaddr *)&a, &len);
	int s = socket(AF_INET6, SOCK_DGRAM, 0);
	check_ok("udp6 connect sockaddr_in", connect(s, (struct sockaddr *)&a, sizeof(a)));
	struct sockaddr_in6 peer;
	len = sizeof(peer);
	check_ok("udp6 getpeername", getpeername(s, (struct sockaddr *)&peer, &len));
	check(peer.sin6_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&peer.sin6_addr) &&
	      peer.sin6_port == a.sin_port, "udp6 peer mapped", "family %d", peer.sin6_family);
	struct sockaddr_in6 me;
	len = sizeof(me);
	check_ok("udp6 getsockname", getsockname(s, (struct sockaddr *)&me, &len));
	/* the source the route to 127.0.0.1 gives, as getaddrinfo's sorting expects */
	check(IN6_IS_ADDR_V4MAPPED(&me.sin6_addr) && me.sin6_addr.s6_addr[12] == 127,
	      "udp6 name is the mapped source", "not ::ffff:127.x");
	check_eq("udp6 send", send(s, "v4", 2, 0), 2);
	char buf[8];
	check_eq("udp4 receives", recv(r, buf, sizeof(buf), 0), 2);
	check_eq("udp6 sendto sockaddr_in", sendto(s, "v4", 2, 0, (struct sockaddr *)&a, sizeof(a)), 2);
	check_eq("udp4 receives again", recv(r, buf, sizeof(buf), 0), 2);
	int one = 1, o = socket(AF_INET6, SOCK_DGRAM, 0);
	setsockopt(o, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	check_errno("v6only connect sockaddr_in", connect(o, (struct sockaddr *)&a, sizeof(a)),
		    EAFNOSUPPORT);
	check_errno("v6only sendto sockaddr_in", sendto(o, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)),
		    ENETUNREACH);
	close(o);
	close(s);
	close(r);
}

int main(void)
{
	check_init("inet6");
	udp6_to_ipv4();
	tcp_loopback6();
	dual_stack();
	udp6();
	return check_done();
}
