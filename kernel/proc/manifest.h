/* The manifest the host tool writes into the image (docs/protocol.md): exe, argv, env, cwd. */
#pragma once
#include "types.h"

struct manifest {
	const char *exe;
	const char *cwd;
	const char **argv; /* NULL-terminated */
	const char **envp; /* NULL-terminated */
	int argc, envc;
};

bool manifest_load(struct manifest *m);
