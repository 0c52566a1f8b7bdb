/* The kernel heap. */
#pragma once
#include "types.h"

void *kmalloc(size_t n);
void *kzalloc(size_t n);
void kfree(void *p);
