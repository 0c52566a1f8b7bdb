/* Networking options of `monos run`. With user networking, QEMU's slirp is the guest's
 * router (10.0.2.2) and DHCP server (the guest gets 10.0.2.15); each -p becomes a hostfwd rule
 * that listens on the host's loopback only, so nothing is exposed beyond this machine. */
#include "net.h"

#include <stdlib.h>
#include <string.h>

int net_parse_backend(struct net_config *n, const char *v)
{
	if (!strcmp(v, "none")) {
		n->backend = NET_NONE;
	} else if (!strcmp(v, "user")) {
		n->backend = NET_USER;
	} else if (!strncmp(v, "tap=", 4) && v[4] && !strchr(v + 4, ',')) {
		n->backend = NET_TAP;
		n->tap_ifname = v + 4;
	} else {
		return -1;
	}
	return 0;
}

static int parse_port(const char *s, size_t len, unsigned *out)
{
	if (len == 0 || len > 5)
		return -1;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = v;
	return 0;
}

int net_parse_forward(struct net_config *n, const char *spec)
{
	struct port_forward f = { 0 };
	const char *colon = strchr(spec, ':');
	if (!colon || parse_port(spec, (size_t)(colon - spec), &f.host) < 0)
		return -1;
	const char *g = colon + 1, *slash = strchr(g, '/');
	size_t glen = slash ? (size_t)(slash - g) : strlen(g);
	if (parse_port(g, glen, &f.guest) < 0)
		return -1;
	if (slash) {
		if (!strcmp(slash + 1, "udp"))
			f.udp = 1;
		else if (strcmp(slash + 1, "tcp"))
			return -1;
	}
	n->fwds = xrealloc(n->fwds, (n->nfwds + 1) * sizeof(*n->fwds));
	n->fwds[n->nfwds++] = f;
	return 0;
}

void net_qemu_args(const struct net_config *n, const char *machine, struct strvec *a)
{
	if (n->backend == NET_NONE)
		return;
	strvec_push(a, "-netdev");
	if (n->backend == NET_TAP) {
		strvec_pushf(a, "tap,id=net0,ifname=%s,script=no,downscript=no", n->tap_ifname);
	} else {
		char *s = xasprintf("user,id=net0");
		for (size_t i = 0; i < n->nfwds; i++) {
			const struct port_forward *f = &n->fwds[i];
			char *t = xasprintf("%s,hostfwd=%s:127.0.0.1:%u-:%u", s, f->udp ? "udp" : "tcp",
					    f->via ? f->via : f->host, f->guest);
			free(s);
			s = t;
		}
		strvec_push(a, s);
		free(s);
	}
	if (!strcmp(machine, "microvm")) {
		/* QEMU's virtio-mmio defaults to the legacy interface; the kernel drives modern
		 * (version 2) devices only, as Firecracker offers them. */
		strvec_push(a, "-global");
		strvec_push(a, "virtio-mmio.force-legacy=false");
		strvec_push(a, "-device");
		strvec_push(a, "virtio-net-device,netdev=net0");
	} else {
		/* Modern only: the kernel has no legacy (I/O port) virtio-pci driver. */
		strvec_push(a, "-device");
		strvec_push(a, "virtio-net-pci,netdev=net0,disable-legacy=on");
	}
}
