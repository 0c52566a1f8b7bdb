/* The virtio-net device as lwIP's Ethernet interface "en0": its MAC and MTU, up, the default
 * route, an IPv6 link-local address, and an IPv4 address from DHCP (QEMU's user network gives
 * 10.0.2.15, gateway 10.0.2.2) or from the command line. Lock: the big kernel lock, as for all of lwIP. */
#pragma once
#include "types.h"

/* At boot, when a NIC exists: starts lwIP, adds the interface and sends DHCP's first request
 * (the exchange goes on from the device's interrupt while the rest of boot runs). Does nothing
 * without a device. Called without the big kernel lock (it takes it). */
void netif_virtio_start(void);
/* monos.ip=ADDR/PREFIX[,GATEWAY] (core/cmdline.h) sets a static IPv4 address instead of DHCP. */
/* Before the program starts: waits, polling the device, until DHCP bound an address or
 * timeout_ms passed (then the program starts without one, and DHCP keeps trying). */
void netif_virtio_wait_address(u32 timeout_ms);
