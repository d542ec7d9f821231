/*
 * dump.c - stele dump: write a table's rows back out as line protocol, in
 * (series, time) order, one line per row with every field it has. Values
 * come back exactly: doubles in the shortest text that reads back to the
 * same bits, integers with their i/u suffix, timestamps in nanoseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/lp.h"
#include "storage/db.h"
#include "storage/scan.h"
#include "util/timeutil.h"

static void put_row(Buf *out, const Rows *r, uint32_t i, const Table *t, const Buf *key)
{
	buf_put(out, key->data, key->len);
	char sep = ' ';
	for (uint32_t c = 0; c < r->ncols; c++) {
		const ColVec *cv = &r->cols[c];
		if (!cv->valid[i])
			continue;
		const Column *col = &t->cols[cv->col];
		buf_put_u8(out, (uint8_t)sep);
		sep = ',';
		lp_put_field_key(out, col->name, col->len);
		buf_put_u8(out, '=');
		char num[32];
		int n;
		switch (cv->type) {
		case STELE_TYPE_DOUBLE: {
			double d;
			memcpy(&d, &cv->v[i], 8);
			lp_put_double(out, d);
			break;
		}
		case STELE_TYPE_BIGINT:
			n = snprintf(num, sizeof num, "%lldi", (long long)(int64_t)cv->v[i]);
			buf_put(out, num, (size_t)n);
			break;
		case STELE_TYPE_UBIGINT:
			n = snprintf(num, sizeof num, "%lluu", (unsigned long long)cv->v[i]);
			buf_put(out, num, (size_t)n);
			break;
		case STELE_TYPE_BOOLEAN:
			buf_put(out, cv->v[i] ? "true" : "false", cv->v[i] ? 4 : 5);
			break;
		default: {
			uint32_t len;
			const char *s = rows_str(r, cv->v[i], &len);
			lp_put_string_value(out, s, len);
		}
		}
	}
	char ts[32];
	int n = snprintf(ts, sizeof ts, " %lld\n", (long long)r->ts[i]);
	buf_put(out, ts, (size_t)n);
}

int cmd_dump(int argc, char **argv)
{
	const char *dbpath = NULL, *table = NULL, *from = NULL, *to = NULL;
	bool bad = false, recover = false;
	for (int i = 1; i < argc && !bad; i++) {
		if (cli_opt(argc, argv, &i, "--db", &dbpath, &bad) ||
		    cli_opt(argc, argv, &i, "--table", &table, &bad) ||
		    cli_opt(argc, argv, &i, "--from", &from, &bad) ||
		    cli_opt(argc, argv, &i, "--to", &to, &bad))
			continue;
		if (strcmp(argv[i], "--recover") == 0)
			recover = true;
		else
			bad = !!cli_fail("dump", EXIT_USAGE, "unknown argument \"%s\"", argv[i]);
	}
	if (bad || !dbpath || !table)
		return bad ? EXIT_USAGE
		           : cli_fail("dump", EXIT_USAGE,
		                      "usage: stele dump --db PATH --table T [--from TS] [--to TS]");
	stele_err err;
	int64_t tmin = INT64_MIN, tmax = INT64_MAX;
	if (from && time_parse(from, &tmin, &err))
		return cli_fail("dump", EXIT_USAGE, "--from: %s", err.msg);
	if (to) {
		if (time_parse(to, &tmax, &err))
			return cli_fail("dump", EXIT_USAGE, "--to: %s", err.msg);
		if (tmax == INT64_MIN)
			return 0;
		tmax--; /* --to is exclusive */
	}
	stele_options opts;
	stele_options_init(&opts);
	opts.read_only = true;
	opts.recover = recover;
	stele_db *db;
	if (stele_open(dbpath, &opts, &db, &err))
		return cli_fail("dump", EXIT_FAILED, "%s", err.msg);
	uint32_t tid = db_table_id(db, table);
	if (tid == UINT32_MAX) {
		stele_close(db, NULL);
		return cli_fail("dump", EXIT_FAILED, "table \"%s\" does not exist", table);
	}
	/* Read-only: the catalog does not change under us. */
	const Table *t = catalog_table(&db->cat, tid);
	uint32_t *cols = malloc((t->ncols + 1) * sizeof *cols);
	if (!cols) {
		stele_close(db, NULL);
		return cli_fail("dump", EXIT_FAILED, "out of memory");
	}
	uint32_t ncols = table_fields(t, cols, NULL);
	ScanSpec spec = {.table = tid, .tmin = tmin, .tmax = tmax, .cols = cols, .ncols = ncols};
	Scan *sc = NULL;
	int rc = scan_open(db, &spec, &sc, &err);
	Buf out = {0}, key = {0};
	uint32_t key_sid = UINT32_MAX;
	while (rc == STELE_OK) {
		const Rows *r;
		rc = scan_next(sc, &r, &err);
		if (rc || !r)
			break;
		for (uint32_t i = 0; i < r->n; i++) {
			if (r->sid[i] != key_sid) {
				buf_reset(&key);
				series_key(&db->sx, &db->cat, r->sid[i], &key);
				key_sid = r->sid[i];
			}
			put_row(&out, r, i, t, &key);
		}
		if (out.len >= (1u << 20) || out.failed) {
			rc = buf_check(&out, &err, "output");
			if (rc == STELE_OK && fwrite(out.data, 1, out.len, stdout) != out.len)
				rc = failf(&err, STELE_EIO, "could not write to standard output");
			buf_reset(&out);
		}
	}
	if (rc == STELE_OK)
		rc = buf_check(&out, &err, "output");
	if (rc == STELE_OK && out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
		rc = failf(&err, STELE_EIO, "could not write to standard output");
	if (rc == STELE_OK && fflush(stdout) != 0)
		rc = failf(&err, STELE_EIO, "could not write to standard output");
	if (sc)
		scan_close(sc);
	buf_free(&out);
	buf_free(&key);
	free(cols);
	stele_close(db, NULL);
	return rc ? cli_fail("dump", EXIT_FAILED, "%s", err.msg) : 0;
}
