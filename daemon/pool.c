// SPDX-License-Identifier: GPL-2.0
/*
 * pool.c - worker threads for methods that may block (a statfs on a dead
 * NFS mount, procrank's walk of every process, and later profiler runs that
 * last seconds). A bounded FIFO of jobs; a full queue is an immediate "busy"
 * error, never a wait. A worker runs the job and calls job->done() on its
 * own thread; the owner (tcp.c, http.c) takes it from there.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t *threads;
	int nr;
	struct job *head, *tail;
	int queued, max_queue;
	bool stop;
} pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void job_run(struct job *job)
{
	if (job->json)
		job->rc = method__run_json(job->m, &job->call, job->max, &job->buf, &job->len);
	else
		job->rc = method__run_text(job->m, &job->call, job->max, &job->buf, &job->len);
}

static void *pool_main(void *arg)
{
	pthread_mutex_lock(&pool.lock);
	for (;;) {
		struct job *job;

		while (!pool.stop && !pool.head)
			pthread_cond_wait(&pool.cond, &pool.lock);
		if (pool.stop)
			break;
		job = pool.head;
		pool.head = job->next;
		if (!pool.head)
			pool.tail = NULL;
		pool.queued--;
		pthread_mutex_unlock(&pool.lock);
		job->next = NULL;
		job_run(job);
		job->done(job);
		pthread_mutex_lock(&pool.lock);
	}
	pthread_mutex_unlock(&pool.lock);
	return NULL;
}

int pool__start(int nr, int max_queue, struct err *err)
{
	pool.threads = calloc((size_t)nr, sizeof(*pool.threads));
	if (!pool.threads)
		return err_set(err, EXIT_FAIL, "out of memory");
	pool.max_queue = max_queue;
	pool.stop = false;
	for (int i = 0; i < nr; i++) {
		int e = pthread_create(&pool.threads[i], NULL, pool_main, NULL);

		if (e) {
			pool__stop();
			return err_set(err, EXIT_FAIL, "cannot start worker threads: %s", strerror(e));
		}
		pool.nr++;
	}
	return 0;
}

int pool__submit(struct job *job)
{
	pthread_mutex_lock(&pool.lock);
	if (pool.stop || pool.queued >= pool.max_queue) {
		pthread_mutex_unlock(&pool.lock);
		errno = EBUSY;
		return -1;
	}
	job->next = NULL;
	if (pool.tail)
		pool.tail->next = job;
	else
		pool.head = job;
	pool.tail = job;
	pool.queued++;
	pthread_cond_signal(&pool.cond);
	pthread_mutex_unlock(&pool.lock);
	return 0;
}

/*
 * Jobs still queued are dropped without done(): their owners are being
 * torn down too. A job a worker is running finishes first; a worker stuck
 * in the kernel (a dead NFS mount) must not hold the exit forever: after
 * two seconds it is left behind and pool__stop() says so (false), so the
 * caller does not free what that worker still uses.
 */
bool pool__stop(void)
{
	struct timespec t;
	bool all = true;

	pthread_mutex_lock(&pool.lock);
	pool.stop = true;
	pool.head = pool.tail = NULL;
	pool.queued = 0;
	pthread_cond_broadcast(&pool.cond);
	pthread_mutex_unlock(&pool.lock);
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 2;
	for (int i = 0; i < pool.nr; i++)
		if (pthread_timedjoin_np(pool.threads[i], NULL, &t))
			all = false;
	if (all)
		free(pool.threads);
	pool.threads = NULL;
	pool.nr = 0;
	return all;
}
