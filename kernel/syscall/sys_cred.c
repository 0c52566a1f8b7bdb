/* Credentials: the uid/gid setters and the supplementary group list. The app is root of its VM
 * and 0 is the only user and group there is, as in a Linux user namespace that maps only root:
 * setting an id to 0 (or leaving it, -1 where the call allows) succeeds, any other id is
 * EINVAL there too ("not valid in this namespace"). Servers that drop privileges to their own
 * user when started as root (memcached -u root, nginx's user directive) then go on as root.
 * The group list holds as many 0s as the last setgroups gave. */
#include "syscall/syscall.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include <linux/limits.h>

#define ID_KEEP ((u32)-1)

static bool ids_ok(u32 a, u32 b, u32 c, bool keep_allowed)
{
	u32 ids[3] = { a, b, c };
	for (int i = 0; i < 3; i++)
		if (ids[i] != 0 && !(keep_allowed && ids[i] == ID_KEEP))
			return false;
	return true;
}

long sys_setuid(u32 uid) { return ids_ok(uid, 0, 0, false) ? 0 : -EINVAL; }
long sys_setgid(u32 gid) { return ids_ok(gid, 0, 0, false) ? 0 : -EINVAL; }
long sys_setreuid(u32 r, u32 e) { return ids_ok(r, e, ID_KEEP, true) ? 0 : -EINVAL; }
long sys_setregid(u32 r, u32 g) { return ids_ok(r, g, ID_KEEP, true) ? 0 : -EINVAL; }
long sys_setresuid(u32 r, u32 e, u32 s) { return ids_ok(r, e, s, true) ? 0 : -EINVAL; }
long sys_setresgid(u32 r, u32 e, u32 s) { return ids_ok(r, e, s, true) ? 0 : -EINVAL; }
/* These never fail: the result is the old id, and an id that cannot be set is ignored. */
long sys_setfsuid(u32 uid) { return 0; }
long sys_setfsgid(u32 gid) { return 0; }

long sys_setgroups(int size, uptr_t list)
{
	if (size < 0 || size > NGROUPS_MAX)
		return -EINVAL;
	for (int i = 0; i < size; i++) {
		u32 gid;
		if (copy_from_user(&gid, list + (uptr_t)i * sizeof(gid), sizeof(gid)))
			return -EFAULT;
		if (gid != 0)
			return -EINVAL;
	}
	proc.ngroups = size;
	return 0;
}

long sys_getgroups(int size, uptr_t list)
{
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return proc.ngroups;
	if (size < proc.ngroups)
		return -EINVAL;
	u32 zero = 0;
	for (int i = 0; i < proc.ngroups; i++)
		if (copy_to_user(list + (uptr_t)i * sizeof(zero), &zero, sizeof(zero)))
			return -EFAULT;
	return proc.ngroups;
}
