/* The scheduler core: per-CPU run queues in a policy's order, each guarded by its own spinlock
 * (interrupt handlers and other CPUs touch it); the lock of the CPU a thread is queued or
 * blocked on also guards that thread's state and timer. A switch happens with the CPU's queue
 * locked; the thread that comes out of the switch unlocks it (sched_finish_switch). A thread
 * that moves to another CPU may still be saving its context on the old one: `on_cpu` says so,
 * and the new CPU waits for it to clear before switching to it. */
#include "sched/sched.h"
#include "proc/signal.h"
#include "sched/policy.h"
#include "sched/spinlock.h"
#include "sched/bkl.h"
#include "sched/ktimer.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/asm.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/regs.h"
#include "core/time.h"
#include "core/log.h"
#include "core/cmdline.h"
#include "mm/pmm.h"
#include "mm/kheap.h"
#include "lib/string.h"

struct cpu_sched {
	struct spinlock lock;
	struct runqueue rq;
	struct thread *curr;
	struct thread *idle;
	struct list timers;      /* blocked threads with a deadline, soonest first */
	bool need_resched;
	bool idle_waiting;       /* in hlt, wants an IPI to notice new work */
	struct thread *reap;     /* a dead thread whose stack is freed after the switch */
	struct thread *migrate;  /* a thread to queue on another CPU once it is switched out */
	u64 busy_ns;             /* time app threads ran here, up to their last switch */
};

static struct cpu_sched cpu_sched[MAX_CPUS];
static const struct sched_policy *policy = &sched_policy_rr;
static volatile u64 online_mask = 1;

extern struct thread *context_switch(u64 *save_ksp, u64 next_ksp, struct thread *prev);
extern char thread_first_run[], idle_first_run[];

static struct cpu_sched *this_sched(void) { return &cpu_sched[this_cpu()->cpu_id]; }
const char *sched_policy_name(void) { return policy->name; }
int sched_cpu_count(void)
{
	int n = 0;
	for (u64 m = online_mask; m; m &= m - 1)
		n++;
	return n;
}
u64 sched_online_mask(void) { return online_mask; }

u64 sched_cpu_busy_ns(int cpu)
{
	struct cpu_sched *c = &cpu_sched[cpu];
	u64 ns = c->busy_ns;
	struct thread *curr = c->curr;
	u64 now = time_monotonic_ns();
	if (curr && !curr->is_idle && now > curr->slice_start_ns)
		ns += now - curr->slice_start_ns; /* a racy read of another CPU: a figure, no more */
	return ns;
}

/* ---- CPU time ---------------------------------------------------------------------------------- */

static void account(struct thread *t, u64 now)
{
	if (now > t->slice_start_ns)
		t->run_ns += now - t->slice_start_ns;
	t->slice_start_ns = now;
}

u64 time_thread_cpu_ns(const struct thread *t)
{
	u64 ns = t->run_ns;
	if (t->on_cpu && t->state == THREAD_RUNNABLE) {
		u64 now = time_monotonic_ns();
		if (now > t->slice_start_ns)
			ns += now - t->slice_start_ns;
	}
	return ns;
}

/* ---- the LAPIC timer: the next deadline, or the end of the slice, or nothing ------------------ */

static void arm_timer(struct cpu_sched *c)
{
	u64 next = 0;
	if (!list_empty(&c->timers))
		next = list_entry(c->timers.next, struct thread, timer_link)->deadline_ns;
	u64 ktimer_next = ktimer_next_deadline((int)(c - cpu_sched));
	if (ktimer_next && (!next || ktimer_next < next))
		next = ktimer_next;
	if (policy->preemptive && c->rq.count > 0 && !c->curr->is_idle) {
		u64 slice_end = c->curr->slice_start_ns + SCHED_SLICE_NS;
		if (!next || slice_end < next)
			next = slice_end;
	}
	if (next)
		lapic_timer_arm(time_ns_to_tsc(next));
	else
		lapic_timer_stop();
}

void sched_timer_changed(void)
{
	struct cpu_sched *c = this_sched();
	u64 flags = spin_lock_irqsave(&c->lock);
	arm_timer(c);
	spin_unlock_irqrestore(&c->lock, flags);
}

static void timer_insert(struct cpu_sched *c, struct thread *t)
{
	list_for_each(pos, &c->timers) {
		if (list_entry(pos, struct thread, timer_link)->deadline_ns > t->deadline_ns) {
			list_insert_before(pos, &t->timer_link);
			return;
		}
	}
	list_push_back(&c->timers, &t->timer_link);
}

/* ---- choosing a CPU and queueing ---------------------------------------------------------------- */

static bool cpu_idle(int cpu)
{
	struct cpu_sched *c = &cpu_sched[cpu];
	return c->curr && c->curr->is_idle && c->rq.count == 0;
}

/* Where a thread that becomes runnable should go: where it last ran when that CPU is idle (its
 * caches), else any idle CPU it may use, else the one with the shortest queue. Reads other
 * CPUs' queues without their locks: a hint, not a promise. */
static int choose_cpu(struct thread *t)
{
	u64 allowed = t->affinity & online_mask;
	if (!allowed)
		allowed = online_mask;
	if ((allowed >> t->cpu & 1) && cpu_idle(t->cpu))
		return t->cpu;
	int best = -1, best_load = 0;
	for (int i = 0; i < ncpus; i++) {
		if (!(allowed >> i & 1))
			continue;
		if (cpu_idle(i))
			return i;
		int load = cpu_sched[i].rq.count + 1;
		if (best < 0 || load < best_load || (load == best_load && i == t->cpu))
			best = i, best_load = load;
	}
	return best < 0 ? 0 : best;
}

/* Queues t on CPU cpu and makes sure that CPU notices. */
static void enqueue_on(int cpu, struct thread *t, bool woken)
{
	struct cpu_sched *c = &cpu_sched[cpu];
	u64 flags = spin_lock_irqsave(&c->lock);
	t->cpu = cpu;
	policy->enqueue(&c->rq, t, woken);
	bool here = cpu == (int)this_cpu()->cpu_id;
	if (here) {
		if (c->curr->is_idle || policy->wakeup_preempts(&c->rq, c->curr, t))
			c->need_resched = true;
		if (!c->curr->is_idle)
			arm_timer(c);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	if (!here)
		lapic_send_ipi(cpus[cpu]->apic_id, VEC_RESCHED);
}

void sched_start(struct thread *t)
{
	t->state = THREAD_RUNNABLE;
	enqueue_on(choose_cpu(t), t, false);
}

bool sched_wake(struct thread *t, int reason)
{
	struct cpu_sched *c = &cpu_sched[t->cpu];
	u64 flags = spin_lock_irqsave(&c->lock);
	if (t->state != THREAD_BLOCKED) {
		spin_unlock_irqrestore(&c->lock, flags);
		return false;
	}
	if (list_linked(&t->timer_link))
		list_remove(&t->timer_link);
	t->wake_reason = reason;
	t->state = THREAD_RUNNABLE;
	spin_unlock_irqrestore(&c->lock, flags);
	/* Runnable but on no queue for a moment: other wakers see RUNNABLE and leave it alone. */
	enqueue_on(choose_cpu(t), t, true);
	return true;
}

/* ---- switching ------------------------------------------------------------------------------------ */

/* Run by the thread that comes out of a switch, with its CPU's queue locked: the thread it
 * replaced is now saved (or dead), and the lock can go. */
void sched_finish_switch(struct thread *prev)
{
	struct cpu_sched *c = this_sched();
	__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
	struct thread *dead = c->reap, *moving = c->migrate;
	c->reap = c->migrate = NULL;
	arm_timer(c);
	spin_unlock(&c->lock);
	if (moving) {
		moving->state = THREAD_RUNNABLE;
		enqueue_on(choose_cpu(moving), moving, false);
	}
	if (dead)
		thread_free(dead);
}

/* The core of every switch: c is locked, interrupts are off, curr's state is already what it
 * should be (runnable: back on the queue; blocked: on a wait queue; dead: gone). */
static void switch_locked(struct cpu_sched *c)
{
	struct thread *prev = c->curr;
	u64 now = time_monotonic_ns();
	if (prev->state == THREAD_RUNNABLE && !prev->is_idle)
		policy->yield(&c->rq, prev);
	struct thread *next = policy->pick_next(&c->rq);
	if (!next)
		next = c->idle;
	c->need_resched = false;
	if (next == prev) {
		arm_timer(c);
		spin_unlock(&c->lock);
		return;
	}
	if (!prev->is_idle && now > prev->slice_start_ns)
		c->busy_ns += now - prev->slice_start_ns;
	account(prev, now);
	if (prev->state == THREAD_RUNNABLE)
		prev->nivcsw++;
	else
		prev->nvcsw++;
	if (prev->state == THREAD_DEAD && !prev->zombie)
		c->reap = prev;
	if (!prev->is_idle && prev->state != THREAD_DEAD) {
		fpu_save(prev->fpu);
		prev->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	}
	/* A thread woken onto this CPU may still be leaving the one it blocked on. */
	while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
		cpu_relax();
	next->on_cpu = true;
	next->cpu = (int)this_cpu()->cpu_id;
	next->slice_start_ns = now;
	c->curr = next;
	this_cpu()->current = next;
	if (!next->is_idle) {
		cpu_set_kernel_stack((u64)next->kstack + KERNEL_STACK_SIZE);
		wrmsr(MSR_FS_BASE, next->fs_base);
		wrmsr(MSR_KERNEL_GS_BASE, next->gs_base);
		fpu_restore(next->fpu);
	}
	struct thread *last = context_switch(&prev->ksp, next->ksp, prev);
	sched_finish_switch(last);
}

void schedule(void)
{
	int depth = bkl_release_all();
	struct cpu_sched *c = this_sched();
	u64 flags = irq_save();
	spin_lock(&c->lock);
	switch_locked(c);
	irq_restore(flags);
	bkl_reacquire(depth);
}

void sched_yield(void)
{
	current_thread()->nvcsw++;
	schedule();
}

int sched_block(u64 deadline_ns)
{
	struct thread *t = current_thread();
	u64 flags = irq_save();
	struct cpu_sched *c = this_sched();
	spin_lock(&c->lock);
	/* The big lock goes only now that the thread is blocked under its queue's lock: a waker
	 * that finds it on a wait queue then waits for the switch and cannot miss it. */
	/* A signal sent before this point found the thread not yet blocked; senders hold the
	 * big lock, so checking under it (still held here) misses none. */
	if (t->wake_reason == WAKE_NONE && signal_pending_for(t))
		t->wake_reason = WAKE_INTERRUPT;
	int depth = bkl_release_all();
	if (t->wake_reason != WAKE_NONE) {
		/* Woken between making itself findable and getting here. */
		spin_unlock(&c->lock);
	} else if (deadline_ns && deadline_ns <= time_monotonic_ns()) {
		t->wake_reason = WAKE_TIMEOUT;
		spin_unlock(&c->lock);
	} else {
		t->state = THREAD_BLOCKED;
		t->deadline_ns = deadline_ns;
		if (deadline_ns)
			timer_insert(c, t);
		switch_locked(c);
	}
	irq_restore(flags);
	bkl_reacquire(depth);
	int reason = t->wake_reason;
	t->wake_reason = WAKE_NONE;
	return reason;
}

void sched_kick(struct thread *t)
{
	int cpu = t->cpu;
	if (t->on_cpu && cpu != (int)this_cpu()->cpu_id)
		lapic_send_ipi(cpus[cpu]->apic_id, VEC_RESCHED);
}

int sched_sleep_until(u64 deadline_ns)
{
	current_thread()->wake_reason = WAKE_NONE;
	return sched_block(deadline_ns);
}

void sched_affinity_changed(void)
{
	struct thread *t = current_thread();
	if (t->affinity >> t->cpu & 1)
		return;
	/* Leave this CPU; the thread that runs next queues it where it may run. */
	u64 flags = irq_save();
	struct cpu_sched *c = this_sched();
	spin_lock(&c->lock);
	int depth = bkl_release_all();
	t->state = THREAD_MIGRATING;
	c->migrate = t;
	switch_locked(c);
	irq_restore(flags);
	bkl_reacquire(depth);
}

void __noreturn sched_exit_current(void)
{
	struct thread *t = current_thread();
	bkl_release_all();
	irq_save();
	struct cpu_sched *c = this_sched();
	spin_lock(&c->lock);
	t->state = THREAD_DEAD;
	switch_locked(c);
	panic("a dead thread ran again");
}

/* ---- interrupts, preemption, idle ---------------------------------------------------------------- */

/* The LAPIC timer and the reschedule IPI: wake the threads whose deadline passed, ask the
 * policy whether the running thread's slice is over, and arm the next deadline. */
void sched_interrupt(void)
{
	struct cpu_sched *c = this_sched();
	spin_lock(&c->lock);
	u64 now = time_monotonic_ns();
	while (!list_empty(&c->timers)) {
		struct thread *t = list_entry(c->timers.next, struct thread, timer_link);
		if (t->deadline_ns > now)
			break;
		list_remove(&t->timer_link);
		t->wake_reason = WAKE_TIMEOUT;
		t->state = THREAD_RUNNABLE;
		policy->enqueue(&c->rq, t, true);
	}
	struct thread *curr = c->curr;
	if (curr->is_idle ? c->rq.count > 0 : policy->tick(&c->rq, curr, now - curr->slice_start_ns))
		c->need_resched = true;
	arm_timer(c);
	spin_unlock(&c->lock);
}

void sched_preempt_point(void)
{
	struct cpu_sched *c = this_sched();
	if (c->need_resched && !c->curr->is_idle)
		schedule();
}

void __noreturn sched_idle_loop(void)
{
	struct cpu_sched *c = this_sched();
	for (;;) {
		__asm__ volatile("cli");
		spin_lock(&c->lock);
		if (c->rq.count > 0) {
			/* Back on the app's page tables, and in TLB shootdowns again, before a
			 * thread runs here. */
			tlb_idle_exit();
			switch_locked(c);
			continue;
		}
		arm_timer(c);
		spin_unlock(&c->lock);
		/* A halted CPU holds nothing of the app: off its page tables, it is left out of
		 * shootdowns (each would cost an IPI and a wait for its answer). */
		tlb_idle_enter();
		/* sti takes effect after hlt begins: an interrupt cannot slip in between. */
		__asm__ volatile("sti; hlt" : : : "memory");
	}
}

/* ---- bring-up ---------------------------------------------------------------------------------------- */

static struct thread *idle_thread_new(int cpu)
{
	struct thread *t = kzalloc(sizeof(*t));
	if (!t)
		panic("out of memory for an idle thread");
	t->is_idle = true;
	t->cpu = cpu;
	t->affinity = 1UL << cpu;
	t->state = THREAD_RUNNABLE;
	list_init(&t->rq_link);
	list_init(&t->all_link);
	list_init(&t->timer_link);
	return t;
}

static void cpu_sched_init(int cpu)
{
	struct cpu_sched *c = &cpu_sched[cpu];
	list_init(&c->rq.threads);
	list_init(&c->timers);
	c->idle = idle_thread_new(cpu);
}

static void select_policy(void)
{
	if (!options.sched_policy[0] || strcmp(options.sched_policy, sched_policy_rr.name) == 0)
		policy = &sched_policy_rr;
	else if (strcmp(options.sched_policy, sched_policy_fifo.name) == 0)
		policy = &sched_policy_fifo;
	else
		kerr("monos: unknown scheduler policy \"%s\"; using %s\n", options.sched_policy,
		     policy->name);
}

/* The boot CPU: the thread running now (the main thread, about to enter user mode) becomes
 * this CPU's current; its idle thread gets a stack of its own that starts in the idle loop. */
void sched_init(void)
{
	select_policy();
	cpu_sched_init(0);
	struct cpu_sched *c = &cpu_sched[0];
	struct thread *idle = c->idle;
	paddr_t stack = pages_alloc(KERNEL_STACK_SIZE / PAGE_SIZE);
	if (!stack)
		panic("out of memory for the idle stack");
	idle->kstack = phys_to_virt(stack);
	u64 *sp = (u64 *)(idle->kstack + KERNEL_STACK_SIZE);
	*--sp = (u64)idle_first_run;
	for (int i = 0; i < 6; i++)
		*--sp = 0;            /* rbp, rbx, r12-r15 of context_switch's frame */
	idle->ksp = (u64)sp;
	c->curr = current_thread();
	c->curr->cpu = 0;
	c->curr->on_cpu = true;
	c->curr->slice_start_ns = time_monotonic_ns();
	kprintf("sched: policy %s\n", policy->name);
}

/* After smp_init: every CPU that came up gets its run queue now, before the app starts, so
 * that the first thread already sees all of them online (sched_getaffinity, /sys). */
static volatile bool cpus_ready;

void sched_smp_ready(void)
{
	for (int cpu = 1; cpu < ncpus; cpu++)
		cpu_sched_init(cpu);
	online_mask = ncpus >= 64 ? ~0UL : (1UL << ncpus) - 1;
	__atomic_store_n(&cpus_ready, true, __ATOMIC_RELEASE);
}

/* Another CPU, started by smp_init: it becomes its own idle thread. Threads may already be
 * queued for it (the reschedule IPI waits in its LAPIC until the idle loop's hlt). */
void __noreturn sched_ap_entry(void)
{
	while (!__atomic_load_n(&cpus_ready, __ATOMIC_ACQUIRE))
		cpu_relax();
	int cpu = (int)this_cpu()->cpu_id;
	struct cpu_sched *c = &cpu_sched[cpu];
	c->idle->on_cpu = true;
	this_cpu()->current = c->idle;
	spin_lock(&c->lock);
	c->curr = c->idle;
	spin_unlock(&c->lock);
	sched_idle_loop();
}
