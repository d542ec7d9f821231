/*
 * lp_write.c - writing line protocol back out (stele dump, series keys):
 * the escaping writers of lp.h and the shortest exact text of a double.
 *
 * The escaping is the canonical one of lp.h, the inverse of what lp_parse()
 * unescapes: for every string s, parsing what lp_put_*(s) wrote gives s
 * back, and the series key built from the parsed parts with these writers
 * is byte for byte the key lp_parse() gives the line.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/lp.h"
#include "ingest/lp_num.h"

/* Appends s, putting a backslash before every byte for which special[] is
 * set; copies runs without one in a single put. */
static void put_escaped(Buf *out, const char *s, size_t n, const bool special[256])
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (!special[(unsigned char)s[i]])
			continue;
		buf_put(out, s + run, i - run);
		buf_put_u8(out, '\\');
		run = i;
	}
	buf_put(out, s + run, n - run);
}

static const bool meas_special[256] = {[','] = true, [' '] = true, ['\\'] = true};
static const bool name_special[256] = {[','] = true, ['='] = true, [' '] = true, ['\\'] = true};
static const bool str_special[256] = {['"'] = true, ['\\'] = true};

void lp_put_measurement(Buf *out, const char *s, size_t n)
{
	put_escaped(out, s, n, meas_special);
}

void lp_put_tag(Buf *out, const char *s, size_t n)
{
	put_escaped(out, s, n, name_special);
}

void lp_put_field_key(Buf *out, const char *s, size_t n)
{
	put_escaped(out, s, n, name_special);
}

void lp_put_string_value(Buf *out, const char *s, size_t n)
{
	buf_put_u8(out, '"');
	put_escaped(out, s, n, str_special);
	buf_put_u8(out, '"');
}

/* Does text (NUL-terminated) read back as exactly v? */
static bool reads_back(const char *text, double v)
{
	double r;
	if (lp_parse_double(text, strlen(text), &r) != LP_NUM_OK)
		return false;
	return memcmp(&r, &v, sizeof v) == 0;
}

void lp_put_double(Buf *out, double v)
{
	/* Formatting in the "C" locale: "1.5" whatever LC_NUMERIC says. */
	locale_t c = lp_c_locale(), old = c ? uselocale(c) : (locale_t)0;
	char best[40], alt[400];
	int p = 1;
	for (; p < 17; p++) {
		snprintf(best, sizeof best, "%.*g", p, v);
		if (reads_back(best, v))
			break;
	}
	if (p == 17)
		snprintf(best, sizeof best, "%.17g", v);
	/* %g chose an exponent form: the plain form may be shorter ("10"
	 * rather than "1e+01"), and is preferred at equal length. */
	char *e = strchr(best, 'e');
	if (e) {
		int exp10 = atoi(e + 1);
		int decimals = exp10 >= 0 ? 0 : p - 1 - exp10;
		if (decimals < 350) {
			snprintf(alt, sizeof alt, "%.*f", decimals, v);
			if (strlen(alt) <= strlen(best) && reads_back(alt, v))
				memcpy(best, alt, strlen(alt) + 1);
		}
	}
	if (c)
		uselocale(old);
	buf_put(out, best, strlen(best));
}
