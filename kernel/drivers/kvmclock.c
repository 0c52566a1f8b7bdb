/* kvmclock (Documentation/virt/kvm/x86/msr.rst): the hypervisor fills a pvclock_vcpu_time_info
 * with the factors that turn TSC ticks into nanoseconds, ns = ((ticks << shift) * mul) >> 32
 * (a negative shift shifts right). Inverting them gives the TSC frequency without a calibration
 * loop. We register the structure once, read it, and unregister it. */
#include "drivers/kvmclock.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

#define KVM_CPUID_SIGNATURE 0x40000000
#define KVM_CPUID_FEATURES 0x40000001
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01

struct pvclock_vcpu_time_info {
	u32 version, pad0;
	u64 tsc_timestamp, system_time;
	u32 tsc_to_system_mul;
	s8 tsc_shift;
	u8 flags, pad[2];
} __packed;

static struct pvclock_vcpu_time_info clock_info __aligned(64);

u64 kvmclock_tsc_khz(void)
{
	if (!cpu_features.hypervisor)
		return 0;
	u32 a, b, c, d;
	cpuid(KVM_CPUID_SIGNATURE, 0, &a, &b, &c, &d);
	char sig[13] = { 0 };
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	if (memcmp(sig, "KVMKVMKVM\0\0\0", 12) != 0 || a < KVM_CPUID_FEATURES)
		return 0;
	cpuid(KVM_CPUID_FEATURES, 0, &a, &b, &c, &d);
	if (!(a & KVM_FEATURE_CLOCKSOURCE2))
		return 0;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, virt_to_phys(&clock_info) | 1);
	u32 version;
	u64 mul;
	s8 shift;
	do { /* an odd version means the hypervisor is writing the structure */
		version = __atomic_load_n(&clock_info.version, __ATOMIC_ACQUIRE);
		mul = clock_info.tsc_to_system_mul;
		shift = clock_info.tsc_shift;
	} while ((version & 1) || version != __atomic_load_n(&clock_info.version, __ATOMIC_ACQUIRE));
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
	if (!mul)
		return 0;
	/* ticks per ns = 2^32 / mul / 2^shift, so kHz = 10^6 * 2^32 / mul, shifted back. */
	u64 khz = (1000000UL << 32) / mul;
	return shift >= 0 ? khz >> shift : khz << -shift;
}
