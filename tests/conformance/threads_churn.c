/*
 * threads_churn.c: creating and joining threads one after another for a long time must not
 * use up memory: each thread's stack and kernel resources come back when it is joined. Run
 * with little memory (monos-args), 3000 threads need the same pages again and again.
 */
// monos-args: -m 24M
#include <pthread.h>
#include <stdint.h>

#include "check.h"

#define THREADS 3000

static void *echo(void *arg) { return arg; }

int main(void)
{
	int failed_at = -1, wrong = 0;
	for (int i = 0; i < THREADS && failed_at < 0; i++) {
		pthread_t t;
		void *ret = NULL;
		if (pthread_create(&t, NULL, echo, (void *)(intptr_t)i) != 0) {
			failed_at = i;
			break;
		}
		pthread_join(t, &ret);
		wrong += (intptr_t)ret != i;
	}
	check(failed_at < 0, "create_join_3000", "pthread_create failed at thread %d", failed_at);
	check_eq("return_values", wrong, 0);
	return check_done();
}
