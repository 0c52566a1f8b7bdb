/* SHA-256 (FIPS 180-4), for the image cache key: the cache must never hand out an image
 * built from other inputs, so the key is a cryptographic hash, not a fast one. */
#ifndef MONOS_SHA256_H
#define MONOS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_SIZE 32

struct sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	unsigned char buf[64];
	size_t nbuf;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
void sha256_final(struct sha256 *s, unsigned char out[SHA256_SIZE]);
/* out: 64 lowercase hex digits and a NUL. */
void sha256_hex(const unsigned char digest[SHA256_SIZE], char out[2 * SHA256_SIZE + 1]);

#endif
