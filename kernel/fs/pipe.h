/* Pipes: a ring buffer with a read end and a write end. */
#pragma once
#include "types.h"

struct file;

/* Makes the two ends; flags are O_NONBLOCK and O_DIRECT (packet mode: not supported). */
int pipe_create(u32 flags, struct file **read_end, struct file **write_end);
/* F_GETPIPE_SZ / F_SETPIPE_SZ. */
long pipe_get_size(struct file *f);
long pipe_set_size(struct file *f, u64 size);
bool file_is_pipe(struct file *f);
/* Copies up to n bytes from the front of the pipe without consuming them (tee). */
size_t pipe_peek(struct file *f, void *out, size_t n);
