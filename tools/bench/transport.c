// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The four transports of the benchmark, behind one pair of calls: a
 * client exchange (send a BENCH_REQ_LEN request, receive the whole
 * response) and a server step (receive one request, send the response).
 *
 * Keys are installed directly on both ends from one random blob, with no
 * handshake: kTLS gets TLS 1.3 AES-256-GCM through TLS_TX / TLS_RX, sdrp
 * gets struct sdrp_keys through SDRP_KEYS (kernel) or
 * sdrp_peer_start_keys() (libsdrp peer).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/tls.h>
#include <sdrp/peer.h>
#include <sdrp/sdrp.h>

#include "bench.h"

#ifndef SOL_TLS
#define SOL_TLS		282
#endif

int bench_listener(void)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 4096)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int set_io_timeouts(int fd)
{
	struct timeval tv = {
		.tv_sec = BENCH_IO_TIMEOUT_MS / 1000,
		.tv_usec = (BENCH_IO_TIMEOUT_MS % 1000) * 1000,
	};
	int one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		return -errno;
	return 0;
}

int bench_tcp_connect(int listen_fd, int c, int *cfd, int *sfd)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int s, err;

	if (getsockname(listen_fd, (struct sockaddr *)&a, &alen)) {
		err = -errno;
		close(c);
		return err;
	}
	if (connect(c, (struct sockaddr *)&a, alen)) {
		err = -errno;
		close(c);
		return err;
	}
	s = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0) {
		err = -errno;
		close(c);
		return err;
	}
	if ((err = set_io_timeouts(c)) || (err = set_io_timeouts(s))) {
		close(c);
		close(s);
		return err;
	}
	*cfd = c;
	*sfd = s;
	return 0;
}

static int tcp_connect_pair(int listen_fd, int *cfd, int *sfd)
{
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (c < 0)
		return -errno;
	return bench_tcp_connect(listen_fd, c, cfd, sfd);
}

static int attach_ulp(int fd, const char *ulp, struct bench_error *e)
{
	if (!setsockopt(fd, IPPROTO_TCP, TCP_ULP, ulp, strlen(ulp) + 1))
		return 0;
	bench_set_error(e, errno, "TCP_ULP \"%s\": %s", ulp, strerror(errno));
	/* ENOENT: no such ULP registered (module missing) */
	e->unsupported = errno == ENOENT;
	return -e->err;
}

/* TLS 1.3 AES-256-GCM, one random key per direction, c2s and s2c. */
static int ktls_setup(int cfd, int sfd, struct bench_error *e)
{
	struct tls12_crypto_info_aes_gcm_256 ci[2];
	int i, err = 0;

	memset(ci, 0, sizeof(ci));
	for (i = 0; i < 2; i++) {
		ci[i].info.version = TLS_1_3_VERSION;
		ci[i].info.cipher_type = TLS_CIPHER_AES_GCM_256;
		bench_fill_random(ci[i].key, sizeof(ci[i].key));
		bench_fill_random(ci[i].iv, sizeof(ci[i].iv));
		bench_fill_random(ci[i].salt, sizeof(ci[i].salt));
	}
	if (attach_ulp(cfd, "tls", e) || attach_ulp(sfd, "tls", e)) {
		err = -e->err;
		goto out;
	}
	/* ci[0]: client to server, ci[1]: server to client */
	if (setsockopt(cfd, SOL_TLS, TLS_TX, &ci[0], sizeof(ci[0])) ||
	    setsockopt(cfd, SOL_TLS, TLS_RX, &ci[1], sizeof(ci[1])) ||
	    setsockopt(sfd, SOL_TLS, TLS_TX, &ci[1], sizeof(ci[1])) ||
	    setsockopt(sfd, SOL_TLS, TLS_RX, &ci[0], sizeof(ci[0]))) {
		bench_set_error(e, errno, "SOL_TLS TLS_TX/TLS_RX: %s",
				strerror(errno));
		e->unsupported = errno == ENOPROTOOPT || errno == EOPNOTSUPP;
		err = -e->err;
	}
out:
	sdrp_wipe(ci, sizeof(ci));
	return err;
}

/* One epoch's random keys and sequence state, shared by both ends. */
static void sdrp_random_keys(struct sdrp_keys *k)
{
	memset(k, 0, sizeof(*k));
	bench_fill_random(&k->c2s_seq, sizeof(k->c2s_seq));
	bench_fill_random(&k->s2c_seq, sizeof(k->s2c_seq));
	bench_fill_random(&k->c2s, sizeof(k->c2s));
	bench_fill_random(&k->s2c, sizeof(k->s2c));
	bench_fill_random(k->chain_key, sizeof(k->chain_key));
}

static struct sdrp_params bench_sdrp_params(const struct bench_transport *t)
{
	struct sdrp_params p = {
		.rekey_interval = t->rekey_interval,
		.recv_timeout_ms = BENCH_IO_TIMEOUT_MS,
		.close_timeout_ms = BENCH_IO_TIMEOUT_MS,
	};

	return p;
}

static int sdrp_kernel_setup(const struct bench_transport *t, int fd,
			     struct sdrp_keys *k, enum sdrp_role role,
			     struct bench_error *e)
{
	struct sdrp_params p = bench_sdrp_params(t);

	if (attach_ulp(fd, "sdrp", e))
		return -e->err;
	if (setsockopt(fd, SOL_SDRP, SDRP_PARAMS, &p, sizeof(p))) {
		bench_set_error(e, errno, "SDRP_PARAMS: %s", strerror(errno));
		e->unsupported = errno == ENOPROTOOPT;
		return -e->err;
	}
	k->role = role;
	if (setsockopt(fd, SOL_SDRP, SDRP_KEYS, k, sizeof(*k))) {
		bench_set_error(e, errno, "SDRP_KEYS: %s", strerror(errno));
		e->unsupported = errno == ENOPROTOOPT || errno == EOPNOTSUPP;
		return -e->err;
	}
	return 0;
}

static int sdrp_peer_setup(const struct bench_transport *t,
			   struct bench_endpoint *ep, struct sdrp_keys *k,
			   enum sdrp_role role, struct bench_error *e)
{
	struct sdrp_params p = bench_sdrp_params(t);
	int err;

	err = sdrp_peer_new(ep->fd, role, &p, &ep->peer);
	if (err) {
		bench_set_error(e, -err, "sdrp_peer_new: %s", strerror(-err));
		return err;
	}
	k->role = role;
	err = sdrp_peer_start_keys(ep->peer, k);
	if (err)
		bench_set_error(e, -err, "sdrp_peer_start_keys: %s",
				strerror(-err));
	return err;
}

int bench_pair_open(const struct bench_transport *t, int listen_fd,
		    struct bench_endpoint *client, struct bench_endpoint *server,
		    struct bench_error *e)
{
	struct sdrp_keys keys;
	int cfd = -1, sfd = -1, err;

	err = tcp_connect_pair(listen_fd, &cfd, &sfd);
	if (err) {
		bench_set_error(e, -err, "connect over loopback: %s",
				strerror(-err));
		return err;
	}
	*client = (struct bench_endpoint){ .fd = cfd, .kind = t->kind };
	*server = (struct bench_endpoint){ .fd = sfd, .kind = t->kind };

	sdrp_random_keys(&keys);
	switch (t->kind) {
	case BENCH_TCP:
		break;
	case BENCH_KTLS:
		err = ktls_setup(cfd, sfd, e);
		break;
	case BENCH_SDRP_KERNEL:
		err = sdrp_kernel_setup(t, cfd, &keys, SDRP_ROLE_CLIENT, e);
		if (!err)
			err = sdrp_kernel_setup(t, sfd, &keys, SDRP_ROLE_SERVER,
						e);
		break;
	case BENCH_SDRP_PEER:
		err = sdrp_peer_setup(t, client, &keys, SDRP_ROLE_CLIENT, e);
		if (!err)
			err = sdrp_peer_setup(t, server, &keys,
					      SDRP_ROLE_SERVER, e);
		break;
	}
	sdrp_wipe(&keys, sizeof(keys));
	if (err) {
		bench_endpoint_close(client);
		bench_endpoint_close(server);
	}
	return err;
}

void bench_endpoint_close(struct bench_endpoint *ep)
{
	if (ep->peer) {
		/* CLOSE / CLOSE ACK; a no-op once the session has ended */
		sdrp_peer_close(ep->peer);
		sdrp_peer_free(ep->peer);
		ep->peer = NULL;
	}
	if (ep->fd >= 0)
		close(ep->fd);
	ep->fd = -1;
}

/* Deterministic response bytes, so that a client can check them. */
void bench_response_pattern(uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 131 + (i >> 8) + 7);
}

/* ", close reason bad-mac" for a closed kernel sdrp socket, else "". */
static const char *sdrp_reason(int fd, char *buf, size_t len)
{
	struct sdrp_info info;
	socklen_t ilen = sizeof(info);

	buf[0] = '\0';
	if (!getsockopt(fd, SOL_SDRP, SDRP_INFO, &info, &ilen) &&
	    info.close_reason != SDRP_CLOSE_NONE)
		snprintf(buf, len, " (sdrp close reason %s)",
			 sdrp_close_reason_name(info.close_reason));
	return buf;
}

static int io_error_fd(int fd, struct bench_error *e, const char *what,
		       ssize_t n, size_t want)
{
	char why[64];

	if (n < 0) {
		int err = errno == EAGAIN ? ETIMEDOUT : errno;

		bench_set_error(e, err, "%s: %s%s", what, strerror(err),
				sdrp_reason(fd, why, sizeof(why)));
	} else if (n == 0) {
		bench_set_error(e, ECONNRESET, "%s: end of file", what);
	} else {
		bench_set_error(e, EPROTO, "%s: %zd of %zu bytes", what, n,
				want);
	}
	return -e->err;
}

static int io_error(struct bench_error *e, const char *what, ssize_t n,
		    size_t want)
{
	return io_error_fd(-1, e, what, n, want);
}

static int write_all(int fd, const uint8_t *buf, size_t len,
		     struct bench_error *e)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return io_error_fd(fd, e, "send", n, len);
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Return: 1 read all, 0 end of file before the first byte, < 0 error. */
static int read_exact(int fd, uint8_t *buf, size_t len, struct bench_error *e)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, buf + got, len - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 && got == 0)
			return 0;
		if (n <= 0)
			return io_error_fd(fd, e, "recv", n, len);
		got += (size_t)n;
	}
	return 1;
}

int bench_client_send(struct bench_endpoint *ep, const uint8_t *req,
		      struct bench_error *e)
{
	ssize_t n;

	switch (ep->kind) {
	case BENCH_TCP:
	case BENCH_KTLS:
		return write_all(ep->fd, req, BENCH_REQ_LEN, e);
	case BENCH_SDRP_KERNEL:
		/* one send() is one DATA REQUEST */
		n = send(ep->fd, req, BENCH_REQ_LEN, MSG_NOSIGNAL);
		if (n != BENCH_REQ_LEN)
			return io_error_fd(ep->fd, e, "send request", n,
					   BENCH_REQ_LEN);
		return 0;
	case BENCH_SDRP_PEER:
		break;
	}
	bench_set_error(e, EINVAL, "the peer sends and receives in one call");
	return -EINVAL;
}

int bench_client_recv(struct bench_endpoint *ep, uint8_t *resp,
		      size_t resp_len, struct bench_error *e)
{
	int err;

	if (ep->kind == BENCH_SDRP_PEER) {
		bench_set_error(e, EINVAL,
				"the peer sends and receives in one call");
		return -EINVAL;
	}
	/* sdrp: a response larger than the buffer continues at the next recv() */
	err = read_exact(ep->fd, resp, resp_len, e);
	if (err == 0)
		return io_error_fd(ep->fd, e, "recv response", 0, resp_len);
	return err < 0 ? err : 0;
}

int bench_client_exchange(struct bench_endpoint *ep, const uint8_t *req,
			  uint8_t *resp, size_t resp_len, struct bench_error *e)
{
	const uint8_t *body;
	size_t body_len;
	int err;

	if (ep->kind != BENCH_SDRP_PEER) {
		err = bench_client_send(ep, req, e);
		return err ? err : bench_client_recv(ep, resp, resp_len, e);
	}
	err = sdrp_peer_request(ep->peer, req, BENCH_REQ_LEN, &body, &body_len);
	if (err != 1) {
		err = err ? -err : ECONNRESET;
		bench_set_error(e, err, "sdrp_peer_request: %s", strerror(err));
		return -err;
	}
	if (body_len != resp_len) {
		bench_set_error(e, EPROTO, "response of %zu bytes, not %zu",
				body_len, resp_len);
		return -EPROTO;
	}
	/* the peer decrypted into its own buffer, as the kernel into ours */
	memcpy(resp, body, body_len);
	return 0;
}

int bench_server_serve(struct bench_endpoint *ep, uint8_t *buf,
		       const uint8_t *resp, size_t resp_len,
		       struct bench_error *e)
{
	const uint8_t *req;
	size_t req_len;
	ssize_t n;
	int err;

	switch (ep->kind) {
	case BENCH_TCP:
	case BENCH_KTLS:
		err = read_exact(ep->fd, buf, BENCH_REQ_LEN, e);
		if (err <= 0)
			return err;
		err = write_all(ep->fd, resp, resp_len, e);
		return err ? err : 1;
	case BENCH_SDRP_KERNEL:
		/* one recv() is one DATA REQUEST; 0 is the client's CLOSE */
		n = recv(ep->fd, buf, BENCH_REQ_LEN + 1, 0);
		if (n == 0)
			return 0;
		if (n != BENCH_REQ_LEN)
			return io_error_fd(ep->fd, e, "recv request", n,
					   BENCH_REQ_LEN);
		/* one send() is the whole DATA RESPONSE */
		n = send(ep->fd, resp, resp_len, MSG_NOSIGNAL);
		if (n < 0 || (size_t)n != resp_len)
			return io_error_fd(ep->fd, e, "send response", n,
					   resp_len);
		return 1;
	case BENCH_SDRP_PEER:
		err = sdrp_peer_next_request(ep->peer, &req, &req_len);
		if (err <= 0) {
			if (err < 0)
				bench_set_error(e, -err,
						"sdrp_peer_next_request: %s",
						strerror(-err));
			return err;
		}
		if (req_len != BENCH_REQ_LEN)
			return io_error(e, "request", (ssize_t)req_len,
					BENCH_REQ_LEN);
		err = sdrp_peer_respond(ep->peer, resp, resp_len);
		if (err) {
			bench_set_error(e, -err, "sdrp_peer_respond: %s",
					strerror(-err));
			return err;
		}
		return 1;
	}
	return -EINVAL;
}
