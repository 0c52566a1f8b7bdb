/* Parses the newc archive once into a table of entries that point into the archive itself: no
 * file data is copied, so boot cost does not grow with the image's contents, only with its number
 * of entries. Hard links and device nodes are not interpreted yet (the VFS issue). */
#include "fs/initramfs.h"
#include "mm/kheap.h"
#include "core/log.h"
#include "lib/string.h"

#define NEWC_HEADER 110

static struct initramfs_file *files;
static size_t nfiles;

static bool hex8(const u8 *p, u32 *out)
{
	u32 v = 0;
	for (int i = 0; i < 8; i++) {
		u8 c = p[i];
		u32 d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

static const char *strip_prefix(const char *name, size_t *len)
{
	while (*len && (name[0] == '/' || (name[0] == '.' && (*len == 1 || name[1] == '/')))) {
		name++;
		(*len)--;
	}
	return name;
}

/* One pass to count, one to fill: the archive is walked twice but never copied. */
static bool walk(const u8 *base, u64 size, bool fill)
{
	u64 off = 0;
	size_t n = 0;
	for (;;) {
		if (off + NEWC_HEADER > size)
			return false;
		const u8 *h = base + off;
		if (memcmp(h, "070701", 6) != 0 && memcmp(h, "070702", 6) != 0)
			return false;
		u32 f[13];
		for (int i = 0; i < 13; i++)
			if (!hex8(h + 6 + i * 8, &f[i]))
				return false;
		u32 mode = f[1], filesize = f[6], namesize = f[11];
		u64 name_off = off + NEWC_HEADER;
		if (namesize == 0 || name_off + namesize > size)
			return false;
		const char *name = (const char *)base + name_off;
		u64 data_off = ALIGN_UP(name_off + namesize, 4);
		if (data_off + filesize > size)
			return false;
		/* A name ends at its first NUL: writers pad the field with NULs to align file data. */
		size_t name_len = strnlen(name, namesize);
		if (name_len == 10 && memcmp(name, "TRAILER!!!", 10) == 0)
			break;
		if (fill) {
			size_t len = name_len;
			const char *clean = strip_prefix(name, &len);
			files[n] = (struct initramfs_file){ clean, len, base + data_off, filesize, mode,
							    f[2], f[3], f[5], f[9], f[10] };
		}
		n++;
		off = ALIGN_UP(data_off + filesize, 4);
	}
	if (!fill) {
		nfiles = n;
		files = kzalloc(sizeof(*files) * (n ? n : 1));
	}
	return files != NULL;
}

bool initramfs_init(const u8 *base, u64 size)
{
	if (!walk(base, size, false) || !walk(base, size, true)) {
		kerr("monos: the initramfs is not a valid cpio (newc) archive\n");
		return false;
	}
	kprintf("initramfs: %lu entries, %lu bytes\n", nfiles, size);
	return true;
}

const struct initramfs_file *initramfs_lookup(const char *path)
{
	size_t len = strlen(path);
	path = strip_prefix(path, &len);
	/* Later entries win, as when the kernel unpacks an archive over itself. */
	for (size_t i = nfiles; i-- > 0;)
		if (files[i].name_len == len && memcmp(files[i].name, path, len) == 0)
			return &files[i];
	return NULL;
}

size_t initramfs_count(void)
{
	return nfiles;
}

const struct initramfs_file *initramfs_entry(size_t i)
{
	return i < nfiles ? &files[i] : NULL;
}
