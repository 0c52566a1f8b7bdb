/* Sending a signal to the process from inside the kernel (SIGPIPE on a broken pipe, ...). */
#pragma once
#include "types.h"

/* Acts on signal sig for the current thread as kill() would: returns 0, or does not return when
 * the signal's default action ends the process. */
long signal_raise(int sig);
