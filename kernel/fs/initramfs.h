/* The root filesystem image: a cpio (newc) archive read in place from the initrd's pages. */
#pragma once
#include "types.h"

struct initramfs_file {
	const char *name;   /* without leading "/" or "./" */
	size_t name_len;
	const u8 *data;
	u64 size;
	u32 mode;
};

/* Indexes the archive; false (with a message) when it is malformed. */
bool initramfs_init(const u8 *base, u64 size);
/* Looks up an absolute or relative path; NULL when absent. */
const struct initramfs_file *initramfs_lookup(const char *path);
