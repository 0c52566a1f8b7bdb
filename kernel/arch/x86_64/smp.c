/* Starting the other CPUs and keeping their TLBs in step.
 *
 * Start-up: the MADT names the CPUs; each gets a slot (its APIC id, a stack, a page with its
 * struct percpu, GDT and TSS) before any is woken. All are woken at once (wake_aps); every AP
 * runs the real-mode trampoline (trampoline.S), finds its slot by its APIC id, sets itself up
 * (ap_start) and reports in. The boot CPU waits up to 1 s, numbers the CPUs that answered
 * densely in MADT order, gives up on the others (an AP that comes later sees its slot abandoned
 * and halts), and lets the answered ones go on into sched_ap_entry.
 *
 * TLB shootdown: each CPU has one request slot (range, and a mask of CPUs still to flush).
 * Targets flush in the VEC_TLB handler and clear their bit; a sender waits for its mask to
 * empty, serving requests aimed at itself meanwhile, so two CPUs shooting at each other with
 * interrupts off both finish. Only CPUs in tlb_cpus are asked: an idle CPU leaves it after
 * switching to kernel-only page tables (a copy of the kernel half of the PML4, whose entries
 * never change after paging_init), so its TLB holds nothing of the app, and it comes back by
 * setting its bit before it reloads the app's CR3. A sender writes page tables, then reads
 * tlb_cpus: either it sees the bit and waits for that CPU, or the CPU's reload comes after the
 * sender's writes and walks the new tables. */
#include "arch/x86_64/smp.h"
#include "arch/x86_64/asm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"
#include "core/bootinfo.h"
#include "core/log.h"
#include "core/time.h"
#include "drivers/acpi.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/pmm.h"

int ncpus = 1;
struct percpu *cpus[MAX_CPUS];
volatile u64 cpu_online_mask = 1;
static volatile u64 tlb_cpus = 1;    /* CPUs whose TLB may hold the app's translations */
static paddr_t kernel_only_pml4;    /* for idle CPUs; made by smp_init */
static u64 idle_saved_cr3[MAX_CPUS];

/* Read by ap_entry64 (trampoline.S) before the AP has a stack. */
struct ap_slot ap_slots[MAX_CPUS];
u32 ap_slot_count;
u64 smp_kernel_cr3;

enum { AP_WAITING, AP_ARRIVED, AP_ABANDONED };
static volatile bool ap_go; /* cpu ids are assigned: arrived APs may go on */

_Static_assert(offsetof(struct ap_slot, apic_id) == AP_SLOT_APIC_ID, "asm layout");
_Static_assert(offsetof(struct ap_slot, stack_top) == AP_SLOT_STACK, "asm layout");
_Static_assert(offsetof(struct ap_slot, started) == AP_SLOT_STARTED, "asm layout");
_Static_assert(sizeof(struct ap_slot) == AP_SLOT_SIZE, "asm layout");

/* What smp_init allocates for each AP, in one run of pages. */
#define AP_DF_STACK_PAGES 2
#define AP_STACK_PAGES 4
struct ap_area {
	u8 df_stack[AP_DF_STACK_PAGES * PAGE_SIZE];
	u8 stack[AP_STACK_PAGES * PAGE_SIZE];
	struct {
		struct percpu pc;
		struct cpu_tables tables;
	} __aligned(PAGE_SIZE) cpu;
};
#define AP_AREA_PAGES (sizeof(struct ap_area) / PAGE_SIZE)
_Static_assert(sizeof(struct ap_area) == (AP_DF_STACK_PAGES + AP_STACK_PAGES + 1) * PAGE_SIZE,
	       "per-CPU data fits one page");

/* The trampoline's parameter block (trampoline.S, smp_trampoline_params). */
struct trampoline_params {
	u16 gdt_limit;
	u32 gdt_base;
	u16 pad0;
	u32 far32_offset;
	u16 far32_sel, pad1;
	u32 far64_offset;
	u16 far64_sel, pad2;
	u32 cr3;
	u64 efer;
} __packed;

extern const char smp_trampoline[], smp_trampoline_end[], smp_trampoline_params[];
extern u64 boot_pml4[];

/* ---- TLB shootdown ---- */

struct tlb_request {
	vaddr_t start;
	size_t len;
	volatile u64 pending; /* CPUs that have not flushed yet */
} __aligned(64);
static struct tlb_request tlb_requests[MAX_CPUS]; /* by sender's cpu_id */

/* Ranges longer than this are flushed whole (a CR3 reload), as Linux's
 * tlb_single_page_flush_ceiling. Kernel ranges are global pages, which a reload keeps. */
#define TLB_FLUSH_PAGES_MAX 33

static void flush_local(vaddr_t start, size_t len)
{
	vaddr_t first = PAGE_ALIGN_DOWN(start), end = PAGE_ALIGN_UP(start + len);
	bool kernel = start >= USER_TOP;
	if (len == 0 || (!kernel && (end - first) / PAGE_SIZE > TLB_FLUSH_PAGES_MAX)) {
		write_cr3(read_cr3());
		return;
	}
	for (vaddr_t va = first; va < end; va += PAGE_SIZE)
		invlpg(va);
}

/* Interrupts stay off while a request is read and answered: a VEC_TLB handler nested in
 * between could answer it first, and the sender could then post its next request, whose bit
 * this loop would clear having flushed the old range. */
void tlb_shootdown_service(void)
{
	u64 flags = local_irq_save();
	u64 bit = 1UL << this_cpu()->cpu_id;
	for (int s = 0; s < ncpus; s++) {
		struct tlb_request *r = &tlb_requests[s];
		if (__atomic_load_n(&r->pending, __ATOMIC_ACQUIRE) & bit) {
			flush_local(r->start, r->len);
			__atomic_fetch_and(&r->pending, ~bit, __ATOMIC_RELEASE);
		}
	}
	local_irq_restore(flags);
}

void tlb_shootdown(vaddr_t start, size_t len)
{
	if (ncpus == 1) {
		flush_local(start, len);
		return;
	}
	/* Interrupts off throughout: a handler on this CPU must not post a request in this CPU's
	 * slot while it is in use. */
	u64 flags = local_irq_save();
	flush_local(start, len);
	u32 me = this_cpu()->cpu_id;
	/* The caller's page-table writes must be visible before tlb_cpus is read (x86 lets a load
	 * pass earlier stores). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	u64 others = tlb_cpus & ~(1UL << me);
	if (!others) {
		local_irq_restore(flags);
		return;
	}
	struct tlb_request *r = &tlb_requests[me];
	r->start = start;
	r->len = len;
	__atomic_store_n(&r->pending, others, __ATOMIC_RELEASE);
	u64 all_others = (ncpus == 64 ? ~0UL : (1UL << ncpus) - 1) & ~(1UL << me);
	if (others == all_others) {
		lapic_send_ipi_others(VEC_TLB);
	} else {
		for (int c = 0; c < ncpus; c++)
			if (others & (1UL << c))
				lapic_send_ipi(cpus[c]->apic_id, VEC_TLB);
	}
	u64 left;
	while ((left = __atomic_load_n(&r->pending, __ATOMIC_ACQUIRE))) {
		/* A CPU that went idle or parked since holds nothing of the app any more. */
		u64 gone = left & ~tlb_cpus;
		if (gone)
			__atomic_fetch_and(&r->pending, ~gone, __ATOMIC_RELEASE);
		tlb_shootdown_service();
		cpu_relax();
	}
	local_irq_restore(flags);
}

void tlb_idle_enter(void)
{
	u32 me = this_cpu()->cpu_id;
	if (ncpus == 1 || idle_saved_cr3[me])
		return;
	idle_saved_cr3[me] = read_cr3();
	write_cr3(kernel_only_pml4);
	__atomic_fetch_and(&tlb_cpus, ~(1UL << me), __ATOMIC_SEQ_CST);
}

void tlb_idle_exit(void)
{
	u32 me = this_cpu()->cpu_id;
	if (!idle_saved_cr3[me])
		return;
	__atomic_fetch_or(&tlb_cpus, 1UL << me, __ATOMIC_SEQ_CST);
	write_cr3(idle_saved_cr3[me]);
	idle_saved_cr3[me] = 0;
}

void smp_park(void)
{
	__asm__ volatile("cli");
	u64 bit = 1UL << this_cpu()->cpu_id;
	tlb_idle_enter();
	__atomic_fetch_and(&tlb_cpus, ~bit, __ATOMIC_SEQ_CST);
	__atomic_fetch_and(&cpu_online_mask, ~bit, __ATOMIC_SEQ_CST);
	halt_forever();
}

/* Until the scheduler provides the real one: stay out of the way. */
__attribute__((weak)) void sched_ap_entry(void)
{
	smp_park();
}

/* ---- start-up ---- */

/* An AP, on its own stack, interrupts off, on the kernel's page tables and the trampoline's
 * GDT. */
void __noreturn ap_start(struct ap_slot *slot)
{
	struct percpu *pc = slot->pc;
	struct ap_area *area = (struct ap_area *)((u8 *)pc - offsetof(struct ap_area, cpu.pc));
	gdt_init_cpu(pc, &area->cpu.tables, (u64)area->df_stack + sizeof(area->df_stack));
	idt_load();
	cpu_init_ap();
	syscall_init();
	lapic_init();
	/* Already AP_ARRIVED: an INIT from wake_aps sent this CPU round again. */
	u32 expected = AP_WAITING;
	if (!__atomic_compare_exchange_n(&slot->state, &expected, AP_ARRIVED, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) &&
	    expected != AP_ARRIVED)
		halt_forever(); /* too late: smp_init gave up on this CPU */
	lapic_send_ipi(cpus[0]->apic_id, VEC_WAKE);
	while (!__atomic_load_n(&ap_go, __ATOMIC_ACQUIRE))
		__asm__ volatile("sti; hlt; cli" : : : "memory"); /* smp_init sends VEC_WAKE */
	if (cpu_features.rdtscp)
		wrmsr(MSR_TSC_AUX, pc->cpu_id); /* what rdtscp and rdpid tell the app (Linux's) */
	__atomic_fetch_or(&tlb_cpus, 1UL << pc->cpu_id, __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&cpu_online_mask, 1UL << pc->cpu_id, __ATOMIC_SEQ_CST);
	sched_ap_entry();
}

/* MAX_CPUS, or fewer when the command line says monos.maxcpus=N (N >= 1). */
static int cpu_limit(void)
{
	static const char key[] = "monos.maxcpus=";
	const char *c = bootinfo.cmdline;
	int limit = MAX_CPUS;
	while (c && *c) {
		while (*c == ' ')
			c++;
		const char *w = c;
		while (*c && *c != ' ')
			c++;
		size_t n = c - w, k = sizeof(key) - 1;
		u64 v;
		if (n > k && memcmp(w, key, k) == 0 && parse_u64(w + k, n - k, &v) && v >= 1 &&
		    v < (u64)limit)
			limit = (int)v;
	}
	return limit;
}

/* The highest page below 1 MiB that the memory map calls RAM (the allocator never hands out
 * memory below 1 MiB, so it is ours), as Linux puts its trampoline; 0 if there is none. */
static paddr_t trampoline_page(void)
{
	paddr_t best = 0;
	for (int i = 0; i < bootinfo.nram; i++) {
		paddr_t s = MAX(bootinfo.ram[i].start, 0x1000), e = MIN(bootinfo.ram[i].end, 0x100000);
		if (e >= s + PAGE_SIZE && e - PAGE_SIZE > best)
			best = e - PAGE_SIZE;
	}
	return best;
}

static void make_kernel_only_pml4(void)
{
	kernel_only_pml4 = page_alloc();
	if (!kernel_only_pml4)
		panic("smp: no memory for a page table");
	u64 *dst = phys_to_virt(kernel_only_pml4), *src = phys_to_virt(read_cr3() & ~0xfffUL);
	for (int i = 0; i < 256; i++) { /* word by word: memset and memcpy go byte by byte */
		dst[i] = 0;
		dst[i + 256] = src[i + 256];
	}
}

static void copy_trampoline(paddr_t page)
{
	size_t size = smp_trampoline_end - smp_trampoline;
	u8 *dst = phys_to_virt(page);
	memcpy(dst, smp_trampoline, size);
	struct trampoline_params *p = (void *)(dst + (smp_trampoline_params - smp_trampoline));
	p->gdt_base += page;
	p->far32_offset += page;
	p->far64_offset += page;
	p->cr3 = (u32)(paddr_t)boot_pml4; /* .boot.data is linked at its physical address */
	p->efer = rdmsr(MSR_EFER) & ~(u64)EFER_LMA;
	smp_kernel_cr3 = read_cr3();
}

/* Sets up a slot for each AP; returns how many. */
static u32 prepare_slots(const u32 *ids, int n, u32 self)
{
	u32 count = 0;
	int limit = cpu_limit();
	for (int i = 0; i < n && (int)count + 1 < limit; i++) {
		if (ids[i] == self)
			continue;
		if (ids[i] >= 0xff) {
			kprintf("smp: APIC id %u needs x2APIC mode: CPU left out\n", ids[i]);
			continue;
		}
		paddr_t mem = pages_alloc(AP_AREA_PAGES);
		if (!mem) {
			kprintf("smp: no memory for more than %u CPUs\n", count + 1);
			break;
		}
		struct ap_area *area = phys_to_virt(mem);
		memset(&area->cpu.pc, 0, sizeof(area->cpu.pc)); /* gdt_init_cpu fills the tables */
		ap_slots[count] = (struct ap_slot){
			.apic_id = ids[i],
			.state = AP_WAITING,
			.stack_top = (u64)area->stack + sizeof(area->stack),
			.pc = &area->cpu.pc,
		};
		count++;
	}
	return count;
}

static void delay_us(u64 us)
{
	u64 end = rdtsc() + tsc_khz() * us / 1000;
	while (rdtsc() < end)
		cpu_relax();
}

/* Halts with interrupts on until done() or the TSC passes `until`: each AP sends VEC_WAKE when
 * it arrives, the timer sends one at `until`. A spin would do, but under QEMU's TCG each pause
 * takes the lock that the APs' register accesses and start-up need, and an AP then starts in
 * tens of milliseconds instead of one. */
static bool wait_until(bool (*done)(void), u64 until)
{
	for (;;) {
		if (done())
			return true;
		if (rdtsc() >= until)
			return false;
		lapic_wake_at(until);
		__asm__ volatile("sti; hlt; cli" : : : "memory"); /* no interrupt slips in between */
	}
}

static bool all_started(void)
{
	for (u32 i = 0; i < ap_slot_count; i++)
		if (!ap_slots[i].started)
			return false;
	return true;
}

/* A CPU the firmware never started waits for a STARTUP IPI, and one alone starts it. Firmware
 * that did start the APs (SeaBIOS on pc/q35) parks them where a STARTUP is ignored: those need
 * INIT first, then STARTUP twice, as the SDM's MP initialisation (8.4.4.1) and Linux do; the
 * waits there are for real hardware, which hypervisors do not need (Linux skips them too).
 * Sending INIT only to the CPUs that did not answer the first STARTUP matters under QEMU's
 * -icount: an INIT there charges a whole time slice (~26 ms) to the virtual clock. An INIT may
 * still reach a CPU that was merely slow: it starts over, and ap_start allows for that. */
static void wake_aps(paddr_t page)
{
	bool wait = !cpu_features.hypervisor;
	for (u32 i = 0; i < ap_slot_count; i++)
		lapic_send_startup(ap_slots[i].apic_id, page);
	wait_until(all_started, rdtsc() + tsc_khz() / 5); /* 200 us */
	u64 again = 0; /* the slots sent INIT: they need the STARTUPs whatever they did before */
	for (u32 i = 0; i < ap_slot_count; i++)
		if (!ap_slots[i].started)
			again |= 1UL << i;
	if (!again)
		return;
	for (u32 i = 0; i < ap_slot_count; i++)
		if (again & (1UL << i))
			lapic_send_init(ap_slots[i].apic_id);
	if (wait)
		delay_us(10000);
	for (int round = 0; round < 2; round++) {
		for (u32 i = 0; i < ap_slot_count; i++)
			if (again & (1UL << i))
				lapic_send_startup(ap_slots[i].apic_id, page);
		if (wait)
			delay_us(200);
	}
}

static bool all_arrived(void)
{
	for (u32 i = 0; i < ap_slot_count; i++)
		if (ap_slots[i].state != AP_ARRIVED)
			return false;
	return true;
}

/* Waits up to 1 s for every AP to arrive; abandons the rest; returns how many arrived. */
static u32 wait_for_aps(u64 start)
{
	if (wait_until(all_arrived, start + tsc_khz() * 1000))
		return ap_slot_count;
	char missing[256];
	size_t len = 0;
	u32 arrived = 0;
	for (u32 i = 0; i < ap_slot_count; i++) {
		u32 expected = AP_WAITING;
		if (__atomic_compare_exchange_n(&ap_slots[i].state, &expected, AP_ABANDONED, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			if (len < sizeof(missing) - 12)
				len += snprintf(missing + len, sizeof(missing) - len, " %u",
						ap_slots[i].apic_id);
		} else {
			arrived++;
		}
	}
	kprintf("smp: no answer within 1 s from the CPUs with APIC ids%s\n", missing);
	return arrived;
}

void smp_init(void)
{
	if (cpu_features.rdtscp)
		wrmsr(MSR_TSC_AUX, 0);
	u32 self = lapic_id();
	u32 ids[MAX_CPUS * 2];
	paddr_t lapic_base; /* unused: each CPU's IA32_APIC_BASE is what it answers to (lapic.c) */
	int n = acpi_madt_cpus(ids, ARRAY_SIZE(ids), &lapic_base);
	if (n < 0) {
		kprintf("smp: no ACPI MADT: one CPU\n");
		return;
	}
	if (n <= 1)
		return;
	paddr_t page = trampoline_page();
	if (!page) {
		kprintf("smp: no RAM below 1 MiB for the AP trampoline: one CPU\n");
		return;
	}
	u64 start = rdtsc();
	ap_slot_count = prepare_slots(ids, MIN(n, (int)ARRAY_SIZE(ids)), self);
	if (!ap_slot_count) {
		kprintf("smp: one CPU (monos.maxcpus, or no other usable CPU)\n");
		return;
	}
	lapic_timer_calibrate(); /* the APs' timers use the boot CPU's measurement */
	make_kernel_only_pml4();
	copy_trampoline(page);
	wake_aps(page);
	u32 arrived = wait_for_aps(start);
	lapic_timer_stop();

	/* Number the CPUs that answered, in MADT order, then let them go. */
	for (u32 i = 0; i < ap_slot_count; i++) {
		if (ap_slots[i].state != AP_ARRIVED)
			continue;
		struct percpu *pc = ap_slots[i].pc;
		pc->cpu_id = (u32)ncpus;
		cpus[ncpus++] = pc;
	}
	__atomic_store_n(&ap_go, true, __ATOMIC_RELEASE);
	for (int c = 1; c < ncpus; c++)
		lapic_send_ipi(cpus[c]->apic_id, VEC_WAKE);
	kprintf("smp: %d CPUs (%u started of %d listed, trampoline at %lx) in %lu us\n", ncpus,
		arrived, n, page, (rdtsc() - start) * 1000 / tsc_khz());
}
