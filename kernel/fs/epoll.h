/* epoll instances (epoll(7)): a set of watched (file, descriptor) pairs and a ready list that
 * the watched files' wakeups fill, so a wait costs what is ready, not what is watched. */
#pragma once
#include "types.h"
#include "fs/file.h"
#include <linux/eventpoll.h>

struct file;
struct epitem;

/* A new epoll file (O_RDWR; the caller installs it with EPOLL_CLOEXEC as asked). */
int epoll_create(struct file **out);
extern const struct file_ops epoll_file_ops;
static inline bool file_is_epoll(const struct file *f) { return f->ops == &epoll_file_ops; }
/* EPOLL_CTL_ADD, _MOD, _DEL of target (reached through descriptor fd) in the epoll file ep,
 * with Linux's errors; event is NULL for DEL. */
int epoll_ctl(struct file *ep, int op, int fd, struct file *target, struct epoll_event *event);
/* Waits until events are ready (deadline: monotonic ns, 0 for none; nowait: just look) and
 * copies up to maxevents of them to the user array; the count, -EFAULT, or -EINTR. */
long epoll_wait_events(struct file *ep, uptr_t events, int maxevents, u64 deadline, bool nowait);
/* The last reference to f went (file.c): every epoll watching it forgets it, as Linux's
 * eventpoll_release does. */
void epoll_file_released(struct file *f);
