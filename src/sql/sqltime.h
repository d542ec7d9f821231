/*
 * sqltime.h - SQL time functions on Stele timestamps, with PostgreSQL 15's
 * semantics for `timestamp without time zone`: date_trunc, date_part
 * (extract), date_bin / TimescaleDB's time_bucket, and to_timestamp(double).
 *
 * A timestamp is int64 nanoseconds since 1970-01-01 00:00:00 UTC in the
 * proleptic Gregorian calendar without leap seconds; it spans
 * 1677-09-21 00:12:43.145224192 to 2262-04-11 23:47:16.854775807. Every
 * result outside that span is an error ("timestamp out of range"), never a
 * wrapped value. Stele has no infinite timestamps.
 *
 * Units and field names are matched as PostgreSQL matches them: ASCII case
 * is ignored and only the first 10 characters count, so "microseconds" and
 * "Microsecondsxyz" both name the microsecond. Stele adds the nanosecond
 * ("ns", "nsec", "nsecs", "nsecond", "nseconds", "nanosecond(s)").
 *
 * Error messages are PostgreSQL's, with the type named "timestamp" (where
 * PostgreSQL says "timestamp without time zone").
 */
#ifndef STELE_SQL_SQLTIME_H
#define STELE_SQL_SQLTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/*
 * TimescaleDB's default time_bucket origin, 2000-01-03 00:00:00 UTC (a
 * Monday, so that week-wide buckets start on Mondays), in nanoseconds.
 */
#define SQLTIME_BUCKET_ORIGIN 946857600000000000LL

/* A timestamp broken down into calendar fields (UTC). */
typedef struct SqlTm {
	int year;  /* 1677..2262 for a Stele timestamp */
	int mon;   /* 1..12 */
	int mday;  /* 1..31 */
	int hour;  /* 0..23 */
	int min;   /* 0..59 */
	int sec;   /* 0..59 */
	int nsec;  /* 0..999999999 */
	int64_t days; /* days since 1970-01-01 (negative before) */
} SqlTm;

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12,
 * d 1..31, not checked against the month's length). */
int64_t sqltime_days_from_civil(int64_t y, int m, int d);

/* The inverse of sqltime_days_from_civil. */
void sqltime_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* Units and fields, as sqltime_lookup_unit returns them. */
typedef enum SqlUnit {
	SQLU_NONE = 0, /* not a unit */
	SQLU_NS, SQLU_US, SQLU_MS, SQLU_SECOND, SQLU_MINUTE, SQLU_HOUR, SQLU_DAY,
	SQLU_WEEK, SQLU_MONTH, SQLU_QUARTER, SQLU_YEAR, SQLU_DECADE, SQLU_CENTURY,
	SQLU_MILLENNIUM,
	SQLU_TZ, SQLU_TZ_HOUR, SQLU_TZ_MINUTE, /* "timezone", "timezone_h/_m" */
	SQLU_AGO,                             /* "ago" */
	/* date_part fields only, never returned by sqltime_lookup_unit */
	SQLU_DOW, SQLU_DOY, SQLU_ISODOW, SQLU_ISOYEAR, SQLU_JULIAN, SQLU_EPOCH,
	SQLU_RESERVED, /* "now", "today", "infinity", ...: not supported */
} SqlUnit;

/* Looks up an interval unit in PostgreSQL's table of them (its deltatktbl,
 * plus Stele's nanosecond spellings): `low` is lower-case and
 * NUL-terminated, and only its first 10 characters count ("microseconds"
 * matches "microsecon"). SQLU_NONE if it is none. */
SqlUnit sqltime_lookup_unit(const char *low);

/* The number of days in month m (1..12) of year y. */
int sqltime_days_in_month(int64_t y, int m);

/* Breaks ts down into *tm; times before 1970 are floored, so the fields
 * are never negative. */
void sqltime_split(int64_t ts, SqlTm *tm);

/*
 * date_trunc(unit, ts): ts rounded down to the start of its nanosecond,
 * microsecond, millisecond, second, minute, hour, day, week (the ISO week,
 * from Monday), month, quarter, year, decade (2010, 2020, ...), century
 * (2001-01-01) or millennium (2001-01-01), unit given as PostgreSQL spells
 * it ("min", "hours", "qtr", "y", ...; see the header comment) in s[0..n).
 * Errors, STELE_EINVAL: `unit "foo" not recognized for type timestamp`,
 * `unit "timezone" not supported for type timestamp` and `timestamp out of
 * range` (a century or millennium that starts before 1677).
 */
int sqltime_trunc(const char *unit, size_t n, int64_t ts, int64_t *out, StErr *err);

/*
 * date_part(field, ts) as double precision, PostgreSQL's date_part():
 * microseconds (the seconds field times 1e6, with its fraction),
 * milliseconds, second (with fraction), minute, hour, day, month, quarter,
 * year, decade, century, millennium, dow (0 = Sunday), isodow
 * (7 = Sunday), doy, week (ISO week number), isoyear, epoch (seconds since
 * 1970 with fraction), julian (Julian day number, plus the fraction of the
 * day since midnight), and Stele's nanoseconds (the seconds field times
 * 1e9). For a timestamp that is a whole number of microseconds every value
 * is the double PostgreSQL computes. Errors as sqltime_trunc.
 */
int sqltime_part(const char *field, size_t n, int64_t ts, double *out, StErr *err);

/*
 * time_bucket(width, ts, origin) / date_bin(width, ts, origin): the start
 * of the width-long bucket that contains ts, buckets aligned to origin:
 * floor((ts - origin) / width) * width + origin, exact for every int64
 * argument (ts before origin included). Errors, STELE_EINVAL: width <= 0
 * (`stride must be greater than zero`), and a result outside the timestamp
 * range (`timestamp out of range`).
 */
int sqltime_bucket(int64_t width, int64_t ts, int64_t origin, int64_t *out, StErr *err);

/*
 * to_timestamp(secs): seconds since 1970 as a timestamp. The value taken is
 * the decimal the double prints as (its shortest round-trip digits, so
 * 1451606400.123456 is .123456000, not the double's binary value
 * .123456001...), rounded half-even to the nanosecond. Errors, STELE_EINVAL:
 * NaN (`timestamp cannot be NaN`, as PostgreSQL), infinities and values
 * outside the range (`timestamp out of range: "1e+300"`, PostgreSQL's
 * message; PostgreSQL returns infinity for an infinite argument, Stele has
 * none).
 */
int sqltime_from_epoch(double secs, int64_t *out, StErr *err);

#endif
