/* The kernel's random numbers (getrandom, AT_RANDOM, ASLR). */
#pragma once
#include "types.h"

void random_init(void);
void random_bytes(void *buf, size_t n);
u64 random_u64(void);
