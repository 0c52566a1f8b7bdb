/* glibc's ld.so.cache, new format only (sysdeps/generic/dl-cache.h, glibc >= 2.32 writes
 * nothing else): a 48-byte header, 24-byte entries sorted for ld.so's binary search
 * (descending by _dl_cache_libcmp), then the strings. String offsets count from the start
 * of the file. Flags 0x0303 = FLAG_ELF_LIBC6 | FLAG_X8664_LIB64, what ld.so accepts on
 * x86-64 (_dl_cache_check_flags); hwcap 0: an ordinary entry, no glibc-hwcaps subdirectory. */
#define _GNU_SOURCE
#include "ldcache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAGIC		"glibc-ld.so.cache" "1.1"	/* 17 + 3 bytes, no NUL */
#define HEADER_SIZE	48
#define ENTRY_SIZE	24
#define FLAGS_X86_64	0x0303
#define ENDIAN_LITTLE	2

int ldcache_libcmp(const char *p1, const char *p2)
{
	while (*p1) {
		if (*p1 >= '0' && *p1 <= '9') {
			if (*p2 >= '0' && *p2 <= '9') {
				int v1 = *p1++ - '0', v2 = *p2++ - '0';
				while (*p1 >= '0' && *p1 <= '9')
					v1 = v1 * 10 + *p1++ - '0';
				while (*p2 >= '0' && *p2 <= '9')
					v2 = v2 * 10 + *p2++ - '0';
				if (v1 != v2)
					return v1 - v2;
			} else {
				return 1;
			}
		} else if (*p2 >= '0' && *p2 <= '9') {
			return -1;
		} else if (*p1 != *p2) {
			return *p1 - *p2;
		} else {
			p1++;
			p2++;
		}
	}
	return *p1 - *p2;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

char *ldcache_build(char *const *names, char *const *paths, size_t n, size_t *len)
{
	/* Sort indices: descending by libcmp; equal names keep their order (the first found
	 * wins in ld.so, which takes the first match). Insertion sort: n is small. */
	size_t *ord = xmalloc((n ? n : 1) * sizeof(*ord));
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		while (j > 0 && ldcache_libcmp(names[ord[j - 1]], names[i]) < 0) {
			ord[j] = ord[j - 1];
			j--;
		}
		ord[j] = i;
	}
	size_t strings = 0;
	for (size_t i = 0; i < n; i++)
		strings += strlen(names[i]) + 1 + strlen(paths[i]) + 1;
	size_t total = HEADER_SIZE + n * ENTRY_SIZE + strings;
	unsigned char *buf = xmalloc(total);
	memset(buf, 0, HEADER_SIZE + n * ENTRY_SIZE);
	memcpy(buf, MAGIC, 20);
	put32(buf + 20, n);
	put32(buf + 24, strings);
	buf[28] = ENDIAN_LITTLE;
	/* extension_offset (32) stays 0: no extension directory. */
	size_t s = HEADER_SIZE + n * ENTRY_SIZE;
	for (size_t k = 0; k < n; k++) {
		unsigned char *e = buf + HEADER_SIZE + k * ENTRY_SIZE;
		size_t i = ord[k];
		put32(e, FLAGS_X86_64);
		put32(e + 4, s);
		memcpy(buf + s, names[i], strlen(names[i]) + 1);
		s += strlen(names[i]) + 1;
		put32(e + 8, s);
		memcpy(buf + s, paths[i], strlen(paths[i]) + 1);
		s += strlen(paths[i]) + 1;
		/* osversion (12) and hwcap (16) stay 0 */
	}
	free(ord);
	*len = total;
	return (char *)buf;
}
