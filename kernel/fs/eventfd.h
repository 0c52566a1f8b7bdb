/* eventfd: a 64-bit counter as a file (eventfd(2)). */
#pragma once
#include "types.h"

struct file;

/* Linux's include/linux/eventfd.h (not UAPI): the flags of eventfd2. */
#define EFD_SEMAPHORE (1 << 0)
#define EFD_CLOEXEC O_CLOEXEC
#define EFD_NONBLOCK O_NONBLOCK

/* A new eventfd holding count; flags are EFD_SEMAPHORE and EFD_NONBLOCK (the caller handles
 * EFD_CLOEXEC). -ENOMEM when memory is short. */
int eventfd_create(u64 count, u32 flags, struct file **out);
