/*
 * inet_udp: UDP over 127.0.0.1. bind with a kernel-picked port, sendto and
 * recvfrom with the source address, message boundaries, MSG_PEEK, MSG_TRUNC
 * (in and out), FIONREAD, an empty datagram, MSG_DONTWAIT, connect (send and
 * getpeername; AF_UNSPEC disconnects), EDESTADDRREQ, EADDRINUSE, poll
 * readiness, and a request/reply between two threads.
 */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static short revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

/* A UDP socket bound to 127.0.0.1 with a port the kernel picked. */
static int bound(struct sockaddr_in *addr)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	check_ok("bind", bind(s, (struct sockaddr *)&a, sizeof(a)));
	socklen_t len = sizeof(*addr);
	check_ok("getsockname", getsockname(s, (struct sockaddr *)addr, &len));
	return s;
}

static void datagrams(void)
{
	struct sockaddr_in ra, sa;
	int r = bound(&ra);
	int s = bound(&sa);
	check(ra.sin_port != 0, "bound port", "0");
	int v;
	socklen_t len = sizeof(v);
	getsockopt(r, SOL_SOCKET, SO_PROTOCOL, &v, &len);
	check_eq("so_protocol", v, IPPROTO_UDP);
	check_eq("empty poll", revents(r, POLLIN | POLLOUT), POLLOUT);
	char buf[64];
	check_errno("recv empty", recv(r, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);

	check_eq("sendto one", sendto(s, "first", 5, 0, (struct sockaddr *)&ra, sizeof(ra)), 5);
	check_eq("sendto two", sendto(s, "second!", 7, 0, (struct sockaddr *)&ra, sizeof(ra)), 7);
	check_eq("sendto empty", sendto(s, "", 0, 0, (struct sockaddr *)&ra, sizeof(ra)), 0);
	check_eq("ready poll", revents(r, POLLIN | POLLOUT), POLLIN | POLLOUT);
	int avail = -1;
	check_ok("fionread", ioctl(r, FIONREAD, &avail));
	check_eq("fionread first datagram", avail, 5);
	check_eq("peek", recv(r, buf, sizeof(buf), MSG_PEEK), 5);
	struct sockaddr_in from;
	len = sizeof(from);
	memset(buf, 0, sizeof(buf));
	check_eq("recvfrom", recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len), 5);
	check_eq("recvfrom data", memcmp(buf, "first", 5), 0);
	check_eq("recvfrom len", len, sizeof(from));
	check_eq("recvfrom port", from.sin_port, sa.sin_port);
	check_eq("recvfrom addr", ntohl(from.sin_addr.s_addr), INADDR_LOOPBACK);
	/* A short buffer cuts the datagram; the rest is gone. MSG_TRUNC returns its length. */
	check_eq("recv trunc flag", recv(r, buf, 3, MSG_TRUNC | MSG_PEEK), 7);
	struct iovec iov = { .iov_base = buf, .iov_len = 3 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	check_eq("recvmsg short", recvmsg(r, &mh, 0), 3);
	check_eq("recvmsg msg_trunc", mh.msg_flags & MSG_TRUNC, MSG_TRUNC);
	check_eq("recv empty datagram", recv(r, buf, sizeof(buf), 0), 0);
	check_errno("recv drained", recv(r, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);

	check_errno("send unconnected", send(s, "x", 1, 0), EDESTADDRREQ);
	len = sizeof(from);
	check_errno("getpeername unconnected", getpeername(s, (struct sockaddr *)&from, &len), ENOTCONN);
	check_ok("connect", connect(s, (struct sockaddr *)&ra, sizeof(ra)));
	len = sizeof(from);
	check_ok("getpeername", getpeername(s, (struct sockaddr *)&from, &len));
	check_eq("getpeername port", from.sin_port, ra.sin_port);
	check_eq("send connected", send(s, "hi", 2, 0), 2);
	check_eq("write connected", write(s, "yo", 2), 2);
	check_eq("recv connected", recv(r, buf, sizeof(buf), 0), 2);
	check_eq("read connected", read(r, buf, sizeof(buf)), 2);
	check_eq("read data", memcmp(buf, "yo", 2), 0);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	check_ok("disconnect", connect(s, &unspec, sizeof(unspec)));
	check_errno("send after disconnect", send(s, "x", 1, 0), EDESTADDRREQ);

	int d = socket(AF_INET, SOCK_DGRAM, 0);
	check_errno("bind in use", bind(d, (struct sockaddr *)&ra, sizeof(ra)), EADDRINUSE);
	check_errno("listen", listen(d, 1), EOPNOTSUPP);
	/* An unbound socket gets a port on its first send. */
	check_eq("sendto unbound", sendto(d, "z", 1, 0, (struct sockaddr *)&ra, sizeof(ra)), 1);
	struct sockaddr_in dme;
	len = sizeof(dme);
	getsockname(d, (struct sockaddr *)&dme, &len);
	check(dme.sin_port != 0, "autobound port", "0");
	len = sizeof(from);
	check_eq("recvfrom autobound", recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len), 1);
	check_eq("autobound source", from.sin_port, dme.sin_port);
	close(d);
	close(s);
	close(r);
}

/* ---- request and reply between two threads ------------------------------------------- */

static void *replier(void *arg)
{
	int r = *(int *)arg;
	for (int i = 0; i < 50; i++) {
		char buf[256];
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
		if (n <= 0)
			return (void *)1L;
		for (ssize_t k = 0; k < n; k++)
			buf[k] = (char)(buf[k] + 1);
		if (sendto(r, buf, (size_t)n, 0, (struct sockaddr *)&from, len) != n)
			return (void *)2L;
	}
	return NULL;
}

static void request_reply(void)
{
	struct sockaddr_in ra, sa;
	int r = bound(&ra);
	int s = bound(&sa);
	pthread_t t;
	pthread_create(&t, NULL, replier, &r);
	int good = 0;
	for (int i = 0; i < 50; i++) {
		char out[200], in[256];
		memset(out, 'a' + i % 20, sizeof(out));
		if (sendto(s, out, sizeof(out), 0, (struct sockaddr *)&ra, sizeof(ra)) != (ssize_t)sizeof(out))
			break;
		ssize_t n = recv(s, in, sizeof(in), 0);
		if (n == (ssize_t)sizeof(out) && in[0] == 'a' + i % 20 + 1 && in[199] == in[0])
			good++;
	}
	check_eq("replies", good, 50);
	void *ret;
	pthread_join(t, &ret);
	check_eq("replier", (long)ret, 0);
	close(s);
	close(r);
}

int main(void)
{
	check_init("inet_udp");
	datagrams();
	request_reply();
	return check_done();
}
