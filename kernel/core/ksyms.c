/* Binary search over the generated, address-sorted symbol table. */
#include "core/ksyms.h"

struct ksym {
	u64 addr;
	const char *name;
};
/* Weak so that the first link pass, which has no table yet, still links. */
extern const struct ksym ksyms[] __attribute__((weak));
extern const u64 ksyms_count __attribute__((weak));

const char *ksym_lookup(u64 addr, u64 *offset)
{
	if (!ksyms || !&ksyms_count || ksyms_count == 0 || addr < ksyms[0].addr)
		return NULL;
	u64 lo = 0, hi = ksyms_count;
	while (hi - lo > 1) {
		u64 mid = (lo + hi) / 2;
		if (ksyms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms[lo].addr;
	return ksyms[lo].name;
}
