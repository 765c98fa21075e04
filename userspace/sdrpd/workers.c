// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * A small thread pool for the turns (RSA signing and verifying costs
 * milliseconds).  The netlink loop submits accepted requests and collects
 * answers; only that loop talks to the kernel, so the netlink sockets are
 * never shared between threads.  A worker wakes the loop through an
 * eventfd.  Many handshakes are in flight at once: a turn never waits on a
 * peer (the kernel does the I/O), so a slow peer occupies no thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/sdrp_netlink.h>

#include "sdrpd.h"

struct job {
	struct job *next;
	struct sdrpd_request *req;
	struct sdrpd_config *cfg;
	struct sdrpd_answer *ans;
};

struct queue {
	struct job *head, **tail;
};

struct sdrpd_workers {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct queue todo;		/* submitted, not started */
	struct queue done;		/* answered, not collected */
	size_t busy;			/* submitted and not collected */
	bool stopping;
	uint32_t stop_status;
	struct sdrpd_engine *engine;
	int notify_fd;
	unsigned int n_threads;
	pthread_t *threads;
};

static void push(struct queue *q, struct job *j)
{
	j->next = NULL;
	*q->tail = j;
	q->tail = &j->next;
}

static struct job *pop(struct queue *q)
{
	struct job *j = q->head;

	if (j) {
		q->head = j->next;
		if (!q->head)
			q->tail = &q->head;
	}
	return j;
}

static void notify(struct sdrpd_workers *w)
{
	uint64_t one = 1;

	/* Only fails if the counter would overflow: the loop is awake. */
	if (write(w->notify_fd, &one, sizeof(one)) < 0)
		return;
}

/* Answer a job without running it (shutdown). */
static void refuse(struct sdrpd_workers *w, struct job *j, uint32_t status)
{
	memset(j->ans, 0, sizeof(*j->ans));
	j->ans->cmd = SDRP_CMD_DONE;
	j->ans->handle = j->req->handle;
	j->ans->status = status;
	j->ans->close_reason = SDRP_CLOSE_INTERNAL;
	j->ans->reason = "daemon exiting";
	/* A client between its turns is answered here, not drained twice. */
	sdrpd_hs_forget(w->engine, j->req->handle);
}

static void *worker(void *arg)
{
	struct sdrpd_workers *w = arg;
	struct job *j;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stopping && !w->todo.head)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stopping)
			break;
		j = pop(&w->todo);
		pthread_mutex_unlock(&w->lock);

		sdrpd_hs_turn(w->engine, j->cfg, j->req, sdrp_now_ms(), j->ans);

		pthread_mutex_lock(&w->lock);
		push(&w->done, j);
		notify(w);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int sdrpd_workers_start(struct sdrpd_workers **out, unsigned int n,
			struct sdrpd_engine *e, int notify_fd)
{
	struct sdrpd_workers *w;
	int rc;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->threads = calloc(n, sizeof(*w->threads));
	if (!w->threads) {
		free(w);
		return -ENOMEM;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->todo.tail = &w->todo.head;
	w->done.tail = &w->done.head;
	w->engine = e;
	w->notify_fd = notify_fd;
	for (; w->n_threads < n; w->n_threads++) {
		rc = pthread_create(&w->threads[w->n_threads], NULL, worker, w);
		if (rc) {
			sdrpd_workers_stop(w, ECONNABORTED);
			sdrpd_workers_free(w);
			return -rc;
		}
	}
	*out = w;
	return 0;
}

int sdrpd_workers_submit(struct sdrpd_workers *w, struct sdrpd_request *req,
			 struct sdrpd_config *cfg)
{
	struct job *j;

	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->ans = malloc(sizeof(*j->ans));
	if (!j->ans) {
		free(j);
		return -ENOMEM;
	}
	j->req = req;
	j->cfg = sdrpd_config_get(cfg);
	pthread_mutex_lock(&w->lock);
	w->busy++;
	if (w->stopping) {
		refuse(w, j, w->stop_status);
		push(&w->done, j);
		notify(w);
	} else {
		push(&w->todo, j);
		pthread_cond_signal(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return 0;
}

struct sdrpd_answer *sdrpd_workers_collect(struct sdrpd_workers *w)
{
	struct sdrpd_answer *ans;
	struct job *j;

	pthread_mutex_lock(&w->lock);
	j = pop(&w->done);
	if (j)
		w->busy--;
	pthread_mutex_unlock(&w->lock);
	if (!j)
		return NULL;
	ans = j->ans;
	sdrpd_request_free(j->req);
	sdrpd_config_put(j->cfg);
	free(j);
	return ans;
}

size_t sdrpd_workers_busy(struct sdrpd_workers *w)
{
	size_t n;

	pthread_mutex_lock(&w->lock);
	n = w->busy;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void sdrpd_workers_stop(struct sdrpd_workers *w, uint32_t status)
{
	struct job *j;
	unsigned int i;

	pthread_mutex_lock(&w->lock);
	if (w->stopping) {
		pthread_mutex_unlock(&w->lock);
		return;
	}
	w->stopping = true;
	w->stop_status = status;
	pthread_cond_broadcast(&w->cond);
	/* Turns not started are answered with the status, not run. */
	while ((j = pop(&w->todo))) {
		refuse(w, j, status);
		push(&w->done, j);
	}
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->n_threads; i++)
		pthread_join(w->threads[i], NULL);
	notify(w);
}

void sdrpd_workers_free(struct sdrpd_workers *w)
{
	struct sdrpd_answer *ans;

	if (!w)
		return;
	while ((ans = sdrpd_workers_collect(w))) {
		sdrpd_answer_clear(ans);
		free(ans);
	}
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w->threads);
	free(w);
}
