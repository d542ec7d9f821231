/*
 * rows.h - Rows, the column batch that the storage engine passes around:
 * memtable extracts, decoded blocks, merged scan output and flush input.
 *
 * A Rows holds n rows of one table: the series id and timestamp of each, and
 * a ColVec for each of a chosen list of field columns. Every value takes 8
 * bytes in ColVec.v, whatever its type:
 *
 *     DOUBLE     the IEEE-754 bits (memcpy to a double)
 *     BIGINT     the int64
 *     UBIGINT    the uint64
 *     BOOLEAN    0 or 1
 *     VARCHAR    (offset << 32) | length of the bytes in Rows.heap
 *
 * valid[i] is 1 when row i has a value in the column, 0 for NULL (v[i] is
 * then 0). Rows owns all of its arrays; rows_free() releases them.
 */
#ifndef STELE_STORAGE_ROWS_H
#define STELE_STORAGE_ROWS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "stele.h"
#include "util/buf.h"

typedef struct ColVec {
	uint8_t type;    /* stele_type */
	uint32_t col;    /* the table's column index */
	uint64_t *v;     /* [cap] */
	uint8_t *valid;  /* [cap] */
} ColVec;

typedef struct Rows {
	uint32_t n, cap;
	uint32_t *sid;   /* [cap] */
	int64_t *ts;     /* [cap] */
	uint32_t ncols;
	ColVec *cols;    /* [ncols] */
	Buf heap;        /* VARCHAR bytes */
} Rows;

/* Sets up r for columns cols[0..ncols) of the given types; no rows. */
int rows_init(Rows *r, uint32_t ncols, const uint32_t *cols, const uint8_t *types);
/* Makes room for `n` rows in all. */
int rows_reserve(Rows *r, uint32_t n);
/* Empties r, keeping its memory and columns. */
void rows_clear(Rows *r);
void rows_free(Rows *r);

/* A VARCHAR value's bytes. */
static inline const char *rows_str(const Rows *r, uint64_t v, uint32_t *len)
{
	*len = (uint32_t)v;
	return r->heap.data ? (const char *)r->heap.data + (v >> 32) : "";
}

/* Stores n bytes in the heap and returns the value for a VARCHAR ColVec;
 * sets r->heap.failed when out of memory. */
static inline uint64_t rows_put_str(Rows *r, const char *s, uint32_t n)
{
	uint64_t off = r->heap.len;
	buf_put(&r->heap, s, n);
	return (off << 32) | n;
}

/* Appends row i of src (same columns) to dst, which has room. */
void rows_copy_row(Rows *dst, const Rows *src, uint32_t i);
/* Appends rows [from, from + n) of src to dst, which has room. */
void rows_copy_run(Rows *dst, const Rows *src, uint32_t from, uint32_t n);

/* Memory held. */
size_t rows_bytes(const Rows *r);

#endif
