/* Periodic free-memory lines in the kernel log (monos.memlog=SECONDS, core/cmdline.h). */
#pragma once
#include "types.h"

/* Arms the first report SECONDS from now (0: none). Needs kernel timers and the big lock. */
void memlog_start(u32 seconds);
