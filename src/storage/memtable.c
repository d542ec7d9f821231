/* memtable.c - appending to and reading out of a memtable (see memtable.h). */
#include "storage/memtable.h"

#include <stdlib.h>
#include <string.h>

MemTable *mem_new(void)
{
	MemTable *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	if (pthread_rwlock_init(&m->lock, NULL) != 0) {
		free(m);
		return NULL;
	}
	atomic_init(&m->refs, 1);
	return m;
}

void mem_ref(MemTable *m)
{
	atomic_fetch_add(&m->refs, 1);
}

static void tbl_free(MemTbl *t)
{
	if (!t)
		return;
	free(t->sid);
	free(t->ts);
	for (uint32_t c = 0; c < t->ncols; c++) {
		free(t->cols[c].v);
		free(t->cols[c].valid);
	}
	free(t->cols);
	buf_free(&t->heap);
	free(t->last);
	free(t->last_dup);
	free(t);
}

void mem_unref(MemTable *m)
{
	if (!m || atomic_fetch_sub(&m->refs, 1) != 1)
		return;
	for (uint32_t i = 0; i < m->ntabs; i++)
		tbl_free(m->tabs[i]);
	free(m->tabs);
	pthread_rwlock_destroy(&m->lock);
	free(m);
}

static int grow_rows(MemTable *m, MemTbl *t)
{
	uint32_t cap = t->cap ? t->cap * 2 : 1024;
	if (t->cap > UINT32_MAX / 2)
		return STELE_ELIMIT;
	void *p;
	if (!(p = realloc(t->sid, (size_t)cap * sizeof *t->sid)))
		return STELE_ENOMEM;
	t->sid = p;
	if (!(p = realloc(t->ts, (size_t)cap * sizeof *t->ts)))
		return STELE_ENOMEM;
	t->ts = p;
	size_t per_row = sizeof *t->sid + sizeof *t->ts;
	for (uint32_t c = 0; c < t->ncols; c++) {
		MemCol *mc = &t->cols[c];
		if (!mc->type)
			continue;
		if (!(p = realloc(mc->v, (size_t)cap * sizeof *mc->v)))
			return STELE_ENOMEM;
		mc->v = p;
		if (!(p = realloc(mc->valid, cap)))
			return STELE_ENOMEM;
		mc->valid = p;
		memset(mc->valid + t->cap, 0, cap - t->cap);
		per_row += sizeof *mc->v + 1;
	}
	m->bytes += (size_t)(cap - t->cap) * per_row;
	t->cap = cap;
	return STELE_OK;
}

static int grow_last(MemTable *m, MemTbl *t, uint32_t sid)
{
	uint32_t cap = t->last_cap ? t->last_cap : 64;
	while (cap <= sid) {
		if (cap > UINT32_MAX / 2)
			return STELE_ELIMIT;
		cap *= 2;
	}
	uint32_t *l = realloc(t->last, (size_t)cap * sizeof *l);
	if (!l)
		return STELE_ENOMEM;
	t->last = l;
	uint8_t *d = realloc(t->last_dup, cap);
	if (!d)
		return STELE_ENOMEM;
	t->last_dup = d;
	memset(l + t->last_cap, 0xff, (size_t)(cap - t->last_cap) * sizeof *l);
	memset(d + t->last_cap, 0, cap - t->last_cap);
	m->bytes += (size_t)(cap - t->last_cap) * (sizeof *l + 1);
	t->last_cap = cap;
	return STELE_OK;
}

uint64_t mem_delete(MemTable *m, uint32_t table, const uint64_t *sids, uint32_t nsids,
                    int64_t tmin, int64_t tmax)
{
	MemTbl *t = mem_table(m, table);
	if (!t || t->n == 0 || t->max_ts < tmin || t->min_ts > tmax)
		return 0;
	uint32_t k = 0;
	for (uint32_t r = 0; r < t->n; r++) {
		uint32_t sid = t->sid[r];
		bool dead = t->ts[r] >= tmin && t->ts[r] <= tmax && sid < nsids &&
		            (sids[sid / 64] >> (sid % 64) & 1);
		if (dead)
			continue;
		if (k != r) {
			t->sid[k] = sid;
			t->ts[k] = t->ts[r];
			for (uint32_t c = 0; c < t->ncols; c++) {
				MemCol *mc = &t->cols[c];
				if (!mc->type)
					continue;
				mc->v[k] = mc->v[r];
				mc->valid[k] = mc->valid[r];
			}
		}
		k++;
	}
	uint64_t removed = t->n - k;
	/* The rows past the new end read as empty again. */
	for (uint32_t c = 0; c < t->ncols; c++)
		if (t->cols[c].type)
			memset(t->cols[c].valid + k, 0, t->n - k);
	t->n = k;
	m->rows -= removed;
	/* Rebuild the newest-row index and the time range. */
	memset(t->last, 0xff, (size_t)t->last_cap * sizeof *t->last);
	memset(t->last_dup, 0, t->last_cap);
	t->min_ts = INT64_MAX;
	t->max_ts = INT64_MIN;
	for (uint32_t r = 0; r < t->n; r++) {
		uint32_t sid = t->sid[r];
		int64_t ts = t->ts[r];
		if (ts < t->min_ts)
			t->min_ts = ts;
		if (ts > t->max_ts)
			t->max_ts = ts;
		uint32_t l = t->last[sid];
		if (l == UINT32_MAX || ts > t->ts[l]) {
			t->last[sid] = r;
			t->last_dup[sid] = 0;
		} else if (ts == t->ts[l]) {
			t->last[sid] = r;
			t->last_dup[sid] = 1;
		}
	}
	return removed;
}

void mem_drop_table(MemTable *m, uint32_t table)
{
	MemTbl *t = mem_table(m, table);
	if (!t)
		return;
	m->rows -= t->n;
	m->tabs[table] = NULL;
	tbl_free(t);
}

int mem_row(MemTable *m, uint32_t table, uint32_t sid, int64_t ts, MemTbl **tbl, uint32_t *row)
{
	if (table >= m->ntabs) {
		MemTbl **tabs = realloc(m->tabs, (table + 1) * sizeof *tabs);
		if (!tabs)
			return STELE_ENOMEM;
		memset(tabs + m->ntabs, 0, (table + 1 - m->ntabs) * sizeof *tabs);
		m->tabs = tabs;
		m->ntabs = table + 1;
	}
	MemTbl *t = m->tabs[table];
	if (!t) {
		t = calloc(1, sizeof *t);
		if (!t)
			return STELE_ENOMEM;
		t->table = table;
		t->min_ts = INT64_MAX;
		t->max_ts = INT64_MIN;
		m->tabs[table] = t;
		m->bytes += sizeof *t;
	}
	if (t->n == t->cap) {
		int rc = grow_rows(m, t);
		if (rc)
			return rc;
	}
	if (sid >= t->last_cap) {
		int rc = grow_last(m, t, sid);
		if (rc)
			return rc;
	}
	uint32_t r = t->n++;
	t->sid[r] = sid;
	t->ts[r] = ts;
	uint32_t l = t->last[sid];
	if (l == UINT32_MAX || ts > t->ts[l]) {
		t->last[sid] = r;
		t->last_dup[sid] = 0;
	} else if (ts == t->ts[l]) {
		t->last[sid] = r;
		t->last_dup[sid] = 1;
	}
	if (ts < t->min_ts)
		t->min_ts = ts;
	if (ts > t->max_ts)
		t->max_ts = ts;
	if (sid > t->max_sid)
		t->max_sid = sid;
	m->rows++;
	*tbl = t;
	*row = r;
	return STELE_OK;
}

static int ensure_col(MemTable *m, MemTbl *t, uint32_t col, uint8_t type)
{
	if (col >= t->ncols) {
		uint32_t n = col + 1 > t->ncols * 2 ? col + 1 : t->ncols * 2;
		MemCol *cols = realloc(t->cols, n * sizeof *cols);
		if (!cols)
			return STELE_ENOMEM;
		memset(cols + t->ncols, 0, (n - t->ncols) * sizeof *cols);
		m->bytes += (n - t->ncols) * sizeof *cols;
		t->cols = cols;
		t->ncols = n;
	}
	MemCol *mc = &t->cols[col];
	if (mc->type)
		return STELE_OK;
	mc->v = malloc((size_t)t->cap * sizeof *mc->v);
	mc->valid = calloc(t->cap, 1);
	if (!mc->v || !mc->valid) {
		free(mc->v);
		free(mc->valid);
		mc->v = NULL;
		mc->valid = NULL;
		return STELE_ENOMEM;
	}
	mc->type = type;
	m->bytes += (size_t)t->cap * (sizeof *mc->v + 1);
	return STELE_OK;
}

int mem_put_slow(MemTable *m, MemTbl *t, uint32_t row, uint32_t col, uint8_t type,
                 uint64_t v)
{
	int rc = ensure_col(m, t, col, type);
	if (rc)
		return rc;
	t->cols[col].v[row] = v;
	t->cols[col].valid[row] = 1;
	return STELE_OK;
}

int mem_put_str(MemTable *m, MemTbl *t, uint32_t row, uint32_t col, const char *s, uint32_t n)
{
	int rc = ensure_col(m, t, col, STELE_TYPE_VARCHAR);
	if (rc)
		return rc;
	size_t cap = t->heap.cap;
	uint64_t off = t->heap.len;
	buf_put(&t->heap, s, n);
	if (t->heap.failed || off > UINT32_MAX)
		return STELE_ENOMEM;
	m->bytes += t->heap.cap - cap;
	t->cols[col].v[row] = (off << 32) | n;
	t->cols[col].valid[row] = 1;
	return STELE_OK;
}

/* ---- extraction ---- */

/* Stable merge sort of idx[0..n) by ts[idx]; tmp has room for n. */
static void sort_by_ts(uint32_t *idx, uint32_t *tmp, uint32_t n, const int64_t *ts)
{
	if (n < 2)
		return;
	if (n <= 16) {
		for (uint32_t i = 1; i < n; i++) {
			uint32_t x = idx[i], j = i;
			while (j > 0 && ts[idx[j - 1]] > ts[x]) {
				idx[j] = idx[j - 1];
				j--;
			}
			idx[j] = x;
		}
		return;
	}
	uint32_t h = n / 2;
	sort_by_ts(idx, tmp, h, ts);
	sort_by_ts(idx + h, tmp, n - h, ts);
	if (ts[idx[h - 1]] <= ts[idx[h]])
		return;
	memcpy(tmp, idx, h * sizeof *tmp);
	uint32_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		idx[k++] = ts[idx[j]] < ts[tmp[i]] ? idx[j++] : tmp[i++];
	while (i < h)
		idx[k++] = tmp[i++];
}

static int cmp_sid_pos(const void *a, const void *b, void *ctx)
{
	const uint32_t *sid = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	if (sid[x] != sid[y])
		return sid[x] < sid[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Orders idx[0..n) (ascending row positions) by (sid, ts, position). */
static int order_rows(const MemTbl *t, uint32_t *idx, uint32_t n)
{
	uint32_t *tmp = malloc(((size_t)n + 1) * sizeof *tmp);
	if (!tmp)
		return STELE_ENOMEM;
	size_t range = (size_t)t->max_sid + 1;
	if (range <= (size_t)n * 4 + 1024) {
		/* Stable counting sort by sid. */
		uint32_t *count = calloc(range + 1, sizeof *count);
		if (!count) {
			free(tmp);
			return STELE_ENOMEM;
		}
		for (uint32_t i = 0; i < n; i++)
			count[t->sid[idx[i]] + 1]++;
		for (size_t s = 1; s <= range; s++)
			count[s] += count[s - 1];
		for (uint32_t i = 0; i < n; i++)
			tmp[count[t->sid[idx[i]]]++] = idx[i];
		memcpy(idx, tmp, n * sizeof *idx);
		free(count);
	} else {
		qsort_r(idx, n, sizeof *idx, cmp_sid_pos, t->sid);
	}
	/* Within each sid, a stable sort by ts (a no-op pass when already in
	 * order, the common case). */
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i + 1;
		bool sorted = true;
		while (j < n && t->sid[idx[j]] == t->sid[idx[i]]) {
			if (t->ts[idx[j]] < t->ts[idx[j - 1]])
				sorted = false;
			j++;
		}
		if (!sorted)
			sort_by_ts(idx + i, tmp, j - i, t->ts);
		i = j;
	}
	free(tmp);
	return STELE_OK;
}

/* Appends rows idx[0..n) of t to out, merging equal (sid, ts). */
static int gather(const MemTbl *t, const uint32_t *idx, uint32_t n, Rows *out, StErr *err)
{
	if (rows_reserve(out, out->n + n))
		return failf(err, STELE_ENOMEM, "out of memory reading the memtable");
	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = idx[i];
		bool dup = out->n > 0 && out->sid[out->n - 1] == t->sid[r] &&
		           out->ts[out->n - 1] == t->ts[r];
		uint32_t o = dup ? out->n - 1 : out->n++;
		out->sid[o] = t->sid[r];
		out->ts[o] = t->ts[r];
		for (uint32_t c = 0; c < out->ncols; c++) {
			ColVec *cv = &out->cols[c];
			uint32_t col = cv->col;
			const MemCol *mc = col < t->ncols ? &t->cols[col] : NULL;
			bool has = mc && mc->type && mc->valid[r];
			if (!has) {
				if (!dup) {
					cv->v[o] = 0;
					cv->valid[o] = 0;
				}
				continue;
			}
			if (mc->type == STELE_TYPE_VARCHAR) {
				uint32_t len = (uint32_t)mc->v[r];
				/* a heap of empty strings only may be NULL */
				const char *s = t->heap.data ? (const char *)t->heap.data + (mc->v[r] >> 32)
				                             : "";
				cv->v[o] = rows_put_str(out, s, len);
			} else {
				cv->v[o] = mc->v[r];
			}
			cv->valid[o] = 1;
		}
	}
	if (out->heap.failed)
		return failf(err, STELE_ENOMEM, "out of memory reading the memtable");
	return STELE_OK;
}

int mem_order(const MemTbl *t, uint32_t **order, uint32_t *n, StErr *err)
{
	uint32_t *idx = malloc(((size_t)t->n + 1) * sizeof *idx);
	if (!idx)
		return failf(err, STELE_ENOMEM, "out of memory reading the memtable");
	for (uint32_t i = 0; i < t->n; i++)
		idx[i] = i;
	if (order_rows(t, idx, t->n)) {
		free(idx);
		return failf(err, STELE_ENOMEM, "out of memory reading the memtable");
	}
	*order = idx;
	*n = t->n;
	return STELE_OK;
}

int mem_gather(const MemTbl *t, const uint32_t *order, uint32_t from, uint32_t to, Rows *out,
               StErr *err)
{
	return gather(t, order + from, to - from, out, err);
}

int mem_extract(MemTable *m, uint32_t table, const uint64_t *sids, uint32_t nsids,
                int64_t tmin, int64_t tmax, Rows *out, StErr *err)
{
	pthread_rwlock_rdlock(&m->lock);
	MemTbl *t = mem_table(m, table);
	int rc = STELE_OK;
	uint32_t *idx = NULL;
	if (!t || t->n == 0 || t->max_ts < tmin || t->min_ts > tmax)
		goto done;
	idx = malloc((size_t)t->n * sizeof *idx);
	if (!idx) {
		rc = failf(err, STELE_ENOMEM, "out of memory reading the memtable");
		goto done;
	}
	uint32_t n = 0;
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t s = t->sid[i];
		if (t->ts[i] < tmin || t->ts[i] > tmax)
			continue;
		if (sids && (s >= nsids || !(sids[s / 64] >> (s % 64) & 1)))
			continue;
		idx[n++] = i;
	}
	if (n == 0)
		goto done;
	if (order_rows(t, idx, n)) {
		rc = failf(err, STELE_ENOMEM, "out of memory reading the memtable");
		goto done;
	}
	rc = gather(t, idx, n, out, err);
done:
	pthread_rwlock_unlock(&m->lock);
	free(idx);
	return rc;
}
