/* Finds the RSDP (from PVH start info, else the BIOS area), the FADT, and the \_S5 package in the
 * DSDT, then powers off through PM1a_CNT (pc, q35) or the hardware-reduced sleep control register
 * (microvm). The MADT lists the processors for smp_init. Tables are read through the direct map,
 * which covers the low 4 GiB. */
#include "drivers/acpi.h"
#include "arch/x86_64/cpu.h"
#include "core/log.h"
#include "lib/string.h"

struct sdt_header {
	char sig[4];
	u32 length;
	u8 rev, checksum;
	char oem[6], oem_table[8];
	u32 oem_rev, creator, creator_rev;
} __packed;

struct gas {
	u8 space, bit_width, bit_offset, access;
	u64 addr;
} __packed;

static const struct sdt_header *root; /* the XSDT or RSDT, NULL without ACPI */
static bool root_is_xsdt;
static u32 pm1a_cnt;        /* I/O port of PM1a_CNT, 0 if none */
static struct gas sleep_ctl; /* hardware-reduced sleep control register */
static int s5_typ = -1;

static bool checksum_ok(const void *p, size_t n)
{
	u8 sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += ((const u8 *)p)[i];
	return sum == 0;
}

static paddr_t find_rsdp_in_bios(void)
{
	for (paddr_t p = 0xe0000; p < 0x100000; p += 16) {
		const char *c = phys_to_virt(p);
		if (memcmp(c, "RSD PTR ", 8) == 0 && checksum_ok(c, 20))
			return p;
	}
	return 0;
}

static const struct sdt_header *table_at(paddr_t p)
{
	if (!p || p >= 0x100000000UL)
		return NULL;
	const struct sdt_header *h = phys_to_virt(p);
	return h->length >= sizeof(*h) && checksum_ok(h, h->length) ? h : NULL;
}

/* \_S5 is "Name(_S5_, Package(){a, b, ...})": after the name, PackageOp, length, count, then the
 * first element, a byte constant (prefixed 0x0a) or a bare 0/1. */
static void parse_s5(const struct sdt_header *dsdt)
{
	const u8 *p = (const u8 *)dsdt, *end = p + dsdt->length;
	for (const u8 *q = p + sizeof(*dsdt); q + 8 < end; q++) {
		if (memcmp(q, "_S5_", 4) != 0 || q[4] != 0x12)
			continue;
		const u8 *e = q + 5;
		e += ((*e >> 6) & 3) + 1; /* PkgLength */
		e++;                      /* NumElements */
		if (*e == 0x0a)
			e++;
		s5_typ = *e & 7;
		return;
	}
}

/* The first valid table with this signature that the root lists, NULL if none. Only tables
 * with the right signature are checksummed. */
static const struct sdt_header *find_table(const char *sig)
{
	if (!root)
		return NULL;
	size_t entry = root_is_xsdt ? 8 : 4, n = (root->length - sizeof(*root)) / entry;
	const u8 *entries = (const u8 *)(root + 1);
	for (size_t i = 0; i < n; i++) {
		paddr_t p = root_is_xsdt ? *(const u64 *)(entries + i * 8)
					 : *(const u32 *)(entries + i * 4);
		if (!p || p >= 0x100000000UL || memcmp(phys_to_virt(p), sig, 4) != 0)
			continue;
		const struct sdt_header *h = table_at(p);
		if (h)
			return h;
	}
	return NULL;
}

void acpi_init(paddr_t rsdp)
{
	if (!rsdp)
		rsdp = find_rsdp_in_bios();
	if (!rsdp)
		return;
	const u8 *r = phys_to_virt(rsdp);
	root_is_xsdt = r[15] >= 2 && *(const u64 *)(r + 24);
	root = table_at(root_is_xsdt ? *(const u64 *)(r + 24) : *(const u32 *)(r + 16));
	const struct sdt_header *h = find_table("FACP");
	if (h) {
		const u8 *f = (const u8 *)h;
		pm1a_cnt = *(const u32 *)(f + 64);
		if (h->length >= 256)
			memcpy(&sleep_ctl, f + 244, sizeof(sleep_ctl));
		paddr_t dsdt = *(const u32 *)(f + 40);
		if (h->length >= 148 && *(const u64 *)(f + 140))
			dsdt = *(const u64 *)(f + 140);
		const struct sdt_header *d = table_at(dsdt);
		if (d)
			parse_s5(d);
	}
	kprintf("acpi: pm1a_cnt %x sleep_ctl %lx s5 %d\n", pm1a_cnt, sleep_ctl.addr, s5_typ);
}

/* MADT entries (ACPI 6.5, 5.2.12): after the header, the local APIC address (u32) and flags
 * (u32), then entries of {type, length}. */
#define MADT_LOCAL_APIC 0          /* u8 processor uid, u8 apic id, u32 flags */
#define MADT_LAPIC_OVERRIDE 5      /* u16 reserved, u64 address */
#define MADT_LOCAL_X2APIC 9        /* u16 reserved, u32 x2apic id, u32 flags, u32 uid */
#define MADT_ENABLED (1u << 0)

int acpi_madt_cpus(u32 *apic_ids, int max, paddr_t *lapic_base)
{
	const struct sdt_header *m = find_table("APIC");
	if (!m || m->length < sizeof(*m) + 8)
		return -1;
	const u8 *p = (const u8 *)m, *end = p + m->length;
	*lapic_base = *(const u32 *)(p + sizeof(*m));
	int n = 0;
	for (const u8 *e = p + sizeof(*m) + 8; e + 2 <= end && e[1] >= 2 && e + e[1] <= end;
	     e += e[1]) {
		u32 id, flags;
		if (e[0] == MADT_LOCAL_APIC && e[1] >= 8) {
			id = e[3];
			flags = *(const u32 *)(e + 4);
		} else if (e[0] == MADT_LOCAL_X2APIC && e[1] >= 16) {
			id = *(const u32 *)(e + 4);
			flags = *(const u32 *)(e + 8);
		} else {
			if (e[0] == MADT_LAPIC_OVERRIDE && e[1] >= 12)
				*lapic_base = *(const u64 *)(e + 4);
			continue;
		}
		if (!(flags & MADT_ENABLED))
			continue;
		if (n < max)
			apic_ids[n] = id;
		n++;
	}
	return n;
}

void acpi_madt_foreach(void (*fn)(const u8 *entry, void *arg), void *arg)
{
	const struct sdt_header *m = find_table("APIC");
	if (!m || m->length < sizeof(*m) + 8)
		return;
	const u8 *p = (const u8 *)m, *end = p + m->length;
	for (const u8 *e = p + sizeof(*m) + 8; e + 2 <= end && e[1] >= 2 && e + e[1] <= end;
	     e += e[1])
		fn(e, arg);
}

/* QEMU microvm's DSDT (hw/i386/acpi-microvm.c) names each virtio-mmio transport with a device as
 * Device (VRnn) { Name (_HID, "LNRO0005") ... Name (_CRS, ResourceTemplate () {
 * Memory32Fixed (base, size), Interrupt (Level, ActiveHigh) { gsi } }) }. Without an AML
 * interpreter, each _HID string is followed to the two resource descriptors after it. */
#define AML_MEMORY32_FIXED 0x86 /* 0x86, length u16 = 9, info, base u32, size u32 */
#define AML_EXT_IRQ 0x89        /* 0x89, length u16, flags, count, gsi u32... */
#define AML_IRQ_EDGE (1u << 1)
#define AML_IRQ_LOW (1u << 2)

int acpi_virtio_mmio(void (*fn)(paddr_t base, u32 size, u32 gsi, int flags))
{
	const struct sdt_header *h = find_table("FACP");
	if (!h)
		return 0;
	const u8 *f = (const u8 *)h;
	paddr_t dsdt_pa = *(const u32 *)(f + 40);
	if (h->length >= 148 && *(const u64 *)(f + 140))
		dsdt_pa = *(const u64 *)(f + 140);
	const struct sdt_header *d = table_at(dsdt_pa);
	if (!d)
		return 0;
	const u8 *p = (const u8 *)d, *end = p + d->length;
	int n = 0;
	for (const u8 *q = p + sizeof(*d); q + 9 < end; q++) {
		if (memcmp(q, "LNRO0005", 9) != 0)
			continue;
		paddr_t base = 0;
		u32 size = 0;
		const u8 *r = q + 9, *stop = MIN(end, q + 96);
		for (; r + 9 <= stop && !base; r++)
			if (r[0] == AML_MEMORY32_FIXED && r[1] == 9 && r[2] == 0) {
				base = *(const u32 *)(r + 4);
				size = *(const u32 *)(r + 8);
			}
		for (; r + 9 <= stop; r++)
			if (r[0] == AML_EXT_IRQ && r[1] >= 6 && r[2] == 0 && r[4] >= 1) {
				int flags = (r[3] & AML_IRQ_EDGE ? 0 : 1) | (r[3] & AML_IRQ_LOW ? 2 : 0);
				fn(base, size, *(const u32 *)(r + 5), flags);
				n++;
				break;
			}
		q = r;
	}
	return n;
}

void acpi_power_off(void)
{
	if (s5_typ < 0)
		return;
	if (sleep_ctl.addr && sleep_ctl.space == 1) /* system I/O */
		outb((u16)sleep_ctl.addr, (u8)((s5_typ << 2) | (1 << 5)));
	if (pm1a_cnt)
		outw((u16)pm1a_cnt, (u16)((s5_typ << 10) | (1 << 13)));
}
