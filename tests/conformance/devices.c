/*
 * devices.c: the memory character devices every program may rely on:
 * /dev/null (discards, reads EOF), /dev/zero (reads zeros), /dev/full
 * (writes fail with ENOSPC), /dev/urandom and /dev/random (random bytes
 * without blocking), with their device numbers from
 * Documentation/admin-guide/devices.txt (major 1: 3 null, 5 zero, 7 full,
 * 8 random, 9 urandom).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

static void device_number(const char *name, const char *path, unsigned minor_nr)
{
	struct stat st;
	char check_name[64];

	snprintf(check_name, sizeof(check_name), "%s_is_char_1_%u", name, minor_nr);
	if (stat(path, &st) != 0) {
		fail(check_name, "stat(%s) failed with %s", path, errno_name(errno));
		return;
	}
	check(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == minor_nr,
	      check_name, "mode 0%o rdev %u:%u", (unsigned)st.st_mode, major(st.st_rdev),
	      minor(st.st_rdev));
}

static int all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void dev_null(void)
{
	char buf[64];
	struct stat st;

	device_number("null", "/dev/null", 3);
	check(stat("/dev/null", &st) == 0 && (st.st_mode & 0777) == 0666, "null_mode_0666",
	      "mode 0%o", (unsigned)(st.st_mode & 0777));
	int fd = open("/dev/null", O_RDWR);
	if (!check_ok("null_open", fd))
		return;
	check_eq("null_write", write(fd, "discarded", 9), 9);
	check_eq("null_write_big", write(fd, malloc(1 << 20), 1 << 20), 1 << 20);
	check_eq("null_read_eof", read(fd, buf, sizeof(buf)), 0);
	check_eq("null_pread_eof", pread(fd, buf, sizeof(buf), 100), 0);
	check_eq("null_lseek_zero", lseek(fd, 100, SEEK_SET), 0);
	struct stat fst;
	stat("/dev/null", &st);
	check(fstat(fd, &fst) == 0 && fst.st_rdev == st.st_rdev && S_ISCHR(fst.st_mode),
	      "null_fstat", "fstat disagrees with stat");
	errno = 0;
	check(isatty(fd) == 0 && errno == ENOTTY, "null_not_a_tty", "isatty %d errno %s",
	      isatty(fd), errno_name(errno));
	check_errno("null_ftruncate_einval", ftruncate(fd, 0), EINVAL);
	check_errno("null_mmap_enodev", (long)mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0),
		    ENODEV);
	close(fd);
	check_errno("null_as_dir_enotdir", open("/dev/null/x", O_RDONLY), ENOTDIR);
	/* O_TRUNC on a device is ignored, not an error. */
	fd = open("/dev/null", O_WRONLY | O_TRUNC);
	check_ok("null_o_trunc", fd);
	close(fd);
}

static void dev_zero(void)
{
	size_t big = 1 << 20;
	char *buf = malloc(big);

	device_number("zero", "/dev/zero", 5);
	int fd = open("/dev/zero", O_RDWR);
	if (!check_ok("zero_open", fd))
		return;
	memset(buf, 0xff, big);
	check_eq("zero_read", read(fd, buf, 4096), 4096);
	check(all_zero(buf, 4096) && (unsigned char)buf[4096] == 0xff, "zero_read_zeros",
	      "not zeros, or more than asked was written");
	memset(buf, 0xff, big);
	check_eq("zero_read_big", read(fd, buf, big), (long)big);
	check(all_zero(buf, big), "zero_read_big_zeros", "not all zero");
	check_eq("zero_write", write(fd, "x", 1), 1);
	check_eq("zero_lseek_zero", lseek(fd, 100, SEEK_SET), 0);
	memset(buf, 0xff, 64);
	check_eq("zero_pread", pread(fd, buf, 64, 12345), 64);
	char a[10], b[20];
	memset(a, 1, sizeof(a));
	memset(b, 1, sizeof(b));
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	check_eq("zero_readv", readv(fd, iov, 2), 30);
	check(all_zero(a, sizeof(a)) && all_zero(b, sizeof(b)), "zero_readv_zeros", "not zero");
	close(fd);
	free(buf);
}

static void dev_full(void)
{
	char buf[128];

	device_number("full", "/dev/full", 7);
	int fd = open("/dev/full", O_RDWR);
	if (!check_ok("full_open", fd))
		return;
	check_errno("full_write_enospc", write(fd, "x", 1), ENOSPC);
	check_errno("full_write_big_enospc", write(fd, buf, sizeof(buf)), ENOSPC);
	memset(buf, 0xff, sizeof(buf));
	check_eq("full_read", read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	check(all_zero(buf, sizeof(buf)), "full_read_zeros", "not zero");
	close(fd);
}

static void dev_random(void)
{
	unsigned char a[64], b[64];

	device_number("urandom", "/dev/urandom", 9);
	device_number("random", "/dev/random", 8);
	int fd = open("/dev/urandom", O_RDONLY);
	if (!check_ok("urandom_open", fd))
		return;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	check_eq("urandom_read", read(fd, a, sizeof(a)), (long)sizeof(a));
	check_eq("urandom_read_again", read(fd, b, sizeof(b)), (long)sizeof(b));
	check(!all_zero((char *)a, sizeof(a)) && memcmp(a, b, sizeof(a)) != 0,
	      "urandom_random", "two reads are equal or zero");
	/* Not biased to a few values: 64 bytes hit at least 16 distinct ones. */
	int seen[256] = { 0 }, distinct = 0;
	for (size_t i = 0; i < sizeof(a); i++)
		distinct += !seen[a[i]]++;
	check(distinct >= 16, "urandom_spread", "%d distinct byte values in 64", distinct);
	size_t big = 100000;
	char *buf = malloc(big);
	check_eq("urandom_read_big", read(fd, buf, big), (long)big);
	free(buf);
	close(fd);

	/* /dev/random does not block once the pool is ready (Linux 5.6). */
	fd = open("/dev/random", O_RDONLY | O_NONBLOCK);
	check(fd >= 0 && read(fd, a, 16) == 16, "random_read", "%s", errno_name(errno));
	close(fd);
	check_eq("urandom_write_accepted",
		 (fd = open("/dev/urandom", O_WRONLY)) >= 0 ? write(fd, "seed", 4) : -1, 4);
	close(fd);
}

int main(void)
{
	check_init("devices");
	dev_null();
	dev_zero();
	dev_full();
	dev_random();
	return check_done();
}
