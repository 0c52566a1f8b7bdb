/* Path syscalls that work before the VFS: getcwd, and readlink/readlinkat of /proc/self/exe. Any
 * other link path is looked up in the image: present means "not a symlink" (EINVAL), absent
 * ENOENT. */
#include "syscall/syscall.h"
#include "proc/process.h"
#include "fs/initramfs.h"
#include "lib/string.h"
#include <linux/limits.h>

static bool names_exe(const char *p)
{
	return strcmp(p, "/proc/self/exe") == 0 || strcmp(p, "/proc/1/exe") == 0 ||
	       strcmp(p, "/proc/thread-self/exe") == 0;
}

long sys_readlink(uptr_t upath, uptr_t buf, int size)
{
	char path[PATH_MAX];
	long n = strncpy_from_user(path, upath, sizeof(path));
	if (n < 0)
		return n;
	if (size <= 0)
		return -EINVAL;
	if (n == 0)
		return -ENOENT;
	if (!names_exe(path))
		return initramfs_lookup(path) ? -EINVAL : -ENOENT;
	size_t len = MIN(strlen(proc.exe_path), (size_t)size);
	return copy_to_user(buf, proc.exe_path, len) ? -EFAULT : (long)len;
}

long sys_readlinkat(int dirfd, uptr_t upath, uptr_t buf, int size)
{
	char first;
	if (copy_from_user(&first, upath, 1))
		return -EFAULT;
	if (first != '/')
		return dirfd == -100 ? -ENOENT : -EBADF; /* relative lookup needs the VFS */
	return sys_readlink(upath, buf, size);
}

long sys_getcwd(uptr_t buf, u64 size)
{
	size_t len = strlen(proc.cwd) + 1;
	if (size < len)
		return -ERANGE;
	return copy_to_user(buf, proc.cwd, len) ? -EFAULT : (long)len;
}
