/* A writer for cpio "newc" archives (the initramfs format), which can place every regular
 * file's data on a page boundary of the archive so that the kernel can map it in place.
 * Functions return 0 or -errno and print nothing; the caller knows the context. */
#ifndef MONOS_CPIO_H
#define MONOS_CPIO_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define CPIO_HEADER_SIZE 110
/* Longest name field (with its NUL) Linux's unpacker accepts: PATH_MAX. Entries with
 * longer names are silently skipped by it, so the writer refuses them. */
#define CPIO_NAME_MAX 4096

struct cpio_writer {
	int fd;			/* written sequentially from its current position */
	uint64_t off;		/* bytes written so far */
	uint32_t next_ino;
	uint32_t data_align;	/* power of two >= 4; 4 means no extra alignment */
	time_t now;		/* mtime of filler entries */
};

/* data_align: 4096 to start each regular file's data on a page boundary, 4 for none. */
void cpio_init(struct cpio_writer *w, int fd, uint32_t data_align);

/* NAME is the path in the archive; leading slashes are dropped ("/usr/bin" is stored as
 * "usr/bin", as GNU cpio and Linux's gen_init_cpio do). Permission bits come from mode. */
int cpio_add_dir(struct cpio_writer *w, const char *name, mode_t mode, time_t mtime);
int cpio_add_file(struct cpio_writer *w, const char *name, mode_t mode, time_t mtime,
		  const void *data, uint64_t size);
/* Copies SIZE bytes of FD from offset OFF (the fd's position is not used); -EIO when the
 * file ends early. */
int cpio_add_file_fd(struct cpio_writer *w, const char *name, mode_t mode, time_t mtime,
		     int fd, uint64_t off, uint64_t size);
int cpio_add_symlink(struct cpio_writer *w, const char *name, const char *target, time_t mtime);
/* Writes the TRAILER!!! entry and pads the archive to a multiple of 512 bytes. */
int cpio_finish(struct cpio_writer *w);

/* Finds the TRAILER!!! entry that ends the archive in FD (SIZE bytes), as this writer puts
 * it, so that entries can be appended in its place: its offset, or -errno (-EINVAL when
 * the end of the file is not a trailer). */
int64_t cpio_find_trailer(int fd, uint64_t size);

/* Copies SIZE bytes of IN from offset 0 to the writer's file, as archive bytes already
 * written (w->off grows): the start of an existing archive to append to. */
int cpio_copy_prefix(struct cpio_writer *w, int in, uint64_t size);

#endif
