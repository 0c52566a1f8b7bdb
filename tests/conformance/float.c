/*
 * float.c: floating point and the libc/libm routines that use SSE and AVX.
 * glibc picks AVX2/EVEX variants of memcpy, strlen and friends from CPUID
 * and XCR0 at startup, so this is also where a kernel that mis-handles the
 * extended register state shows up. Values are compared with known results
 * (correctly rounded ones exactly, transcendental ones within a few ulps).
 */
#define _GNU_SOURCE
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"

/* Inputs go through volatiles so the compiler cannot fold the libm calls. */
static volatile double v_one = 1.0, v_two = 2.0, v_three = 3.0, v_ten = 10.0;

static uint64_t bits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof(u));
	return u;
}

/* Distance in units in the last place between two finite doubles. */
static uint64_t ulps(double a, double b)
{
	int64_t ia = (int64_t)bits(a), ib = (int64_t)bits(b);
	if (ia < 0)
		ia = INT64_MIN - ia;
	if (ib < 0)
		ib = INT64_MIN - ib;
	return ia > ib ? (uint64_t)(ia - ib) : (uint64_t)(ib - ia);
}

static void check_fmt(const char *name, const char *got, const char *want)
{
	check(strcmp(got, want) == 0, name, "\"%s\", expected \"%s\"", got, want);
}

static void check_close(const char *name, double got, double want, uint64_t max_ulps)
{
	uint64_t d = ulps(got, want);
	check(d <= max_ulps, name, "%.17g, expected %.17g (%llu ulps apart)", got,
	      want, (unsigned long long)d);
}

static void formatting(void)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%.17g", 0.1);
	check_fmt("printf_0.1", buf, "0.10000000000000001");
	snprintf(buf, sizeof(buf), "%.17g", M_PI);
	check_fmt("printf_pi", buf, "3.1415926535897931");
	snprintf(buf, sizeof(buf), "%.17g", 1e23);
	check_fmt("printf_1e23", buf, "9.9999999999999992e+22");
	snprintf(buf, sizeof(buf), "%.17g", 4.9406564584124654e-324);
	check_fmt("printf_denormal_min", buf, "4.9406564584124654e-324");
	snprintf(buf, sizeof(buf), "%f|%.3e|%g|%g", 123456.789, 6.02214076e23, 1e-5, 0.5);
	check_fmt("printf_styles", buf, "123456.789000|6.022e+23|1e-05|0.5");
	snprintf(buf, sizeof(buf), "%.0f %.0f %.0f", 0.5, 1.5, 2.5);
	check_fmt("printf_round_half_even", buf, "0 2 2");
	snprintf(buf, sizeof(buf), "%f %f %e", INFINITY, -INFINITY, NAN);
	check_fmt("printf_inf_nan", buf, "inf -inf nan");

	char *end;
	double d = strtod("2.718281828459045", &end);
	check(bits(d) == bits(M_E) && *end == 0, "strtod_e", "%.17g, expected %.17g", d, M_E);
	d = strtod("0x1p-1074", NULL);
	check(bits(d) == 1, "strtod_hex_denormal", "bits 0x%llx, expected 1",
	      (unsigned long long)bits(d));
	d = strtod("1e-310", NULL);
	check(d == 1e-310 && fpclassify(d) == FP_SUBNORMAL, "strtod_subnormal",
	      "%.17g", d);
	errno = 0;
	d = strtod("1e400", NULL);
	check(d == HUGE_VAL && errno == ERANGE, "strtod_overflow",
	      "%.17g errno %s, expected inf with ERANGE", d, errno_name(errno));
	d = strtod("  -0.000123456789e+3xyz", &end);
	check(d == -0.123456789 && strcmp(end, "xyz") == 0, "strtod_parse",
	      "%.17g rest \"%s\"", d, end);

	/* printf("%.17g") then strtod gives back the same bits, for many doubles. */
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int bad = 0;
	for (int i = 0; i < 20000 && !bad; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double v;
		memcpy(&v, &x, sizeof(v));
		if (!isfinite(v))
			continue;
		snprintf(buf, sizeof(buf), "%.17g", v);
		if (bits(strtod(buf, NULL)) != bits(v)) {
			fail("printf_strtod_roundtrip", "0x%llx printed as %s",
			     (unsigned long long)x, buf);
			bad = 1;
		}
	}
	if (!bad)
		pass("printf_strtod_roundtrip");
}

static void libm(void)
{
	double s = sqrt(v_two);
	check(bits(s) == bits(0x1.6a09e667f3bcdp+0), "sqrt2", "%a", s);
	check_close("sin1", sin(v_one), 0.8414709848078965, 1);
	check_close("cos1", cos(v_one), 0.54030230586813977, 1);
	check_close("exp1", exp(v_one), M_E, 1);
	check_close("log10", log(v_ten), M_LN10, 1);
	check_close("pow_2_0.5", pow(v_two, 0.5), M_SQRT2, 1);
	check_close("atan1", 4 * atan(v_one), M_PI, 1);
	check_close("cbrt3", cbrt(v_three), 1.4422495703074083, 1);
	check(fabs(sinf((float)v_one) - 0.84147098f) < 1e-6f, "sinf1", "%.9g",
	      (double)sinf((float)v_one));
	check(fmod(v_ten, v_three) == 1.0 && floor(-v_one / 2) == -1.0 &&
		      rint(2.5) == 2.0 && lround(2.5) == 3,
	      "rounding_functions", "fmod %g floor %g", fmod(v_ten, v_three),
	      floor(-v_one / 2));

	/* Basel sum: sum 1/k^2 for k <= N is pi^2/6 - 1/N + 1/(2N^2) - ... */
	double sum = 0;
	int n = 1000000;
	for (int k = n; k >= 1; k--)
		sum += v_one / ((double)k * k);
	double want = M_PI * M_PI / 6 - 1.0 / n + 0.5 / ((double)n * n);
	check(fabs(sum - want) < 1e-13, "basel_sum", "%.17g, expected %.17g", sum, want);
}

static void rounding(void)
{
	volatile double third_up, third_down, third_near;

	check_eq("fegetround_default", fegetround(), FE_TONEAREST);
	fesetround(FE_UPWARD);
	third_up = v_one / v_three;
	fesetround(FE_DOWNWARD);
	third_down = v_one / v_three;
	fesetround(FE_TONEAREST);
	third_near = v_one / v_three;
	check(third_up > third_down && ulps(third_up, third_down) == 1 &&
		      (third_near == third_up || third_near == third_down),
	      "fesetround", "up %a down %a nearest %a", third_up, third_down,
	      third_near);

	feclearexcept(FE_ALL_EXCEPT);
	volatile double z = 0.0;
	volatile double r = v_one / z;
	check(isinf(r) && fetestexcept(FE_DIVBYZERO), "fe_divbyzero_flag",
	      "1/0 = %g, flags 0x%x", r, fetestexcept(FE_ALL_EXCEPT));
	feclearexcept(FE_ALL_EXCEPT);
}

static void long_double(void)
{
	char buf[64];
	volatile long double one = 1.0L, three = 3.0L;

	check(sizeof(long double) == 16 && LDBL_MANT_DIG == 64, "long_double_type",
	      "sizeof %zu, LDBL_MANT_DIG %d", sizeof(long double), LDBL_MANT_DIG);
	snprintf(buf, sizeof(buf), "%.21Lg", one / three);
	check_fmt("long_double_third", buf, "0.333333333333333333342");
	volatile long double eps = LDBL_EPSILON;
	check(one + eps > one && one + eps / 4 == one, "long_double_precision",
	      "x87 is not running at 64-bit precision");
	long double r = sqrtl(2.0L);
	snprintf(buf, sizeof(buf), "%.19Lg", r);
	check_fmt("sqrtl2", buf, "1.414213562373095049");
	check(strtold("1.5", NULL) == 1.5L, "strtold", "strtold(\"1.5\") wrong");
}

/* Reference implementations, byte by byte. */
static size_t ref_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static const size_t lengths[] = { 0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64,
				  65, 127, 128, 129, 255, 256, 1000, 4095, 4096, 4097 };
#define NLENGTHS (sizeof(lengths) / sizeof(lengths[0]))
#define BUFSZ (4097 + 64 + 64)

static unsigned char src[BUFSZ], dst[BUFSZ], ref[BUFSZ];

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(1 + (i * 131 + seed * 7) % 251);
}

/* One length at one pair of offsets; the name of the routine that went wrong, or NULL. */
static const char *string_case(size_t sa, size_t da, size_t len, unsigned seed)
{
	fill(src, BUFSZ, seed);
	memset(dst, 0xee, BUFSZ);
	memset(ref, 0xee, BUFSZ);

	memcpy(dst + da, src + sa, len);
	for (size_t i = 0; i < len; i++)
		ref[da + i] = src[sa + i];
	if (memcmp(dst, ref, BUFSZ) != 0)
		return "memcpy";
	memset(dst + da, 0x5c, len);
	for (size_t i = 0; i < len; i++)
		ref[da + i] = 0x5c;
	if (memcmp(dst, ref, BUFSZ) != 0)
		return "memset";

	/* Overlapping moves, up by five bytes and down by three. */
	memcpy(dst, src, BUFSZ);
	memcpy(ref, src, BUFSZ);
	memmove(dst + da + 5, dst + da, len);
	for (size_t i = len; i-- > 0;)
		ref[da + 5 + i] = ref[da + i];
	if (memcmp(dst, ref, BUFSZ) != 0)
		return "memmove_up";
	memmove(dst + sa, dst + sa + 3, len);
	for (size_t i = 0; i < len; i++)
		ref[sa + i] = ref[sa + 3 + i];
	if (memcmp(dst, ref, BUFSZ) != 0)
		return "memmove_down";

	/* Strings: src holds non-zero bytes; terminate it at len. */
	char *s = (char *)src + sa;
	s[len] = 0;
	if (strlen(s) != len || ref_strlen(s) != len)
		return "strlen";
	if (memchr(s, 0, len + 1) != s + len || strchr(s, 0) != s + len)
		return "memchr_nul";
	if (len && (char *)memchr(s, (unsigned char)s[len - 1], len) > s + len - 1)
		return "memchr";
	char *t = (char *)dst + da;
	memcpy(t, s, len + 1);
	if (strcmp(s, t) != 0 || memcmp(s, t, len) != 0)
		return "strcmp_equal";
	if (len) {
		t[len - 1] = (char)(t[len - 1] + 1);
		if (strcmp(s, t) >= 0 || memcmp(s, t, len) >= 0 ||
		    strncmp(s, t, len - 1) != 0)
			return "strcmp_last_byte";
	}
	return NULL;
}

/* memcpy/memset/memmove/memcmp/memchr/strlen/strcmp at every source alignment 0..63. */
static void string_functions(void)
{
	for (size_t sa = 0; sa < 64; sa++) {
		for (size_t li = 0; li < NLENGTHS; li++) {
			size_t da = (sa * 7 + li) % 64;
			const char *bad = string_case(sa, da, lengths[li],
						      (unsigned)(sa + li));
			if (bad) {
				fail("string_alignments",
				     "%s wrong for length %zu, source offset %zu, destination offset %zu",
				     bad, lengths[li], sa, da);
				return;
			}
		}
	}
	pass("string_alignments");
}

/* Strings that end exactly at the end of a page followed by an unmapped one. */
static void page_end_strings(void)
{
	char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!check_ok("page_end_setup", (long)p))
		return;
	munmap(p + 4096, 4096);
	int ok = 1;
	for (size_t len = 0; len < 200 && ok; len++) {
		char *s = p + 4096 - len - 1;
		memset(s, 'a', len);
		s[len] = 0;
		static char t[256];
		memcpy(t, s, len + 1);
		ok = strlen(s) == len && memchr(s, 0, len + 1) == s + len &&
		     strchr(s, 'b') == NULL && strcmp(s, t) == 0 &&
		     strnlen(s, 4096) == len && strrchr(s, 0) == s + len;
	}
	check(ok, "page_end_strings", "wrong result near a page end");
	munmap(p, 4096);
}

/* Big copies take the non-temporal path in glibc's memcpy. */
static void big_copies(void)
{
	size_t n = 16u << 20;
	unsigned char *a = malloc(n + 64), *b = malloc(n + 64);
	if (!a || !b) {
		fail("big_memcpy", "malloc(%zu) failed", n);
		free(a);
		free(b);
		return;
	}
	for (size_t i = 0; i < n + 64; i++)
		a[i] = (unsigned char)(i * 2654435761u >> 13);
	memcpy(b + 3, a + 1, n);
	check(memcmp(b + 3, a + 1, n) == 0, "big_memcpy", "16 MiB copy differs");
	memmove(a + 5, a, n);
	int ok = 1;
	for (size_t i = 0; i < n && ok; i += 4093)
		ok = a[i + 5] == (unsigned char)(i * 2654435761u >> 13);
	check(ok, "big_memmove", "16 MiB overlapping move differs");
	memset(b, 0x77, n);
	check(memchr(b, 0x78, n) == NULL && b[n - 1] == 0x77, "big_memset",
	      "16 MiB memset wrong");
	free(a);
	free(b);
}

int main(void)
{
	check_init("float");
	formatting();
	libm();
	rounding();
	long_double();
	string_functions();
	page_end_strings();
	big_copies();
	return check_done();
}
