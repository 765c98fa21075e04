// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Handshake cost, each one over a fresh loopback TCP connection, client
 * and server in two threads of this process, from connect() until both
 * ends have finished:
 *
 *   tls13        TLS 1.3 (OpenSSL), TLS_AES_256_GCM_SHA384, X25519, mutual
 *                RSA-3072 certificate authentication with RSA-PSS-SHA512
 *                signatures, no session resumption: the baseline;
 *   sdrp-lib     the libsdrp initial handshake (HELLO, HELLO ACK, ACK)
 *                through sdrp_peer_start_handshake(), RSA-3072 sdrp
 *                certificates from the same keys;
 *   sdrp-daemon  the kernel socket's SDRP_HANDSHAKE through sdrpd: probed,
 *                reported unavailable until sdrp-bench starts sdrpd
 *                (the kernel has the daemon path: it answers ESRCH).
 *
 * The RSA keys and X.509 certificates are made on the build host
 * (mkcerts.sh, RSA key generation is far too slow under TCG) and compiled
 * in; the sdrp certificates are issued here from the same keys.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sdrp/peer.h>
#include <sdrp/sdrp.h>

#include "bench.h"
#include "bench_certs.h"

#define HS_SERVER_ID	"bench-server"
#define HS_CLIENT_ID	"bench-client"
#define HS_CA_ID	"bench-ca"

static struct {
	SSL_CTX *tls_server, *tls_client;
	struct sdrp_privkey *ca_key, *server_key, *client_key;
	struct sdrp_cert *ca, *server_cert, *client_cert;
	uint8_t s0[SDRP_S0_LEN];
	const char *client_ids[1];
	struct sdrp_psk psk;
	struct sdrp_hs_config server_cfg, client_cfg;
} hs;

const char *bench_hs_name(enum bench_hs_kind kind)
{
	switch (kind) {
	case BENCH_HS_TLS13:
		return "tls13-rsa3072";
	case BENCH_HS_SDRP_LIB:
		return "sdrp-lib-rsa3072";
	case BENCH_HS_SDRP_DAEMON:
		return "sdrp-daemon-rsa3072";
	}
	return "?";
}

static void tls_error(struct bench_error *e, const char *what)
{
	char buf[120];

	ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
	bench_set_error(e, EPROTO, "%s: %s", what, buf);
}

static SSL_CTX *tls_ctx(bool server, const char *key_pem,
			const char *cert_pem, struct bench_error *e)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() :
					    TLS_client_method());
	BIO *kb = BIO_new_mem_buf(key_pem, -1);
	BIO *cb = BIO_new_mem_buf(cert_pem, -1);
	BIO *ab = BIO_new_mem_buf(bench_ca_cert_pem, -1);
	EVP_PKEY *key = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	X509 *cert = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	X509 *ca = ab ? PEM_read_bio_X509(ab, NULL, NULL, NULL) : NULL;
	bool ok = ctx && key && cert && ca &&
		SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) &&
		SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) &&
		SSL_CTX_set_ciphersuites(ctx, "TLS_AES_256_GCM_SHA384") &&
		SSL_CTX_set1_groups_list(ctx, "X25519") &&
		SSL_CTX_set1_sigalgs_list(ctx, "rsa_pss_rsae_sha512") &&
		SSL_CTX_use_certificate(ctx, cert) &&
		SSL_CTX_use_PrivateKey(ctx, key) &&
		SSL_CTX_check_private_key(ctx) &&
		X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca);

	if (ok) {
		/* every handshake a full one: no tickets, no session cache */
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
		SSL_CTX_set_num_tickets(ctx, 0);
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
				   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	} else {
		tls_error(e, "TLS context");
		SSL_CTX_free(ctx);
		ctx = NULL;
	}
	EVP_PKEY_free(key);
	X509_free(cert);
	X509_free(ca);
	BIO_free(kb);
	BIO_free(cb);
	BIO_free(ab);
	return ctx;
}

static int sdrp_key(const char *pem, struct sdrp_privkey **out,
		    struct bench_error *e)
{
	int err = sdrp_privkey_from_pem(pem, strlen(pem), out);

	if (err)
		bench_set_error(e, -err, "sdrp_privkey_from_pem: %s",
				strerror(-err));
	return err;
}

static int sdrp_issue(const char *subject, struct sdrp_privkey *key,
		      struct sdrp_cert **out, struct bench_error *e)
{
	uint64_t now = (uint64_t)time(NULL);
	struct sdrp_cert_template t = {
		.serial = now,
		.not_before = now - 3600,
		.not_after = now + 7 * 86400,
		.subject = subject,
		.issuer = HS_CA_ID,
	};
	int err = sdrp_cert_create(&t, key, hs.ca_key, out);

	if (err)
		bench_set_error(e, -err, "sdrp_cert_create %s: %s", subject,
				strerror(-err));
	return err;
}

int bench_hs_init(struct bench_error *e)
{
	int err;

	hs.tls_server = tls_ctx(true, bench_server_key_pem,
				bench_server_cert_pem, e);
	hs.tls_client = tls_ctx(false, bench_client_key_pem,
				bench_client_cert_pem, e);
	if (!hs.tls_server || !hs.tls_client)
		return -e->err;

	if ((err = sdrp_key(bench_ca_key_pem, &hs.ca_key, e)) ||
	    (err = sdrp_key(bench_server_key_pem, &hs.server_key, e)) ||
	    (err = sdrp_key(bench_client_key_pem, &hs.client_key, e)) ||
	    (err = sdrp_issue(HS_CA_ID, hs.ca_key, &hs.ca, e)) ||
	    (err = sdrp_issue(HS_SERVER_ID, hs.server_key, &hs.server_cert, e)) ||
	    (err = sdrp_issue(HS_CLIENT_ID, hs.client_key, &hs.client_cert, e)))
		return err;
	err = sdrp_s0_generate(hs.s0);
	if (err) {
		bench_set_error(e, -err, "sdrp_s0_generate: %s", strerror(-err));
		return err;
	}
	hs.client_ids[0] = HS_CLIENT_ID;
	memcpy(hs.psk.s0, hs.s0, sizeof(hs.s0));
	hs.psk.identities = hs.client_ids;
	hs.psk.n_identities = 1;
	hs.server_cfg = (struct sdrp_hs_config){
		.role = SDRP_ROLE_SERVER,
		.key = hs.server_key, .cert = hs.server_cert, .ca = hs.ca,
		.psks = &hs.psk, .n_psks = 1,
	};
	hs.client_cfg = (struct sdrp_hs_config){
		.role = SDRP_ROLE_CLIENT,
		.key = hs.client_key, .cert = hs.client_cert, .ca = hs.ca,
		.s0 = hs.s0, .server_identity = HS_SERVER_ID,
	};
	return 0;
}

void bench_hs_exit(void)
{
	SSL_CTX_free(hs.tls_server);
	SSL_CTX_free(hs.tls_client);
	sdrp_cert_free(hs.ca);
	sdrp_cert_free(hs.server_cert);
	sdrp_cert_free(hs.client_cert);
	sdrp_privkey_free(hs.ca_key);
	sdrp_privkey_free(hs.server_key);
	sdrp_privkey_free(hs.client_key);
	sdrp_wipe(&hs, sizeof(hs));
}

/* One side of one handshake, run in its own thread or the caller's. */
struct hs_side {
	enum bench_hs_kind kind;
	bool server;
	int fd;
	struct bench_error err;
	int rc;
};

static int tls_side(struct hs_side *s)
{
	SSL *ssl = SSL_new(s->server ? hs.tls_server : hs.tls_client);
	int rc = -1;

	if (ssl && SSL_set_fd(ssl, s->fd) &&
	    (s->server || SSL_set1_host(ssl, HS_SERVER_ID)))
		rc = s->server ? SSL_accept(ssl) : SSL_connect(ssl);
	if (rc != 1)
		tls_error(&s->err, s->server ? "SSL_accept" : "SSL_connect");
	SSL_free(ssl);
	return rc == 1 ? 0 : -EPROTO;
}

static int sdrp_side(struct hs_side *s)
{
	struct sdrp_params p = { .recv_timeout_ms = BENCH_IO_TIMEOUT_MS };
	struct sdrp_peer *peer;
	int err;

	err = sdrp_peer_new(s->fd, s->server ? SDRP_ROLE_SERVER :
					       SDRP_ROLE_CLIENT, &p, &peer);
	if (!err) {
		err = sdrp_peer_start_handshake(peer, s->server ?
						&hs.server_cfg :
						&hs.client_cfg);
		sdrp_peer_free(peer);
	}
	if (err)
		bench_set_error(&s->err, -err, "%s handshake: %s",
				s->server ? "server" : "client",
				strerror(-err));
	return err;
}

static void *hs_side_run(void *arg)
{
	struct hs_side *s = arg;

	s->rc = s->kind == BENCH_HS_TLS13 ? tls_side(s) : sdrp_side(s);
	return NULL;
}

static int daemon_probe(int listen_fd, struct bench_error *e)
{
	struct bench_transport t = { .name = "tcp", .kind = BENCH_TCP };
	struct sdrp_handshake req = {
		.role = SDRP_ROLE_CLIENT, .peer = HS_SERVER_ID,
	};
	struct bench_endpoint c, s;
	int err;

	err = bench_pair_open(&t, listen_fd, &c, &s, e);
	if (err)
		return err;
	if (setsockopt(c.fd, IPPROTO_TCP, TCP_ULP, "sdrp", sizeof("sdrp"))) {
		bench_set_error(e, errno, "TCP_ULP \"sdrp\": %s",
				strerror(errno));
	} else if (setsockopt(c.fd, SOL_SDRP, SDRP_HANDSHAKE, &req,
			      sizeof(req))) {
		/* ESRCH: the kernel has the daemon path, no sdrpd listens */
		bench_set_error(e, errno, "SDRP_HANDSHAKE: %s (%s)",
				strerror(errno),
				errno == ESRCH ?
				"sdrp-bench starts no sdrpd yet" :
				"no daemon path in this kernel module");
	} else {
		/* needs sdrpd on both hosts: not set up by sdrp-bench yet */
		bench_set_error(e, EOPNOTSUPP,
				"SDRP_HANDSHAKE accepted, but sdrp-bench does not start sdrpd yet");
	}
	e->unsupported = true;
	bench_endpoint_close(&c);
	bench_endpoint_close(&s);
	return -e->err;
}

/* One whole handshake on a fresh connection; its duration in seconds. */
static int hs_once(enum bench_hs_kind kind, int listen_fd, double *seconds,
		   struct bench_error *e)
{
	struct bench_transport t = { .name = "tcp", .kind = BENCH_TCP };
	struct hs_side cs = { .kind = kind }, ss = { .kind = kind, .server = true };
	struct bench_endpoint c, s;
	pthread_t th;
	double t0 = bench_now();
	int err;

	if (kind == BENCH_HS_SDRP_DAEMON)
		return daemon_probe(listen_fd, e);
	err = bench_pair_open(&t, listen_fd, &c, &s, e);
	if (err)
		return err;
	cs.fd = c.fd;
	ss.fd = s.fd;
	if (pthread_create(&th, NULL, hs_side_run, &ss)) {
		bench_set_error(e, EAGAIN, "cannot start a thread");
		err = -EAGAIN;
		goto out;
	}
	hs_side_run(&cs);
	if (cs.rc)
		/* the server may wait for a message that will not come */
		shutdown(c.fd, SHUT_RDWR);
	pthread_join(th, NULL);
	*seconds = bench_now() - t0;
	if (cs.rc) {
		*e = cs.err;
		err = cs.rc;
	} else if (ss.rc) {
		*e = ss.err;
		err = ss.rc;
	}
out:
	bench_endpoint_close(&c);
	bench_endpoint_close(&s);
	return err;
}

int bench_hs_latency(enum bench_hs_kind kind, double *seconds,
		     struct bench_error *e)
{
	int listen_fd = bench_listener(), err;

	if (listen_fd < 0) {
		bench_set_error(e, -listen_fd, "listen: %s",
				strerror(-listen_fd));
		return listen_fd;
	}
	err = hs_once(kind, listen_fd, seconds, e);
	close(listen_fd);
	return err;
}

struct hs_worker {
	enum bench_hs_kind kind;
	unsigned int count;
	struct bench_error err;
	int rc;
};

static void *hs_worker_run(void *arg)
{
	struct hs_worker *w = arg;
	int listen_fd = bench_listener();
	double s;
	unsigned int i;

	/* a listener each: every worker drives both ends of its connections */
	if (listen_fd < 0) {
		bench_set_error(&w->err, -listen_fd, "listen: %s",
				strerror(-listen_fd));
		w->rc = listen_fd;
		return NULL;
	}
	for (i = 0; i < w->count && !w->rc; i++)
		w->rc = hs_once(w->kind, listen_fd, &s, &w->err);
	close(listen_fd);
	return NULL;
}

int bench_hs_rate(enum bench_hs_kind kind, unsigned int workers,
		  unsigned int per_worker, double *rate, struct bench_error *e)
{
	struct hs_worker w[16];
	pthread_t th[16];
	bool started[16] = { false };
	unsigned int i;
	double t0;
	int err = 0;

	if (workers > 16)
		workers = 16;
	t0 = bench_now();
	for (i = 0; i < workers; i++) {
		w[i] = (struct hs_worker){
			.kind = kind, .count = per_worker,
		};
		started[i] = !pthread_create(&th[i], NULL, hs_worker_run, &w[i]);
	}
	for (i = 0; i < workers; i++) {
		if (!started[i]) {
			if (!err)
				bench_set_error(e, EAGAIN, "cannot start a thread");
			err = err ?: -EAGAIN;
			continue;
		}
		pthread_join(th[i], NULL);
		if (!err && w[i].rc) {
			*e = w[i].err;
			err = w[i].rc;
		}
	}
	*rate = (double)(workers * per_worker) / (bench_now() - t0);
	return err;
}
