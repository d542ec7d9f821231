/*
 * fuzz_pgwire.c - the PostgreSQL listener's decoders on arbitrary bytes,
 * without sockets: framing (pgp_frame), the startup packet and every
 * frontend message the server decodes (Parse, Bind, Describe, Close,
 * Execute, Query, CopyFail, password and SASL messages), Bind's parameter
 * values in both formats for every type OID the server knows
 * (pgty_param), and the SQL text a Query carries (statement splitting,
 * the canonical form of pgtext.h).
 *
 * The first byte picks the message length limit (64 bytes to 64 KiB) and
 * whether the stream begins with a startup packet. The rest is read as a
 * client's stream: one message after the other, as the session's job
 * takes them. Asserts: a frame's length is within its limit; decoded
 * strings and byte ranges lie inside their message; Bind's values fit in
 * its body; statement splitting covers the text exactly; re-encoding an
 * ErrorResponse with the decoded text frames as one message.
 *
 * The decoders are linked from the server library (stele_server).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "server/pgproto.h"
#include "server/pgtext.h"
#include "server/pgtypes.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static bool inside(const void *p, size_t n, const uint8_t *body, size_t len)
{
	const uint8_t *q = p;
	return q >= body && q + n <= body + len;
}

static void check_cstr(const char *s, const uint8_t *body, size_t n)
{
	if (s)
		CHECK(inside(s, strlen(s) + 1, body, n));
}

static void text(const char *s, size_t n)
{
	size_t at = 0;
	while (at < n) {
		bool blank;
		size_t k = pgtx_split(s + at, n - at, &blank);
		CHECK(k > 0 && k <= n - at);
		at += k;
	}
	Buf canon = {0};
	pgtx_canon(s, n, &canon);
	CHECK(canon.len <= 2 * n + 1);
	buf_free(&canon);
	PgLex lx = pgtx_lex(s, n);
	char v[64];
	for (int i = 0; i < 64; i++) {
		PgTok t = pgtx_next(&lx);
		if (t.kind == PGTK_END)
			break;
		CHECK(t.n > 0 && inside(t.p, t.n, (const uint8_t *)s, n));
		CHECK(pgtx_value(&t, v, sizeof v) < sizeof v);
	}
}

static const uint32_t oids[] = {0,           PGTY_BOOL,     PGTY_INT2,        PGTY_INT4,
                                PGTY_INT8,   PGTY_OID,      PGTY_FLOAT4,      PGTY_FLOAT8,
                                PGTY_TEXT,   PGTY_VARCHAR,  PGTY_TIMESTAMP,   PGTY_TIMESTAMPTZ,
                                PGTY_INTERVAL, PGTY_NUMERIC, PGTY_DATE,       PGTY_UNKNOWN};

static void bind_msg(const uint8_t *body, size_t n)
{
	PgBind b;
	StErr err;
	if (pgp_bind(body, n, &b, &err) != STELE_OK) {
		CHECK(b.params == NULL);
		return;
	}
	check_cstr(b.portal, body, n);
	check_cstr(b.stmt, body, n);
	Arena scratch = {.block_size = 4096};
	for (uint32_t i = 0; i < b.nparams; i++) {
		const PgValue *v = &b.params[i];
		CHECK(v->len >= -1);
		if (v->len <= 0)
			continue;
		CHECK(inside(v->p, (size_t)v->len, body, n));
		for (size_t k = 0; k < sizeof oids / sizeof oids[0]; k++)
			for (int16_t fmt = 0; fmt <= 1; fmt++) {
				stele_param p;
				if (pgty_param(oids[k], fmt, v->p, v->len, &scratch, &p, &err) != STELE_OK)
					continue;
				if (p.type == STELE_TYPE_NONE && p.v.str.len)
					CHECK(p.v.str.ptr != NULL);
			}
		arena_reset(&scratch);
	}
	for (uint32_t i = 0; i < b.nresults; i++) {
		int16_t f = pgp_format(b.nresults, b.results, i);
		CHECK(f == 0 || f == 1);
	}
	arena_free(&scratch);
	free(b.params);
}

static void message(uint8_t type, const uint8_t *body, size_t n)
{
	StErr err;
	const char *s;
	size_t len;
	switch (type) {
	case 'P': {
		PgParse p;
		if (pgp_parse(body, n, &p, &err) == STELE_OK) {
			check_cstr(p.name, body, n);
			check_cstr(p.sql, body, n);
			CHECK(inside(p.types, (size_t)p.ntypes * 4, body, n));
			text(p.sql, p.sqllen);
		}
		break;
	}
	case 'B':
		bind_msg(body, n);
		break;
	case 'D':
	case 'C': {
		PgTarget t;
		if (pgp_target(body, n, &t, &err) == STELE_OK) {
			CHECK(t.kind == 'S' || t.kind == 'P');
			check_cstr(t.name, body, n);
		}
		break;
	}
	case 'E': {
		PgExecute e;
		if (pgp_execute(body, n, &e, &err) == STELE_OK)
			CHECK(e.maxrows >= 0);
		break;
	}
	case 'Q':
	case 'f':
		if (pgp_cstring(body, n, &s, &len, &err) == STELE_OK) {
			CHECK(len == strlen(s) && inside(s, len + 1, body, n));
			text(s, len);
			/* The text goes back out in an error: one whole message. */
			Buf out = {0};
			PgError pe = {.severity = "ERROR", .code = "42601", .message = s, .position = 3};
			pgp_error(&out, &pe);
			size_t total;
			CHECK(pgp_frame(out.data, out.len, false, out.len, &total, &err) == STELE_OK);
			CHECK(total == out.len);
			buf_free(&out);
		}
		break;
	case 'p': {
		PgSaslInit si;
		if (pgp_sasl_init(body, n, &si, &err) == STELE_OK) {
			check_cstr(si.mechanism, body, n);
			if (si.len > 0)
				CHECK(inside(si.data, (size_t)si.len, body, n));
		}
		pgp_cstring(body, n, &s, &len, &err);
		break;
	}
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t max = (size_t)64 << (data[0] & 0x0f) % 11;
	bool startup = data[0] & 0x80;
	const uint8_t *p = data + 1;
	size_t left = size - 1;
	StErr err;
	while (left) {
		size_t total;
		if (pgp_frame(p, left, startup, max, &total, &err) != STELE_OK || total == 0 ||
		    total > left)
			break;
		CHECK(total <= (startup ? PGP_STARTUP_MAX : max + 5));
		if (startup) {
			PgStartup su;
			if (pgp_startup(p + 4, total - 4, &su, &err) == STELE_OK) {
				check_cstr(su.user, p, total);
				check_cstr(su.database, p, total);
				CHECK(su.nparams <= PGP_STARTUP_PARAMS);
				for (uint32_t i = 0; i < su.nparams; i++) {
					check_cstr(su.params[i].key, p, total);
					check_cstr(su.params[i].value, p, total);
				}
			}
			startup = false;
		} else {
			CHECK(total >= 5);
			message(p[0], p + 5, total - 5);
		}
		p += total;
		left -= total;
	}
	return 0;
}
