/*
 * elf_load.c: the executable's segments as the ELF loader must map them.
 * .data holds its initial values; .bss, including the tail of the last
 * page that also holds .data (between _edata and the page end, which the
 * file may fill with other bytes), reads as zero; .text and .rodata are not
 * writable; .data and .bss are. Whether the kernel may write a page is
 * probed with getrandom(2), which fails with EFAULT on a read-only page.
 */
// also: glibc-static-pie
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

/* Linker-script symbols: the end of .data (file-backed) and of .bss. */
extern char _edata[], end[];
extern const Elf64_Ehdr __ehdr_start;

#define NDATA 5000
static int data_array[NDATA] = { [0] = 1, [1] = 2, [NDATA / 2] = 3, [NDATA - 1] = 4 };
static volatile long data_scalar = 0x1122334455667788;
static char bss_array[3 * 4096 + 123];
static const char rodata_array[8192] = "read-only data";

int main(void);

static int kernel_can_write(void *p)
{
	return syscall(SYS_getrandom, p, 8, 0) == 8;
}

static const Elf64_Phdr *phdrs(void)
{
	return (const Elf64_Phdr *)((const char *)&__ehdr_start + __ehdr_start.e_phoff);
}

static void contents(void)
{
	check(data_array[0] == 1 && data_array[1] == 2 && data_array[NDATA / 2] == 3 &&
		      data_array[NDATA - 1] == 4 && data_array[NDATA - 2] == 0,
	      "data_initialized", "data_array = {%d, %d, .., %d, .., %d}", data_array[0],
	      data_array[1], data_array[NDATA / 2], data_array[NDATA - 1]);
	check(data_scalar == 0x1122334455667788, "data_scalar", "0x%lx",
	      (unsigned long)data_scalar);
	check(strcmp(rodata_array, "read-only data") == 0, "rodata_contents",
	      "\"%.20s\"", rodata_array);

	/*
	 * .bss is zero. libc has written its own .bss variables by now, so
	 * only this program's are checked; the linker puts them first, just
	 * after _edata, in the page whose start holds the end of .data.
	 */
	size_t n = sizeof(bss_array), bad = n;
	for (size_t i = 0; i < n; i++)
		if (bss_array[i]) {
			bad = i;
			break;
		}
	check(bad == n, "bss_zero", "bss_array[%zu] (at _edata+%ld) is 0x%02x", bad,
	      (long)(bss_array + bad - _edata), bad < n ? (unsigned char)bss_array[bad] : 0);
	check(bss_array - _edata < 4096, "bss_array_near_edata",
	      "bss_array at _edata+%ld: the check above misses the page after .data",
	      (long)(bss_array - _edata));

	/* The rest of the page after the end of .bss is zero too (Linux maps it anonymous). */
	uintptr_t page_end = ((uintptr_t)end + 4095) & ~4095ul;
	int tail_zero = 1;
	for (const unsigned char *q = (const unsigned char *)end; (uintptr_t)q < page_end; q++)
		tail_zero &= *q == 0;
	check(tail_zero, "bss_page_tail_zero", "bytes after end of .bss are not zero");
}

static void permissions(void)
{
	check(!kernel_can_write((void *)rodata_array), "rodata_read_only",
	      "getrandom wrote into .rodata");
	check(!kernel_can_write((void *)&main), "text_read_only",
	      "getrandom wrote into .text");
	check(kernel_can_write(data_array + 8), "data_writable", "cannot write .data: %s",
	      errno_name(errno));
	check(kernel_can_write(bss_array + sizeof(bss_array) - 8), "bss_writable",
	      "cannot write .bss: %s", errno_name(errno));
	bss_array[0] = 1;
	data_array[3] = 7;
	check(bss_array[0] == 1 && data_array[3] == 7, "stores_stick", "stores lost");

	/* Each PT_LOAD without PF_W really is read-only; with PF_W, writable. */
	uintptr_t bias = __ehdr_start.e_type == ET_DYN ? (uintptr_t)&__ehdr_start : 0;
	const Elf64_Phdr *ph = phdrs();
	int ok = 1;
	char why[160] = "";
	for (int i = 0; i < __ehdr_start.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz < 8)
			continue;
		/* Probe the last 8 bytes of the segment's file part (or memory). */
		uintptr_t at = bias + ph[i].p_vaddr +
			       (ph[i].p_filesz >= 8 ? ph[i].p_filesz : ph[i].p_memsz) - 8;
		unsigned char save[8];
		memcpy(save, (void *)at, 8);
		int w = kernel_can_write((void *)at);
		if (w)
			memcpy((void *)at, save, 8);
		if (w != !!(ph[i].p_flags & PF_W)) {
			ok = 0;
			snprintf(why, sizeof(why), "PT_LOAD %d at 0x%lx (flags %x): %s", i,
				 (unsigned long)(bias + ph[i].p_vaddr), ph[i].p_flags,
				 w ? "writable" : "not writable");
			break;
		}
	}
	check(ok, "segment_permissions", "%s", why);
}

int main(void)
{
	check_init("elf_load");
	contents();
	permissions();
	return check_done();
}
