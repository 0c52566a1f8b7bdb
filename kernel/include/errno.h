/* Linux's errno values, from its UAPI headers: syscalls return -E... exactly as Linux does. */
#pragma once
#include <asm-generic/errno.h>
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)
