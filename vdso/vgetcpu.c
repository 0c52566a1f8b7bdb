/* The vDSO's getcpu: the CPU number from IA32_TSC_AUX, which the kernel sets on each CPU to
 * node << 12 | cpu (Linux's encoding), read with RDPID when the CPU has it, else RDTSCP; without
 * either the kernel answers. */
#include "vdso.h"
#include <asm/unistd.h>

struct getcpu_cache;

long __vdso_getcpu(unsigned *cpu, unsigned *node, struct getcpu_cache *unused)
{
	unsigned long aux;
	switch (vdso_data.getcpu_method) {
	case VDSO_GETCPU_RDPID:
		__asm__ volatile("rdpid %0" : "=r"(aux));
		break;
	case VDSO_GETCPU_RDTSCP: {
		unsigned lo, hi, c;
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c));
		aux = c;
		break;
	}
	default:
		return vdso_syscall3(__NR_getcpu, (long)cpu, (long)node, (long)unused);
	}
	if (cpu)
		*cpu = aux & 0xfff;
	if (node)
		*node = (unsigned)(aux >> 12);
	return 0;
}

long getcpu(unsigned *, unsigned *, struct getcpu_cache *) __attribute__((weak, alias("__vdso_getcpu")));
