/* Allocating and freeing a thread: its struct, kernel stack and FPU save area. */
#include "sched/thread.h"
#include <linux/signal.h>
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/regs.h"
#include "mm/kheap.h"
#include "mm/pmm.h"
#include "lib/string.h"

static size_t fpu_pages(void) { return (fpu_area_size() + PAGE_SIZE - 1) / PAGE_SIZE; }

struct thread *thread_alloc(void)
{
	struct thread *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	paddr_t stack = pages_alloc(KERNEL_STACK_SIZE / PAGE_SIZE);
	paddr_t fpu = stack ? pages_alloc(fpu_pages()) : 0;
	if (!fpu) {
		for (size_t i = 0; stack && i < KERNEL_STACK_SIZE / PAGE_SIZE; i++)
			page_free(stack + i * PAGE_SIZE);
		kfree(t);
		return NULL;
	}
	t->kstack = phys_to_virt(stack);
	t->fpu = phys_to_virt(fpu);
	memset(t->fpu, 0, fpu_pages() * PAGE_SIZE);
	t->regs = (struct regs *)(t->kstack + KERNEL_STACK_SIZE) - 1;
	t->affinity = ~0UL;
	t->state = THREAD_RUNNABLE;
	list_init(&t->rq_link);
	list_init(&t->all_link);
	list_init(&t->timer_link);
	list_init(&t->sigqueue);
	t->altstack_flags = SS_DISABLE;
	return t;
}

void thread_free(struct thread *t)
{
	paddr_t stack = virt_to_phys(t->kstack), fpu = virt_to_phys(t->fpu);
	for (size_t i = 0; i < KERNEL_STACK_SIZE / PAGE_SIZE; i++)
		page_free(stack + i * PAGE_SIZE);
	for (size_t i = 0; i < fpu_pages(); i++)
		page_free(fpu + i * PAGE_SIZE);
	kfree(t);
}

