/* The host side of each TCP port forward (-p HOST:GUEST) under user networking. QEMU's slirp
 * listens for a hostfwd rule with a backlog of 1, so when a benchmark opens 50 connections at
 * once, the host kernel's accept queue overflows: it answers with SYN cookies, drops the
 * handshakes' last ACKs and later resets connections the client believes are open (redis-benchmark
 * -c 50 through -p stalled or failed with "Connection reset by peer"). So monos listens on
 * 127.0.0.1:HOST itself, with a full backlog, and QEMU's rule listens on an internal loopback
 * port; a child process relays each accepted connection to it, opening the upstream connections
 * one at a time and only once slirp has accepted the previous one (the internal listener's
 * accept queue, read from /proc/net/tcp, is empty), so slirp's queue never overflows. A reset on
 * either side is passed on as a reset. */
#define _GNU_SOURCE /* accept4 */
#include "portproxy.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)
#define CONNECT_RETRY_MS 50	/* the guest's side is not listening yet (QEMU starting) */
#define CONNECT_GIVE_UP_S 30

struct fwd;

/* What an epoll event names: one end of a connection, or a forward's listener (c NULL). */
struct end {
	struct conn *c;
	int d;
	struct fwd *f;
};

struct conn {
	struct fwd *f;
	struct end ends[2];
	int fd[2];		/* 0: the client's, 1: upstream to slirp */
	char *buf[2];		/* bytes read from fd[d], not yet written to fd[!d] */
	size_t len[2], off[2];
	bool eof[2];		/* fd[d] read its end; fd[!d] was shut for writing once drained */
	bool connecting;	/* the upstream connect is in progress */
	double first_try;
	struct conn *next_wait;	/* on its forward's wait list */
	bool dead;		/* closed; freed once the current batch of events is handled */
	struct conn *next_dead;
};

static struct conn *graveyard;

/* A TCP forward's relay state. */
struct fwd {
	const struct port_forward *pf;
	struct end listener;
	struct conn *waiting;	/* clients without an upstream connection yet, oldest first */
	struct conn *connecting; /* the one upstream connect in progress */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int loopback_listener(unsigned port, int backlog)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, backlog) < 0) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

/* A free loopback port for QEMU's rule: bound and released (QEMU binds it moments later). */
static unsigned free_loopback_port(void)
{
	int s = loopback_listener(0, 1);
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	if (s < 0 || getsockname(s, (struct sockaddr *)&a, &len) < 0) {
		if (s >= 0)
			close(s);
		return 0;
	}
	close(s);
	return ntohs(a.sin_port);
}

int portproxy_prepare(struct net_config *n)
{
	for (size_t i = 0; i < n->nfwds; i++) {
		struct port_forward *f = &n->fwds[i];
		if (f->udp)
			continue;
		f->listen_fd = loopback_listener(f->host, SOMAXCONN);
		if (f->listen_fd < 0) {
			msg("-p %u:%u: cannot listen on 127.0.0.1:%u: %s", f->host, f->guest, f->host,
			    strerror(errno));
			return -1;
		}
		f->via = free_loopback_port();
		if (!f->via) {
			msg("-p %u:%u: no free loopback port for QEMU: %s", f->host, f->guest,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Connections slirp has not accepted yet on 127.0.0.1:port: the LISTEN socket's rx_queue in
 * /proc/net/tcp; -1 when it is not listening (yet). */
static int accept_queue(unsigned port)
{
	FILE *fp = fopen("/proc/net/tcp", "r");
	if (!fp)
		return 0;	/* cannot tell: do not hold connections back */
	char line[512];
	int queued = -1;
	unsigned want_addr = 0x0100007f;	/* 127.0.0.1 as /proc prints it on x86 */
	while (fgets(line, sizeof(line), fp)) {
		unsigned addr, lport, st, txq, rxq;
		if (sscanf(line, " %*d: %x:%x %*x:%*x %x %x:%x", &addr, &lport, &st, &txq, &rxq) == 5 &&
		    addr == want_addr && lport == port && st == 0x0a) {
			queued = (int)rxq;
			break;
		}
	}
	fclose(fp);
	return queued;
}

static void conn_free(struct conn *c, bool reset)
{
	for (int d = 0; d < 2; d++) {
		if (c->fd[d] < 0)
			continue;
		if (reset) {
			struct linger l = { .l_onoff = 1, .l_linger = 0 };
			setsockopt(c->fd[d], SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		}
		close(c->fd[d]);	/* also leaves the epoll set */
		c->fd[d] = -1;
	}
	for (struct conn **p = &c->f->waiting; *p; p = &(*p)->next_wait)
		if (*p == c) {
			*p = c->next_wait;
			break;
		}
	if (c->f->connecting == c)
		c->f->connecting = NULL;
	/* Events for it may still be in the batch being handled. */
	c->dead = true;
	c->next_dead = graveyard;
	graveyard = c;
}

static void bury(void)
{
	while (graveyard) {
		struct conn *c = graveyard;
		graveyard = c->next_dead;
		free(c->buf[0]);
		free(c->buf[1]);
		free(c);
	}
}

/* What each descriptor waits for now: input while its buffer is empty and it has not ended,
 * output while the other side's buffer holds bytes. */
static void conn_arm(int ep, struct conn *c)
{
	for (int d = 0; d < 2; d++) {
		if (c->fd[d] < 0)
			continue;
		struct epoll_event ev = { .data.ptr = &c->ends[d] };
		if (d == 1 && c->connecting) {
			ev.events = EPOLLOUT;
		} else {
			if (!c->eof[d] && c->len[d] == 0)
				ev.events |= EPOLLIN;
			if (c->len[!d] > c->off[!d])
				ev.events |= EPOLLOUT;
		}
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd[d], &ev);
	}
}

/* Moves bytes as far as the sockets allow; false when the connection is over. */
static bool conn_pump(struct conn *c, bool *reset)
{
	for (int d = 0; d < 2; d++) {
		int from = c->fd[d], to = c->fd[!d];
		if (!c->eof[d] && c->len[d] == 0) {
			ssize_t r = read(from, c->buf[d], BUF_SIZE);
			if (r > 0) {
				c->len[d] = (size_t)r;
				c->off[d] = 0;
			} else if (r == 0) {
				c->eof[d] = true;
			} else if (errno != EAGAIN && errno != EINTR) {
				*reset = true;
				return false;
			}
		}
		while (c->off[d] < c->len[d]) {
			ssize_t w = write(to, c->buf[d] + c->off[d], c->len[d] - c->off[d]);
			if (w < 0) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				*reset = true;
				return false;
			}
			c->off[d] += (size_t)w;
		}
		if (c->off[d] == c->len[d])
			c->len[d] = c->off[d] = 0;
		if (c->eof[d] && c->len[d] == 0)
			shutdown(to, SHUT_WR);
	}
	return !(c->eof[0] && c->eof[1] && !c->len[0] && !c->len[1]);
}

static int start_connect(int ep, struct conn *c)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)c->f->pf->via),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (s < 0)
		return -1;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS) {
		close(s);
		return -1;
	}
	c->fd[1] = s;
	c->connecting = true;
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = &c->ends[1] };
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	return 0;
}

/* The forward's next waiting client gets its upstream connection when slirp's queue is empty;
 * returns how long to wait (ms) before looking again, or -1 for nothing to do. */
static int advance(int ep, struct fwd *f)
{
	struct conn *c = f->waiting;
	if (!c || f->connecting)
		return -1;
	if (now_s() - c->first_try > CONNECT_GIVE_UP_S) {
		conn_free(c, true);
		return 0;
	}
	int queued = accept_queue(f->pf->via);
	if (queued != 0) /* slirp is busy, or QEMU is not listening yet */
		return queued < 0 ? CONNECT_RETRY_MS : 1;
	if (start_connect(ep, c) < 0)
		return CONNECT_RETRY_MS;
	f->waiting = c->next_wait;
	f->connecting = c;
	return -1;
}

static void accept_all(int ep, struct fwd *f)
{
	int cfd;
	while ((cfd = accept4(f->pf->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct conn *c = calloc(1, sizeof(*c));
		char *b0 = malloc(BUF_SIZE), *b1 = malloc(BUF_SIZE);
		if (!c || !b0 || !b1) {
			free(c), free(b0), free(b1), close(cfd);
			continue;
		}
		int one = 1;
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		*c = (struct conn){ .f = f, .fd = { cfd, -1 }, .buf = { b0, b1 },
				    .first_try = now_s() };
		c->ends[0] = (struct end){ .c = c, .d = 0 };
		c->ends[1] = (struct end){ .c = c, .d = 1 };
		/* Nothing is read before upstream exists; a hang-up or error still wakes us. */
		struct epoll_event ev = { .events = 0, .data.ptr = &c->ends[0] };
		epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
		struct conn **tail = &f->waiting;
		while (*tail)
			tail = &(*tail)->next_wait;
		*tail = c;
	}
}

static void on_event(int ep, struct end *e, uint32_t events)
{
	struct conn *c = e->c;
	if (c->dead)
		return;
	if (c->fd[1] < 0) {
		/* Still waiting for its upstream: only a failure of the client's side comes. */
		if (events & (EPOLLERR | EPOLLHUP))
			conn_free(c, false);
		return;
	}
	if (c->connecting) {
		if (e->d != 1) {
			if (events & (EPOLLERR | EPOLLHUP))
				conn_free(c, true);
			return;
		}
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &err, &len);
		c->f->connecting = NULL;
		c->connecting = false;
		if (err) {
			/* Nobody listens yet: back to the head of the queue, tried again later. */
			close(c->fd[1]);
			c->fd[1] = -1;
			c->next_wait = c->f->waiting;
			c->f->waiting = c;
			return;
		}
	}
	bool reset = false;
	if (!conn_pump(c, &reset))
		conn_free(c, reset);
	else
		conn_arm(ep, c);
}

static noreturn void relay(struct net_config *n)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct fwd *fwds = calloc(n->nfwds, sizeof(*fwds));
	if (ep < 0 || !fwds)
		_exit(1);
	for (size_t i = 0; i < n->nfwds; i++) {
		struct fwd *f = &fwds[i];
		f->pf = &n->fwds[i];
		f->listener.f = f;
		if (f->pf->udp)
			continue;
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &f->listener };
		epoll_ctl(ep, EPOLL_CTL_ADD, f->pf->listen_fd, &ev);
	}
	for (;;) {
		int timeout = -1;
		for (size_t i = 0; i < n->nfwds; i++) {
			int t = n->fwds[i].udp ? -1 : advance(ep, &fwds[i]);
			if (t >= 0 && (timeout < 0 || t < timeout))
				timeout = t;
		}
		struct epoll_event evs[64];
		int k = epoll_wait(ep, evs, 64, timeout);
		if (k < 0 && errno != EINTR)
			_exit(1);
		for (int i = 0; i < k; i++) {
			struct end *e = evs[i].data.ptr;
			if (!e->c)
				accept_all(ep, e->f);
			else
				on_event(ep, e, evs[i].events);
		}
		bury();
	}
}

pid_t portproxy_start(struct net_config *n)
{
	bool any = false;
	for (size_t i = 0; i < n->nfwds; i++)
		any |= !n->fwds[i].udp;
	if (!any)
		return 0;
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		msg("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* Ends with monos, however monos ends. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		signal(SIGPIPE, SIG_IGN);
		relay(n);
	}
	return pid;
}

void portproxy_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
