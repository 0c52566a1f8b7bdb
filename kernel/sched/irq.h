/* Device interrupts: a range of vectors that drivers claim with a handler. A handler runs with
 * interrupts off, before the end of interrupt (so a level-triggered line is quiet by then). The
 * kernel only takes interrupts in user mode or in the idle loop, so a handler may take the big
 * kernel lock (bkl_lock/bkl_unlock) as kernel timers do. The one other window is smp_init's
 * boot-time wait for the other CPUs (device interrupts go to the boot CPU): no thread runs yet
 * and the boot code touches no device state there, so taking the lock is safe too. */
#pragma once
#include "types.h"

#define VEC_DEVICE_FIRST 0x30
#define VEC_DEVICE_LAST  0x7f

typedef void (*irq_handler_fn)(void *arg);

/* A free device vector that now calls fn(arg), or -EBUSY when all are taken. */
int irq_register(irq_handler_fn fn, void *arg);
