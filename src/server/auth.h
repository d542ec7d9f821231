/*
 * auth.h - access tokens: who may read and write which database.
 *
 * `stele token create` adds a token to ROOT/.tokens and prints its secret
 * once; the file keeps only hashes. One line per token:
 *
 *   FIELD     MEANING
 *   name      the token's name; also the PostgreSQL user name
 *   sha256    hex SHA-256 of the secret (HTTP presents the secret)
 *   scram     SCRAM-SHA-256 verifier "ITER:SALT:STOREDKEY:SERVERKEY"
 *             (base64), as PostgreSQL stores one, for the PG password
 *   read      comma-separated databases, "*" for all, "-" for none
 *   write     the same, for writes (write does not imply read)
 *   admin     1: every database, read and write
 *
 * fields separated by one space as name=value, the name first. The server
 * rereads the file when its modification time changes, so tokens created
 * while it runs work at once.
 *
 * Secrets are "stl_" and 43 base64url characters (32 random bytes); an
 * unsalted hash suffices for secrets of that entropy.
 */
#ifndef STELE_SERVER_AUTH_H
#define STELE_SERVER_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct Auth Auth;

enum { AUTH_READ = 1, AUTH_WRITE = 2 };

#define AUTH_NAME_MAX 64
#define AUTH_SECRET_MAX 128

/* A token as the server knows it: a copy, owned by the caller. */
typedef struct AuthToken {
	char name[AUTH_NAME_MAX + 1];
	bool admin;
	char read[512], write[512];   /* the lists as in the file */
	uint32_t iterations;          /* SCRAM verifier */
	uint8_t salt[16];
	uint8_t stored_key[32], server_key[32];
} AuthToken;

/* The token store of data root `root`. `insecure`: no tokens needed;
 * every request acts as admin. */
int auth_new(const char *root, bool insecure, Auth **out, StErr *err);
void auth_free(Auth *a);

bool auth_insecure(const Auth *a);

/* How many tokens the file holds now. */
uint32_t auth_count(Auth *a);

/* The token whose secret is secret[0..n), into *out. STELE_ENOENT when
 * none matches (say 401). */
int auth_by_secret(Auth *a, const char *secret, size_t n, AuthToken *out);

/* The token named `name` (the PostgreSQL user), into *out. STELE_ENOENT
 * when none. */
int auth_by_name(Auth *a, const char *name, AuthToken *out);

/* Whether t may do `need` (AUTH_READ, AUTH_WRITE) on database db. */
bool auth_allows(const AuthToken *t, const char *db, int need);

/* Creates a token: writes its line to ROOT/.tokens (atomically) and its
 * secret into secret[AUTH_SECRET_MAX]. read/write are lists of database
 * names or "*". STELE_EEXIST when the name is taken. */
int auth_create(const char *root, const char *name, const char *const *read, uint32_t nread,
                const char *const *write, uint32_t nwrite, bool admin, char *secret,
                StErr *err);

/* SCRAM-SHA-256 helpers (RFC 5802, RFC 7677) for the PostgreSQL side. */
void auth_hmac_sha256(const uint8_t *key, size_t nkey, const uint8_t *msg, size_t nmsg,
                      uint8_t out[32]);
void auth_sha256(const uint8_t *msg, size_t n, uint8_t out[32]);
/* Base64 (standard alphabet, padded); out must hold 4*((n+2)/3)+1. */
size_t auth_b64(const uint8_t *in, size_t n, char *out);
/* Decodes base64; -1 when not valid or longer than cap. */
long auth_unb64(const char *in, size_t n, uint8_t *out, size_t cap);

#endif
