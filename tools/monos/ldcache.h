/* A small /etc/ld.so.cache for the guest, in glibc's format, listing only the libraries
 * its ld.so would not find in its built-in directories (e.g. those the host found in
 * /usr/local/lib through /etc/ld.so.conf). */
#ifndef MONOS_LDCACHE_H
#define MONOS_LDCACHE_H

#include <stddef.h>

/* The cache file ("glibc-ld.so.cache1.1", little-endian, no hwcaps extension) mapping
 * NAMES[i] to PATHS[i]; malloc'ed, *len bytes. */
char *ldcache_build(char *const *names, char *const *paths, size_t n, size_t *len);

/* glibc's _dl_cache_libcmp: compares runs of digits as numbers ("libfoo.so.10" after
 * "libfoo.so.9"). The cache is sorted by it, descending. */
int ldcache_libcmp(const char *a, const char *b);

#endif
