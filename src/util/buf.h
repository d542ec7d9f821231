/*
 * buf.h - growable byte buffers (Buf) and bounds-checked readers (Rd).
 *
 * A Buf grows by doubling up to `max` bytes (0: no limit). A failed growth,
 * or one past `max`, sets the sticky `failed` flag; further puts do nothing,
 * so a writer puts many fields and checks once with buf_check(). Every
 * integer is stored little-endian; varints are unsigned LEB128; signed
 * varints are zigzag-encoded first.
 *
 * An Rd reads from a byte range. Reading past the end, or a malformed
 * varint, sets the sticky `bad` flag and yields zeros, so a decoder of
 * untrusted bytes never reads out of bounds and checks once at the end.
 */
#ifndef STELE_UTIL_BUF_H
#define STELE_UTIL_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/err.h"

enum { BUF_NOMEM = 1, BUF_TOOBIG = 2 };

typedef struct Buf {
	uint8_t *data;  /* owned; NULL until the first put */
	size_t len;     /* bytes in use */
	size_t cap;     /* bytes allocated */
	size_t max;     /* growth limit in bytes; 0: none */
	uint8_t failed; /* 0, or BUF_NOMEM / BUF_TOOBIG: the first growth that
	                   failed (sticky until buf_reset) */
} Buf;

/* Grows b so that `extra` more bytes fit; false (and b->failed) if not. */
bool buf_grow(Buf *b, size_t extra);
/* Returns STELE_OK, or fills err (ENOMEM / ELIMIT) if b->failed. */
int buf_check(const Buf *b, StErr *err, const char *what);

/* A size as options give it: "123", "64K", "4M", "1G" (either case, an
 * optional trailing B) into bytes; false when it is not one or overflows. */
bool buf_parse_size(const char *s, uint64_t *out);
void buf_free(Buf *b);
/* Empties b, keeping its memory and its limit; clears `failed`. */
static inline void buf_reset(Buf *b) { b->len = 0; b->failed = 0; }

static inline bool buf_reserve(Buf *b, size_t extra)
{
	if (b->cap - b->len >= extra && !b->failed)
		return true;
	return buf_grow(b, extra);
}

static inline void buf_put(Buf *b, const void *p, size_t n)
{
	if (n == 0 || !buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static inline void buf_put_u8(Buf *b, uint8_t v)
{
	if (!buf_reserve(b, 1))
		return;
	b->data[b->len++] = v;
}

static inline void buf_put_u16(Buf *b, uint16_t v) { buf_put(b, &v, 2); }
static inline void buf_put_u32(Buf *b, uint32_t v) { buf_put(b, &v, 4); }
static inline void buf_put_u64(Buf *b, uint64_t v) { buf_put(b, &v, 8); }
static inline void buf_put_f64(Buf *b, double v) { buf_put(b, &v, 8); }

static inline void buf_put_varint(Buf *b, uint64_t v)
{
	if (!buf_reserve(b, 10))
		return;
	uint8_t *p = b->data + b->len;
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	b->len = (size_t)(p - b->data);
}

static inline uint64_t zigzag_enc(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t zigzag_dec(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static inline void buf_put_svarint(Buf *b, int64_t v)
{
	buf_put_varint(b, zigzag_enc(v));
}

/* A length-prefixed (varint) byte string. */
static inline void buf_put_str(Buf *b, const char *s, size_t n)
{
	buf_put_varint(b, n);
	buf_put(b, s, n);
}

/* Overwrites 4 bytes at `off` (a placeholder put earlier). */
static inline void buf_patch_u32(Buf *b, size_t off, uint32_t v)
{
	if (!b->failed && off + 4 <= b->len)
		memcpy(b->data + off, &v, 4);
}

typedef struct Rd {
	const uint8_t *p;    /* next byte */
	const uint8_t *end;  /* one past the last byte */
	bool bad;            /* read past the end or malformed */
} Rd;

static inline Rd rd_make(const void *p, size_t n)
{
	Rd r = {(const uint8_t *)p, (const uint8_t *)p + n, false};
	return r;
}

static inline size_t rd_left(const Rd *r) { return (size_t)(r->end - r->p); }

/* Returns a pointer to the next n bytes and skips them; NULL (and bad) if
 * fewer are left. */
static inline const uint8_t *rd_bytes(Rd *r, size_t n)
{
	if (r->bad || rd_left(r) < n) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->p;
	r->p += n;
	return p;
}

static inline uint8_t rd_u8(Rd *r)
{
	const uint8_t *p = rd_bytes(r, 1);
	return p ? *p : 0;
}

static inline uint16_t rd_u16(Rd *r)
{
	uint16_t v = 0;
	const uint8_t *p = rd_bytes(r, 2);
	if (p)
		memcpy(&v, p, 2);
	return v;
}

static inline uint32_t rd_u32(Rd *r)
{
	uint32_t v = 0;
	const uint8_t *p = rd_bytes(r, 4);
	if (p)
		memcpy(&v, p, 4);
	return v;
}

static inline uint64_t rd_u64(Rd *r)
{
	uint64_t v = 0;
	const uint8_t *p = rd_bytes(r, 8);
	if (p)
		memcpy(&v, p, 8);
	return v;
}

static inline double rd_f64(Rd *r)
{
	double v = 0;
	const uint8_t *p = rd_bytes(r, 8);
	if (p)
		memcpy(&v, p, 8);
	return v;
}

uint64_t rd_varint_slow(Rd *r);

static inline uint64_t rd_varint(Rd *r)
{
	if (r->p < r->end && *r->p < 0x80)
		return *r->p++;
	return rd_varint_slow(r);
}

static inline int64_t rd_svarint(Rd *r) { return zigzag_dec(rd_varint(r)); }

/* A varint-length-prefixed string; *n gets its length. NULL on error. */
static inline const char *rd_str(Rd *r, size_t *n)
{
	uint64_t len = rd_varint(r);
	if (len > rd_left(r)) {
		r->bad = true;
		*n = 0;
		return NULL;
	}
	*n = (size_t)len;
	return (const char *)rd_bytes(r, (size_t)len);
}

#endif
