/* The kernel's random numbers (getrandom, AT_RANDOM, ASLR). */
#pragma once
#include "types.h"

void random_init(void);
/* Mixes entropy from a device (virtio-rng) into the key; the next output depends on it. */
void random_mix(const void *buf, size_t n);
void random_bytes(void *buf, size_t n);
u64 random_u64(void);
