/* lwIP's port header for the monos kernel: freestanding types from the kernel's own headers,
 * diagnostics through kprintf and panic, random numbers from the kernel's generator. */
#pragma once
#include "types.h"
#include "core/log.h"
#include "core/random.h"

/* GCC's freestanding headers give stddef, stdint and limits; the kernel has no inttypes, ctype
 * or unistd, so lwIP defines its own formats and character classes. ssize_t is the kernel's. */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_UNISTD_H 1
#define LWIP_NO_LIMITS_H 1   /* GCC's limits.h wants the C library's */
#define SSIZE_MAX __LONG_MAX__
#define X8_F  "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "lu"

#define BYTE_ORDER LITTLE_ENDIAN
#define LWIP_PLATFORM_DIAG(x) do { kprintf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) panic("lwIP assertion \"%s\" failed at %s:%d", x, __FILE__, __LINE__)
#define LWIP_RAND() ((u32_t)random_u64())
