/* log.c - leveled diagnostics on stderr (see log.h). */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"

static int threshold(void)
{
	static int level = -1;
	if (level < 0) {
		const char *e = getenv("STELE_LOG");
		static const char *const names[] = {"error", "warn", "info", "debug"};
		level = LOG_WARN;
		for (int i = 0; e && i < 4; i++)
			if (strcmp(e, names[i]) == 0)
				level = i;
	}
	return level;
}

void log_msg(int level, const char *fmt, ...)
{
	if (level > threshold())
		return;
	static const char *const tags[] = {"ERROR", "WARN", "INFO", "DEBUG"};
	char when[48], line[1024];
	time_format(time_now_ns() / NS_PER_S * NS_PER_S, when, sizeof when);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s stele %s: %s\n", when, tags[level], line);
}
