/* Mounts /proc and /sys. */
#pragma once
#include "types.h"

bool procfs_init(void);
