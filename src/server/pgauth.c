/*
 * pgauth.c - a session from its first packet to ReadyForQuery: the
 * startup packet and the requests that may come instead (SSLRequest,
 * GSSENCRequest, CancelRequest), authentication, authorization, and the
 * ParameterStatus / BackendKeyData that end the startup.
 *
 *   PGS_STARTUP ──SSLRequest──▶ 'S' (TLS starts, pgwire.c) or 'N' ──▶ PGS_STARTUP
 *        │      ──CancelRequest──▶ cancel the session with that key; close
 *        │ StartupMessage (3.0)
 *        ├── --insecure ─────────────────────────────────────────┐
 *        ├── TLS: AuthenticationCleartextPassword ─▶ PGS_PASSWORD ┤ secret of the
 *        │                                                        │ token named user
 *        └── AuthenticationSASL ─▶ PGS_SASL_INIT ─▶ server-first  │
 *              ─▶ PGS_SASL_CONT ─▶ proof checked, server-final ───┤
 *                                                                 ▼
 *        AuthenticationOk; read on the database? (42501) exists? (3D000);
 *        ParameterStatus..., BackendKeyData, ReadyForQuery ─▶ PGS_READY
 *
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL does it: the mechanism
 * "SCRAM-SHA-256" only (no channel binding: a client's "p=" is refused),
 * the user name in the client-first message ignored (the startup packet's
 * counts), an 18-byte server nonce, and the verifier of the token named
 * by the user (auth.h: iterations, salt, StoredKey, ServerKey). The
 * password is the token's secret. A user without a token goes through
 * the same exchange with a salt derived from the user name and a key
 * random per server process, and fails at the end exactly as a wrong
 * password does (28P01), so neither the answers nor their timing say
 * whether a token exists. A cleartext password is asked for only inside
 * TLS, and checked with auth_by_secret.
 *
 * Authorization comes before the database is looked up, so that the
 * answer to a token without read on a database ("permission denied for
 * database", 42501) is the same whether it exists or not. A token that
 * may write to it may connect to a database that does not exist yet: it
 * is created then.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "server/errmap.h"
#include "server/metrics.h"
#include "server/pg_int.h"

#define SCRAM_ITER_FAKE 4096
#define SCRAM_MSG_MAX 1024      /* bytes of a client's SCRAM message */

void pga_fatal(PgConn *c, const char *code, const char *fmt, ...)
{
	PgSess *ss = &c->sess;
	char msg[STELE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	PgError e = {.severity = "FATAL", .code = code, .message = msg};
	pgp_error(&ss->out, &e);
	ss->closing = true;
	ss->state = PGS_CLOSING;
}

static void auth_failed(PgConn *c)
{
	metrics_add(c->s->metrics, M_AUTH_FAILURES, 1);
	pga_fatal(c, "28P01", "password authentication failed for user \"%s\"", c->sess.user);
}

/* ---- after authentication ---- */

static void authenticated(PgConn *c)
{
	PgSess *ss = &c->sess;
	Server *s = c->s;
	pgp_auth(&ss->out, 0, NULL, 0);
	if (!auth_allows(&ss->tok, ss->dbreq, AUTH_READ)) {
		metrics_add(s->metrics, M_AUTH_FAILURES, 1);
		PgError e = {.severity = "FATAL", .code = "42501",
		             .detail = "The token may not read this database."};
		char msg[400];
		snprintf(msg, sizeof msg, "permission denied for database \"%s\"", ss->dbreq);
		e.message = msg;
		pgp_error(&ss->out, &e);
		ss->closing = true;
		ss->state = PGS_CLOSING;
		return;
	}
	StErr err = {0};
	if (dbreg_check_name(ss->dbreq, &err) != STELE_OK) {
		pga_fatal(c, "3D000", "database \"%s\" does not exist", ss->dbreq);
		return;
	}
	snprintf(ss->db, sizeof ss->db, "%s", ss->dbreq);
	ss->can_write = auth_allows(&ss->tok, ss->db, AUTH_WRITE);
	int rc = dbreg_get(s->reg, ss->db, ss->can_write, &ss->sdb, &err);
	if (rc == STELE_ENOENT) {
		pga_fatal(c, "3D000", "database \"%s\" does not exist", ss->db);
		return;
	}
	if (rc != STELE_OK) {
		pga_fatal(c, errmap_sqlstate(&err), "%s", err.msg);
		return;
	}
	pgset_put(&ss->set, "is_superuser", ss->tok.admin ? "on" : "off");
	pgset_put(&ss->set, "session_authorization", ss->user);
	for (const char *const *n = pgset_reported; *n; n++)
		pgp_param_status(&ss->out, *n, pgset_get(&ss->set, *n));
	pgp_backend_key(&ss->out, c->pid, c->key);
	pgp_ready(&ss->out, 'I');
	ss->state = PGS_READY;
	pgw_authed(c);
}

/* ---- SCRAM-SHA-256 ---- */

/* The value of attribute `a` ("r=...") in a SCRAM message: a pointer to
 * it and its length, or NULL. Attributes are comma-separated. */
static const char *attr(const char *m, size_t n, char a, size_t *len)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && m[j] != ',')
			j++;
		if (j - i >= 2 && m[i] == a && m[i + 1] == '=') {
			*len = j - i - 2;
			return m + i + 2;
		}
		i = j + 1;
	}
	return NULL;
}

static bool printable_nonce(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == ',')
			return false;
	return true;
}

static void sasl_init(PgConn *c, const uint8_t *body, size_t n)
{
	PgSess *ss = &c->sess;
	PgSaslInit si;
	StErr err = {0};
	if (pgp_sasl_init(body, n, &si, &err) != STELE_OK) {
		pga_fatal(c, "08P01", "%s", err.msg);
		return;
	}
	if (strcmp(si.mechanism, "SCRAM-SHA-256") != 0) {
		pga_fatal(c, "08P01", "client selected an invalid SASL authentication mechanism");
		return;
	}
	if (si.len <= 0 || si.len > SCRAM_MSG_MAX) {
		pga_fatal(c, "08P01", "malformed SCRAM message (empty or too long)");
		return;
	}
	const char *m = (const char *)si.data;
	size_t len = (size_t)si.len;
	/* gs2-header: "n,," or "y,," (a=authzid is refused, as in PostgreSQL). */
	if (len < 3 || (m[0] != 'n' && m[0] != 'y') || m[1] != ',') {
		if (len && m[0] == 'p')
			pga_fatal(c, "08P01", "channel binding is not supported: the mechanism is "
			          "SCRAM-SHA-256, not SCRAM-SHA-256-PLUS");
		else
			pga_fatal(c, "08P01", "malformed SCRAM message (unexpected channel-binding flag)");
		return;
	}
	if (m[2] != ',') {
		pga_fatal(c, "0A000", "client uses authorization identity, but it is not supported");
		return;
	}
	const char *bare = m + 3;
	size_t nbare = len - 3;
	size_t nn;
	const char *cnonce = attr(bare, nbare, 'r', &nn);
	if (!cnonce || !printable_nonce(cnonce, nn) || memchr(bare, 0, nbare) ||
	    nn > sizeof ss->scram_nonce - 40) {
		pga_fatal(c, "08P01", "malformed SCRAM message (invalid nonce)");
		return;
	}
	free(ss->scram_first_bare);
	ss->scram_first_bare = malloc(nbare + 4);
	if (!ss->scram_first_bare) {
		pga_fatal(c, "53200", "out of memory");
		return;
	}
	/* Keep the gs2 header before the bare message: the client-final's
	 * c= must repeat it. */
	memcpy(ss->scram_first_bare, m, 3);
	memcpy(ss->scram_first_bare + 3, bare, nbare);
	ss->scram_first_bare[nbare + 3] = '\0';
	AuthToken *t = &ss->tok;
	if (ss->bad_user || auth_by_name(c->s->auth, ss->user, t) != STELE_OK) {
		/* No such token: a salt of its own, stable per name. */
		uint8_t mac[32];
		auth_hmac_sha256(pgw_mock_key(c->pg), 32, (const uint8_t *)ss->user, strlen(ss->user),
		                 mac);
		memset(t, 0, sizeof *t);
		memcpy(t->salt, mac, sizeof t->salt);
		t->iterations = SCRAM_ITER_FAKE;
		ss->scram_fake = true;
	}
	uint8_t raw[18];
	RAND_bytes(raw, sizeof raw);
	char snonce[32], salt[32];
	auth_b64(raw, sizeof raw, snonce);
	auth_b64(t->salt, sizeof t->salt, salt);
	snprintf(ss->scram_nonce, sizeof ss->scram_nonce, "%.*s%s", (int)nn, cnonce, snonce);
	snprintf(ss->scram_server_first, sizeof ss->scram_server_first, "r=%s,s=%s,i=%u",
	         ss->scram_nonce, salt, t->iterations);
	pgp_auth(&ss->out, 11, ss->scram_server_first, strlen(ss->scram_server_first));
	ss->state = PGS_SASL_CONT;
}

static void sasl_final(PgConn *c, const uint8_t *body, size_t n)
{
	PgSess *ss = &c->sess;
	const char *m = (const char *)body;
	if (n == 0 || n > SCRAM_MSG_MAX || memchr(m, 0, n) || !ss->scram_first_bare) {
		pga_fatal(c, "08P01", "malformed SCRAM message");
		return;
	}
	/* c=<base64 of the gs2 header>,r=<nonce>[,...],p=<proof>, p last */
	size_t ncb, nr, np;
	const char *cb = attr(m, n, 'c', &ncb), *r = attr(m, n, 'r', &nr);
	const char *proof = NULL;
	for (size_t i = n; i-- > 2;)
		if (m[i - 2] == ',' && m[i - 1] == 'p' && m[i] == '=') {
			proof = m + i + 1;
			break;
		}
	if (!cb || cb != m + 2 || !r || !proof) {
		pga_fatal(c, "08P01", "malformed SCRAM message (attribute missing)");
		return;
	}
	np = (size_t)(m + n - proof);
	uint8_t gs2[16];
	long ng = auth_unb64(cb, ncb, gs2, sizeof gs2);
	if (ng != 3 || memcmp(gs2, ss->scram_first_bare, 3) != 0) {
		pga_fatal(c, "08P01", "SCRAM channel binding check failed");
		return;
	}
	if (nr != strlen(ss->scram_nonce) || memcmp(r, ss->scram_nonce, nr) != 0) {
		pga_fatal(c, "08P01", "SCRAM nonce mismatch");
		return;
	}
	uint8_t cproof[64];
	long npr = auth_unb64(proof, np, cproof, sizeof cproof);
	size_t without = (size_t)(proof - 3 - m);   /* up to ",p=" */
	/* AuthMessage = client-first-bare "," server-first "," client-final-without-proof */
	Buf am = {0};
	const char *bare = ss->scram_first_bare + 3;
	buf_put(&am, bare, strlen(bare));
	buf_put_u8(&am, ',');
	buf_put(&am, ss->scram_server_first, strlen(ss->scram_server_first));
	buf_put_u8(&am, ',');
	buf_put(&am, m, without);
	if (am.failed) {
		buf_free(&am);
		pga_fatal(c, "53200", "out of memory");
		return;
	}
	const AuthToken *t = &ss->tok;
	uint8_t sig[32], key[32], stored[32];
	auth_hmac_sha256(t->stored_key, 32, am.data, am.len, sig);
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(cproof[i] ^ sig[i]);
	auth_sha256(key, 32, stored);
	bool ok = npr == 32 && !ss->scram_fake && CRYPTO_memcmp(stored, t->stored_key, 32) == 0;
	if (!ok) {
		buf_free(&am);
		auth_failed(c);
		return;
	}
	uint8_t ssig[32];
	auth_hmac_sha256(t->server_key, 32, am.data, am.len, ssig);
	buf_free(&am);
	char final[64] = "v=";
	auth_b64(ssig, 32, final + 2);
	pgp_auth(&ss->out, 12, final, strlen(final));
	authenticated(c);
}

static void password(PgConn *c, const uint8_t *body, size_t n)
{
	PgSess *ss = &c->sess;
	const char *pw;
	size_t len;
	StErr err = {0};
	if (pgp_cstring(body, n, &pw, &len, &err) != STELE_OK) {
		pga_fatal(c, "08P01", "%s", err.msg);
		return;
	}
	AuthToken t;
	if (len == 0 || len > AUTH_SECRET_MAX || ss->bad_user ||
	    auth_by_secret(c->s->auth, pw, len, &t) != STELE_OK ||
	    strcmp(t.name, ss->user) != 0) {
		auth_failed(c);
		return;
	}
	ss->tok = t;
	authenticated(c);
}

/* ---- the startup packet ---- */

/* Applies "-c name=value" (or "--name=value") words of the options
 * parameter, backslash escaping a space. */
static int apply_options(PgSettings *set, const char *opts, StErr *err)
{
	char word[PG_SETTING_MAX + 64];
	const char *p = opts;
	bool want_c = false;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		size_t k = 0;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '\\' && p[1])
				p++;
			if (k + 1 < sizeof word)
				word[k++] = *p;
			p++;
		}
		word[k] = '\0';
		const char *nv = NULL;
		if (want_c)
			nv = word;
		else if (!strcmp(word, "-c"))
			want_c = true;
		else if (!strncmp(word, "-c", 2))
			nv = word + 2;
		else if (!strncmp(word, "--", 2))
			nv = word + 2;
		if (!nv)
			continue;
		want_c = false;
		char *eq = strchr(nv, '=');
		if (!eq)
			return failf(err, STELE_EINVAL, "invalid command-line argument for server process: %s",
			             word);
		*eq = '\0';
		char name[64];
		snprintf(name, sizeof name, "%s", nv);
		for (char *x = name; *x; x++)
			if (*x == '-')
				*x = '_';
		int rc = pgset_set(set, name, eq + 1, err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}

static void startup(PgConn *c, const uint8_t *body, size_t n)
{
	PgSess *ss = &c->sess;
	Server *s = c->s;
	PgStartup su;
	StErr err = {0};
	if (pgp_startup(body, n, &su, &err) != STELE_OK) {
		pga_fatal(c, strncmp(err.msg, "unsupported", 11) ? "08P01" : "0A000", "%s", err.msg);
		return;
	}
	switch (su.code) {
	case PGP_CANCEL_REQUEST:
		/* Answered with nothing, as PostgreSQL does. */
		pgw_cancel(c->pg, su.pid, su.key);
		ss->closing = true;
		ss->state = PGS_CLOSING;
		return;
	case PGP_SSL_REQUEST:
		if (ss->ssl_answered) {
			pga_fatal(c, "08P01", "SSL negotiation was already done");
			return;
		}
		ss->ssl_answered = true;
		if (s->tls) {
			if (pgw_pending_input(c)) {
				pga_fatal(c, "08P01", "received unencrypted data after SSL request");
				return;
			}
			ss->tls = true;
			pgw_start_tls(c);
		} else {
			buf_put_u8(&ss->out, 'N');
		}
		return;
	case PGP_GSSENC_REQUEST:
		buf_put_u8(&ss->out, 'N');
		return;
	default:
		break;
	}
	if (ss->reject_full) {
		pga_fatal(c, "53300", "sorry, too many clients already");
		return;
	}
	if (!su.user || !*su.user) {
		pga_fatal(c, "28000", "no PostgreSQL user name specified in startup packet");
		return;
	}
	bool long_name = strlen(su.user) > AUTH_NAME_MAX;
	snprintf(ss->user, sizeof ss->user, "%s", su.user);
	snprintf(ss->dbreq, sizeof ss->dbreq, "%s",
	         su.database && *su.database ? su.database : su.user);
	pgset_init(&ss->set, ss->user, false, s->cfg.db.statement_timeout_ms);
	const char *unknown[PGP_STARTUP_PARAMS];
	uint32_t nunknown = 0;
	for (uint32_t i = 0; i < su.nparams; i++) {
		const char *k = su.params[i].key;
		if (!strncmp(k, "_pq_.", 5)) {
			unknown[nunknown++] = k;   /* protocol options: none known */
			continue;
		}
		if (!strcmp(k, "user") || !strcmp(k, "database") || !strcmp(k, "replication"))
			continue;
		int rc = !strcmp(k, "options") ? apply_options(&ss->set, su.params[i].value, &err)
		                               : pgset_set(&ss->set, k, su.params[i].value, &err);
		if (rc) {
			pga_fatal(c, "22023", "%s", err.msg);
			return;
		}
	}
	if (su.minor > 0 || nunknown)
		pgp_negotiate(&ss->out, 0, unknown, nunknown);
	if (auth_insecure(s->auth)) {
		memset(&ss->tok, 0, sizeof ss->tok);
		snprintf(ss->tok.name, sizeof ss->tok.name, "%s", ss->user);
		ss->tok.admin = true;
		authenticated(c);
		return;
	}
	/* No token has a longer name; the exchange still runs, and fails. */
	ss->bad_user = long_name;
	if (ss->tls) {
		pgp_auth(&ss->out, 3, NULL, 0);
		ss->state = PGS_PASSWORD;
		return;
	}
	static const char mech[] = "SCRAM-SHA-256\0";
	pgp_auth(&ss->out, 10, mech, sizeof mech);
	ss->state = PGS_SASL_INIT;
}

void pga_handle(PgConn *c)
{
	PgSess *ss = &c->sess;
	const uint8_t *m = ss->msg.data;
	size_t n = ss->msg.len;
	if (ss->state == PGS_STARTUP) {
		startup(c, m + 4, n - 4);
		return;
	}
	if (m[0] != 'p') {
		pga_fatal(c, "08P01", "expected password response, got message type %d", m[0]);
		return;
	}
	switch (ss->state) {
	case PGS_SASL_INIT:
		sasl_init(c, m + 5, n - 5);
		break;
	case PGS_SASL_CONT:
		sasl_final(c, m + 5, n - 5);
		break;
	case PGS_PASSWORD:
		password(c, m + 5, n - 5);
		break;
	default:
		pga_fatal(c, "08P01", "unexpected message during authentication");
	}
}
