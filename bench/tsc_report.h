/* How the bench's TSC programs (tsc_threads.c, tsc_events.c) print their figures, the lines
 * their scripts read: "PREFIXname=I" for I instructions per operation (the TSC difference over
 * n operations, divided by n), and "PREFIXerror=what: why" when a call fails, after which the
 * program exits 1. Define TSC_REPORT_PREFIX ("threads_", "events_") before including it. */
#ifndef TSC_REPORT_H
#define TSC_REPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TSC_REPORT_PREFIX
#error "define TSC_REPORT_PREFIX before including tsc_report.h"
#endif

static void die(const char *what, int err)
{
	printf(TSC_REPORT_PREFIX "error=%s: %s\n", what, strerror(err));
	fflush(stdout);
	exit(1);
}

static void report(const char *name, unsigned long long t0, unsigned long long t1, unsigned long n)
{
	printf(TSC_REPORT_PREFIX "%s=%llu\n", name, (t1 - t0) / n);
	fflush(stdout);
}

#endif
