/* <stdlib.h> for lwIP's sources: memory comes from the kernel heap (mem_clib_malloc in
 * lwipopts.h); netif_find parses an interface number with atoi. */
#pragma once
#include "mm/kheap.h"

static inline int atoi(const char *s)
{
	int n = 0;
	bool neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	while (*s >= '0' && *s <= '9')
		n = n * 10 + (*s++ - '0');
	return neg ? -n : n;
}
