/* /proc/cpuinfo as Linux 6.1 prints it on x86 (arch/x86/kernel/cpu/proc.c), from CPUID read now:
 * the identification, the cache size, and the feature flags under Linux's names
 * (arch/x86/include/asm/cpufeatures.h), in Linux's order of capability words. Features whose
 * register state monos did not enable in XCR0 are left out, as Linux clears them. */
#include "fs/procfs_internal.h"
#include "arch/x86_64/cpu.h"
#include "core/time.h"
#include "lib/string.h"

#define HZ 250 /* Debian's CONFIG_HZ: bogomips are loops_per_jiffy scaled by it */

enum { EAX, EBX, ECX, EDX };

/* One of Linux's capability words: a CPUID register, or (leaf 0) Linux's own synthetic word 3. */
struct flag_word {
	u32 leaf, sub;
	u8 reg;
	const char *names[32];
};

static const struct flag_word flag_words[] = {
	/* word 0 */
	{ 1, 0, EDX, { "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", NULL,
		       "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", NULL, "dts",
		       "acpi", "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
	/* word 1: only the bits that are not copies of word 0's */
	{ 0x80000001, 0, EDX, { [11] = "syscall", [19] = "mp", [20] = "nx", [22] = "mmxext",
				[25] = "fxsr_opt", [26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm",
				[30] = "3dnowext", [31] = "3dnow" } },
	/* word 3: Linux's synthetic bits that CPUID decides */
	{ 0, 0, 0, { [8] = "constant_tsc", [24] = "nonstop_tsc", [25] = "cpuid" } },
	/* word 4; bit 27 (OSXSAVE) has no name */
	{ 1, 0, ECX, { "pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est", "tm2",
		       "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", NULL, "pcid", "dca",
		       "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes",
		       "xsave", NULL, "avx", "f16c", "rdrand", "hypervisor" } },
	/* word 6 */
	{ 0x80000001, 0, ECX, { "lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm",
				"sse4a", "misalignsse", "3dnowprefetch", "osvw", "ibs", "xop",
				"skinit", "wdt", NULL, "lwp", "fma4", "tce", NULL, "nodeid_msr", NULL,
				"tbm", "topoext", "perfctr_core", "perfctr_nb", NULL, "bpext", "ptsc",
				"perfctr_llc", "mwaitx" } },
	/* word 9 */
	{ 7, 0, EBX, { "fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", NULL, "smep", "bmi2",
		       "erms", "invpcid", "rtm", "cqm", NULL, NULL, "rdt_a", "avx512f", "avx512dq",
		       "rdseed", "adx", "smap", "avx512ifma", NULL, "clflushopt", "clwb", "intel_pt",
		       "avx512pf", "avx512er", "avx512cd", "sha_ni", "avx512bw", "avx512vl" } },
	/* word 10 */
	{ 0xd, 1, EAX, { "xsaveopt", "xsavec", "xgetbv1", "xsaves" } },
	/* word 12 */
	{ 7, 1, EAX, { [4] = "avx_vnni", [5] = "avx512_bf16" } },
	/* word 13 */
	{ 0x80000008, 0, EBX, { [0] = "clzero", [1] = "irperf", [2] = "xsaveerptr", [4] = "rdpru",
				[9] = "wbnoinvd" } },
	/* word 14 */
	{ 6, 0, EAX, { [0] = "dtherm", [1] = "ida", [2] = "arat", [4] = "pln", [6] = "pts",
		       [7] = "hwp", [8] = "hwp_notify", [9] = "hwp_act_window", [10] = "hwp_epp",
		       [11] = "hwp_pkg_req" } },
	/* word 16 */
	{ 7, 0, ECX, { [1] = "avx512vbmi", [2] = "umip", [3] = "pku", [4] = "ospke", [5] = "waitpkg",
		       [6] = "avx512_vbmi2", [8] = "gfni", [9] = "vaes", [10] = "vpclmulqdq",
		       [11] = "avx512_vnni", [12] = "avx512_bitalg", [13] = "tme",
		       [14] = "avx512_vpopcntdq", [16] = "la57", [22] = "rdpid",
		       [24] = "bus_lock_detect", [25] = "cldemote", [27] = "movdiri",
		       [28] = "movdir64b", [29] = "enqcmd", [30] = "sgx_lc" } },
	/* word 17 */
	{ 0x80000007, 0, EBX, { [0] = "overflow_recov", [1] = "succor", [3] = "smca" } },
	/* word 18 */
	{ 7, 0, EDX, { [2] = "avx512_4vnniw", [3] = "avx512_4fmaps", [4] = "fsrm",
		       [8] = "avx512_vp2intersect", [10] = "md_clear", [14] = "serialize",
		       [16] = "tsxldtrk", [18] = "pconfig", [19] = "arch_lbr", [20] = "ibt",
		       [22] = "amx_bf16", [23] = "avx512_fp16", [24] = "amx_tile", [25] = "amx_int8",
		       [28] = "flush_l1d", [29] = "arch_capabilities" } },
};

/* x86_power_flags: CPUID 0x80000007 EDX; bit 8 (invariant TSC) prints as constant_tsc instead. */
static const char *const power_flags[] = {
	"ts", "fid", "vid", "ttp", "tm", "stc", "100mhzsteps", "hwpstate", "", "cpb", "eff_freq_ro",
	"proc_feedback", "acc_power",
};

struct cpu_ids {
	u32 max, maxext, sub7;
	u32 sig, ebx1;
};

static u32 cpuid_reg(u32 leaf, u32 sub, int reg)
{
	u32 r[4];
	cpuid(leaf, sub, &r[EAX], &r[EBX], &r[ECX], &r[EDX]);
	return r[reg];
}

static u32 word_bits(const struct cpu_ids *id, const struct flag_word *w)
{
	if (w->leaf == 0) {
		u32 bits = 1u << 25; /* cpuid */
		if (cpu_features.invariant_tsc)
			bits |= (1u << 8) | (1u << 24);
		return bits;
	}
	if (w->leaf >= 0x80000000 ? w->leaf > id->maxext : w->leaf > id->max)
		return 0;
	if (w->leaf == 7 && w->sub > id->sub7)
		return 0;
	return cpuid_reg(w->leaf, w->sub, w->reg);
}

static bool starts(const char *s, const char *p) { return str_starts_with(s, p); }

/* Linux clears the features whose register state the kernel does not manage. */
static bool usable(const char *name)
{
	u64 xcr0 = cpu_features.xcr0;
	bool avx = xcr0 & (1 << 2), avx512 = (xcr0 & (7 << 5)) == (7 << 5);
	if (starts(name, "avx512"))
		return avx512;
	if (starts(name, "avx") || starts(name, "fma") || !strcmp(name, "f16c") ||
	    !strcmp(name, "vaes") || !strcmp(name, "vpclmulqdq") || !strcmp(name, "xop"))
		return avx;
	if (starts(name, "xsave") || !strcmp(name, "xgetbv1"))
		return cpu_features.xsave;
	if (starts(name, "amx"))
		return false; /* tile state is never enabled */
	return true;
}

static void put_flags(struct textbuf *t, const struct cpu_ids *id)
{
	tb_put(t, "flags\t\t:", 8);
	for (size_t w = 0; w < ARRAY_SIZE(flag_words); w++) {
		u32 bits = word_bits(id, &flag_words[w]);
		for (int b = 0; b < 32; b++) {
			const char *name = flag_words[w].names[b];
			if (!(bits & (1u << b)) || !name || !usable(name))
				continue;
			tb_put(t, " ", 1);
			tb_put(t, name, strlen(name));
		}
	}
	tb_put(t, "\n", 1);
}

/* x86_cache_size: Intel's largest cache from leaf 4 (L3, else L2, else L1); the others' L2 from
 * leaf 0x80000006 (cpu_detect_cache_sizes()). In KB; 0 when unknown. */
static u32 cache_size_kb(const struct cpu_ids *id)
{
	if (!strcmp(cpu_features.vendor, "GenuineIntel") && id->max >= 4) {
		u32 size[4] = { 0 };
		for (u32 i = 0; i < 16; i++) {
			u32 a, b, c, d;
			cpuid(4, i, &a, &b, &c, &d);
			u32 type = a & 0x1f, level = (a >> 5) & 7;
			if (!type)
				break;
			u64 bytes = (u64)((b >> 22) + 1) * (((b >> 12) & 0x3ff) + 1) * ((b & 0xfff) + 1) *
				    ((u64)c + 1);
			if (level < 4)
				size[level] += (u32)(bytes / 1024);
		}
		return size[3] ? size[3] : size[2] ? size[2] : size[1];
	}
	if (id->maxext >= 0x80000006)
		return cpuid_reg(0x80000006, 0, ECX) >> 16;
	if (id->maxext >= 0x80000005)
		return (cpuid_reg(0x80000005, 0, ECX) >> 24) + (cpuid_reg(0x80000005, 0, EDX) >> 24);
	return 0;
}

/* The brand string without its leading and trailing blanks, as get_model_name() trims it. */
static void put_model_name(struct textbuf *t)
{
	const char *s = cpu_features.brand;
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	tb_put(t, "model name\t: ", 13);
	if (n)
		tb_put(t, s, n);
	else
		tb_put(t, "unknown", 7);
	tb_put(t, "\n", 1);
}

static void put_identity(struct textbuf *t, const struct cpu_ids *id, int cpu)
{
	u32 family = (id->sig >> 8) & 0xf, model = (id->sig >> 4) & 0xf;
	if (family == 0xf)
		family += (id->sig >> 20) & 0xff;
	if (family >= 6)
		model += ((id->sig >> 16) & 0xf) << 4;
	tb_printf(t, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n", cpu,
		  cpu_features.vendor[0] ? cpu_features.vendor : "unknown", family, model);
	put_model_name(t);
	tb_printf(t, "stepping\t: %u\n", id->sig & 0xf);
	u64 khz = tsc_khz();
	tb_printf(t, "cpu MHz\t\t: %lu.%03lu\n", khz / 1000, khz % 1000);
	u32 cache = cache_size_kb(id);
	if (cache)
		tb_printf(t, "cache size\t: %u KB\n", cache);
	u32 apic = id->ebx1 >> 24;
	tb_printf(t, "physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\n"
		     "apicid\t\t: %u\ninitial apicid\t: %u\n", PROCFS_NR_CPUS, cpu, PROCFS_NR_CPUS,
		  apic, apic);
	tb_printf(t, "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\n", id->max);
}

static void put_sizes(struct textbuf *t, const struct cpu_ids *id)
{
	/* loops_per_jiffy comes from the TSC: tsc_khz * 1000 / HZ. */
	u64 lpj = tsc_khz() * 1000 / HZ;
	tb_printf(t, "bugs\t\t:\nbogomips\t: %lu.%02lu\n", lpj / (500000 / HZ), lpj / (5000 / HZ) % 100);
	/* Outside Intel, the TLB size is the L2 TLB's 4K entries (cpu_detect_cache_sizes()). */
	if (strcmp(cpu_features.vendor, "GenuineIntel") && id->maxext >= 0x80000006) {
		u32 b = cpuid_reg(0x80000006, 0, EBX);
		u32 tlb = ((b >> 16) & 0xfff) + (b & 0xfff);
		if (tlb)
			tb_printf(t, "TLB size\t: %u 4K pages\n", tlb);
	}
	u32 clflush = 64;
	if (cpu_features.hwcap & (1u << 19))
		clflush = ((id->ebx1 >> 8) & 0xff) * 8;
	u32 phys = 36, virt = 48;
	if (id->maxext >= 0x80000008) {
		u32 a = cpuid_reg(0x80000008, 0, EAX);
		phys = a & 0xff;
		virt = (a >> 8) & 0xff;
	}
	tb_printf(t, "clflush size\t: %u\ncache_alignment\t: %u\naddress sizes\t: %u bits physical, "
		     "%u bits virtual\n", clflush, clflush, phys, virt);
	tb_put(t, "power management:", 17);
	u32 power = id->maxext >= 0x80000007 ? cpuid_reg(0x80000007, 0, EDX) : 0;
	for (u32 i = 0; i < 32; i++) {
		if (!(power & (1u << i)))
			continue;
		if (i < ARRAY_SIZE(power_flags)) {
			if (power_flags[i][0])
				tb_printf(t, " %s", power_flags[i]);
		} else {
			tb_printf(t, " [%u]", i);
		}
	}
	tb_put(t, "\n\n", 2);
}

void procfs_cpuinfo(struct textbuf *t, u64 arg)
{
	struct cpu_ids id;
	u32 a, b, c, d;
	cpuid(0, 0, &id.max, &b, &c, &d);
	cpuid(0x80000000, 0, &id.maxext, &b, &c, &d);
	if (id.maxext < 0x80000000 || id.maxext > 0x8000ffff)
		id.maxext = 0;
	cpuid(1, 0, &id.sig, &id.ebx1, &c, &d);
	id.sub7 = 0;
	if (id.max >= 7)
		cpuid(7, 0, &id.sub7, &b, &c, &a);
	for (int cpu = 0; cpu < PROCFS_NR_CPUS; cpu++) {
		put_identity(t, &id, cpu);
		put_flags(t, &id);
		put_sizes(t, &id);
	}
}
