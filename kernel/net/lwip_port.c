/* lwIP's port: sys_now from the monotonic clock, calloc over the kernel heap, one kernel timer
 * that runs lwIP's timeouts when the soonest is due, and the loopback pump. */
#include "net/lwip_port.h"
#include "core/time.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "sched/ktimer.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/timeouts.h"

static bool started;
static struct ktimer lwip_timer;
/* A delayed ACK waits this long for data going the other way to carry it (a request's reply
 * usually follows within microseconds): one frame per exchange instead of a bare ACK and then
 * the reply. lwIP's own timer would wait up to 250 ms; Linux's shortest delay is 40 ms. A second
 * full segment is still acknowledged at once (lwIP's tcp_ack). */
#define DELAYED_ACK_NS 4000000ull
static struct ktimer ack_timer;

u32_t sys_now(void)
{
	return (u32_t)(time_monotonic_ns() / 1000000);
}

void *lwip_port_calloc(unsigned long n, unsigned long size)
{
	if (size && n > (unsigned long)-1 / size)
		return NULL;
	return kzalloc(n * size);
}

/* Arms the timer for lwIP's soonest timeout (SYS_TIMEOUTS_SLEEPTIME_INFINITE: none). */
static void arm_timer(void)
{
	u32_t ms = sys_timeouts_sleeptime();
	if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE) {
		ktimer_cancel(&lwip_timer);
		return;
	}
	ktimer_arm(&lwip_timer, time_monotonic_ns() + (u64)ms * 1000000);
}

static void lwip_timer_fired(struct ktimer *t)
{
	sys_check_timeouts();
	lwip_port_pump();
}

static void ack_timer_fired(struct ktimer *t)
{
	tcp_fasttmr(); /* sends the ACKs still delayed */
	lwip_port_pump();
}

void lwip_port_start(void)
{
	if (started)
		return;
	started = true;
	ktimer_init(&lwip_timer, lwip_timer_fired);
	ktimer_init(&ack_timer, ack_timer_fired);
	lwip_init();   /* also adds lo (netif_loopif), up, with 127.0.0.1/8 and ::1 */
	arm_timer();
}

void lwip_port_pump(void)
{
	/* Each round delivers what the last queued; replies queue more. */
	for (int round = 0; round < 1024; round++) {
		netif_poll_all();
		bool queued = false;
		struct netif *n;
		NETIF_FOREACH(n)
			if (n->loop_first)
				queued = true;
		if (!queued)
			break;
	}
	bool acks = false;
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		if (p->flags & TF_ACK_DELAY)
			acks = true;
	if (acks && !ktimer_armed(&ack_timer))
		ktimer_arm(&ack_timer, time_monotonic_ns() + DELAYED_ACK_NS);
	arm_timer();
}
