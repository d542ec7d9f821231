/* pool.c - the worker pool (see pool.h).
 *
 * A pool_run call is a Batch of n jobs on a list; workers and the caller
 * take the next job index of the first batch with work left, under the
 * pool mutex. The caller then waits on its batch's condition until the
 * jobs others took are finished. */
#include "util/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct Job {
	void (*fn)(void *arg, uint32_t i);
	void *arg;
	uint32_t n, next, done;
	pthread_cond_t cv;     /* done reached n */
	struct Job *link;
} Job;

struct Pool {
	pthread_mutex_t mu;
	pthread_cond_t work;   /* a job was queued, or stopping */
	Job *jobs;             /* with work left */
	pthread_t *threads;
	uint32_t nthreads;
	bool stopping;
};

/* Takes the next index of the first job with work left; caller holds mu. */
static Job *take(Pool *p, uint32_t *i)
{
	while (p->jobs && p->jobs->next >= p->jobs->n)
		p->jobs = p->jobs->link;
	Job *j = p->jobs;
	if (j)
		*i = j->next++;
	return j;
}

static void finish(Pool *p, Job *j)
{
	if (++j->done == j->n)
		pthread_cond_signal(&j->cv);
}

static void *worker(void *arg)
{
	Pool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		uint32_t i;
		Job *j = take(p, &i);
		if (!j) {
			if (p->stopping)
				break;
			pthread_cond_wait(&p->work, &p->mu);
			continue;
		}
		pthread_mutex_unlock(&p->mu);
		j->fn(j->arg, i);
		pthread_mutex_lock(&p->mu);
		finish(p, j);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

uint32_t pool_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (uint32_t)n;
}

int pool_new(uint32_t nthreads, Pool **out, StErr *err)
{
	Pool *p = calloc(1, sizeof *p);
	if (!p)
		return failf(err, STELE_ENOMEM, "out of memory starting query threads");
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	p->threads = calloc(nthreads + 1, sizeof *p->threads);
	if (!p->threads) {
		pool_free(p);
		return failf(err, STELE_ENOMEM, "out of memory starting query threads");
	}
	for (uint32_t i = 0; i < nthreads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
			pool_free(p);
			return failf(err, STELE_ENOMEM, "could not start a query thread");
		}
		p->nthreads++;
	}
	*out = p;
	return STELE_OK;
}

void pool_free(Pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (uint32_t i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

uint32_t pool_threads(const Pool *p) { return p ? p->nthreads : 0; }

void pool_run(Pool *p, void (*fn)(void *arg, uint32_t i), void *arg, uint32_t n)
{
	if (n == 0)
		return;
	if (!p || p->nthreads == 0 || n == 1) {
		for (uint32_t i = 0; i < n; i++)
			fn(arg, i);
		return;
	}
	Job j = {.fn = fn, .arg = arg, .n = n};
	pthread_cond_init(&j.cv, NULL);
	pthread_mutex_lock(&p->mu);
	/* Append: earlier callers' jobs go first. */
	Job **tail = &p->jobs;
	while (*tail)
		tail = &(*tail)->link;
	*tail = &j;
	pthread_cond_broadcast(&p->work);
	/* Run our own jobs while any are left. */
	while (j.next < j.n) {
		uint32_t i = j.next++;
		pthread_mutex_unlock(&p->mu);
		fn(arg, i);
		pthread_mutex_lock(&p->mu);
		finish(p, &j);
	}
	while (j.done < j.n)
		pthread_cond_wait(&j.cv, &p->mu);
	/* Off the list (take() may have left it there with no work). */
	for (Job **q = &p->jobs; *q; q = &(*q)->link)
		if (*q == &j) {
			*q = j.link;
			break;
		}
	pthread_mutex_unlock(&p->mu);
	pthread_cond_destroy(&j.cv);
}
