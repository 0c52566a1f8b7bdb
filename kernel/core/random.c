/* ChaCha20 as a generator, keyed at boot from RDSEED/RDRAND when the CPU has them, else from TSC
 * readings around port I/O (timing jitter; weak under -icount, where runs are meant to repeat).
 * After each request the key is replaced from the stream, so past output cannot be recomputed. */
#include "core/random.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

static u32 key[8];
static u64 counter;

#define ROTL(a, b) (((a) << (b)) | ((a) >> (32 - (b))))
#define QR(a, b, c, d) \
	(a += b, d ^= a, d = ROTL(d, 16), c += d, b ^= c, b = ROTL(b, 12), \
	 a += b, d ^= a, d = ROTL(d, 8), c += d, b ^= c, b = ROTL(b, 7))

static void chacha_block(u32 out[16])
{
	u32 in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	memcpy(&in[4], key, 32);
	in[12] = (u32)counter;
	in[13] = (u32)(counter >> 32);
	counter++;
	u32 x[16];
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		out[i] = x[i] + in[i];
}

void random_init(void)
{
	for (int i = 0; i < 4; i++) {
		u64 v;
		if (!rdseed64(&v) && !rdrand64(&v)) {
			v = rdtsc();
			for (int j = 0; j < 64; j++) {
				(void)inb(0x80);
				v = (v << 7 | v >> 57) ^ rdtsc();
			}
		}
		key[i * 2] ^= (u32)v;
		key[i * 2 + 1] ^= (u32)(v >> 32);
	}
}

static void rekey(void)
{
	u32 block[16];
	chacha_block(block);
	memcpy(key, block, sizeof(key));
}

void random_mix(const void *buf, size_t n)
{
	const u8 *p = buf;
	for (size_t i = 0; i < n; i++)
		((u8 *)key)[i % sizeof(key)] ^= p[i];
	rekey();
}

void random_bytes(void *buf, size_t n)
{
	u8 *p = buf;
	u32 block[16];
	while (n) {
		chacha_block(block);
		size_t take = MIN(n, sizeof(block));
		memcpy(p, block, take);
		p += take;
		n -= take;
	}
	rekey();
}

u64 random_u64(void)
{
	u64 v;
	random_bytes(&v, sizeof(v));
	return v;
}
