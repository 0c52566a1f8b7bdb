/* /proc/net (a link to self/net) and /proc/<pid>/net: dev, if_inet6, route, tcp, tcp6, udp,
 * udp6, in Linux 6.1's exact column formats (net/core/net-procfs.c, net/ipv6/addrconf.c,
 * net/ipv4/fib_trie.c, tcp_ipv4.c, tcp_ipv6.c, udp.c, ipv6/datagram.c), generated from lwIP's
 * interfaces (net/ifioctl.h) and pcbs. What lwIP does not keep is printed as 0 and said here:
 * interface counters in dev (MIB2_STATS is off), and in tcp/udp the timer columns but the
 * retransmission timeout, uid (the app runs as root: 0 is true) and the kernel pointer (%pK
 * shows zeros to a reader without CAP_SYSLOG, and here to all). route lists the main table's
 * IPv4 routes (net/ifioctl.h's netdev_ip4_routes, which netlink dumps too). /proc/net/unix is
 * not there yet (AF_UNIX keeps its sockets to itself). */
#include "fs/procfs_internal.h"
#include "net/ifioctl.h"
#include "net/inet.h"
#include "net/lwip_port.h"
#include "lib/string.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/priv/tcp_priv.h"
#include <linux/stat.h>
#include <linux/route.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include "lwip/def.h"

/* Linux's TCP states (include/net/tcp_states.h, not in the UAPI headers). */
enum {
	LINUX_TCP_ESTABLISHED = 1, LINUX_TCP_SYN_SENT, LINUX_TCP_SYN_RECV, LINUX_TCP_FIN_WAIT1,
	LINUX_TCP_FIN_WAIT2, LINUX_TCP_TIME_WAIT, LINUX_TCP_CLOSE, LINUX_TCP_CLOSE_WAIT,
	LINUX_TCP_LAST_ACK, LINUX_TCP_LISTEN, LINUX_TCP_CLOSING,
};

/* seq_pad: lines of the IPv4 files are padded with spaces to a fixed width. */
static void pad_line(struct textbuf *t, size_t start, size_t width)
{
	while (t->len - start < width && !t->oom)
		tb_put(t, " ", 1);
	tb_put(t, "\n", 1);
}

/* ---- dev ------------------------------------------------------------------------------------- */

static void net_dev(struct textbuf *t, u64 arg)
{
	tb_printf(t, "Inter-|   Receive                                                |  Transmit\n"
		     " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "
		     "errs drop fifo colls carrier compressed\n");
	for (int i = 1; i <= NETDEV_MAX_INDEX; i++) {
		struct netif *n = netdev_by_index(i);
		if (!n)
			continue;
		char name[IFNAMSIZ];
		netdev_name(n, name);
		tb_printf(t, "%6s: %7u %7u %4u %4u %4u %5u %10u %9u %8u %7u %4u %4u %4u %5u %7u %10u\n",
			  name, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	}
}

/* ---- route ----------------------------------------------------------------------------------- */

static void route_line(struct textbuf *t, const char *dev, u32 dst, u32 gw, u32 flags, u32 mask)
{
	size_t start = t->len;
	tb_printf(t, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u", dev, dst, gw, flags, 0, 0,
		  0, mask, 0, 0, 0);
	pad_line(t, start, 127);
}

/* fib_route_seq_show: the main table's routes. */
static void net_route(struct textbuf *t, u64 arg)
{
	tb_printf(t, "%-127s\n", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU"
				 "\tWindow\tIRTT");
	struct netdev_route r[NETDEV_MAX_ROUTES];
	int n = netdev_ip4_routes(r, NETDEV_MAX_ROUTES);
	for (int k = 0; k < n; k++) {
		if (r[k].table != RT_TABLE_MAIN)
			continue;
		char name[IFNAMSIZ];
		netdev_name(netdev_by_index(r[k].oif), name);
		u32 mask = r[k].dst_len ? lwip_htonl(0xffffffffu << (32 - r[k].dst_len)) : 0;
		route_line(t, name, r[k].dst, r[k].gw, RTF_UP | (r[k].gw ? RTF_GATEWAY : 0), mask);
	}
}

/* ---- tcp, tcp6, udp, udp6 -------------------------------------------------------------------- */

static u8 linux_tcp_state(enum tcp_state s)
{
	switch (s) {
	case LISTEN: return LINUX_TCP_LISTEN;
	case SYN_SENT: return LINUX_TCP_SYN_SENT;
	case SYN_RCVD: return LINUX_TCP_SYN_RECV;
	case ESTABLISHED: return LINUX_TCP_ESTABLISHED;
	case FIN_WAIT_1: return LINUX_TCP_FIN_WAIT1;
	case FIN_WAIT_2: return LINUX_TCP_FIN_WAIT2;
	case CLOSE_WAIT: return LINUX_TCP_CLOSE_WAIT;
	case CLOSING: return LINUX_TCP_CLOSING;
	case LAST_ACK: return LINUX_TCP_LAST_ACK;
	case TIME_WAIT: return LINUX_TCP_TIME_WAIT;
	default: return LINUX_TCP_CLOSE;
	}
}

/* One socket's row, whichever protocol. */
struct sock_row {
	const ip_addr_t *local, *remote;
	u16 lport, rport;
	u8 state;
	u32 tx_queue, rx_queue;
	u64 ino;
	u32 rto_ticks;       /* USER_HZ */
	u32 cwnd;            /* segments */
	int ssthresh;        /* -1 in the initial slow start; a listener's fastopen queue (0) */
};

/* Whether the pcb belongs in the AF_INET6 file: its socket's family, or for a pcb the app
 * closed (no socket any more) its address type. */
static bool row_is_v6(const struct inet_sock *isk, const ip_addr_t *local)
{
	if (isk)
		return isk->s->family == AF_INET6;
	return !IP_IS_V4(local);
}

/* An address as the v6 files print it: four 32-bit words of the address in network order,
 * each printed as a number (IPv4 inside an AF_INET6 socket is ::ffff:a.b.c.d). */
static void put_addr6(struct textbuf *t, const ip_addr_t *a)
{
	u32 w[4] = { 0, 0, 0, 0 };
	if (IP_IS_V4(a)) {
		w[2] = PP_HTONL(0x0000ffffUL);
		w[3] = ip4_addr_get_u32(ip_2_ip4(a));
		if (!w[3] && ip_addr_isany(a))
			w[2] = 0;
	} else {
		memcpy(w, ip_2_ip6(a)->addr, sizeof(w));
	}
	tb_printf(t, "%08X%08X%08X%08X", w[0], w[1], w[2], w[3]);
}

static u32 addr4(const ip_addr_t *a) { return IP_IS_V4(a) ? ip4_addr_get_u32(ip_2_ip4(a)) : 0; }

static void tcp_row(struct textbuf *t, int sl, const struct sock_row *r, bool v6)
{
	size_t start = t->len;
	if (v6) {
		tb_printf(t, "%4d: ", sl);
		put_addr6(t, r->local);
		tb_printf(t, ":%04X ", r->lport);
		put_addr6(t, r->remote);
		tb_printf(t, ":%04X", r->rport);
	} else {
		tb_printf(t, "%4d: %08X:%04X %08X:%04X", sl, addr4(r->local), r->lport,
			  addr4(r->remote), r->rport);
	}
	tb_printf(t, " %02X %08X:%08X %02X:%08X %08X %5u %8d %lu %d %016x %u %u %u %u %d", r->state,
		  r->tx_queue, r->rx_queue, 0, 0, 0, 0, 0, r->ino, 1, 0, r->rto_ticks, 0, 0, r->cwnd,
		  r->ssthresh);
	if (v6)
		tb_put(t, "\n", 1);
	else
		pad_line(t, start, 149);
}

static void tcp_pcb_row(struct textbuf *t, int *sl, struct tcp_pcb *p, bool want_v6)
{
	struct inet_sock *isk = p->callback_arg;
	if (row_is_v6(isk, &p->local_ip) != want_v6)
		return;
	/* A connection still in the handshake carries its listener's argument (lwIP copies it):
	 * it has no socket of its own yet, inode 0 as Linux's request sockets. */
	if (isk && isk->tcp != p)
		isk = NULL;
	struct sock_row r = {
		.local = &p->local_ip, .remote = &p->remote_ip, .lport = p->local_port,
		.state = linux_tcp_state(p->state), .ino = isk ? isk->s->ino : 0,
	};
	if (p->state != LISTEN) {
		r.rport = p->remote_port; /* a listener's smaller pcb has no such field */
		r.tx_queue = p->snd_lbb - p->lastack;
		r.rx_queue = isk ? (u32)isk->rx_len : 0;
		r.rto_ticks = (u32)p->rto * TCP_SLOW_INTERVAL / (1000 / USER_HZ);
		r.cwnd = p->mss ? p->cwnd / p->mss : 0;
		r.ssthresh = -1;
	} else {
		struct tcp_pcb_listen *l = (struct tcp_pcb_listen *)p;
		r.rx_queue = l->accepts_pending; /* sk_ack_backlog; tx_queue is 0, as Linux's */
		r.rto_ticks = 1000 / (1000 / USER_HZ); /* TCP_TIMEOUT_INIT, 1 s */
		r.cwnd = 10;                           /* TCP_INIT_CWND, never used by a listener */
	}
	tcp_row(t, (*sl)++, &r, want_v6);
}

static void tcp_file(struct textbuf *t, bool v6)
{
	if (v6)
		tb_printf(t, "  sl  local_address                         remote_address                "
			     "        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	else {
		size_t start = t->len;
		tb_printf(t, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			     "retrnsmt   uid  timeout inode");
		pad_line(t, start, 149);
	}
	lwip_port_start();
	int sl = 0;
	for (struct tcp_pcb_listen *p = tcp_listen_pcbs.listen_pcbs; p; p = p->next)
		tcp_pcb_row(t, &sl, (struct tcp_pcb *)p, v6);
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		tcp_pcb_row(t, &sl, p, v6);
	for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next)
		tcp_pcb_row(t, &sl, p, v6);
}

static void net_tcp(struct textbuf *t, u64 arg) { tcp_file(t, false); }
static void net_tcp6(struct textbuf *t, u64 arg) { tcp_file(t, true); }

/* udp4_format_sock: the first column is the port's hash bucket; Linux's table size depends on
 * its RAM, here it is the smallest Linux has (UDP_HTABLE_SIZE_MIN, 256 buckets on 64-bit...
 * with any size, equal ports share a bucket). */
#define UDP_BUCKETS 256

static void udp_file(struct textbuf *t, bool v6)
{
	if (v6) {
		tb_printf(t, "  sl  local_address                         remote_address                "
			     "        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
			     "pointer drops\n");
	} else {
		size_t start = t->len;
		tb_printf(t, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
			     "retrnsmt   uid  timeout inode ref pointer drops");
		pad_line(t, start, 127);
	}
	lwip_port_start();
	for (struct udp_pcb *p = udp_pcbs; p; p = p->next) {
		struct inet_sock *isk = p->recv_arg;
		if (!isk || row_is_v6(isk, &p->local_ip) != v6)
			continue;
		u8 state = isk->remote_port ? LINUX_TCP_ESTABLISHED : LINUX_TCP_CLOSE;
		size_t start = t->len;
		if (v6) {
			tb_printf(t, "%5d: ", p->local_port % UDP_BUCKETS);
			put_addr6(t, &p->local_ip);
			tb_printf(t, ":%04X ", p->local_port);
			put_addr6(t, &p->remote_ip);
			tb_printf(t, ":%04X", p->remote_port);
		} else {
			tb_printf(t, "%5d: %08X:%04X %08X:%04X", p->local_port % UDP_BUCKETS,
				  addr4(&p->local_ip), p->local_port, addr4(&p->remote_ip),
				  p->remote_port);
		}
		tb_printf(t, " %02X %08X:%08X %02X:%08X %08X %5u %8d %lu %d %016x %u", state, 0,
			  (u32)isk->dq_bytes, 0, 0, 0, 0, 0, isk->s->ino, 2, 0, 0);
		if (v6)
			tb_put(t, "\n", 1);
		else
			pad_line(t, start, 127);
	}
}

static void net_udp(struct textbuf *t, u64 arg) { udp_file(t, false); }
static void net_udp6(struct textbuf *t, u64 arg) { udp_file(t, true); }

/* ---- if_inet6 -------------------------------------------------------------------------------- */

/* if6_seq_show: address, index, prefix length, scope as ipv6_addr_scope's IFA_* (host 0x10,
 * link 0x20, global 0), flags, name. */
static void net_if_inet6(struct textbuf *t, u64 arg)
{
	for (int i = 1; i <= NETDEV_MAX_INDEX; i++) {
		struct netif *n = netdev_by_index(i);
		if (!n)
			continue;
		char name[IFNAMSIZ];
		netdev_name(n, name);
		for (int k = 0; k < LWIP_IPV6_NUM_ADDRESSES; k++) {
			if (!ip6_addr_isvalid(netif_ip6_addr_state(n, k)))
				continue;
			const ip6_addr_t *a = netif_ip6_addr(n, k);
			const u8 *b = (const u8 *)a->addr;
			for (int j = 0; j < 16; j++)
				tb_printf(t, "%02x", b[j]);
			int scope = netdev_ip6_scope(a);
			int ifa_scope = scope == RT_SCOPE_HOST ? 0x10 : scope == RT_SCOPE_LINK ? 0x20 : 0;
			tb_printf(t, " %02x %02x %02x %02x %8s\n", i, netdev_ip6_prefix_len(a), ifa_scope,
				  IFA_F_PERMANENT, name);
		}
	}
}

const struct synth_entry procfs_net_entries[] = {
	{ "dev", S_IFREG | 0444, .show = net_dev },
	{ "if_inet6", S_IFREG | 0444, .show = net_if_inet6 },
	{ "route", S_IFREG | 0444, .show = net_route },
	{ "tcp", S_IFREG | 0444, .show = net_tcp },
	{ "tcp6", S_IFREG | 0444, .show = net_tcp6 },
	{ "udp", S_IFREG | 0444, .show = net_udp },
	{ "udp6", S_IFREG | 0444, .show = net_udp6 },
	{ NULL },
};
