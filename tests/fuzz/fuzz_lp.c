/*
 * fuzz_lp.c - the line-protocol parser on arbitrary bytes. Every line it
 * accepts is written back with the lp_put_* writers and parsed again: the
 * same measurement, tags, fields (bit for bit) and timestamp must return.
 * The first byte picks the precision and a small line limit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ingest/lp.h"

static bool same(LpStr a, LpStr b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

static void put_value(Buf *out, const LpField *f)
{
	char num[32];
	int n;
	switch (f->type) {
	case STELE_TYPE_DOUBLE:
		lp_put_double(out, f->v.f);
		break;
	case STELE_TYPE_BIGINT:
		n = snprintf(num, sizeof num, "%lldi", (long long)f->v.i);
		buf_put(out, num, (size_t)n);
		break;
	case STELE_TYPE_UBIGINT:
		n = snprintf(num, sizeof num, "%lluu", (unsigned long long)f->v.u);
		buf_put(out, num, (size_t)n);
		break;
	case STELE_TYPE_BOOLEAN:
		buf_put(out, f->v.b ? "t" : "f", 1);
		break;
	default:
		lp_put_string_value(out, f->v.s.p, f->v.s.n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	LpOptions o = {.precision = (stele_precision)(data[0] & 3), .now_ns = 1700000000123456789LL,
	               .first_line = 1, .max_line = (data[0] & 4) ? 64 : 0};
	LpBatch b, again;
	lp_batch_init(&b);
	lp_batch_init(&again);
	if (lp_parse(&b, (const char *)data + 1, size - 1, &o, NULL) != STELE_OK)
		abort();
	if (b.nerrors > STELE_LINE_ERRORS_KEPT || b.nerrors > b.nrejected)
		abort();
	Buf line = {0};
	for (uint32_t i = 0; i < b.nlines; i++) {
		const LpLine *l = &b.lines[i];
		if (l->nfields == 0 || l->measurement.n == 0)
			abort();
		buf_reset(&line);
		lp_put_measurement(&line, l->measurement.p, l->measurement.n);
		for (uint32_t t = 0; t < l->ntags; t++) {
			const LpTag *tg = &b.tags[l->tag0 + t];
			buf_put_u8(&line, ',');
			lp_put_tag(&line, tg->key.p, tg->key.n);
			buf_put_u8(&line, '=');
			lp_put_tag(&line, tg->val.p, tg->val.n);
		}
		/* The key rebuilt by the writers is the parser's key. */
		if (line.len != l->series.n || memcmp(line.data, l->series.p, line.len) != 0)
			abort();
		for (uint32_t f = 0; f < l->nfields; f++) {
			const LpField *fv = &b.fields[l->field0 + f];
			buf_put_u8(&line, f ? ',' : ' ');
			lp_put_field_key(&line, fv->key.p, fv->key.n);
			buf_put_u8(&line, '=');
			put_value(&line, fv);
		}
		char ts[32];
		int n = snprintf(ts, sizeof ts, " %lld", (long long)l->ts);
		buf_put(&line, ts, (size_t)n);
		if (line.failed)
			abort();
		lp_batch_reset(&again);
		LpOptions o2 = {.precision = STELE_PRECISION_NS, .now_ns = 1, .first_line = 1};
		if (lp_parse(&again, (const char *)line.data, line.len, &o2, NULL) != STELE_OK)
			abort();
		if (again.nlines != 1)
			abort();
		const LpLine *m = &again.lines[0];
		if (!same(m->measurement, l->measurement) || !same(m->series, l->series) ||
		    m->ntags != l->ntags || m->nfields != l->nfields || m->ts != l->ts)
			abort();
		for (uint32_t t = 0; t < l->ntags; t++)
			if (!same(again.tags[m->tag0 + t].key, b.tags[l->tag0 + t].key) ||
			    !same(again.tags[m->tag0 + t].val, b.tags[l->tag0 + t].val))
				abort();
		for (uint32_t f = 0; f < l->nfields; f++) {
			const LpField *x = &again.fields[m->field0 + f], *y = &b.fields[l->field0 + f];
			if (!same(x->key, y->key) || x->type != y->type)
				abort();
			bool eq;
			switch (x->type) {
			case STELE_TYPE_VARCHAR:
				eq = same(x->v.s, y->v.s);
				break;
			case STELE_TYPE_BOOLEAN:
				eq = x->v.b == y->v.b;
				break;
			default: /* 8 bytes: doubles compared bit for bit */
				eq = memcmp(&x->v, &y->v, 8) == 0;
			}
			if (!eq)
				abort();
		}
	}
	buf_free(&line);
	lp_batch_free(&b);
	lp_batch_free(&again);
	return 0;
}
