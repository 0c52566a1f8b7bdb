/* AF_NETLINK sockets (NETLINK_ROUTE): addressing by port id as Linux's af_netlink.c (the first
 * socket autobinds to the process's pid, later ones to -4096, -4097, ...), datagrams between
 * sockets of the app, and the kernel's side of rtnetlink for what programs ask to list
 * interfaces and routes: RTM_GETLINK (dump, or one link by index or name), RTM_GETADDR (dump,
 * IPv4 and IPv6) and RTM_GETROUTE (dump of the IPv4 main and local tables), answered from
 * lwIP's interfaces (net/ifioctl.h). Replies are built whole when the request is sent (there
 * are at most a few interfaces) and wait in the socket as datagrams of at most NLMSG_GOODSIZE
 * bytes, as Linux's dump fills them; a dump ends with NLMSG_DONE, an error or NLM_F_ACK gives
 * NLMSG_ERROR. Other rtnetlink requests (IPv6 routes, neighbours, every change) are answered
 * with EOPNOTSUPP, as Linux answers a type nothing registered; an AF_UNSPEC route dump lists
 * IPv4 only. Multicast groups can be joined, but the kernel sends no notifications to them.
 * Interface counters (IFLA_STATS*) are left out: lwIP keeps none (MIB2_STATS off). Lock: the
 * big kernel lock. */
#include "net/netlink.h"
#include "net/socket.h"
#include "net/ifioctl.h"
#include "fs/poll.h"
#include "mm/kheap.h"
#include "proc/process.h"
#include "lib/string.h"
#include "errno.h"
#include "lwip/netif.h"
#include "lwip/ip4_addr.h"
#include "lwip/ip6_addr.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/eventpoll.h>

#define SOL_NETLINK 270      /* the C library's, not in the UAPI headers */
#define NL_SKB_SIZE 3776     /* NLMSG_GOODSIZE with 4 KiB pages: one dump datagram */
#define NL_MSG_MAX 512       /* the largest message built here (a link with its attributes) */
#define NL_GROUPS 32         /* groups a socket can join (RTNLGRP_* fit) */

/* Options of level SOL_NETLINK that only change what the socket reports. */
enum {
	NLF_CAP_ACK = 1 << 0,
	NLF_EXT_ACK = 1 << 1,
	NLF_STRICT = 1 << 2,
	NLF_NO_ENOBUFS = 1 << 3,
	NLF_BROADCAST_ERROR = 1 << 4,
	NLF_LISTEN_ALL_NSID = 1 << 5,
};

/* A datagram waiting to be read. */
struct nl_skb {
	struct nl_skb *next;
	u32 portid;          /* the sender: 0 for the kernel */
	u32 group;           /* the multicast group it was sent to, or 0 */
	size_t len;
	u8 data[];
};

struct nl_sock {
	struct socket *s;
	struct nl_sock *next;    /* all netlink sockets, for port ids and multicast */
	bool bound;
	u32 portid;
	u32 groups;              /* bit g-1 for group g */
	u32 dst_portid, dst_group;
	u32 opts;                /* NLF_* */
	struct nl_skb *rq, *rq_tail;
	struct wait_queue wq;
};

static struct nl_sock *all_socks;
static s32 autobind_rover = -4096;

static struct nl_sock *nl_of(struct socket *s) { return s->sk; }

int netlink_create(struct socket *s)
{
	if (s->type != SOCK_RAW && s->type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (s->protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	struct nl_sock *nsk = kzalloc(sizeof(*nsk));
	if (!nsk)
		return -ENOMEM;
	nsk->s = s;
	wait_queue_init(&nsk->wq);
	nsk->next = all_socks;
	all_socks = nsk;
	s->sk = nsk;
	return 0;
}

/* ---- port ids -------------------------------------------------------------------------------- */

static struct nl_sock *find_port(u32 portid)
{
	for (struct nl_sock *n = all_socks; n; n = n->next)
		if (n->bound && n->portid == portid)
			return n;
	return NULL;
}

/* netlink_autobind: the process's pid if free, else counting down from -4096. */
static void autobind(struct nl_sock *nsk)
{
	if (nsk->bound)
		return;
	u32 portid = (u32)proc.pid;
	while (find_port(portid)) {
		portid = (u32)autobind_rover--;
		if (autobind_rover > -4096)
			autobind_rover = -4096;
	}
	nsk->portid = portid;
	nsk->bound = true;
}

static u32 group_mask(u32 group) { return group ? 1u << (group - 1) : 0; }

static void put_addr(void *out, u32 portid, u32 groups)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_pid = portid, .nl_groups = groups };
	memcpy(out, &a, sizeof(a));
}

static int nl_bind(struct socket *s, const void *addr, int len)
{
	struct nl_sock *nsk = nl_of(s);
	struct sockaddr_nl a;
	if (len < (int)sizeof(a))
		return -EINVAL;
	memcpy(&a, addr, sizeof(a));
	if (a.nl_family != AF_NETLINK)
		return -EINVAL;
	if (nsk->bound) {
		if (a.nl_pid != nsk->portid)
			return -EINVAL;
	} else if (a.nl_pid) {
		if (find_port(a.nl_pid))
			return -EADDRINUSE;
		nsk->portid = a.nl_pid;
		nsk->bound = true;
	} else {
		autobind(nsk);
	}
	nsk->groups = a.nl_groups;
	return 0;
}

static int nl_connect(struct socket *s, const void *addr, int len, bool nonblock)
{
	struct nl_sock *nsk = nl_of(s);
	struct sockaddr_nl a;
	if (len < (int)sizeof(a.nl_family))
		return -EINVAL;
	memcpy(&a, addr, MIN((size_t)len, sizeof(a)));
	if (a.nl_family == AF_UNSPEC) {
		nsk->dst_portid = 0;
		nsk->dst_group = 0;
		return 0;
	}
	if (a.nl_family != AF_NETLINK || len < (int)sizeof(a))
		return -EINVAL;
	autobind(nsk);
	nsk->dst_portid = a.nl_pid;
	nsk->dst_group = a.nl_groups ? (u32)__builtin_ffs((int)a.nl_groups) : 0;
	return 0;
}

/* getsockname and getpeername (which never fails for netlink: the kernel is the default peer). */
static int nl_getname(struct socket *s, void *addr, int *len, bool peer)
{
	struct nl_sock *nsk = nl_of(s);
	if (peer)
		put_addr(addr, nsk->dst_portid, group_mask(nsk->dst_group));
	else
		put_addr(addr, nsk->bound ? nsk->portid : 0, nsk->groups);
	*len = sizeof(struct sockaddr_nl);
	return 0;
}

/* ---- the receive queue ----------------------------------------------------------------------- */

static int queue_copy(struct nl_sock *to, const void *data, size_t len, u32 from, u32 group)
{
	struct nl_skb *b = kmalloc(sizeof(*b) + (len ? len : 1));
	if (!b)
		return -ENOBUFS;
	b->next = NULL;
	b->portid = from;
	b->group = group;
	b->len = len;
	memcpy(b->data, data, len);
	if (to->rq_tail)
		to->rq_tail->next = b;
	else
		to->rq = b;
	to->rq_tail = b;
	wake_up_poll(&to->wq, EPOLLIN | EPOLLRDNORM);
	return 0;
}

static void dequeue(struct nl_sock *nsk)
{
	struct nl_skb *b = nsk->rq;
	nsk->rq = b->next;
	if (!nsk->rq)
		nsk->rq_tail = NULL;
	kfree(b);
}

/* As netlink_recvmsg: one datagram, cut to the buffer with MSG_TRUNC in the flags; with
 * MSG_TRUNC asked the call returns its full length (glibc sizes its buffer with a peek). */
static ssize_t nl_recvmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	struct nl_sock *nsk = nl_of(s);
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	nonblock = nonblock || (m->flags & MSG_DONTWAIT);
	while (!nsk->rq) {
		if (nonblock)
			return -EAGAIN;
		if (wait_on(&nsk->wq, 0) == WAKE_INTERRUPT)
			return -ERESTARTSYS;
	}
	struct nl_skb *b = nsk->rq;
	size_t n = MIN(m->len, b->len);
	memcpy(m->buf, b->data, n);
	if (n < b->len)
		m->out_flags |= MSG_TRUNC;
	if (m->name) {
		put_addr(m->name, b->portid, group_mask(b->group));
		m->namelen = sizeof(struct sockaddr_nl);
	}
	size_t full = b->len;
	if (!(m->flags & MSG_PEEK))
		dequeue(nsk);
	return (ssize_t)(m->flags & MSG_TRUNC ? full : n);
}

/* ---- building replies ------------------------------------------------------------------------ */

/* One message being built. */
struct nl_msg {
	u8 buf[NL_MSG_MAX];
	size_t len;
};

static void *msg_start(struct nl_msg *m, u16 type, u16 flags, u32 seq, u32 portid, size_t fixed)
{
	memset(m->buf, 0, NLMSG_SPACE(fixed));
	struct nlmsghdr *h = (struct nlmsghdr *)m->buf;
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	h->nlmsg_pid = portid;
	m->len = NLMSG_SPACE(fixed);
	return m->buf + NLMSG_HDRLEN;
}

static void msg_attr(struct nl_msg *m, u16 type, const void *data, size_t len)
{
	if (m->len + RTA_SPACE(len) > sizeof(m->buf))
		return; /* cannot happen with the attributes above; never write past the buffer */
	struct rtattr a = { .rta_len = (u16)RTA_LENGTH(len), .rta_type = type };
	memset(m->buf + m->len, 0, RTA_SPACE(len));
	memcpy(m->buf + m->len, &a, sizeof(a));
	memcpy(m->buf + m->len + RTA_LENGTH(0), data, len);
	m->len += RTA_SPACE(len);
}

static void msg_u32(struct nl_msg *m, u16 type, u32 v) { msg_attr(m, type, &v, sizeof(v)); }
static void msg_u8(struct nl_msg *m, u16 type, u8 v) { msg_attr(m, type, &v, sizeof(v)); }
static void msg_str(struct nl_msg *m, u16 type, const char *s) { msg_attr(m, type, s, strlen(s) + 1); }

static void msg_end(struct nl_msg *m) { ((struct nlmsghdr *)m->buf)->nlmsg_len = (u32)m->len; }

/* The replies to one request, packed into datagrams of at most NL_SKB_SIZE bytes. */
struct nl_reply {
	struct nl_sock *to;
	u32 seq, portid;
	u16 flags;           /* NLM_F_MULTI for a dump's messages, NLM_F_DUMP_FILTERED... */
	u8 *skb;
	size_t len;
	int err;
};

static void reply_flush(struct nl_reply *r)
{
	if (r->skb && r->len && !r->err)
		r->err = queue_copy(r->to, r->skb, r->len, 0, 0);
	r->len = 0;
}

static void reply_put(struct nl_reply *r, const struct nl_msg *m)
{
	if (r->len + m->len > NL_SKB_SIZE)
		reply_flush(r);
	if (!r->skb && !(r->skb = kmalloc(NL_SKB_SIZE))) {
		r->err = -ENOBUFS;
		return;
	}
	memcpy(r->skb + r->len, m->buf, m->len);
	r->len += m->len;
}

/* netlink_dump: the call that fills a datagram returns its length, so NLMSG_DONE comes from
 * the next call, in a datagram of its own (alone when the dump was empty). */
static void reply_done(struct nl_reply *r)
{
	reply_flush(r);
	struct nl_msg m;
	int *status = msg_start(&m, NLMSG_DONE, NLM_F_MULTI | (r->flags & NLM_F_DUMP_FILTERED),
				r->seq, r->portid, sizeof(int));
	*status = 0;
	msg_end(&m);
	reply_put(r, &m);
	reply_flush(r);
}

/* netlink_ack: NLMSG_ERROR with err (0: an ACK) and the request's header, or all of the
 * request when it failed and the socket did not ask NETLINK_CAP_ACK. */
static int send_ack(struct nl_sock *nsk, const struct nlmsghdr *req, int err)
{
	bool whole = err && !(nsk->opts & NLF_CAP_ACK);
	size_t copy = whole ? req->nlmsg_len : sizeof(*req);
	size_t len = NLMSG_HDRLEN + sizeof(struct nlmsgerr) - sizeof(*req) + copy;
	u8 *buf = kzalloc(NLMSG_ALIGN(len));
	if (!buf)
		return -ENOBUFS;
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	h->nlmsg_len = (u32)len;
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_flags = whole ? 0 : NLM_F_CAPPED;
	h->nlmsg_seq = req->nlmsg_seq;
	h->nlmsg_pid = nsk->portid;
	struct nlmsgerr *e = NLMSG_DATA(h);
	e->error = err;
	memcpy(&e->msg, req, copy);
	int r = queue_copy(nsk, buf, NLMSG_ALIGN(len), 0, 0);
	kfree(buf);
	return r;
}

/* ---- RTM_GETLINK ----------------------------------------------------------------------------- */

static u8 operstate(const struct netif *n)
{
	if (netdev_is_loopback(n))
		return IF_OPER_UNKNOWN; /* lo has no carrier to watch: Linux says unknown too */
	return netif_is_up(n) && netif_is_link_up(n) ? IF_OPER_UP : IF_OPER_DOWN;
}

/* rtnl_fill_ifinfo, the attributes lwIP can answer. */
static void fill_link(struct nl_reply *r, const struct netif *n, u16 type)
{
	struct nl_msg m;
	struct ifinfomsg *ifi = msg_start(&m, type, r->flags, r->seq, r->portid, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_type = netdev_type(n);
	ifi->ifi_index = netdev_index(n);
	ifi->ifi_flags = netdev_flags(n);
	char name[IFNAMSIZ];
	netdev_name(n, name);
	msg_str(&m, IFLA_IFNAME, name);
	msg_u8(&m, IFLA_OPERSTATE, operstate(n));
	msg_u8(&m, IFLA_LINKMODE, 0);
	msg_u32(&m, IFLA_TXQLEN, 0); /* no queueing discipline: nothing waits to be sent */
	msg_u32(&m, IFLA_MTU, netdev_mtu(n));
	msg_u8(&m, IFLA_CARRIER, netif_is_link_up(n) ? 1 : 0);
	u8 hw[6];
	netdev_hwaddr(n, hw);
	msg_attr(&m, IFLA_ADDRESS, hw, sizeof(hw));
	netdev_hwbroadcast(n, hw);
	msg_attr(&m, IFLA_BROADCAST, hw, sizeof(hw));
	msg_end(&m);
	reply_put(r, &m);
}

static void dump_links(struct nl_reply *r)
{
	for (int i = 1; i <= NETDEV_MAX_INDEX; i++) {
		struct netif *n = netdev_by_index(i);
		if (n)
			fill_link(r, n, RTM_NEWLINK);
	}
}

/* The attribute of type t in a request's attributes, or NULL. */
static const struct rtattr *find_attr(const struct nlmsghdr *h, size_t fixed, u16 t)
{
	if (h->nlmsg_len < NLMSG_SPACE(fixed))
		return NULL;
	int left = (int)(h->nlmsg_len - NLMSG_SPACE(fixed));
	const struct rtattr *a = (const void *)((const u8 *)h + NLMSG_SPACE(fixed));
	for (; RTA_OK(a, left); a = RTA_NEXT(a, left))
		if ((a->rta_type & NLA_TYPE_MASK) == t)
			return a;
	return NULL;
}

/* rtnl_getlink: one link by ifi_index, or by IFLA_IFNAME. */
static int get_link(struct nl_reply *r, const struct nlmsghdr *h)
{
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return -EINVAL;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct netif *n = NULL;
	if (ifi->ifi_index > 0) {
		n = netdev_by_index(ifi->ifi_index);
	} else {
		const struct rtattr *a = find_attr(h, sizeof(*ifi), IFLA_IFNAME);
		if (!a)
			return -EINVAL;
		char name[IFNAMSIZ] = { 0 };
		memcpy(name, RTA_DATA(a), MIN(RTA_PAYLOAD(a), (size_t)IFNAMSIZ - 1));
		n = netdev_by_name(name);
	}
	if (!n)
		return -ENODEV;
	fill_link(r, n, RTM_NEWLINK);
	reply_flush(r);
	return r->err;
}

/* ---- RTM_GETADDR ----------------------------------------------------------------------------- */

static void fill_addr4(struct nl_reply *r, const struct netif *n)
{
	u32 ip = ip4_addr_get_u32(netif_ip4_addr(n));
	if (!ip)
		return;
	struct nl_msg m;
	struct ifaddrmsg *ifa = msg_start(&m, RTM_NEWADDR, r->flags, r->seq, r->portid, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (u8)netdev_prefix_len(ip4_addr_get_u32(netif_ip4_netmask(n)));
	ifa->ifa_flags = IFA_F_PERMANENT;
	ifa->ifa_scope = ip4_addr_isloopback(netif_ip4_addr(n)) ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (u32)netdev_index(n);
	msg_attr(&m, IFA_ADDRESS, &ip, 4);
	msg_attr(&m, IFA_LOCAL, &ip, 4);
	u32 brd = netdev_ip4_broadcast(n);
	if (brd)
		msg_attr(&m, IFA_BROADCAST, &brd, 4);
	char name[IFNAMSIZ];
	netdev_name(n, name);
	msg_str(&m, IFA_LABEL, name);
	msg_u32(&m, IFA_FLAGS, IFA_F_PERMANENT);
	msg_end(&m);
	reply_put(r, &m);
}

static void fill_addr6(struct nl_reply *r, const struct netif *n, int k)
{
	const ip6_addr_t *a = netif_ip6_addr(n, k);
	struct nl_msg m;
	struct ifaddrmsg *ifa = msg_start(&m, RTM_NEWADDR, r->flags, r->seq, r->portid, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = (u8)netdev_ip6_prefix_len(a);
	ifa->ifa_flags = IFA_F_PERMANENT;
	ifa->ifa_scope = (u8)netdev_ip6_scope(a);
	ifa->ifa_index = (u32)netdev_index(n);
	msg_attr(&m, IFA_ADDRESS, a->addr, 16);
	msg_u32(&m, IFA_FLAGS, IFA_F_PERMANENT);
	msg_end(&m);
	reply_put(r, &m);
}

/* inet_dump_ifaddr and inet6_dump_ifaddr; AF_UNSPEC (rtnl_dump_all) gives IPv4, then IPv6.
 * With NETLINK_GET_STRICT_CHK a nonzero ifa_index picks one interface (iproute2's "dev"). */
static void dump_addrs(struct nl_reply *r, int family, int only_index)
{
	for (int pass = AF_INET; pass <= AF_INET6; pass += AF_INET6 - AF_INET) {
		if (family != AF_UNSPEC && family != pass)
			continue;
		for (int i = 1; i <= NETDEV_MAX_INDEX; i++) {
			struct netif *n = netdev_by_index(i);
			if (!n || (only_index && i != only_index))
				continue;
			if (pass == AF_INET) {
				fill_addr4(r, n);
				continue;
			}
			for (int k = 0; k < LWIP_IPV6_NUM_ADDRESSES; k++)
				if (ip6_addr_isvalid(netif_ip6_addr_state(n, k)))
					fill_addr6(r, n, k);
		}
	}
}

/* ---- RTM_GETROUTE ---------------------------------------------------------------------------- */

/* fib_dump_info: IPv4 routes of the main and local tables. */
static void dump_routes4(struct nl_reply *r)
{
	struct netdev_route rt[NETDEV_MAX_ROUTES];
	int n = netdev_ip4_routes(rt, NETDEV_MAX_ROUTES);
	for (int k = 0; k < n; k++) {
		struct nl_msg m;
		struct rtmsg *rtm = msg_start(&m, RTM_NEWROUTE, r->flags, r->seq, r->portid, sizeof(*rtm));
		rtm->rtm_family = AF_INET;
		rtm->rtm_dst_len = rt[k].dst_len;
		rtm->rtm_table = rt[k].table;
		rtm->rtm_protocol = rt[k].protocol;
		rtm->rtm_scope = rt[k].scope;
		rtm->rtm_type = rt[k].type;
		msg_u32(&m, RTA_TABLE, rt[k].table);
		if (rt[k].dst_len)
			msg_attr(&m, RTA_DST, &rt[k].dst, 4);
		if (rt[k].prefsrc)
			msg_attr(&m, RTA_PREFSRC, &rt[k].prefsrc, 4);
		if (rt[k].gw)
			msg_attr(&m, RTA_GATEWAY, &rt[k].gw, 4);
		msg_u32(&m, RTA_OIF, (u32)rt[k].oif);
		msg_end(&m);
		reply_put(r, &m);
	}
}

/* ---- rtnetlink_rcv_msg ----------------------------------------------------------------------- */

/* One request: 0 when it was answered with a dump (no ACK follows), else the error or 0 for
 * netlink_rcv_skb to acknowledge. *dumped says which. */
static int rtnl_request(struct nl_sock *nsk, const struct nlmsghdr *h, bool *dumped)
{
	*dumped = false;
	if (h->nlmsg_type > RTM_MAX)
		return -EOPNOTSUPP;
	/* "All the messages must have at least 1 byte length": shorter ones are ignored. */
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtgenmsg)))
		return 0;
	int family = ((const struct rtgenmsg *)NLMSG_DATA(h))->rtgen_family;
	int kind = (h->nlmsg_type - RTM_BASE) & 3;
	struct nl_reply r = { .to = nsk, .seq = h->nlmsg_seq, .portid = nsk->portid };
	bool dump = kind == 2 && (h->nlmsg_flags & NLM_F_DUMP);
	int err = -EOPNOTSUPP;
	if (h->nlmsg_type == RTM_GETLINK && dump) {
		r.flags = NLM_F_MULTI;
		dump_links(&r);
		*dumped = true;
	} else if (h->nlmsg_type == RTM_GETADDR && dump) {
		r.flags = NLM_F_MULTI;
		int only = 0;
		if ((nsk->opts & NLF_STRICT) &&
		    h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifaddrmsg))) {
			only = (int)((const struct ifaddrmsg *)NLMSG_DATA(h))->ifa_index;
			if (only)
				r.flags |= NLM_F_DUMP_FILTERED;
		}
		dump_addrs(&r, family, only);
		*dumped = true;
	} else if (h->nlmsg_type == RTM_GETROUTE && dump &&
		   (family == AF_INET || family == AF_UNSPEC)) {
		/* IPv6 routes are not listed: an AF_INET6 dump is refused rather than empty. */
		r.flags = NLM_F_MULTI;
		dump_routes4(&r);
		*dumped = true;
	} else if (h->nlmsg_type == RTM_GETLINK) {
		err = get_link(&r, h);
	}
	if (*dumped) {
		reply_done(&r);
		err = r.err;
	}
	kfree(r.skb);
	return err;
}

/* netlink_rcv_skb: every message of the datagram in turn; a malformed length ends it. */
static int kernel_receive(struct nl_sock *nsk, const u8 *buf, size_t len)
{
	while (len >= NLMSG_HDRLEN) {
		struct nlmsghdr h;
		memcpy(&h, buf, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || len < h.nlmsg_len)
			return 0;
		int err = 0;
		bool dumped = false;
		/* Only requests are for the kernel; control types (< NLMSG_MIN_TYPE) are only
		 * acknowledged. */
		if ((h.nlmsg_flags & NLM_F_REQUEST) && h.nlmsg_type >= NLMSG_MIN_TYPE)
			err = rtnl_request(nsk, (const struct nlmsghdr *)buf, &dumped);
		if (!dumped && ((h.nlmsg_flags & NLM_F_ACK) || err)) {
			int e = send_ack(nsk, (const struct nlmsghdr *)buf, err);
			if (e)
				return e;
		}
		size_t step = NLMSG_ALIGN(h.nlmsg_len);
		if (step > len)
			step = len;
		buf += step;
		len -= step;
	}
	return 0;
}

/* ---- sending --------------------------------------------------------------------------------- */

/* netlink_sendmsg: to the given address or the connected one; a group's members get a copy,
 * then the port id gets it (0: the kernel, which answers). */
static ssize_t nl_sendmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	struct nl_sock *nsk = nl_of(s);
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	u32 dst_portid = nsk->dst_portid, dst_group = nsk->dst_group;
	if (m->name) {
		struct sockaddr_nl a;
		if (m->namelen < (int)sizeof(a))
			return -EINVAL;
		memcpy(&a, m->name, sizeof(a));
		if (a.nl_family != AF_NETLINK)
			return -EINVAL;
		dst_portid = a.nl_pid;
		dst_group = a.nl_groups ? (u32)__builtin_ffs((int)a.nl_groups) : 0;
	}
	autobind(nsk);
	if (m->len > (size_t)s->sndbuf - 32)
		return -EMSGSIZE;
	if (dst_group) {
		for (struct nl_sock *o = all_socks; o; o = o->next)
			if (o != nsk && o->bound && (o->groups & group_mask(dst_group)))
				queue_copy(o, m->buf, m->len, nsk->portid, dst_group);
	}
	if (dst_portid) {
		struct nl_sock *to = find_port(dst_portid);
		if (!to)
			return -ECONNREFUSED;
		int err = queue_copy(to, m->buf, m->len, nsk->portid, 0);
		return err ? err : (ssize_t)m->len;
	}
	int err = kernel_receive(nsk, m->buf, m->len);
	return err ? err : (ssize_t)m->len;
}

/* ---- options, poll, release ------------------------------------------------------------------ */

static u32 option_flag(int name)
{
	switch (name) {
	case NETLINK_CAP_ACK: return NLF_CAP_ACK;
	case NETLINK_EXT_ACK: return NLF_EXT_ACK;
	case NETLINK_GET_STRICT_CHK: return NLF_STRICT;
	case NETLINK_NO_ENOBUFS: return NLF_NO_ENOBUFS;
	case NETLINK_BROADCAST_ERROR: return NLF_BROADCAST_ERROR;
	case NETLINK_LISTEN_ALL_NSID: return NLF_LISTEN_ALL_NSID;
	}
	return 0;
}

static int nl_setsockopt(struct socket *s, int level, int name, const void *val, int len)
{
	struct nl_sock *nsk = nl_of(s);
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_SNDBUF: case SO_SNDBUFFORCE: case SO_RCVBUF: case SO_RCVBUFFORCE:
		case SO_REUSEADDR: case SO_KEEPALIVE: case SO_PASSCRED:
			return 0;
		}
		return -ENOPROTOOPT;
	}
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	if (len < (int)sizeof(int))
		return -EINVAL;
	u32 v;
	memcpy(&v, val, sizeof(v));
	if (name == NETLINK_ADD_MEMBERSHIP || name == NETLINK_DROP_MEMBERSHIP) {
		if (v == 0 || v > NL_GROUPS)
			return -EINVAL;
		autobind(nsk);
		if (name == NETLINK_ADD_MEMBERSHIP)
			nsk->groups |= group_mask(v);
		else
			nsk->groups &= ~group_mask(v);
		return 0;
	}
	u32 flag = option_flag(name);
	if (!flag)
		return -ENOPROTOOPT; /* NETLINK_PKTINFO: no control message for it here */
	if (v)
		nsk->opts |= flag;
	else
		nsk->opts &= ~flag;
	return 0;
}

static int nl_getsockopt(struct socket *s, int level, int name, void *val, int *len)
{
	struct nl_sock *nsk = nl_of(s);
	int v;
	if (level == SOL_SOCKET) {
		if (name != SO_ERROR)
			return -ENOPROTOOPT;
		v = 0;
	} else if (level == SOL_NETLINK && option_flag(name)) {
		if (*len < (int)sizeof(int))
			return -EINVAL;
		v = (nsk->opts & option_flag(name)) != 0;
	} else {
		return -ENOPROTOOPT;
	}
	if (*len < 0)
		return -EINVAL;
	if (*len > (int)sizeof(v))
		*len = sizeof(v);
	memcpy(val, &v, (size_t)*len);
	return 0;
}

static u32 nl_poll(struct socket *s, struct file *f, struct poll_table *pt)
{
	struct nl_sock *nsk = nl_of(s);
	poll_wait(pt, &nsk->wq, f);
	u32 mask = EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	if (nsk->rq)
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static long nl_ioctl(struct socket *s, unsigned cmd, uptr_t arg) { return -ENOTTY; }
static int nl_listen(struct socket *s, int backlog) { return -EOPNOTSUPP; }
static int nl_accept(struct socket *s, struct socket **out, bool nonblock) { return -EOPNOTSUPP; }
static int nl_shutdown(struct socket *s, int how) { return -EOPNOTSUPP; }

static void nl_release(struct socket *s)
{
	struct nl_sock *nsk = nl_of(s);
	for (struct nl_sock **p = &all_socks; *p; p = &(*p)->next) {
		if (*p == nsk) {
			*p = nsk->next;
			break;
		}
	}
	while (nsk->rq)
		dequeue(nsk);
	kfree(nsk);
}

const struct proto_ops netlink_proto_ops = {
	.bind = nl_bind, .connect = nl_connect, .listen = nl_listen, .accept = nl_accept,
	.sendmsg = nl_sendmsg, .recvmsg = nl_recvmsg, .shutdown = nl_shutdown,
	.getname = nl_getname, .setsockopt = nl_setsockopt, .getsockopt = nl_getsockopt,
	.poll = nl_poll, .ioctl = nl_ioctl, .release = nl_release,
};
