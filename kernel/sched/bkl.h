/* The big kernel lock: one CPU at a time runs kernel code that touches the process's state
 * (address space, files, futexes, wait queues). User code runs on every CPU at once; system
 * calls and page faults take turns. It is the simple first step Linux and Nanos both took;
 * finer locks can replace it one subsystem at a time. A thread that blocks gives it up
 * (sched_block) and takes it back when it runs again. */
#pragma once
#include "types.h"

void bkl_lock(void);
void bkl_unlock(void);
bool bkl_held(void);
/* Releases every hold this CPU has and returns how many there were (0: not held). */
int bkl_release_all(void);
void bkl_reacquire(int depth);
