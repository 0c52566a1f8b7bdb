/*
 * unix_stream: AF_UNIX stream sockets. socketpair with its flags, reads and
 * writes across messages, MSG_PEEK/MSG_DONTWAIT/MSG_WAITALL, non-blocking
 * EAGAIN when the send buffer fills, readiness under poll and epoll, shutdown
 * (end of file, EPIPE), SIGPIPE and MSG_NOSIGNAL, socket options, fstat;
 * bind/listen/connect/accept over a path and an abstract name with Linux's
 * address lengths and errors; SCM_RIGHTS; an echo between two threads.
 */
#define _GNU_SOURCE
#include "check.h"
#include "scratch.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

static short revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static void pair_basics(void)
{
	int sv[2];
	check_ok("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	check_eq("write", write(sv[0], "hello", 5), 5);
	check_eq("send", send(sv[0], " world", 6, 0), 6);
	char buf[64] = { 0 };
	check_eq("peek", recv(sv[1], buf, sizeof(buf), MSG_PEEK), 11);
	int avail = -1;
	ioctl(sv[1], FIONREAD, &avail);
	check_eq("fionread", avail, 11);
	memset(buf, 0, sizeof(buf));
	check_eq("read_across_writes", read(sv[1], buf, sizeof(buf)), 11);
	check(memcmp(buf, "hello world", 11) == 0, "data", "got '%s'", buf);
	check_errno("dontwait_empty", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);

	int v = 0;
	socklen_t len = sizeof(v);
	getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len);
	check_eq("so_type", v, SOCK_STREAM);
	getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &len);
	check_eq("so_domain", v, AF_UNIX);
	getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &len);
	check_eq("so_error", v, 0);
	v = 10000;
	check_ok("set_sndbuf", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &len);
	check_eq("sndbuf_doubled", v, 20000);
	v = 1;
	check_ok("passcred", setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &v, sizeof(v)));
	struct ucred cred;
	len = sizeof(cred);
	check_ok("peercred", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len));
	check(cred.pid == (pid_t)getpid() && cred.uid == getuid() && cred.gid == getgid(), "peercred_ids",
	      "pid %d uid %d gid %d", (int)cred.pid, (int)cred.uid, (int)cred.gid);
	struct stat st;
	check(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode), "fstat_sock", "mode %o", st.st_mode);
	char fdpath[64], link[64], want[64];
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", sv[0]);
	ssize_t ln = readlink(fdpath, link, sizeof(link) - 1);
	link[ln > 0 ? ln : 0] = 0;
	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)st.st_ino);
	check(strcmp(link, want) == 0, "proc_fd_link", "'%s', expected '%s'", link, want);
	struct sockaddr_un sa;
	len = sizeof(sa);
	check(getsockname(sv[0], (struct sockaddr *)&sa, &len) == 0 &&
	      len == sizeof(sa_family_t) && sa.sun_family == AF_UNIX, "getsockname_unbound", "len %d", (int)len);
	len = sizeof(sa);
	check_ok("getpeername_pair", getpeername(sv[0], (struct sockaddr *)&sa, &len));
	check_errno("lseek_espipe", lseek(sv[0], 0, SEEK_CUR), ESPIPE);
	close(sv[0]);
	close(sv[1]);

	check_ok("flags", socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
	check(fcntl(sv[0], F_GETFL) & O_NONBLOCK, "nonblock_flag", "no O_NONBLOCK");
	check(fcntl(sv[1], F_GETFD) & FD_CLOEXEC, "cloexec_flag", "no FD_CLOEXEC");
	check_errno("nonblock_read", read(sv[0], buf, 1), EAGAIN);
	close(sv[0]);
	close(sv[1]);
	check_errno("bad_type", socketpair(AF_UNIX, 9, 0, sv), ESOCKTNOSUPPORT);
	check_errno("bad_protocol", socketpair(AF_UNIX, SOCK_STREAM, 7, sv), EPROTONOSUPPORT);
	check_errno("notsock", getsockname(0 + open("/", O_RDONLY), (struct sockaddr *)&sa, &len), ENOTSOCK);
}

static void fill_and_poll(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	check_eq("poll_writable", revents(sv[0], POLLIN | POLLOUT), POLLOUT);
	char chunk[4096] = { 0 };
	long total = 0, n;
	while ((n = write(sv[0], chunk, sizeof(chunk))) > 0)
		total += n;
	check(n == -1 && errno == EAGAIN && total > 0, "fill_eagain", "n %ld errno %s total %ld", n,
	      errno_name(errno), total);
	check_eq("full_not_writable", revents(sv[0], POLLOUT), 0);
	check_eq("peer_readable", revents(sv[1], POLLIN | POLLOUT), POLLIN | POLLOUT);

	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLOUT, .data.fd = sv[0] };
	epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev);
	check_eq("epoll_full", epoll_wait(ep, &ev, 1, 0), 0);
	long drained = 0;
	while ((n = read(sv[1], chunk, sizeof(chunk))) > 0)
		drained += n;
	check_eq("drained_all", drained, total);
	check(epoll_wait(ep, &ev, 1, 1000) == 1 && (ev.events & EPOLLOUT), "epoll_room",
	      "events %x", ev.events);
	close(ep);

	/* Peer closes: end of file, POLLHUP and POLLRDHUP. */
	close(sv[1]);
	check_eq("closed_peer_poll", revents(sv[0], POLLIN | POLLOUT | POLLRDHUP),
		 POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
	check_eq("closed_peer_eof", read(sv[0], chunk, 1), 0);
	check_errno("closed_peer_epipe", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	close(sv[0]);
}

static void shutdown_and_sigpipe(void)
{
	int sv[2];
	char buf[8];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "ab", 2);
	check_ok("shut_wr", shutdown(sv[0], SHUT_WR));
	check_eq("shut_wr_peer_poll", revents(sv[1], POLLIN | POLLOUT | POLLRDHUP),
		 POLLIN | POLLOUT | POLLRDHUP);
	check_eq("data_before_eof", read(sv[1], buf, sizeof(buf)), 2);
	check_eq("eof", read(sv[1], buf, sizeof(buf)), 0);
	check_errno("write_after_shut_wr", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	check_eq("reverse_still_works", write(sv[1], "z", 1), 1);
	check_eq("reverse_read", read(sv[0], buf, 1), 1);

	signal(SIGPIPE, on_sigpipe);
	sigpipes = 0;
	check_errno("epipe_write", write(sv[0], "x", 1), EPIPE);
	check_eq("sigpipe_raised", sigpipes, 1);
	check_errno("epipe_nosignal", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	check_eq("nosignal_no_sigpipe", sigpipes, 1);
	/* The peer's SHUT_RD shuts this end's sending too: both directions, POLLHUP. */
	check_ok("shut_rd", shutdown(sv[0], SHUT_RD));
	check_eq("both_shut_hup", revents(sv[1], POLLIN | POLLOUT) & POLLHUP, POLLHUP);
	check_errno("shut_bad_how", shutdown(sv[0], 7), EINVAL);
	signal(SIGPIPE, SIG_DFL);
	close(sv[0]);
	close(sv[1]);

	/* Closing with unread data resets the peer. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[1], "unread", 6);
	close(sv[0]);
	check_errno("econnreset", read(sv[1], buf, sizeof(buf)), ECONNRESET);
	check_eq("eof_after_reset", read(sv[1], buf, sizeof(buf)), 0);
	close(sv[1]);
}

static void *waitall_writer(void *arg)
{
	int fd = *(int *)arg;
	for (int k = 0; k < 4; k++) {
		usleep(2000);
		write(fd, "abcd", 4);
	}
	return NULL;
}

static void waitall(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pthread_t t;
	pthread_create(&t, NULL, waitall_writer, &sv[0]);
	char buf[16];
	check_eq("waitall", recv(sv[1], buf, 16, MSG_WAITALL), 16);
	pthread_join(t, NULL);
	close(sv[0]);
	close(sv[1]);
}

struct echo_arg { int fd; long bytes; };

static void *echo_server(void *p)
{
	struct echo_arg *a = p;
	char buf[1000];
	long n;
	while ((n = read(a->fd, buf, sizeof(buf))) > 0) {
		a->bytes += n;
		for (long off = 0; off < n;) {
			long w = write(a->fd, buf + off, n - off);
			if (w <= 0)
				return NULL;
			off += w;
		}
	}
	return NULL;
}

static void echo_threads(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct echo_arg a = { sv[1], 0 };
	pthread_t t;
	pthread_create(&t, NULL, echo_server, &a);
	int ok = 1;
	char out[3000], in[3000];
	for (int round = 0; round < 50 && ok; round++) {
		for (int k = 0; k < (int)sizeof(out); k++)
			out[k] = (char)(k * 7 + round);
		if (write(sv[0], out, sizeof(out)) != sizeof(out))
			ok = 0;
		if (recv(sv[0], in, sizeof(in), MSG_WAITALL) != sizeof(in) || memcmp(in, out, sizeof(in)))
			ok = 0;
	}
	shutdown(sv[0], SHUT_WR);
	pthread_join(t, NULL);
	check(ok && a.bytes == 50 * 3000, "echo_threads", "ok %d bytes %ld", ok, a.bytes);
	close(sv[0]);
	close(sv[1]);
}

static socklen_t path_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	strcpy(sa->sun_path, path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static void server_path(void)
{
	scratch_make("unix_stream");
	const char *path = sp("sock");
	struct sockaddr_un sa, got;
	socklen_t alen = path_addr(&sa, path), len;
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	check_errno("connect_enoent", connect(c, (struct sockaddr *)&sa, alen), ENOENT);
	check_ok("bind_path", bind(l, (struct sockaddr *)&sa, alen));
	struct stat st;
	check(stat(path, &st) == 0 && S_ISSOCK(st.st_mode), "bind_made_socket_file", "mode %o",
	      st.st_mode);
	check_errno("connect_not_listening", connect(c, (struct sockaddr *)&sa, alen), ECONNREFUSED);
	int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
	check_errno("bind_eaddrinuse", bind(l2, (struct sockaddr *)&sa, alen), EADDRINUSE);
	close(l2);
	check_errno("accept_not_listening", accept(l, NULL, NULL), EINVAL);
	check_ok("listen", listen(l, 1));
	int v = 0;
	len = sizeof(v);
	getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len);
	check_eq("so_acceptconn", v, 1);
	check_eq("listener_poll_idle", revents(l, POLLIN | POLLOUT), 0);
	len = sizeof(got);
	check(getsockname(l, (struct sockaddr *)&got, &len) == 0 && len == alen &&
	      strcmp(got.sun_path, path) == 0, "getsockname_path", "len %d want %d", (int)len, (int)alen);
	check_ok("connect_path", connect(c, (struct sockaddr *)&sa, alen));
	check_errno("connect_again_eisconn", connect(c, (struct sockaddr *)&sa, alen), EISCONN);
	check_eq("write_before_accept", write(c, "ping", 4), 4);
	check_eq("listener_readable", revents(l, POLLIN), POLLIN);
	len = sizeof(got);
	memset(&got, 0xff, sizeof(got));
	int s = accept4(l, (struct sockaddr *)&got, &len, SOCK_CLOEXEC);
	check(s >= 0 && len == sizeof(sa_family_t) && got.sun_family == AF_UNIX, "accept4",
	      "fd %d len %d", s, (int)len);
	check(fcntl(s, F_GETFD) & FD_CLOEXEC, "accept4_cloexec", "no FD_CLOEXEC");
	char buf[8] = { 0 };
	check(read(s, buf, sizeof(buf)) == 4 && memcmp(buf, "ping", 4) == 0, "accepted_reads", "'%s'", buf);
	len = sizeof(got);
	check(getpeername(c, (struct sockaddr *)&got, &len) == 0 &&
	      len == alen && strcmp(got.sun_path, path) == 0, "peername_is_listener", "len %d", (int)len);
	len = sizeof(got);
	check(getsockname(s, (struct sockaddr *)&got, &len) == 0 && len == alen, "accepted_sockname",
	      "len %d", (int)len);

	/* The backlog holds listen()'s count plus one; then a non-blocking connect fails. */
	fcntl(l, F_SETFL, O_NONBLOCK);
	check_errno("accept_nonblock_empty", accept(l, NULL, NULL), EAGAIN);
	int extra[3];
	for (int k = 0; k < 3; k++)
		extra[k] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	check_ok("backlog_1", connect(extra[0], (struct sockaddr *)&sa, alen));
	check_ok("backlog_2", connect(extra[1], (struct sockaddr *)&sa, alen));
	check_errno("backlog_full_eagain", connect(extra[2], (struct sockaddr *)&sa, alen), EAGAIN);
	for (int k = 0; k < 3; k++)
		close(extra[k]);
	close(s);
	close(c);
	close(l);
	check_errno("closed_listener_refuses", connect(socket(AF_UNIX, SOCK_STREAM, 0),
		    (struct sockaddr *)&sa, alen), ECONNREFUSED);
	unlink(path);
	scratch_remove();
}

static void server_abstract(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX }, got;
	memcpy(sa.sun_path, "\0monos-unix-test", 16);
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 16, len;
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	check_errno("abstract_refused", connect(c, (struct sockaddr *)&sa, alen), ECONNREFUSED);
	check_ok("abstract_bind", bind(l, (struct sockaddr *)&sa, alen));
	int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
	check_errno("abstract_inuse", bind(l2, (struct sockaddr *)&sa, alen), EADDRINUSE);
	check_errno("bind_twice", bind(l, (struct sockaddr *)&sa, alen), EINVAL);
	listen(l, 5);
	len = sizeof(got);
	check(getsockname(l, (struct sockaddr *)&got, &len) == 0 && len == alen &&
	      memcmp(got.sun_path, sa.sun_path, 16) == 0, "abstract_sockname", "len %d", (int)len);
	/* Autobind: an empty address gets a five-hex-digit abstract name. */
	struct sockaddr_un empty = { .sun_family = AF_UNIX };
	check_ok("autobind", bind(c, (struct sockaddr *)&empty, sizeof(sa_family_t)));
	len = sizeof(got);
	getsockname(c, (struct sockaddr *)&got, &len);
	check(len == offsetof(struct sockaddr_un, sun_path) + 6 && got.sun_path[0] == 0, "autobind_name",
	      "len %d", (int)len);
	check_ok("abstract_connect", connect(c, (struct sockaddr *)&sa, alen));
	struct sockaddr_un peer;
	socklen_t plen = sizeof(peer);
	int s = accept(l, (struct sockaddr *)&peer, &plen);
	check(s >= 0 && plen == len && memcmp(peer.sun_path, got.sun_path, 6) == 0, "accept_peer_autobound",
	      "len %d", (int)plen);
	close(s);
	close(c);
	close(l);
	close(l2);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	check_errno("dgram_listen", listen(d, 1), EOPNOTSUPP);
	close(d);
	check_errno("inet_socket", socket(AF_INET6 + 100, SOCK_STREAM, 0), EAFNOSUPPORT);
}

static void scm_rights(void)
{
	int sv[2], p[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	union { struct cmsghdr h; char b[CMSG_SPACE(2 * sizeof(int))]; } ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = { .iov_base = "F", .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			    .msg_controllen = CMSG_SPACE(2 * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(c), p, sizeof(p));
	check_eq("sendmsg_rights", sendmsg(sv[0], &m, 0), 1);
	close(p[0]);

	char byte;
	union { struct cmsghdr h; char b[CMSG_SPACE(2 * sizeof(int))]; } rctl;
	struct iovec riov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr r = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = rctl.b,
			    .msg_controllen = sizeof(rctl.b) };
	check_eq("recvmsg_rights", recvmsg(sv[1], &r, MSG_CMSG_CLOEXEC), 1);
	c = CMSG_FIRSTHDR(&r);
	int got[2] = { -1, -1 };
	if (c && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(2 * sizeof(int)))
		memcpy(got, CMSG_DATA(c), sizeof(got));
	check(got[0] >= 0 && got[1] >= 0 && !(r.msg_flags & MSG_CTRUNC), "rights_fds", "fds %d %d flags %x",
	      got[0], got[1], r.msg_flags);
	check(fcntl(got[0], F_GETFD) & FD_CLOEXEC, "rights_cloexec", "no FD_CLOEXEC");
	/* The received read end is the same pipe. */
	write(p[1], "q", 1);
	char q = 0;
	check(read(got[0], &q, 1) == 1 && q == 'q', "rights_same_file", "read %c", q);
	close(got[0]);
	close(got[1]);

	/* A short control buffer: MSG_CTRUNC, and only what fits arrives. */
	c = CMSG_FIRSTHDR(&m);
	pipe(p);
	memcpy(CMSG_DATA(c), p, sizeof(p));
	check_eq("sendmsg_two", sendmsg(sv[0], &m, 0), 1);
	r.msg_controllen = CMSG_LEN(sizeof(int));
	check_eq("recvmsg_short_ctl", recvmsg(sv[1], &r, 0), 1);
	check((r.msg_flags & MSG_CTRUNC) && r.msg_controllen == CMSG_LEN(sizeof(int)), "ctrunc",
	      "flags %x controllen %zu", r.msg_flags, (size_t)r.msg_controllen);
	c = CMSG_FIRSTHDR(&r);
	if (c)
		close(*(int *)CMSG_DATA(c));
	/* The write end was dropped with the message: the pipe's only writer is ours. */
	close(p[1]);
	check_eq("ctrunc_dropped_fd_closed", read(p[0], &q, 1), 0);
	close(p[0]);

	int bad = 9999;
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &bad, sizeof(int));
	m.msg_controllen = CMSG_SPACE(sizeof(int));
	check_errno("rights_ebadf", sendmsg(sv[0], &m, 0), EBADF);
	c->cmsg_type = 77;
	check_errno("bad_cmsg_type", sendmsg(sv[0], &m, 0), EINVAL);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	check_init("unix_stream");
	pair_basics();
	fill_and_poll();
	shutdown_and_sigpipe();
	waitall();
	echo_threads();
	server_path();
	server_abstract();
	scm_rights();
	return check_done();
}
