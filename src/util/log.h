/*
 * log.h - diagnostics on stderr: "2026-11-23T10:00:00Z stele WARN: ...".
 * The level comes from the STELE_LOG environment variable (error, warn,
 * info, debug; default warn).
 */
#ifndef STELE_UTIL_LOG_H
#define STELE_UTIL_LOG_H

enum { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
