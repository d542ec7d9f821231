/*
 * lp_num.h - decimal text to double and back, exactly, for the line
 * protocol parser (lp.c) and writer (lp_write.c). Internal to src/ingest.
 *
 * Both directions work in the "C" locale whatever the process's locale is:
 * a program that embeds Stele and calls setlocale(LC_ALL, "de_DE") still
 * reads and writes "1.5", never "1,5".
 */
#ifndef STELE_INGEST_LP_NUM_H
#define STELE_INGEST_LP_NUM_H

#include <locale.h>
#include <stddef.h>

enum {
	LP_NUM_OK = 0,
	LP_NUM_INVALID, /* not a float of the line protocol grammar */
	LP_NUM_RANGE,   /* well formed, but its magnitude exceeds DBL_MAX */
	LP_NUM_NOMEM,   /* a very long number needed memory that malloc refused */
};

/* Parses the n bytes at s (not NUL-terminated) as a line protocol float:
 *
 *     -? ( digits [ "." digits* ] | "." digits ) [ (e|E) [+|-] digits ]
 *
 * into the nearest double (round half to even), as strtod would; values
 * below the smallest subnormal become (signed) zero, as in Go's ParseFloat.
 * No leading "+", no "inf", "nan", hexadecimal or spaces. Returns an LP_NUM_
 * code. Short decimals (at most 19 significant digits whose value is below
 * 2^53, with a power of ten within 10^+-22) are converted by one exact IEEE
 * multiplication or division; the rest by strtod_l. */
int lp_parse_double(const char *s, size_t n, double *out);

/* The "C" locale, created once; never freed. NULL if it could not be made
 * (then callers fall back to the process locale). */
locale_t lp_c_locale(void);

#endif
