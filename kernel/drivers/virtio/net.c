/* The virtio-net driver (virtio 1.2, 5.1): one receive and one transmit queue, no mergeable
 * buffers, so each receive buffer holds a whole frame (2 KiB: header + 1514 bytes). Receive
 * buffers are kept posted: each one goes back to the device as soon as the callback returns.
 * Transmit copies the frame into one of the queue's slots; completed slots are reclaimed on the
 * next send or poll, and the transmit queue never asks for interrupts. */
#include "drivers/virtio/net.h"
#include "drivers/virtio/virtio.h"
#include "core/log.h"
#include "mm/pmm.h"
#include "core/time.h"
#include "sched/ktimer.h"
#include "lib/string.h"
#include "errno.h"
#include <linux/virtio_net.h>

#define RXQ 0
#define TXQ 1
#define QUEUE_SIZE 128
#define BUF_SIZE 2048 /* two per page */
#define HDR sizeof(struct virtio_net_hdr_v1)

static struct virtio_dev *dev;
static struct virtqueue rxq, txq;
static u8 mac[6];
static u16 mtu = 1500;
static void (*rx_callback)(const void *frame, size_t len);
static u8 *tx_slots[QUEUE_SIZE]; /* free transmit buffers */
static int n_tx_slots;

/* A skipped notification is checked again this long after (vq_renotify_if_idle). */
#define RENOTIFY_NS 1000000ull
static struct ktimer renotify_timer;
static u64 last_renotify_check;

static void renotify_check(void)
{
	last_renotify_check = time_monotonic_ns();
	vq_renotify_if_idle(&txq);
	vq_renotify_if_idle(&rxq);
	if (txq.kick_skipped || rxq.kick_skipped)
		ktimer_arm(&renotify_timer, last_renotify_check + RENOTIFY_NS);
}

static void renotify_fired(struct ktimer *t)
{
	renotify_check();
}

static void kick(struct virtqueue *vq)
{
	if (!vq_kick(vq) && !ktimer_armed(&renotify_timer))
		ktimer_arm(&renotify_timer, time_monotonic_ns() + RENOTIFY_NS);
}

bool vnet_present(void) { return dev != NULL; }
void vnet_mac(u8 out[6]) { memcpy(out, mac, 6); }
u16 vnet_mtu(void) { return mtu; }
bool vnet_tx_csum_offload(void) { return dev && virtio_has(dev, VIRTIO_NET_F_CSUM); }
void vnet_set_rx(void (*rx)(const void *frame, size_t len)) { rx_callback = rx; }

/* A buffer of BUF_SIZE bytes for each ring entry, carved from pages. */
static int alloc_buffers(u8 **out, int n)
{
	for (int i = 0; i < n; i += PAGE_SIZE / BUF_SIZE) {
		paddr_t p = page_alloc();
		if (!p)
			return -ENOMEM;
		for (int k = 0; k < (int)(PAGE_SIZE / BUF_SIZE) && i + k < n; k++)
			out[i + k] = (u8 *)phys_to_virt(p) + k * BUF_SIZE;
	}
	return 0;
}

static int post_rx(u8 *buf)
{
	struct vq_buf b = { virt_to_phys(buf), BUF_SIZE };
	return vq_add(&rxq, &b, 0, 1, buf);
}

static void reclaim_tx(void)
{
	u8 *buf;
	while ((buf = vq_get(&txq, NULL)))
		tx_slots[n_tx_slots++] = buf;
	vq_no_interrupts(&txq);
}

/* The ones' complement sum the device left to us: from csum_start to the end, folded into the
 * pseudo-header sum already in the field (virtio 1.2, 5.1.6.4). */
static void complete_checksum(u8 *frame, size_t len, u16 start, u16 offset)
{
	if ((size_t)start + offset + 2 > len)
		return;
	u32 sum = 0;
	for (size_t i = start; i + 1 < len; i += 2)
		sum += (u32)frame[i] << 8 | frame[i + 1];
	if ((len - start) & 1)
		sum += (u32)frame[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	u16 c = (u16)~sum;
	if (c == 0)
		c = 0xffff; /* as Linux's skb_checksum_help: 0 means "no checksum" to UDP */
	frame[start + offset] = (u8)(c >> 8);
	frame[start + offset + 1] = (u8)c;
}

static void receive(void)
{
	bool reposted = false;
	do {
		u8 *buf;
		u32 len;
		while ((buf = vq_get(&rxq, &len))) {
			struct virtio_net_hdr_v1 *h = (void *)buf;
			if (len > HDR && len <= BUF_SIZE) {
				if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
					complete_checksum(buf + HDR, len - HDR, h->csum_start, h->csum_offset);
				if (rx_callback)
					rx_callback(buf + HDR, len - HDR);
			}
			post_rx(buf);
			reposted = true;
		}
	} while (vq_want_interrupt(&rxq));
	if (reposted)
		kick(&rxq);
}

void vnet_poll(void)
{
	if (!dev)
		return;
	receive();
	reclaim_tx();
}

static void on_interrupt(struct virtio_dev *d)
{
	vnet_poll();
}

static int send(const void *frame, size_t len, const struct virtio_net_hdr_v1 *h)
{
	if (!dev)
		return -ENODEV;
	if (len > (size_t)mtu + 14 || len > BUF_SIZE - HDR)
		return -EMSGSIZE;
	reclaim_tx();
	if (!n_tx_slots) {
		/* The caller may spin here with interrupts off, where the timer cannot run. */
		if (time_monotonic_ns() - last_renotify_check >= RENOTIFY_NS)
			renotify_check();
		return -ENOBUFS;
	}
	u8 *buf = tx_slots[--n_tx_slots];
	memcpy(buf, h, HDR);
	memcpy(buf + HDR, frame, len);
	struct vq_buf b = { virt_to_phys(buf), (u32)(HDR + len) };
	int err = vq_add(&txq, &b, 1, 0, buf);
	if (err) {
		tx_slots[n_tx_slots++] = buf;
		return -ENOBUFS;
	}
	kick(&txq);
	return 0;
}

int vnet_send(const void *frame, size_t len)
{
	struct virtio_net_hdr_v1 h = { .gso_type = VIRTIO_NET_HDR_GSO_NONE };
	return send(frame, len, &h);
}

int vnet_send_partial(const void *frame, size_t len, u16 csum_start, u16 csum_offset)
{
	if (!vnet_tx_csum_offload())
		return dev ? -EOPNOTSUPP : -ENODEV;
	struct virtio_net_hdr_v1 h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				       .gso_type = VIRTIO_NET_HDR_GSO_NONE };
	h.csum_start = csum_start;
	h.csum_offset = csum_offset;
	return send(frame, len, &h);
}

int virtio_net_attach(struct virtio_dev *d)
{
	if (dev)
		return -EBUSY; /* one interface */
	u64 wanted = 1UL << VIRTIO_NET_F_MAC | 1UL << VIRTIO_NET_F_CSUM |
		     1UL << VIRTIO_NET_F_GUEST_CSUM | 1UL << VIRTIO_RING_F_EVENT_IDX;
	/* An MTU above 1500 would let the device send frames larger than the 2 KiB buffers (no
	 * mergeable buffers here): only a smaller one is accepted, else the interface stays 1500. */
	u16 offered_mtu = 0;
	if (d->t->get_features(d) >> VIRTIO_NET_F_MTU & 1) {
		offered_mtu = (u16)d->t->read_config(d, __builtin_offsetof(struct virtio_net_config, mtu), 2);
		if (offered_mtu >= 68 && offered_mtu <= VNET_MAX_FRAME - 14)
			wanted |= 1UL << VIRTIO_NET_F_MTU;
	}
	int err = virtio_negotiate(d, wanted);
	if (err)
		return err;
	for (int i = 0; i < 6; i++)
		mac[i] = virtio_has(d, VIRTIO_NET_F_MAC)
				 ? (u8)d->t->read_config(d, __builtin_offsetof(struct virtio_net_config, mac) + i, 1)
				 : (u8)(i == 0 ? 0x52 : i == 1 ? 0x54 : 0x00);
	if (virtio_has(d, VIRTIO_NET_F_MTU))
		mtu = offered_mtu;
	static u8 *rx_bufs[QUEUE_SIZE];
	if ((err = vq_init(d, &rxq, RXQ, QUEUE_SIZE)) || (err = vq_init(d, &txq, TXQ, QUEUE_SIZE)) ||
	    (err = alloc_buffers(rx_bufs, rxq.size)) || (err = alloc_buffers(tx_slots, txq.size))) {
		d->t->set_status(d, VIRTIO_CONFIG_S_FAILED);
		return err;
	}
	n_tx_slots = txq.size;
	ktimer_init(&renotify_timer, renotify_fired);
	vq_no_interrupts(&txq);
	for (int i = 0; i < rxq.size; i++)
		post_rx(rx_bufs[i]);
	d->on_interrupt = on_interrupt;
	if ((err = virtio_driver_ok(d)))
		return err;
	vq_want_interrupt(&rxq);
	vq_kick(&rxq);
	dev = d;
	kprintf("virtio-net: %s mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u features %lx\n", d->t->name,
		mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], mtu, d->features);
	return 0;
}
