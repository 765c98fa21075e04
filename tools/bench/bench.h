/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * sdrp-bench: one lock-step request/response benchmark over plain TCP,
 * kTLS, sdrp in the kernel and the libsdrp userspace peer, plus the
 * kernel's crypto limit (AF_ALG), kernel memory per idle session and
 * handshake cost.  Shared declarations of its parts.
 */
#ifndef SDRP_BENCH_H
#define SDRP_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/sdrp.h>

struct sdrp_peer;

/* Bytes of every request: small, as in the pattern. */
#define BENCH_REQ_LEN		32
/* Room for a failure's explanation ("unavailable (reason)"). */
#define BENCH_REASON_LEN	160
/* How long any single blocking call may wait before the run fails. */
#define BENCH_IO_TIMEOUT_MS	10000

enum bench_kind {
	BENCH_TCP,
	BENCH_KTLS,
	BENCH_SDRP_KERNEL,
	BENCH_SDRP_PEER,
};

struct bench_transport {
	const char *name;		/* as printed in the results */
	enum bench_kind kind;
	uint32_t rekey_interval;	/* sdrp only */
};

/* One end of a connected session, ready for exchanges. */
struct bench_endpoint {
	int fd;
	enum bench_kind kind;
	struct sdrp_peer *peer;		/* BENCH_SDRP_PEER only */
};

/* Why something failed, for "unavailable (reason)" and TAP. */
struct bench_error {
	int err;			/* positive errno, 0 if none */
	bool unsupported;		/* the kernel lacks the feature */
	char reason[BENCH_REASON_LEN];
};

/* bench.c */
extern bool bench_pin_single;	/* one session: both threads on CPU 0 */
double bench_now(void);
void bench_fill_random(void *buf, size_t len);
void bench_set_error(struct bench_error *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* transport.c */
int bench_listener(void);
/*
 * Connect the unconnected TCP socket @c (ownership passes, closed on
 * failure) to @listen_fd's address and accept it: *cfd and *sfd, with the
 * benchmark's I/O timeouts and TCP_NODELAY.
 */
int bench_tcp_connect(int listen_fd, int c, int *cfd, int *sfd);
int bench_pair_open(const struct bench_transport *t, int listen_fd,
		    struct bench_endpoint *client, struct bench_endpoint *server,
		    struct bench_error *e);
void bench_endpoint_close(struct bench_endpoint *ep);
int bench_client_send(struct bench_endpoint *ep, const uint8_t *req,
		      struct bench_error *e);
int bench_client_recv(struct bench_endpoint *ep, uint8_t *resp,
		      size_t resp_len, struct bench_error *e);
int bench_client_exchange(struct bench_endpoint *ep, const uint8_t *req,
			  uint8_t *resp, size_t resp_len, struct bench_error *e);
int bench_server_serve(struct bench_endpoint *ep, uint8_t *buf,
		       const uint8_t *resp, size_t resp_len,
		       struct bench_error *e);
void bench_response_pattern(uint8_t *buf, size_t len);

/* rr.c: request rate of `sessions` lock-step sessions for `window_s` */
struct bench_rr_result {
	double rate;			/* exchanges per second, all sessions */
	double bytes_per_s;		/* response bytes per second */
};
int bench_rr_run(const struct bench_transport *t, size_t resp_len,
		 unsigned int sessions, double window_s, bool verify,
		 struct bench_rr_result *out, struct bench_error *e);

/* alg.c: the kernel's own crypto through AF_ALG */
int bench_alg_gcm(size_t size, double window_s, double *bytes_per_s,
		  char *driver, size_t driver_len, struct bench_error *e);
int bench_alg_hmac(size_t size, double window_s, double *bytes_per_s,
		   char *driver, size_t driver_len, struct bench_error *e);

/* mem.c: kernel slab bytes per idle established session */
int bench_mem_run(const struct bench_transport *t, unsigned int sessions,
		  double *bytes_per_session, struct bench_error *e);

/* hs.c: handshakes */
enum bench_hs_kind {
	BENCH_HS_TLS13,		/* TLS 1.3, mutual RSA certificate auth */
	BENCH_HS_SDRP_DAEMON,	/* kernel SDRP_HANDSHAKE through sdrpd */
	BENCH_HS_SDRP_LIB,	/* libsdrp in-process handshake over TCP */
	BENCH_HS_KINDS
};

/*
 * Where the two ends of a handshake run.  Without namespaces: both in
 * this one, over loopback, and the daemon kind is unavailable.  With
 * them: the client in client_netns (a name under /run/netns), the server
 * in server_netns listening on server_addr, each host with its own sdrpd
 * whose identity is client_id / server_id.
 */
struct bench_hs_hosts {
	const char *client_netns, *server_netns;
	const char *server_addr;	/* IPv4 */
	const char *client_id, *server_id;
};

const char *bench_hs_name(enum bench_hs_kind kind);
int bench_hs_init(const struct bench_hs_hosts *hosts, struct bench_error *e);
void bench_hs_exit(void);
/*
 * @workers threads, each doing @per_worker handshakes back to back; *rate
 * is handshakes per second over them all; @latencies (NULL or room for
 * workers * per_worker) gets each handshake's duration in seconds.
 */
int bench_hs_run(enum bench_hs_kind kind, unsigned int workers,
		 unsigned int per_worker, double *rate, double *latencies,
		 struct bench_error *e);
/*
 * One handshake's computation in this thread, no I/O (TLS through a BIO
 * pair; sdrp: sdrpd's three turns, the same for both sdrp kinds): the
 * least a handshake of @kind costs on this machine.
 */
int bench_hs_cpu(enum bench_hs_kind kind, double *seconds,
		 struct bench_error *e);
/*
 * The compiled-in RSA-3072 credentials as files in @dir, for sdrpd:
 * ca.key, ca.crt (the sdrp CA certificate), client.key, server.key.
 */
int bench_hs_write_keys(const char *dir, struct bench_error *e);

#endif /* SDRP_BENCH_H */
