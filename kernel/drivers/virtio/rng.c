/* virtio-rng (virtio 1.2, 5.4): at boot, one 64-byte request whose answer is mixed into the
 * kernel's generator key (core/random.c). The device is asked once and waited for at most
 * 100 ms by polling, before interrupts are on; later requests are not needed, as the generator
 * rekeys itself. */
#include "drivers/virtio/virtio.h"
#include "core/log.h"
#include "core/random.h"
#include "core/time.h"
#include "errno.h"

#define SEED_BYTES 64
#define WAIT_NS 100000000ULL

int virtio_rng_attach(struct virtio_dev *d)
{
	static struct virtqueue vq;
	static u8 seed[SEED_BYTES];
	int err = virtio_negotiate(d, 0);
	if (err)
		return err;
	if ((err = vq_init(d, &vq, 0, 8)))
		goto failed;
	struct vq_buf b = { virt_to_phys(seed), sizeof(seed) };
	if ((err = vq_add(&vq, &b, 0, 1, seed)))
		goto failed;
	if ((err = virtio_driver_ok(d)))
		return err;
	vq_kick(&vq);
	u64 until = time_monotonic_ns() + WAIT_NS;
	u32 len = 0;
	while (!vq_get(&vq, &len)) {
		if (time_monotonic_ns() > until) {
			kprintf("virtio-rng: no answer in 100 ms\n");
			return 0;
		}
		__builtin_ia32_pause();
	}
	random_mix(seed, MIN(len, sizeof(seed)));
	kprintf("virtio-rng: %s: %u bytes mixed into the random key\n", d->t->name, len);
	return 0;
failed:
	d->t->set_status(d, VIRTIO_CONFIG_S_FAILED);
	return err;
}
