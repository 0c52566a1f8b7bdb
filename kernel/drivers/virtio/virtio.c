/* The virtio core: the device status handshake, the drivers a device id selects, and split
 * virtqueues (virtio 1.2, 2.7). Queue memory is whole zeroed pages, one per ring part, so every
 * part is naturally aligned and fits a 256-entry queue. */
#include "drivers/virtio/virtio.h"
#include "core/log.h"
#include "mm/kheap.h"
#include "mm/pmm.h"
#include "sched/bkl.h"
#include "lib/string.h"
#include "errno.h"

#define VQ_MAX_SIZE 256

void virtio_found(struct virtio_dev *d)
{
	d->t->set_status(d, 0); /* reset */
	int err = -ENODEV;
	switch (d->device_id) {
	case VIRTIO_ID_NET:
		err = virtio_net_attach(d);
		break;
	case VIRTIO_ID_RNG:
		err = virtio_rng_attach(d);
		break;
	}
	if (err)
		kprintf("virtio: %s device id %u: no driver (%d)\n", d->t->name, d->device_id, err);
}

void virtio_interrupt(struct virtio_dev *d)
{
	if (!d->on_interrupt)
		return;
	bkl_lock();
	d->on_interrupt(d);
	bkl_unlock();
}

int virtio_negotiate(struct virtio_dev *d, u64 wanted)
{
	d->t->set_status(d, 0);
	d->t->set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	d->t->set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	u64 offered = d->t->get_features(d);
	if (!(offered >> VIRTIO_F_VERSION_1 & 1)) {
		kprintf("virtio: %s device %u is legacy only (features %lx)\n", d->t->name,
			d->device_id, offered);
		d->t->set_status(d, VIRTIO_CONFIG_S_FAILED);
		return -ENODEV;
	}
	d->features = offered & (wanted | 1UL << VIRTIO_F_VERSION_1);
	d->t->set_features(d, d->features);
	u8 s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK;
	d->t->set_status(d, s);
	if (!(d->t->get_status(d) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		d->t->set_status(d, VIRTIO_CONFIG_S_FAILED);
		return -ENODEV;
	}
	return 0;
}

int virtio_driver_ok(struct virtio_dev *d)
{
	int err = d->t->irq_enable(d);
	if (err) {
		d->t->set_status(d, VIRTIO_CONFIG_S_FAILED);
		return err;
	}
	d->t->set_status(d, d->t->get_status(d) | VIRTIO_CONFIG_S_DRIVER_OK);
	return 0;
}

/* ---- split virtqueues ---- */

static void *ring_page(paddr_t *pa)
{
	*pa = page_alloc_zeroed();
	return *pa ? phys_to_virt(*pa) : NULL;
}

int vq_init(struct virtio_dev *d, struct virtqueue *vq, u16 index, u16 max_size)
{
	u16 size = d->t->queue_max(d, index);
	if (!size)
		return -ENODEV;
	size = MIN(size, MIN(max_size, VQ_MAX_SIZE));
	/* split queue sizes are powers of two: round down */
	while (size & (size - 1))
		size &= size - 1;
	memset(vq, 0, sizeof(*vq));
	vq->dev = d;
	vq->index = index;
	vq->size = size;
	vq->event_idx = virtio_has(d, VIRTIO_RING_F_EVENT_IDX);
	vq->desc = ring_page(&vq->desc_pa);
	vq->avail = ring_page(&vq->avail_pa);
	vq->used = ring_page(&vq->used_pa);
	vq->cookies = kzalloc(size * sizeof(void *));
	if (!vq->desc || !vq->avail || !vq->used || !vq->cookies)
		goto nomem;
	for (u16 i = 0; i < size; i++)
		vq->desc[i].next = (u16)(i + 1);
	vq->num_free = size;
	int err = d->t->queue_enable(d, vq);
	if (err)
		return err;
	return 0;
nomem:
	if (vq->desc_pa)
		page_free(vq->desc_pa);
	if (vq->avail_pa)
		page_free(vq->avail_pa);
	if (vq->used_pa)
		page_free(vq->used_pa);
	kfree(vq->cookies);
	return -ENOMEM;
}

int vq_add(struct virtqueue *vq, const struct vq_buf *bufs, int n_out, int n_in, void *cookie)
{
	int n = n_out + n_in;
	if (n <= 0 || n > vq->num_free)
		return -ENOSPC;
	u16 head = vq->free_head, i = head, last = head;
	for (int k = 0; k < n; k++) {
		struct vring_desc *dsc = &vq->desc[i];
		dsc->addr = bufs[k].addr;
		dsc->len = bufs[k].len;
		dsc->flags = (k >= n_out ? VRING_DESC_F_WRITE : 0) | (k + 1 < n ? VRING_DESC_F_NEXT : 0);
		last = i;
		i = dsc->next;
	}
	vq->free_head = vq->desc[last].next;
	vq->num_free -= (u16)n;
	vq->cookies[head] = cookie;
	u16 idx = vq->avail->idx;
	vq->avail->ring[idx & (vq->size - 1)] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the entry before the index that publishes it */
	__atomic_store_n(&vq->avail->idx, (u16)(idx + 1), __ATOMIC_RELEASE);
	return 0;
}

bool vq_kick(struct virtqueue *vq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* avail->idx before reading what the device wants */
	u16 new = vq->avail->idx, old = vq->kicked_avail;
	vq->kicked_avail = new;
	if (new == old)
		return false;
	bool notify;
	if (vq->event_idx) {
		/* The device's avail_event sits after the used ring (2.7.10). */
		u16 event = *(volatile u16 *)&vq->used->ring[vq->size];
		notify = vring_need_event(event, new, old);
	} else {
		notify = !(*(volatile u16 *)&vq->used->flags & VRING_USED_F_NO_NOTIFY);
	}
	if (notify) {
		vq->kick_skipped = false;
		vq->dev->t->notify(vq->dev, vq);
	} else if (!vq->kick_skipped) {
		vq->kick_skipped = true;
		vq->used_at_skip = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	}
	return notify;
}

bool vq_renotify_if_idle(struct virtqueue *vq)
{
	if (!vq->kick_skipped)
		return false;
	u16 used = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	if (used == vq->avail->idx) {
		vq->kick_skipped = false; /* it used everything: nothing was missed */
		return false;
	}
	if (used != vq->used_at_skip) {
		/* The device is working through the ring; look again later. */
		vq->used_at_skip = used;
		return false;
	}
	vq->kick_skipped = false;
	vq->dev->t->notify(vq->dev, vq);
	return true;
}

void *vq_get(struct virtqueue *vq, u32 *len)
{
	if (vq->last_used == __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE))
		return NULL;
	struct vring_used_elem *e = &vq->used->ring[vq->last_used & (vq->size - 1)];
	u16 head = (u16)e->id;
	if (len)
		*len = e->len;
	vq->last_used++;
	void *cookie = vq->cookies[head];
	vq->cookies[head] = NULL;
	/* Give the chain back to the free list. */
	u16 i = head, n = 1;
	while (vq->desc[i].flags & VRING_DESC_F_NEXT) {
		i = vq->desc[i].next;
		n++;
	}
	vq->desc[i].next = vq->free_head;
	vq->free_head = head;
	vq->num_free += n;
	return cookie;
}

bool vq_want_interrupt(struct virtqueue *vq)
{
	if (vq->event_idx) {
		/* used_event sits after the avail ring (2.7.10). */
		__atomic_store_n(&vq->avail->ring[vq->size], vq->last_used, __ATOMIC_RELEASE);
	} else {
		vq->avail->flags &= (u16)~VRING_AVAIL_F_NO_INTERRUPT;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return vq->last_used != __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
}

void vq_no_interrupts(struct virtqueue *vq)
{
	if (vq->event_idx) /* far ahead of anything in flight (a queue holds at most 256) */
		__atomic_store_n(&vq->avail->ring[vq->size], (u16)(vq->last_used + 0x8000), __ATOMIC_RELAXED);
	else
		vq->avail->flags |= VRING_AVAIL_F_NO_INTERRUPT;
}

void virtio_init(void)
{
	virtio_mmio_probe();
	virtio_pci_probe();
}
