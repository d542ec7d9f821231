/*
 * work.c - the worker threads (work.h): one mutex-protected FIFO of jobs,
 * one condition variable the idle workers wait on.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "server/work.h"

typedef struct Job {
	void (*fn)(void *arg);
	void *arg;
	struct Job *next;
} Job;

struct WorkQ {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	Job *head, *tail;
	uint32_t busy;         /* queued + running */
	bool stop;
	uint32_t nthreads;
	pthread_t *threads;
};

static void *worker(void *arg)
{
	WorkQ *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		Job *j = q->head;
		if (!j)
			break;   /* stopping and drained */
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
		pthread_mutex_unlock(&q->mu);
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&q->mu);
		q->busy--;
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int workq_new(uint32_t nthreads, WorkQ **out, StErr *err)
{
	WorkQ *q = calloc(1, sizeof *q);
	if (!q)
		return failf(err, STELE_ENOMEM, "out of memory");
	if (nthreads == 0)
		nthreads = 1;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->threads = calloc(nthreads, sizeof *q->threads);
	if (!q->threads) {
		free(q);
		return failf(err, STELE_ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < nthreads; i++) {
		if (pthread_create(&q->threads[i], NULL, worker, q) != 0) {
			q->nthreads = i;
			workq_free(q);
			return failf(err, STELE_ENOMEM, "could not start worker thread %u", i);
		}
		q->nthreads = i + 1;
	}
	*out = q;
	return STELE_OK;
}

int workq_push(WorkQ *q, void (*fn)(void *arg), void *arg)
{
	Job *j = malloc(sizeof *j);
	if (!j)
		return STELE_ENOMEM;
	*j = (Job){fn, arg, NULL};
	pthread_mutex_lock(&q->mu);
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	q->busy++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return STELE_OK;
}

uint32_t workq_busy(WorkQ *q)
{
	pthread_mutex_lock(&q->mu);
	uint32_t n = q->busy;
	pthread_mutex_unlock(&q->mu);
	return n;
}

void workq_free(WorkQ *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	for (uint32_t i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	free(q->threads);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
}
