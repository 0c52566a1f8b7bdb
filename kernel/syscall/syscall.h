/* Shared by the syscall handlers: the saved registers of the call in progress, and the UAPI
 * numbers. Handlers take their arguments as Linux declares them and return a value or -errno. */
#pragma once
#include "types.h"
#include "errno.h"
#include "mm/usercopy.h"
#include <asm/unistd_64.h>

