/* snprintf for the kernel: %d %i %u %o %x %X %p %s %c %%, with l/ll/z/h length, width, '-', '0'. */
#pragma once
#include "types.h"

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
