/* Network interfaces under Linux's names, indexes and flags (see ifioctl.h), and the SIOCGIF*
 * ioctls: those any socket answers (Linux's dev_ioctl and dev_ifconf) and the address ones only
 * AF_INET sockets answer (devinet_ioctl). Setters are refused with EOPNOTSUPP: interfaces are
 * configured by monos (DHCP, monos.ip=), not by the app. */
#include "net/ifioctl.h"
#include "net/socket.h"
#include "net/lwip_port.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "lib/format.h"
#include "errno.h"
#include "lwip/netif.h"
#include "lwip/ip4_addr.h"
#include "lwip/ip6_addr.h"
#include "lwip/dhcp.h"
#include "lwip/def.h"
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/if_arp.h>
#include <linux/in.h>

_Static_assert(sizeof(struct ifreq) == 40, "struct ifreq is 40 bytes on x86-64");
_Static_assert(sizeof(struct ifconf) == 16, "struct ifconf is 16 bytes on x86-64");

/* Linux's lo has 65536; lwIP's loopback has no MTU at all (0). */
#define LOOPBACK_MTU 65536

struct netif *netdev_by_index(int index)
{
	lwip_port_start();
	if (index <= 0 || index > NETDEV_MAX_INDEX)
		return NULL;
	return netif_get_by_index((u8_t)index);
}

int netdev_index(const struct netif *n) { return netif_get_index(n); }

bool netdev_is_loopback(const struct netif *n) { return n->name[0] == 'l' && n->name[1] == 'o'; }

/* lwIP names "lo0" and "en1" by the global num; Linux counts each kind from 0 and calls the
 * loopback plain "lo". */
void netdev_name(const struct netif *n, char name[IFNAMSIZ])
{
	if (netdev_is_loopback(n)) {
		memcpy(name, "lo", 3);
		return;
	}
	int same = 0;
	for (int i = 1; i < netdev_index(n); i++) {
		struct netif *o = netif_get_by_index((u8_t)i);
		if (o && o->name[0] == n->name[0] && o->name[1] == n->name[1])
			same++;
	}
	snprintf(name, IFNAMSIZ, "%c%c%d", n->name[0], n->name[1], same);
}

struct netif *netdev_by_name(const char *name)
{
	lwip_port_start();
	for (int i = 1; i <= NETDEV_MAX_INDEX; i++) {
		struct netif *n = netif_get_by_index((u8_t)i);
		char have[IFNAMSIZ];
		if (!n)
			continue;
		netdev_name(n, have);
		if (!strcmp(have, name))
			return n;
	}
	return NULL;
}

u32 netdev_flags(const struct netif *n)
{
	u32 f = 0;
	if (netif_is_up(n))
		f |= IFF_UP;
	if (netif_is_up(n) && netif_is_link_up(n))
		f |= IFF_RUNNING | IFF_LOWER_UP;
	if (netdev_is_loopback(n))
		f |= IFF_LOOPBACK;
	if (n->flags & NETIF_FLAG_BROADCAST)
		f |= IFF_BROADCAST;
	if (n->flags & (NETIF_FLAG_IGMP | NETIF_FLAG_MLD6))
		f |= IFF_MULTICAST;
	return f;
}

u16 netdev_type(const struct netif *n) { return netdev_is_loopback(n) ? ARPHRD_LOOPBACK : ARPHRD_ETHER; }

u32 netdev_mtu(const struct netif *n)
{
	return netdev_is_loopback(n) && n->mtu == 0 ? LOOPBACK_MTU : n->mtu;
}

void netdev_hwaddr(const struct netif *n, u8 addr[6])
{
	memset(addr, 0, 6);
	if (n->hwaddr_len == 6)
		memcpy(addr, n->hwaddr, 6);
}

void netdev_hwbroadcast(const struct netif *n, u8 addr[6])
{
	memset(addr, netdev_is_loopback(n) ? 0 : 0xff, 6);
}

u32 netdev_ip4_broadcast(const struct netif *n)
{
	u32 ip = ip4_addr_get_u32(netif_ip4_addr(n)), mask = ip4_addr_get_u32(netif_ip4_netmask(n));
	if (!ip || !(n->flags & NETIF_FLAG_BROADCAST))
		return 0;
	return ip | ~mask;
}

int netdev_prefix_len(u32 mask)
{
	int n = 0;
	for (; mask; mask &= mask - 1) /* no popcount instruction assumed, no libgcc */
		n++;
	return n;
}

int netdev_ip6_prefix_len(const ip6_addr_t *a) { return ip6_addr_isloopback(a) ? 128 : 64; }

int netdev_ip6_scope(const ip6_addr_t *a)
{
	if (ip6_addr_isloopback(a))
		return RT_SCOPE_HOST;
	return ip6_addr_islinklocal(a) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
}

/* ---- routes ---------------------------------------------------------------------------------- */

static void add_route(struct netdev_route *out, int max, int *n, struct netdev_route r)
{
	if (*n >= max)
		return;
	/* Insertion in dump order: table (main 254 before local 255), then destination. */
	int at = *n;
	while (at > 0) {
		const struct netdev_route *p = &out[at - 1];
		u32 a = lwip_ntohl(p->dst), b = lwip_ntohl(r.dst);
		if (p->table < r.table || (p->table == r.table && (a < b || (a == b && p->dst_len <= r.dst_len))))
			break;
		out[at] = *p;
		at--;
	}
	out[at] = r;
	(*n)++;
}

int netdev_ip4_routes(struct netdev_route *out, int max)
{
	int n = 0;
	for (int i = 1; i <= NETDEV_MAX_INDEX; i++) {
		struct netif *nif = netdev_by_index(i);
		if (!nif)
			continue;
		u32 addr = ip4_addr_get_u32(netif_ip4_addr(nif));
		u32 mask = ip4_addr_get_u32(netif_ip4_netmask(nif));
		if (!addr)
			continue;
		int len = netdev_prefix_len(mask);
		bool lo = netdev_is_loopback(nif);
		struct netdev_route r = { .protocol = RTPROT_KERNEL, .prefsrc = addr, .oif = i };
		/* The prefix: a unicast route in main, or on a loopback device a local one. */
		r.table = lo ? RT_TABLE_LOCAL : RT_TABLE_MAIN;
		r.type = lo ? RTN_LOCAL : RTN_UNICAST;
		r.scope = lo ? RT_SCOPE_HOST : RT_SCOPE_LINK;
		r.dst = addr & mask;
		r.dst_len = (u8)len;
		if (len < 32)
			add_route(out, max, &n, r);
		/* The address itself. */
		r.table = RT_TABLE_LOCAL;
		r.type = RTN_LOCAL;
		r.scope = RT_SCOPE_HOST;
		r.dst = addr;
		r.dst_len = 32;
		add_route(out, max, &n, r);
		/* The network's broadcast address, "when it makes sense". */
		if (len < 31) {
			r.type = RTN_BROADCAST;
			r.scope = RT_SCOPE_LINK;
			r.dst = addr | ~mask;
			add_route(out, max, &n, r);
		}
		u32 gw = ip4_addr_get_u32(netif_ip4_gw(nif));
		if (!lo && gw && nif == netif_default) {
			struct netdev_route d = {
				.table = RT_TABLE_MAIN, .type = RTN_UNICAST, .scope = RT_SCOPE_UNIVERSE,
				.protocol = dhcp_supplied_address(nif) ? RTPROT_DHCP : RTPROT_BOOT,
				.gw = gw, .oif = i,
			};
			add_route(out, max, &n, d);
		}
	}
	return n;
}

/* ---- ioctls ---------------------------------------------------------------------------------- */

static void put_sin(struct sockaddr *sa, u32 addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = addr };
	memcpy(sa, &sin, sizeof(sin));
}

/* SIOCGIFCONF (dev_ifconf, inet_gifconf): one ifreq per IPv4 address, or with a NULL buffer
 * the room they need. */
static long ifconf(uptr_t arg)
{
	struct ifconf ifc;
	if (copy_from_user(&ifc, arg, sizeof(ifc)))
		return -EFAULT;
	uptr_t pos = (uptr_t)ifc.ifc_buf;
	int total = 0;
	for (int i = 1; i <= NETDEV_MAX_INDEX; i++) {
		struct netif *n = netdev_by_index(i);
		if (!n || ip4_addr_isany_val(*netif_ip4_addr(n)))
			continue;
		if (pos) {
			if (ifc.ifc_len - total < (int)sizeof(struct ifreq))
				break;
			struct ifreq r;
			memset(&r, 0, sizeof(r));
			netdev_name(n, r.ifr_name);
			put_sin(&r.ifr_addr, ip4_addr_get_u32(netif_ip4_addr(n)));
			if (copy_to_user(pos + (uptr_t)total, &r, sizeof(r)))
				return -EFAULT;
		}
		total += sizeof(struct ifreq);
	}
	return copy_to_user(arg + __builtin_offsetof(struct ifconf, ifc_len), &total, sizeof(total))
		       ? -EFAULT : 0;
}

/* The address ioctls of AF_INET sockets (devinet_ioctl): EADDRNOTAVAIL while the interface
 * has no IPv4 address. */
static long ifaddr(struct netif *n, unsigned cmd, struct ifreq *r)
{
	if (ip4_addr_isany_val(*netif_ip4_addr(n)))
		return -EADDRNOTAVAIL;
	u32 addr = ip4_addr_get_u32(netif_ip4_addr(n));
	u32 v = addr;
	if (cmd == SIOCGIFNETMASK)
		v = ip4_addr_get_u32(netif_ip4_netmask(n));
	else if (cmd == SIOCGIFBRDADDR)
		v = netdev_ip4_broadcast(n);
	put_sin(&r->ifr_addr, v);
	return 0;
}

static bool is_setter(unsigned cmd)
{
	switch (cmd) {
	case SIOCSIFLINK: case SIOCSIFFLAGS: case SIOCSIFADDR: case SIOCSIFDSTADDR:
	case SIOCSIFBRDADDR: case SIOCSIFNETMASK: case SIOCSIFMETRIC: case SIOCSIFMEM:
	case SIOCSIFMTU: case SIOCSIFNAME: case SIOCSIFHWADDR: case SIOCSIFENCAP:
	case SIOCSIFSLAVE: case SIOCSIFPFLAGS: case SIOCSIFHWBROADCAST: case SIOCSIFTXQLEN:
	case SIOCSIFMAP: case SIOCDIFADDR: case SIOCADDRT: case SIOCDELRT:
		return true;
	}
	return false;
}

long ifioctl(struct socket *s, unsigned cmd, uptr_t arg)
{
	if (cmd == SIOCGIFCONF)
		return ifconf(arg);
	bool inet_addr = cmd == SIOCGIFADDR || cmd == SIOCGIFNETMASK || cmd == SIOCGIFBRDADDR ||
			 cmd == SIOCGIFDSTADDR;
	if (inet_addr && s->family != AF_INET)
		return -ENOIOCTLCMD; /* only inet_ioctl knows them: the others say ENOTTY */
	if (is_setter(cmd))
		return -EOPNOTSUPP;
	if (!inet_addr && cmd != SIOCGIFNAME && cmd != SIOCGIFINDEX && cmd != SIOCGIFFLAGS &&
	    cmd != SIOCGIFMTU && cmd != SIOCGIFHWADDR && cmd != SIOCGIFMETRIC &&
	    cmd != SIOCGIFTXQLEN && cmd != SIOCGIFMAP)
		return -ENOIOCTLCMD;
	struct ifreq r;
	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	struct netif *n;
	if (cmd == SIOCGIFNAME) {
		n = netdev_by_index(r.ifr_ifindex);
		if (!n)
			return -ENODEV;
		netdev_name(n, r.ifr_name);
		return copy_to_user(arg, &r, sizeof(r)) ? -EFAULT : 0;
	}
	r.ifr_name[IFNAMSIZ - 1] = 0;
	char *colon = strchr(r.ifr_name, ':'); /* an alias "lo:1" names its device */
	char name[IFNAMSIZ];
	memcpy(name, r.ifr_name, sizeof(name));
	if (colon)
		name[colon - r.ifr_name] = 0;
	n = netdev_by_name(name);
	if (!n)
		return -ENODEV;
	long err = 0;
	switch (cmd) {
	case SIOCGIFINDEX: r.ifr_ifindex = netdev_index(n); break;
	case SIOCGIFFLAGS: r.ifr_flags = (short)(netdev_flags(n) & 0xffff); break;
	case SIOCGIFMTU: r.ifr_mtu = (int)netdev_mtu(n); break;
	case SIOCGIFMETRIC: r.ifr_metric = 0; break; /* Linux always reports 0 */
	case SIOCGIFTXQLEN: r.ifr_qlen = 0; break;   /* no queueing discipline (as IFLA_TXQLEN) */
	case SIOCGIFMAP: /* no memory window, IRQ or DMA channel to report: zeros, as Linux's lo */
		memset(&r.ifr_map, 0, sizeof(r.ifr_map));
		break;
	case SIOCGIFHWADDR:
		memset(&r.ifr_hwaddr, 0, sizeof(r.ifr_hwaddr));
		r.ifr_hwaddr.sa_family = netdev_type(n);
		netdev_hwaddr(n, (u8 *)r.ifr_hwaddr.sa_data);
		break;
	default:
		err = ifaddr(n, cmd, &r);
		break;
	}
	if (err)
		return err;
	return copy_to_user(arg, &r, sizeof(r)) ? -EFAULT : 0;
}
