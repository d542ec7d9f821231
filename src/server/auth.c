/*
 * auth.c - the token store (auth.h). The file is small (one line per
 * token) and read whole; a lookup rereads it when its mtime or size
 * changed, under the store's mutex, so lookups from many threads see one
 * consistent list.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "server/auth.h"
#include "util/io.h"
#include "util/log.h"

#define TOKENS_FILE ".tokens"
#define TOKENS_MAX (4u << 20)
#define SCRAM_ITERATIONS 4096

typedef struct Entry {
	AuthToken t;
	uint8_t hash[32];
} Entry;

struct Auth {
	char root[PATH_MAX];
	bool insecure;
	pthread_mutex_t mu;
	Entry *a;
	uint32_t n;
	struct timespec mtime;
	off_t size;
	bool loaded;
};

void auth_sha256(const uint8_t *msg, size_t n, uint8_t out[32])
{
	SHA256(msg, n, out);
}

void auth_hmac_sha256(const uint8_t *key, size_t nkey, const uint8_t *msg, size_t nmsg,
                      uint8_t out[32])
{
	unsigned int len = 32;
	HMAC(EVP_sha256(), key, (int)nkey, msg, nmsg, out, &len);
}

size_t auth_b64(const uint8_t *in, size_t n, char *out)
{
	return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

long auth_unb64(const char *in, size_t n, uint8_t *out, size_t cap)
{
	if (n % 4 != 0 || n / 4 * 3 > cap + 2 || n > (1u << 20))
		return -1;
	uint8_t *tmp = malloc(n / 4 * 3 + 1);
	if (!tmp)
		return -1;
	int len = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)n);
	if (len < 0) {
		free(tmp);
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	if (n >= 1 && in[n - 1] == '=')
		len--;
	if (n >= 2 && in[n - 2] == '=')
		len--;
	if ((size_t)len > cap) {
		free(tmp);
		return -1;
	}
	memcpy(out, tmp, (size_t)len);
	free(tmp);
	return len;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool unhex(const char *s, size_t n, uint8_t *out, size_t nout)
{
	if (n != 2 * nout)
		return false;
	for (size_t i = 0; i < nout; i++) {
		int a = hexval(s[2 * i]), b = hexval(s[2 * i + 1]);
		if (a < 0 || b < 0)
			return false;
		out[i] = (uint8_t)(a << 4 | b);
	}
	return true;
}

/* Parses "ITER:SALT:STORED:SERVER". */
static bool parse_scram(const char *v, AuthToken *t)
{
	char *end;
	unsigned long it = strtoul(v, &end, 10);
	if (*end != ':' || it < 1 || it > 10000000)
		return false;
	t->iterations = (uint32_t)it;
	const char *parts[3];
	size_t lens[3];
	const char *p = end + 1;
	for (int i = 0; i < 3; i++) {
		const char *c = i < 2 ? strchr(p, ':') : p + strlen(p);
		if (!c)
			return false;
		parts[i] = p;
		lens[i] = (size_t)(c - p);
		p = c + 1;
	}
	return auth_unb64(parts[0], lens[0], t->salt, 16) == 16 &&
	       auth_unb64(parts[1], lens[1], t->stored_key, 32) == 32 &&
	       auth_unb64(parts[2], lens[2], t->server_key, 32) == 32;
}

/* One line of the file into e; false when it is not a valid line. */
static bool parse_line(char *line, Entry *e)
{
	memset(e, 0, sizeof *e);
	bool has_hash = false, has_scram = false;
	char *save = NULL;
	for (char *f = strtok_r(line, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(f, '=');
		if (!eq)
			return false;
		*eq = '\0';
		const char *k = f, *v = eq + 1;
		if (strcmp(k, "name") == 0 && strlen(v) <= AUTH_NAME_MAX)
			snprintf(e->t.name, sizeof e->t.name, "%s", v);
		else if (strcmp(k, "sha256") == 0)
			has_hash = unhex(v, strlen(v), e->hash, 32);
		else if (strcmp(k, "scram") == 0)
			has_scram = parse_scram(v, &e->t);
		else if (strcmp(k, "read") == 0)
			snprintf(e->t.read, sizeof e->t.read, "%s", strcmp(v, "-") ? v : "");
		else if (strcmp(k, "write") == 0)
			snprintf(e->t.write, sizeof e->t.write, "%s", strcmp(v, "-") ? v : "");
		else if (strcmp(k, "admin") == 0)
			e->t.admin = strcmp(v, "1") == 0;
	}
	return e->t.name[0] && has_hash && has_scram;
}

/* Rereads the file when it changed. Caller holds mu. */
static int reload(Auth *a, StErr *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", a->root, TOKENS_FILE);
	struct stat sb;
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT)
			return failf(err, err_from_errno(errno), "could not read \"%s\": %s", path,
			             strerror(errno));
		free(a->a);
		a->a = NULL;
		a->n = 0;
		a->loaded = true;
		return STELE_OK;
	}
	if (a->loaded && sb.st_mtim.tv_sec == a->mtime.tv_sec &&
	    sb.st_mtim.tv_nsec == a->mtime.tv_nsec && sb.st_size == a->size)
		return STELE_OK;
	uint8_t *data;
	size_t len;
	int rc = io_read_file(path, &data, &len, TOKENS_MAX, err);
	if (rc)
		return rc;
	uint32_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	Entry *es = calloc(lines, sizeof *es);
	char *text = malloc(len + 1);
	if (!es || !text) {
		free(es);
		free(text);
		free(data);
		return failf(err, STELE_ENOMEM, "out of memory");
	}
	memcpy(text, data, len);
	text[len] = '\0';
	free(data);
	uint32_t n = 0, lineno = 0;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (l[0] == '#' || l[0] == '\0')
			continue;
		if (parse_line(l, &es[n]))
			n++;
		else
			log_warn("%s line %u: not a valid token entry, ignored", path, lineno);
	}
	free(text);
	free(a->a);
	a->a = es;
	a->n = n;
	a->mtime = sb.st_mtim;
	a->size = sb.st_size;
	a->loaded = true;
	return STELE_OK;
}

int auth_new(const char *root, bool insecure, Auth **out, StErr *err)
{
	Auth *a = calloc(1, sizeof *a);
	if (!a)
		return failf(err, STELE_ENOMEM, "out of memory");
	snprintf(a->root, sizeof a->root, "%s", root);
	a->insecure = insecure;
	pthread_mutex_init(&a->mu, NULL);
	int rc = reload(a, err);
	if (rc) {
		auth_free(a);
		return rc;
	}
	*out = a;
	return STELE_OK;
}

void auth_free(Auth *a)
{
	if (!a)
		return;
	free(a->a);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

bool auth_insecure(const Auth *a)
{
	return a->insecure;
}

uint32_t auth_count(Auth *a)
{
	pthread_mutex_lock(&a->mu);
	StErr e = {0};
	if (reload(a, &e))
		log_warn("tokens: %s", e.msg);
	uint32_t n = a->n;
	pthread_mutex_unlock(&a->mu);
	return n;
}

int auth_by_secret(Auth *a, const char *secret, size_t n, AuthToken *out)
{
	uint8_t h[32];
	auth_sha256((const uint8_t *)secret, n, h);
	int rc = STELE_ENOENT;
	pthread_mutex_lock(&a->mu);
	StErr e = {0};
	if (reload(a, &e))
		log_warn("tokens: %s", e.msg);
	for (uint32_t i = 0; i < a->n; i++)
		if (CRYPTO_memcmp(a->a[i].hash, h, 32) == 0) {
			*out = a->a[i].t;
			rc = STELE_OK;
		}
	pthread_mutex_unlock(&a->mu);
	return rc;
}

int auth_by_name(Auth *a, const char *name, AuthToken *out)
{
	int rc = STELE_ENOENT;
	pthread_mutex_lock(&a->mu);
	StErr e = {0};
	if (reload(a, &e))
		log_warn("tokens: %s", e.msg);
	for (uint32_t i = 0; i < a->n && rc; i++)
		if (strcmp(a->a[i].t.name, name) == 0) {
			*out = a->a[i].t;
			rc = STELE_OK;
		}
	pthread_mutex_unlock(&a->mu);
	return rc;
}

static bool in_list(const char *list, const char *db)
{
	size_t n = strlen(db);
	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if ((len == 1 && p[0] == '*') || (len == n && memcmp(p, db, n) == 0))
			return true;
		p += len + (c != NULL);
	}
	return false;
}

bool auth_allows(const AuthToken *t, const char *db, int need)
{
	if (t->admin)
		return true;
	if ((need & AUTH_READ) && !in_list(t->read, db))
		return false;
	if ((need & AUTH_WRITE) && !in_list(t->write, db))
		return false;
	return true;
}

/* "a,b" from a list of names; each a database name or "*". */
static int join_list(const char *const *v, uint32_t n, char *out, size_t cap, StErr *err)
{
	size_t len = 0;
	out[0] = '\0';
	for (uint32_t i = 0; i < n; i++) {
		const char *d = v[i];
		if (strcmp(d, "*") != 0) {
			for (const char *c = d; *c; c++)
				if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
				      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
					return failf(err, STELE_EINVAL, "invalid database name \"%s\"", d);
			if (!*d)
				return failf(err, STELE_EINVAL, "database name is empty");
		}
		size_t dl = strlen(d);
		if (len + dl + 2 > cap)
			return failf(err, STELE_ELIMIT, "too many databases for one token");
		if (len)
			out[len++] = ',';
		memcpy(out + len, d, dl + 1);
		len += dl;
	}
	return STELE_OK;
}

int auth_create(const char *root, const char *name, const char *const *read, uint32_t nread,
                const char *const *write, uint32_t nwrite, bool admin, char *secret,
                StErr *err)
{
	size_t nl = strlen(name);
	if (nl == 0 || nl > AUTH_NAME_MAX)
		return failf(err, STELE_EINVAL, "token name must be 1 to %d bytes", AUTH_NAME_MAX);
	for (size_t i = 0; i < nl; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.' || c == '@'))
			return failf(err, STELE_EINVAL,
			             "invalid token name \"%s\": letters, digits, '_', '-', '.' and '@' only",
			             name);
	}
	char rl[512], wl[512];
	int rc = join_list(read, nread, rl, sizeof rl, err);
	if (rc == STELE_OK)
		rc = join_list(write, nwrite, wl, sizeof wl, err);
	if (rc)
		return rc;
	Auth *a;
	rc = auth_new(root, false, &a, err);
	if (rc)
		return rc;
	AuthToken t;
	bool taken = auth_by_name(a, name, &t) == STELE_OK;
	auth_free(a);
	if (taken)
		return failf(err, STELE_EEXIST, "a token named \"%s\" exists already", name);

	uint8_t raw[32], salt[16];
	if (RAND_bytes(raw, sizeof raw) != 1 || RAND_bytes(salt, sizeof salt) != 1)
		return failf(err, STELE_EIO, "could not get random bytes");
	char b64[64];
	auth_b64(raw, sizeof raw, b64);
	/* base64url without padding */
	size_t bl = strlen(b64);
	while (bl && b64[bl - 1] == '=')
		b64[--bl] = '\0';
	for (size_t i = 0; i < bl; i++)
		b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	snprintf(secret, AUTH_SECRET_MAX, "stl_%s", b64);
	OPENSSL_cleanse(raw, sizeof raw);

	uint8_t h[32], salted[32], ck[32], sk[32], stored[32];
	auth_sha256((const uint8_t *)secret, strlen(secret), h);
	PKCS5_PBKDF2_HMAC(secret, (int)strlen(secret), salt, sizeof salt, SCRAM_ITERATIONS,
	                  EVP_sha256(), 32, salted);
	auth_hmac_sha256(salted, 32, (const uint8_t *)"Client Key", 10, ck);
	auth_hmac_sha256(salted, 32, (const uint8_t *)"Server Key", 10, sk);
	auth_sha256(ck, 32, stored);
	char hex[65], s64[32], st64[48], sk64[48];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	auth_b64(salt, 16, s64);
	auth_b64(stored, 32, st64);
	auth_b64(sk, 32, sk64);
	char line[2048];
	snprintf(line, sizeof line, "name=%s sha256=%s scram=%d:%s:%s:%s read=%s write=%s admin=%d\n",
	         name, hex, SCRAM_ITERATIONS, s64, st64, sk64, rl[0] ? rl : "-", wl[0] ? wl : "-",
	         admin ? 1 : 0);

	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", root, TOKENS_FILE);
	uint8_t *old = NULL;
	size_t oldlen = 0;
	if (io_exists(path)) {
		rc = io_read_file(path, &old, &oldlen, TOKENS_MAX, err);
		if (rc)
			return rc;
	}
	size_t ll = strlen(line);
	uint8_t *all = malloc(oldlen + ll + 1);
	if (!all) {
		free(old);
		return failf(err, STELE_ENOMEM, "out of memory");
	}
	size_t n = 0;
	if (oldlen) {
		memcpy(all, old, oldlen);
		n = oldlen;
		if (all[n - 1] != '\n')
			all[n++] = '\n';
	}
	memcpy(all + n, line, ll);
	n += ll;
	free(old);
	rc = io_write_file_atomic(root, TOKENS_FILE, all, n, NULL, err);
	free(all);
	if (rc == STELE_OK && chmod(path, 0600) != 0)
		rc = failf(err, err_from_errno(errno), "could not chmod \"%s\": %s", path, strerror(errno));
	return rc;
}
