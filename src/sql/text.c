/* text.c - values in PostgreSQL's text output format (see text.h). */
#include "sql/text.h"

#include <inttypes.h>
#include <stdio.h>

#include "sql/sqlfmt.h"

void sqltext_datum(Buf *out, const Datum *d)
{
	char tmp[32];
	int n;
	switch (d->type) {
	case STELE_TYPE_BOOLEAN:
		buf_put_u8(out, d->v.i ? 't' : 'f');
		return;
	case STELE_TYPE_BIGINT:
		n = snprintf(tmp, sizeof tmp, "%" PRId64, d->v.i);
		buf_put(out, tmp, (size_t)n);
		return;
	case STELE_TYPE_UBIGINT:
		n = snprintf(tmp, sizeof tmp, "%" PRIu64, d->v.u);
		buf_put(out, tmp, (size_t)n);
		return;
	case STELE_TYPE_DOUBLE:
		sqlfmt_double(out, d->v.f);
		return;
	case STELE_TYPE_VARCHAR:
		buf_put(out, d->v.s.p, d->v.s.n);
		return;
	case STELE_TYPE_TIMESTAMP:
		sqlfmt_timestamp(out, d->v.i);
		return;
	case STELE_TYPE_INTERVAL:
		sqlfmt_interval(out, d->v.i);
		return;
	default:
		return;
	}
}

void sqltext_value(Buf *out, const Vec *v, uint32_t i)
{
	Datum d = vec_get(v, i);
	sqltext_datum(out, &d);
}
