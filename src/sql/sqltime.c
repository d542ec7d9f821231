/*
 * sqltime.c - date_trunc, date_part, date_bin and to_timestamp on int64
 * nanosecond timestamps (see sqltime.h).
 *
 * Every computation that can leave the int64 range is done in __int128 and
 * range-checked once at the end, so no input overflows a signed integer.
 */
#include "sql/sqltime.h"

#include <math.h>
#include <string.h>

#include "sql/sqlfmt.h"
#include "util/timeutil.h"

/* Howard Hinnant's days_from_civil / civil_from_days. */
int64_t sqltime_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void sqltime_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int sqltime_days_in_month(int64_t y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* floor(a / b), b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && a < 0) ? q - 1 : q;
}

void sqltime_split(int64_t ts, SqlTm *tm)
{
	int64_t days = floor_div(ts, NS_PER_DAY);
	int64_t tod = ts % NS_PER_DAY; /* days * NS_PER_DAY may overflow */
	if (tod < 0)
		tod += NS_PER_DAY;
	int64_t y;
	sqltime_civil_from_days(days, &y, &tm->mon, &tm->mday);
	tm->year = (int)y;
	tm->days = days;
	int64_t secs = tod / NS_PER_S;
	tm->nsec = (int)(tod % NS_PER_S);
	tm->hour = (int)(secs / 3600);
	tm->min = (int)(secs / 60 % 60);
	tm->sec = (int)(secs % 60);
}

/* ------------------------------------------------------------------------
 * Unit names: PostgreSQL's deltatktbl (the interval units, which date_trunc
 * and date_part look up first), then the date_part fields of its datetktbl.
 */

typedef struct UnitTok {
	const char *tok; /* at most TOKMAXLEN (10) characters */
	SqlUnit unit;
} UnitTok;

#define TOKMAXLEN 10

/* PostgreSQL 15's deltatktbl, and Stele's nanosecond (first line). */
static const UnitTok delta_units[] = {
	{"nanosecond", SQLU_NS}, {"ns", SQLU_NS}, {"nsec", SQLU_NS}, {"nsecond", SQLU_NS},
	{"nseconds", SQLU_NS}, {"nsecs", SQLU_NS},
	{"microsecon", SQLU_US}, {"us", SQLU_US}, {"usec", SQLU_US}, {"usecond", SQLU_US},
	{"useconds", SQLU_US}, {"usecs", SQLU_US},
	{"millisecon", SQLU_MS}, {"ms", SQLU_MS}, {"msec", SQLU_MS}, {"msecond", SQLU_MS},
	{"mseconds", SQLU_MS}, {"msecs", SQLU_MS},
	{"s", SQLU_SECOND}, {"sec", SQLU_SECOND}, {"second", SQLU_SECOND},
	{"seconds", SQLU_SECOND}, {"secs", SQLU_SECOND},
	{"m", SQLU_MINUTE}, {"min", SQLU_MINUTE}, {"mins", SQLU_MINUTE},
	{"minute", SQLU_MINUTE}, {"minutes", SQLU_MINUTE},
	{"h", SQLU_HOUR}, {"hour", SQLU_HOUR}, {"hours", SQLU_HOUR}, {"hr", SQLU_HOUR},
	{"hrs", SQLU_HOUR},
	{"d", SQLU_DAY}, {"day", SQLU_DAY}, {"days", SQLU_DAY},
	{"w", SQLU_WEEK}, {"week", SQLU_WEEK}, {"weeks", SQLU_WEEK},
	{"mon", SQLU_MONTH}, {"mons", SQLU_MONTH}, {"month", SQLU_MONTH},
	{"months", SQLU_MONTH},
	{"qtr", SQLU_QUARTER}, {"quarter", SQLU_QUARTER},
	{"y", SQLU_YEAR}, {"year", SQLU_YEAR}, {"years", SQLU_YEAR}, {"yr", SQLU_YEAR},
	{"yrs", SQLU_YEAR},
	{"dec", SQLU_DECADE}, {"decade", SQLU_DECADE}, {"decades", SQLU_DECADE},
	{"decs", SQLU_DECADE},
	{"c", SQLU_CENTURY}, {"cent", SQLU_CENTURY}, {"centuries", SQLU_CENTURY},
	{"century", SQLU_CENTURY},
	{"mil", SQLU_MILLENNIUM}, {"millennia", SQLU_MILLENNIUM},
	{"millennium", SQLU_MILLENNIUM}, {"mils", SQLU_MILLENNIUM},
	{"timezone", SQLU_TZ},
	{"timezone_h", SQLU_TZ_HOUR},
	{"timezone_m", SQLU_TZ_MINUTE},
	{"ago", SQLU_AGO},
};

/* The date_part fields of PostgreSQL 15's datetktbl, looked up when a name
 * is not an interval unit. */
static const UnitTok special_units[] = {
	{"dow", SQLU_DOW}, {"doy", SQLU_DOY}, {"isodow", SQLU_ISODOW},
	{"isoyear", SQLU_ISOYEAR}, {"j", SQLU_JULIAN}, {"jd", SQLU_JULIAN},
	{"julian", SQLU_JULIAN}, {"mm", SQLU_MINUTE}, {"epoch", SQLU_EPOCH},
	{"-infinity", SQLU_RESERVED}, {"allballs", SQLU_RESERVED},
	{"infinity", SQLU_RESERVED}, {"now", SQLU_RESERVED}, {"today", SQLU_RESERVED},
	{"tomorrow", SQLU_RESERVED}, {"yesterday", SQLU_RESERVED},
};

static SqlUnit lookup(const UnitTok *tab, size_t ntab, const char *low)
{
	for (size_t i = 0; i < ntab; i++)
		if (strncmp(low, tab[i].tok, TOKMAXLEN) == 0)
			return tab[i].unit;
	return SQLU_NONE;
}

SqlUnit sqltime_lookup_unit(const char *low)
{
	return lookup(delta_units, sizeof delta_units / sizeof delta_units[0], low);
}

/* PostgreSQL lower-cases the unit and cuts it to NAMEDATALEN-1 bytes. */
#define UNIT_MAX 63

/* Lower-cases s[0..n) into low (ASCII only, as PostgreSQL's
 * downcase_truncate_identifier for a multi-byte encoding), cut to
 * UNIT_MAX bytes; false if s holds a NUL byte, which no PostgreSQL text
 * can. */
static bool lower_unit(const char *s, size_t n, char *low)
{
	bool ok = !memchr(s, '\0', n);
	if (n > UNIT_MAX)
		n = UNIT_MAX;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	low[n] = '\0';
	return ok;
}

static int not_recognized(StErr *err, const char *low)
{
	return failf(err, STELE_EINVAL, "unit \"%s\" not recognized for type timestamp", low);
}

static int not_supported(StErr *err, const char *low)
{
	return failf(err, STELE_EINVAL, "unit \"%s\" not supported for type timestamp", low);
}

static int range_result(__int128 v, int64_t *out, StErr *err)
{
	if (v < INT64_MIN || v > INT64_MAX)
		return failf(err, STELE_EINVAL, "timestamp out of range");
	*out = (int64_t)v;
	return STELE_OK;
}

/* ------------------------------------------------------------------------
 * date_trunc
 */

static __int128 floor_to(int64_t ts, int64_t step)
{
	return (__int128)floor_div(ts, step) * step;
}

static __int128 date_ns(int64_t y, int m, int d)
{
	return (__int128)sqltime_days_from_civil(y, m, d) * NS_PER_DAY;
}

int sqltime_trunc(const char *unit, size_t n, int64_t ts, int64_t *out, StErr *err)
{
	char low[UNIT_MAX + 1];
	SqlUnit u = lower_unit(unit, n, low) ? sqltime_lookup_unit(low) : SQLU_NONE;
	SqlTm tm;
	sqltime_split(ts, &tm);
	__int128 r;
	switch (u) {
	case SQLU_NS:
		r = ts;
		break;
	case SQLU_US:
		r = floor_to(ts, NS_PER_US);
		break;
	case SQLU_MS:
		r = floor_to(ts, NS_PER_MS);
		break;
	case SQLU_SECOND:
		r = floor_to(ts, NS_PER_S);
		break;
	case SQLU_MINUTE:
		r = floor_to(ts, 60 * NS_PER_S);
		break;
	case SQLU_HOUR:
		r = floor_to(ts, 3600 * NS_PER_S);
		break;
	case SQLU_DAY:
		r = floor_to(ts, NS_PER_DAY);
		break;
	case SQLU_WEEK: {
		/* 1970-01-01 was a Thursday: (days + 3) mod 7 days since Monday. */
		int64_t back = (tm.days + 3) % 7;
		if (back < 0)
			back += 7;
		r = (__int128)(tm.days - back) * NS_PER_DAY;
		break;
	}
	case SQLU_MONTH:
		r = date_ns(tm.year, tm.mon, 1);
		break;
	case SQLU_QUARTER:
		r = date_ns(tm.year, 3 * ((tm.mon - 1) / 3) + 1, 1);
		break;
	case SQLU_YEAR:
		r = date_ns(tm.year, 1, 1);
		break;
	case SQLU_DECADE:
		r = date_ns(tm.year / 10 * 10, 1, 1);
		break;
	case SQLU_CENTURY:
		r = date_ns((tm.year + 99) / 100 * 100 - 99, 1, 1);
		break;
	case SQLU_MILLENNIUM:
		r = date_ns((tm.year + 999) / 1000 * 1000 - 999, 1, 1);
		break;
	case SQLU_TZ:
	case SQLU_TZ_HOUR:
	case SQLU_TZ_MINUTE:
		return not_supported(err, low);
	default:
		return not_recognized(err, low);
	}
	return range_result(r, out, err);
}

/* ------------------------------------------------------------------------
 * date_part
 */

/* ISO 8601 week-numbering year and week of the day `days` (since 1970):
 * the week belongs to the year of its Thursday. */
static void iso_week(int64_t days, int64_t *isoyear, int *week)
{
	int64_t isodow = ((days + 3) % 7 + 7) % 7 + 1; /* 1 = Monday */
	int64_t thu = days - isodow + 4;
	int64_t y;
	int m, d;
	sqltime_civil_from_days(thu, &y, &m, &d);
	*isoyear = y;
	*week = (int)((thu - sqltime_days_from_civil(y, 1, 1)) / 7 + 1);
}

/* Seconds since 1970 as PostgreSQL computes them for a whole number of
 * microseconds, (double)usec / 1e6, so that the doubles agree. */
static double epoch_secs(int64_t ts)
{
	if (ts % NS_PER_US == 0)
		return (double)(ts / NS_PER_US) / 1000000.0;
	return (double)((long double)ts / 1e9L);
}

int sqltime_part(const char *field, size_t n, int64_t ts, double *out, StErr *err)
{
	char low[UNIT_MAX + 1];
	bool ok = lower_unit(field, n, low);
	SqlUnit u = ok ? sqltime_lookup_unit(low) : SQLU_NONE;
	if (ok && u == SQLU_NONE)
		u = lookup(special_units, sizeof special_units / sizeof special_units[0], low);
	SqlTm tm;
	sqltime_split(ts, &tm);
	int64_t isoyear;
	int week;
	switch (u) {
	case SQLU_NS:
		*out = tm.sec * 1e9 + tm.nsec;
		break;
	case SQLU_US:
		*out = tm.sec * 1000000.0 + tm.nsec / 1000.0;
		break;
	case SQLU_MS:
		*out = tm.sec * 1000.0 + tm.nsec / 1000000.0;
		break;
	case SQLU_SECOND:
		*out = tm.sec + tm.nsec / 1e9;
		break;
	case SQLU_MINUTE:
		*out = tm.min;
		break;
	case SQLU_HOUR:
		*out = tm.hour;
		break;
	case SQLU_DAY:
		*out = tm.mday;
		break;
	case SQLU_MONTH:
		*out = tm.mon;
		break;
	case SQLU_QUARTER:
		*out = (tm.mon - 1) / 3 + 1;
		break;
	case SQLU_WEEK:
		iso_week(tm.days, &isoyear, &week);
		*out = week;
		break;
	case SQLU_YEAR:
		*out = tm.year;
		break;
	case SQLU_DECADE:
		*out = tm.year / 10;
		break;
	case SQLU_CENTURY:
		*out = (tm.year + 99) / 100;
		break;
	case SQLU_MILLENNIUM:
		*out = (tm.year + 999) / 1000;
		break;
	case SQLU_JULIAN:
		/* PostgreSQL: date2j() + seconds since midnight / 86400. */
		*out = (double)(tm.days + 2440588) +
		       ((tm.hour * 60 + tm.min) * 60 + tm.sec + tm.nsec / 1e9) / 86400.0;
		break;
	case SQLU_ISOYEAR:
		iso_week(tm.days, &isoyear, &week);
		*out = (double)isoyear;
		break;
	case SQLU_DOW:
		*out = (double)(((tm.days + 4) % 7 + 7) % 7);
		break;
	case SQLU_ISODOW:
		*out = (double)(((tm.days + 3) % 7 + 7) % 7 + 1);
		break;
	case SQLU_DOY:
		*out = (double)(tm.days - sqltime_days_from_civil(tm.year, 1, 1) + 1);
		break;
	case SQLU_EPOCH:
		*out = epoch_secs(ts);
		break;
	case SQLU_TZ:
	case SQLU_TZ_HOUR:
	case SQLU_TZ_MINUTE:
	case SQLU_RESERVED:
		return not_supported(err, low);
	default:
		return not_recognized(err, low);
	}
	return STELE_OK;
}

/* ------------------------------------------------------------------------
 * date_bin / time_bucket, to_timestamp
 */

int sqltime_bucket(int64_t width, int64_t ts, int64_t origin, int64_t *out, StErr *err)
{
	if (width <= 0)
		return failf(err, STELE_EINVAL, "stride must be greater than zero");
	int64_t d;
	if (!__builtin_sub_overflow(ts, origin, &d)) {
		/* The usual case, in 64 bits: the floor of d / width. */
		int64_t q = d / width, r = d % width;
		if (r < 0)
			q--;
		int64_t start;
		if (!__builtin_mul_overflow(q, width, &start) &&
		    !__builtin_add_overflow(start, origin, &start)) {
			*out = start;
			return STELE_OK;
		}
	}
	__int128 diff = (__int128)ts - origin;
	__int128 q = diff / width;
	if (diff % width < 0)
		q--;
	return range_result(q * width + origin, out, err);
}

static int epoch_range(double secs, StErr *err)
{
	if (isinf(secs))
		return failf(err, STELE_EINVAL, "timestamp out of range: \"%s\"",
		             secs > 0 ? "Infinity" : "-Infinity");
	return failf(err, STELE_EINVAL, "timestamp out of range: \"%g\"", secs);
}

int sqltime_from_epoch(double secs, int64_t *out, StErr *err)
{
	if (isnan(secs))
		return failf(err, STELE_EINVAL, "timestamp cannot be NaN");
	/* Past ~9.3e9 seconds nothing fits; this also keeps __int128 exact. */
	if (isinf(secs) || fabs(secs) > 1e10)
		return epoch_range(secs, err);
	char dig[SQLFMT_DIGITS_MAX + 1];
	int exp10;
	int nd = sqlfmt_double_digits(fabs(secs), dig, &exp10);
	/* fabs(secs) = d1.d2...dn * 10^exp10 = D * 10^(exp10 + 1 - nd), D the
	 * digits as an integer, so ns = D * 10^(exp10 + 10 - nd). */
	__int128 d = 0;
	for (int i = 0; i < nd; i++)
		d = d * 10 + (dig[i] - '0');
	int k = exp10 + 10 - nd;
	__int128 ns;
	if (k >= 0) {
		ns = d;
		for (int i = 0; i < k; i++)
			ns *= 10;
	} else if (k < -20) {
		ns = 0; /* below 1e-11 ns: rounds to zero */
	} else {
		__int128 p = 1;
		for (int i = 0; i < -k; i++)
			p *= 10;
		ns = d / p;
		__int128 rem = d % p;
		if (rem * 2 > p || (rem * 2 == p && (ns & 1)))
			ns++;
	}
	if (signbit(secs))
		ns = -ns;
	if (ns < INT64_MIN || ns > INT64_MAX)
		return epoch_range(secs, err);
	*out = (int64_t)ns;
	return STELE_OK;
}
