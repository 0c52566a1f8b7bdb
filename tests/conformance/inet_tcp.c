/*
 * inet_tcp: TCP over 127.0.0.1. Socket options and the readiness of a fresh
 * socket; bind/listen/getsockname, EADDRINUSE, ECONNREFUSED (blocking and
 * non-blocking), an echo between two threads (100 KiB each way, shutdown and
 * end of file), non-blocking connect and accept under epoll (EINPROGRESS,
 * EPOLLOUT, SO_ERROR, EAGAIN), MSG_PEEK/MSG_DONTWAIT/FIONREAD, EPOLLRDHUP when
 * the peer closes, EPIPE with SIGPIPE and MSG_NOSIGNAL, ENOTCONN; a connection
 * left idle across lwIP's timers; SO_LINGER 0 resets on close.
 */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

static short revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static struct sockaddr_in loopback(unsigned short port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A listener on 127.0.0.1 with a port the kernel picked; *addr gets its address. */
static int listener(struct sockaddr_in *addr, int type_flags)
{
	int s = socket(AF_INET, SOCK_STREAM | type_flags, 0);
	struct sockaddr_in a = loopback(0);
	check_ok("listener bind", bind(s, (struct sockaddr *)&a, sizeof(a)));
	check_ok("listener listen", listen(s, 8));
	socklen_t len = sizeof(*addr);
	check_ok("listener getsockname", getsockname(s, (struct sockaddr *)addr, &len));
	return s;
}

/* A port nobody listens on: bound once, then closed. */
static unsigned short dead_port(void)
{
	struct sockaddr_in a;
	int s = listener(&a, 0);
	close(s);
	return ntohs(a.sin_port);
}

static void basics(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	check(s >= 0, "socket", "%s", errno_name(errno));
	int v;
	socklen_t len = sizeof(v);
	check_ok("so_type", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
	check_eq("so_type value", v, SOCK_STREAM);
	len = sizeof(v);
	getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len);
	check_eq("so_protocol", v, IPPROTO_TCP);
	len = sizeof(v);
	getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len);
	check_eq("so_domain", v, AF_INET);
	len = sizeof(v);
	check_ok("so_rcvbuf", getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len));
	check(v > 0, "so_rcvbuf positive", "%d", v);
	len = sizeof(v);
	check_ok("so_error", getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &len));
	check_eq("so_error value", v, 0);
	v = 1;
	check_ok("tcp_nodelay set", setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)));
	v = 0;
	len = sizeof(v);
	check_ok("tcp_nodelay get", getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len));
	check_eq("tcp_nodelay value", v != 0, 1);
	v = 1;
	check_ok("so_reuseaddr set", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
	v = 0;
	len = sizeof(v);
	getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &len);
	check_eq("so_reuseaddr value", v, 1);
	/* A socket that never connected: writable and hung up, as tcp_poll says. */
	check_eq("fresh poll", revents(s, POLLIN | POLLOUT), POLLOUT | POLLHUP);
	struct sockaddr_in a;
	len = sizeof(a);
	check_ok("getsockname unbound", getsockname(s, (struct sockaddr *)&a, &len));
	check_eq("getsockname len", len, sizeof(a));
	check_eq("getsockname port", a.sin_port, 0);
	check_eq("getsockname addr", a.sin_addr.s_addr, 0);
	len = sizeof(a);
	check_errno("getpeername unconnected", getpeername(s, (struct sockaddr *)&a, &len), ENOTCONN);
	char c;
	check_errno("recv unconnected", recv(s, &c, 1, 0), ENOTCONN);
	sigpipes = 0;
	check_errno("send unconnected", send(s, "x", 1, 0), EPIPE);
	check_eq("send unconnected sigpipe", sigpipes, 1);
	check_errno("send unconnected nosignal", send(s, "x", 1, MSG_NOSIGNAL), EPIPE);
	check_eq("nosignal no sigpipe", sigpipes, 1);
	check_errno("accept not listening", accept(s, NULL, NULL), EINVAL);
	struct sockaddr_in wrong = loopback(0);
	wrong.sin_family = AF_UNIX;
	check_errno("bind wrong family", bind(s, (struct sockaddr *)&wrong, sizeof(wrong)), EAFNOSUPPORT);
	check_errno("bind short", bind(s, (struct sockaddr *)&a, 4), EINVAL);
	struct sockaddr_in far = loopback(0);
	far.sin_addr.s_addr = htonl(0x0a0b0c0d);
	check_errno("bind not local", bind(s, (struct sockaddr *)&far, sizeof(far)), EADDRNOTAVAIL);
	close(s);
	int sv[2];
	check_errno("socketpair inet", socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
	check_errno("socket udp proto on stream", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
}

static void bind_errors(void)
{
	struct sockaddr_in a;
	int l = listener(&a, 0);
	check(a.sin_port != 0, "listener port", "port 0");
	check_eq("listener addr", ntohl(a.sin_addr.s_addr), INADDR_LOOPBACK);
	int v;
	socklen_t len = sizeof(v);
	getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len);
	check_eq("so_acceptconn", v, 1);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	check_errno("bind in use", bind(s, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
	struct sockaddr_in b = loopback(0);
	check_ok("bind other", bind(s, (struct sockaddr *)&b, sizeof(b)));
	check_errno("bind twice", bind(s, (struct sockaddr *)&b, sizeof(b)), EINVAL);
	close(s);
	check_eq("idle listener poll", revents(l, POLLIN | POLLOUT), 0);
	close(l);

	s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in dead = loopback(dead_port());
	check_errno("connect refused", connect(s, (struct sockaddr *)&dead, sizeof(dead)), ECONNREFUSED);
	close(s);
}

/* ---- an echo between two threads ---------------------------------------------------- */

#define ECHO_BYTES (100 * 1024)

static void *echo_server(void *arg)
{
	int l = *(int *)arg;
	int c = accept(l, NULL, NULL);
	if (c < 0)
		return (void *)1L;
	char buf[4096];
	long total = 0;
	for (;;) {
		ssize_t n = read(c, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(c, buf + off, (size_t)(n - off));
			if (w <= 0)
				goto out;
			off += w;
		}
		total += n;
	}
out:
	close(c);
	return (void *)(total == ECHO_BYTES ? 0L : 2L);
}

static void *echo_writer(void *arg)
{
	int s = *(int *)arg;
	static char out[ECHO_BYTES];
	for (int i = 0; i < ECHO_BYTES; i++)
		out[i] = (char)(i * 7 + i / 251);
	ssize_t n = send(s, out, sizeof(out), 0);
	shutdown(s, SHUT_WR);
	return (void *)(n == ECHO_BYTES ? 0L : 1L);
}

static void echo_threads(void)
{
	struct sockaddr_in a;
	int l = listener(&a, 0);
	pthread_t srv, wr;
	pthread_create(&srv, NULL, echo_server, &l);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	check_ok("echo connect", connect(s, (struct sockaddr *)&a, sizeof(a)));
	struct sockaddr_in me, peer;
	socklen_t len = sizeof(me);
	check_ok("echo getsockname", getsockname(s, (struct sockaddr *)&me, &len));
	check_eq("echo local addr", ntohl(me.sin_addr.s_addr), INADDR_LOOPBACK);
	check(me.sin_port != 0 && me.sin_port != a.sin_port, "echo local port", "%d", ntohs(me.sin_port));
	len = sizeof(peer);
	check_ok("echo getpeername", getpeername(s, (struct sockaddr *)&peer, &len));
	check_eq("echo peer port", peer.sin_port, a.sin_port);
	check_errno("connect again", connect(s, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	pthread_create(&wr, NULL, echo_writer, &s);
	static char in[ECHO_BYTES];
	long got = 0;
	for (;;) {
		ssize_t n = recv(s, in + got, sizeof(in) - (size_t)got, 0);
		if (n <= 0)
			break;
		got += n;
	}
	check_eq("echo bytes back", got, ECHO_BYTES);
	int same = 1;
	for (int i = 0; i < ECHO_BYTES; i++)
		if (in[i] != (char)(i * 7 + i / 251))
			same = 0;
	check_eq("echo data", same, 1);
	void *r1, *r2;
	pthread_join(wr, &r1);
	pthread_join(srv, &r2);
	check_eq("echo writer", (long)r1, 0);
	check_eq("echo server", (long)r2, 0);
	/* Both directions are shut now: hung up, readable (end of file). */
	check_eq("echo end poll", revents(s, POLLIN | POLLRDHUP) & (POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
	sigpipes = 0;
	check_errno("send after shutdown", send(s, "x", 1, 0), EPIPE);
	check_eq("send after shutdown sigpipe", sigpipes, 1);
	close(s);
	close(l);
}

/* ---- non-blocking, under epoll ------------------------------------------------------- */

static void nonblocking_epoll(void)
{
	struct sockaddr_in a;
	int l = listener(&a, SOCK_NONBLOCK);
	check_errno("accept empty", accept(l, NULL, NULL), EAGAIN);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 1 };
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	check_errno("connect nonblock", connect(c, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS);
	ev = (struct epoll_event){ .events = EPOLLOUT | EPOLLRDHUP, .data.u32 = 2 };
	epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
	int seen = 0;
	for (int round = 0; round < 4 && seen != 3; round++) {
		struct epoll_event out[4];
		int n = epoll_wait(ep, out, 4, 2000);
		for (int i = 0; i < n; i++) {
			if (out[i].data.u32 == 1 && (out[i].events & EPOLLIN))
				seen |= 1;
			if (out[i].data.u32 == 2 && out[i].events == EPOLLOUT)
				seen |= 2;
		}
	}
	check_eq("epoll saw accept and connect", seen, 3);
	int v = -1;
	socklen_t len = sizeof(v);
	check_ok("so_error after connect", getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len));
	check_eq("so_error value", v, 0);
	/* The first connect after completion reports it (0), as Linux's SS_CONNECTING. */
	check_ok("connect again nonblock", connect(c, (struct sockaddr *)&a, sizeof(a)));
	check_errno("connect third", connect(c, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	struct sockaddr_in from;
	len = sizeof(from);
	int s = accept4(l, (struct sockaddr *)&from, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	check(s >= 0, "accept4", "%s", errno_name(errno));
	check_eq("accept4 addr len", len, sizeof(from));
	struct sockaddr_in cme;
	len = sizeof(cme);
	getsockname(c, (struct sockaddr *)&cme, &len);
	check_eq("accept4 peer is the client", from.sin_port, cme.sin_port);
	check_eq("accepted nonblock", fcntl(s, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	check_errno("accept drained", accept(l, NULL, NULL), EAGAIN);

	char buf[16];
	check_errno("recv nothing yet", recv(s, buf, sizeof(buf), 0), EAGAIN);
	check_errno("recv dontwait", recv(c, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	check_eq("send", send(c, "ping", 4, 0), 4);
	struct epoll_event out[2];
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLRDHUP, .data.u32 = 3 };
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	epoll_ctl(ep, EPOLL_CTL_DEL, l, NULL);
	epoll_ctl(ep, EPOLL_CTL_DEL, c, NULL);
	check_eq("epoll data", epoll_wait(ep, out, 2, 2000), 1);
	check_eq("epoll data events", out[0].events, EPOLLIN);
	int avail = 0;
	check_ok("fionread", ioctl(s, FIONREAD, &avail));
	check_eq("fionread value", avail, 4);
	memset(buf, 0, sizeof(buf));
	check_eq("peek", recv(s, buf, sizeof(buf), MSG_PEEK), 4);
	check_eq("peek data", memcmp(buf, "ping", 4), 0);
	check_eq("recv", recv(s, buf, 2, 0), 2);
	check_eq("recv rest", recv(s, buf, sizeof(buf), 0), 2);
	check_eq("recv rest data", memcmp(buf, "ng", 2), 0);

	/* The client closes: the server sees EPOLLRDHUP and end of file. */
	close(c);
	int n = epoll_wait(ep, out, 2, 2000);
	check_eq("epoll rdhup", n, 1);
	check_eq("epoll rdhup events", n == 1 ? out[0].events & (EPOLLIN | EPOLLRDHUP) : 0,
		 EPOLLIN | EPOLLRDHUP);
	check_eq("recv eof", recv(s, buf, sizeof(buf), 0), 0);
	close(s);
	close(l);

	/* A refused non-blocking connect: EPOLLERR|EPOLLHUP, then SO_ERROR once. */
	struct sockaddr_in dead = loopback(dead_port());
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	check_errno("connect nonblock refused", connect(c, (struct sockaddr *)&dead, sizeof(dead)), EINPROGRESS);
	ev = (struct epoll_event){ .events = EPOLLOUT, .data.u32 = 4 };
	epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
	n = epoll_wait(ep, out, 2, 2000);
	check_eq("epoll refused", n, 1);
	check_eq("epoll refused events", n == 1 ? out[0].events & (EPOLLERR | EPOLLHUP) : 0, EPOLLERR | EPOLLHUP);
	v = 0;
	len = sizeof(v);
	check_ok("so_error refused", getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len));
	check_eq("so_error refused value", v, ECONNREFUSED);
	len = sizeof(v);
	getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len);
	check_eq("so_error cleared", v, 0);
	close(c);
	close(ep);
}

/* A connection idle across lwIP's timers (TCP's every 250 ms, reassembly and ND6 every
 * second) still carries data both ways. */
static void idle_connection(void)
{
	struct sockaddr_in a;
	int l = listener(&a, 0);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	check_ok("idle connect", connect(c, (struct sockaddr *)&a, sizeof(a)));
	int s = accept(l, NULL, NULL);
	check(s >= 0, "idle accept", "%s", errno_name(errno));
	usleep(1300 * 1000);
	char buf[8];
	check_eq("idle send", send(c, "late", 4, 0), 4);
	check_eq("idle recv", recv(s, buf, sizeof(buf), 0), 4);
	check_eq("idle reply", send(s, "ack", 3, 0), 3);
	check_eq("idle reply recv", recv(c, buf, sizeof(buf), 0), 3);
	close(s);
	close(c);
	close(l);
}

/* SO_LINGER with a zero timeout: close resets the connection, the peer reads ECONNRESET. */
static void linger_reset(void)
{
	struct sockaddr_in a;
	int l = listener(&a, 0);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	check_ok("linger connect", connect(c, (struct sockaddr *)&a, sizeof(a)));
	int s = accept(l, NULL, NULL);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 }, got = { 0, -1 };
	check_ok("so_linger set", setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	socklen_t len = sizeof(got);
	check_ok("so_linger get", getsockopt(c, SOL_SOCKET, SO_LINGER, &got, &len));
	check_eq("so_linger onoff", got.l_onoff, 1);
	check_eq("so_linger time", got.l_linger, 0);
	check_errno("so_linger short", setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, 4), EINVAL);
	close(c);
	char buf[4];
	check_errno("recv after reset", recv(s, buf, sizeof(buf), 0), ECONNRESET);
	check_eq("recv after reset again", recv(s, buf, sizeof(buf), 0), 0);
	close(s);
	close(l);
}

/* sendmsg and recvmsg with several buffers, MSG_WAITALL; recvfrom on TCP gives no address
 * (Linux's tcp_recvmsg leaves it empty); SIOCOUTQ. */
static void msg_calls(void)
{
	struct sockaddr_in a;
	int l = listener(&a, 0);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	check_ok("msg connect", connect(c, (struct sockaddr *)&a, sizeof(a)));
	int s = accept(l, NULL, NULL);
	struct iovec out[2] = { { "abc", 3 }, { "defgh", 5 } };
	struct msghdr mh = { .msg_iov = out, .msg_iovlen = 2 };
	check_eq("sendmsg", sendmsg(c, &mh, 0), 8);
	check_eq("send more", send(c, "ij", 2, MSG_NOSIGNAL), 2);
	char x[4], y[6];
	struct iovec in[2] = { { x, sizeof(x) }, { y, sizeof(y) } };
	mh = (struct msghdr){ .msg_iov = in, .msg_iovlen = 2 };
	check_eq("recvmsg waitall", recvmsg(s, &mh, MSG_WAITALL), 10);
	check_eq("recvmsg first", memcmp(x, "abcd", 4), 0);
	check_eq("recvmsg second", memcmp(y, "efghij", 6), 0);
	check_eq("recvmsg flags", mh.msg_flags, 0);
	check_eq("reply", send(s, "k", 1, 0), 1);
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	char k;
	check_eq("recvfrom stream", recvfrom(c, &k, 1, 0, (struct sockaddr *)&from, &len), 1);
	check_eq("recvfrom stream gives no address", len, 0);
	int pending = -1;
	check_ok("siocoutq", ioctl(c, TIOCOUTQ, &pending));
	check_eq("siocoutq value", pending, 0);
	close(s);
	close(c);
	close(l);
}

int main(void)
{
	check_init("inet_tcp");
	signal(SIGPIPE, on_sigpipe);
	basics();
	bind_errors();
	echo_threads();
	nonblocking_epoll();
	idle_connection();
	linger_reset();
	msg_calls();
	return check_done();
}
