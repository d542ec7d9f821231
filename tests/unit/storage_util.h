/*
 * storage_util.h - helpers for the storage tests: open a database with test
 * options, write line protocol, and render a table as line protocol text so
 * that a test compares whole contents with one string.
 */
#ifndef STELE_STORAGE_UTIL_H
#define STELE_STORAGE_UTIL_H

#include "testutil.h"

#include "ingest/lp.h"
#include "storage/db.h"
#include "storage/scan.h"

/* Options for tests: no background threads (deterministic), sync none
 * unless a test needs durability. */
static inline stele_options su_opts(void)
{
	stele_options o;
	stele_options_init(&o);
	o.background = false;
	o.sync = STELE_SYNC_NONE;
	return o;
}

static inline stele_db *su_open(const char *dir, const stele_options *o)
{
	stele_db *db = NULL;
	stele_err err;
	int rc = stele_open(dir, o, &db, &err);
	if (rc)
		fail_msg("stele_open: %s", err.msg);
	return db;
}

static inline void su_close(stele_db *db)
{
	stele_err err;
	int rc = stele_close(db, &err);
	if (rc)
		fail_msg("stele_close: %s", err.msg);
}

/* Writes text; fails the test unless every line is written. */
static inline void su_write(stele_db *db, const char *text)
{
	stele_write_result res;
	stele_err err;
	int rc = stele_write_lp(db, text, strlen(text), NULL, &res, &err);
	if (rc)
		fail_msg("stele_write_lp: %s", err.msg);
}

/* The rows of `table` with ts in [tmin, tmax] as line protocol, one line a
 * row, in scan order; malloc'd. */
static inline char *su_dump_range(stele_db *db, const char *table, int64_t tmin, int64_t tmax)
{
	uint32_t tid = db_table_id(db, table);
	Buf out = {0};
	if (tid == UINT32_MAX) {
		buf_put(&out, "", 1);
		return (char *)out.data;
	}
	pthread_mutex_lock(&db->mu);
	const Table *t = catalog_table(&db->cat, tid);
	assert_true(t->ncols <= 256);
	uint32_t cols[256], n = table_fields(t, cols, NULL);
	pthread_mutex_unlock(&db->mu);
	ScanSpec spec = {.table = tid, .tmin = tmin, .tmax = tmax, .cols = cols, .ncols = n,
	                 .batch_rows = 3};
	Scan *sc;
	stele_err err;
	if (scan_open(db, &spec, &sc, &err))
		fail_msg("scan_open: %s", err.msg);
	for (;;) {
		const Rows *r;
		if (scan_next(sc, &r, &err))
			fail_msg("scan_next: %s", err.msg);
		if (!r)
			break;
		for (uint32_t i = 0; i < r->n; i++) {
			pthread_mutex_lock(&db->mu);
			series_key(&db->sx, &db->cat, r->sid[i], &out);
			char sep = ' ';
			for (uint32_t c = 0; c < r->ncols; c++) {
				const ColVec *cv = &r->cols[c];
				if (!cv->valid[i])
					continue;
				const Column *col = &t->cols[cv->col];
				buf_put_u8(&out, (uint8_t)sep);
				sep = ',';
				lp_put_field_key(&out, col->name, col->len);
				buf_put_u8(&out, '=');
				char num[40];
				if (cv->type == STELE_TYPE_DOUBLE) {
					double d;
					memcpy(&d, &cv->v[i], 8);
					lp_put_double(&out, d);
				} else if (cv->type == STELE_TYPE_BIGINT) {
					snprintf(num, sizeof num, "%lldi", (long long)(int64_t)cv->v[i]);
					buf_put(&out, num, strlen(num));
				} else if (cv->type == STELE_TYPE_UBIGINT) {
					snprintf(num, sizeof num, "%lluu", (unsigned long long)cv->v[i]);
					buf_put(&out, num, strlen(num));
				} else if (cv->type == STELE_TYPE_BOOLEAN) {
					buf_put(&out, cv->v[i] ? "true" : "false", cv->v[i] ? 4 : 5);
				} else {
					uint32_t len;
					const char *s = rows_str(r, cv->v[i], &len);
					lp_put_string_value(&out, s, len);
				}
			}
			pthread_mutex_unlock(&db->mu);
			char ts[32];
			snprintf(ts, sizeof ts, " %lld\n", (long long)r->ts[i]);
			buf_put(&out, ts, strlen(ts));
		}
	}
	scan_close(sc);
	buf_put(&out, "", 1);
	assert_false(out.failed);
	return (char *)out.data;
}

static inline char *su_dump(stele_db *db, const char *table)
{
	return su_dump_range(db, table, INT64_MIN, INT64_MAX);
}

/* Asserts that table's contents are exactly `want`. */
#define su_assert_table(db, table, want)                                                  \
	do {                                                                              \
		char *got_ = su_dump((db), (table));                                      \
		if (strcmp(got_, (want)) != 0)                                            \
			fail_msg("table %s:\n--- got\n%s--- want\n%s", (table), got_, (want)); \
		free(got_);                                                               \
	} while (0)

#endif
