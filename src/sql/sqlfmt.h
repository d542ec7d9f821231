/*
 * sqlfmt.h - SQL values as text and back, in PostgreSQL 15's formats, so
 * that Stele's results print exactly as PostgreSQL prints them (psql,
 * differential tests) and its literals read as PostgreSQL reads them.
 *
 * Output functions append to a Buf (util/buf.h) and report nothing: a
 * failed growth sets the Buf's sticky `failed` flag, checked once with
 * buf_check(). Parsers take n bytes at s (not NUL-terminated; a NUL byte
 * inside makes the input invalid), keep no pointer to it, and return
 * STELE_OK, or STELE_EINVAL with PostgreSQL's message in err (messages
 * quote the input, cut to fit StErr), or STELE_ENOMEM when a long double
 * or interval text needed a heap copy that malloc refused. Every direction
 * works in the "C" locale whatever the process's locale is ("1.5", never
 * "1,5"). All functions are thread-safe.
 *
 * Stele's values: double, bigint (int64), ubigint (uint64), boolean,
 * varchar, timestamp (int64 nanoseconds since 1970-01-01 UTC, no time
 * zone) and interval (int64 nanoseconds: a fixed length, no months).
 */
#ifndef STELE_SQL_SQLFMT_H
#define STELE_SQL_SQLFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

/* ------------------------------------------------------------------------
 * Output
 */

/*
 * float8out with the default extra_float_digits = 1: the shortest digits
 * that read back as v, as its Ryu picks them (sqlfmt_double_digits), with
 * a "-" for negatives and -0, in plain notation when the decimal
 * exponent x of the first digit is in -4 <= x < 15 ("0.0001",
 * "123456789012345", "1.5"), else as d.ddde+XX with at least two exponent
 * digits ("1e+15", "1.5e-05", "5e-324"); "NaN", "Infinity", "-Infinity",
 * "0" and "-0".
 */
void sqlfmt_double(Buf *out, double v);

/* The longest digit string sqlfmt_double_digits writes, without its NUL. */
#define SQLFMT_DIGITS_MAX 17

/*
 * The digits sqlfmt_double prints for v (finite, v >= 0): the shortest
 * decimal strictly inside v's rounding interval (so it reads back as v, and
 * is never exactly half-way to a neighbour, which PostgreSQL's Ryu avoids
 * even where strtod would read it as v), and among those the one nearest
 * v. Writes them NUL-terminated, without trailing zeros, into digits
 * (SQLFMT_DIGITS_MAX + 1 bytes), sets *exp10 so that v reads
 * d1.d2d3... * 10^exp10, and returns how many digits there are. For 0 it
 * writes "0" with *exp10 = 0.
 */
int sqlfmt_double_digits(double v, char *digits, int *exp10);

/* int8out / int8out for uint64: decimal, "-" for negatives. */
void sqlfmt_bigint(Buf *out, int64_t v);
void sqlfmt_ubigint(Buf *out, uint64_t v);

/* boolout: "t" or "f". */
void sqlfmt_bool(Buf *out, bool v);

/*
 * timestamp_out in the ISO DateStyle: "2016-01-01 00:00:10", with a
 * fraction of up to 9 digits when there is one, trailing zeros removed
 * ("2016-01-01 00:00:10.5", "...:10.123456789"). Times before 1970 are
 * floored like PostgreSQL's: -1 ns is "1969-12-31 23:59:59.999999999".
 */
void sqlfmt_timestamp(Buf *out, int64_t ns);

/*
 * interval_out in the default "postgres" IntervalStyle. PostgreSQL keeps an
 * interval as months, days and time; a Stele interval is nanoseconds only,
 * and prints as if it had been given as days plus time of the same sign:
 * days = ns / 86400e9 truncated toward zero, time = the rest (|time| < 24
 * hours). So "00:05:00", "1 day 02:00:00", "3 days", "-1 days -02:00:00",
 * "-00:00:01", "00:00:00.5" (fraction of up to 9 digits, trailing zeros
 * removed), "00:00:00" for zero. PostgreSQL prints the same text for
 * justify_hours() of the same microseconds; it never prints "+" here, since
 * days and time never differ in sign.
 */
void sqlfmt_interval(Buf *out, int64_t ns);

/* ------------------------------------------------------------------------
 * Input
 */

/*
 * float8in: leading and trailing whitespace, what strtod reads in the C
 * locale (so also "inf", "Infinity", "-Infinity", "NaN" in any case, hex
 * "0x1p3", as PostgreSQL on glibc), with a denormal result accepted.
 * `invalid input syntax for type double precision: "abc"`; a magnitude
 * that overflows or underflows to zero: `"1e999" is out of range for type
 * double precision`.
 */
int sqlfmt_parse_double(const char *s, size_t n, double *out, StErr *err);

/*
 * int8in: optional whitespace, "+" or "-", decimal digits, optional
 * whitespace. `invalid input syntax for type bigint: "12a"`,
 * `value "99999999999999999999" is out of range for type bigint` (checked
 * before trailing junk, as PostgreSQL does).
 */
int sqlfmt_parse_bigint(const char *s, size_t n, int64_t *out, StErr *err);

/* As sqlfmt_parse_bigint for 0 .. 2^64-1, the type named "ubigint"; "-0"
 * is 0, any other negative number is out of range. */
int sqlfmt_parse_ubigint(const char *s, size_t n, uint64_t *out, StErr *err);

/*
 * boolin: after trimming whitespace, case-insensitive "t", "true", "y",
 * "yes", "on", "1" and "f", "false", "n", "no", "off", "0", and any prefix
 * of these words that is unique ("tr", "ye", "of"; not "o").
 * `invalid input syntax for type boolean: "x"`.
 */
int sqlfmt_parse_bool(const char *s, size_t n, bool *out, StErr *err);

/*
 * timestamp input, the ISO forms of PostgreSQL's timestamp_in, with
 * optional whitespace around:
 *
 *     epoch                                  (any case: 1970-01-01)
 *     YYYY-MM-DD [ [" "* "T" " "* | " "+] TIME ] [ " "* ZONE ]
 *     TIME = H:MM | H:MM:SS | H:MM:SS.FFFFFFFFF | M:SS.FFF
 *     ZONE = Z | ZULU | UTC | UT | GMT | (+|-)H | (+|-)HH[[:]MM] | (+|-)HH:MM:SS
 *
 * (any case; a year of three or more digits, a month of one or two, the
 * other fields of one or more; "M:SS.F" is minutes and seconds, as in
 * PostgreSQL). A fraction keeps 9 digits, rounded half up at the tenth.
 * 24:00:00 and a leap second :60 roll over, as in PostgreSQL.
 *
 * Unlike PostgreSQL's `timestamp without time zone`, which ignores a zone
 * in its input, Stele applies it: "2016-01-01 00:00:00+02" is
 * 2015-12-31 22:00:00 UTC, as PostgreSQL's timestamptz reads it (Stele's
 * timestamps are UTC instants). PostgreSQL's other forms (month names,
 * "2016/01/01", "20160101", two-digit years, time zone names, "now",
 * "today", "allballs", AD/BC, AM/PM) are invalid here.
 *
 * Errors, STELE_EINVAL, PostgreSQL's messages:
 * `invalid input syntax for type timestamp: "..."`,
 * `date/time field value out of range: "2016-02-30"`,
 * `time zone displacement out of range: "...+16"` (more than 15:59:59), and
 * `timestamp out of range: "..."` for a valid date outside 1677-09-21
 * 00:12:43.145224192 .. 2262-04-11 23:47:16.854775807, and for "infinity"
 * and "-infinity", which PostgreSQL accepts and Stele cannot represent.
 */
int sqlfmt_parse_timestamp(const char *s, size_t n, int64_t *out, StErr *err);

/*
 * interval_in: PostgreSQL 15's interval grammar (its ParseDateTime,
 * DecodeInterval and DecodeISO8601Interval, followed closely):
 *
 *   - numbers with units, with or without space, in any order, each unit
 *     once: "5 minutes", "5min", "1 hour 30 minutes", "1.5 hours", "-1 day",
 *     "1h30m", "2 weeks", "+5 minutes", ".5 hours";
 *   - units as PostgreSQL spells them, matched on their first 10 letters in
 *     any case: us usec usecs usecond useconds microsecond(s), ms msec
 *     msecs msecond mseconds millisecond(s), s sec secs second(s), m min
 *     mins minute(s), h hr hrs hour(s), d day(s), w week(s), and Stele's
 *     ns nsec nsecs nsecond(s) nanosecond(s);
 *   - a time "02:03:04", "02:03:04.5", "10:00" (hours:minutes), "03:04.5"
 *     (minutes:seconds), with an optional sign, after which a bare number
 *     is days: "1 02:00" is "1 day 02:00:00"; a bare number with nothing
 *     after it is seconds ("5");
 *   - "@" and other punctuation are ignored; "ago" negates the whole
 *     interval ("@ 1 hour ago");
 *   - ISO 8601, starting at the first byte: "PT5M", "P1DT2H", "P1W",
 *     "PT1.5S", "P0000-00-01T02:00:00", "P00000001", "PT020304".
 *
 * Fractions are kept to the nanosecond where PostgreSQL rounds to the
 * microsecond ("1.5 us" is 1500 ns; PostgreSQL says 1 us), rounded half
 * toward zero as PostgreSQL rounds them. A negative part is simply added:
 * "-1 day 2 hours" is -22 hours (PostgreSQL keeps "-1 days +02:00:00",
 * which Stele cannot represent). PostgreSQL's quirks are kept: a time
 * replaces the time of the units to its right ("02:00 1.5 days" is
 * 1 day 02:00:00), and a basic-format ISO fraction counts microseconds
 * ("PT010203.5" is 01:02:03 and 500 ns). So are its limits: at most 25
 * fields, whose text (without spaces) must fit in 255 bytes.
 *
 * Errors, STELE_EINVAL:
 * `invalid input syntax for type interval: "5 minutez"`,
 * `interval field value out of range: "02:60:00"` (PostgreSQL's field
 * checks, and its int32 and int64 field limits, mirrored), `interval "1 month" is not supported: Stele intervals have a
 * fixed length (months and years vary)` for any month, year, decade,
 * century or millennium field that is not zero (also "1-2" and ISO "P1M"),
 * and `interval out of range` for a total beyond +-2^63 ns (about 292
 * years).
 */
int sqlfmt_parse_interval(const char *s, size_t n, int64_t *out, StErr *err);

#endif
