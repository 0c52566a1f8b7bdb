/* The socket file kind and the options every family shares. A socket's file forwards read,
 * write, poll and release to its family's proto_ops; read and write are recv and send without
 * flags, as on Linux. */
#include "net/socket.h"
#include "net/inet_family.h"
#include "net/ifioctl.h"
#include "net/netlink.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "mm/kheap.h"
#include "core/log.h"
#include "lib/string.h"
#include "errno.h"
#include <asm/stat.h>
#include <asm/ioctls.h>
#include <linux/stat.h>

#define SOCKFS_DEV 0x8 /* st_dev of sockets: sockfs is the 8th anonymous device on Linux */

static u64 next_socket_ino = 20000;

static struct socket *file_socket(struct file *f) { return f->priv; }

static ssize_t socket_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	struct socket *s = file_socket(f);
	struct sock_msg m = { .buf = buf, .len = n };
	return s->ops->recvmsg(s, &m, f->flags & O_NONBLOCK);
}

static ssize_t socket_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	struct socket *s = file_socket(f);
	struct sock_msg m = { .buf = (void *)buf, .len = n };
	return s->ops->sendmsg(s, &m, f->flags & O_NONBLOCK);
}

static int socket_stat(struct file *f, struct stat *st)
{
	struct socket *s = file_socket(f);
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFSOCK | 0777;
	st->st_nlink = 1;
	st->st_ino = s->ino;
	st->st_dev = SOCKFS_DEV;
	st->st_blksize = PAGE_SIZE;
	return 0;
}

static long socket_ioctl(struct file *f, unsigned cmd, uptr_t arg)
{
	struct socket *s = file_socket(f);
	long err = ifioctl(s, cmd, arg); /* interface ioctls: every family answers them */
	if (err != -ENOIOCTLCMD)
		return err;
	return s->ops->ioctl ? s->ops->ioctl(s, cmd, arg) : -ENOTTY;
}

static u32 socket_poll(struct file *f, struct poll_table *pt)
{
	struct socket *s = file_socket(f);
	return s->ops->poll(s, f, pt);
}

static void socket_release(struct file *f)
{
	struct socket *s = file_socket(f);
	s->ops->release(s);
	kfree(s);
}

static const struct file_ops socket_file_ops = {
	.read = socket_read, .write = socket_write, .stat = socket_stat, .ioctl = socket_ioctl,
	.poll = socket_poll, .release = socket_release, .stream = true,
};

struct socket *socket_of(struct file *f)
{
	return f && f->ops == &socket_file_ops ? f->priv : NULL;
}

struct socket *socket_alloc(const struct socket *like)
{
	struct socket *s = kzalloc(sizeof(*s));
	if (!s)
		return NULL;
	s->ops = like->ops;
	s->family = like->family;
	s->type = like->type;
	s->protocol = like->protocol;
	s->sndbuf = SOCK_WMEM_DEFAULT;
	s->rcvbuf = SOCK_RMEM_DEFAULT;
	s->ino = next_socket_ino++;
	return s;
}

int socket_attach_file(struct socket *s, u32 flags)
{
	struct file *f = file_new(&socket_file_ops, O_RDWR | (flags & O_NONBLOCK));
	if (!f)
		return -ENFILE;
	f->priv = s;
	s->file = f;
	return 0;
}

/* Families monos does not have yet are refused as a kernel built without them refuses them;
 * the first refusal of each is logged, since a program may quietly fall back. */
static int family_unsupported(int family)
{
	static u64 logged;
	if (family >= 0 && family < 64 && !(logged & (1UL << family))) {
		logged |= 1UL << family;
		kprintf("socket: address family %d not supported (AF_INET/AF_INET6 come with issue 6)\n",
			family);
	}
	return -EAFNOSUPPORT;
}

int socket_create(int family, int type, int protocol, u32 flags, struct socket **out)
{
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	/* Each family's create may replace s->ops (AF_INET, AF_INET6: TCP's or UDP's). */
	const struct proto_ops *ops = &unix_proto_ops;
	int (*create)(struct socket *) = unix_create;
	if (family == AF_INET || family == AF_INET6) {
		ops = NULL;
		create = inet_create;
	} else if (family == AF_NETLINK) {
		ops = &netlink_proto_ops;
		create = netlink_create;
	} else if (family != AF_UNIX) {
		return family_unsupported(family);
	}
	struct socket proto = { .ops = ops, .family = family, .type = type, .protocol = protocol };
	struct socket *s = socket_alloc(&proto);
	if (!s)
		return -ENOMEM;
	int err = create(s);
	if (err) {
		kfree(s);
		return err;
	}
	err = socket_attach_file(s, flags);
	if (err) {
		s->ops->release(s);
		kfree(s);
		return err;
	}
	*out = s;
	return 0;
}

/* SO_SNDBUF and SO_RCVBUF as Linux's sock_setsockopt: the value is capped by the sysctl
 * maximum (unless forced), doubled for bookkeeping overhead, and kept above a minimum. */
static int buffer_size(int val, int max, int min, bool force)
{
	u32 v = (u32)val;
	if (!force && v > (u32)max)
		v = (u32)max;
	if (v > 0x3fffffff)
		v = 0x3fffffff;
	int doubled = (int)v * 2;
	return doubled < min ? min : doubled;
}

int socket_setsockopt(struct socket *s, int level, int name, const void *val, int len)
{
	if (level != SOL_SOCKET)
		return s->ops->setsockopt ? s->ops->setsockopt(s, level, name, val, len) : -EOPNOTSUPP;
	if (len < (int)sizeof(int))
		return -EINVAL;
	int v;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case SO_SNDBUF:
	case SO_SNDBUFFORCE:
		s->sndbuf = buffer_size(v, SOCK_WMEM_MAX, SOCK_MIN_SNDBUF, name == SO_SNDBUFFORCE);
		break;
	case SO_RCVBUF:
	case SO_RCVBUFFORCE:
		s->rcvbuf = buffer_size(v, SOCK_RMEM_MAX, SOCK_MIN_RCVBUF, name == SO_RCVBUFFORCE);
		break;
	case SO_PASSCRED:
		s->passcred = v != 0;
		break;
	case SO_REUSEADDR:
		s->reuseaddr = v != 0;
		break;
	case SO_KEEPALIVE:
		s->keepalive = v != 0;
		break;
	default:
		return s->ops->setsockopt ? s->ops->setsockopt(s, level, name, val, len) : -ENOPROTOOPT;
	}
	/* A bigger send buffer may make a blocked sender's room: let the family look again. */
	if (s->ops->setsockopt)
		s->ops->setsockopt(s, level, name, val, len);
	return 0;
}

int socket_getsockopt(struct socket *s, int level, int name, void *val, int *len)
{
	if (level != SOL_SOCKET)
		return s->ops->getsockopt ? s->ops->getsockopt(s, level, name, val, len) : -EOPNOTSUPP;
	int v;
	switch (name) {
	case SO_TYPE: v = s->type; break;
	case SO_DOMAIN: v = s->family; break;
	case SO_PROTOCOL: v = s->protocol; break;
	case SO_SNDBUF: v = s->sndbuf; break;
	case SO_RCVBUF: v = s->rcvbuf; break;
	case SO_PASSCRED: v = s->passcred; break;
	case SO_REUSEADDR: v = s->reuseaddr; break;
	case SO_KEEPALIVE: v = s->keepalive; break;
	default:
		return s->ops->getsockopt ? s->ops->getsockopt(s, level, name, val, len) : -ENOPROTOOPT;
	}
	if (*len > (int)sizeof(v))
		*len = sizeof(v);
	memcpy(val, &v, (size_t)*len);
	return 0;
}

void scm_release(struct scm *scm)
{
	if (!scm)
		return;
	for (int k = 0; k < scm->nfds; k++)
		file_put(scm->fds[k]);
	scm->nfds = 0;
}
