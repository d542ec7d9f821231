/*
 * pool.h - a fixed pool of worker threads for running jobs in parallel
 * (parallel query execution).
 *
 * pool_run() runs n jobs fn(arg, i) for i in [0, n) on the pool's threads
 * and the calling thread, and returns when all are done. Jobs from several
 * callers share the threads; a caller never waits for another caller's
 * jobs, because it runs its own jobs itself whenever no worker has taken
 * them. So pool_run may be called from several threads at once, and a job
 * may not call pool_run.
 */
#ifndef STELE_UTIL_POOL_H
#define STELE_UTIL_POOL_H

#include <stdint.h>

#include "util/err.h"

typedef struct Pool Pool;

/* A pool of nthreads workers (0: none; every job then runs in the caller). */
int pool_new(uint32_t nthreads, Pool **out, StErr *err);
/* Stops the workers and frees the pool (no pool_run may be in progress). */
void pool_free(Pool *p);
uint32_t pool_threads(const Pool *p);

void pool_run(Pool *p, void (*fn)(void *arg, uint32_t i), void *arg, uint32_t n);

/* The number of CPUs online (at least 1). */
uint32_t pool_cpus(void);

#endif
