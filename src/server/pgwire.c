/*
 * pgwire.c - the PostgreSQL listener's place: until the protocol lands,
 * --pg must be off (the server says so and does not start).
 */
#include <unistd.h>

#include "server/pgwire.h"

int pgw_start(Server *s, const int *fds, int nfds, StErr *err)
{
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return failf(err, STELE_EINVAL, "the PostgreSQL listener is not available in this build "
	             "(use --pg off)");
}

void pgw_stop(Server *s) {}
uint32_t pgw_active(Server *s) { return 0; }
void pgw_free(Server *s) {}
