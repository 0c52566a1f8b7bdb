/* The modern virtio-pci transport: not written yet. */
#include "drivers/virtio/virtio.h"

void virtio_pci_probe(void)
{
}
