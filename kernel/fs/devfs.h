/* /dev: the device nodes a program expects (null, zero, full, random, urandom, tty, console),
 * the links to /proc/self/fd, and /dev/shm. */
#pragma once
#include "types.h"

struct inode;

bool devfs_init(void);
/* Gives a character-device inode the file operations of its device number. */
void devfs_bind(struct inode *i);
