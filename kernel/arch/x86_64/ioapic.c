/* The I/O APICs (82093AA register layout, as QEMU models it): each has an index register at +0
 * and a data window at +0x10; redirection entry n is the register pair 0x10+2n (low: vector,
 * polarity, trigger, mask) and 0x11+2n (high: destination APIC id in bits 24..31). Found in the
 * MADT with the ISA interrupt source overrides. Boot CPU only, before the other CPUs start;
 * afterwards only mask/unmask run, under the big kernel lock or from the one handler. */
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "core/log.h"
#include "drivers/acpi.h"
#include "mm/paging.h"
#include "errno.h"

#define PTE_PWT (1UL << 3)
#define PTE_PCD (1UL << 4)

#define MAX_IOAPICS 4
#define MAX_OVERRIDES 16

#define MADT_IOAPIC 1   /* u8 id, u8 reserved, u32 address, u32 gsi base */
#define MADT_OVERRIDE 2 /* u8 bus, u8 source irq, u32 gsi, u16 MPS INTI flags */

#define IOAPIC_VER 1
#define IOAPIC_REDIR(n) (0x10 + 2 * (n))
#define REDIR_ACTIVE_LOW (1u << 13)
#define REDIR_LEVEL (1u << 15)
#define REDIR_MASKED (1u << 16)

struct ioapic {
	volatile u32 *regs;
	u32 gsi_base, count;
};

struct override {
	u8 irq;
	u32 gsi;
	int flags;
};

static struct ioapic ioapics[MAX_IOAPICS];
static int n_ioapics;
static struct override overrides[MAX_OVERRIDES];
static int n_overrides;

volatile void *mmio_map(paddr_t base)
{
	vaddr_t va = (vaddr_t)phys_to_virt(base);
	u64 *t = phys_to_virt(read_cr3() & PTE_ADDR);
	for (int level = 3; level > 1; level--) {
		u64 e = t[(va >> (12 + 9 * level)) & 511];
		if (!(e & PTE_P) || (e & PTE_PS))
			panic("mmio: %lx is not in the direct map's 2 MiB pages", base);
		t = phys_to_virt(e & PTE_ADDR);
	}
	u64 *pde = &t[(va >> 21) & 511];
	if ((*pde & (PTE_P | PTE_PS)) != (PTE_P | PTE_PS))
		panic("mmio: %lx is not in the direct map's 2 MiB pages", base);
	if ((*pde & (PTE_PCD | PTE_PWT)) != (PTE_PCD | PTE_PWT)) {
		*pde |= PTE_PCD | PTE_PWT;
		invlpg(va & ~0x1fffffUL);
	}
	return (volatile void *)va;
}

static u32 reg_read(struct ioapic *a, u32 reg)
{
	a->regs[0] = reg;
	return a->regs[4];
}

static void reg_write(struct ioapic *a, u32 reg, u32 v)
{
	a->regs[0] = reg;
	a->regs[4] = v;
}

/* MPS INTI flags: polarity bits 0..1 (3 = active low), trigger bits 2..3 (3 = level);
 * 0 in either means the bus default (ISA: high, edge). */
static int inti_flags(u16 f)
{
	return ((f >> 2 & 3) == 3 ? IRQ_LEVEL : IRQ_EDGE) | ((f & 3) == 3 ? IRQ_ACTIVE_LOW : IRQ_ACTIVE_HIGH);
}

static void add_ioapic(paddr_t base, u32 gsi_base)
{
	struct ioapic *a = &ioapics[n_ioapics];
	a->regs = mmio_map(base);
	a->gsi_base = gsi_base;
	u32 ver = reg_read(a, IOAPIC_VER);
	if (ver == 0xffffffffu)
		return; /* nothing there */
	a->count = (ver >> 16 & 0xff) + 1;
	for (u32 i = 0; i < a->count; i++) {
		reg_write(a, IOAPIC_REDIR(i) + 1, 0);
		reg_write(a, IOAPIC_REDIR(i), REDIR_MASKED);
	}
	n_ioapics++;
	kprintf("ioapic: %lx gsi %u..%u\n", base, a->gsi_base, a->gsi_base + a->count - 1);
}

static void madt_entry(const u8 *e, void *arg)
{
	(void)arg;
	if (e[0] == MADT_IOAPIC && e[1] >= 12 && n_ioapics < MAX_IOAPICS) {
		add_ioapic(*(const u32 *)(e + 4), *(const u32 *)(e + 8));
	} else if (e[0] == MADT_OVERRIDE && e[1] >= 10 && e[2] == 0 && n_overrides < MAX_OVERRIDES) {
		struct override *o = &overrides[n_overrides++];
		o->irq = e[3];
		o->gsi = *(const u32 *)(e + 4);
		o->flags = inti_flags(*(const u16 *)(e + 8));
	}
}

/* Without ACPI (Firecracker before 1.5 has only an MP table; microvm with acpi=off), the one
 * I/O APIC at the standard address, GSIs from 0, as Linux assumes for such machines. */
#define IOAPIC_DEFAULT_BASE 0xfec00000UL

bool ioapic_init(void)
{
	acpi_madt_foreach(madt_entry, NULL);
	if (!n_ioapics)
		add_ioapic(IOAPIC_DEFAULT_BASE, 0);
	return n_ioapics > 0;
}

static struct ioapic *serving(u32 gsi, u32 *pin)
{
	for (int i = 0; i < n_ioapics; i++)
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].count) {
			*pin = gsi - ioapics[i].gsi_base;
			return &ioapics[i];
		}
	return NULL;
}

int ioapic_route(u32 gsi, u8 vector, int flags)
{
	u32 pin;
	struct ioapic *a = serving(gsi, &pin);
	if (!a)
		return -ENODEV;
	u32 low = vector | REDIR_MASKED;
	if (flags & IRQ_LEVEL)
		low |= REDIR_LEVEL;
	if (flags & IRQ_ACTIVE_LOW)
		low |= REDIR_ACTIVE_LOW;
	reg_write(a, IOAPIC_REDIR(pin), REDIR_MASKED);
	reg_write(a, IOAPIC_REDIR(pin) + 1, lapic_id() << 24); /* physical destination: this CPU */
	reg_write(a, IOAPIC_REDIR(pin), low);
	return 0;
}

u32 ioapic_isa_gsi(u8 irq, int *flags)
{
	for (int i = 0; i < n_overrides; i++)
		if (overrides[i].irq == irq) {
			*flags = overrides[i].flags;
			return overrides[i].gsi;
		}
	*flags = IRQ_EDGE | IRQ_ACTIVE_HIGH;
	return irq;
}

static void set_mask(u32 gsi, bool masked)
{
	u32 pin;
	struct ioapic *a = serving(gsi, &pin);
	if (!a)
		return;
	u32 low = reg_read(a, IOAPIC_REDIR(pin));
	reg_write(a, IOAPIC_REDIR(pin), masked ? low | REDIR_MASKED : low & ~REDIR_MASKED);
}

void ioapic_mask(u32 gsi) { set_mask(gsi, true); }
void ioapic_unmask(u32 gsi) { set_mask(gsi, false); }
