/* Linux's errno values, from its UAPI headers: syscalls return -E... exactly as Linux does. */
#pragma once
#include <asm-generic/errno.h>
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)

/* Kernel-internal results that never reach the app (Linux's include/linux/errno.h; not UAPI).
 * A blocking call interrupted by a signal returns one of them; the way back to user mode turns
 * it into EINTR or restarts the call, as signal(7) describes:
 *   ERESTARTSYS            restart when the handler has SA_RESTART (or no handler ran), else EINTR
 *   ERESTARTNOINTR         always restart
 *   ERESTARTNOHAND         restart only when no handler ran, else EINTR
 *   ERESTART_RESTARTBLOCK  as ERESTARTNOHAND (monos has no restart_syscall block) */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516
