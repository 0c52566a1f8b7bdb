/* monos.memlog=SECONDS: the kernel logs its free memory every SECONDS seconds, so a long run
 * (bench/soak.sh) can show from outside that memory stays flat. */
#include "core/memlog.h"
#include "core/log.h"
#include "core/time.h"
#include "mm/pmm.h"
#include "sched/ktimer.h"

static struct ktimer memlog_timer;
static u64 period_ns, started_ns;

static void memlog_fired(struct ktimer *t)
{
	u64 now = time_monotonic_ns();
	kprintf("memlog: %lu s free %lu KiB of %lu KiB\n", (now - started_ns) / 1000000000,
		pmm_free_pages() * (PAGE_SIZE / 1024), pmm_total_pages() * (PAGE_SIZE / 1024));
	ktimer_arm(t, now + period_ns);
}

void memlog_start(u32 seconds)
{
	if (!seconds)
		return;
	period_ns = (u64)seconds * 1000000000;
	started_ns = time_monotonic_ns();
	ktimer_init(&memlog_timer, memlog_fired);
	ktimer_arm(&memlog_timer, started_ns + period_ns);
}
