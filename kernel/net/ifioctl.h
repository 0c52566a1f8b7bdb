/* Network interfaces as Linux programs see them, and the interface ioctls of every socket.
 * lwIP's netifs get Linux names ("lo" for the loopback, then the two letters of lwIP's name and
 * a count: "en0"), the index lwIP gives them (num + 1: lo is 1, as on Linux), Linux's IFF_*
 * flags, ARPHRD_* types and MTU. netlink.c, the SIOCGIF* ioctls and /proc/net all use this one
 * view, so if_nametoindex, getifaddrs and /proc/net/dev agree. Lock: the big kernel lock, which
 * serializes all of lwIP. */
#pragma once
#include "types.h"
#include <linux/if.h>

struct netif;
struct socket;

/* Every lookup starts lwIP first: Linux always has lo. */
#define NETDEV_MAX_INDEX 255
/* The interface with that index, or NULL. */
struct netif *netdev_by_index(int index);
/* The interface named name (a NUL-terminated Linux name), or NULL. */
struct netif *netdev_by_name(const char *name);
int netdev_index(const struct netif *n);
/* Its Linux name, NUL-terminated. */
void netdev_name(const struct netif *n, char name[IFNAMSIZ]);
bool netdev_is_loopback(const struct netif *n);
/* IFF_* as Linux's dev_get_flags reports them (IFF_LOWER_UP included). */
u32 netdev_flags(const struct netif *n);
/* ARPHRD_LOOPBACK or ARPHRD_ETHER. */
u16 netdev_type(const struct netif *n);
u32 netdev_mtu(const struct netif *n);
/* Its hardware address and broadcast address (6 bytes each; lo's are zeros, as on Linux). */
void netdev_hwaddr(const struct netif *n, u8 addr[6]);
void netdev_hwbroadcast(const struct netif *n, u8 addr[6]);
/* The IPv4 broadcast address Linux would set for the interface's address (0 when none). */
u32 netdev_ip4_broadcast(const struct netif *n);
/* The prefix length of a netmask (network order). */
int netdev_prefix_len(u32 mask);

/* An IPv6 address's prefix length and scope (RT_SCOPE_*), which lwIP does not keep: ::1 is a
 * host address (/128), the rest are /64, link-local ones scope link. */
struct ip6_addr;
int netdev_ip6_prefix_len(const struct ip6_addr *a);
int netdev_ip6_scope(const struct ip6_addr *a);

/* An IPv4 route as Linux's FIB would hold it for the interfaces' addresses (fib_add_ifaddr)
 * and the default route: RT_TABLE_MAIN's subnets and gateway, RT_TABLE_LOCAL's local and
 * broadcast routes. Addresses in network order. */
struct netdev_route {
	u8 table, type, scope, protocol, dst_len;
	u32 dst, gw, prefsrc;
	int oif;
};
#define NETDEV_MAX_ROUTES 32
/* Fills out with the routes, ordered as Linux dumps them (main table, then local; each by
 * destination); returns how many. */
int netdev_ip4_routes(struct netdev_route *out, int max);

/* The SIOCGIF* ioctls of any socket (Linux's dev_ioctl and, for AF_INET sockets, its
 * devinet_ioctl): the result, or -ENOIOCTLCMD when cmd is not an interface ioctl and the
 * family's own ioctl should answer. */
#define ENOIOCTLCMD 515 /* the kernel-internal errno Linux uses for the same purpose */
long ifioctl(struct socket *s, unsigned cmd, uptr_t arg);
