/* virtio-net as the network stack sees it: one Ethernet interface. Frames are whole Ethernet
 * frames (destination MAC first, no FCS), without the virtio header.
 *
 * Locking: every call below needs the big kernel lock. The receive callback runs with it held,
 * from the device's interrupt (the interrupted context was user mode or the idle loop) or from
 * vnet_poll; it must not block, and the frame is only valid during the call (copy it, e.g. into
 * a pbuf). */
#pragma once
#include "types.h"

#define VNET_MAX_FRAME 1514 /* the largest frame: an MTU of at most 1500 + the Ethernet header */

/* True once a virtio-net device is attached (at boot, before the first thread runs). */
bool vnet_present(void);
void vnet_mac(u8 mac[6]);
/* 1500, or the device's MTU when it offers a smaller one (VIRTIO_NET_F_MTU); a larger one is
 * declined, as receive buffers hold VNET_MAX_FRAME bytes. */
u16 vnet_mtu(void);

/* Queues one frame (at most vnet_mtu() + 14 bytes) for sending; the data is copied, so the
 * buffer is free on return. 0, -EMSGSIZE, -ENOBUFS when every transmit slot is in flight, or
 * -ENODEV without a device. */
int vnet_send(const void *frame, size_t len);
/* True when the device computes checksums on transmit (VIRTIO_NET_F_CSUM was offered):
 * vnet_send_partial may then leave the TCP/UDP checksum to it. The field at csum_start +
 * csum_offset must hold the pseudo-header sum, as in Linux's CHECKSUM_PARTIAL. */
bool vnet_tx_csum_offload(void);
int vnet_send_partial(const void *frame, size_t len, u16 csum_start, u16 csum_offset);

/* The receive callback (NULL: frames are dropped). Received frames always carry complete
 * checksums: a frame the device hands over with a partial one (VIRTIO_NET_HDR_F_NEEDS_CSUM) is
 * completed first. */
void vnet_set_rx(void (*rx)(const void *frame, size_t len));
/* Hands received frames to the callback and reclaims sent ones without waiting for the
 * interrupt (for a caller that polls). */
void vnet_poll(void);

/* monos.netprobe=arp[:N] (core/cmdline.h): N (default 1) ARP requests for QEMU user
 * networking's gateway 10.0.2.2 at boot; the first reply is logged ("netprobe: 10.0.2.2 is at
 * MAC") under --verbose, and with N > 1 the count once all N arrived. */
void vnet_probe_start(u32 count);
