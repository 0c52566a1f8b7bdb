/* The one anonymous inode that Linux's eventfd, epoll, signalfd and timerfd files all share
 * (fs/anon_inodes.c): fstat shows the same device and inode number for every such file, mode
 * 0600 with no file type bits, one link and a page-sized block. */
#pragma once
#include "types.h"
#include "lib/string.h"
#include <asm/stat.h>

#define ANON_INODE_INO 1
#define ANON_INODE_DEV 0xf /* anon_inodefs's device; Linux numbers it at boot */

static inline void anon_inode_stat(struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = 0600;
	st->st_nlink = 1;
	st->st_ino = ANON_INODE_INO;
	st->st_dev = ANON_INODE_DEV;
	st->st_blksize = PAGE_SIZE;
}
