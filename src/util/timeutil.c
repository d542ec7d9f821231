/* timeutil.c - clocks and timestamp text (see timeutil.h). */
#include "util/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t time_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

int64_t time_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int time_parse(const char *s, int64_t *ns, StErr *err)
{
	const char *p = s;
	if (*p == '-' || isdigit((unsigned char)*p)) {
		const char *q = p + (*p == '-');
		while (isdigit((unsigned char)*q))
			q++;
		if (*q == '\0' && q > p + (*p == '-')) {
			errno = 0;
			char *end;
			long long v = strtoll(s, &end, 10);
			if (errno == ERANGE)
				return failf(err, STELE_EINVAL, "timestamp \"%s\" is out of range", s);
			*ns = v;
			return STELE_OK;
		}
	}
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		goto bad;
	int64_t frac = 0, off_s = 0;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
		    digits(&p, 2, &sec))
			goto bad;
		if (*p == '.') {
			p++;
			int nd = 0;
			while (isdigit((unsigned char)*p)) {
				if (nd < 9) {
					frac = frac * 10 + (*p - '0');
					nd++;
				}
				p++;
			}
			if (nd == 0)
				goto bad;
			for (; nd < 9; nd++)
				frac *= 10;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om))
				goto bad;
			off_s = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		goto bad;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off_s;
	if (secs < -9223372036LL || secs > 9223372035LL)
		return failf(err, STELE_EINVAL, "timestamp \"%s\" is out of range", s);
	*ns = secs * NS_PER_S + frac;
	return STELE_OK;
bad:
	return failf(err, STELE_EINVAL,
	             "invalid timestamp \"%s\": expected RFC 3339 (2016-01-01T00:00:00Z) or "
	             "integer nanoseconds",
	             s);
}

int time_parse_duration(const char *s, int64_t *ns, StErr *err)
{
	static const struct {
		const char *unit;
		int64_t ns;
	} units[] = {{"ns", 1},
	             {"us", NS_PER_US},
	             {"ms", NS_PER_MS},
	             {"s", NS_PER_S},
	             {"m", 60 * NS_PER_S},
	             {"h", 3600 * NS_PER_S},
	             {"d", NS_PER_DAY},
	             {"w", 7 * NS_PER_DAY}};
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || v < 0 || errno == ERANGE)
		goto bad;
	if (*end == '\0' && v == 0) {
		*ns = 0;
		return STELE_OK;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].unit) == 0) {
			if (v > INT64_MAX / units[i].ns)
				return failf(err, STELE_EINVAL, "duration \"%s\" is too long", s);
			*ns = v * units[i].ns;
			return STELE_OK;
		}
	}
bad:
	return failf(err, STELE_EINVAL,
	             "invalid duration \"%s\": expected a number and a unit (ns us ms s m h d w)",
	             s);
}

char *time_format(int64_t ns, char *out, size_t n)
{
	int64_t secs = time_floor_div(ns, NS_PER_S);
	int64_t frac = ns - secs * NS_PER_S;
	time_t t = (time_t)secs;
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t k = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac) {
		char f[16];
		snprintf(f, sizeof f, ".%09lld", (long long)frac);
		size_t l = strlen(f);
		while (f[l - 1] == '0')
			f[--l] = '\0';
		snprintf(out + k, n - k, "%sZ", f);
	} else {
		snprintf(out + k, n - k, "Z");
	}
	return out;
}
