/* The virtio core (virtio 1.2 spec): a device behind one of two transports (virtio-mmio,
 * virtio-pci modern), the status handshake with feature negotiation, and split virtqueues with
 * VIRTIO_F_EVENT_IDX. Drivers (net.c, rng.c) see only this header. Everything here runs at boot
 * or under the big kernel lock, or in the device's interrupt handler (sched/irq.h), which takes
 * that lock before touching a queue. */
#pragma once
#include "types.h"
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

struct virtio_dev;
struct virtqueue;

struct virtio_transport {
	const char *name;
	u64 (*get_features)(struct virtio_dev *d);
	void (*set_features)(struct virtio_dev *d, u64 features);
	u8 (*get_status)(struct virtio_dev *d);
	void (*set_status)(struct virtio_dev *d, u8 status);
	/* The device's config space, byte offset `off` (reads of 1, 2 or 4 bytes). */
	u32 (*read_config)(struct virtio_dev *d, u32 off, int width);
	/* Largest size the device allows for queue `index`, 0 if it has no such queue. */
	u16 (*queue_max)(struct virtio_dev *d, u16 index);
	/* Tells the device where vq's rings are and enables it. */
	int (*queue_enable)(struct virtio_dev *d, struct virtqueue *vq);
	void (*notify)(struct virtio_dev *d, struct virtqueue *vq);
	/* Routes the device's interrupt to virtio_interrupt(d). */
	int (*irq_enable)(struct virtio_dev *d);
};

struct virtio_dev {
	const struct virtio_transport *t;
	u32 device_id;     /* VIRTIO_ID_* */
	u64 features;      /* negotiated */
	/* transport state */
	volatile u8 *regs; /* mmio: the register window */
	u32 gsi;           /* mmio: the interrupt */
	int irq_flags;
	void *transport;   /* pci: its state */
	/* driver state */
	void (*on_interrupt)(struct virtio_dev *d); /* under the big kernel lock */
	void *driver;
};

/* A transport found a device: it is reset and offered to the driver for its id. */
void virtio_found(struct virtio_dev *d);
/* The transport's interrupt handler calls this with the big kernel lock not held. */
void virtio_interrupt(struct virtio_dev *d);

/* Driver side. virtio_negotiate: reset, ACKNOWLEDGE|DRIVER, accept `wanted` & offered (with
 * VIRTIO_F_VERSION_1 required), FEATURES_OK. Then the driver sets up its queues and calls
 * virtio_driver_ok. Both return -errno (and set FAILED) on refusal. */
int virtio_negotiate(struct virtio_dev *d, u64 wanted);
int virtio_driver_ok(struct virtio_dev *d);
static inline bool virtio_has(struct virtio_dev *d, int bit) { return d->features >> bit & 1; }

/* A split virtqueue in memory the device reads through physical addresses. */
struct virtqueue {
	struct virtio_dev *dev;
	u16 index, size;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	paddr_t desc_pa, avail_pa, used_pa;
	u16 free_head, num_free;
	u16 last_used;     /* next used entry to look at */
	u16 kicked_avail;  /* avail->idx at the last notification decision */
	bool kick_skipped; /* the last vq_kick did not notify ... */
	u16 used_at_skip;  /* ... and the device's used->idx was this then */
	bool event_idx;
	void **cookies;    /* per head descriptor */
	volatile u16 *notify_at; /* pci: where to write the queue index */
};

struct vq_buf {
	paddr_t addr;
	u32 len;
};

/* Sets up queue `index` with up to `max_size` entries. */
int vq_init(struct virtio_dev *d, struct virtqueue *vq, u16 index, u16 max_size);
/* Posts a chain: out buffers (device reads) then in buffers (device writes). -ENOSPC when the
 * ring has too few free descriptors. The device sees it after vq_kick. */
int vq_add(struct virtqueue *vq, const struct vq_buf *bufs, int n_out, int n_in, void *cookie);
/* Publishes what vq_add posted; notifies the device unless it asked not to be (event index or
 * VRING_USED_F_NO_NOTIFY). Returns whether it notified. */
bool vq_kick(struct virtqueue *vq);
/* The safety net for a notification vq_kick skipped: notifies the device when it has used
 * nothing since, and returns whether it did. The skip relies on a store-load fence (publish
 * avail->idx, then read what the device asked for) that the device's own fence pairs with;
 * QEMU's TCG with a single vCPU emits no host fence for the guest's (it thinks nothing runs in
 * parallel, but its I/O thread does), so both sides can miss each other's store and the device
 * then sleeps on entries it was never told about. Drivers call this from a timer shortly after
 * a skipped kick, and when they run out of descriptors. */
bool vq_renotify_if_idle(struct virtqueue *vq);
/* The next chain the device finished: its cookie and the bytes it wrote; NULL if none. */
void *vq_get(struct virtqueue *vq, u32 *len);
/* Asks for an interrupt at the next used entry; true when entries are already waiting (the
 * caller should then poll again rather than wait). */
bool vq_want_interrupt(struct virtqueue *vq);
/* Asks for no interrupts from this queue (a transmit queue reclaimed by polling). With the event
 * index this holds for the next 32768 used entries: call it again after each round of vq_get. */
void vq_no_interrupts(struct virtqueue *vq);

/* Transports. */
void virtio_mmio_probe(void);
void virtio_pci_probe(void);
/* virtio_mmio.device=<size>@<addr>:<irq> from the kernel command line (Firecracker; QEMU
 * microvm without ACPI): recorded by cmdline.c, probed by virtio_mmio_probe. flags: IRQ_* of
 * arch/x86_64/ioapic.h, or -1 for an ISA IRQ number (the MADT's overrides apply). */
void virtio_mmio_add(paddr_t base, u32 size, u32 gsi, int flags);

/* Drivers. */
int virtio_net_attach(struct virtio_dev *d);
int virtio_rng_attach(struct virtio_dev *d);

/* Boot: find devices on every transport and attach drivers (core/main.c). */
void virtio_init(void);
