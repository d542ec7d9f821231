/*
 * vec.h - the executor's data: typed column vectors (Vec) grouped into
 * batches (Batch), and single values (Datum).
 *
 * A Vec holds the values of one column for the rows of a batch. Every
 * value but a string takes one 8-byte word:
 *
 *     BOOLEAN    int64 0 or 1         TIMESTAMP  int64 ns since the epoch
 *     BIGINT     int64                INTERVAL   int64 ns
 *     UBIGINT    uint64               DOUBLE     double
 *     VARCHAR    SqlStr {pointer, length}
 *
 * null[i] is 1 when row i is NULL (its value is then 0 / empty and must
 * not be read). A Vec of type NONE is a column of the NULL literal: all
 * rows NULL.
 *
 * Lifetime: a Batch and the memory its Vecs point to belong to the
 * operator that returned it and stay valid until that operator's next
 * call of next() or close() (exec.h). Strings may point into storage
 * buffers, an operator's arena or the statement text; an operator that
 * keeps values across batches copies them (vec_copy_str).
 */
#ifndef STELE_SQL_VEC_H
#define STELE_SQL_VEC_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "stele.h"
#include "util/arena.h"

/* Rows per batch that operators aim at. */
#define VEC_ROWS 1024

typedef struct SqlStr {
	const char *p;
	uint32_t n;
} SqlStr;

typedef struct Vec {
	uint8_t type;       /* stele_type */
	uint8_t *null;      /* [n]: 1 = NULL */
	union {
		int64_t *i;     /* BOOLEAN, BIGINT, TIMESTAMP, INTERVAL */
		uint64_t *u;    /* UBIGINT; also any 8-byte type as raw words */
		double *f;      /* DOUBLE */
		SqlStr *s;      /* VARCHAR */
		void *p;
	} d;
} Vec;

typedef struct Batch {
	uint32_t n;         /* rows */
	uint32_t ncols;
	Vec *cols;          /* [ncols] */
} Batch;

/* One value of a type (constants, aggregate results, sort keys). */
typedef struct Datum {
	uint8_t type;       /* stele_type; NONE for an untyped NULL */
	bool null;
	union {
		int64_t i;
		uint64_t u;
		double f;
		SqlStr s;
	} v;
} Datum;

static inline bool type_is_word(uint8_t t) { return t != STELE_TYPE_VARCHAR; }
static inline size_t type_size(uint8_t t)
{
	return t == STELE_TYPE_VARCHAR ? sizeof(SqlStr) : 8;
}
static inline bool type_is_numeric(uint8_t t)
{
	return t == STELE_TYPE_BIGINT || t == STELE_TYPE_UBIGINT || t == STELE_TYPE_DOUBLE;
}

/* Allocates a Vec of type t for n rows from the arena: values zeroed,
 * nothing NULL. Returns false when out of memory. */
bool vec_alloc(Arena *a, Vec *v, uint8_t type, uint32_t n);
/* A Batch of ncols columns (Vecs unallocated) for up to n rows. */
Batch *batch_alloc(Arena *a, uint32_t ncols);

/* Copies s into the arena; false when out of memory. */
bool vec_copy_str(Arena *a, SqlStr *s);

/* Row i of v as a Datum (strings not copied). */
static inline Datum vec_get(const Vec *v, uint32_t i)
{
	Datum d = {.type = v->type};
	if (v->type == STELE_TYPE_NONE || v->null[i]) {
		d.null = true;
		return d;
	}
	if (v->type == STELE_TYPE_VARCHAR)
		d.v.s = v->d.s[i];
	else
		d.v.u = v->d.u[i];
	return d;
}

/* Stores d (of v's type, or NULL) as row i of v. Strings not copied. */
static inline void vec_set(Vec *v, uint32_t i, const Datum *d)
{
	if (d->null || v->type == STELE_TYPE_NONE) {
		v->null[i] = 1;
		if (v->type == STELE_TYPE_VARCHAR)
			v->d.s[i] = (SqlStr){"", 0};
		else if (v->type != STELE_TYPE_NONE)
			v->d.u[i] = 0;
		return;
	}
	v->null[i] = 0;
	if (v->type == STELE_TYPE_VARCHAR)
		v->d.s[i] = d->v.s;
	else
		v->d.u[i] = d->v.u;
}

/* Copies row si of src into row di of dst (same type); no string copy. */
static inline void vec_copy_row(Vec *dst, uint32_t di, const Vec *src, uint32_t si)
{
	if (src->type == STELE_TYPE_NONE) {
		dst->null[di] = 1;
		return;
	}
	dst->null[di] = src->null[si];
	if (src->type == STELE_TYPE_VARCHAR)
		dst->d.s[di] = src->d.s[si];
	else
		dst->d.u[di] = src->d.u[si];
}

/* Three-way comparison of two non-NULL values of the same type. Doubles
 * order as PostgreSQL orders them: -0 equals 0, NaN above everything and
 * equal to itself. */
int datum_cmp(uint8_t type, const Datum *a, const Datum *b);
int vec_cmp(const Vec *a, uint32_t i, const Vec *b, uint32_t j);
/* Hash of a non-NULL value, consistent with datum_cmp's equality. */
uint64_t vec_hash(const Vec *v, uint32_t i);
uint64_t datum_hash(const Datum *d);

#endif
