/*
 * pgproto.c - PostgreSQL protocol 3.0 messages as bytes (pgproto.h).
 *
 * Every decoder walks the body with an Rd (util/buf.h), whose sticky `bad`
 * flag turns any read past the end into one "invalid message format"
 * check at the end; cstrings must end with a NUL inside the body. Arrays
 * whose count the client claims (Bind's parameters) are allocated only
 * after the count was checked against the bytes that must follow it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/pgproto.h"

/* ---- framing ---- */

int pgp_frame(const uint8_t *p, size_t n, bool startup, size_t max, size_t *total, StErr *err)
{
	*total = 0;
	size_t head = startup ? 4 : 5;
	if (n < head)
		return STELE_OK;
	uint32_t len = pgp_get_u32(p + head - 4);
	if (startup) {
		if (len < 8 || len > PGP_STARTUP_MAX)
			return failf(err, STELE_EPARSE, "invalid length of startup packet");
		*total = len;
		return STELE_OK;
	}
	if (len < 4)
		return failf(err, STELE_EPARSE, "invalid message length %u", len);
	if (len - 4 > max)
		return failf(err, STELE_ELIMIT,
		             "message of %u bytes (type '%c') exceeds the limit of %zu bytes "
		             "(--max-line)",
		             len - 4, p[0] >= 0x20 && p[0] < 0x7f ? p[0] : '?', max);
	*total = (size_t)len + 1;
	return STELE_OK;
}

/* ---- decoding ---- */

static uint32_t rd_be32(Rd *r)
{
	const uint8_t *p = rd_bytes(r, 4);
	return p ? pgp_get_u32(p) : 0;
}

static uint16_t rd_be16(Rd *r)
{
	const uint8_t *p = rd_bytes(r, 2);
	return p ? pgp_get_u16(p) : 0;
}

/* A NUL-terminated string; NULL (and bad) when no NUL follows. */
static const char *rd_cstr(Rd *r, size_t *len)
{
	if (r->bad)
		return NULL;
	const uint8_t *nul = memchr(r->p, 0, rd_left(r));
	if (!nul) {
		r->bad = true;
		return NULL;
	}
	const char *s = (const char *)r->p;
	if (len)
		*len = (size_t)(nul - r->p);
	r->p = nul + 1;
	return s;
}

static int bad_format(StErr *err)
{
	return failf(err, STELE_EPARSE, "invalid message format");
}

/* The body must have been read to its end, without overrun. */
static int finish(const Rd *r, StErr *err)
{
	return r->bad || rd_left(r) ? bad_format(err) : STELE_OK;
}

int pgp_startup(const uint8_t *body, size_t n, PgStartup *out, StErr *err)
{
	memset(out, 0, sizeof *out);
	Rd r = rd_make(body, n);
	out->code = rd_be32(&r);
	if (r.bad)
		return failf(err, STELE_EPARSE, "invalid length of startup packet");
	switch (out->code) {
	case PGP_CANCEL_REQUEST:
		out->pid = (int32_t)rd_be32(&r);
		out->key = (int32_t)rd_be32(&r);
		return finish(&r, err);
	case PGP_SSL_REQUEST:
	case PGP_GSSENC_REQUEST:
		return finish(&r, err);
	default:
		if (out->code >> 16 == 3) {
			out->minor = (uint16_t)(out->code & 0xffff);
			out->code = PGP_PROTO_V3;
			break;
		}
		return failf(err, STELE_EPARSE,
		             "unsupported frontend protocol %u.%u: server supports 3.0 to 3.0",
		             out->code >> 16, out->code & 0xffff);
	}
	/* name\0value\0 ... \0 */
	for (;;) {
		size_t klen;
		const char *k = rd_cstr(&r, &klen);
		if (!k)
			return failf(err, STELE_EPARSE, "invalid startup packet layout: expected terminator "
			             "as last byte");
		if (klen == 0)
			break;
		const char *v = rd_cstr(&r, NULL);
		if (!v)
			return failf(err, STELE_EPARSE, "invalid startup packet layout: expected terminator "
			             "as last byte");
		if (!strcmp(k, "user"))
			out->user = v;
		else if (!strcmp(k, "database"))
			out->database = v;
		else if (!strcmp(k, "application_name"))
			out->application_name = v;
		if (out->nparams < PGP_STARTUP_PARAMS)
			out->params[out->nparams++] = (PgKV){k, v};
	}
	if (rd_left(&r))
		return failf(err, STELE_EPARSE,
		             "invalid startup packet layout: expected terminator as last byte");
	return STELE_OK;
}

int pgp_parse(const uint8_t *body, size_t n, PgParse *out, StErr *err)
{
	memset(out, 0, sizeof *out);
	Rd r = rd_make(body, n);
	out->name = rd_cstr(&r, NULL);
	out->sql = rd_cstr(&r, &out->sqllen);
	out->ntypes = rd_be16(&r);
	out->types = rd_bytes(&r, (size_t)out->ntypes * 4);
	return finish(&r, err);
}

int16_t pgp_format(uint16_t nformats, const uint8_t *formats, uint32_t i)
{
	if (nformats == 0)
		return 0;
	return (int16_t)pgp_get_u16(formats + 2 * (nformats == 1 ? 0 : i));
}

static int check_formats(uint16_t n, const uint8_t *f, StErr *err)
{
	for (uint16_t i = 0; i < n; i++) {
		int16_t v = (int16_t)pgp_get_u16(f + 2 * i);
		if (v != 0 && v != 1)
			return failf(err, STELE_EPARSE, "unsupported format code: %d", v);
	}
	return STELE_OK;
}

int pgp_bind(const uint8_t *body, size_t n, PgBind *out, StErr *err)
{
	memset(out, 0, sizeof *out);
	Rd r = rd_make(body, n);
	out->portal = rd_cstr(&r, NULL);
	out->stmt = rd_cstr(&r, NULL);
	out->nformats = rd_be16(&r);
	out->formats = rd_bytes(&r, (size_t)out->nformats * 2);
	out->nparams = rd_be16(&r);
	if (r.bad)
		return bad_format(err);
	/* Each value takes at least its 4-byte length: check the claim
	 * before allocating for it. */
	if ((size_t)out->nparams * 4 > rd_left(&r))
		return bad_format(err);
	if (out->nformats > 1 && out->nformats != out->nparams)
		return failf(err, STELE_EPARSE, "bind message has %u parameter formats but %u parameters",
		             out->nformats, out->nparams);
	int rc = check_formats(out->nformats, out->formats, err);
	if (rc)
		return rc;
	if (out->nparams) {
		out->params = calloc(out->nparams, sizeof *out->params);
		if (!out->params)
			return failf(err, STELE_ENOMEM, "out of memory");
	}
	for (uint16_t i = 0; i < out->nparams && !r.bad; i++) {
		int32_t len = (int32_t)rd_be32(&r);
		if (len < -1) {
			r.bad = true;
			break;
		}
		out->params[i].len = len;
		if (len > 0)
			out->params[i].p = rd_bytes(&r, (size_t)len);
		else
			out->params[i].p = (const uint8_t *)"";
	}
	out->nresults = rd_be16(&r);
	out->results = rd_bytes(&r, (size_t)out->nresults * 2);
	rc = finish(&r, err);
	if (rc == STELE_OK)
		rc = check_formats(out->nresults, out->results, err);
	if (rc) {
		free(out->params);
		out->params = NULL;
	}
	return rc;
}

int pgp_target(const uint8_t *body, size_t n, PgTarget *out, StErr *err)
{
	Rd r = rd_make(body, n);
	out->kind = (char)rd_u8(&r);
	out->name = rd_cstr(&r, NULL);
	int rc = finish(&r, err);
	if (rc == STELE_OK && out->kind != 'S' && out->kind != 'P')
		return failf(err, STELE_EPARSE, "invalid DESCRIBE/CLOSE message subtype %d", out->kind);
	return rc;
}

int pgp_execute(const uint8_t *body, size_t n, PgExecute *out, StErr *err)
{
	Rd r = rd_make(body, n);
	out->portal = rd_cstr(&r, NULL);
	out->maxrows = (int32_t)rd_be32(&r);
	if (out->maxrows < 0)
		out->maxrows = 0;
	return finish(&r, err);
}

int pgp_cstring(const uint8_t *body, size_t n, const char **out, size_t *len, StErr *err)
{
	Rd r = rd_make(body, n);
	*out = rd_cstr(&r, len);
	return finish(&r, err);
}

int pgp_sasl_init(const uint8_t *body, size_t n, PgSaslInit *out, StErr *err)
{
	Rd r = rd_make(body, n);
	out->mechanism = rd_cstr(&r, NULL);
	out->len = (int32_t)rd_be32(&r);
	out->data = NULL;
	if (out->len < -1)
		r.bad = true;
	else if (out->len > 0)
		out->data = rd_bytes(&r, (size_t)out->len);
	return finish(&r, err);
}

/* ---- encoding ---- */

void pgp_put_i16(Buf *b, int16_t v)
{
	uint8_t x[2] = {(uint8_t)((uint16_t)v >> 8), (uint8_t)v};
	buf_put(b, x, 2);
}

void pgp_put_i32(Buf *b, int32_t v)
{
	uint32_t u = (uint32_t)v;
	uint8_t x[4] = {(uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u};
	buf_put(b, x, 4);
}

void pgp_put_i64(Buf *b, int64_t v)
{
	pgp_put_i32(b, (int32_t)((uint64_t)v >> 32));
	pgp_put_i32(b, (int32_t)(uint32_t)v);
}

void pgp_put_cstr(Buf *b, const char *s)
{
	buf_put(b, s, strlen(s) + 1);
}

size_t pgp_begin(Buf *b, char type)
{
	buf_put_u8(b, (uint8_t)type);
	size_t at = b->len;
	pgp_put_i32(b, 0);
	return at;
}

void pgp_end(Buf *b, size_t at)
{
	if (b->failed || at + 4 > b->len)
		return;
	uint32_t len = (uint32_t)(b->len - at);
	uint8_t *p = b->data + at;
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
}

void pgp_auth(Buf *b, int32_t kind, const void *data, size_t n)
{
	size_t at = pgp_begin(b, 'R');
	pgp_put_i32(b, kind);
	buf_put(b, data, n);
	pgp_end(b, at);
}

void pgp_param_status(Buf *b, const char *name, const char *value)
{
	size_t at = pgp_begin(b, 'S');
	pgp_put_cstr(b, name);
	pgp_put_cstr(b, value);
	pgp_end(b, at);
}

void pgp_backend_key(Buf *b, int32_t pid, int32_t key)
{
	size_t at = pgp_begin(b, 'K');
	pgp_put_i32(b, pid);
	pgp_put_i32(b, key);
	pgp_end(b, at);
}

void pgp_ready(Buf *b, char status)
{
	size_t at = pgp_begin(b, 'Z');
	buf_put_u8(b, (uint8_t)status);
	pgp_end(b, at);
}

void pgp_complete(Buf *b, const char *tag)
{
	size_t at = pgp_begin(b, 'C');
	pgp_put_cstr(b, tag);
	pgp_end(b, at);
}

void pgp_empty(Buf *b, char type)
{
	size_t at = pgp_begin(b, type);
	pgp_end(b, at);
}

static void field(Buf *b, char f, const char *v)
{
	if (!v)
		return;
	buf_put_u8(b, (uint8_t)f);
	/* A NUL inside would end the field early on the client: cut there. */
	pgp_put_cstr(b, v);
}

void pgp_error(Buf *b, const PgError *e)
{
	size_t at = pgp_begin(b, 'E');
	field(b, 'S', e->severity);
	field(b, 'V', e->severity);
	field(b, 'C', e->code);
	field(b, 'M', e->message);
	field(b, 'D', e->detail);
	field(b, 'H', e->hint);
	if (e->position > 0) {
		char pos[16];
		snprintf(pos, sizeof pos, "%d", e->position);
		field(b, 'P', pos);
	}
	field(b, 'W', e->where);
	buf_put_u8(b, 0);
	pgp_end(b, at);
}

void pgp_row_desc(Buf *b, const PgColDesc *cols, uint32_t n)
{
	size_t at = pgp_begin(b, 'T');
	pgp_put_i16(b, (int16_t)n);
	for (uint32_t i = 0; i < n; i++) {
		const PgColDesc *c = &cols[i];
		pgp_put_cstr(b, c->name ? c->name : "?column?");
		pgp_put_i32(b, (int32_t)c->table_oid);
		pgp_put_i16(b, c->attnum);
		pgp_put_i32(b, (int32_t)c->type_oid);
		pgp_put_i16(b, c->typlen);
		pgp_put_i32(b, c->typmod);
		pgp_put_i16(b, c->format);
	}
	pgp_end(b, at);
}

void pgp_param_desc(Buf *b, const uint32_t *oids, uint32_t n)
{
	size_t at = pgp_begin(b, 't');
	pgp_put_i16(b, (int16_t)n);
	for (uint32_t i = 0; i < n; i++)
		pgp_put_i32(b, (int32_t)oids[i]);
	pgp_end(b, at);
}

void pgp_negotiate(Buf *b, uint16_t minor, const char *const *opts, uint32_t n)
{
	size_t at = pgp_begin(b, 'v');
	pgp_put_i32(b, minor);
	pgp_put_i32(b, (int32_t)n);
	for (uint32_t i = 0; i < n; i++)
		pgp_put_cstr(b, opts[i]);
	pgp_end(b, at);
}

void pgp_copy_in(Buf *b, int8_t format, uint16_t ncols)
{
	size_t at = pgp_begin(b, 'G');
	buf_put_u8(b, (uint8_t)format);
	pgp_put_i16(b, (int16_t)ncols);
	for (uint16_t i = 0; i < ncols; i++)
		pgp_put_i16(b, format);
	pgp_end(b, at);
}
