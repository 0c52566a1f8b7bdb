/* A cpio "newc" writer (Linux's Documentation/driver-api/early-userspace/buffer-format.rst)
 * with page-aligned file data: the kernel maps initramfs file pages in place, so every
 * regular file's data must begin on a data_align boundary of the archive.
 *
 * How the alignment is made, staying valid for Linux's unpacker and GNU cpio:
 *  - The name field of the file's own entry is padded with NULs (c_namesize counts them).
 *    Readers take the name as a C string, so "usr/bin/x\0\0\0..." names usr/bin/x; Linux
 *    only requires the last byte of the field to be NUL and the field to be <= PATH_MAX.
 *    dracut-cpio --data-align does the same.
 *  - When that alone cannot reach the boundary (the name field would exceed PATH_MAX),
 *    filler entries come first: directory entries named "." (the archive root, which
 *    exists already), their name fields NUL-padded to the size needed.
 * So a reader must take each name up to its first NUL, and may meet "." more than once. */
#define _GNU_SOURCE
#include "cpio.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define FILLER_NAME	"."
#define ARCHIVE_BLOCK	512

static const char zeros[4096];

void cpio_init(struct cpio_writer *w, int fd, uint32_t data_align)
{
	w->fd = fd;
	w->off = 0;
	w->next_ino = 1;
	w->data_align = data_align < 4 ? 4 : data_align;
	w->now = time(NULL);
}

/* Size of header plus name field, padded to 4 as the format requires. */
static uint64_t head_size(size_t namesize)
{
	return (CPIO_HEADER_SIZE + namesize + 3) & ~(uint64_t)3;
}

static int put(struct cpio_writer *w, const void *buf, size_t n)
{
	int err = write_all(w->fd, buf, n);
	if (err)
		return err;
	w->off += n;
	return 0;
}

static int pad_to(struct cpio_writer *w, uint64_t align)
{
	size_t n = (align - w->off % align) % align;
	while (n) {
		size_t k = n < sizeof(zeros) ? n : sizeof(zeros);
		int err = put(w, zeros, k);
		if (err)
			return err;
		n -= k;
	}
	return 0;
}

/* Writes the header and a name field of NAMESIZE bytes (the name, then NULs), padded to 4. */
static int put_head(struct cpio_writer *w, const char *name, size_t namesize, mode_t mode,
		    uint32_t nlink, time_t mtime, uint64_t filesize)
{
	char buf[CPIO_HEADER_SIZE + CPIO_NAME_MAX + 4];
	size_t len = strlen(name);

	if (namesize > CPIO_NAME_MAX || namesize < len + 1)
		return -ENAMETOOLONG;
	if (filesize > 0xffffffffu)
		return -EFBIG;		/* c_filesize has 8 hex digits */
	if (mtime < 0)
		mtime = 0;
	if ((uint64_t)mtime > 0xffffffffu)
		mtime = 0xffffffff;

	int n = snprintf(buf, sizeof(buf),
			 "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
			 w->next_ino++, (unsigned)mode, 0u, 0u, nlink, (unsigned)mtime,
			 (unsigned)filesize, 0u, 0u, 0u, 0u, (unsigned)namesize, 0u);
	if (n != CPIO_HEADER_SIZE)
		return -EINVAL;
	memcpy(buf + n, name, len);
	size_t total = head_size(namesize);
	memset(buf + n + len, 0, total - n - len);
	return put(w, buf, total);
}

static const char *archive_name(const char *name)
{
	while (*name == '/')
		name++;
	return *name ? name : ".";
}

int cpio_add_dir(struct cpio_writer *w, const char *name, mode_t mode, time_t mtime)
{
	name = archive_name(name);
	return put_head(w, name, strlen(name) + 1, S_IFDIR | (mode & 07777), 2, mtime, 0);
}

int cpio_add_symlink(struct cpio_writer *w, const char *name, const char *target, time_t mtime)
{
	name = archive_name(name);
	size_t tlen = strlen(target);
	int err = put_head(w, name, strlen(name) + 1, S_IFLNK | 0777, 1, mtime, tlen);
	if (!err)
		err = put(w, target, tlen);
	if (!err)
		err = pad_to(w, 4);
	return err;
}

/* Filler entries totalling exactly SIZE bytes (a multiple of 4, >= head_size(2)). */
static int put_fillers(struct cpio_writer *w, uint64_t size)
{
	const uint64_t fmax = CPIO_HEADER_SIZE + (CPIO_NAME_MAX - 2);	/* 4204: exact, no pad */
	uint64_t count = (size + fmax - 1) / fmax;

	for (; count; count--) {
		/* Split evenly, in multiples of 4, so each part stays between min and max. */
		uint64_t part = (size / 4 + count - 1) / count * 4;
		int err = put_head(w, FILLER_NAME, part - CPIO_HEADER_SIZE, S_IFDIR | 0755, 2,
				   w->now, 0);
		if (err)
			return err;
		size -= part;
	}
	return 0;
}

/* Writes the head of a regular file entry so that its data starts on data_align. */
static int put_file_head(struct cpio_writer *w, const char *name, mode_t mode, time_t mtime,
			 uint64_t size)
{
	size_t ns = strlen(name) + 1;
	mode = S_IFREG | (mode & 07777);

	if (size == 0 || w->data_align <= 4)
		return put_head(w, name, ns, mode, 1, mtime, size);
	if (ns > CPIO_NAME_MAX)
		return -ENAMETOOLONG;

	/* gap: from here to the first boundary that leaves room for this entry's head. */
	const uint64_t a = w->data_align;
	uint64_t gap = (a - w->off % a) % a;
	while (gap < head_size(ns))
		gap += a;

	/* The name field alone can absorb the gap: namesize = gap - 110 (the head is then
	 * exactly gap bytes), or 4096 when gap is the padded size of a 4096-byte field. */
	uint64_t want = gap - CPIO_HEADER_SIZE;
	if (want > CPIO_NAME_MAX && head_size(CPIO_NAME_MAX) == gap)
		want = CPIO_NAME_MAX;
	if (want <= CPIO_NAME_MAX)
		return put_head(w, name, want, mode, 1, mtime, size);

	/* Fillers take the rest; they cannot be smaller than a "." entry. */
	uint64_t fill = gap - head_size(ns);
	if (fill < head_size(sizeof(FILLER_NAME)))
		fill += a;
	int err = put_fillers(w, fill);
	if (err)
		return err;
	return put_head(w, name, ns, mode, 1, mtime, size);
}

int cpio_add_file(struct cpio_writer *w, const char *name, mode_t mode, time_t mtime,
		  const void *data, uint64_t size)
{
	int err = put_file_head(w, archive_name(name), mode, mtime, size);
	if (!err)
		err = put(w, data, size);
	if (!err)
		err = pad_to(w, 4);
	return err;
}

/* Copies with copy_file_range (a reflink on btrfs/XFS, an in-kernel copy elsewhere; the
 * data is block-aligned in the archive so reflinks can apply), else read/write. */
static int copy_data(struct cpio_writer *w, int fd, uint64_t off, uint64_t size)
{
	static char buf[1 << 17];
	bool use_cfr = true;

	while (size) {
		size_t chunk = size < (1u << 30) ? size : (1u << 30);
		ssize_t n;
		if (use_cfr) {
			loff_t in = off;
			n = copy_file_range(fd, &in, w->fd, NULL, chunk, 0);
			/* Not supported for this pair of files: fall back. A real I/O
			 * error recurs with read/write and is reported there. */
			if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
				      errno == EOPNOTSUPP || errno == EBADF)) {
				use_cfr = false;
				continue;
			}
		} else {
			n = pread(fd, buf, chunk < sizeof(buf) ? chunk : sizeof(buf), off);
			if (n > 0) {
				int err = write_all(w->fd, buf, n);
				if (err)
					return err;
			}
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;	/* the file is shorter than it was */
		off += n;
		size -= n;
		w->off += n;
	}
	return 0;
}

int cpio_add_file_fd(struct cpio_writer *w, const char *name, mode_t mode, time_t mtime,
		     int fd, uint64_t off, uint64_t size)
{
	int err = put_file_head(w, archive_name(name), mode, mtime, size);
	if (!err)
		err = copy_data(w, fd, off, size);
	if (!err)
		err = pad_to(w, 4);
	return err;
}

int cpio_finish(struct cpio_writer *w)
{
	int err = put_head(w, "TRAILER!!!", sizeof("TRAILER!!!"), 0, 1, 0, 0);
	if (!err)
		err = pad_to(w, ARCHIVE_BLOCK);
	return err;
}

int64_t cpio_find_trailer(int fd, uint64_t size)
{
	/* The trailer's head is 124 bytes (110 + "TRAILER!!!" + NUL, padded to 4), then
	 * zeros up to the next 512-byte boundary: it starts in the last 636 bytes. */
	char buf[1024];
	uint64_t from = size > sizeof(buf) ? size - sizeof(buf) : 0;
	size_t n = size - from;
	for (size_t got = 0; got < n; ) {
		ssize_t k = pread(fd, buf + got, n - got, from + got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EINVAL;
		got += k;
	}
	for (size_t i = n >= CPIO_HEADER_SIZE + 11 ? n - CPIO_HEADER_SIZE - 11 + 1 : 0; i-- > 0; ) {
		if ((from + i) % 4 == 0 && memcmp(buf + i, "070701", 6) == 0 &&
		    memcmp(buf + i + CPIO_HEADER_SIZE, "TRAILER!!!", 11) == 0) {
			for (size_t z = i + CPIO_HEADER_SIZE + 11; z < n; z++)
				if (buf[z])
					return -EINVAL;
			return (int64_t)(from + i);
		}
	}
	return -EINVAL;
}

int cpio_copy_prefix(struct cpio_writer *w, int in, uint64_t size)
{
	return copy_data(w, in, 0, size);
}
