// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Request rate: `sessions` lock-step sessions, one client thread and one
 * server thread each, all started together after one warm-up exchange per
 * session.  Each session's rate is its completed exchanges divided by the
 * time from the start to its last completion, so an exchange cut off by
 * the end of the window costs nothing; the run lasts at least the window
 * and until every session has completed RR_MIN_EXCHANGES (slow points
 * under TCG: 16 sessions of 64 KiB take seconds per round), at most
 * RR_MAX_WINDOW_FACTOR windows.
 *
 * One session runs with both threads on CPU 0 (bench_pin_single): in lock
 * step nothing runs in parallel anyway, and under TCG a wake-up across
 * vCPUs costs milliseconds, which would otherwise be most of what a small
 * exchange measures.
 */
#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

struct rr_shared {
	const struct bench_transport *t;
	size_t resp_len;
	bool verify;
	const uint8_t *pattern;
	pthread_barrier_t start;
	atomic_bool stop;
};

#define RR_MIN_EXCHANGES	2
#define RR_MAX_WINDOW_FACTOR	8
#define RR_MAX_WINDOW_S		20.0

struct rr_session {
	struct rr_shared *sh;
	atomic_uint_fast64_t done;	/* exchanges completed after start */
	double started, last;		/* start, last completion */
	struct bench_endpoint client, server;
	pthread_t client_thread, server_thread;
	bool client_started, server_started;
	uint8_t *resp;			/* client's receive buffer */
	uint8_t req[BENCH_REQ_LEN + 1];	/* server's receive buffer */
	struct bench_error client_err, server_err;
	int client_rc, server_rc;
	bool server_failed_late;	/* after the client had stopped */
};

static void *rr_server(void *arg)
{
	struct rr_session *s = arg;
	int rc;

	do {
		rc = bench_server_serve(&s->server, s->req, s->sh->pattern,
					s->sh->resp_len, &s->server_err);
	} while (rc > 0);
	s->server_rc = rc;
	s->server_failed_late = rc < 0 &&
		atomic_load_explicit(&s->sh->stop, memory_order_relaxed);
	bench_endpoint_close(&s->server);
	return NULL;
}

static int rr_one(struct rr_session *s, uint8_t *req)
{
	int err;

	err = bench_client_exchange(&s->client, req, s->resp, s->sh->resp_len,
				    &s->client_err);
	if (!err && s->sh->verify &&
	    memcmp(s->resp, s->sh->pattern, s->sh->resp_len)) {
		bench_set_error(&s->client_err, EBADMSG,
				"response bytes differ from what was sent");
		err = -EBADMSG;
	}
	return err;
}

static void *rr_client(void *arg)
{
	struct rr_session *s = arg;
	uint8_t req[BENCH_REQ_LEN];
	int err;

	bench_fill_random(req, sizeof(req));
	/* warm-up: proves the session works before the clock starts */
	err = rr_one(s, req);
	pthread_barrier_wait(&s->sh->start);
	s->started = bench_now();
	while (!err && !atomic_load_explicit(&s->sh->stop,
					     memory_order_relaxed)) {
		err = rr_one(s, req);
		if (!err) {
			s->last = bench_now();
			atomic_fetch_add_explicit(&s->done, 1,
						  memory_order_relaxed);
		}
	}
	s->client_rc = err;
	/* ends the session: EOF / CLOSE for the server thread */
	bench_endpoint_close(&s->client);
	return NULL;
}

/* Whether every session has completed enough exchanges to be measured. */
static bool rr_enough(struct rr_session *ss, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ss[i].client_started &&
		    atomic_load_explicit(&ss[i].done, memory_order_relaxed) <
		    RR_MIN_EXCHANGES)
			return false;
	return true;
}

static void sleep_s(double s)
{
	struct timespec ts = {
		.tv_sec = (time_t)s,
		.tv_nsec = (long)((s - (double)(time_t)s) * 1e9),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int bench_rr_run(const struct bench_transport *t, size_t resp_len,
		 unsigned int sessions, double window_s, bool verify,
		 struct bench_rr_result *out, struct bench_error *e)
{
	struct rr_shared sh = { .t = t, .resp_len = resp_len, .verify = verify };
	struct rr_session *ss;
	pthread_attr_t attr;
	double rate = 0, t0, max_s;
	uint8_t *pattern;
	unsigned int i, opened = 0, unmeasured = 0, late = 0;
	struct bench_error late_err;
	int listen_fd, err = 0;

	pattern = malloc(resp_len ? resp_len : 1);
	ss = calloc(sessions, sizeof(*ss));
	if (!pattern || !ss) {
		free(pattern);
		free(ss);
		bench_set_error(e, ENOMEM, "out of memory");
		return -ENOMEM;
	}
	bench_response_pattern(pattern, resp_len);
	sh.pattern = pattern;
	listen_fd = bench_listener();
	if (listen_fd < 0) {
		bench_set_error(e, -listen_fd, "listen: %s",
				strerror(-listen_fd));
		free(pattern);
		free(ss);
		return listen_fd;
	}

	for (i = 0; i < sessions; i++) {
		ss[i].sh = &sh;
		ss[i].resp = malloc(resp_len ? resp_len : 1);
		if (!ss[i].resp) {
			bench_set_error(e, ENOMEM, "out of memory");
			err = -ENOMEM;
			break;
		}
		err = bench_pair_open(t, listen_fd, &ss[i].client,
				      &ss[i].server, e);
		if (err)
			break;
		opened++;
	}
	pthread_barrier_init(&sh.start, NULL, opened + 1);
	pthread_attr_init(&attr);
	if (sessions == 1 && bench_pin_single) {
		cpu_set_t cpu0;

		CPU_ZERO(&cpu0);
		CPU_SET(0, &cpu0);
		pthread_attr_setaffinity_np(&attr, sizeof(cpu0), &cpu0);
	}
	for (i = 0; i < opened; i++) {
		ss[i].server_started = !pthread_create(&ss[i].server_thread,
						       &attr, rr_server, &ss[i]);
		if (!ss[i].server_started)
			bench_endpoint_close(&ss[i].server);
		ss[i].client_started = !pthread_create(&ss[i].client_thread,
						       &attr, rr_client, &ss[i]);
		if (!ss[i].client_started) {
			/* nobody else will: keep the barrier count right */
			bench_set_error(e, EAGAIN, "cannot start a thread");
			err = -EAGAIN;
			atomic_store(&sh.stop, true);
			bench_endpoint_close(&ss[i].client);
		}
	}
	/* threads that did not start cannot wait at the barrier */
	for (i = 0; i < opened; i++)
		if (!ss[i].client_started)
			pthread_barrier_wait(&sh.start);
	pthread_barrier_wait(&sh.start);
	t0 = bench_now();
	max_s = window_s * RR_MAX_WINDOW_FACTOR;
	if (max_s < RR_MAX_WINDOW_S)
		max_s = RR_MAX_WINDOW_S;
	if (!err)
		sleep_s(window_s);
	while (!err && !rr_enough(ss, opened) && bench_now() - t0 < max_s)
		sleep_s(0.02);
	atomic_store(&sh.stop, true);

	for (i = 0; i < opened; i++) {
		if (ss[i].client_started)
			pthread_join(ss[i].client_thread, NULL);
		if (ss[i].server_started)
			pthread_join(ss[i].server_thread, NULL);
		if (ss[i].done && ss[i].last > ss[i].started)
			rate += (double)ss[i].done /
				(ss[i].last - ss[i].started);
		else
			unmeasured++;
		/* the first failure explains the run; the client's side first */
		if (!err && ss[i].client_rc) {
			*e = ss[i].client_err;
			err = ss[i].client_rc;
		}
		if (ss[i].server_rc < 0 && ss[i].server_failed_late) {
			/*
			 * The measurement stands; the session's end went
			 * wrong (the server saw the client's close fail).
			 */
			if (!late++)
				late_err = ss[i].server_err;
		} else if (!err && ss[i].server_rc < 0) {
			*e = ss[i].server_err;
			err = ss[i].server_rc;
		}
	}
	if (late)
		printf("warning %s %zu %u %u server(s) failed after their client closed: %s\n",
		       t->name, resp_len, sessions, late, late_err.reason);
	pthread_barrier_destroy(&sh.start);
	pthread_attr_destroy(&attr);
	for (i = 0; i < sessions; i++)
		free(ss[i].resp);
	free(ss);
	free(pattern);
	close(listen_fd);
	if (!err && unmeasured) {
		bench_set_error(e, ETIMEDOUT,
				"%u of %u sessions completed no exchange in %.0f s",
				unmeasured, opened, max_s);
		err = -ETIMEDOUT;
	}
	if (err)
		return err;
	out->rate = rate;
	out->bytes_per_s = out->rate * (double)resp_len;
	return 0;
}
