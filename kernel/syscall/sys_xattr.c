/* Extended attributes: the file system keeps none, and answers every xattr call as a file system
 * without xattr support does (EOPNOTSUPP), after the path or descriptor has been checked — so
 * programs such as ls, cp -a and tar go on without them, as they do on such file systems. */
#include "syscall/syscall.h"
#include "syscall/pathname.h"
#include "fs/vfs.h"
#include "fs/path.h"
#include "fs/file.h"
#include <linux/fcntl.h>

static long by_path(uptr_t upath, bool follow)
{
	struct inode *i;
	long err = user_path_at(AT_FDCWD, upath, follow ? LOOKUP_FOLLOW : 0, false, &i);
	if (err)
		return err;
	inode_put(i);
	return -EOPNOTSUPP;
}

static long by_fd(int fd)
{
	return fd_get(fd) ? -EOPNOTSUPP : -EBADF;
}

long sys_getxattr(uptr_t path) { return by_path(path, true); }
long sys_lgetxattr(uptr_t path) { return by_path(path, false); }
long sys_fgetxattr(int fd) { return by_fd(fd); }
long sys_setxattr(uptr_t path) { return by_path(path, true); }
long sys_lsetxattr(uptr_t path) { return by_path(path, false); }
long sys_fsetxattr(int fd) { return by_fd(fd); }
long sys_listxattr(uptr_t path) { return by_path(path, true); }
long sys_llistxattr(uptr_t path) { return by_path(path, false); }
long sys_flistxattr(int fd) { return by_fd(fd); }
long sys_removexattr(uptr_t path) { return by_path(path, true); }
long sys_lremovexattr(uptr_t path) { return by_path(path, false); }
long sys_fremovexattr(int fd) { return by_fd(fd); }
