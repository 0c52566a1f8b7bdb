/* The guest's and the host's half of tests/unit/net_serve_test.sh:
 *   tcp-echo PORT      accept one TCP connection on PORT, echo it until EOF, exit 0
 *   udp-echo PORT      answer each datagram on PORT with the same bytes; exit 0 after "stop"
 *   tcp-ask IP PORT    connect, send "ping", print what comes back until EOF
 *   tcp-answer PORT    (host) accept one connection, read a line, answer "pong", exit */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[3])) };
		inet_pton(AF_INET, argv[2], &a.sin_addr);
		if (connect(s, (struct sockaddr *)&a, sizeof(a)))
			return perror("connect"), 2;
		if (write(s, "ping\n", 5) != 5)
			return perror("write"), 2;
		while ((n = read(s, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, n, stdout);
		return n < 0 ? (perror("read"), 2) : 0;
	}
	if (argc == 3 && !strcmp(argv[1], "tcp-answer")) {
		int l = listener(SOCK_STREAM, atoi(argv[2]));
		printf("listening\n");
		fflush(stdout);
		int c = accept(l, NULL, NULL);
		if (c < 0 || read(c, buf, sizeof(buf)) <= 0 || write(c, "pong\n", 5) != 5)
			return perror("answer"), 2;
		close(c);
		return 0;
	}
	fprintf(stderr, "usage: netpeer tcp-echo|udp-echo PORT | tcp-ask IP PORT | tcp-answer PORT\n");
	return 2;
}
