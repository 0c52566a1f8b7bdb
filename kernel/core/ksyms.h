/* Kernel symbol lookup for backtraces. The table is generated from the first link of the kernel
 * and linked into the second (kernel/kernel.mk). */
#pragma once
#include "types.h"

const char *ksym_lookup(u64 addr, u64 *offset);
