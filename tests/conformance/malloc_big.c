/*
 * malloc_big.c: a 200 MB allocation whose every page is touched and read
 * back, then calloc, realloc and many small blocks (which come from brk).
 * Run under monos with 512 MiB of guest memory.
 */
// monos-args: -m 512M
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MB (1024ul * 1024)

static void big(void)
{
	size_t n = 200 * MB;
	unsigned char *p = malloc(n);
	if (!check(p != NULL, "malloc_200mb", "malloc(%zu) returned NULL", n))
		return;
	for (size_t i = 0; i < n; i += 4096)
		*(uint64_t *)(p + i) = i * 0x9e3779b97f4a7c15ull;
	p[n - 1] = 0xab;
	size_t bad = 0;
	for (size_t i = 0; i < n && !bad; i += 4096)
		if (*(uint64_t *)(p + i) != i * 0x9e3779b97f4a7c15ull)
			bad = i ? i : 1;
	check(!bad && p[n - 1] == 0xab, "touch_every_page",
	      "page at offset %zu lost its value", bad);
	memset(p, 0x3c, n);
	check(p[0] == 0x3c && p[n / 2] == 0x3c && p[n - 1] == 0x3c, "memset_200mb",
	      "memset over 200 MB did not stick");
	free(p);

	/* Memory given back can be had again, and calloc's is zero. */
	unsigned char *q = calloc(100, MB);
	if (check(q != NULL, "calloc_100mb", "calloc returned NULL")) {
		int zero = 1;
		for (size_t i = 0; i < 100 * MB && zero; i += 512)
			zero = q[i] == 0;
		check(zero && q[100 * MB - 1] == 0, "calloc_zero", "calloc memory not zero");
		free(q);
	}
}

static void growth(void)
{
	size_t n = 1 * MB;
	unsigned char *p = malloc(n);
	for (size_t i = 0; p && i < n; i++)
		p[i] = (unsigned char)(i % 251);
	for (int step = 0; p && step < 6; step++) {
		n *= 2;
		unsigned char *r = realloc(p, n);
		if (!r) {
			free(p);
			p = NULL;
			break;
		}
		p = r;
	}
	int ok = p != NULL;
	for (size_t i = 0; ok && i < MB; i++)
		ok = p[i] == (unsigned char)(i % 251);
	check(ok, "realloc_keeps_data", "data lost growing 1 MB to 64 MB");
	free(p);
}

static void small(void)
{
	enum { N = 200000 };
	static void *blocks[N];
	int ok = 1;

	for (int i = 0; i < N && ok; i++) {
		size_t sz = 16 + (size_t)(i % 13) * 8;
		blocks[i] = malloc(sz);
		ok = blocks[i] != NULL;
		if (ok)
			memset(blocks[i], i & 0xff, sz);
	}
	for (int i = 0; i < N && ok; i++)
		ok = ((unsigned char *)blocks[i])[0] == (i & 0xff);
	check(ok, "small_blocks", "200000 small blocks not all intact");
	for (int i = 0; i < N; i += 2)
		free(blocks[i]);
	for (int i = 0; i < N && ok; i += 2) {
		blocks[i] = malloc(40);
		ok = blocks[i] != NULL;
	}
	for (int i = 1; i < N && ok; i += 2)
		ok = ((unsigned char *)blocks[i])[0] == (i & 0xff);
	check(ok, "small_blocks_reuse", "blocks corrupted after free and reuse");
	for (int i = 0; i < N; i++)
		free(blocks[i]);
}

int main(void)
{
	check_init("malloc_big");
	big();
	growth();
	small();
	return check_done();
}
