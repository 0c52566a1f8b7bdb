/* The root filesystem image: a cpio (newc) archive read in place from the initrd's pages. */
#pragma once
#include "types.h"

struct initramfs_file {
	const char *name;   /* without leading "/" or "./" */
	size_t name_len;
	const u8 *data;
	u64 size;
	u32 mode;
	u32 uid, gid;
	u64 mtime;          /* seconds since the epoch */
	u32 rdev_major, rdev_minor;
};

/* Indexes the archive; false (with a message) when it is malformed. */
bool initramfs_init(const u8 *base, u64 size);
/* The entries in archive order. */
size_t initramfs_count(void);
const struct initramfs_file *initramfs_entry(size_t i);
/* Looks up an absolute or relative path; NULL when absent. */
const struct initramfs_file *initramfs_lookup(const char *path);
