/*
 * text.h - values as PostgreSQL prints them (its text output format):
 * what psql, the CSV and JSON results and the PostgreSQL wire protocol's
 * text format show. Booleans are `t` / `f`, doubles as float8out prints
 * them, timestamps `2016-01-01 00:00:10.5`, intervals `00:05:00`.
 * NULL is the caller's to show (nothing here prints it).
 */
#ifndef STELE_SQL_TEXT_H
#define STELE_SQL_TEXT_H

#include "sql/vec.h"
#include "util/buf.h"

/* Appends the text of a non-NULL value. */
void sqltext_datum(Buf *out, const Datum *d);
/* Appends the text of row i of v (not NULL). */
void sqltext_value(Buf *out, const Vec *v, uint32_t i);
/* Appends the text of row i of a result column (not NULL). */
void sqltext_cell(Buf *out, const stele_column *c, uint32_t i);

/* Appends s[0..n) as a CSV field (psql --csv): quoted when empty or when
 * it holds a comma, a quote, CR or LF; quotes doubled. */
void sqltext_csv(Buf *out, const char *s, size_t n);
/* Appends s[0..n) as a JSON string literal: \" \\ \n \t, other control
 * characters as \u00XX. */
void sqltext_json(Buf *out, const char *s, size_t n);

#endif
