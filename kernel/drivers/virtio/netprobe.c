/* monos.netprobe=arp: proves the virtio-net path without a network stack. At boot one ARP
 * request asks who has QEMU user networking's gateway (10.0.2.2), from the address that network
 * gives the guest (10.0.2.15); the reply arrives through the receive interrupt and is logged.
 * monos.netprobe=arp:N sends N requests (up to 10000) to exercise the rings past their size:
 * transmit slots are reclaimed by polling when all are in flight, and the replies are counted. */
#include "drivers/virtio/net.h"
#include "core/log.h"
#include "lib/string.h"
#include "sched/bkl.h"
#include "errno.h"

#define ETH_P_ARP 0x0806
#define ARP_REQUEST 1
#define ARP_REPLY 2

struct arp_frame {
	u8 dst[6], src[6];
	u8 type[2];
	u8 htype[2], ptype[2], hlen, plen, op[2];
	u8 sha[6], spa[4], tha[6], tpa[4];
} __packed;

static const u8 gateway[4] = { 10, 0, 2, 2 };
static const u8 guest[4] = { 10, 0, 2, 15 };
static u32 requests, replies;

static void on_frame(const void *frame, size_t len)
{
	const struct arp_frame *a = frame;
	if (len < sizeof(*a) || a->type[0] != ETH_P_ARP >> 8 || a->type[1] != (ETH_P_ARP & 0xff) ||
	    a->op[1] != ARP_REPLY || memcmp(a->spa, gateway, 4) != 0)
		return;
	if (++replies == 1)
		kprintf("netprobe: 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x\n", a->sha[0],
			a->sha[1], a->sha[2], a->sha[3], a->sha[4], a->sha[5]);
	if (replies == requests) {
		if (requests > 1)
			kprintf("netprobe: %u replies to %u requests\n", replies, requests);
		vnet_set_rx(NULL);
	}
}

void vnet_probe_start(u32 count)
{
	if (!vnet_present()) {
		kprintf("netprobe: no virtio-net device\n");
		return;
	}
	struct arp_frame a = {
		.type = { ETH_P_ARP >> 8, ETH_P_ARP & 0xff },
		.htype = { 0, 1 },
		.ptype = { 0x08, 0x00 },
		.hlen = 6,
		.plen = 4,
		.op = { 0, ARP_REQUEST },
	};
	memset(a.dst, 0xff, 6);
	vnet_mac(a.src);
	memcpy(a.sha, a.src, 6);
	memcpy(a.spa, guest, 4);
	memcpy(a.tpa, gateway, 4);
	vnet_set_rx(on_frame);
	requests = count;
	int err = 0;
	bkl_lock(); /* the driver's calls need it, as on every other path */
	for (u32 i = 0; i < count && !err; i++) {
		/* All slots in flight: the device finishes them without us (QEMU's I/O thread). */
		while ((err = vnet_send(&a, sizeof(a))) == -ENOBUFS)
			vnet_poll();
	}
	bkl_unlock();
	kprintf("netprobe: %u ARP request%s for 10.0.2.2 sent (%d)\n", count, count > 1 ? "s" : "",
		err);
}
