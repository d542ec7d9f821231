/*
 * sqlfmt.c - SQL values as text and back, PostgreSQL 15's formats (see
 * sqlfmt.h).
 *
 * Doubles: PostgreSQL's float8out (Ryu, built without STRICTLY_SHORTEST)
 * prints the shortest decimal strictly inside v's rounding interval, the
 * one nearest v. Here that comes from exact arithmetic in two ways. Fast
 * path (v < 2^53 with few fraction digits, e.g. 23.5, 1e-05): the fewest
 * fraction digits k with an integer D whose D / 10^k, a correctly rounded
 * IEEE division, is v (fast_digits). Otherwise glibc's exact printf and
 * strtod: the nearest 15-digit decimal (which, for a normal double, is the
 * shortest one padded with zeros whenever 15 or fewer digits suffice), then
 * 16, then 17 digits, each checked by reading it back; when the nearest p
 * digits miss, the p-digit decimal on the other side of v can still be
 * inside (v a power of two, whose lower gap is half its upper one), so it
 * is tried too. Subnormals, with fewer bits, start at one digit. Both ways
 * reject a candidate that is exactly half-way to a neighbour of v, which
 * strtod reads as v when v's mantissa is even but Ryu never prints
 * (dec_is_bound).
 *
 * Intervals: the parser mirrors PostgreSQL's ParseDateTime (the string
 * cut into typed fields), DecodeInterval (fields read right to left, so a
 * unit is known before its number) and DecodeISO8601Interval, with PG's
 * microsecond scales turned into nanoseconds. Days and time are summed
 * separately as PG does (a time field replaces the time summed so far, a
 * PG quirk kept: "02:00 1.5 days" is 1 day 02:00:00) in __int128, and the
 * total is range-checked once.
 */
#include "sql/sqlfmt.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sqltime.h"
#include "util/timeutil.h"

/* ------------------------------------------------------------------------
 * ASCII classes (PostgreSQL runs these in the C locale) and the C locale
 */

static bool c_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool c_digit(int c) { return c >= '0' && c <= '9'; }

static bool c_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static bool c_alnum(int c) { return c_digit(c) || c_alpha(c); }

static bool c_punct(int c)
{
	return c > ' ' && c < 0x7f && !c_alnum(c);
}

static char c_lower(int c) { return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c); }

/* Case-insensitive: are the n bytes at s equal to the word w? */
static bool word_eq(const char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (c_lower((unsigned char)s[i]) != w[i])
			return false;
	return true;
}

/* An input's length as a "%.*s" precision; StErr keeps 511 bytes. */
static int msg_len(size_t n)
{
	return n > 1024 ? 1024 : (int)n;
}

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale_v;

static void make_c_locale(void)
{
	c_locale_v = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* The "C" locale, made once and never freed; (locale_t)0 if newlocale
 * failed (then the process locale is used). */
static locale_t c_locale(void)
{
	pthread_once(&c_locale_once, make_c_locale);
	return c_locale_v;
}

static double c_strtod(const char *s, char **end)
{
	locale_t loc = c_locale();
	return loc ? strtod_l(s, end, loc) : strtod(s, end);
}

/* A NUL-terminated copy of s[0..n): in stack (nstack bytes) or, when
 * longer, from malloc (then also in *heap, for the caller to free; else
 * *heap is NULL). NULL when s holds a NUL byte, or when malloc failed (then
 * *nomem is set). */
static char *cstr(const char *s, size_t n, char *stack, size_t nstack, char **heap,
                  bool *nomem)
{
	*heap = NULL;
	*nomem = false;
	if (memchr(s, '\0', n))
		return NULL;
	char *p = stack;
	if (n >= nstack) {
		p = *heap = malloc(n + 1);
		if (!p) {
			*nomem = true;
			return NULL;
		}
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ------------------------------------------------------------------------
 * Output
 */

/* Reads the digits and exponent of printf's "%.*e" text (C locale). */
static int take_digits(const char *buf, char *digits, int *exp10)
{
	int nd = 0;
	const char *p = buf;
	for (; *p && *p != 'e'; p++)
		if (c_digit((unsigned char)*p))
			digits[nd++] = *p;
	*exp10 = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	return nd;
}

/* Writes the p-digit decimal next to d (p digits, exponent e) upward
 * (dir > 0) or downward into buf as "D.DDDe+X" text for strtod. */
static void neighbour(const char *d, int p, int e, int dir, char *buf, size_t nbuf)
{
	char t[SQLFMT_DIGITS_MAX + 2];
	memcpy(t, d, (size_t)p);
	int i = p - 1;
	if (dir > 0) {
		while (i >= 0 && t[i] == '9')
			t[i--] = '0';
		if (i < 0) { /* 99..9 + 1 = 10..0: one place up */
			t[0] = '1';
			e++;
		} else {
			t[i]++;
		}
	} else {
		while (i >= 0 && t[i] == '0')
			t[i--] = '9';
		t[i]--; /* t[0] is never '0' */
		if (t[0] == '0') { /* 10..0 - 1 = 9..9, one digit more below */
			memmove(t, t + 1, (size_t)p - 1);
			t[p - 1] = '9';
			e--;
		}
	}
	t[p] = '\0';
	snprintf(buf, nbuf, "%c.%se%d", t[0], t + 1, e);
}

/* Splits x > 0 into x0 * 2^a * 5^b, x0 prime to 10. */
static uint64_t strip25(uint64_t x, int *a, int *b)
{
	*a = __builtin_ctzll(x);
	x >>= *a;
	for (*b = 0; x % 5 == 0; ++*b)
		x /= 5;
	return x;
}

/* Is d * 10^k exactly t * 2^s (t odd)? */
static bool dec_is(uint64_t d, int k, uint64_t t, int s)
{
	int a, b, c, z;
	uint64_t d0 = strip25(d, &a, &b), t0 = strip25(t, &z, &c);
	return d0 == t0 && a + k == s && b + k == c;
}

/*
 * Is d * 10^k exactly half-way between v and a neighbour: a bound of v's
 * rounding interval? PostgreSQL's Ryu is built without STRICTLY_SHORTEST
 * and never prints one, even where strtod rounds it to v (a tie goes to
 * the even mantissa): 7.4e22 reads as 73999999999999995805696, which
 * PostgreSQL prints as 7.3999999999999996e+22.
 */
static bool dec_is_bound(uint64_t d, int k, double v)
{
	uint64_t bits;
	memcpy(&bits, &v, 8);
	int be = (int)(bits >> 52 & 0x7ff);
	uint64_t frac = bits & ((1ULL << 52) - 1), m = be ? frac | 1ULL << 52 : frac;
	int e = be ? be - 1075 : -1074; /* v = m * 2^e */
	if (dec_is(d, k, 2 * m + 1, e - 1))
		return true;
	if (frac == 0 && be > 1) /* the gap below a power of two is half */
		return dec_is(d, k, 4 * m - 1, e - 2);
	return dec_is(d, k, 2 * m - 1, e - 1);
}

/* Does the "%.*e" text (C locale) read back as v, from inside v's
 * rounding interval? */
static bool reads_back(const char *text, double v)
{
	if (strtod(text, NULL) != v)
		return false;
	uint64_t d = 0;
	int nd = 0;
	const char *p = text;
	for (; *p && *p != 'e'; p++)
		if (c_digit((unsigned char)*p)) {
			d = d * 10 + (uint64_t)(*p - '0');
			nd++;
		}
	return d == 0 || !dec_is_bound(d, atoi(p + 1) - (nd - 1), v);
}

/*
 * The fast path of sqlfmt_double_digits, for 0 < v < 2^53: the fewest
 * fraction digits k for which some integer D < 2^53 has D / 10^k reading
 * back as v. D / 10^k is one IEEE division of exact operands, so it is
 * the double strtod would read (correctly rounded); the candidates are the
 * integers next to v * 10^k. Returns the digit count, or 0 when this
 * cannot decide (no such k, or two candidates: take the slow path).
 */
static int fast_digits(double v, char *digits, int *exp10)
{
	static const double pow10[23] = {
		1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
	const double two53 = 9007199254740992.0;
	for (int k = 0; k <= 22; k++) {
		double x = v * pow10[k];
		if (x >= two53 / 2)
			return 0;
		int64_t d0 = (int64_t)x, found = -1;
		for (int64_t d = d0 > 0 ? d0 - 1 : 0; d <= d0 + 2; d++) {
			if (d == 0 || (double)d / pow10[k] != v)
				continue;
			if (dec_is_bound((uint64_t)d, -k, v))
				continue;
			if (found >= 0)
				return 0; /* two: let the slow path pick the nearest */
			found = d;
		}
		if (found < 0)
			continue;
		char t[24];
		int n = snprintf(t, sizeof t, "%lld", (long long)found);
		*exp10 = n - 1 - k;
		while (n > 1 && t[n - 1] == '0')
			n--;
		memcpy(digits, t, (size_t)n);
		digits[n] = '\0';
		return n;
	}
	return 0;
}

int sqlfmt_double_digits(double v, char *digits, int *exp10)
{
	if (v == 0) {
		strcpy(digits, "0");
		*exp10 = 0;
		return 1;
	}
	int nd = v < 9007199254740992.0 && v >= DBL_MIN ? fast_digits(v, digits, exp10) : 0;
	if (nd)
		return nd;
	locale_t loc = c_locale(), old = loc ? uselocale(loc) : (locale_t)0;
	char buf[64], alt[64];
	for (int p = v >= DBL_MIN ? 15 : 1; p <= 17; p++) {
		snprintf(buf, sizeof buf, "%.*e", p - 1, v);
		if (p == 17 || reads_back(buf, v)) {
			nd = take_digits(buf, digits, exp10);
			break;
		}
		/* The nearest p digits missed; try the other side of v (not at
		 * 15 digits for a normal v, whose interval is too narrow to hold
		 * two of them). */
		if (p == 15 && v >= DBL_MIN)
			continue;
		char d[SQLFMT_DIGITS_MAX + 2];
		int n = 0;
		for (const char *q = buf; *q && *q != 'e'; q++)
			if (c_digit((unsigned char)*q))
				d[n++] = *q;
		int e = atoi(strchr(buf, 'e') + 1);
		neighbour(d, p, e, strtod(buf, NULL) < v ? 1 : -1, alt, sizeof alt);
		if (reads_back(alt, v)) {
			nd = take_digits(alt, digits, exp10);
			break;
		}
	}
	if (loc)
		uselocale(old);
	return nd;
}

void sqlfmt_double(Buf *out, double v)
{
	if (isnan(v)) {
		buf_put(out, "NaN", 3);
		return;
	}
	if (isinf(v)) {
		if (v > 0)
			buf_put(out, "Infinity", 8);
		else
			buf_put(out, "-Infinity", 9);
		return;
	}
	char b[48];
	size_t len = 0;
	if (signbit(v))
		b[len++] = '-';
	char d[SQLFMT_DIGITS_MAX + 1];
	int e;
	int nd = sqlfmt_double_digits(fabs(v), d, &e);
	if (e >= -4 && e < 15) {
		if (e < 0) { /* 0.000ddd */
			b[len++] = '0';
			b[len++] = '.';
			for (int i = 0; i < -e - 1; i++)
				b[len++] = '0';
			memcpy(b + len, d, (size_t)nd);
			len += (size_t)nd;
		} else if (e >= nd - 1) { /* ddd000 */
			memcpy(b + len, d, (size_t)nd);
			len += (size_t)nd;
			for (int i = 0; i < e - (nd - 1); i++)
				b[len++] = '0';
		} else { /* dd.ddd */
			memcpy(b + len, d, (size_t)e + 1);
			len += (size_t)e + 1;
			b[len++] = '.';
			memcpy(b + len, d + e + 1, (size_t)(nd - e - 1));
			len += (size_t)(nd - e - 1);
		}
	} else {
		b[len++] = d[0];
		if (nd > 1) {
			b[len++] = '.';
			memcpy(b + len, d + 1, (size_t)nd - 1);
			len += (size_t)nd - 1;
		}
		len += (size_t)snprintf(b + len, sizeof b - len, "e%c%02d", e < 0 ? '-' : '+',
		                        e < 0 ? -e : e);
	}
	buf_put(out, b, len);
}

void sqlfmt_bigint(Buf *out, int64_t v)
{
	char b[24];
	int len = snprintf(b, sizeof b, "%lld", (long long)v);
	buf_put(out, b, (size_t)len);
}

void sqlfmt_ubigint(Buf *out, uint64_t v)
{
	char b[24];
	int len = snprintf(b, sizeof b, "%llu", (unsigned long long)v);
	buf_put(out, b, (size_t)len);
}

void sqlfmt_bool(Buf *out, bool v)
{
	buf_put_u8(out, v ? 't' : 'f');
}

/* ".ddddddddd" without trailing zeros, or nothing for 0; returns the
 * length written into p (at most 10 bytes). */
static int put_fraction(char *p, int64_t nsec)
{
	if (nsec == 0)
		return 0;
	p[0] = '.';
	for (int i = 9; i >= 1; i--) {
		p[i] = (char)('0' + nsec % 10);
		nsec /= 10;
	}
	int len = 10;
	while (p[len - 1] == '0')
		len--;
	return len;
}

void sqlfmt_timestamp(Buf *out, int64_t ns)
{
	SqlTm tm;
	sqltime_split(ns, &tm);
	char b[64];
	int len = snprintf(b, sizeof b, "%04d-%02d-%02d %02d:%02d:%02d", tm.year, tm.mon,
	                   tm.mday, tm.hour, tm.min, tm.sec);
	len += put_fraction(b + len, tm.nsec);
	buf_put(out, b, (size_t)len);
}

void sqlfmt_interval(Buf *out, int64_t ns)
{
	int64_t days = ns / NS_PER_DAY;      /* toward zero */
	int64_t t = ns - days * NS_PER_DAY; /* the sign of ns, |t| < 1 day */
	char b[80];
	int len = 0;
	if (days != 0)
		len = snprintf(b, sizeof b, "%lld day%s", (long long)days, days != 1 ? "s" : "");
	if (days == 0 || t != 0) {
		uint64_t a = t < 0 ? (uint64_t)-t : (uint64_t)t;
		uint64_t secs = a / NS_PER_S;
		len += snprintf(b + len, sizeof b - (size_t)len, "%s%s%02d:%02d:%02d",
		                days != 0 ? " " : "", t < 0 ? "-" : "", (int)(secs / 3600),
		                (int)(secs / 60 % 60), (int)(secs % 60));
		len += put_fraction(b + len, (int64_t)(a % NS_PER_S));
	}
	buf_put(out, b, (size_t)len);
}

/* ------------------------------------------------------------------------
 * Numbers and booleans
 */

int sqlfmt_parse_double(const char *s, size_t n, double *out, StErr *err)
{
	char stack[128], *heap;
	bool nomem;
	char *str = cstr(s, n, stack, sizeof stack, &heap, &nomem);
	if (nomem)
		return failf(err, STELE_ENOMEM, "out of memory");
	int rc = STELE_OK;
	if (!str)
		goto bad;
	char *num = str, *end;
	while (c_space((unsigned char)*num))
		num++;
	if (*num == '\0')
		goto bad;
	errno = 0;
	double val = c_strtod(num, &end);
	if (end == num || errno != 0) {
		/* float8in's own checks, for a strtod that does not take these */
		static const struct {
			const char *word;
			double v;
		} special[] = {{"nan", NAN},        {"infinity", INFINITY}, {"+infinity", INFINITY},
		               {"-infinity", -INFINITY}, {"inf", INFINITY}, {"+inf", INFINITY},
		               {"-inf", -INFINITY}};
		int save = errno;
		size_t i, nsp = sizeof special / sizeof special[0];
		for (i = 0; i < nsp; i++) {
			size_t wl = strlen(special[i].word);
			if (strlen(num) >= wl && word_eq(num, wl, special[i].word))
				break;
		}
		if (i < nsp) {
			val = special[i].v;
			end = num + strlen(special[i].word);
		} else if (save == ERANGE) {
			/* Denormals are fine; a zero or infinite result is not. */
			if (val == 0.0 || val >= HUGE_VAL || val <= -HUGE_VAL) {
				rc = failf(err, STELE_EINVAL,
				           "\"%.*s\" is out of range for type double precision",
				           msg_len((size_t)(end - num)), num);
				goto done;
			}
		} else {
			goto bad;
		}
	}
	while (c_space((unsigned char)*end))
		end++;
	if (*end != '\0')
		goto bad;
	*out = val;
	goto done;
bad:
	rc = failf(err, STELE_EINVAL, "invalid input syntax for type double precision: \"%.*s\"",
	           msg_len(n), s);
done:
	free(heap);
	return rc;
}

/* pg_strtoint64 for int64 (neg_limit 2^63, limit 2^63-1) and uint64. */
static int parse_int(const char *s, size_t n, bool is_unsigned, uint64_t *mag, bool *neg,
                     StErr *err)
{
	const char *type = is_unsigned ? "ubigint" : "bigint";
	const char *p = s, *end = s + n;
	while (p < end && c_space((unsigned char)*p))
		p++;
	*neg = false;
	if (p < end && *p == '-') {
		*neg = true;
		p++;
	} else if (p < end && *p == '+') {
		p++;
	}
	if (p >= end || !c_digit((unsigned char)*p))
		goto bad;
	uint64_t limit = is_unsigned ? UINT64_MAX : *neg ? (uint64_t)1 << 63 : INT64_MAX;
	uint64_t acc = 0;
	for (; p < end && c_digit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (acc > (limit - d) / 10)
			goto range;
		acc = acc * 10 + d;
	}
	if (is_unsigned && *neg && acc != 0)
		goto range;
	while (p < end && c_space((unsigned char)*p))
		p++;
	if (p != end)
		goto bad;
	*mag = acc;
	return STELE_OK;
bad:
	return failf(err, STELE_EINVAL, "invalid input syntax for type %s: \"%.*s\"", type,
	             msg_len(n), s);
range:
	return failf(err, STELE_EINVAL, "value \"%.*s\" is out of range for type %s",
	             msg_len(n), s, type);
}

int sqlfmt_parse_bigint(const char *s, size_t n, int64_t *out, StErr *err)
{
	uint64_t mag;
	bool neg;
	int rc = parse_int(s, n, false, &mag, &neg, err);
	if (rc == STELE_OK)
		*out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return rc;
}

int sqlfmt_parse_ubigint(const char *s, size_t n, uint64_t *out, StErr *err)
{
	uint64_t mag;
	bool neg;
	int rc = parse_int(s, n, true, &mag, &neg, err);
	if (rc == STELE_OK)
		*out = mag;
	return rc;
}

/* Is v[0..len) a prefix of word (case-insensitive)? PostgreSQL's
 * pg_strncasecmp(value, word, len) == 0. */
static bool bool_prefix(const char *v, size_t len, const char *word)
{
	if (len > strlen(word))
		return false;
	for (size_t i = 0; i < len; i++)
		if (c_lower((unsigned char)v[i]) != word[i])
			return false;
	return true;
}

int sqlfmt_parse_bool(const char *s, size_t n, bool *out, StErr *err)
{
	const char *v = s;
	size_t len = n;
	while (len > 0 && c_space((unsigned char)*v)) {
		v++;
		len--;
	}
	while (len > 0 && c_space((unsigned char)v[len - 1]))
		len--;
	if (len > 0) {
		switch (c_lower((unsigned char)*v)) {
		case 't':
			if (bool_prefix(v, len, "true"))
				return *out = true, STELE_OK;
			break;
		case 'f':
			if (bool_prefix(v, len, "false"))
				return *out = false, STELE_OK;
			break;
		case 'y':
			if (bool_prefix(v, len, "yes"))
				return *out = true, STELE_OK;
			break;
		case 'n':
			if (bool_prefix(v, len, "no"))
				return *out = false, STELE_OK;
			break;
		case 'o': /* "o" alone is ambiguous */
			if (len >= 2 && bool_prefix(v, len, "on"))
				return *out = true, STELE_OK;
			if (len >= 2 && bool_prefix(v, len, "off"))
				return *out = false, STELE_OK;
			break;
		case '1':
			if (len == 1)
				return *out = true, STELE_OK;
			break;
		case '0':
			if (len == 1)
				return *out = false, STELE_OK;
			break;
		}
	}
	return failf(err, STELE_EINVAL, "invalid input syntax for type boolean: \"%.*s\"",
	             msg_len(n), s);
}

/* ------------------------------------------------------------------------
 * Timestamps
 */

/* The longest timestamp text read (without the spaces around it);
 * PostgreSQL's limit is smaller. */
#define TS_MAXLEN 256

enum { TS_OK = 0, TS_BAD, TS_FIELD, TS_TZ, TS_RANGE };

/* Reads decimal digits at *p into *v (saturating at 10^18); returns how
 * many there were. */
static int read_num(const char **p, int64_t *v)
{
	int nd = 0;
	int64_t x = 0;
	for (; c_digit((unsigned char)**p); (*p)++, nd++)
		if (nd < 18)
			x = x * 10 + (**p - '0');
	*v = nd > 18 ? (int64_t)1000000000000000000 : x;
	return nd;
}

/* A zone after a date or time: Z ZULU UTC UT GMT, or PostgreSQL's
 * DecodeTimezone forms (+|-)H, HH, HHMM, HH:MM, HH:MM:SS; sets *off_s to
 * the seconds east of UTC. */
static int ts_zone(const char **pp, int64_t *off_s)
{
	const char *p = *pp;
	if (*p == '+' || *p == '-') {
		int64_t sign = *p++ == '-' ? -1 : 1;
		while (c_space((unsigned char)*p))
			p++;
		int64_t hr, min = 0, sec = 0;
		int nd = read_num(&p, &hr);
		if (nd == 0)
			return TS_BAD;
		if (*p == ':') {
			p++;
			read_num(&p, &min);
			if (*p == ':') {
				p++;
				read_num(&p, &sec);
			}
		} else if (nd >= 3) { /* run together: hhmm */
			min = hr % 100;
			hr /= 100;
		}
		if (hr > 15 || min >= 60 || sec >= 60)
			return TS_TZ;
		*off_s = sign * (hr * 3600 + min * 60 + sec);
	} else {
		const char *w = p;
		while (c_alpha((unsigned char)*p))
			p++;
		size_t wl = (size_t)(p - w);
		if (!word_eq(w, wl, "z") && !word_eq(w, wl, "zulu") && !word_eq(w, wl, "utc") &&
		    !word_eq(w, wl, "ut") && !word_eq(w, wl, "gmt"))
			return TS_BAD;
		*off_s = 0;
	}
	*pp = p;
	return TS_OK;
}

/* Parses the NUL-terminated, trimmed text p (see sqlfmt.h). */
static int ts_parse(const char *p, int64_t *out)
{
	size_t len = strlen(p);
	if (word_eq(p, len, "epoch")) {
		*out = 0;
		return TS_OK;
	}
	if (word_eq(p, len, "infinity") || word_eq(p, len, "-infinity"))
		return TS_RANGE;
	int64_t y, mo, d, h = 0, mi = 0, sec = 0, nsec = 0, off = 0;
	int nmo;
	if (read_num(&p, &y) < 3 || *p++ != '-' || (nmo = read_num(&p, &mo)) < 1 || nmo > 2 ||
	    *p++ != '-' || !read_num(&p, &d))
		return TS_BAD;
	/* " "* ["T"] " "* before the time */
	while (c_space((unsigned char)*p))
		p++;
	bool has_time = false;
	if (*p == 'T' || *p == 't') {
		p++;
		while (c_space((unsigned char)*p))
			p++;
		has_time = true;
	} else {
		has_time = c_digit((unsigned char)*p);
	}
	if (has_time) {
		/* PostgreSQL's DecodeTimeCommon: H:M, H:M:S[.F], or M:S.F */
		if (!read_num(&p, &h) || *p++ != ':')
			return TS_BAD;
		read_num(&p, &mi);
		bool frac = false;
		if (*p == '.') {
			frac = true;
			sec = mi;
			mi = h;
			h = 0;
		} else if (*p == ':') {
			p++;
			read_num(&p, &sec);
			frac = *p == '.';
		}
		if (frac) {
			p++;
			int nd = 0;
			for (; c_digit((unsigned char)*p); p++, nd++) {
				if (nd < 9)
					nsec = nsec * 10 + (*p - '0');
				else if (nd == 9 && *p >= '5')
					nsec++; /* 999999999 + 1 is a whole second, as in PG */
			}
			for (; nd < 9; nd++)
				nsec *= 10;
		}
	}
	while (c_space((unsigned char)*p))
		p++;
	if (*p) {
		int rc = ts_zone(&p, &off);
		if (rc != TS_OK)
			return rc;
		while (c_space((unsigned char)*p))
			p++;
		if (*p)
			return TS_BAD;
	}
	if (y == 0 || mo < 1 || mo > 12 || d < 1 || d > sqltime_days_in_month(y, (int)mo))
		return TS_FIELD;
	if (h > 24 || mi > 59 || sec > 60 || nsec > NS_PER_S)
		return TS_FIELD;
	int64_t tod = ((h * 60 + mi) * 60 + sec) * NS_PER_S + nsec;
	if (tod > NS_PER_DAY)
		return TS_FIELD;
	if (y > 1000000)
		return TS_RANGE;
	__int128 t = (__int128)sqltime_days_from_civil(y, (int)mo, (int)d) * NS_PER_DAY + tod -
	             (__int128)off * NS_PER_S;
	if (t < INT64_MIN || t > INT64_MAX)
		return TS_RANGE;
	*out = (int64_t)t;
	return TS_OK;
}

int sqlfmt_parse_timestamp(const char *s, size_t n, int64_t *out, StErr *err)
{
	char b[TS_MAXLEN];
	int rc = TS_BAD;
	size_t i = 0, j = n;
	while (i < j && c_space((unsigned char)s[i]))
		i++;
	while (j > i && c_space((unsigned char)s[j - 1]))
		j--;
	if (j - i < sizeof b && !memchr(s, '\0', n)) {
		memcpy(b, s + i, j - i);
		b[j - i] = '\0';
		rc = ts_parse(b, out);
	}
	switch (rc) {
	case TS_OK:
		return STELE_OK;
	case TS_FIELD:
		return failf(err, STELE_EINVAL, "date/time field value out of range: \"%.*s\"",
		             msg_len(n), s);
	case TS_TZ:
		return failf(err, STELE_EINVAL, "time zone displacement out of range: \"%.*s\"",
		             msg_len(n), s);
	case TS_RANGE:
		return failf(err, STELE_EINVAL, "timestamp out of range: \"%.*s\"", msg_len(n), s);
	default:
		return failf(err, STELE_EINVAL, "invalid input syntax for type timestamp: \"%.*s\"",
		             msg_len(n), s);
	}
}

/* ------------------------------------------------------------------------
 * Intervals: PostgreSQL 15's ParseDateTime, DecodeInterval and
 * DecodeISO8601Interval, at nanosecond scale.
 */

enum { DT_OK = 0, DT_BAD, DT_OVERFLOW };

enum { F_NUMBER, F_TIME, F_DATE, F_TZ, F_STRING, F_SPECIAL };

#define IV_MAXFIELDS 25  /* PostgreSQL's MAXDATEFIELDS */
#define IV_WORKBUF 256   /* and interval_in's work buffer */

/* The field bits that make a unit count once ("1 hour 2 hours" is bad). */
enum {
	M_NS = 1 << 0, M_US = 1 << 1, M_MS = 1 << 2, M_SECOND = 1 << 3,
	M_MINUTE = 1 << 4, M_HOUR = 1 << 5, M_DAY = 1 << 6, M_WEEK = 1 << 7,
	M_MONTH = 1 << 8, M_YEAR = 1 << 9, M_DECADE = 1 << 10, M_CENTURY = 1 << 11,
	M_MILLENNIUM = 1 << 12,
};
#define M_ALL_SECS (M_SECOND | M_MS | M_US | M_NS)
#define M_TIME (M_HOUR | M_MINUTE | M_ALL_SECS)

/*
 * An interval being decoded. PostgreSQL's fields are mirrored, with their
 * int32 and int64 bounds, so that Stele reports "interval field value out
 * of range" where PostgreSQL does; the value itself is days * 86400e9 +
 * time.
 */
typedef struct Iv {
	__int128 years;  /* PG's tm_year, int32 */
	__int128 months; /* PG's tm_mon, int32 */
	__int128 days;   /* PG's tm_mday, int32 */
	__int128 us;     /* PG's tm_usec, int64 microseconds */
	__int128 time;   /* Stele's nanoseconds beside the days */
	bool has_months; /* a month- or year-based field that is not zero */
} Iv;

/*
 * ParseDateTime: cuts str into at most IV_MAXFIELDS fields, copied
 * NUL-terminated (letters lower-cased) into work, typed F_*. A word right
 * before a digit or "+" continues into a date field ("hours3", bad later)
 * unless it is a keyword of PostgreSQL's datetktbl; of those only the
 * interval units matter here: "1h30m" is 1 hour 30 minutes.
 */
static int iv_fields(const char *cp, char *work, char **field, int *ftype, int *nf)
{
	static const char *const datetk_units[] = {"d", "dec", "h", "m", "mon", "s", "y"};
	enum { N_DATETK = sizeof datetk_units / sizeof datetk_units[0] };
	char *bufp = work, *bufend = work + IV_WORKBUF;
	int n = 0;
#define APPEND(c)                               \
	do {                                    \
		if (bufp + 1 >= bufend)         \
			return DT_BAD;          \
		*bufp++ = (c);                  \
	} while (0)
#define AT(c) ((unsigned char)(c))
	while (*cp) {
		if (c_space(AT(*cp))) {
			cp++;
			continue;
		}
		if (n >= IV_MAXFIELDS)
			return DT_BAD;
		field[n] = bufp;
		if (c_digit(AT(*cp))) {
			APPEND(*cp++);
			while (c_digit(AT(*cp)))
				APPEND(*cp++);
			if (*cp == ':') {
				ftype[n] = F_TIME;
				APPEND(*cp++);
				while (c_digit(AT(*cp)) || *cp == ':' || *cp == '.')
					APPEND(*cp++);
			} else if (*cp == '-' || *cp == '/' || *cp == '.') {
				char delim = *cp;
				APPEND(*cp++);
				if (c_digit(AT(*cp))) {
					ftype[n] = delim == '.' ? F_NUMBER : F_DATE;
					while (c_digit(AT(*cp)))
						APPEND(*cp++);
					if (*cp == delim) {
						ftype[n] = F_DATE;
						APPEND(*cp++);
						while (c_digit(AT(*cp)) || *cp == delim)
							APPEND(*cp++);
					}
				} else {
					ftype[n] = F_DATE;
					while (c_alnum(AT(*cp)) || *cp == delim)
						APPEND(c_lower(AT(*cp++)));
				}
			} else {
				ftype[n] = F_NUMBER;
			}
		} else if (*cp == '.') {
			APPEND(*cp++);
			while (c_digit(AT(*cp)))
				APPEND(*cp++);
			ftype[n] = F_NUMBER;
		} else if (c_alpha(AT(*cp))) {
			ftype[n] = F_STRING;
			APPEND(c_lower(AT(*cp++)));
			while (c_alpha(AT(*cp)))
				APPEND(c_lower(AT(*cp++)));
			bool is_date = false;
			if (*cp == '-' || *cp == '/' || *cp == '.') {
				is_date = true;
			} else if (*cp == '+' || c_digit(AT(*cp))) {
				*bufp = '\0';
				is_date = true;
				for (size_t i = 0; i < N_DATETK; i++)
					if (strcmp(field[n], datetk_units[i]) == 0)
						is_date = false;
			}
			if (is_date) {
				ftype[n] = F_DATE;
				do {
					APPEND(c_lower(AT(*cp++)));
				} while (*cp == '+' || *cp == '-' || *cp == '/' || *cp == '_' ||
				         *cp == '.' || *cp == ':' || c_alnum(AT(*cp)));
			}
		} else if (*cp == '+' || *cp == '-') {
			APPEND(*cp++);
			while (c_space(AT(*cp)))
				cp++;
			if (c_digit(AT(*cp))) {
				/* a signed number, time or year-month */
				ftype[n] = F_TZ;
				APPEND(*cp++);
				while (c_digit(AT(*cp)) || *cp == ':' || *cp == '.' || *cp == '-')
					APPEND(*cp++);
			} else if (c_alpha(AT(*cp))) {
				ftype[n] = F_SPECIAL;
				APPEND(c_lower(AT(*cp++)));
				while (c_alpha(AT(*cp)))
					APPEND(c_lower(AT(*cp++)));
			} else {
				return DT_BAD;
			}
		} else if (c_punct(AT(*cp))) {
			cp++; /* "@", ",": delimiters */
			continue;
		} else {
			return DT_BAD;
		}
		*bufp++ = '\0';
		n++;
	}
#undef APPEND
#undef AT
	*nf = n;
	return DT_OK;
}

/* strtol into an int, as PostgreSQL's strtoint; true on ERANGE. */
static bool str_to_int(const char *s, char **end, int64_t *v)
{
	errno = 0;
	long x = strtol(s, end, 10);
	if (errno == ERANGE || x < INT_MIN || x > INT_MAX)
		return true;
	*v = x;
	return false;
}

/* ParseFraction: "." and digits, or "." alone, all of cp. */
static int parse_fraction(const char *cp, double *frac)
{
	if (cp[1] == '\0') {
		*frac = 0;
		return DT_OK;
	}
	char *end;
	errno = 0;
	*frac = c_strtod(cp, &end);
	if (*end != '\0' || errno != 0)
		return DT_BAD;
	return DT_OK;
}

static bool fits32(__int128 v) { return v >= INT_MIN && v <= INT_MAX; }
static bool fits64(__int128 v) { return v >= INT64_MIN && v <= INT64_MAX; }

/* frac * scale rounded as AdjustFractMicroseconds rounds: half toward
 * zero. |frac| < 1. */
static int64_t frac_round(double frac, int64_t scale)
{
	if (frac == 0 || scale == 0)
		return 0;
	frac *= (double)scale;
	int64_t x = (int64_t)frac;
	frac -= (double)x;
	if (frac > 0.5)
		x++;
	else if (frac < -0.5)
		x--;
	return x;
}

/* AdjustFractMicroseconds: frac of scale_ns nanoseconds into the time. */
static bool add_frac(Iv *iv, double frac, int64_t scale_ns)
{
	iv->time += frac_round(frac, scale_ns);
	iv->us += frac_round(frac, scale_ns / NS_PER_US);
	return fits64(iv->us);
}

/* AdjustMicroseconds: val and frac of scale_ns nanoseconds. */
static bool add_time(Iv *iv, int64_t val, double frac, int64_t scale_ns)
{
	__int128 us = (__int128)val * (scale_ns / NS_PER_US);
	if (!fits64(us) || !fits64(iv->us += us))
		return false;
	iv->time += (__int128)val * scale_ns;
	return add_frac(iv, frac, scale_ns);
}

/* AdjustDays: val * scale days. */
static bool add_days(Iv *iv, int64_t val, int scale)
{
	__int128 d = (__int128)val * scale;
	if (!fits32(val) || !fits32(d))
		return false;
	iv->days += d;
	return fits32(iv->days);
}

/* AdjustFractDays: the whole days of frac * scale days, the rest as time. */
static bool add_frac_days(Iv *iv, double frac, int scale)
{
	if (frac == 0)
		return true;
	frac *= scale;
	int extra = (int)frac;
	iv->days += extra;
	return fits32(iv->days) && add_frac(iv, frac - extra, NS_PER_DAY);
}

/* AdjustMonths + AdjustFractDays(frac, DAYS_PER_MONTH). */
static bool add_months(Iv *iv, int64_t val, double frac)
{
	if (val != 0 || frac != 0)
		iv->has_months = true;
	if (!fits32(val) || !fits32(iv->months += val))
		return false;
	return add_frac_days(iv, frac, 30);
}

/* AdjustYears + AdjustFractYears: val and frac of scale years. */
static bool add_years(Iv *iv, int64_t val, double frac, int scale)
{
	if (val != 0 || frac != 0)
		iv->has_months = true;
	__int128 y = (__int128)val * scale;
	if (!fits32(val) || !fits32(y) || !fits32(iv->years += y))
		return false;
	iv->months += (int64_t)rint(frac * scale * 12);
	return fits32(iv->months);
}

/* DecodeTimeCommon + DecodeTimeForInterval: "h:m", "h:m:s[.f]" or
 * "m:s.f" replaces the time summed so far. */
static int iv_time(const char *str, Iv *iv)
{
	char *cp;
	errno = 0;
	long long hour = strtoll(str, &cp, 10);
	if (errno == ERANGE)
		return DT_OVERFLOW;
	if (*cp != ':')
		return DT_BAD;
	int64_t min, sec = 0;
	double frac = 0;
	if (str_to_int(cp + 1, &cp, &min))
		return DT_OVERFLOW;
	if (*cp == '\0') {
		sec = 0;
	} else if (*cp == '.') { /* mm:ss.fff */
		if (parse_fraction(cp, &frac))
			return DT_BAD;
		if (hour > INT_MAX || hour < INT_MIN)
			return DT_OVERFLOW;
		sec = min;
		min = hour;
		hour = 0;
	} else if (*cp == ':') {
		if (str_to_int(cp + 1, &cp, &sec))
			return DT_OVERFLOW;
		if (*cp == '.') {
			if (parse_fraction(cp, &frac))
				return DT_BAD;
		} else if (*cp != '\0') {
			return DT_BAD;
		}
	} else {
		return DT_BAD;
	}
	double fus = rint(frac * 1e6), fns = rint(frac * 1e9);
	if (hour < 0 || min < 0 || min > 59 || sec < 0 || sec > 60 || fus < 0 || fus > 1e6)
		return DT_OVERFLOW;
	__int128 us = (__int128)hour * 3600000000;
	if (!fits64(us) || !fits64(us += (min * 60 + sec) * 1000000 + (int64_t)fus))
		return DT_OVERFLOW;
	iv->us = us;
	iv->time = (__int128)hour * 3600 * NS_PER_S + (min * 60 + sec) * NS_PER_S + (int64_t)fns;
	return DT_OK;
}

/* A number with its unit (DecodeInterval's DTK_NUMBER case). */
static int iv_number(Iv *iv, const char *f, SqlUnit *type, int *tmask)
{
	char *cp;
	errno = 0;
	long long val = strtoll(f, &cp, 10);
	if (errno == ERANGE)
		return DT_OVERFLOW;
	double fval = 0;
	if (*cp == '-') { /* SQL year-month "1-2" */
		int64_t val2;
		if (str_to_int(cp + 1, &cp, &val2) || val2 < 0 || val2 >= 12)
			return DT_OVERFLOW;
		if (*cp != '\0')
			return DT_BAD;
		*type = SQLU_MONTH;
		if (*f == '-')
			val2 = -val2;
		__int128 m = (__int128)val * 12 + val2;
		if (!fits64(m))
			return DT_OVERFLOW;
		val = (long long)m;
	} else if (*cp == '.') {
		if (parse_fraction(cp, &fval))
			return DT_BAD;
		if (*f == '-')
			fval = -fval;
	} else if (*cp != '\0') {
		return DT_BAD;
	}
	if (*type == SQLU_NONE)
		*type = SQLU_SECOND; /* a bare number at the right is seconds */
	bool ok;
	switch (*type) {
	case SQLU_NS:
		ok = add_time(iv, val, fval, 1);
		*tmask = M_NS;
		break;
	case SQLU_US:
		ok = add_time(iv, val, fval, NS_PER_US);
		*tmask = M_US;
		break;
	case SQLU_MS:
		ok = add_time(iv, val, fval, NS_PER_MS);
		*tmask = M_MS;
		break;
	case SQLU_SECOND:
		ok = add_time(iv, val, fval, NS_PER_S);
		*tmask = fval == 0 ? M_SECOND : M_ALL_SECS;
		break;
	case SQLU_MINUTE:
		ok = add_time(iv, val, fval, 60 * NS_PER_S);
		*tmask = M_MINUTE;
		break;
	case SQLU_HOUR:
		ok = add_time(iv, val, fval, 3600 * NS_PER_S);
		*tmask = M_HOUR;
		*type = SQLU_DAY; /* "1 2 hours" is 1 day 2 hours */
		break;
	case SQLU_DAY:
		ok = add_days(iv, val, 1) && add_frac(iv, fval, NS_PER_DAY);
		*tmask = M_DAY;
		break;
	case SQLU_WEEK:
		ok = add_days(iv, val, 7) && add_frac_days(iv, fval, 7);
		*tmask = M_WEEK;
		break;
	case SQLU_MONTH:
		ok = add_months(iv, val, fval);
		*tmask = M_MONTH;
		break;
	case SQLU_YEAR:
		ok = add_years(iv, val, fval, 1);
		*tmask = M_YEAR;
		break;
	case SQLU_DECADE:
		ok = add_years(iv, val, fval, 10);
		*tmask = M_DECADE;
		break;
	case SQLU_CENTURY:
		ok = add_years(iv, val, fval, 100);
		*tmask = M_CENTURY;
		break;
	case SQLU_MILLENNIUM:
		ok = add_years(iv, val, fval, 1000);
		*tmask = M_MILLENNIUM;
		break;
	default: /* quarter, timezone, or a number right before "ago" */
		return DT_BAD;
	}
	return ok ? DT_OK : DT_OVERFLOW;
}

/* DecodeInterval: the fields right to left, so that a unit comes before
 * its number. */
static int iv_decode(char **field, const int *ftype, int nf, Iv *iv)
{
	SqlUnit type = SQLU_NONE;
	bool is_before = false;
	int fmask = 0, tmask, rc;
	for (int i = nf - 1; i >= 0; i--) {
		tmask = 0;
		switch (ftype[i]) {
		case F_TIME:
			if ((rc = iv_time(field[i], iv)) != DT_OK)
				return rc;
			tmask = M_TIME;
			type = SQLU_DAY;
			break;
		case F_TZ:
			/* a signed time, else a signed number */
			if (strchr(field[i] + 1, ':') && iv_time(field[i] + 1, iv) == DT_OK) {
				if (*field[i] == '-') {
					iv->us = -iv->us;
					iv->time = -iv->time;
				}
				tmask = M_TIME;
				type = SQLU_DAY;
				break;
			}
			/* fall through */
		case F_DATE:
		case F_NUMBER:
			if ((rc = iv_number(iv, field[i], &type, &tmask)) != DT_OK)
				return rc;
			break;
		case F_STRING:
		case F_SPECIAL:
			type = sqltime_lookup_unit(field[i]);
			if (type == SQLU_NONE)
				return DT_BAD;
			if (type == SQLU_AGO)
				is_before = true; /* and a number right before it is bad */
			break;
		default:
			return DT_BAD;
		}
		if (tmask & fmask)
			return DT_BAD;
		fmask |= tmask;
	}
	if (fmask == 0)
		return DT_BAD;
	if (is_before) {
		if (iv->us == INT64_MIN || iv->days == INT_MIN || iv->months == INT_MIN ||
		    iv->years == INT_MIN)
			return DT_OVERFLOW;
		iv->years = -iv->years;
		iv->months = -iv->months;
		iv->days = -iv->days;
		iv->us = -iv->us;
		iv->time = -iv->time;
	}
	return DT_OK;
}

/* ParseISO8601Number: what strtod takes, |v| <= 1e15, split into integer
 * and fraction parts (both truncated toward zero). */
static int iso_number(const char **str, int64_t *ipart, double *fpart)
{
	const char *s = *str;
	if (!(c_digit((unsigned char)*s) || *s == '-' || *s == '.'))
		return DT_BAD;
	char *end;
	errno = 0;
	double v = c_strtod(s, &end);
	if (end == s || errno != 0)
		return DT_BAD;
	if (isnan(v) || v < -1.0e15 || v > 1.0e15)
		return DT_OVERFLOW;
	*ipart = v >= 0 ? (int64_t)floor(v) : -(int64_t)floor(-v);
	*fpart = v - (double)*ipart;
	*str = end;
	return DT_OK;
}

static int iso_width(const char *fieldstart)
{
	if (*fieldstart == '-')
		fieldstart++;
	return (int)strspn(fieldstart, "0123456789");
}

#define CHECK(x)                                  \
	do {                                      \
		if (!(x))                         \
			return DT_OVERFLOW;       \
	} while (0)

/* DecodeISO8601Interval on the whole input text. */
static int iv_iso8601(const char *str, Iv *iv)
{
	bool datepart = true, havefield = false;
	int64_t val;
	double fval;
	int rc;
	if (strlen(str) < 2 || str[0] != 'P')
		return DT_BAD;
	str++;
	while (*str) {
		if (*str == 'T') { /* the time part begins */
			datepart = false;
			havefield = false;
			str++;
			continue;
		}
		const char *fieldstart = str;
		if ((rc = iso_number(&str, &val, &fval)) != DT_OK)
			return rc;
		char unit = *str++; /* past the NUL when '\0': every such case returns */
		if (datepart) {
			switch (unit) {
			case 'Y':
				CHECK(add_years(iv, val, fval, 1));
				break;
			case 'M':
				CHECK(add_months(iv, val, fval));
				break;
			case 'W':
				CHECK(add_days(iv, val, 7) && add_frac_days(iv, fval, 7));
				break;
			case 'D':
				CHECK(add_days(iv, val, 1) && add_frac(iv, fval, NS_PER_DAY));
				break;
			case 'T':
			case '\0':
				if (iso_width(fieldstart) == 8 && !havefield) { /* YYYYMMDD */
					CHECK(add_years(iv, val / 10000, 0, 1) &&
					      add_months(iv, val / 100 % 100, 0) &&
					      add_days(iv, val % 100, 1) &&
					      add_frac(iv, fval, NS_PER_DAY));
					if (unit == '\0')
						return DT_OK;
					datepart = false;
					havefield = false;
					continue;
				}
				/* the extended alternative format */
				/* fall through */
			case '-': /* YYYY-MM-DD */
				if (havefield)
					return DT_BAD;
				CHECK(add_years(iv, val, fval, 1));
				if (unit == '\0')
					return DT_OK;
				if (unit == 'T') {
					datepart = false;
					havefield = false;
					continue;
				}
				if ((rc = iso_number(&str, &val, &fval)) != DT_OK)
					return rc;
				CHECK(add_months(iv, val, fval));
				if (*str == '\0')
					return DT_OK;
				if (*str == 'T') {
					datepart = false;
					havefield = false;
					continue;
				}
				if (*str != '-')
					return DT_BAD;
				str++;
				if ((rc = iso_number(&str, &val, &fval)) != DT_OK)
					return rc;
				CHECK(add_days(iv, val, 1) && add_frac(iv, fval, NS_PER_DAY));
				if (*str == '\0')
					return DT_OK;
				if (*str == 'T') {
					datepart = false;
					havefield = false;
					continue;
				}
				return DT_BAD;
			default:
				return DT_BAD;
			}
		} else {
			switch (unit) {
			case 'H':
				CHECK(add_time(iv, val, fval, 3600 * NS_PER_S));
				break;
			case 'M':
				CHECK(add_time(iv, val, fval, 60 * NS_PER_S));
				break;
			case 'S':
				CHECK(add_time(iv, val, fval, NS_PER_S));
				break;
			case '\0':
				if (iso_width(fieldstart) == 6 && !havefield) { /* hhmmss */
					/* PostgreSQL 15 scales the fraction as microseconds:
					 * "PT010203.5" is 01:02:03 and half a microsecond. */
					CHECK(add_time(iv, val / 10000, 0, 3600 * NS_PER_S) &&
					      add_time(iv, val / 100 % 100, 0, 60 * NS_PER_S) &&
					      add_time(iv, val % 100, 0, NS_PER_S) &&
					      add_frac(iv, fval, NS_PER_US));
					return DT_OK;
				}
				/* the extended alternative format */
				/* fall through */
			case ':': /* hh:mm:ss */
				if (havefield)
					return DT_BAD;
				CHECK(add_time(iv, val, fval, 3600 * NS_PER_S));
				if (unit == '\0')
					return DT_OK;
				if ((rc = iso_number(&str, &val, &fval)) != DT_OK)
					return rc;
				CHECK(add_time(iv, val, fval, 60 * NS_PER_S));
				if (*str == '\0')
					return DT_OK;
				if (*str != ':')
					return DT_BAD;
				str++;
				if ((rc = iso_number(&str, &val, &fval)) != DT_OK)
					return rc;
				CHECK(add_time(iv, val, fval, NS_PER_S));
				if (*str == '\0')
					return DT_OK;
				return DT_BAD;
			default:
				return DT_BAD;
			}
		}
		havefield = true;
	}
	return DT_OK;
}

#undef CHECK

int sqlfmt_parse_interval(const char *s, size_t n, int64_t *out, StErr *err)
{
	char stack[IV_WORKBUF], work[IV_WORKBUF], *heap;
	char *field[IV_MAXFIELDS];
	int ftype[IV_MAXFIELDS], nf = 0;
	Iv iv = {0};
	bool nomem;
	int rc = DT_BAD;
	char *str = cstr(s, n, stack, sizeof stack, &heap, &nomem);
	if (nomem)
		return failf(err, STELE_ENOMEM, "out of memory");
	if (str) {
		rc = iv_fields(str, work, field, ftype, &nf);
		if (rc == DT_OK)
			rc = iv_decode(field, ftype, nf, &iv);
		if (rc == DT_BAD) {
			Iv iso = {0};
			rc = iv_iso8601(str, &iso);
			iv = iso;
		}
		free(heap);
	}
	if (rc == DT_BAD)
		return failf(err, STELE_EINVAL, "invalid input syntax for type interval: \"%.*s\"",
		             msg_len(n), s);
	if (rc == DT_OVERFLOW)
		return failf(err, STELE_EINVAL, "interval field value out of range: \"%.*s\"",
		             msg_len(n), s);
	if (iv.has_months)
		return failf(err, STELE_EINVAL,
		             "interval \"%.*s\" is not supported: Stele intervals have a fixed "
		             "length (months and years vary)",
		             msg_len(n), s);
	__int128 total = iv.days * NS_PER_DAY + iv.time;
	if (!fits64(total))
		return failf(err, STELE_EINVAL, "interval out of range");
	*out = (int64_t)total;
	return STELE_OK;
}
