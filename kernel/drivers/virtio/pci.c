/* The modern virtio-pci transport (virtio 1.2, 4.1) for q35 and pc. Configuration space through
 * the legacy mechanism (ports 0xCF8/0xCFC); bus 0 only, where QEMU puts devices given with
 * -device and no bus. The device's structures (common, notify, device config) are found through
 * its vendor capabilities in memory BARs below 4 GiB (the direct map reaches them). Interrupts
 * come by MSI-X: one table entry for all queues, aimed at the boot CPU's LAPIC, so no I/O APIC
 * route is needed. Devices without MSI-X, legacy-only (transitional) devices and BARs above
 * 4 GiB are skipped with a message. */
#include "drivers/virtio/virtio.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/lapic.h"
#include "core/log.h"
#include "mm/kheap.h"
#include "sched/irq.h"
#include "errno.h"
#include <linux/virtio_pci.h>

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc
#define PCI_VENDOR_VIRTIO 0x1af4
#define PCI_DEVICE_MODERN 0x1040 /* + the virtio device id */
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_COMMAND_MASTER (1u << 2)
#define PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_STATUS_CAP_LIST (1u << 20) /* in the dword at 0x04 */
#define PCI_HEADER_TYPE 0x0c           /* byte 2 of the dword */
#define PCI_CAP_PTR 0x34
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_MSIX 0x11
#define MSIX_ENABLE (1u << 15)
#define MSIX_MASKALL (1u << 14)
#define MSI_ADDRESS 0xfee00000u /* + destination APIC id << 12: fixed delivery, physical */

struct pci_virtio {
	u8 bus, slot, fn;
	volatile struct virtio_pci_common_cfg *common;
	volatile u8 *notify_base;
	u32 notify_mult;
	volatile u8 *device_cfg;
	volatile u32 *msix_table;
	u8 msix_cap;
};

static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static u32 cfg_read(u8 bus, u8 slot, u8 fn, u8 off)
{
	outl(PCI_ADDR, 0x80000000u | (u32)bus << 16 | (u32)slot << 11 | (u32)fn << 8 | (off & 0xfc));
	return inl(PCI_DATA);
}

static void cfg_write(u8 bus, u8 slot, u8 fn, u8 off, u32 v)
{
	outl(PCI_ADDR, 0x80000000u | (u32)bus << 16 | (u32)slot << 11 | (u32)fn << 8 | (off & 0xfc));
	outl(PCI_DATA, v);
}

/* The physical address of memory BAR `bar`, 0 when it is an I/O BAR, unassigned or above 4 GiB. */
static paddr_t bar_address(u8 bus, u8 slot, u8 fn, u8 bar)
{
	if (bar > 5)
		return 0;
	u32 lo = cfg_read(bus, slot, fn, (u8)(0x10 + 4 * bar));
	if (lo & 1)
		return 0; /* I/O space */
	u64 addr = lo & ~0xfu;
	if ((lo >> 1 & 3) == 2 && bar < 5)
		addr |= (u64)cfg_read(bus, slot, fn, (u8)(0x14 + 4 * bar)) << 32;
	return addr && addr + 0x200000 <= 0x100000000UL ? addr : 0;
}

/* The structure a capability points at, mapped; NULL if its BAR is unusable. */
static volatile u8 *cap_region(u8 bus, u8 slot, u8 fn, u8 cap)
{
	u32 w1 = cfg_read(bus, slot, fn, (u8)(cap + 4));
	u32 offset = cfg_read(bus, slot, fn, (u8)(cap + VIRTIO_PCI_CAP_OFFSET));
	u32 length = cfg_read(bus, slot, fn, (u8)(cap + VIRTIO_PCI_CAP_LENGTH));
	paddr_t base = bar_address(bus, slot, fn, (u8)w1);
	if (!base)
		return NULL;
	paddr_t start = base + offset, end = start + (length ? length - 1 : 0);
	mmio_map(end);
	return mmio_map(start);
}

static struct pci_virtio *pv(struct virtio_dev *d) { return d->transport; }

static u64 pci_get_features(struct virtio_dev *d)
{
	volatile struct virtio_pci_common_cfg *c = pv(d)->common;
	c->device_feature_select = 1;
	u64 hi = c->device_feature;
	c->device_feature_select = 0;
	return hi << 32 | c->device_feature;
}

static void pci_set_features(struct virtio_dev *d, u64 f)
{
	volatile struct virtio_pci_common_cfg *c = pv(d)->common;
	c->guest_feature_select = 1;
	c->guest_feature = (u32)(f >> 32);
	c->guest_feature_select = 0;
	c->guest_feature = (u32)f;
}

static u8 pci_get_status(struct virtio_dev *d) { return pv(d)->common->device_status; }
static void pci_set_status(struct virtio_dev *d, u8 s) { pv(d)->common->device_status = s; }

static u32 pci_read_config(struct virtio_dev *d, u32 off, int width)
{
	volatile u8 *p = pv(d)->device_cfg + off;
	return width == 1 ? *p : width == 2 ? *(volatile u16 *)p : *(volatile u32 *)p;
}

static u16 pci_queue_max(struct virtio_dev *d, u16 index)
{
	volatile struct virtio_pci_common_cfg *c = pv(d)->common;
	if (index >= c->num_queues)
		return 0;
	c->queue_select = index;
	return c->queue_enable ? 0 : c->queue_size;
}

static int pci_queue_enable(struct virtio_dev *d, struct virtqueue *vq)
{
	struct pci_virtio *p = pv(d);
	volatile struct virtio_pci_common_cfg *c = p->common;
	c->queue_select = vq->index;
	c->queue_size = vq->size;
	c->queue_msix_vector = 0; /* table entry 0 for every queue */
	if (c->queue_msix_vector != 0)
		return -ENOSPC; /* the device could not take the vector */
	c->queue_desc_lo = (u32)vq->desc_pa;
	c->queue_desc_hi = (u32)(vq->desc_pa >> 32);
	c->queue_avail_lo = (u32)vq->avail_pa;
	c->queue_avail_hi = (u32)(vq->avail_pa >> 32);
	c->queue_used_lo = (u32)vq->used_pa;
	c->queue_used_hi = (u32)(vq->used_pa >> 32);
	vq->notify_at = (volatile u16 *)(p->notify_base + (u32)c->queue_notify_off * p->notify_mult);
	c->queue_enable = 1;
	return 0;
}

static void pci_notify(struct virtio_dev *d, struct virtqueue *vq)
{
	*vq->notify_at = vq->index;
}

static void pci_irq(void *arg)
{
	virtio_interrupt(arg); /* MSI-X: edge, nothing to acknowledge in the device */
}

static int pci_irq_enable(struct virtio_dev *d)
{
	struct pci_virtio *p = pv(d);
	int vector = irq_register(pci_irq, d);
	if (vector < 0)
		return vector;
	p->common->msix_config = VIRTIO_MSI_NO_VECTOR; /* no configuration-change interrupts */
	volatile u32 *e = p->msix_table; /* entry 0: address lo, hi, data, vector control */
	e[0] = MSI_ADDRESS | lapic_id() << 12;
	e[1] = 0;
	e[2] = (u32)vector;
	e[3] = 0; /* unmasked */
	u32 w = cfg_read(p->bus, p->slot, p->fn, p->msix_cap);
	w = (w | MSIX_ENABLE << 16) & ~(MSIX_MASKALL << 16);
	cfg_write(p->bus, p->slot, p->fn, p->msix_cap, w);
	return 0;
}

static const struct virtio_transport pci_transport = {
	.name = "pci",
	.get_features = pci_get_features,
	.set_features = pci_set_features,
	.get_status = pci_get_status,
	.set_status = pci_set_status,
	.read_config = pci_read_config,
	.queue_max = pci_queue_max,
	.queue_enable = pci_queue_enable,
	.notify = pci_notify,
	.irq_enable = pci_irq_enable,
};

/* Walks the capability list for the virtio structures and MSI-X. */
static bool find_caps(struct pci_virtio *p)
{
	u8 b = p->bus, s = p->slot, f = p->fn;
	if (!(cfg_read(b, s, f, PCI_COMMAND) & PCI_STATUS_CAP_LIST))
		return false;
	u8 cap = (u8)(cfg_read(b, s, f, PCI_CAP_PTR) & 0xfc);
	for (int guard = 0; cap && guard < 48; guard++) {
		u32 w0 = cfg_read(b, s, f, cap);
		u8 id = (u8)w0, type = (u8)(w0 >> 24);
		if (id == PCI_CAP_MSIX) {
			u32 table = cfg_read(b, s, f, (u8)(cap + 4));
			paddr_t bar = bar_address(b, s, f, (u8)(table & 7));
			if (bar) {
				p->msix_cap = cap;
				p->msix_table = (volatile u32 *)mmio_map(bar + (table & ~7u));
			}
		} else if (id == PCI_CAP_VENDOR) {
			volatile u8 *r = cap_region(b, s, f, cap);
			if (type == VIRTIO_PCI_CAP_COMMON_CFG && !p->common)
				p->common = (volatile void *)r;
			else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !p->notify_base) {
				p->notify_base = r;
				p->notify_mult = cfg_read(b, s, f, (u8)(cap + VIRTIO_PCI_NOTIFY_CAP_MULT));
			} else if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !p->device_cfg)
				p->device_cfg = r;
		}
		cap = (u8)((w0 >> 8) & 0xfc);
	}
	return p->common && p->notify_base && p->msix_table;
}

static void probe_function(u8 bus, u8 slot, u8 fn, u32 id)
{
	u16 device = (u16)(id >> 16);
	if (device < PCI_DEVICE_MODERN) {
		kprintf("virtio-pci: %02x:%02x.%u: transitional device %x; give QEMU disable-legacy=on\n",
			bus, slot, fn, device);
		return;
	}
	struct pci_virtio *p = kzalloc(sizeof(*p));
	struct virtio_dev *d = kzalloc(sizeof(*d));
	if (!p || !d) {
		kfree(p);
		kfree(d);
		return;
	}
	p->bus = bus;
	p->slot = slot;
	p->fn = fn;
	u32 cmd = cfg_read(bus, slot, fn, PCI_COMMAND);
	cfg_write(bus, slot, fn, PCI_COMMAND,
		  (cmd & 0xffff) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	if (!find_caps(p)) {
		kprintf("virtio-pci: %02x:%02x.%u: no usable virtio structures or MSI-X (BARs above 4 GiB?)\n",
			bus, slot, fn);
		kfree(p);
		kfree(d);
		return;
	}
	d->t = &pci_transport;
	d->device_id = device - PCI_DEVICE_MODERN;
	d->transport = p;
	kprintf("virtio-pci: %02x:%02x.%u device %u\n", bus, slot, fn, d->device_id);
	virtio_found(d);
}

void virtio_pci_probe(void)
{
	if (cfg_read(0, 0, 0, 0) == 0xffffffffu)
		return; /* no PCI (microvm) */
	for (u8 slot = 0; slot < 32; slot++) {
		u32 id = cfg_read(0, slot, 0, 0);
		if ((u16)id == 0xffff)
			continue;
		int fns = (cfg_read(0, slot, 0, PCI_HEADER_TYPE) >> 16 & 0x80) ? 8 : 1;
		for (u8 fn = 0; fn < fns; fn++) {
			id = cfg_read(0, slot, fn, 0);
			if ((u16)id == PCI_VENDOR_VIRTIO)
				probe_function(0, slot, fn, id);
		}
	}
}
