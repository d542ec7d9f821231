/*
 * write.c - stele_write_lp: from line protocol to a committed batch.
 *
 * The steps (db.h describes the locks):
 *   1. lp_parse, outside any lock; a large buffer in parts on the query
 *      pool's threads, joined into one batch (parse_buffer).
 *   2. Under db->mu, for each parsed line: find or create its table, check
 *      its fields and tags against the table's columns (a conflict rejects
 *      the line alone), find or create its series and columns, and encode
 *      the row into db->rows. New definitions go to db->pending.
 *   3. Build the record (pending definitions, then rows), append it to the
 *      WAL, then apply the rows to the memtable through batch_apply(), the
 *      same function that replays the WAL after a crash.
 *   4. Outside the lock, wait until the WAL is durable (sync=always).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/lp.h"
#include "storage/batch.h"
#include "storage/db.h"
#include "util/pool.h"
#include "util/timeutil.h"

/* The resolved columns of the last line's fields, reused when the next
 * line of the same table has the same field keys (the common case). */
typedef struct FieldCache {
	const Table *t;
	uint32_t n;
	LpStr keys[64];
	uint32_t cols[64];
} FieldCache;

#define NEW_COL UINT32_MAX

static LpBatch *pool_get(stele_db *db)
{
	pthread_mutex_lock(&db->pool_mu);
	LpBatch *b = db->npool ? db->pool[--db->npool] : NULL;
	pthread_mutex_unlock(&db->pool_mu);
	if (!b && (b = malloc(sizeof *b)) != NULL)
		lp_batch_init(b);
	return b;
}

static void pool_put(stele_db *db, LpBatch *b)
{
	lp_batch_reset(b);
	pthread_mutex_lock(&db->pool_mu);
	if (db->npool < DB_POOL) {
		db->pool[db->npool++] = b;
		b = NULL;
	}
	pthread_mutex_unlock(&db->pool_mu);
	if (b) {
		lp_batch_free(b);
		free(b);
	}
}

static uint32_t column_of(const LpLine *l, LpStr s)
{
	if (s.p >= l->text && s.p < l->text + l->len)
		return (uint32_t)(s.p - l->text) + 1;
	return 1;
}

static bool is_ts_name(LpStr s)
{
	return s.n == 2 && s.p[0] == 't' && s.p[1] == 's';
}

/* Checks the line's fields against table t (NULL: a new table) and fills
 * cols[] with their column indexes (NEW_COL where the column is new).
 * Returns false after rejecting the line. */
static bool check_fields(LpBatch *b, const LpLine *l, const Table *t, FieldCache *fc,
                         uint32_t *cols)
{
	const LpField *f = b->fields + l->field0;
	if (t && fc->t == t && fc->n == l->nfields && l->nfields <= 64) {
		bool same = true;
		for (uint32_t i = 0; i < l->nfields && same; i++)
			same = fc->keys[i].n == f[i].key.n &&
			       memcmp(fc->keys[i].p, f[i].key.p, f[i].key.n) == 0 &&
			       t->cols[fc->cols[i]].type == f[i].type;
		if (same) {
			memcpy(cols, fc->cols, l->nfields * sizeof *cols);
			return true;
		}
	}
	for (uint32_t i = 0; i < l->nfields; i++) {
		LpStr k = f[i].key;
		if (is_ts_name(k)) {
			lp_batch_reject(b, l->lineno, column_of(l, k), STELE_EPARSE,
			                "\"ts\" is the timestamp column and cannot be a field name");
			return false;
		}
		uint32_t c = t ? table_find_column(t, k.p, k.n) : UINT32_MAX;
		if (c == UINT32_MAX) {
			const LpTag *tg = l->ntags ? b->tags + l->tag0 : NULL;
			for (uint32_t j = 0; j < l->ntags; j++) {
				if (tg[j].key.n == k.n && memcmp(tg[j].key.p, k.p, k.n) == 0) {
					lp_batch_reject(b, l->lineno, column_of(l, k), STELE_EPARSE,
					                "\"%.*s\" is both a tag and a field", (int)k.n, k.p);
					return false;
				}
			}
			cols[i] = NEW_COL;
			continue;
		}
		const Column *col = &t->cols[c];
		if (col->kind != COL_FIELD) {
			lp_batch_reject(b, l->lineno, column_of(l, k), STELE_ETYPE,
			                "column \"%s\" of table \"%s\" is a %s, not a field", col->name,
			                t->name, col->kind == COL_TAG ? "tag" : "timestamp");
			return false;
		}
		if (col->type != f[i].type) {
			lp_batch_reject(b, l->lineno, column_of(l, k), STELE_ETYPE,
			                "column \"%s\" of table \"%s\" is %s, but the line gives %s",
			                col->name, t->name, stele_type_name(col->type),
			                stele_type_name(f[i].type));
			return false;
		}
		cols[i] = c;
	}
	return true;
}

/* Checks the tags of a line whose series is new. */
static bool check_tags(LpBatch *b, const LpLine *l, const Table *t)
{
	const LpTag *tg = l->ntags ? b->tags + l->tag0 : NULL;
	for (uint32_t j = 0; j < l->ntags; j++) {
		LpStr k = tg[j].key;
		if (is_ts_name(k)) {
			lp_batch_reject(b, l->lineno, column_of(l, k), STELE_EPARSE,
			                "\"ts\" is the timestamp column and cannot be a tag name");
			return false;
		}
		uint32_t c = t ? table_find_column(t, k.p, k.n) : UINT32_MAX;
		if (c != UINT32_MAX && t->cols[c].kind != COL_TAG) {
			lp_batch_reject(b, l->lineno, column_of(l, k), STELE_ETYPE,
			                "column \"%s\" of table \"%s\" is a field, not a tag",
			                t->cols[c].name, t->name);
			return false;
		}
	}
	return true;
}

/* Creates the series of line l in table t. */
static int create_series(stele_db *db, LpBatch *b, const LpLine *l, Table *t, SeriesHash h,
                         uint32_t *sid, StErr *err)
{
	uint32_t vids[CATALOG_MAX_COLUMNS];
	const LpTag *tg = l->ntags ? b->tags + l->tag0 : NULL;
	for (uint32_t j = 0; j < l->ntags; j++) {
		uint32_t c = table_find_column(t, tg[j].key.p, tg[j].key.n);
		if (c == UINT32_MAX) {
			int rc = table_add_column(t, tg[j].key.p, tg[j].key.n, COL_TAG,
			                          STELE_TYPE_VARCHAR, &c, err);
			if (rc)
				return rc;
			batch_put_column(&db->pending, t, c);
		}
	}
	for (uint32_t k = 0; k < t->ntags; k++)
		vids[k] = NO_VID;
	for (uint32_t j = 0; j < l->ntags; j++) {
		uint32_t c = table_find_column(t, tg[j].key.p, tg[j].key.n);
		uint32_t ord = t->cols[c].tagord;
		int rc = series_intern_value(&db->sx, t->id, ord, tg[j].val.p, tg[j].val.n, &vids[ord],
		                             err);
		if (rc)
			return rc;
	}
	int rc = series_create(&db->sx, t->id, h, vids, t->ntags, sid, err);
	if (rc == STELE_OK)
		batch_put_series(&db->pending, &db->sx, &db->cat, *sid);
	return rc;
}

static void put_value(Buf *out, const LpField *f)
{
	switch (f->type) {
	case STELE_TYPE_DOUBLE: {
		uint64_t bits;
		memcpy(&bits, &f->v.f, 8);
		buf_put_u64(out, bits);
		break;
	}
	case STELE_TYPE_BIGINT:
		buf_put_svarint(out, f->v.i);
		break;
	case STELE_TYPE_UBIGINT:
		buf_put_varint(out, f->v.u);
		break;
	case STELE_TYPE_BOOLEAN:
		buf_put_u8(out, f->v.b);
		break;
	default:
		buf_put_str(out, f->v.s.p, f->v.s.n);
		break;
	}
}

/* A 5-byte LEB128 of v (< 2^35), so a count can be patched in place. */
static void patch_varint5(Buf *b, size_t off, uint32_t v)
{
	if (b->failed)
		return;
	for (int i = 0; i < 5; i++) {
		b->data[off + i] = (uint8_t)((v & 0x7f) | (i < 4 ? 0x80 : 0));
		v >>= 7;
	}
}

/* Step 2: resolves every parsed line and encodes the accepted ones as
 * OP_ROWS into db->rows. */
static int encode_lines(stele_db *db, LpBatch *b, int64_t now, uint64_t *nlines,
                        uint64_t *nvalues, StErr *err)
{
	Buf *rows = &db->rows;
	buf_reset(rows);
	FieldCache fc = {0};
	Table *t = NULL;
	uint32_t cur = UINT32_MAX, count = 0;
	size_t count_off = 0;
	int64_t prev_ts = 0;
	uint32_t *cols = malloc((CATALOG_MAX_COLUMNS + 1) * sizeof *cols);
	if (!cols)
		return failf(err, STELE_ENOMEM, "out of memory writing");
	int rc = STELE_OK;
	for (uint32_t li = 0; li < b->nlines && rc == STELE_OK; li++) {
		const LpLine *l = &b->lines[li];
		if (!t || t->len != l->measurement.n ||
		    memcmp(t->name, l->measurement.p, l->measurement.n) != 0)
			t = catalog_find(&db->cat, l->measurement.p, l->measurement.n);
		if (l->nfields > CATALOG_MAX_COLUMNS) {
			lp_batch_reject(b, l->lineno, 1, STELE_ELIMIT, "more than %d fields",
			                CATALOG_MAX_COLUMNS);
			continue;
		}
		if (!check_fields(b, l, t, &fc, cols))
			continue;
		SeriesHash h = series_hash(l->series.p, l->series.n);
		uint32_t sid = t ? series_find(&db->sx, h) : NO_SID;
		if (sid == NO_SID && !check_tags(b, l, t))
			continue;
		if (t && t->retention_ns && l->ts < now - t->retention_ns) {
			char when[48];
			lp_batch_reject(b, l->lineno, 1, STELE_ELIMIT,
			                "timestamp %s is older than the retention of table \"%s\"",
			                time_format(l->ts, when, sizeof when), t->name);
			continue;
		}
		/* Creating what the line needs. A limit (tables, columns, series,
		 * name length) rejects the line alone; what was created before it
		 * stays, defined in the pending definitions. */
		StErr le;
		if (!t) {
			rc = catalog_add_table(&db->cat, l->measurement.p, l->measurement.n,
			                       db->opts.partition_ns, &t, &le);
			if (rc == STELE_OK)
				batch_put_table(&db->pending, t);
		}
		if (rc == STELE_OK && sid == NO_SID)
			rc = create_series(db, b, l, t, h, &sid, &le);
		const LpField *f = b->fields + l->field0;
		for (uint32_t i = 0; i < l->nfields && rc == STELE_OK; i++) {
			if (cols[i] != NEW_COL)
				continue;
			rc = table_add_column(t, f[i].key.p, f[i].key.n, COL_FIELD, f[i].type, &cols[i], &le);
			if (rc == STELE_OK)
				batch_put_column(&db->pending, t, cols[i]);
		}
		if (rc == STELE_ELIMIT || rc == STELE_EINVAL) {
			lp_batch_reject(b, l->lineno, 1, rc == STELE_EINVAL ? STELE_EPARSE : rc, "%s",
			                le.msg);
			rc = STELE_OK;
			continue;
		}
		if (rc) {
			failf(err, rc, "%s", le.msg);
			break;
		}
		if (l->nfields <= 64) {
			fc.t = t;
			fc.n = l->nfields;
			for (uint32_t i = 0; i < l->nfields; i++) {
				fc.keys[i] = f[i].key;
				fc.cols[i] = cols[i];
			}
		}
		if (t->id != cur) {
			if (cur != UINT32_MAX)
				patch_varint5(rows, count_off, count);
			buf_put_u8(rows, OP_ROWS);
			buf_put_varint(rows, t->id);
			count_off = rows->len;
			buf_put(rows, "\0\0\0\0\0", 5);
			cur = t->id;
			count = 0;
			prev_ts = 0;
		}
		buf_put_varint(rows, sid);
		buf_put_svarint(rows, (int64_t)((uint64_t)l->ts - (uint64_t)prev_ts));
		prev_ts = l->ts;
		buf_put_varint(rows, l->nfields);
		for (uint32_t i = 0; i < l->nfields; i++) {
			buf_put_varint(rows, cols[i]);
			put_value(rows, &f[i]);
		}
		count++;
		(*nlines)++;
		*nvalues += l->nfields;
	}
	if (cur != UINT32_MAX)
		patch_varint5(rows, count_off, count);
	free(cols);
	if (rc == STELE_OK)
		rc = buf_check(rows, err, "a write batch");
	return rc;
}

/* Marks the database as refusing writes. Caller holds mu. */
static void set_fatal(stele_db *db, int code, const char *msg)
{
	if (!db->fatal) {
		db->fatal = code == STELE_ENOMEM ? STELE_ENOMEM : STELE_EREADONLY;
		snprintf(db->fatal_msg, sizeof db->fatal_msg, "%s", msg);
	}
}

/* Copies the parser's tallies and kept errors into the caller's result. */
static void fill_result(stele_write_result *res, const LpBatch *b)
{
	res->lines_rejected = b->nrejected;
	res->n_errors = b->nerrors;
	memcpy(res->errors, b->errors, b->nerrors * sizeof b->errors[0]);
}

int db_write_batch(stele_db *db, LpBatch *b, int64_t now, stele_write_result *res,
                   StErr *err)
{
	memset(res, 0, sizeof *res);
	if (db->opts.read_only)
		return failf(err, STELE_EREADONLY, "database \"%s\" is open read-only", db->path);
	uint64_t seq = 0, nlines = 0, nvalues = 0;
	pthread_mutex_lock(&db->mu);
	int rc = db->fatal ? failf(err, db->fatal, "%s", db->fatal_msg) : db_make_room(db, err);
	if (rc == STELE_OK)
		rc = encode_lines(db, b, now, &nlines, &nvalues, err);
	if (rc == STELE_OK && (db->rows.len > 0 || db->pending.len > 0)) {
		Buf *rec = &db->rec;
		buf_reset(rec);
		wal_record_begin(rec);
		buf_put(rec, db->pending.data, db->pending.len);
		buf_put(rec, db->rows.data, db->rows.len);
		rc = wal_append(&db->wal, rec, db->seq + 1, WAL_BATCH, err);
		if (rc && db->wal.failed)
			set_fatal(db, rc, db->wal.failmsg);
		if (rc == STELE_OK) {
			seq = ++db->seq;
			buf_reset(&db->pending);
			uint64_t applied;
			rc = batch_apply(&db->cat, &db->sx, db->mem, db->rows.data, db->rows.len, false,
			                 &applied, NULL, err);
			if (rc)
				set_fatal(db, rc,
				          "writes stopped: a committed batch could not be applied to the "
				          "memtable; restart the database to recover it from the WAL");
			if (!db->mem->min_seq)
				db->mem->min_seq = seq;
			db->mem->max_seq = seq;
			db->stats.batches++;
			db->stats.lines_written += nlines;
			db->stats.values_written += nvalues;
		}
	}
	db->stats.lines_rejected += b->nrejected;
	pthread_mutex_unlock(&db->mu);

	if (rc == STELE_OK && seq && db->opts.sync == STELE_SYNC_ALWAYS) {
		rc = wal_sync_to(&db->wal, seq, err);
		if (rc) {
			pthread_mutex_lock(&db->mu);
			set_fatal(db, rc, db->wal.failmsg);
			pthread_mutex_unlock(&db->mu);
		}
	}
	fill_result(res, b);
	if (rc == STELE_OK) {
		res->lines_written = nlines;
		res->values_written = nvalues;
		res->seq = seq;
		if (b->nrejected) {
			rc = b->errors[0].code;
			failf(err, rc, "line %llu, column %u: %s", (unsigned long long)b->errors[0].line,
			      b->errors[0].column, b->errors[0].msg);
		}
	}
	return rc;
}

/* ---- Parsing a large buffer in parallel ----
 *
 * A buffer of at least 2 x PARSE_PART_MIN bytes is cut into up to
 * PARSE_PARTS_MAX parts of whole lines, parsed at once on the query pool's
 * threads (and the caller's), and the parts' lines are joined into the
 * first part's batch in input order before the one commit, so the batch is
 * what a single parse would give: the same lines, line numbers and errors.
 * A cut is made only where no '"' comes before it in the buffer: a string
 * field value may hold a newline, and only a scan from the start could tell
 * whether a newline ends a line; without a quote, every newline does (a
 * backslash does not escape a newline). */
#define PARSE_PART_MIN (512u * 1024)
#define PARSE_PARTS_MAX 4

typedef struct ParsePart {
	LpBatch *b;
	const char *p;
	size_t n;
	LpOptions o;
	int rc;
	StErr err;
} ParsePart;

static void parse_part(void *arg, uint32_t i)
{
	ParsePart *pp = (ParsePart *)arg + i;
	pp->rc = lp_parse(pp->b, pp->p, pp->n, &pp->o, &pp->err);
}

/* Cuts buf into at most nmax parts at line ends; returns how many, with
 * the parts' offsets in cut[0..n] and their first line numbers in line[]. */
static uint32_t cut_parts(const char *buf, size_t len, uint32_t nmax, uint64_t first_line,
                          size_t *cut, uint64_t *line)
{
	uint32_t n = 0;
	cut[0] = 0;
	line[0] = first_line;
	for (uint32_t i = 1; i < nmax; i++) {
		size_t target = len / nmax * i;
		if (target <= cut[n])
			break;
		const char *q = memchr(buf + target, '\n', len - target);
		if (!q || (size_t)(q + 1 - buf) >= len)
			break;
		size_t at = (size_t)(q + 1 - buf);
		if (memchr(buf + cut[n], '"', at - cut[n]))
			break;
		uint64_t nls = 0;
		for (const char *r = buf + cut[n], *e = buf + at;
		     (r = memchr(r, '\n', (size_t)(e - r))) != NULL; r++)
			nls++;
		line[n + 1] = line[n] + nls;
		cut[++n] = at;
	}
	cut[++n] = len;
	return n;
}

/* Parses buf into b, in parallel when it is large (above). The other
 * parts' batches go to extra[*nextra]: b's joined lines point into their
 * arenas, so the caller returns them to the pool after the commit. */
static int parse_buffer(stele_db *db, LpBatch *b, const char *buf, size_t len,
                        const LpOptions *o, LpBatch **extra, uint32_t *nextra, StErr *err)
{
	*nextra = 0;
	Pool *pool = len >= 2 * PARSE_PART_MIN ? db_query_pool(db) : NULL;
	uint32_t nmax = pool ? pool_threads(pool) + 1 : 1;
	if (nmax > PARSE_PARTS_MAX)
		nmax = PARSE_PARTS_MAX;
	if (nmax > len / PARSE_PART_MIN)
		nmax = (uint32_t)(len / PARSE_PART_MIN);
	size_t cut[PARSE_PARTS_MAX + 1];
	uint64_t line[PARSE_PARTS_MAX + 1];
	uint32_t n = nmax > 1 ? cut_parts(buf, len, nmax, o->first_line, cut, line) : 1;
	if (n <= 1)
		return lp_parse(b, buf, len, o, err);
	ParsePart parts[PARSE_PARTS_MAX];
	int rc = STELE_OK;
	for (uint32_t i = 0; i < n; i++) {
		parts[i] = (ParsePart){.b = i ? pool_get(db) : b, .p = buf + cut[i],
		                       .n = cut[i + 1] - cut[i], .o = *o};
		parts[i].o.first_line = line[i];
		if (!parts[i].b) {
			n = i;
			rc = failf(err, STELE_ENOMEM, "out of memory writing");
			break;
		}
	}
	if (rc == STELE_OK) {
		pool_run(pool, parse_part, parts, n);
		for (uint32_t i = 0; i < n && rc == STELE_OK; i++)
			if (parts[i].rc) {
				rc = parts[i].rc;
				if (err)
					*err = parts[i].err;
			}
		for (uint32_t i = 1; i < n && rc == STELE_OK; i++)
			rc = lp_batch_append(b, parts[i].b, err);
	}
	for (uint32_t i = 1; i < n; i++)
		extra[(*nextra)++] = parts[i].b;
	return rc;
}

int stele_write_lp(stele_db *db, const char *buf, size_t len, const stele_write_options *wo,
                   stele_write_result *res, stele_err *err)
{
	stele_write_result local;
	if (!res)
		res = &local;
	memset(res, 0, sizeof *res);
	if (db->opts.read_only)
		return failf(err, STELE_EREADONLY, "database \"%s\" is open read-only", db->path);
	LpBatch *b = pool_get(db);
	if (!b)
		return failf(err, STELE_ENOMEM, "out of memory writing");
	LpOptions o = {0};
	o.precision = wo ? wo->precision : STELE_PRECISION_NS;
	o.now_ns = wo && wo->now_ns ? wo->now_ns : time_now_ns();
	o.first_line = wo && wo->first_line ? wo->first_line : 1;
	LpBatch *extra[PARSE_PARTS_MAX];
	uint32_t nextra;
	int rc = parse_buffer(db, b, buf, len, &o, extra, &nextra, err);
	if (rc == STELE_OK)
		rc = db_write_batch(db, b, o.now_ns, res, err);
	while (nextra)
		pool_put(db, extra[--nextra]);
	pool_put(db, b);
	return rc;
}
