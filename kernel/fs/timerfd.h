/* timerfd: a descriptor that counts the expirations of a timer (timerfd_create(2)). The syscall
 * layer (syscall/sys_timerfd.c) checks arguments and copies; this file keeps the timer. */
#pragma once
#include "types.h"

struct file;

/* A new timerfd file on clockid (already checked) with O_NONBLOCK from flags. */
int timerfd_new(int clockid, u32 flags, struct file **out);
bool file_is_timerfd(struct file *f);
/* A timer's setting in ns: value 0 = disarmed. */
struct timerfd_setting {
	u64 value_ns, interval_ns;
};
/* timerfd_settime: sets the new setting (value absolute on the timer's clock when abstime) and
 * returns the old one, as timerfd_gettime would have. cancel_on_set: see timerfd.c. */
void timerfd_set(struct file *f, bool abstime, bool cancel_on_set, struct timerfd_setting set,
		 struct timerfd_setting *old);
void timerfd_get(struct file *f, struct timerfd_setting *now);
