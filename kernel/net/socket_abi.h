/* The parts of Linux's socket ABI that its UAPI headers do not export (they live in the
 * kernel's include/linux/socket.h and include/linux/net.h and are retyped by every libc):
 * address families, socket types, MSG_* flags, and the msghdr, cmsghdr, mmsghdr and ucred
 * layouts of x86-64. Everything that <linux/...> and <asm/...> do export comes from there. */
#pragma once
#include "types.h"
#include <linux/socket.h>
#include <linux/fcntl.h>
#include <asm/socket.h>

#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define AF_MAX 46

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_RDM 4
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MASK 0xf
#define SOCK_CLOEXEC O_CLOEXEC
#define SOCK_NONBLOCK O_NONBLOCK

#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_DONTROUTE 0x4
#define MSG_CTRUNC 0x8
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_EOR 0x80
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000
#define MSG_MORE 0x8000
#define MSG_WAITFORONE 0x10000
#define MSG_CMSG_CLOEXEC 0x40000000

#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2

#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2
#define SCM_MAX_FD 253 /* Linux's limit of descriptors in one SCM_RIGHTS message */

#define SOMAXCONN 4096 /* /proc/sys/net/core/somaxconn's default */

struct user_msghdr {
	uptr_t msg_name;
	int msg_namelen;
	uptr_t msg_iov;
	u64 msg_iovlen;
	uptr_t msg_control;
	u64 msg_controllen;
	unsigned msg_flags;
};

struct user_mmsghdr {
	struct user_msghdr msg_hdr;
	unsigned msg_len;
};

struct cmsghdr {
	u64 cmsg_len;
	int cmsg_level;
	int cmsg_type;
};

#define CMSG_ALIGN(len) (((len) + sizeof(u64) - 1) & ~(sizeof(u64) - 1))
#define CMSG_SPACE(len) (sizeof(struct cmsghdr) + CMSG_ALIGN(len))
#define CMSG_LEN(len) (sizeof(struct cmsghdr) + (len))

struct ucred {
	u32 pid;
	u32 uid;
	u32 gid;
};
