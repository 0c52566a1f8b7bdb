/* The app's standard streams: the console, or the host's stdin as an in-memory file. */
#pragma once
#include "types.h"

struct file_ops;
/* The console: a terminal or a pipe, as the host's standard streams are. */
extern const struct file_ops console_file_ops;

/* Opens descriptors 0, 1, 2. stdin is /.monos/stdin when the image has it, the null device when
 * the host said so, else the console. */
void stdio_init(void);
