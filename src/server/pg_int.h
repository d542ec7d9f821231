/*
 * pg_int.h - what the files of the PostgreSQL listener share: the
 * connection (pgwire.c), the session it carries (pgauth.c, pgquery.c,
 * pgcopy.c), session settings (pgset.c), synthesized results (pgset.c,
 * pgcatalog.c). Not for other modules. The design: README-pg.md.
 *
 * Ownership and threads, in short:
 *   - PgConn is created and closed on the loop thread (pgwire.c); it is
 *     freed by whoever drops its last reference: the loop's (held while
 *     the connection is open) or a job's (held while a job is queued or
 *     running).
 *   - `mu` guards the fields marked (mu); the loop thread's callbacks and
 *     the worker take it, never both the other way round (bufferevent
 *     callbacks are deferred and unlocked, so libevent never holds the
 *     bufferevent's lock while it calls into pgwire.c).
 *   - PgSess belongs to the session's job: one job at a time runs for a
 *     connection, so its fields need no lock. Everything in it is freed
 *     with the connection (pgq_free).
 */
#ifndef STELE_SERVER_PG_INT_H
#define STELE_SERVER_PG_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "server/auth.h"
#include "server/dbreg.h"
#include "server/pgproto.h"
#include "server/server.h"
#include "stele.h"
#include "util/arena.h"
#include "util/buf.h"

struct bufferevent;
struct event;

#define PG_OUT_FLUSH (64 * 1024)     /* pending output goes to the socket past this */
#define PG_OUT_HIGH (1024 * 1024)    /* a worker waits while the socket holds more ... */
#define PG_OUT_LOW (256 * 1024)      /* ... until it has drained to this */
#define PG_MAX_STMTS 1024            /* named prepared statements per session */
#define PG_MAX_STMT_BYTES (64u << 20) /* their SQL text, in all */
#define PG_MAX_PORTALS 256           /* named portals per session */
#define PG_MAX_SETTINGS 64           /* settings a session may SET beyond the known ones */
#define PG_SETTING_MAX 256           /* bytes of a setting's value */
#define PG_AUTH_TIMEOUT_S 60         /* startup to authenticated (or idle-timeout if less) */
#define PG_COPY_CHUNK (16u << 20)    /* line protocol of a COPY written per batch */

/* ---- synthesized results (SET, SHOW, the catalog) ---- */

#define PGR_MAXCOLS 16

/* A small result built in memory: columns, then rows of text cells. */
typedef struct PgResult {
	uint32_t ncols;
	PgColDesc cols[PGR_MAXCOLS];
	char names[PGR_MAXCOLS][64];
	Buf cells;               /* per cell: int32 length (-1 NULL, native
	                            order), then the bytes; ncols per row */
	uint32_t nrows;
	char tag[64];            /* CommandComplete; "" for "SELECT n" */
	char errcode[6];         /* SQLSTATE of a failure; "": errmap's */
	char report[4][64];      /* settings whose change a ParameterStatus tells */
	uint32_t nreport;
} PgResult;

void pgr_init(PgResult *r);
void pgr_free(PgResult *r);
void pgr_col(PgResult *r, const char *name, uint32_t oid);
/* One cell of the row being added (rows are ncols cells in order);
 * v NULL: NULL. */
void pgr_cell(PgResult *r, const char *v, size_t n);
static inline void pgr_str(PgResult *r, const char *v) { pgr_cell(r, v, v ? strlen(v) : 0); }
void pgr_end_row(PgResult *r);

/* ---- session settings (pgset.c) ---- */

typedef struct PgSetting {
	char name[64];           /* as first given, for SHOW's column */
	char value[PG_SETTING_MAX];
} PgSetting;

typedef struct PgSettings {
	PgSetting *extra;        /* settings beyond the known ones */
	uint32_t nextra;
	PgSetting known[40];     /* values of the known settings (pgset.c) */
	uint32_t nknown;
	uint32_t timeout_ms;     /* the server's statement timeout, for SHOW */
} PgSettings;

/* ---- connections and sessions ---- */

typedef struct PgServer PgServer;
typedef struct PgConn PgConn;
typedef struct PgCopy PgCopy;

typedef enum PgState {
	PGS_STARTUP,             /* the first packet, or the one after SSLRequest */
	PGS_SASL_INIT,           /* AuthenticationSASL sent */
	PGS_SASL_CONT,           /* AuthenticationSASLContinue sent */
	PGS_PASSWORD,            /* AuthenticationCleartextPassword sent */
	PGS_READY,               /* authenticated: queries */
	PGS_COPY_IN,             /* CopyInResponse sent: CopyData until CopyDone */
	PGS_CLOSING,             /* nothing more is read */
} PgState;

/* What a statement is, decided from its text. */
enum { PGK_ENGINE = 0, PGK_LOCAL, PGK_COPY, PGK_EMPTY };

/* A prepared statement (Parse). All of it lives in `arena`. */
typedef struct PgStmt {
	struct PgStmt *next;
	Arena arena;
	char *name;
	char *sql;
	size_t sqllen;
	uint8_t kind;            /* PGK_* */
	uint32_t ntypes;
	uint32_t *types;         /* declared parameter OIDs, 0: unspecified */
	uint32_t nparams;        /* $N it names */
	uint32_t ncols;
	PgColDesc *cols;         /* formats 0; names in arena */
} PgStmt;

/* A portal (Bind): the statement's text with values, ready to run.
 * Owns its engine statement or its result; its strings live in arena. */
typedef struct PgPortal {
	struct PgPortal *next;
	Arena arena;
	char *name;
	uint8_t kind;
	char *sql;               /* PGK_COPY: the statement */
	size_t sqllen;
	stele_stmt *st;          /* PGK_ENGINE */
	PgResult *local;         /* PGK_LOCAL */
	uint32_t ncols;
	PgColDesc *cols;         /* with the result formats of the Bind */
	const stele_batch *b;    /* the batch being sent, valid until st's next */
	uint32_t row;            /* next row of b, or of local */
	size_t cell_off;         /* PGK_LOCAL: offset of that row's cells */
	bool started, done;
	int64_t t0;              /* monotonic ns when it started (metrics) */
} PgPortal;

typedef struct PgSess {
	PgState state;
	Buf msg;                 /* the message being handled (--max-line) */
	Buf out;                 /* output not yet given to the socket */
	bool closing;            /* send what is in out, then close */
	/* startup and authentication */
	bool ssl_answered;
	bool tls;                /* the connection is inside TLS */
	bool reject_full;        /* over --max-connections: refuse at startup */
	char user[AUTH_NAME_MAX + 1];
	char db[DBREG_NAME_MAX + 1];
	char dbreq[256];         /* the database as asked for, for messages */
	char appname[64];
	AuthToken tok;
	bool can_write;
	stele_db *sdb;           /* dbreg's handle: valid until dbreg_free */
	char *scram_first_bare;  /* client-first-message-bare (malloc) */
	char scram_server_first[256];
	char scram_nonce[128];   /* client nonce + server nonce */
	bool scram_fake;         /* no such user: fail at the end */
	bool bad_user;           /* a user name no token can have */
	PgSettings set;
	/* queries */
	char tx;                 /* ReadyForQuery status: 'I', 'T', 'E' */
	bool skip_to_sync;       /* an extended-query error: ignore until Sync */
	PgStmt *stmts;
	uint32_t nstmts;
	size_t stmt_bytes;
	PgPortal *portals;
	uint32_t nportals;
	char *rest;              /* simple query: what follows a COPY (malloc) */
	size_t nrest;
	size_t rest_chars;       /* characters of the query before it */
	bool copy_simple;        /* the COPY came in a simple Query */
	PgCopy *copy;
} PgSess;

struct PgConn {
	PgServer *pg;
	Server *s;
	PgConn *prev, *next;     /* pg->conns (pg->mu) */
	pthread_mutex_t mu;
	pthread_cond_t cv;       /* output drained, or the connection closed */
	struct bufferevent *bev; /* (mu) NULL once closed */
	struct event *wake;      /* (loop) a worker's request: close, TLS */
	struct event *auth_timer;/* (loop) the deadline for authentication */
	int refs;                /* (mu) */
	bool running;            /* (mu) a job is queued or running */
	bool kick;               /* (mu) input came while it ran */
	bool closed;             /* (mu) the loop closed the connection */
	bool want_close;         /* (mu) close once the output is written */
	bool want_tls;           /* (mu) answer 'S' and start TLS */
	bool stop;               /* (mu) the server is stopping */
	bool authed;             /* (mu) past authentication */
	bool lingering;          /* (loop) output done, write side shut, input
	                            read and dropped until the client closes */
	stele_stmt *active;      /* (mu) the statement running, for cancel */
	int32_t pid, key;        /* BackendKeyData */
	PgSess sess;             /* the job's */
};

/* ---- pgwire.c: I/O for the session's job ---- */

/* Takes the next whole message off the input into c->sess.msg: 1 when
 * there is one, 0 when more bytes must come, -1 when the input is bad
 * (*err says why; the session answers and closes). */
int pgw_take(PgConn *c, bool startup, StErr *err);
/* Bytes waiting in the input (SSLRequest must be followed by nothing). */
size_t pgw_pending_input(PgConn *c);
/* Gives c->sess.out to the socket; waits while the socket holds more
 * than PG_OUT_HIGH. False when the connection is gone. */
bool pgw_flush(PgConn *c);
/* Asks the loop to answer 'S' and start TLS on the connection. */
void pgw_start_tls(PgConn *c);
/* Authentication is done: the auth deadline no longer applies. */
void pgw_authed(PgConn *c);
/* The statement the session runs now (NULL: none), for CancelRequest. */
void pgw_set_active(PgConn *c, stele_stmt *st);
/* Cancels the statement running in the session with this key. */
void pgw_cancel(PgServer *pg, int32_t pid, int32_t key);
/* The random key of fake SCRAM salts (so they do not change per try). */
const uint8_t *pgw_mock_key(PgServer *pg);

/* ---- pgauth.c: startup and authentication ---- */

/* Handles one message of the states before PGS_READY. */
void pga_handle(PgConn *c);
/* An ErrorResponse (severity FATAL closes the session after it). */
void pga_fatal(PgConn *c, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- pgquery.c: the query protocols ---- */

void pgq_handle(PgConn *c);
void pgq_free(PgSess *ss);
/* DEALLOCATE name (NULL: ALL); false when there is no such statement. */
bool pgq_deallocate(PgConn *c, const char *name);
/* An ErrorResponse for e (SQLSTATE from errmap unless code is given);
 * `offset`: characters before the statement in the query text. */
void pgq_error(PgConn *c, const char *code, const StErr *e, size_t offset);
/* Runs one statement of the text in the simple protocol (used for what
 * follows a COPY). */
void pgq_simple_rest(PgConn *c);

/* ---- pgcopy.c: COPY FROM STDIN ---- */

/* Whether sql is a COPY statement. */
bool pgcopy_is(const char *sql, size_t n);
/* Starts COPY sql: checks it, answers CopyInResponse and enters
 * PGS_COPY_IN; an error is answered (and false returned). */
bool pgcopy_start(PgConn *c, const char *sql, size_t n);
/* CopyData, CopyDone, CopyFail (and anything else) in PGS_COPY_IN. */
void pgcopy_handle(PgConn *c, char type, const uint8_t *body, size_t n);
void pgcopy_free(PgCopy *cp);

/* ---- pgset.c: settings, SET / SHOW / RESET, session functions ---- */

void pgset_init(PgSettings *st, const char *user, bool superuser, uint32_t timeout_ms);
void pgset_free(PgSettings *st);
/* Sets name to value (validated; STELE_EINVAL with PostgreSQL's message). */
int pgset_set(PgSettings *st, const char *name, const char *value, StErr *err);
/* Sets name without checks (is_superuser, session_authorization). */
void pgset_put(PgSettings *st, const char *name, const char *value);
/* The value of name (case-insensitive), NULL when unknown. */
const char *pgset_get(const PgSettings *st, const char *name);
/* The settings ParameterStatus reports at startup, in order. */
extern const char *const pgset_reported[];
bool pgset_is_reported(const char *name);

/* Statements the session answers itself: SET, RESET, SHOW (but SHOW
 * TABLES), DISCARD, DEALLOCATE and the transaction-only SET forms. 1 with
 * *res filled, -1 with *err (and res->errcode), 0 when sql is none of
 * them.
 * `dry`: describe only (SHOW runs; the others change nothing yet). */
int pgset_statement(PgConn *c, const char *sql, size_t n, bool dry, PgResult *res, StErr *err);
/* Replaces calls the engine lacks (version(), current_setting('x'),
 * current_database(), current_user, pg_backend_pid(), ...) by literals of
 * their values, in out; false when none was found (out untouched). */
bool pgset_rewrite(PgConn *c, const char *sql, size_t n, Buf *out, StErr *err, int *rc);

/* ---- pgcatalog.c: the catalog queries of psql, Grafana, psycopg ---- */

/* A table as information_schema.columns describes it. */
typedef struct PgColumn {
	char name[128];
	char data_type[32];      /* as information_schema.columns says it */
	stele_type type;
	char kind;               /* 'T' time, 't' tag, 'f' field */
} PgColumn;

typedef struct PgTable {
	char name[128];
	uint32_t oid;            /* made up from the name, stable */
	uint32_t ncols;
	PgColumn *cols;          /* malloc'd */
} PgTable;

/* Every table of the session's database, sorted by name, into *out
 * (free with pgcat_free_tables). */
int pgcat_tables(PgConn *c, PgTable **out, uint32_t *n, StErr *err);
void pgcat_free_tables(PgTable *t, uint32_t n);
/* The PostgreSQL type OID of a column of type t. */
uint32_t pgcat_type_oid(stele_type t);

/* 1 with *res when sql is a catalog query it knows, -1 when it is one
 * that failed (*err), 0 when it is none. params:
 * the values of $1... as text (NULL entries: NULL; nparams 0 when
 * describing). */
int pgcat_query(PgConn *c, const char *sql, size_t n, const char *const *params,
                uint32_t nparams, PgResult *res, StErr *err);

#endif
