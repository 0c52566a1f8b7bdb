/*
 * sched_fifo.c: threads_sync.c's mutexes, condvars, rwlocks, barriers and
 * semaphores again, with monos's cooperative FIFO scheduler policy on two
 * CPUs: the policy interface is real only if a second policy runs real
 * programs. Natively it is simply threads_sync again.
 */
// monos-args: --sched fifo --smp 2
#define THREADS_SYNC_PROG "sched_fifo"
#include "threads_sync.c"
