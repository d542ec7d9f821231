/*
 * work.h - the server's worker threads: a queue of jobs run in arrival
 * order by a fixed set of threads. Jobs may block (fsync, long queries);
 * that is what the workers are for, so that the event loop never does.
 */
#ifndef STELE_SERVER_WORK_H
#define STELE_SERVER_WORK_H

#include <stdint.h>

#include "util/err.h"

typedef struct WorkQ WorkQ;

int workq_new(uint32_t nthreads, WorkQ **out, StErr *err);

/* Queues fn(arg). Never fails for lack of threads; STELE_ENOMEM only. */
int workq_push(WorkQ *q, void (*fn)(void *arg), void *arg);

/* Jobs queued or running. */
uint32_t workq_busy(WorkQ *q);

/* Runs every queued job to its end, stops the threads, frees q. */
void workq_free(WorkQ *q);

#endif
