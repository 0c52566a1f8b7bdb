/* Boot order: what each step needs is set up by the steps before it. */
#include "core/bootinfo.h"
#include "core/cmdline.h"
#include "core/memlog.h"
#include "core/log.h"
#include "core/random.h"
#include "core/time.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/smp.h"
#include "drivers/serial.h"
#include "drivers/console.h"
#include "drivers/ctl.h"
#include "drivers/power.h"
#include "drivers/virtio/net.h"
#include "drivers/virtio/virtio.h"
#include "fs/initramfs.h"
#include "fs/stdio.h"
#include "fs/vfs.h"
#include "fs/procfs.h"
#include "net/netif_virtio.h"
#include "mm/pmm.h"
#include "mm/paging.h"
#include "mm/vm.h"
#include "proc/process.h"
#include "sched/bkl.h"
#include "sched/sched.h"

/* The legacy PICs may still be wired to the timer by the firmware: mask them so no interrupt
 * arrives before the kernel has handlers for it. */
static void mask_legacy_pics(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

void __noreturn kmain(paddr_t start_info)
{
	serial_init();
	bootinfo_parse(start_info);
	cmdline_parse(bootinfo.cmdline);
	log_verbose = options.verbose;
	ctl_enabled = options.ctl_debugcon;
	console_init(options.tty_mask);
	gdt_init();
	idt_init();
	mask_legacy_pics();
	cpu_init();
	syscall_init();
	pmm_init();
	paging_init();
	lapic_init();
	power_init(bootinfo.rsdp);
	time_init();
	random_init();
	/* Devices: interrupts reach the boot CPU through the I/O APIC (none on PCI with MSI-X). */
	ioapic_init();
	virtio_init();
	kprintf("monos: %lu MiB RAM, initrd %lu bytes, cmdline \"%s\"\n",
		pmm_total_pages() * PAGE_SIZE >> 20, bootinfo.initrd_size, bootinfo.cmdline);
	if (!bootinfo.initrd_size)
		panic("no initramfs: boot with -initrd (monos run does)");
	if (!initramfs_init(phys_to_virt(bootinfo.initrd_start), bootinfo.initrd_size))
		power_off(126);
	if (!vfs_init() || !procfs_init())
		power_off(126);
	vm_init();
	proc_init();
	sched_init();
	stdio_init();
	/* lwIP and the probe need the heap and kernel timers; DHCP's exchange overlaps the CPUs'
	 * start. */
	if (options.netprobe_arp)
		vnet_probe_start(options.netprobe_arp);
	else
		netif_virtio_start();
	bkl_lock();
	memlog_start(options.memlog_seconds);
	bkl_unlock();
	smp_init();
	sched_smp_ready();
	netif_virtio_wait_address(3000); /* a program that serves or connects needs it bound */
	exec_start();
	/* exec_start returns only when the program could not be started; it said why. */
	power_off(126);
}
