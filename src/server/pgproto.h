/*
 * pgproto.h - the PostgreSQL frontend/backend protocol 3.0 as bytes:
 * framing, decoding of what a client sends, encoding of what the server
 * answers. Pure functions over buffers: no sockets, no sessions, no
 * threads (tests/fuzz/fuzz_pgwire.c runs them on arbitrary bytes).
 *
 * Framing. After the startup phase every message is
 *
 *   OFFSET SIZE DESCRIPTION
 *   0      1    type byte ('Q' Query, 'P' Parse, ...)
 *   1      4    length, big-endian, counting itself but not the type
 *   5      n-4  body
 *
 * Startup packets (StartupMessage, SSLRequest, GSSENCRequest,
 * CancelRequest) have no type byte: a 4-byte length (at least 8, at most
 * PGP_STARTUP_MAX) and a 4-byte code. pgp_frame checks a length against
 * its limit from the header alone, before anything is allocated for it.
 *
 * Decoding. Decoders read the body of one message (without the type and
 * length) and fill a struct whose strings and byte ranges point into that
 * body: they are valid as long as the body is, and strings are
 * NUL-terminated there (the protocol's cstrings). Counts are checked
 * against the bytes left before any array is allocated, and a body must
 * be consumed exactly ("invalid message format" otherwise), as
 * PostgreSQL's pq_getmsgend demands. Errors are STELE_EPARSE with
 * PostgreSQL's wording; the session answers them with 08P01.
 *
 * Encoding. Encoders append one whole message to a Buf (util/buf.h); a
 * failed growth sets the Buf's sticky flag, checked once per flush.
 * Integers on the wire are big-endian.
 */
#ifndef STELE_SERVER_PGPROTO_H
#define STELE_SERVER_PGPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

#define PGP_STARTUP_MAX 10000          /* bytes of a startup packet (PostgreSQL's) */
#define PGP_STARTUP_PARAMS 64          /* parameters of a startup packet kept */
#define PGP_PROTO_V3 196608            /* 3.0 */
#define PGP_CANCEL_REQUEST 80877102
#define PGP_SSL_REQUEST 80877103
#define PGP_GSSENC_REQUEST 80877104

/* ---- framing ---- */

/* The size of the message that starts at p[0..n): *total gets its length
 * in bytes (type and length included), or 0 when the header is not all
 * there yet. `startup`: a packet without a type byte. A length shorter
 * than its header, or one whose body exceeds `max` (or PGP_STARTUP_MAX),
 * is STELE_EPARSE / STELE_ELIMIT. */
int pgp_frame(const uint8_t *p, size_t n, bool startup, size_t max, size_t *total,
              StErr *err);

static inline uint32_t pgp_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t pgp_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint64_t pgp_get_u64(const uint8_t *p)
{
	return (uint64_t)pgp_get_u32(p) << 32 | pgp_get_u32(p + 4);
}

/* ---- decoding ---- */

typedef struct PgKV {
	const char *key, *value;
} PgKV;

/* A startup packet's body (after its length). */
typedef struct PgStartup {
	uint32_t code;               /* PGP_PROTO_V3, or one of the requests */
	uint16_t minor;              /* 3.x asked for: the session answers 3.0
	                                with NegotiateProtocolVersion */
	int32_t pid, key;            /* CancelRequest */
	const char *user;            /* NULL when not given */
	const char *database;
	const char *application_name;
	PgKV params[PGP_STARTUP_PARAMS]; /* every parameter, in order (the
	                                    first PGP_STARTUP_PARAMS) */
	uint32_t nparams;
} PgStartup;

/* A StartupMessage must be protocol 3.x (a 2.0 or 4.x client gets
 * "unsupported frontend protocol"; a later 3.x is served as 3.0); the
 * requests are 8 bytes (16 for a CancelRequest). */
int pgp_startup(const uint8_t *body, size_t n, PgStartup *out, StErr *err);

typedef struct PgParse {
	const char *name;            /* "" is the unnamed statement */
	const char *sql;
	size_t sqllen;
	uint16_t ntypes;
	const uint8_t *types;        /* ntypes big-endian OIDs (pgp_get_u32) */
} PgParse;

int pgp_parse(const uint8_t *body, size_t n, PgParse *out, StErr *err);

/* A parameter value of a Bind: len -1 is NULL. */
typedef struct PgValue {
	int32_t len;
	const uint8_t *p;
} PgValue;

typedef struct PgBind {
	const char *portal, *stmt;
	uint16_t nformats;
	const uint8_t *formats;      /* big-endian int16 each: 0 text, 1 binary */
	uint16_t nparams;
	PgValue *params;             /* malloc'd by pgp_bind; the caller frees */
	uint16_t nresults;
	const uint8_t *results;      /* result format codes, as formats */
} PgBind;

/* Format codes must be 0 or 1; their count 0, 1 or nparams. */
int pgp_bind(const uint8_t *body, size_t n, PgBind *out, StErr *err);

/* The format code of parameter i: formats apply as the protocol says (none:
 * all text; one: all; else one each). */
int16_t pgp_format(uint16_t nformats, const uint8_t *formats, uint32_t i);

/* Describe and Close: 'S' (statement) or 'P' (portal), and a name. */
typedef struct PgTarget {
	char kind;
	const char *name;
} PgTarget;

int pgp_target(const uint8_t *body, size_t n, PgTarget *out, StErr *err);

typedef struct PgExecute {
	const char *portal;
	int32_t maxrows;             /* 0: all */
} PgExecute;

int pgp_execute(const uint8_t *body, size_t n, PgExecute *out, StErr *err);

/* One cstring filling the body: Query, CopyFail, PasswordMessage. */
int pgp_cstring(const uint8_t *body, size_t n, const char **out, size_t *len, StErr *err);

/* SASLInitialResponse: a mechanism and its first message (len -1: none). */
typedef struct PgSaslInit {
	const char *mechanism;
	int32_t len;
	const uint8_t *data;
} PgSaslInit;

int pgp_sasl_init(const uint8_t *body, size_t n, PgSaslInit *out, StErr *err);

/* ---- encoding ---- */

void pgp_put_i16(Buf *b, int16_t v);
void pgp_put_i32(Buf *b, int32_t v);
void pgp_put_i64(Buf *b, int64_t v);
void pgp_put_cstr(Buf *b, const char *s);

/* Starts a message: its type and a placeholder length. Returns the offset
 * to give pgp_end, which writes the length. */
size_t pgp_begin(Buf *b, char type);
void pgp_end(Buf *b, size_t at);

/* Authentication request `kind` (0 ok, 3 cleartext, 10 SASL, 11 SASL
 * continue, 12 SASL final) with its data. */
void pgp_auth(Buf *b, int32_t kind, const void *data, size_t n);
void pgp_param_status(Buf *b, const char *name, const char *value);
void pgp_backend_key(Buf *b, int32_t pid, int32_t key);
void pgp_ready(Buf *b, char status);
void pgp_complete(Buf *b, const char *tag);
void pgp_empty(Buf *b, char type);   /* a message without a body: '1', '2', '3',
                                        'n' (NoData), 'I' (EmptyQueryResponse),
                                        's' (PortalSuspended), 'c' */

/* What an ErrorResponse ('E') or NoticeResponse ('N') carries; NULL and 0
 * fields are left out. */
typedef struct PgError {
	const char *severity;        /* "ERROR", "FATAL" */
	const char *code;            /* SQLSTATE */
	const char *message;
	const char *detail;
	const char *hint;
	int position;                /* 1-based character in the query text */
	const char *where;           /* context: "COPY cpu, line 3, column usage" */
} PgError;

void pgp_error(Buf *b, const PgError *e);

/* A column of a RowDescription. */
typedef struct PgColDesc {
	const char *name;
	uint32_t table_oid;
	int16_t attnum;
	uint32_t type_oid;
	int16_t typlen;
	int32_t typmod;
	int16_t format;
} PgColDesc;

void pgp_row_desc(Buf *b, const PgColDesc *cols, uint32_t n);
void pgp_param_desc(Buf *b, const uint32_t *oids, uint32_t n);

/* NegotiateProtocolVersion: the newest minor version served and the
 * protocol options (_pq_.*) not understood. */
void pgp_negotiate(Buf *b, uint16_t minor, const char *const *opts, uint32_t n);

/* CopyInResponse: overall format and ncols column formats (all `format`). */
void pgp_copy_in(Buf *b, int8_t format, uint16_t ncols);

#endif
