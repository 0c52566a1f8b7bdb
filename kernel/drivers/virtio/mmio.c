/* The virtio-mmio transport (virtio 1.2, 4.2.2), modern devices (version 2) only. Devices come
 * from the DSDT (QEMU microvm with ACPI) and from virtio_mmio.device= on the command line
 * (Firecracker, microvm without ACPI); a window listed twice is probed once, and a window with
 * no device behind it (device id 0) is skipped. */
#include "drivers/virtio/virtio.h"
#include "arch/x86_64/ioapic.h"
#include "core/log.h"
#include "drivers/acpi.h"
#include "mm/kheap.h"
#include "sched/irq.h"
#include "errno.h"
#include <linux/virtio_mmio.h>

#define MAX_MMIO_DEVICES 16
#define MMIO_MAGIC 0x74726976 /* "virt" */

struct mmio_window {
	paddr_t base;
	u32 size, gsi;
	int flags;
};

static struct mmio_window windows[MAX_MMIO_DEVICES];
static int n_windows;

void virtio_mmio_add(paddr_t base, u32 size, u32 gsi, int flags)
{
	for (int i = 0; i < n_windows; i++)
		if (windows[i].base == base)
			return;
	if (n_windows == MAX_MMIO_DEVICES)
		return;
	windows[n_windows++] = (struct mmio_window){ base, size, gsi, flags };
}

static u32 rd(struct virtio_dev *d, u32 off) { return *(volatile u32 *)(d->regs + off); }
static void wr(struct virtio_dev *d, u32 off, u32 v) { *(volatile u32 *)(d->regs + off) = v; }

static u64 mmio_get_features(struct virtio_dev *d)
{
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	u64 hi = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return hi << 32 | rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void mmio_set_features(struct virtio_dev *d, u64 f)
{
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (u32)(f >> 32));
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (u32)f);
}

static u8 mmio_get_status(struct virtio_dev *d) { return (u8)rd(d, VIRTIO_MMIO_STATUS); }
static void mmio_set_status(struct virtio_dev *d, u8 s) { wr(d, VIRTIO_MMIO_STATUS, s); }

static u32 mmio_read_config(struct virtio_dev *d, u32 off, int width)
{
	volatile u8 *p = d->regs + VIRTIO_MMIO_CONFIG + off;
	return width == 1 ? *p : width == 2 ? *(volatile u16 *)p : *(volatile u32 *)p;
}

static u16 mmio_queue_max(struct virtio_dev *d, u16 index)
{
	wr(d, VIRTIO_MMIO_QUEUE_SEL, index);
	if (rd(d, VIRTIO_MMIO_QUEUE_READY))
		return 0;
	u32 max = rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	return max > 0xffff ? 0x8000 : (u16)max;
}

static int mmio_queue_enable(struct virtio_dev *d, struct virtqueue *vq)
{
	wr(d, VIRTIO_MMIO_QUEUE_SEL, vq->index);
	wr(d, VIRTIO_MMIO_QUEUE_NUM, vq->size);
	wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)vq->desc_pa);
	wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (u32)(vq->desc_pa >> 32));
	wr(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (u32)vq->avail_pa);
	wr(d, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (u32)(vq->avail_pa >> 32));
	wr(d, VIRTIO_MMIO_QUEUE_USED_LOW, (u32)vq->used_pa);
	wr(d, VIRTIO_MMIO_QUEUE_USED_HIGH, (u32)(vq->used_pa >> 32));
	wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

static void mmio_notify(struct virtio_dev *d, struct virtqueue *vq)
{
	wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
}

/* The status must be acknowledged before the end of interrupt: the line is level-triggered
 * on microvm and stays up until then. */
static void mmio_irq(void *arg)
{
	struct virtio_dev *d = arg;
	u32 status = rd(d, VIRTIO_MMIO_INTERRUPT_STATUS);
	if (!status)
		return;
	wr(d, VIRTIO_MMIO_INTERRUPT_ACK, status);
	virtio_interrupt(d);
}

static int mmio_irq_enable(struct virtio_dev *d)
{
	int vector = irq_register(mmio_irq, d);
	if (vector < 0)
		return vector;
	int err = ioapic_route(d->gsi, (u8)vector, d->irq_flags);
	if (err) {
		kprintf("virtio-mmio: no I/O APIC serves gsi %u\n", d->gsi);
		return err;
	}
	ioapic_unmask(d->gsi);
	return 0;
}

static const struct virtio_transport mmio_transport = {
	.name = "mmio",
	.get_features = mmio_get_features,
	.set_features = mmio_set_features,
	.get_status = mmio_get_status,
	.set_status = mmio_set_status,
	.read_config = mmio_read_config,
	.queue_max = mmio_queue_max,
	.queue_enable = mmio_queue_enable,
	.notify = mmio_notify,
	.irq_enable = mmio_irq_enable,
};

static void from_acpi(paddr_t base, u32 size, u32 gsi, int flags)
{
	virtio_mmio_add(base, size, gsi, flags);
}

void virtio_mmio_probe(void)
{
	acpi_virtio_mmio(from_acpi);
	for (int i = 0; i < n_windows; i++) {
		struct mmio_window *w = &windows[i];
		if (w->base >= 0x100000000UL || w->size < VIRTIO_MMIO_CONFIG)
			continue;
		volatile u8 *regs = mmio_map(w->base);
		u32 magic = *(volatile u32 *)regs, version = *(volatile u32 *)(regs + VIRTIO_MMIO_VERSION);
		u32 id = *(volatile u32 *)(regs + VIRTIO_MMIO_DEVICE_ID);
		if (magic != MMIO_MAGIC || id == 0)
			continue;
		kprintf("virtio-mmio: %lx gsi %u device %u version %u\n", w->base, w->gsi, id, version);
		if (version != 2) {
			kprintf("virtio-mmio: %lx: legacy (version 1) devices are not supported\n", w->base);
			continue;
		}
		struct virtio_dev *d = kzalloc(sizeof(*d));
		if (!d)
			return;
		d->t = &mmio_transport;
		d->device_id = id;
		d->regs = regs;
		d->gsi = w->gsi;
		d->irq_flags = w->flags;
		if (w->flags < 0)
			d->gsi = ioapic_isa_gsi((u8)w->gsi, &d->irq_flags);
		virtio_found(d);
	}
}
