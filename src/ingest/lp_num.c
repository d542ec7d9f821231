/*
 * lp_num.c - exact conversion of line protocol floats (see lp_num.h).
 *
 * The fast path is Clinger's: when the decimal significand w has at most 19
 * digits and w <= 2^53, and the power of ten p satisfies |p| <= 22, both w
 * and 10^|p| are exact doubles, so w * 10^p or w / 10^-p is one IEEE
 * operation and therefore correctly rounded. This covers the readings that
 * devices send ("21.5", "0.003", "-1.25e3"). Everything else goes to
 * strtod_l, which glibc rounds correctly for any length.
 */
#include "ingest/lp_num.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

locale_t lp_c_locale(void)
{
	pthread_once(&c_locale_once, make_c_locale);
	return c_locale;
}

static const double pow10_exact[23] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* strtod_l on a NUL-terminated copy; s is known to match the grammar. */
static int parse_slow(const char *s, size_t n, double *out)
{
	char stack[256];
	char *tmp = n < sizeof stack ? stack : malloc(n + 1);
	if (!tmp)
		return LP_NUM_NOMEM;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	locale_t loc = lp_c_locale();
	double d = loc ? strtod_l(tmp, NULL, loc) : strtod(tmp, NULL);
	if (tmp != stack)
		free(tmp);
	/* ERANGE also flags underflow to a subnormal or zero, which Influx
	 * accepts; only an infinite result is out of range. */
	if (isinf(d))
		return LP_NUM_RANGE;
	*out = d;
	return LP_NUM_OK;
}

int lp_parse_double(const char *s, size_t n, double *out)
{
	const char *p = s, *end = s + n;
	bool neg = false;
	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	uint64_t w = 0;       /* significand, leading zeros skipped */
	int nsig = 0;         /* significant digits accumulated in w */
	bool exact = true;    /* no significant digit was dropped */
	int64_t e10 = 0;      /* value = w * 10^e10 */
	int ndigits = 0;      /* digits of the mantissa, zeros included */
	unsigned d;

	for (; p < end && (d = (unsigned)(*p - '0')) <= 9; p++) {
		ndigits++;
		if (nsig < 19) {
			w = w * 10 + d;
			nsig += w != 0;
		} else {
			e10++;
			exact &= d == 0;
		}
	}
	if (p < end && *p == '.') {
		for (p++; p < end && (d = (unsigned)(*p - '0')) <= 9; p++) {
			ndigits++;
			if (nsig < 19) {
				w = w * 10 + d;
				nsig += w != 0;
				e10--;
			} else {
				exact &= d == 0;
			}
		}
	}
	if (ndigits == 0)
		return LP_NUM_INVALID;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		bool eneg = false;
		if (p < end && (*p == '+' || *p == '-')) {
			eneg = *p == '-';
			p++;
		}
		if (p == end || (unsigned)(*p - '0') > 9)
			return LP_NUM_INVALID;
		int64_t x = 0;
		for (; p < end && (d = (unsigned)(*p - '0')) <= 9; p++)
			if (x < 100000000)
				x = x * 10 + d;
		e10 += eneg ? -x : x;
	}
	if (p != end)
		return LP_NUM_INVALID;

#if FLT_EVAL_METHOD == 0
	if (exact && w <= (UINT64_C(1) << 53) && e10 >= -22 && e10 <= 22) {
		double v = (double)w;
		v = e10 < 0 ? v / pow10_exact[-e10] : v * pow10_exact[e10];
		*out = neg ? -v : v;
		return LP_NUM_OK;
	}
#endif
	if (w == 0 && exact) {
		/* "0e999999": zero whatever the exponent. */
		*out = neg ? -0.0 : 0.0;
		return LP_NUM_OK;
	}
	return parse_slow(s, n, out);
}
