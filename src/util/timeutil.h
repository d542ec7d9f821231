/*
 * timeutil.h - clocks, and timestamps as text.
 *
 * Stele's time is int64 nanoseconds since the Unix epoch, UTC: it covers the
 * years 1677 to 2262.
 */
#ifndef STELE_UTIL_TIMEUTIL_H
#define STELE_UTIL_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define NS_PER_US 1000LL
#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL
#define NS_PER_DAY (86400LL * NS_PER_S)

/* Wall clock (CLOCK_REALTIME) and a monotonic clock, in nanoseconds. */
int64_t time_now_ns(void);
int64_t time_mono_ns(void);

/* Parses an RFC 3339 timestamp ("2016-01-01T00:00:00Z",
 * "2016-01-01 00:00:00.5+02:00", "2016-01-01") or an integer of
 * nanoseconds. */
int time_parse(const char *s, int64_t *ns, StErr *err);

/* Parses a duration: an integer with a unit, "90s", "15m", "36h", "30d",
 * "2w", "500ms", "10us", "7ns"; "0" is zero. */
int time_parse_duration(const char *s, int64_t *ns, StErr *err);

/* Writes ns as RFC 3339 UTC with as many fraction digits as it needs
 * ("2016-01-01T00:00:10Z", "...:10.5Z"); returns out. */
char *time_format(int64_t ns, char *out, size_t n);

/* Floor division for partition arithmetic: floor(a / b), b > 0. */
static inline int64_t time_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && a < 0) ? q - 1 : q;
}

#endif
