/* Kernel library code compiled for the host: the formatter, the string routines and the
 * initramfs parser (cross-checked against the host tool's cpio writer, so the two sides of the
 * image format agree). The kernel objects are linked with every symbol prefixed "k_"
 * (kernel/kernel.mk), so they cannot collide with the C library. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "check.h"
#include "cpio.h"

int k_snprintf(char *buf, size_t size, const char *fmt, ...);
int k_strcmp(const char *a, const char *b);
size_t k_strnlen(const char *s, size_t max);
void *k_memmove(void *dst, const void *src, size_t n);
_Bool k_parse_u64(const char *s, size_t len, uint64_t *out);

struct k_initramfs_file {
	const char *name;
	size_t name_len;
	const uint8_t *data;
	uint64_t size;
	uint32_t mode;
};
_Bool k_initramfs_init(const uint8_t *base, uint64_t size);
const struct k_initramfs_file *k_initramfs_lookup(const char *path);

/* What the parser needs from the rest of the kernel. */
void *k_kzalloc(size_t n) { return calloc(1, n); }
void k_kprintf(const char *fmt, ...) { (void)fmt; }
void k_kerr(const char *fmt, ...) { (void)fmt; }

static void format_cases(void)
{
	char buf[64];
#define FMT(name, want, ...)                                                             \
	do {                                                                             \
		int n = k_snprintf(buf, sizeof(buf), __VA_ARGS__);                        \
		check("klib.format_" name, strcmp(buf, want) == 0 && n == (int)strlen(want), \
		      "got \"%s\" (%d), want \"%s\"", buf, n, want);                     \
	} while (0)
	FMT("int", "-42", "%d", -42);
	FMT("long_min", "-9223372036854775808", "%ld", (long)INT64_MIN);
	FMT("unsigned", "4294967295", "%u", 4294967295u);
	FMT("hex", "deadbeef", "%lx", 0xdeadbeefUL);
	FMT("hex_upper", "DEADBEEF", "%X", 0xdeadbeefu);
	FMT("zero_pad", "000042", "%06d", 42);
	FMT("neg_zero_pad", "-00042", "%06d", -42);
	FMT("left", "ab   |", "%-5s|", "ab");
	FMT("width", "   ab", "%5s", "ab");
	FMT("precision", "abc", "%.3s", "abcdef");
	FMT("pointer", "0x1000", "%p", (void *)0x1000);
	FMT("char_percent", "x%", "%c%%", 'x');
	FMT("null_string", "(null)", "%s", (char *)NULL);
	int n = k_snprintf(buf, 4, "%s", "abcdef");
	check("klib.format_truncates", n == 6 && strcmp(buf, "abc") == 0,
	      "got \"%s\" and %d, want \"abc\" and 6", buf, n);
}

static void string_cases(void)
{
	char b[16] = "abcdefgh";
	k_memmove(b + 2, b, 6);
	check("klib.memmove_overlap_up", memcmp(b, "ababcdef", 8) == 0, "got %.8s", b);
	strcpy(b, "abcdefgh");
	k_memmove(b, b + 2, 6);
	check("klib.memmove_overlap_down", memcmp(b, "cdefghgh", 8) == 0, "got %.8s", b);
	check("klib.strcmp_order", k_strcmp("a", "b") < 0 && k_strcmp("b", "a") > 0 &&
	      k_strcmp("ab", "ab") == 0 && k_strcmp("a", "ab") < 0, "wrong ordering");
	check("klib.strnlen_bounded", k_strnlen("abcdef", 3) == 3 && k_strnlen("ab", 9) == 2,
	      "wrong length");
	uint64_t v = 0;
	check("klib.parse_decimal", k_parse_u64("1000000", 7, &v) && v == 1000000, "got %lu",
	      (unsigned long)v);
	check("klib.parse_hex", k_parse_u64("0xfF", 4, &v) && v == 255, "got %lu",
	      (unsigned long)v);
	check("klib.parse_rejects_junk", !k_parse_u64("12a", 3, &v) && !k_parse_u64("", 0, &v),
	      "accepted junk");
	check("klib.parse_rejects_overflow", !k_parse_u64("18446744073709551616", 20, &v),
	      "accepted 2^64");
}

static void initramfs_cases(void)
{
	char path[] = "/tmp/monos-klib-XXXXXX";
	int fd = mkstemp(path);
	if (!check("klib.initramfs_tmpfile", fd >= 0, "mkstemp failed"))
		return;
	unlink(path);
	struct cpio_writer w;
	cpio_init(&w, fd, 4096);
	static const char big[10000] = { 'x' };
	int err = cpio_add_dir(&w, "/bin", 0755, 0);
	err = err ? err : cpio_add_file(&w, "/bin/hello", 0755, 0, "ELF!", 4);
	err = err ? err : cpio_add_file(&w, "/.monos/manifest", 0644, 0, "exe=/bin/hello", 15);
	err = err ? err : cpio_add_file(&w, "/big", 0644, 0, big, sizeof(big));
	err = err ? err : cpio_add_file(&w, "/empty", 0644, 0, "", 0);
	err = err ? err : cpio_finish(&w);
	if (!check("klib.initramfs_write", err == 0, "cpio writer: %s", strerror(-err)))
		return;
	off_t size = lseek(fd, 0, SEEK_END);
	const uint8_t *img = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (!check("klib.initramfs_map", img != MAP_FAILED, "mmap failed"))
		return;
	check("klib.initramfs_parse", k_initramfs_init(img, size), "the kernel rejected it");
	const struct k_initramfs_file *f = k_initramfs_lookup("/bin/hello");
	check("klib.initramfs_lookup", f && f->size == 4 && memcmp(f->data, "ELF!", 4) == 0 &&
	      S_ISREG(f->mode), "/bin/hello not found or wrong");
	check("klib.initramfs_page_aligned", f && ((f->data - img) % 4096) == 0,
	      "file data at archive offset %ld", f ? (long)(f->data - img) : -1L);
	f = k_initramfs_lookup("big");
	check("klib.initramfs_relative_name", f && f->size == sizeof(big) && f->data[0] == 'x',
	      "big not found by a relative name");
	f = k_initramfs_lookup("/bin");
	check("klib.initramfs_dir", f && S_ISDIR(f->mode), "/bin is not a directory");
	f = k_initramfs_lookup("/empty");
	check("klib.initramfs_empty_file", f && f->size == 0, "/empty missing");
	check("klib.initramfs_absent", !k_initramfs_lookup("/bin/hell"), "found a missing file");
	uint8_t junk[512] = "070701zzzz";
	check("klib.initramfs_rejects_junk", !k_initramfs_init(junk, sizeof(junk)),
	      "accepted a corrupt header");
	check("klib.initramfs_rejects_truncated", !k_initramfs_init(img, 200),
	      "accepted a truncated archive");
	close(fd);
}

int main(void)
{
	format_cases();
	string_cases();
	initramfs_cases();
	return check_exit();
}
