/*
 * stdin_null.c: standard input redirected from /dev/null (the harness's
 * default): the null character device (major 1, minor 3), always at end of
 * file, not a terminal, opened read-only.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	struct stat st;
	char buf[64];

	check_init("stdin_null");
	if (check_eq("fstat", fstat(0, &st), 0)) {
		check(S_ISCHR(st.st_mode), "is_char_device", "mode 0%o",
		      (unsigned)st.st_mode);
		check(major(st.st_rdev) == 1 && minor(st.st_rdev) == 3, "is_dev_null",
		      "st_rdev %u:%u, expected 1:3", major(st.st_rdev), minor(st.st_rdev));
	}
	check_eq("read_eof", read(0, buf, sizeof(buf)), 0);
	check_eq("read_eof_again", read(0, buf, sizeof(buf)), 0);
	check_eq("lseek_end", lseek(0, 0, SEEK_END), 0);
	check_eq("access_mode_rdonly", fcntl(0, F_GETFL) & O_ACCMODE, O_RDONLY);
	check_errno("write_ebadf", write(0, "x", 1), EBADF);
	struct termios t;
	check_errno("tcgets_enotty", ioctl(0, TCGETS, &t), ENOTTY);
	return check_done();
}
