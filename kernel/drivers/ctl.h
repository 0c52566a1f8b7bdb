/* The control channel to `monos run` (docs/protocol.md): records on QEMU's isa-debugcon. */
#pragma once
#include "types.h"

extern bool ctl_enabled;
void ctl_stderr(const char *buf, size_t n);
void ctl_exit_status(u32 status);
void ctl_panic(void);
