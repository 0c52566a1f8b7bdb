/*
 * unix_dgram: AF_UNIX datagram and seqpacket sockets. Message boundaries,
 * truncation (MSG_TRUNC both ways), MSG_PEEK, FIONREAD, empty datagrams;
 * sendto a bound path and recvfrom's source address; connected datagram
 * sockets and what a send finds after the peer closed; seqpacket end of file
 * and EPIPE; readiness; SCM_CREDENTIALS with SO_PASSCRED; sendmmsg/recvmmsg.
 */
#define _GNU_SOURCE
#include "check.h"
#include "scratch.h"
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static short revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static socklen_t path_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	strcpy(sa->sun_path, path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static void boundaries(int type, const char *tag)
{
	char name[64];
	int sv[2];
	snprintf(name, sizeof(name), "%s_pair", tag);
	check_ok(name, socketpair(AF_UNIX, type, 0, sv));
	check_eq("poll_empty", revents(sv[1], POLLIN | POLLOUT), POLLOUT);
	send(sv[0], "one", 3, 0);
	send(sv[0], "second", 6, 0);
	send(sv[0], "", 0, 0);
	check_eq("poll_ready", revents(sv[1], POLLIN | POLLOUT), POLLIN | POLLOUT);
	int avail = -1;
	ioctl(sv[1], FIONREAD, &avail);
	snprintf(name, sizeof(name), "%s_fionread", tag);
	check_eq(name, avail, type == SOCK_DGRAM ? 3 : 9);
	char buf[16] = { 0 };
	snprintf(name, sizeof(name), "%s_peek", tag);
	check_eq(name, recv(sv[1], buf, sizeof(buf), MSG_PEEK), 3);
	snprintf(name, sizeof(name), "%s_first", tag);
	check_eq(name, recv(sv[1], buf, sizeof(buf), 0), 3);
	struct iovec iov = { .iov_base = buf, .iov_len = 2 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	snprintf(name, sizeof(name), "%s_truncated", tag);
	check_eq(name, recvmsg(sv[1], &m, 0), 2);
	snprintf(name, sizeof(name), "%s_msg_trunc_flag", tag);
	check(m.msg_flags & MSG_TRUNC, name, "flags %x", m.msg_flags);
	snprintf(name, sizeof(name), "%s_empty_datagram", tag);
	check_eq(name, recv(sv[1], buf, sizeof(buf), 0), 0);
	send(sv[0], "abcdef", 6, 0);
	snprintf(name, sizeof(name), "%s_trunc_full_length", tag);
	check_eq(name, recv(sv[1], buf, 1, MSG_TRUNC), 6);
	snprintf(name, sizeof(name), "%s_dontwait", tag);
	check_errno(name, recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
	int v;
	socklen_t len = sizeof(v);
	getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len);
	snprintf(name, sizeof(name), "%s_so_type", tag);
	check_eq(name, v, type);
	close(sv[0]);
	if (type == SOCK_SEQPACKET) {
		check_eq("seqpacket_eof", recv(sv[1], buf, sizeof(buf), 0), 0);
		check_eq("seqpacket_hup", revents(sv[1], POLLIN | POLLRDHUP) & (POLLHUP | POLLRDHUP),
			 POLLHUP | POLLRDHUP);
		check_errno("seqpacket_epipe", send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
	} else {
		check_errno("dgram_peer_closed", send(sv[1], "x", 1, 0), ECONNREFUSED);
		check_errno("dgram_then_unconnected", send(sv[1], "x", 1, 0), ENOTCONN);
	}
	close(sv[1]);
}

static void named(void)
{
	scratch_make("unix_dgram");
	struct sockaddr_un a, b, from;
	socklen_t alen = path_addr(&a, sp("a")), blen = path_addr(&b, sp("b")), flen;
	int sa = socket(AF_UNIX, SOCK_DGRAM, 0), sb = socket(AF_UNIX, SOCK_DGRAM, 0);
	int anon = socket(AF_UNIX, SOCK_DGRAM, 0);
	check_errno("sendto_enoent", sendto(anon, "x", 1, 0, (struct sockaddr *)&a, alen), ENOENT);
	check_errno("send_unconnected", send(anon, "x", 1, 0), ENOTCONN);
	check_ok("bind_a", bind(sa, (struct sockaddr *)&a, alen));
	check_ok("bind_b", bind(sb, (struct sockaddr *)&b, blen));
	check_eq("sendto_path", sendto(sb, "hi", 2, 0, (struct sockaddr *)&a, alen), 2);
	check_eq("sendto_unbound", sendto(anon, "yo", 2, 0, (struct sockaddr *)&a, alen), 2);
	char buf[8];
	flen = sizeof(from);
	check_eq("recvfrom", recvfrom(sa, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen), 2);
	check(flen == blen && strcmp(from.sun_path, b.sun_path) == 0, "recvfrom_source",
	      "len %d want %d", (int)flen, (int)blen);
	flen = sizeof(from);
	check_eq("recvfrom_unbound", recvfrom(sa, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen), 2);
	check_eq("unbound_source_len", flen, 0);

	/* A datagram socket connected to a: send goes there; a is then taken by b only. */
	check_ok("connect_dgram", connect(sb, (struct sockaddr *)&a, alen));
	check_eq("send_connected", send(sb, "c", 1, 0), 1);
	check_eq("recv_connected", recv(sa, buf, sizeof(buf), 0), 1);
	struct sockaddr_un peer;
	socklen_t plen = sizeof(peer);
	check(getpeername(sb, (struct sockaddr *)&peer, &plen) == 0 && plen == alen, "dgram_peername",
	      "len %d", (int)plen);
	check_ok("connect_a_to_b", connect(sa, (struct sockaddr *)&b, blen));
	check_errno("sendto_connected_elsewhere", sendto(anon, "x", 1, 0, (struct sockaddr *)&a, alen), EPERM);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	check_ok("disconnect", connect(sb, &unspec, sizeof(unspec)));
	check_errno("disconnected_send", send(sb, "x", 1, 0), ENOTCONN);

	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	check_errno("stream_to_dgram_eprototype", connect(st, (struct sockaddr *)&a, alen), EPROTOTYPE);
	int big = 300000;
	char *huge = calloc(1, big);
	check_errno("emsgsize", sendto(anon, huge, big, 0, (struct sockaddr *)&b, blen), EMSGSIZE);
	free(huge);
	close(st);
	close(sa);
	close(sb);
	close(anon);
	unlink(sp("a"));
	unlink(sp("b"));
	scratch_remove();
}

static void credentials(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	int on = 1;
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	send(sv[0], "c", 1, 0);
	char byte;
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(struct ucred))]; } ctl;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			    .msg_controllen = sizeof(ctl.b) };
	check_eq("recv_creds", recvmsg(sv[1], &m, 0), 1);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	struct ucred u = { 0, 0, 0 };
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
		memcpy(&u, CMSG_DATA(c), sizeof(u));
	check(u.pid == getpid() && u.uid == getuid() && u.gid == getgid(), "scm_credentials",
	      "pid %d uid %d gid %d", (int)u.pid, (int)u.uid, (int)u.gid);

	/* Sending one's own credentials explicitly; a pid that is not ours is refused. */
	struct msghdr s = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			    .msg_controllen = sizeof(ctl.b) };
	c = CMSG_FIRSTHDR(&s);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
	struct ucred mine = { getpid(), getuid(), getgid() };
	memcpy(CMSG_DATA(c), &mine, sizeof(mine));
	check_eq("send_own_creds", sendmsg(sv[0], &s, 0), 1);
	mine.pid = getpid() + 1000000;
	memcpy(CMSG_DATA(c), &mine, sizeof(mine));
	/* Unprivileged: EPERM (scm_check_creds); root passes that check and then
	 * finds no such process. */
	check_errno("send_other_pid", sendmsg(sv[0], &s, 0), geteuid() == 0 ? ESRCH : EPERM);
	recv(sv[1], &byte, 1, 0);

	/* Without SO_PASSCRED no control message comes. */
	send(sv[1], "d", 1, 0);
	m.msg_controllen = sizeof(ctl.b);
	check_eq("recv_no_passcred", recvmsg(sv[0], &m, 0), 1);
	check_eq("no_creds_without_passcred", m.msg_controllen, 0);
	close(sv[0]);
	close(sv[1]);
}

static void multi(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	char out[3][4] = { "aa", "bbb", "c" }, in[3][8];
	struct iovec oiov[3], iiov[3];
	struct mmsghdr om[3], im[3];
	memset(om, 0, sizeof(om));
	memset(im, 0, sizeof(im));
	for (int k = 0; k < 3; k++) {
		oiov[k] = (struct iovec){ out[k], strlen(out[k]) };
		iiov[k] = (struct iovec){ in[k], sizeof(in[k]) };
		om[k].msg_hdr.msg_iov = &oiov[k];
		om[k].msg_hdr.msg_iovlen = 1;
		im[k].msg_hdr.msg_iov = &iiov[k];
		im[k].msg_hdr.msg_iovlen = 1;
	}
	check_eq("sendmmsg", sendmmsg(sv[0], om, 3, 0), 3);
	check_eq("sendmmsg_len", om[1].msg_len, 3);
	check_eq("recvmmsg", recvmmsg(sv[1], im, 3, MSG_DONTWAIT, NULL), 3);
	check(im[0].msg_len == 2 && im[1].msg_len == 3 && im[2].msg_len == 1, "recvmmsg_lens",
	      "%u %u %u", im[0].msg_len, im[1].msg_len, im[2].msg_len);
	/* write(2) and read(2) move a datagram bigger than a page whole. */
	static char big[10000], back[12000];
	memset(big, 'x', sizeof(big));
	check_eq("write_big_datagram", write(sv[0], big, sizeof(big)), sizeof(big));
	check_eq("read_big_datagram", read(sv[1], back, sizeof(back)), sizeof(big));
	send(sv[0], "z", 1, 0);
	check_eq("recvmmsg_waitforone", recvmmsg(sv[1], im, 3, MSG_WAITFORONE, NULL), 1);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	check_init("unix_dgram");
	boundaries(SOCK_DGRAM, "dgram");
	boundaries(SOCK_SEQPACKET, "seqpacket");
	named();
	credentials();
	multi();
	return check_done();
}
