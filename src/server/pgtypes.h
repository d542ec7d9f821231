/*
 * pgtypes.h - Stele's types as PostgreSQL types on the wire: their OIDs,
 * and values in the text and binary formats, for results and for the
 * parameters of a Bind.
 *
 *   Stele       OID   PostgreSQL    binary form
 *   double      701   float8        IEEE 754, big-endian
 *   bigint       20   int8          big-endian
 *   ubigint    1700   numeric       base-10000 digits (as numeric_send)
 *   boolean      16   bool          one byte 0/1
 *   varchar      25   text          the bytes
 *   timestamp  1184   timestamptz   int8 microseconds since 2000-01-01 UTC
 *   interval   1186   interval      int8 microseconds, int4 days, int4 months
 *   (NULL type)  25   text
 *
 * Choices: ubigint is numeric, since a uint64 does not fit int8 and a
 * column's type is fixed before its values are seen. Timestamps are
 * timestamptz: Stele's are UTC instants, so the text form is
 * "2016-01-01 00:00:10.5+00" and clients (psycopg, JDBC) give back
 * time-zone-aware values. The wire carries microseconds, as PostgreSQL's
 * types do: nanoseconds are cut (timestamps floored, intervals toward
 * zero) in both formats, so that text and binary agree. Text otherwise is
 * sqltext_datum's (sql/text.h), PostgreSQL's own output.
 *
 * Parameters: int2/int4/int8, float4/float8, bool, timestamp/timestamptz
 * and interval are typed values in both formats. text, varchar, bpchar,
 * name, unknown (0), numeric and every other OID in text format are text
 * of no type (stele_param type NONE), which the statement reads like a
 * string literal in its context (PostgreSQL's "unknown"): so
 * `ts > $1` with a text parameter works as it does with a literal. A
 * binary numeric becomes its decimal text, the same way.
 */
#ifndef STELE_SERVER_PGTYPES_H
#define STELE_SERVER_PGTYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "stele.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"

enum {
	PGTY_BOOL = 16, PGTY_BYTEA = 17, PGTY_CHAR = 18, PGTY_NAME = 19, PGTY_INT8 = 20,
	PGTY_INT2 = 21, PGTY_INT4 = 23, PGTY_TEXT = 25, PGTY_OID = 26, PGTY_FLOAT4 = 700,
	PGTY_FLOAT8 = 701, PGTY_UNKNOWN = 705, PGTY_BPCHAR = 1042, PGTY_VARCHAR = 1043,
	PGTY_DATE = 1082, PGTY_TIMESTAMP = 1114, PGTY_TIMESTAMPTZ = 1184, PGTY_INTERVAL = 1186,
	PGTY_NUMERIC = 1700
};

/* Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
#define PGTY_EPOCH_US 946684800000000LL

/* The OID and typlen (-1: variable) of a Stele type. */
uint32_t pgty_oid(stele_type t);
int16_t pgty_len(uint32_t oid);
/* PostgreSQL's name of an OID ("int8", "timestamptz"), NULL when not one
 * of the above. */
const char *pgty_name(uint32_t oid);
/* format_type's text ("bigint", "timestamp with time zone"). */
const char *pgty_format_type(uint32_t oid);

/* Appends row i of c (not NULL) in text (format 0) or binary (1). */
void pgty_text(Buf *out, const stele_column *c, uint32_t i);
void pgty_binary(Buf *out, const stele_column *c, uint32_t i);

/* Decodes a Bind parameter of type `oid` in `format` from v[0..len)
 * (len >= 0; NULLs are the caller's). Text of no type points into v, or,
 * for a binary numeric, into `scratch`; both must outlive *out. Errors:
 * STELE_EINVAL with PostgreSQL's message (22P02 / 22P03). */
int pgty_param(uint32_t oid, int16_t format, const uint8_t *v, int32_t len, Arena *scratch,
               stele_param *out, StErr *err);

/* The Stele type a declared parameter OID binds as (NONE: text of no
 * type), for describing a statement before its values are known. */
stele_type pgty_param_type(uint32_t oid);

#endif
