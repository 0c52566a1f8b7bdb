/* The guest's and the host's half of tests/unit/net_serve_test.sh:
 *   tcp-echo PORT      accept one TCP connection on PORT, echo it until EOF, exit 0
 *   udp-echo PORT      answer each datagram on PORT with the same bytes; exit 0 after "stop"
 *   tcp-ask IP PORT    connect (IPv4 or IPv6), send "ping", print what comes back until EOF
 *   tcp-answer PORT    (host) accept one connection (IPv4 or IPv6), read a line, answer
 *                      "pong", exit
 *   tcp-echo-many PORT N   print "listening", then serve N TCP connections at once from one
 *                      epoll loop, echoing each until EOF; exit 0 once all N closed (1 after
 *                      20 s without an event)
 *   tcp-clients IP PORT N ROUNDS  (host) N threads, each connecting (one at a time: QEMU's
 *                      forward listens with a backlog of 1) and then, all together, sending
 *                      ROUNDS small messages and waiting for each echo; exit 0 when all did */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <unistd.h>

static int echo_many(int port, int n);
static int clients(const char *ip, int port, int n, int rounds);

static int listener(int type, int port)
{
	int s = socket(AF_INET, type, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(s, 4))) {
		perror("listener");
		exit(2);
	}
	return s;
}

/* A dual-stack TCP listener (IPv4 clients arrive as ::ffff:a.b.c.d). */
static int listener6(int port)
{
	int s = socket(AF_INET6, SOCK_STREAM, 0), one = 1, zero = 0;
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4)) {
		perror("listener6");
		exit(2);
	}
	return s;
}

int main(int argc, char **argv)
{
	char buf[4096];
	ssize_t n;
	if (argc == 3 && !strcmp(argv[1], "tcp-echo")) {
		int l = listener(SOCK_STREAM, atoi(argv[2]));
		int c = accept(l, NULL, NULL);
		if (c < 0)
			return perror("accept"), 2;
		while ((n = read(c, buf, sizeof(buf))) > 0)
			if (write(c, buf, n) != n)
				return perror("write"), 2;
		return n < 0 ? (perror("read"), 2) : 0;
	}
	if (argc == 3 && !strcmp(argv[1], "udp-echo")) {
		int s = listener(SOCK_DGRAM, atoi(argv[2]));
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		do {
			n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
			if (n < 0 || sendto(s, buf, n, 0, (struct sockaddr *)&from, len) != n)
				return perror("udp"), 2;
		} while (n < 4 || memcmp(buf, "stop", 4));
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "tcp-ask")) {
		/* IPv4 or IPv6 by the address's form. An IPv6 address from a router advertisement
		 * may still be on its way: a few tries. */
		struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(atoi(argv[3])) };
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[3])) };
		bool v6 = inet_pton(AF_INET6, argv[2], &a6.sin6_addr) == 1;
		if (!v6 && inet_pton(AF_INET, argv[2], &a.sin_addr) != 1)
			return fprintf(stderr, "tcp-ask: bad address %s\n", argv[2]), 2;
		int s = -1;
		for (int try = 0; try < (v6 ? 20 : 1); try++) {
			s = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
			if (!connect(s, v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a,
				     v6 ? sizeof(a6) : sizeof(a)))
				break;
			perror("connect");
			close(s);
			s = -1;
			usleep(100000);
		}
		if (s < 0)
			return 2;
		if (write(s, "ping\n", 5) != 5)
			return perror("write"), 2;
		while ((n = read(s, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, n, stdout);
		return n < 0 ? (perror("read"), 2) : 0;
	}
	if (argc == 3 && !strcmp(argv[1], "tcp-answer")) {
		int l = listener6(atoi(argv[2]));
		printf("listening\n");
		fflush(stdout);
		int c = accept(l, NULL, NULL);
		if (c < 0 || read(c, buf, sizeof(buf)) <= 0 || write(c, "pong\n", 5) != 5)
			return perror("answer"), 2;
		close(c);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "tcp-echo-many"))
		return echo_many(atoi(argv[2]), atoi(argv[3]));
	if (argc == 6 && !strcmp(argv[1], "tcp-clients"))
		return clients(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	fprintf(stderr, "usage: netpeer tcp-echo|udp-echo PORT | tcp-ask IP PORT | tcp-answer PORT"
			" | tcp-echo-many PORT N | tcp-clients IP PORT N ROUNDS\n");
	return 2;
}

static int echo_many(int port, int n)
{
	int l = listener(SOCK_STREAM, port), ep = epoll_create1(0), closed = 0;
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = l };
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev))
		return perror("epoll"), 2;
	printf("listening\n");
	fflush(stdout);
	long echoed = 0;
	while (closed < n) {
		struct epoll_event evs[64];
		int k = epoll_wait(ep, evs, 64, 20000);
		if (k <= 0) {
			printf("stalled: %d of %d connections closed, %ld messages echoed\n", closed, n,
			       echoed);
			return 1;
		}
		for (int i = 0; i < k; i++) {
			int fd = evs[i].data.fd;
			if (fd == l) {
				int c = accept(l, NULL, NULL), one = 1;
				struct epoll_event e = { .events = EPOLLIN, .data.fd = c };
				if (c < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, c, &e))
					return perror("accept"), 2;
				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				continue;
			}
			char buf[512];
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r > 0) {
				if (write(fd, buf, r) != r)
					return perror("write"), 2;
				echoed++;
			} else {
				if (r < 0)
					perror("read");
				close(fd); /* leaves the epoll set */
				closed++;
			}
		}
	}
	printf("echoed %ld messages on %d connections\n", echoed, n);
	return 0;
}

static struct sockaddr_in peer;
static int rounds_each;
static pthread_mutex_t connecting = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t all_connected;

static void *client(void *unused)
{
	char buf[8];
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1, ok = 0;
	/* The first round trip proves the guest accepted this connection before the next one
	 * knocks at QEMU's backlog of 1. */
	pthread_mutex_lock(&connecting);
	if (!connect(s, (struct sockaddr *)&peer, sizeof(peer)) && write(s, "ping", 4) == 4 &&
	    recv(s, buf, 4, MSG_WAITALL) == 4)
		ok = 1;
	pthread_mutex_unlock(&connecting);
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pthread_barrier_wait(&all_connected);
	for (int i = 1; ok && i < rounds_each; i++)
		ok = write(s, "ping", 4) == 4 && recv(s, buf, 4, MSG_WAITALL) == 4;
	close(s);
	return ok ? NULL : (void *)1;
}

static int clients(const char *ip, int port, int n, int rounds)
{
	peer = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, ip, &peer.sin_addr);
	rounds_each = rounds;
	pthread_t t[256];
	if (n < 1 || n > 256)
		return 2;
	pthread_barrier_init(&all_connected, NULL, n);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, client, NULL);
	int failed = 0;
	for (int i = 0; i < n; i++) {
		void *r;
		pthread_join(t[i], &r);
		failed += r != NULL;
	}
	printf("%d of %d clients failed\n", failed, n);
	return failed != 0;
}
