/*
 * pgwire.h - the PostgreSQL wire protocol (v3) listener of `stele serve`.
 * The protocol, its sessions and what they share: README.md, "PostgreSQL".
 */
#ifndef STELE_SERVER_PGWIRE_H
#define STELE_SERVER_PGWIRE_H

#include "server/server.h"

/* Listens on the fds (from srv_listen) and serves sessions on s->base;
 * takes ownership of the fds. Called on the loop thread before the loop
 * runs. */
int pgw_start(Server *s, const int *fds, int nfds, StErr *err);

/* Stops accepting. Sessions finish the statement they are running, are told
 * the server is shutting down (57P01) and closed. Loop thread. */
void pgw_stop(Server *s);

/* Sessions still open. Loop thread. */
uint32_t pgw_active(Server *s);

/* Frees what is left once the loop has ended. */
void pgw_free(Server *s);

#endif
