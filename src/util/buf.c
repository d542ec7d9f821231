/* buf.c - the out-of-line parts of Buf and Rd (see buf.h). */
#include "util/buf.h"

#include <errno.h>
#include <stdlib.h>

bool buf_grow(Buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (b->cap - b->len >= extra)
		return true;
	size_t need = b->len + extra;
	if (need < b->len || (b->max && need > b->max)) {
		b->failed = BUF_TOOBIG;
		return false;
	}
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap * 2 < cap ? need : cap * 2;
	if (b->max && cap > b->max)
		cap = b->max;
	uint8_t *p = realloc(b->data, cap);
	if (!p) {
		b->failed = BUF_NOMEM;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

int buf_check(const Buf *b, StErr *err, const char *what)
{
	if (!b->failed)
		return STELE_OK;
	if (b->failed == BUF_TOOBIG)
		return failf(err, STELE_ELIMIT, "%s is larger than the limit of %zu bytes",
		             what, b->max);
	return failf(err, STELE_ENOMEM, "out of memory building %s", what);
}

void buf_free(Buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

uint64_t rd_varint_slow(Rd *r)
{
	const uint8_t *p = r->p;
	if (!r->bad && r->end - p >= 10) {
		/* Enough bytes for any varint: no bounds check per byte. */
		uint64_t v = 0;
		for (int i = 0; i < 10; i++) {
			uint8_t c = p[i];
			v |= (uint64_t)(c & 0x7f) << (7 * i);
			if (c < 0x80) {
				if (i == 9 && c > 1)
					break;
				r->p = p + i + 1;
				return v;
			}
		}
		r->bad = true;
		return 0;
	}
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (r->bad || r->p >= r->end) {
			r->bad = true;
			return 0;
		}
		uint8_t c = *r->p++;
		if (shift == 63 && c > 1) {
			r->bad = true;
			return 0;
		}
		v |= (uint64_t)(c & 0x7f) << shift;
		if (c < 0x80)
			return v;
	}
	r->bad = true;
	return 0;
}

bool buf_parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || errno || s[0] == '-')
		return false;
	int shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v > (UINT64_MAX >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}
