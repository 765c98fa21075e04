// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Handshake cost, each one over a fresh TCP connection, client and server
 * in two threads of this process, from connect() until both ends have
 * finished:
 *
 *   tls13        TLS 1.3 (OpenSSL), TLS_AES_256_GCM_SHA384, X25519, mutual
 *                RSA-3072 certificate authentication with RSA-PSS-SHA512
 *                signatures, no session resumption: the baseline;
 *   sdrp-daemon  sdrp on kernel sockets: TCP_ULP, then SDRP_HANDSHAKE on
 *                both ends, each through the sdrpd of its own host (network
 *                namespace) with RSA-3072 credentials; done when both
 *                setsockopt() calls returned and each end names the
 *                other's identity.  This is how an application gets an
 *                sdrp session, and the sdrp figure;
 *   sdrp-lib     the libsdrp initial handshake (HELLO, HELLO ACK, ACK)
 *                in this process through sdrp_peer_start_handshake(),
 *                RSA-3072 sdrp certificates from the same keys as TLS's:
 *                the protocol's own cost, without daemons and netlink.
 *
 * With two hosts (struct bench_hs_hosts: tools/bench/bench-vm.sh sets them
 * up with selftests/lib/sdrpd_hosts.sh) every kind runs between them, the
 * client in one network namespace and the server in the other, over their
 * veth pair; without, over loopback, and the daemon kind is unavailable.
 *
 * The RSA keys and X.509 certificates are made on the build host
 * (mkcerts.sh, RSA key generation is far too slow under TCG) and compiled
 * in; the sdrp certificates are issued here from the same keys, and
 * --write-keys hands the keys to the guest's sdrpd setup.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <linux/sdrp_netlink.h>
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

/* Where the ends run (struct bench_hs_hosts), -1: this namespace. */
static struct {
	int home_ns, client_ns, server_ns;
	struct in_addr server_addr;
	bool two_hosts;
	char client_id[SDRP_IDENTITY_MAX + 1];
	char server_id[SDRP_IDENTITY_MAX + 1];
} where = { -1, -1, -1, { 0 }, false, "", "" };

const char *bench_hs_name(enum bench_hs_kind kind)
{
	switch (kind) {
	case BENCH_HS_TLS13:
		return "tls13-rsa3072";
	case BENCH_HS_SDRP_LIB:
		return "sdrp-lib-rsa3072";
	case BENCH_HS_SDRP_DAEMON:
		return "sdrp-daemon-rsa3072";
	case BENCH_HS_KINDS:
		break;
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
		      struct sdrp_privkey *ca_key, struct sdrp_cert **out,
		      struct bench_error *e)
{
	uint64_t now = (uint64_t)time(NULL);
	struct sdrp_cert_template t = {
		.serial = now,
		.not_before = now - 3600,
		.not_after = now + 7 * 86400,
		.subject = subject,
		.issuer = HS_CA_ID,
	};
	int err = sdrp_cert_create(&t, key, ca_key, out);

	if (err)
		bench_set_error(e, -err, "sdrp_cert_create %s: %s", subject,
				strerror(-err));
	return err;
}

static int open_netns(const char *name, int *fd, struct bench_error *e)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		bench_set_error(e, errno, "network namespace %s: %s", path,
				strerror(errno));
		return -e->err;
	}
	return 0;
}

static int copy_id(char *dst, const char *src, const char *what,
		   struct bench_error *e)
{
	if (!src || !sdrp_identity_valid(src)) {
		bench_set_error(e, EINVAL, "%s identity \"%s\" is not valid",
				what, src ? src : "");
		return -EINVAL;
	}
	snprintf(dst, SDRP_IDENTITY_MAX + 1, "%s", src);
	return 0;
}

static int hosts_init(const struct bench_hs_hosts *h, struct bench_error *e)
{
	int err;

	where.server_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!h || !h->client_netns)
		return 0;
	if (!h->server_netns || !h->server_addr ||
	    inet_pton(AF_INET, h->server_addr, &where.server_addr) != 1) {
		bench_set_error(e, EINVAL,
				"two hosts need both namespaces and the server's IPv4 address");
		return -EINVAL;
	}
	if ((err = copy_id(where.client_id, h->client_id, "client", e)) ||
	    (err = copy_id(where.server_id, h->server_id, "server", e)))
		return err;
	where.home_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (where.home_ns < 0) {
		bench_set_error(e, errno, "/proc/thread-self/ns/net: %s",
				strerror(errno));
		return -e->err;
	}
	if ((err = open_netns(h->client_netns, &where.client_ns, e)) ||
	    (err = open_netns(h->server_netns, &where.server_ns, e)))
		return err;
	where.two_hosts = true;
	return 0;
}

int bench_hs_init(const struct bench_hs_hosts *hosts, struct bench_error *e)
{
	int err;

	err = hosts_init(hosts, e);
	if (err)
		return err;
	hs.tls_server = tls_ctx(true, bench_server_key_pem,
				bench_server_cert_pem, e);
	hs.tls_client = tls_ctx(false, bench_client_key_pem,
				bench_client_cert_pem, e);
	if (!hs.tls_server || !hs.tls_client)
		return -e->err;

	if ((err = sdrp_key(bench_ca_key_pem, &hs.ca_key, e)) ||
	    (err = sdrp_key(bench_server_key_pem, &hs.server_key, e)) ||
	    (err = sdrp_key(bench_client_key_pem, &hs.client_key, e)) ||
	    (err = sdrp_issue(HS_CA_ID, hs.ca_key, hs.ca_key, &hs.ca, e)) ||
	    (err = sdrp_issue(HS_SERVER_ID, hs.server_key, hs.ca_key,
			      &hs.server_cert, e)) ||
	    (err = sdrp_issue(HS_CLIENT_ID, hs.client_key, hs.ca_key,
			      &hs.client_cert, e)))
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
	int *fds[] = { &where.home_ns, &where.client_ns, &where.server_ns };
	unsigned int i;

	SSL_CTX_free(hs.tls_server);
	SSL_CTX_free(hs.tls_client);
	sdrp_cert_free(hs.ca);
	sdrp_cert_free(hs.server_cert);
	sdrp_cert_free(hs.client_cert);
	sdrp_privkey_free(hs.ca_key);
	sdrp_privkey_free(hs.server_key);
	sdrp_privkey_free(hs.client_key);
	sdrp_wipe(&hs, sizeof(hs));
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	where.two_hosts = false;
}

int bench_hs_write_keys(const char *dir, struct bench_error *e)
{
	static const struct {
		const char *file, *pem;
	} keys[] = {
		{ "ca.key", bench_ca_key_pem },
		{ "client.key", bench_client_key_pem },
		{ "server.key", bench_server_key_pem },
	};
	struct sdrp_privkey *k = NULL;
	struct sdrp_cert *ca = NULL;
	char path[PATH_MAX];
	unsigned int i;
	int err = 0;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && !err; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, keys[i].file);
		err = sdrp_key(keys[i].pem, &k, e);
		if (!err && (err = sdrp_privkey_save(k, path)))
			bench_set_error(e, -err, "%s: %s", path, strerror(-err));
		/* the CA's certificate, self-signed by its key */
		if (!err && !i) {
			err = sdrp_issue(HS_CA_ID, k, k, &ca, e);
			snprintf(path, sizeof(path), "%s/ca.crt", dir);
			if (!err && (err = sdrp_cert_save(ca, path)))
				bench_set_error(e, -err, "%s: %s", path,
						strerror(-err));
			sdrp_cert_free(ca);
		}
		sdrp_privkey_free(k);
		k = NULL;
	}
	return err;
}

/* A TCP socket in the network namespace @ns (-1: this thread's own). */
static int socket_in(int ns)
{
	int fd, err = 0;

	if (ns >= 0 && setns(ns, CLONE_NEWNET))
		return -errno;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err = -errno;
	if (ns >= 0 && setns(where.home_ns, CLONE_NEWNET)) {
		/* every later socket of this thread would be misplaced */
		perror("sdrp-bench: setns back to the home namespace");
		exit(1);
	}
	return fd < 0 ? err : fd;
}

/* A listener of the server host, on an ephemeral port. */
static int hs_listener(struct bench_error *e)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET, .sin_addr = where.server_addr,
	};
	int one = 1, fd = socket_in(where.server_ns), err;

	if (fd < 0) {
		bench_set_error(e, -fd, "server socket: %s", strerror(-fd));
		return fd;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 64)) {
		err = -errno;
		bench_set_error(e, errno, "listen on %s: %s",
				inet_ntoa(where.server_addr), strerror(errno));
		close(fd);
		return err;
	}
	return fd;
}

/* One side of one handshake, run in its own thread or the caller's. */
struct hs_side {
	enum bench_hs_kind kind;
	bool server;
	int fd;
	double done;			/* bench_now() when established */
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
	s->done = bench_now();
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
		/* freeing wipes two 1 MiB buffers: teardown, not handshake */
		s->done = bench_now();
		sdrp_peer_free(peer);
	}
	if (err)
		bench_set_error(&s->err, -err, "%s handshake: %s",
				s->server ? "server" : "client",
				strerror(-err));
	return err;
}

/*
 * The kernel socket's handshake through this host's sdrpd: each end asks
 * for the other's identity and checks the one sdrpd verified.
 */
static int daemon_side(struct hs_side *s)
{
	const char *role = s->server ? "server" : "client";
	const char *want = s->server ? where.client_id : where.server_id;
	struct sdrp_handshake req = {
		.role = s->server ? SDRP_ROLE_SERVER : SDRP_ROLE_CLIENT,
		.timeout_ms = BENCH_IO_TIMEOUT_MS,
	};
	char got[SDRP_IDENTITY_MAX + 1];
	socklen_t len = sizeof(got);

	snprintf(req.peer, sizeof(req.peer), "%s", want);
	if (setsockopt(s->fd, IPPROTO_TCP, TCP_ULP, "sdrp", sizeof("sdrp"))) {
		bench_set_error(&s->err, errno, "TCP_ULP \"sdrp\": %s",
				strerror(errno));
		s->err.unsupported = errno == ENOENT;
	} else if (setsockopt(s->fd, SOL_SDRP, SDRP_HANDSHAKE, &req,
			      sizeof(req))) {
		bench_set_error(&s->err, errno, "%s SDRP_HANDSHAKE: %s%s", role,
				strerror(errno),
				errno == ESRCH ? " (no sdrpd in its namespace)" :
				"");
	} else if (s->done = bench_now(),
		   getsockopt(s->fd, SOL_SDRP, SDRP_PEER_IDENTITY, got,
			      &len)) {
		bench_set_error(&s->err, errno, "%s SDRP_PEER_IDENTITY: %s",
				role, strerror(errno));
	} else if (strncmp(got, want, sizeof(got))) {
		bench_set_error(&s->err, EKEYREJECTED,
				"%s: sdrpd verified \"%.*s\", not \"%s\"", role,
				(int)sizeof(got), got, want);
	} else {
		return 0;
	}
	return -s->err.err;
}

static void *hs_side_run(void *arg)
{
	struct hs_side *s = arg;

	switch (s->kind) {
	case BENCH_HS_TLS13:
		s->rc = tls_side(s);
		break;
	case BENCH_HS_SDRP_DAEMON:
		s->rc = daemon_side(s);
		break;
	default:
		s->rc = sdrp_side(s);
		break;
	}
	return NULL;
}

/*
 * One whole handshake on a fresh connection; its duration in seconds, from
 * connect() until the later of the two ends is established (tearing down,
 * e.g. freeing the libsdrp peer, is not counted).
 */
static int hs_once(enum bench_hs_kind kind, int listen_fd, double *seconds,
		   struct bench_error *e)
{
	struct hs_side cs = { .kind = kind }, ss = { .kind = kind, .server = true };
	double t0 = bench_now();
	pthread_t th;
	int err, c;

	c = socket_in(where.client_ns);
	if (c < 0) {
		bench_set_error(e, -c, "client socket: %s", strerror(-c));
		return c;
	}
	err = bench_tcp_connect(listen_fd, c, &cs.fd, &ss.fd);
	if (err) {
		bench_set_error(e, -err, "connect to %s: %s",
				inet_ntoa(where.server_addr), strerror(-err));
		return err;
	}
	if (pthread_create(&th, NULL, hs_side_run, &ss)) {
		bench_set_error(e, EAGAIN, "cannot start a thread");
		err = -EAGAIN;
		goto out;
	}
	hs_side_run(&cs);
	if (cs.rc)
		/* the server may wait for a message that will not come */
		shutdown(cs.fd, SHUT_RDWR);
	pthread_join(th, NULL);
	*seconds = (cs.done > ss.done ? cs.done : ss.done) - t0;
	if (cs.rc) {
		*e = cs.err;
		err = cs.rc;
	} else if (ss.rc) {
		*e = ss.err;
		err = ss.rc;
	}
out:
	close(cs.fd);
	close(ss.fd);
	return err;
}

struct hs_worker {
	enum bench_hs_kind kind;
	unsigned int count;
	double *latencies;		/* NULL or count */
	struct bench_error err;
	int rc;
};

static void *hs_worker_run(void *arg)
{
	struct hs_worker *w = arg;
	int listen_fd = hs_listener(&w->err);
	double s;
	unsigned int i;

	/* a listener each: every worker drives both ends of its connections */
	if (listen_fd < 0) {
		w->rc = listen_fd;
		return NULL;
	}
	for (i = 0; i < w->count && !w->rc; i++) {
		w->rc = hs_once(w->kind, listen_fd, &s, &w->err);
		if (!w->rc && w->latencies)
			w->latencies[i] = s;
	}
	close(listen_fd);
	return NULL;
}

/*
 * The handshake's own computation, in this one thread with no I/O: TLS
 * through a BIO pair; sdrp through the three turns sdrpd runs (client
 * HELLO, server HELLO ACK, client finish), which the in-process handshake
 * runs too.  What a handshake costs at the least, next to its latency.
 */
static int tls_cpu(struct bench_error *e)
{
	SSL *c = SSL_new(hs.tls_client), *s = SSL_new(hs.tls_server);
	BIO *cb = NULL, *sb = NULL;
	int rc_c = 0, rc_s = 0, i, err = 0;

	if (!c || !s || !BIO_new_bio_pair(&cb, 0, &sb, 0) ||
	    !SSL_set1_host(c, HS_SERVER_ID)) {
		tls_error(e, "TLS in memory");
		err = -EPROTO;
		goto out;
	}
	SSL_set_bio(c, cb, cb);
	SSL_set_bio(s, sb, sb);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	/* each call runs until it needs the other's next flight */
	for (i = 0; i < 16 && (rc_c != 1 || rc_s != 1); i++) {
		if (rc_c != 1)
			rc_c = SSL_do_handshake(c);
		if (rc_s != 1)
			rc_s = SSL_do_handshake(s);
	}
	if (rc_c != 1 || rc_s != 1) {
		tls_error(e, "TLS in memory: handshake");
		err = -EPROTO;
	}
out:
	SSL_free(c);
	SSL_free(s);
	return err;
}

static int sdrp_cpu(struct bench_error *e)
{
	uint8_t hello[SDRP_HELLO_RECORD_MAX], ack[SDRP_HELLO_RECORD_MAX];
	struct sdrp_hs *c = NULL, *s = NULL;
	struct sdrp_hs_result rc, rs;
	enum sdrp_err why = SDRP_ERR_NONE;
	uint64_t now = (uint64_t)time(NULL) * 1000;
	ssize_t hlen = -EINVAL, alen = -EINVAL;
	int err;

	err = sdrp_hs_new(&c, &hs.client_cfg);
	if (!err)
		err = sdrp_hs_new(&s, &hs.server_cfg);
	if (!err)
		hlen = sdrp_hs_client_hello(c, now, hello, sizeof(hello));
	if (!err && hlen > 0)
		alen = sdrp_hs_server_hello(s, hello, (size_t)hlen, now, ack,
					    sizeof(ack), &rs, &why);
	if (!err && hlen > 0 && alen > 0)
		err = sdrp_hs_client_finish(c, ack, (size_t)alen, now, &rc,
					    &why);
	else if (!err)
		err = hlen < 0 ? (int)hlen : (int)alen;
	if (err)
		bench_set_error(e, -err, "libsdrp turns in memory: %s (%s)",
				strerror(-err), sdrp_err_name(why));
	sdrp_wipe(&rc, sizeof(rc));
	sdrp_wipe(&rs, sizeof(rs));
	sdrp_hs_free(c);
	sdrp_hs_free(s);
	return err;
}

int bench_hs_cpu(enum bench_hs_kind kind, double *seconds,
		 struct bench_error *e)
{
	double t0 = bench_now();
	int err = kind == BENCH_HS_TLS13 ? tls_cpu(e) : sdrp_cpu(e);

	*seconds = bench_now() - t0;
	return err;
}

#define HS_WORKERS_MAX	16

int bench_hs_run(enum bench_hs_kind kind, unsigned int workers,
		 unsigned int per_worker, double *rate, double *latencies,
		 struct bench_error *e)
{
	struct hs_worker w[HS_WORKERS_MAX];
	pthread_t th[HS_WORKERS_MAX];
	bool started[HS_WORKERS_MAX] = { false };
	unsigned int i;
	double t0;
	int err = 0;

	if (kind == BENCH_HS_SDRP_DAEMON && !where.two_hosts) {
		bench_set_error(e, EOPNOTSUPP,
				"needs two hosts with an sdrpd each (--hs-netns, --hs-addr, --hs-ids; tools/bench/bench-vm.sh sets them up)");
		e->unsupported = true;
		return -EOPNOTSUPP;
	}
	if (!workers || workers > HS_WORKERS_MAX || !per_worker) {
		bench_set_error(e, EINVAL, "1 to %d workers, at least 1 handshake each",
				HS_WORKERS_MAX);
		return -EINVAL;
	}
	t0 = bench_now();
	for (i = 0; i < workers; i++) {
		w[i] = (struct hs_worker){
			.kind = kind, .count = per_worker,
			.latencies = latencies ? latencies + i * per_worker :
						 NULL,
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
