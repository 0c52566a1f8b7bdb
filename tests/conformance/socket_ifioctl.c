/*
 * socket_ifioctl: the interface ioctls that if_nametoindex, old-style code and
 * Python use, on sockets of every family (Linux answers them on any socket):
 * SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFHWADDR,
 * SIOCGIFMETRIC, SIOCGIFMAP, SIOCGIFCONF; the address ones (SIOCGIFADDR, SIOCGIFNETMASK,
 * SIOCGIFBRDADDR) only on AF_INET sockets. Only lo is looked at.
 */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/if_arp.h>

static char label[64];

static const char *named(const char *fam, const char *what)
{
	snprintf(label, sizeof(label), "%s_%s", fam, what);
	return label;
}

static struct ifreq lo_req(void)
{
	struct ifreq r;
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	return r;
}

/* What every family answers. */
static void check_common(int fd, const char *fam)
{
	unsigned want = if_nametoindex("lo");
	struct ifreq r = lo_req();
	if (check_ok(named(fam, "index"), ioctl(fd, SIOCGIFINDEX, &r)))
		check_eq(named(fam, "index_value"), r.ifr_ifindex, want);

	memset(&r, 0, sizeof(r));
	r.ifr_ifindex = want;
	if (check_ok(named(fam, "name"), ioctl(fd, SIOCGIFNAME, &r)))
		check(!strcmp(r.ifr_name, "lo"), named(fam, "name_value"), "got \"%s\"", r.ifr_name);
	memset(&r, 0, sizeof(r));
	r.ifr_ifindex = 0x7fffffff;
	check_errno(named(fam, "name_none"), ioctl(fd, SIOCGIFNAME, &r), ENODEV);

	r = lo_req();
	if (check_ok(named(fam, "flags"), ioctl(fd, SIOCGIFFLAGS, &r))) {
		int f = r.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_BROADCAST);
		check_eq(named(fam, "flags_value"), f, IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	}
	r = lo_req();
	if (check_ok(named(fam, "mtu"), ioctl(fd, SIOCGIFMTU, &r)))
		check_eq(named(fam, "mtu_value"), r.ifr_mtu, 65536);
	r = lo_req();
	if (check_ok(named(fam, "hwaddr"), ioctl(fd, SIOCGIFHWADDR, &r))) {
		static const char zero[6];
		check(r.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK &&
		      !memcmp(r.ifr_hwaddr.sa_data, zero, 6), named(fam, "hwaddr_value"),
		      "family %d", r.ifr_hwaddr.sa_family);
	}
	r = lo_req();
	r.ifr_metric = 7;
	if (check_ok(named(fam, "metric"), ioctl(fd, SIOCGIFMETRIC, &r)))
		check_eq(named(fam, "metric_value"), r.ifr_metric, 0);

	r = lo_req();
	memset(&r.ifr_map, 0x5a, sizeof(r.ifr_map));
	if (check_ok(named(fam, "map"), ioctl(fd, SIOCGIFMAP, &r)))
		check(r.ifr_map.mem_start == 0 && r.ifr_map.irq == 0, named(fam, "map_value"),
		      "mem_start %#lx irq %d", r.ifr_map.mem_start, r.ifr_map.irq);

	r = lo_req();
	strcpy(r.ifr_name, "nosuchif9");
	check_errno(named(fam, "index_none"), ioctl(fd, SIOCGIFINDEX, &r), ENODEV);
}

/* SIOCGIFCONF: the room needed, then one ifreq per IPv4 address, lo's among them. */
static void check_conf(int fd)
{
	struct ifconf c = { .ifc_len = 0, .ifc_buf = NULL };
	if (!check_ok("conf_size", ioctl(fd, SIOCGIFCONF, &c)))
		return;
	check(c.ifc_len > 0 && c.ifc_len % sizeof(struct ifreq) == 0, "conf_size_value",
	      "ifc_len %d", c.ifc_len);
	int room = c.ifc_len;
	struct ifreq *reqs = calloc(1, room + sizeof(struct ifreq));
	c.ifc_len = room + sizeof(struct ifreq);
	c.ifc_req = reqs;
	if (!check_ok("conf", ioctl(fd, SIOCGIFCONF, &c)))
		return;
	check_eq("conf_len", c.ifc_len, room);
	int lo = 0;
	for (int i = 0; i < c.ifc_len / (int)sizeof(struct ifreq); i++) {
		struct sockaddr_in *a = (struct sockaddr_in *)&reqs[i].ifr_addr;
		if (!strcmp(reqs[i].ifr_name, "lo") && a->sin_family == AF_INET &&
		    a->sin_addr.s_addr == htonl(INADDR_LOOPBACK))
			lo++;
	}
	check_eq("conf_lo", lo, 1);
	/* Less room than one entry: nothing written. */
	c.ifc_len = sizeof(struct ifreq) - 1;
	check_ok("conf_small", ioctl(fd, SIOCGIFCONF, &c));
	check_eq("conf_small_len", c.ifc_len, 0);
	free(reqs);
}

static void check_inet_addrs(int fd)
{
	struct ifreq r = lo_req();
	struct sockaddr_in *a = (struct sockaddr_in *)&r.ifr_addr;
	if (check_ok("inet_addr", ioctl(fd, SIOCGIFADDR, &r)))
		check(a->sin_family == AF_INET && a->sin_addr.s_addr == htonl(INADDR_LOOPBACK),
		      "inet_addr_value", "family %d addr %#x", a->sin_family, ntohl(a->sin_addr.s_addr));
	r = lo_req();
	if (check_ok("inet_netmask", ioctl(fd, SIOCGIFNETMASK, &r)))
		check_eq("inet_netmask_value", (long)ntohl(a->sin_addr.s_addr), 0xff000000L);
	r = lo_req();
	if (check_ok("inet_brdaddr", ioctl(fd, SIOCGIFBRDADDR, &r)))
		check_eq("inet_brdaddr_value", (long)a->sin_addr.s_addr, 0);
	r = lo_req();
	strcpy(r.ifr_name, "nosuchif9");
	check_errno("inet_addr_none", ioctl(fd, SIOCGIFADDR, &r), ENODEV);
}

int main(void)
{
	check_init("socket_ifioctl");
	int inet = socket(AF_INET, SOCK_DGRAM, 0);
	int inet6 = socket(AF_INET6, SOCK_STREAM, 0);
	int unx = socket(AF_UNIX, SOCK_DGRAM, 0);
	int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	check_ok("sockets", inet < 0 || inet6 < 0 || unx < 0 || nl < 0 ? -1 : 0);
	check_common(inet, "inet");
	check_common(inet6, "inet6");
	check_common(unx, "unix");
	check_common(nl, "netlink");
	check_conf(unx);
	check_inet_addrs(inet);
	/* Only inet_ioctl knows the address ioctls. */
	struct ifreq r = lo_req();
	check_errno("unix_addr", ioctl(unx, SIOCGIFADDR, &r), ENOTTY);
	r = lo_req();
	check_errno("netlink_addr", ioctl(nl, SIOCGIFADDR, &r), ENOTTY);
	return check_done();
}
