/*
 * netlink_ifaddrs: interfaces the way programs list them. getifaddrs (netlink
 * inside both libcs) finds lo with 127.0.0.1/8, IFF_UP|IFF_LOOPBACK and an
 * AF_PACKET entry; if_nametoindex, SIOCGIFINDEX, if_nameindex and a raw
 * RTM_GETLINK dump agree on lo's index; raw RTM_GETADDR and RTM_GETROUTE
 * dumps parse to NLMSG_DONE with lo's address and its local route; binding
 * with nl_pid 0 gives the process's pid; MSG_PEEK|MSG_TRUNC sizes a reply;
 * errors and ACKs come as NLMSG_ERROR. Only lo is looked at: the host's other
 * interfaces are its own business.
 */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_arp.h>

static void check_getifaddrs(void)
{
	struct ifaddrs *list;
	if (!check_ok("getifaddrs", getifaddrs(&list)))
		return;
	int inet = 0, packet = 0;
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		if (strcmp(i->ifa_name, "lo") || !i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)i->ifa_addr;
			struct sockaddr_in *m = (struct sockaddr_in *)i->ifa_netmask;
			if (a->sin_addr.s_addr != htonl(INADDR_LOOPBACK))
				continue;
			inet++;
			check_eq("lo_netmask", m ? (long)ntohl(m->sin_addr.s_addr) : -1,
				 0xff000000L);
			check_eq("lo_flags",
				 i->ifa_flags & (IFF_UP | IFF_LOOPBACK), IFF_UP | IFF_LOOPBACK);
		} else if (i->ifa_addr->sa_family == AF_PACKET) {
			packet++;
		}
	}
	check_eq("lo_inet", inet, 1);
	check_eq("lo_packet", packet, 1);
	freeifaddrs(list);
}

/* A netlink request: header and rtgenmsg-sized or larger body. */
struct request {
	struct nlmsghdr h;
	union {
		struct rtgenmsg g;
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
	};
	char attrs[64];
};

static int nl_socket(void)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

static long send_req(int fd, int type, int flags, int seq, int family)
{
	struct request r;
	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r.h.nlmsg_type = type;
	r.h.nlmsg_flags = NLM_F_REQUEST | flags;
	r.h.nlmsg_seq = seq;
	r.g.rtgen_family = family;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	return sendto(fd, &r, r.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
}

static char buf[65536];

/* Reads a dump to NLMSG_DONE, calling each(h) for every other message; -1 on an error. */
static int read_dump(int fd, int seq, void (*each)(struct nlmsghdr *h))
{
	for (;;) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n <= 0 || from.nl_pid != 0)
			return -1;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != (unsigned)seq)
				return -1;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR || !(h->nlmsg_flags & NLM_F_MULTI))
				return -1;
			each(h);
		}
	}
}

static int lo_link_index, lo_link_type, lo_link_flags, links;
static void on_link(struct nlmsghdr *h)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = IFLA_PAYLOAD(h);
	links += h->nlmsg_type == RTM_NEWLINK;
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME && !strcmp(RTA_DATA(a), "lo")) {
			lo_link_index = ifi->ifi_index;
			lo_link_type = ifi->ifi_type;
			lo_link_flags = ifi->ifi_flags;
		}
	}
}

static int lo_addr_found, lo_addr_prefix, lo_addr_label;
static void on_addr(struct nlmsghdr *h)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = IFA_PAYLOAD(h);
	if (h->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET)
		return;
	int is_lo = 0, labelled = 0;
	for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFA_LOCAL && *(unsigned *)RTA_DATA(a) == htonl(INADDR_LOOPBACK))
			is_lo = 1;
		if (a->rta_type == IFA_LABEL && !strcmp(RTA_DATA(a), "lo"))
			labelled = 1;
	}
	if (is_lo && (int)ifa->ifa_index == lo_link_index) {
		lo_addr_found = 1;
		lo_addr_prefix = ifa->ifa_prefixlen;
		lo_addr_label = labelled;
	}
}

/* "local 127.0.0.1 dev lo table local proto kernel scope host". */
static int lo_local_route;
static void on_route(struct nlmsghdr *h)
{
	struct rtmsg *rtm = NLMSG_DATA(h);
	int len = RTM_PAYLOAD(h);
	if (h->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != AF_INET ||
	    rtm->rtm_type != RTN_LOCAL || rtm->rtm_dst_len != 32 || rtm->rtm_table != RT_TABLE_LOCAL)
		return;
	int dst = 0, oif = 0;
	for (struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_DST && *(unsigned *)RTA_DATA(a) == htonl(INADDR_LOOPBACK))
			dst = 1;
		if (a->rta_type == RTA_OIF && *(int *)RTA_DATA(a) == lo_link_index)
			oif = 1;
	}
	if (dst && oif && rtm->rtm_scope == RT_SCOPE_HOST)
		lo_local_route++;
}

static void check_raw(void)
{
	check_errno("stream_type", socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE),
		    ESOCKTNOSUPPORT);
	check_errno("bad_protocol", socket(AF_NETLINK, SOCK_RAW, MAX_LINKS),
		    EPROTONOSUPPORT);
	int fd = nl_socket();
	if (!check_ok("socket", fd))
		return;
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	check_ok("bind", bind(fd, (struct sockaddr *)&me, sizeof(me)));
	socklen_t ml = sizeof(me);
	memset(&me, 0xff, sizeof(me));
	check_ok("getsockname", getsockname(fd, (struct sockaddr *)&me, &ml));
	check_eq("name_len", ml, sizeof(struct sockaddr_nl));
	check_eq("name_pid", me.nl_pid, getpid());
	unsigned my_port = me.nl_pid;
	/* A second socket autobinds elsewhere. */
	int fd2 = nl_socket();
	struct sockaddr_nl other = { .nl_family = AF_NETLINK };
	check_ok("bind2", bind(fd2, (struct sockaddr *)&other, sizeof(other)));
	ml = sizeof(other);
	getsockname(fd2, (struct sockaddr *)&other, &ml);
	check(other.nl_pid != 0 && other.nl_pid != me.nl_pid, "autobind_other",
	      "second port id %d (first %d)", (int)other.nl_pid, (int)me.nl_pid);
	me.nl_pid = other.nl_pid;
	check_errno("bind_taken", bind(nl_socket(), (struct sockaddr *)&me, sizeof(me)),
		    EADDRINUSE);
	close(fd2);

	check_eq("send_getlink",
		 send_req(fd, RTM_GETLINK, NLM_F_DUMP, 1, AF_UNSPEC), NLMSG_LENGTH(sizeof(struct ifinfomsg)));
	struct pollfd p = { .fd = fd, .events = POLLIN };
	check_eq("poll_in", poll(&p, 1, 1000), 1);
	/* glibc's way to size its buffer: a peek that reports the datagram's full length. */
	ssize_t full = recv(fd, buf, 16, MSG_PEEK | MSG_TRUNC);
	check(full > 16, "peek_trunc", "peek with MSG_TRUNC returned %zd", full);
	check_eq("getlink_dump", read_dump(fd, 1, on_link), 0);
	check(lo_link_index > 0 && lo_link_type == ARPHRD_LOOPBACK &&
	      (lo_link_flags & (IFF_UP | IFF_LOOPBACK)) == (IFF_UP | IFF_LOOPBACK), "getlink_lo",
	      "lo index %d type %d flags %#x", lo_link_index, lo_link_type, lo_link_flags);
	check_eq("nametoindex", if_nametoindex("lo"), lo_link_index);

	struct ifreq r;
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	int ifx = ioctl(fd, SIOCGIFINDEX, &r) == 0 ? r.ifr_ifindex : -errno;
	check_eq("ioctl_index", ifx, lo_link_index);

	check_ok("send_getaddr", send_req(fd, RTM_GETADDR, NLM_F_DUMP, 2, AF_INET));
	check_eq("getaddr_dump", read_dump(fd, 2, on_addr), 0);
	check_eq("getaddr_lo", lo_addr_found, 1);
	check_eq("getaddr_prefix", lo_addr_prefix, 8);
	check_eq("getaddr_label", lo_addr_label, 1);

	check_ok("send_getroute", send_req(fd, RTM_GETROUTE, NLM_F_DUMP, 6, AF_INET));
	check_eq("getroute_dump", read_dump(fd, 6, on_route), 0);
	check_eq("getroute_lo_local", lo_local_route, 1);

	/* One link by index, then an ACK after it. */
	send_req(fd, RTM_GETLINK, NLM_F_ACK, 3, AF_UNSPEC);
	{
		struct request q;
		memset(&q, 0, sizeof(q));
		q.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
		q.h.nlmsg_type = RTM_GETLINK;
		q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		q.h.nlmsg_seq = 4;
		q.ifi.ifi_index = lo_link_index;
		send(fd, &q, q.h.nlmsg_len, 0);
	}
	/* seq 3 (index 0, no name) is EINVAL; seq 4 is lo's link and an ACK. */
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = NLMSG_DATA(h);
	check(n > 0 && h->nlmsg_type == NLMSG_ERROR &&
	      h->nlmsg_seq == 3 && e->error == -EINVAL, "getlink_noindex", "type %d seq %d error %d",
	      h->nlmsg_type, h->nlmsg_seq, e->error);
	n = recv(fd, buf, sizeof(buf), 0);
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	check(n > 0 && h->nlmsg_type == RTM_NEWLINK &&
	      h->nlmsg_seq == 4 && ifi->ifi_index == lo_link_index && !(h->nlmsg_flags & NLM_F_MULTI), "getlink_one",
	      "type %d seq %d index %d", h->nlmsg_type, h->nlmsg_seq, ifi->ifi_index);
	n = recv(fd, buf, sizeof(buf), 0);
	check(n == NLMSG_LENGTH(sizeof(struct nlmsgerr)) &&
	      h->nlmsg_type == NLMSG_ERROR && h->nlmsg_seq == 4 && e->error == 0 &&
	      e->msg.nlmsg_seq == 4 && h->nlmsg_pid == my_port, "ack",
	      "len %zd type %d seq %d error %d", n, h->nlmsg_type, h->nlmsg_seq, e->error);
	/* A link that does not exist. */
	{
		struct request q;
		memset(&q, 0, sizeof(q));
		q.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
		q.h.nlmsg_type = RTM_GETLINK;
		q.h.nlmsg_flags = NLM_F_REQUEST;
		q.h.nlmsg_seq = 5;
		q.ifi.ifi_index = 0x7fffffff;
		send(fd, &q, q.h.nlmsg_len, 0);
	}
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	check(n == NLMSG_LENGTH(sizeof(struct nlmsgerr)) -
	      NLMSG_HDRLEN + NLMSG_LENGTH(sizeof(struct ifinfomsg)) &&
	      h->nlmsg_type == NLMSG_ERROR && e->error == -ENODEV, "getlink_enodev",
	      "len %zd type %d error %d", n, h->nlmsg_type, e->error);
	check_errno("empty", recv(fd, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	close(fd);
}

static void check_nameindex(void)
{
	struct if_nameindex *ni = if_nameindex();
	if (!check(ni != NULL, "nameindex", "if_nameindex: %s", errno_name(errno)))
		return;
	int found = 0;
	for (struct if_nameindex *i = ni; i->if_index; i++)
		if (!strcmp(i->if_name, "lo"))
			found = (int)i->if_index;
	check_eq("nameindex_lo", found, lo_link_index);
	if_freenameindex(ni);
}

int main(void)
{
	check_init("netlink_ifaddrs");
	check_getifaddrs();
	check_raw();
	check_nameindex();
	return check_done();
}
