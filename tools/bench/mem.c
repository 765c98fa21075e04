// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Kernel memory per idle established session: the growth of the kernel's
 * slab (/proc/meminfo "Slab") while `sessions` sessions are open, each
 * having done one 64-byte exchange and then left idle, divided by the
 * number of sessions.  Both ends are in this kernel, so one session is
 * two sockets, as it is for the baseline.  Caches are dropped before the
 * first reading so that reclaimable dentries and inodes do not drift.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MEM_EXCHANGE_LEN	64

static long slab_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	sync();
	if (fd >= 0) {
		/* best effort: without it the figure is only noisier */
		if (write(fd, "2\n", 2) != 2)
			fprintf(stderr, "sdrp-bench: drop_caches: %s\n",
				strerror(errno));
		close(fd);
	}
}

static void settle(void)
{
	/* deferred frees (RCU, work items) and DATA ACKs in flight */
	struct timespec ts = { .tv_nsec = 300 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

int bench_mem_run(const struct bench_transport *t, unsigned int sessions,
		  double *bytes_per_session, struct bench_error *e)
{
	struct bench_endpoint *cl, *sv;
	uint8_t req[BENCH_REQ_LEN + 1], resp[MEM_EXCHANGE_LEN],
		got[MEM_EXCHANGE_LEN];
	unsigned int i, opened = 0;
	long before, after;
	int listen_fd, err = 0, rc;

	if (t->kind == BENCH_SDRP_PEER) {
		bench_set_error(e, EINVAL, "the userspace peer keeps no kernel state");
		return -EINVAL;
	}
	cl = calloc(sessions, sizeof(*cl));
	sv = calloc(sessions, sizeof(*sv));
	if (!cl || !sv) {
		free(cl);
		free(sv);
		bench_set_error(e, ENOMEM, "out of memory");
		return -ENOMEM;
	}
	listen_fd = bench_listener();
	if (listen_fd < 0) {
		bench_set_error(e, -listen_fd, "listen: %s",
				strerror(-listen_fd));
		free(cl);
		free(sv);
		return listen_fd;
	}
	bench_response_pattern(resp, sizeof(resp));
	bench_fill_random(req, sizeof(req));

	drop_caches();
	settle();
	before = slab_kib();
	for (i = 0; i < sessions && !err; i++) {
		err = bench_pair_open(t, listen_fd, &cl[i], &sv[i], e);
		if (err)
			break;
		opened++;
		/*
		 * One exchange in this thread: the request and the response
		 * fit the socket buffers, so lock step needs no second thread.
		 */
		err = bench_client_send(&cl[i], req, e);
		if (err)
			break;
		rc = bench_server_serve(&sv[i], req, resp, sizeof(resp), e);
		if (rc <= 0) {
			err = rc ? rc : -ECONNRESET;
			if (!rc)
				bench_set_error(e, ECONNRESET,
						"end of file on the server");
			break;
		}
		err = bench_client_recv(&cl[i], got, sizeof(got), e);
	}
	settle();
	after = slab_kib();
	for (i = 0; i < opened; i++) {
		bench_endpoint_close(&cl[i]);
		bench_endpoint_close(&sv[i]);
	}
	close(listen_fd);
	free(cl);
	free(sv);
	if (err)
		return err;
	if (before < 0 || after < 0) {
		bench_set_error(e, ENOENT, "no Slab line in /proc/meminfo");
		return -ENOENT;
	}
	*bytes_per_session = (double)(after - before) * 1024.0 / sessions;
	return 0;
}
