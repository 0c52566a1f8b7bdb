/* signalfd: a descriptor from which the calling thread reads its pending signals of a mask as
 * struct signalfd_siginfo (signalfd(2)). The syscall layer (syscall/sys_signalfd.c) checks
 * arguments; this file is the file. */
#pragma once
#include "types.h"

struct file;

/* A new signalfd for mask (SIGKILL and SIGSTOP already taken out), O_NONBLOCK from flags. */
int signalfd_new(u64 mask, u32 flags, struct file **out);
bool file_is_signalfd(struct file *f);
/* signalfd4 on an existing signalfd: a new mask; readers and pollers look again. */
void signalfd_set_mask(struct file *f, u64 mask);
