/*
 * fuzz_sql.c - the SQL front end and executor on arbitrary text: every
 * statement of the input is prepared and, when it prepares, run to its end
 * over a small database (a devops table and a table with every field type
 * and NULLs) opened read-only, with a memory limit and a statement timeout.
 * A statement either fails with a code and a message or returns batches
 * whose columns have the declared types; every cell is read (so ASan sees
 * any bad pointer), and nothing crashes, hangs or leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "stele.h"
#include "util/io.h"

static stele_db *db;
static char dir[] = "/tmp/stele-fuzz-sql-XXXXXX";

static void cleanup(void)
{
	if (db)
		stele_close(db, NULL);
	io_remove_tree(dir, NULL);
}

static void open_db(void)
{
	if (!mkdtemp(dir))
		abort();
	stele_options o;
	stele_options_init(&o);
	o.sync = STELE_SYNC_NONE;
	stele_err err;
	if (stele_open(dir, &o, &db, &err))
		abort();
	char lp[65536];
	size_t n = 0;
	for (int h = 0; h < 4; h++)
		for (int i = 0; i < 50; i++)
			n += (size_t)snprintf(lp + n, sizeof lp - n,
			                      "cpu,host=h%d,region=r%d usage=%d.5,idle=%di %lld\n", h,
			                      h % 2, (i * 7 + h) % 100, i % 13,
			                      1451606400000000000LL + i * 10000000000LL);
	n += (size_t)snprintf(lp + n, sizeof lp - n,
	                      "s,dev=a d=1.5,i=-2i,u=3u,b=true,t=\"x,y\" 1451606400000000000\n"
	                      "s,dev=b i=7i,t=\"\" 1451606460000000000\n"
	                      "s d=-0.5,b=false 1451606520000000000\n");
	stele_write_result res;
	if (stele_write_lp(db, lp, n, NULL, &res, &err))
		abort();
	stele_close(db, NULL);
	o.read_only = true;
	o.query_memory = 16u << 20;
	o.statement_timeout_ms = 200;
	if (stele_open(dir, &o, &db, &err))
		abort();
	atexit(cleanup);
}

static void check_batch(const stele_stmt *st, const stele_batch *b)
{
	if (b->ncols != stele_stmt_ncols(st))
		abort();
	volatile uint64_t sink = 0;
	for (uint32_t c = 0; c < b->ncols; c++) {
		const stele_column *col = &b->cols[c];
		if (col->type != stele_stmt_col_type(st, c))
			abort();
		for (uint32_t i = 0; i < b->nrows; i++) {
			if (col->nulls[i] > 1)
				abort();
			if (col->nulls[i])
				continue;
			if (col->type == STELE_TYPE_VARCHAR) {
				const stele_str *s = &col->v.str[i];
				for (uint32_t k = 0; k < s->len; k++)
					sink += (uint8_t)s->ptr[k];
			} else {
				sink += col->v.u64[i];
			}
		}
	}
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!db)
		open_db();
	const char *p = (const char *)data, *end = p + size;
	for (int k = 0; k < 16 && p < end; k++) {
		stele_stmt *st = NULL;
		stele_err err = {0};
		const char *tail = end;
		int rc = stele_prepare(db, p, end - p, &tail, &st, &err);
		if (rc) {
			if (rc >= STELE_NCODES || !err.msg[0])
				abort();
		} else if (st) {
			const stele_batch *b;
			uint64_t rows = 0;
			while ((rc = stele_next(st, &b, &err)) == STELE_OK && b && rows < 100000) {
				check_batch(st, b);
				rows += b->nrows;
			}
			if (rc && (rc >= STELE_NCODES || !err.msg[0]))
				abort();
			stele_finalize(st);
		}
		if (tail <= p || tail > end)
			abort();
		p = tail;
	}
	return 0;
}
