/*
 * lp.h - the InfluxDB line protocol parser.
 *
 *     measurement[,tag=value...] field=value[,field=value...] [timestamp]
 *
 * lp_parse() turns a buffer of lines into an LpBatch: for each valid line its
 * measurement, tags, fields and timestamp, all unescaped, and its canonical
 * series key; for each invalid line an error with its line number, byte
 * column and reason. An invalid line never stops the lines after it.
 *
 * Canonical series key: the measurement, then each tag in ascending bytewise
 * order of its (unescaped) key, written as line protocol with canonical
 * escaping:
 *
 *     measurement  backslash-escape  ,  space  and backslash
 *     tag key/val  backslash-escape  ,  =  space  and backslash
 *
 *     cpu,host=a\ b,region=eu
 *
 * Two lines name the same series exactly when their canonical keys are equal
 * byte for byte, and lp_parse() of a canonical key followed by " f=1" gives
 * back the same measurement and tags (the key is itself valid line protocol).
 * When the input already is canonical (tags sorted, no backslash, no
 * duplicate tag keys) the key points into the input; otherwise it is built in
 * the batch's arena.
 *
 * Ownership: every LpStr in a batch points either into the caller's input
 * buffer or into the batch's arena. Both must outlive the use of the batch;
 * the arena's strings stay valid until lp_batch_reset() or lp_batch_free().
 */
#ifndef STELE_INGEST_LP_H
#define STELE_INGEST_LP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stele.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"

typedef struct LpStr {
	const char *p;
	uint32_t n;
} LpStr;

typedef struct LpTag {
	LpStr key;  /* unescaped */
	LpStr val;  /* unescaped, never empty */
} LpTag;

typedef struct LpField {
	LpStr key;        /* unescaped */
	stele_type type;  /* DOUBLE, BIGINT, UBIGINT, BOOLEAN or VARCHAR */
	union {
		double f;   /* DOUBLE: finite (inf and nan are rejected) */
		int64_t i;  /* BIGINT: "123i" */
		uint64_t u; /* UBIGINT: "123u" */
		bool b;     /* BOOLEAN: t T true True TRUE f F false False FALSE */
		LpStr s;    /* VARCHAR: "..." unescaped (\" and \\) */
	} v;
} LpField;

typedef struct LpLine {
	LpStr measurement;  /* unescaped, never empty */
	LpStr series;       /* canonical series key (see above) */
	uint32_t tag0;      /* tags[tag0 .. tag0 + ntags), sorted by key */
	uint32_t ntags;
	uint32_t field0;    /* fields[field0 .. field0 + nfields), in input order,
	                       keys distinct (a repeated key keeps its last value) */
	uint32_t nfields;   /* at least 1 */
	int64_t ts;         /* nanoseconds since the epoch; the receipt time when
	                       the line has none */
	uint64_t lineno;    /* line number in the input, from first_line */
	uint32_t len;       /* length of the input line in bytes */
	const char *text;   /* the input line (not NUL-terminated) */
} LpLine;

typedef struct LpOptions {
	stele_precision precision;  /* unit of the timestamps */
	int64_t now_ns;             /* timestamp of lines that have none */
	uint64_t first_line;        /* line number of the buffer's first line */
	uint32_t max_line;          /* longest accepted line in bytes; 0: 64 MiB */
} LpOptions;

typedef struct LpBatch {
	LpLine *lines;
	uint32_t nlines, cap_lines;
	LpTag *tags;
	uint32_t ntags, cap_tags;
	LpField *fields;
	uint32_t nfields, cap_fields;
	Arena arena;         /* unescaped strings, non-canonical series keys */
	uint64_t nrejected;  /* invalid lines */
	uint32_t nerrors;    /* the first STELE_LINE_ERRORS_KEPT of them */
	stele_line_error errors[STELE_LINE_ERRORS_KEPT];
} LpBatch;

void lp_batch_init(LpBatch *b);
/* Empties the batch for reuse, keeping its memory. */
void lp_batch_reset(LpBatch *b);
void lp_batch_free(LpBatch *b);

/* Parses len bytes of line protocol, appending the valid lines to b and
 * counting and recording the invalid ones. Lines end at '\n' ("\r\n" too);
 * the last line needs no newline. Blank lines and lines whose first
 * non-blank character is '#' are skipped (not counted as lines written or
 * rejected). Returns STELE_OK, or STELE_ENOMEM (then b is unusable until
 * reset). Invalid lines are not a failure of lp_parse(). */
int lp_parse(LpBatch *b, const char *buf, size_t len, const LpOptions *o, StErr *err);

/* Appends src's lines, tags, fields and rejections to dst, as if dst had
 * parsed src's input after its own (src's line numbers must follow dst's).
 * The strings of src's lines stay where they are (src's arena, its input):
 * src must outlive dst's use of them. STELE_ENOMEM leaves dst as it was. */
int lp_batch_append(LpBatch *dst, const LpBatch *src, StErr *err);

/* Where the line that starts at ls ends, reading no further than end: the
 * '\n' that terminates it (a string value may hold newlines), or NULL when
 * the buffer ends inside the line (no newline yet, or a string value still
 * open). For cutting a stream into chunks of whole lines. */
const char *lp_line_end(const char *ls, const char *end);

/* Records a rejection of `line` found after parsing (a type conflict, say),
 * in line order with the parser's own: bumps nrejected and keeps the error if
 * fewer than STELE_LINE_ERRORS_KEPT are kept. */
void lp_batch_reject(LpBatch *b, uint64_t lineno, uint32_t column, int code,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Appends line-protocol escaped text to out, for writing lines back out
 * (stele dump). */
void lp_put_measurement(Buf *out, const char *s, size_t n);
void lp_put_tag(Buf *out, const char *s, size_t n);       /* tag keys and values */
void lp_put_field_key(Buf *out, const char *s, size_t n);
void lp_put_string_value(Buf *out, const char *s, size_t n); /* with the quotes */
/* A double in the shortest form that reads back to the same bits. */
void lp_put_double(Buf *out, double v);

/* The multiplier from a precision to nanoseconds. */
int64_t lp_precision_ns(stele_precision p);

#endif
