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

void sqltext_cell(Buf *out, const stele_column *c, uint32_t i)
{
	Datum d = {.type = (uint8_t)c->type};
	if (c->type == STELE_TYPE_VARCHAR)
		d.v.s = (SqlStr){c->v.str[i].ptr, c->v.str[i].len};
	else
		d.v.u = c->v.u64[i];
	sqltext_datum(out, &d);
}

void sqltext_csv(Buf *out, const char *s, size_t n)
{
	bool quote = n == 0;
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote) {
		buf_put(out, s, n);
		return;
	}
	buf_put_u8(out, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '"') {
			buf_put(out, s + run, i + 1 - run);
			run = i;
		}
	buf_put(out, s + run, n - run);
	buf_put_u8(out, '"');
}

void sqltext_json(Buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	buf_put_u8(out, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_put(out, s + run, i - run);
		run = i + 1;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			buf_put(out, e, 2);
		} else if (c == '\n') {
			buf_put(out, "\\n", 2);
		} else if (c == '\t') {
			buf_put(out, "\\t", 2);
		} else {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			buf_put(out, u, 6);
		}
	}
	buf_put(out, s + run, n - run);
	buf_put_u8(out, '"');
}
