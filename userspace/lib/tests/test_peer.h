/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * Harness of the peer tests: two sdrp peers on loopback TCP, one thread
 * each, joined by a relay thread that forwards the bytes and logs every
 * record header it sees in each direction.  The log is the "wire": tests
 * assert on it independently of what the peers report about themselves.
 *
 *   client peer  <-TCP->  relay (logs c2s / s2c)  <-TCP->  server peer
 *
 * Each side runs an application function on its peer, then either shuts
 * its socket down and drains it (a well-behaved end), or lingers: keeps
 * the socket open, reading and discarding, until the other end is gone
 * (a misbehaving end that must not hide the other's timers behind an end
 * of file).
 */
#ifndef _SDRP_TEST_PEER_H
#define _SDRP_TEST_PEER_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include <sdrp/sdrp.h>
#include <sdrp/peer.h>
#include "util.h"

/* ---- the relay's log of record headers ---- */

struct wire_rec {
	uint8_t type;
	uint8_t flags;
	uint32_t epoch;
	uint32_t length;
};

struct wire_log {
	struct wire_rec *v;
	size_t n, cap;
	uint8_t hdr[SDRP_HDR_LEN];
	size_t hdr_have;
	uint64_t body_left;
};

static inline void wire_log_feed(struct wire_log *l, const uint8_t *p, size_t len)
{
	while (len) {
		if (l->body_left) {
			size_t k = len < l->body_left ? len : l->body_left;

			l->body_left -= k;
			p += k;
			len -= k;
			continue;
		}
		l->hdr[l->hdr_have++] = *p++;
		len--;
		if (l->hdr_have < SDRP_HDR_LEN)
			continue;
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 256;
			l->v = realloc(l->v, l->cap * sizeof(*l->v));
			if (!l->v)
				tap_bail("out of memory");
		}
		l->v[l->n].type = l->hdr[1];
		l->v[l->n].flags = l->hdr[2];
		l->v[l->n].epoch = sdrp_get_be32(l->hdr + 4);
		l->v[l->n].length = sdrp_get_be32(l->hdr + 8);
		l->body_left = l->v[l->n].length;
		l->n++;
		l->hdr_have = 0;
	}
}

static inline size_t wire_count(const struct wire_log *l, unsigned int type)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->v[i].type == type;
	return n;
}

/* Index of the first record of @type at or after @from, or -1. */
static inline long wire_find(const struct wire_log *l, unsigned int type, size_t from)
{
	size_t i;

	for (i = from; i < l->n; i++)
		if (l->v[i].type == type)
			return (long)i;
	return -1;
}

static inline unsigned int wire_last(const struct wire_log *l)
{
	return l->n ? l->v[l->n - 1].type : 0;
}

/* Print the tail of a log as a diagnostic. */
static inline void wire_diag(const char *dir, const struct wire_log *l)
{
	char buf[1024];
	size_t i, off = 0, from = l->n > 24 ? l->n - 24 : 0;

	buf[0] = '\0';
	for (i = from; i < l->n && off < sizeof(buf) - 40; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, " %s%s/%u",
					sdrp_msg_type_name(l->v[i].type),
					l->v[i].flags & SDRP_HDR_F_CLEAR ?
					"(clear)" : "", l->v[i].epoch);
	tap_diag("%s (%zu records, last %zu):%s", dir, l->n, l->n - from, buf);
}

/* ---- loopback TCP and the relay ---- */

static inline void tcp_pair(int *a, int *b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&sa, &sl))
		tap_bail("listen on loopback: %s", strerror(errno));
	*a = socket(AF_INET, SOCK_STREAM, 0);
	if (*a < 0 || connect(*a, (struct sockaddr *)&sa, sizeof(sa)))
		tap_bail("connect on loopback: %s", strerror(errno));
	*b = accept(l, NULL, NULL);
	if (*b < 0)
		tap_bail("accept: %s", strerror(errno));
	/* the relay forwards in pieces: no Nagle delay on its side either */
	setsockopt(*a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(*b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	close(l);
}

struct relay {
	int cfd, sfd;		/* relay's ends toward client and server */
	struct wire_log c2s, s2c;
	pthread_t th;
};

static inline int write_full(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static inline void *relay_main(void *arg)
{
	struct relay *r = arg;
	bool c_open = true, s_open = true;
	static __thread uint8_t buf[65536];

	while (c_open || s_open) {
		struct pollfd pf[2] = {
			{ .fd = c_open ? r->cfd : -1, .events = POLLIN },
			{ .fd = s_open ? r->sfd : -1, .events = POLLIN },
		};
		int i;

		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			int from = i ? r->sfd : r->cfd, to = i ? r->cfd : r->sfd;
			struct wire_log *log = i ? &r->s2c : &r->c2s;
			bool *open = i ? &s_open : &c_open;
			ssize_t n;

			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = recv(from, buf, sizeof(buf), 0);
			if (n > 0) {
				wire_log_feed(log, buf, (size_t)n);
				if (write_full(to, buf, (size_t)n) == 0)
					continue;
			}
			/* end of file, reset, or the other end gone */
			*open = false;
			shutdown(to, SHUT_WR);
		}
	}
	return NULL;
}

static inline void relay_start(struct relay *r, int *client_fd, int *server_fd)
{
	memset(r, 0, sizeof(*r));
	tcp_pair(client_fd, &r->cfd);
	tcp_pair(&r->sfd, server_fd);
	if (pthread_create(&r->th, NULL, relay_main, r))
		tap_bail("pthread_create");
}

static inline void relay_stop(struct relay *r)
{
	pthread_join(r->th, NULL);
	close(r->cfd);
	close(r->sfd);
}

static inline void relay_free(struct relay *r)
{
	free(r->c2s.v);
	free(r->s2c.v);
}

/* ---- deterministic bodies ---- */

/* The body pattern of sdrp-peer and the kselftests (sdrp_fill()). */
static inline void body_fill(uint8_t *p, size_t len, uint64_t id)
{
	size_t k;

	for (k = 0; k < len; k++)
		p[k] = (uint8_t)(id * 131 + k * 7 + (k >> 8));
}

static inline bool body_check(const uint8_t *p, size_t len, size_t want_len,
		       uint64_t id)
{
	uint8_t *exp;
	bool ok;

	if (len != want_len)
		return false;
	exp = malloc(len ? len : 1);
	if (!exp)
		tap_bail("out of memory");
	body_fill(exp, len, id);
	ok = !len || memcmp(exp, p, len) == 0;
	free(exp);
	return ok;
}

/* Size of request / response number i: 0 B, 1 MiB and spread in between. */
static inline size_t req_size(unsigned int i)
{
	if (i % 50 == 7)
		return 0;
	if (i == 500)
		return SDRP_MAX_DATA;
	if (i % 97 == 3)
		return 65536 + i;
	return (i * 37u) % 3000;
}

static inline size_t resp_size(unsigned int i)
{
	if (i % 50 == 11)
		return 0;
	if (i == 501)
		return SDRP_MAX_DATA;
	if (i % 89 == 5)
		return 100000 + i;
	return (i * 53u + 17) % 5000;
}

/* ---- one side of a session ---- */

struct side;
typedef int (*app_fn)(struct side *s, struct sdrp_peer *p);

struct side {
	const char *name;
	enum sdrp_role role;
	int fd;
	struct sdrp_params params;
	struct sdrp_fault fault;
	const struct sdrp_keys *keys;	/* NULL: run the handshake */
	const struct sdrp_hs_config *hs;
	app_fn app;
	unsigned int count;		/* exchanges the app runs */
	bool close_at_end;		/* app closes after count */
	bool linger;			/* misbehaving end: see above */
	int delay_ms_at;		/* server: sleep before request n */
	unsigned int delay_at;
	/* results */
	int start_rc;
	int app_rc;
	unsigned int done;		/* exchanges completed and checked */
	unsigned int bad;		/* bodies that did not match */
	enum sdrp_close_reason reason;
	int err;
	struct sdrp_info info;
	pthread_t th;
};

static inline void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Client application: count requests with checked responses, then close. */
static inline int client_app(struct side *s, struct sdrp_peer *p)
{
	uint8_t *req = malloc(SDRP_MAX_DATA);
	unsigned int i;
	int rc = 1;

	if (!req)
		tap_bail("out of memory");
	for (i = 0; i < s->count; i++) {
		const uint8_t *resp;
		size_t len;

		body_fill(req, req_size(i), 2 * (uint64_t)i);
		rc = sdrp_peer_request(p, req, req_size(i), &resp, &len);
		if (rc != 1)
			break;
		if (!body_check(resp, len, resp_size(i), 2 * (uint64_t)i + 1))
			s->bad++;
		s->done++;
	}
	free(req);
	if (rc == 1 && s->close_at_end)
		return sdrp_peer_close(p);
	return rc;
}

/* Server application: answer checked requests until EOF or count. */
static inline int server_app(struct side *s, struct sdrp_peer *p)
{
	uint8_t *resp = malloc(SDRP_MAX_DATA);
	unsigned int i;
	int rc = 1;

	if (!resp)
		tap_bail("out of memory");
	for (i = 0; !s->count || i < s->count; i++) {
		const uint8_t *req;
		size_t len;

		if (s->delay_ms_at && i == s->delay_at)
			sleep_ms(s->delay_ms_at);
		rc = sdrp_peer_next_request(p, &req, &len);
		if (rc != 1)
			break;
		if (!body_check(req, len, req_size(i), 2 * (uint64_t)i))
			s->bad++;
		body_fill(resp, resp_size(i), 2 * (uint64_t)i + 1);
		rc = sdrp_peer_respond(p, resp, resp_size(i));
		if (rc)
			break;
		s->done++;
		rc = 1;
	}
	free(resp);
	if (rc == 1 && s->close_at_end)
		return sdrp_peer_close(p);
	return rc;
}

/* Only wait for what the other end does (misbehaving end after start). */
static inline int idle_app(struct side *s, struct sdrp_peer *p)
{
	(void)s;
	return sdrp_peer_process(p, -1);
}

static inline void drain(int fd)
{
	uint8_t buf[4096];

	while (recv(fd, buf, sizeof(buf), 0) > 0)
		;
}

static inline void *side_main(void *arg)
{
	struct side *s = arg;
	struct sdrp_peer *p;
	int rc;

	rc = sdrp_peer_new(s->fd, s->role, &s->params, &p);
	if (rc)
		tap_bail("%s: sdrp_peer_new: %d", s->name, rc);
	if (s->fault.kind)
		sdrp_peer_set_fault(p, &s->fault);
	if (s->keys)
		s->start_rc = sdrp_peer_start_keys(p, s->keys);
	else
		s->start_rc = sdrp_peer_start_handshake(p, s->hs);
	s->app_rc = -1000;
	if (!s->start_rc && s->app)
		s->app_rc = s->app(s, p);
	s->reason = sdrp_peer_close_reason(p);
	s->err = sdrp_peer_errno(p);
	sdrp_peer_get_info(p, &s->info);
	sdrp_peer_free(p);
	if (!s->linger)
		shutdown(s->fd, SHUT_WR);
	drain(s->fd);
	close(s->fd);
	return NULL;
}

/* A session: both sides, relay, the result. */
struct session {
	struct side c, s;
	struct relay r;
	struct sdrp_keys ck, sk;	/* session_keys(); wiped by session_free() */
};

static inline void session_init(struct session *x, const struct sdrp_params *params)
{
	memset(x, 0, sizeof(*x));
	x->c.name = "client";
	x->c.role = SDRP_ROLE_CLIENT;
	x->c.app = client_app;
	x->s.name = "server";
	x->s.role = SDRP_ROLE_SERVER;
	x->s.app = server_app;
	if (params) {
		x->c.params = *params;
		x->s.params = *params;
	}
}

static inline void session_run(struct session *x)
{
	relay_start(&x->r, &x->c.fd, &x->s.fd);
	if (pthread_create(&x->s.th, NULL, side_main, &x->s) ||
	    pthread_create(&x->c.th, NULL, side_main, &x->c))
		tap_bail("pthread_create");
	pthread_join(x->c.th, NULL);
	pthread_join(x->s.th, NULL);
	relay_stop(&x->r);
}

static inline void session_diag(const struct session *x)
{
	tap_diag("client: start %d app %d reason %s errno %d done %u",
		 x->c.start_rc, x->c.app_rc, sdrp_close_reason_name(x->c.reason),
		 x->c.err, x->c.done);
	tap_diag("server: start %d app %d reason %s errno %d done %u",
		 x->s.start_rc, x->s.app_rc, sdrp_close_reason_name(x->s.reason),
		 x->s.err, x->s.done);
	wire_diag("c2s", &x->r.c2s);
	wire_diag("s2c", &x->r.s2c);
}

static inline void session_free(struct session *x)
{
	relay_free(&x->r);
	sdrp_wipe(&x->ck, sizeof(x->ck));
	sdrp_wipe(&x->sk, sizeof(x->sk));
}

/* ---- keys and credentials ---- */

/* A random epoch-0 keys blob (role left 0: each side sets its own). */
static inline void random_keys(struct sdrp_keys *k, uint32_t epoch)
{
	memset(k, 0, sizeof(*k));
	k->epoch = epoch;
	k->c2s_seq = sdrp_random_seq();
	k->s2c_seq = sdrp_random_seq();
	randombytes_buf(&k->c2s, sizeof(k->c2s));
	randombytes_buf(&k->s2c, sizeof(k->s2c));
	randombytes_buf(k->chain_key, sizeof(k->chain_key));
}

struct hs_creds {
	struct test_creds tc;
	uint8_t s0[SDRP_S0_LEN];
	const char *ids[1];
	struct sdrp_psk psk;
	struct sdrp_hs_config client, server;
};

static inline void hs_creds_init(struct hs_creds *h)
{
	memset(h, 0, sizeof(*h));
	test_creds_init(&h->tc, (uint64_t)time(NULL));
	randombytes_buf(h->s0, sizeof(h->s0));
	h->ids[0] = "client.example";
	memcpy(h->psk.s0, h->s0, sizeof(h->s0));
	h->psk.identities = h->ids;
	h->psk.n_identities = 1;
	h->client.role = SDRP_ROLE_CLIENT;
	h->client.key = h->tc.client_key;
	h->client.cert = h->tc.client;
	h->client.ca = h->tc.ca;
	h->client.s0 = h->s0;
	h->client.server_identity = "server.example";
	h->server.role = SDRP_ROLE_SERVER;
	h->server.key = h->tc.server_key;
	h->server.cert = h->tc.server;
	h->server.ca = h->tc.ca;
	h->server.psks = &h->psk;
	h->server.n_psks = 1;
}

static inline void hs_creds_free(struct hs_creds *h)
{
	test_creds_free(&h->tc);
	sdrp_wipe(h->s0, sizeof(h->s0));
	sdrp_wipe(&h->psk, sizeof(h->psk));
}

/* Both sides from one keys blob, kept in @x. */
static inline void session_keys(struct session *x, uint32_t epoch)
{
	random_keys(&x->ck, epoch);
	x->sk = x->ck;
	x->ck.role = SDRP_ROLE_CLIENT;
	x->sk.role = SDRP_ROLE_SERVER;
	x->c.keys = &x->ck;
	x->s.keys = &x->sk;
}

/*
 * Short timers so that the failure tests run fast, yet long enough that
 * a loaded machine (ASan, two cores shared with VM tests) never makes a
 * well-behaved peer look silent: tests that count CLOSEs or RESEND LASTs
 * rely on no timer expiring by accident.
 */
static const struct sdrp_params fast_params = {
	.recv_timeout_ms = 1000,
	.close_timeout_ms = 500,
	.max_retries = 3,
	.policy = SDRP_POLICY_CLOSE,
};

#endif /* _SDRP_TEST_PEER_H */
