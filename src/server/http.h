/*
 * http.h - the HTTP listener of `stele serve`: InfluxDB writes, SQL,
 * health and metrics (README.md, "HTTP").
 */
#ifndef STELE_SERVER_HTTP_H
#define STELE_SERVER_HTTP_H

#include "server/server.h"

/* Serves HTTP on the fds (from srv_listen) on s->base; takes ownership of
 * them. Loop thread, before the loop runs. */
int http_start(Server *s, const int *fds, int nfds, StErr *err);

/* Stops accepting; requests in flight go on. Loop thread. */
void http_stop(Server *s);

/* Requests not yet answered. Loop thread. */
uint32_t http_active(Server *s);

/* Frees the listener once the loop has ended. */
void http_free(Server *s);

#endif
