/* Freestanding string and memory routines (the compiler also emits calls to these). */
#pragma once
#include "types.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
bool str_starts_with(const char *s, const char *prefix);
/* Parses an unsigned decimal (or 0x-prefixed hex) number; returns false on junk or overflow. */
bool parse_u64(const char *s, size_t len, u64 *out);
