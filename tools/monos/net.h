/* Guest networking options: the backend (--net none|user|tap=IFACE) and port forwards
 * (-p HOST:GUEST[/udp]), turned into QEMU's -netdev and the virtio-net device of the machine. */
#ifndef MONOS_NET_H
#define MONOS_NET_H

#include <stddef.h>

#include "util.h"

enum net_backend { NET_NONE, NET_USER, NET_TAP };

struct port_forward {
	unsigned host, guest;	/* 1..65535 */
	int udp;		/* else tcp */
	/* TCP, once portproxy_prepare ran: monos listens on 127.0.0.1:host (listen_fd) and
	 * QEMU's rule on 127.0.0.1:via. 0: QEMU listens on host itself (UDP, --dry-run). */
	unsigned via;
	int listen_fd;
};

struct net_config {
	enum net_backend backend;
	const char *tap_ifname;		/* NET_TAP */
	struct port_forward *fwds;	/* NET_USER: hostfwd rules */
	size_t nfwds;
};

/* --net VALUE: 0, or -1 when VALUE is not none, user or tap=IFACE. */
int net_parse_backend(struct net_config *n, const char *value);
/* -p SPEC, appended to n->fwds: 0, or -1 when SPEC is not HOST:GUEST[/tcp|/udp]. */
int net_parse_forward(struct net_config *n, const char *spec);
/* The QEMU words for the network on MACHINE (nothing for NET_NONE): -netdev with the forwards
 * bound to 127.0.0.1, and virtio-net-device (microvm, as a modern virtio-mmio device) or
 * virtio-net-pci (q35, pc). */
void net_qemu_args(const struct net_config *n, const char *machine, struct strvec *a);

#endif
