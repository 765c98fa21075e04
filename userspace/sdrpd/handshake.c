// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * One turn of a handshake request (Documentation/netlink/handshake.rst).
 *
 * A turn is CPU only: the kernel has already framed the peer's record and
 * will send ours, so nothing here waits on a socket and one slow peer
 * cannot hold up another.  The RSA operations are the cost; turns run in
 * the worker threads (workers.c) and everything here is thread safe.
 *
 *   client-hello   sdrp_hs_client_hello(), keep the sdrp_hs by handle,
 *                  answer SEND with the HELLO and the hello MAC keys
 *   server-hello   replay cache, sdrp_hs_server_hello(), answer DONE with
 *                  the HELLO ACK, the keys and the hello MAC keys
 *   client-finish  take the sdrp_hs back, sdrp_hs_client_finish(), answer
 *                  DONE with the keys and the hello MAC keys
 *
 * Every failure becomes DONE with a positive errno (sdrpd_status_of()) and
 * a close reason, and one log line naming the peer and the reason.  When
 * the peer's record carried a valid MAC (the peer knows s0), the answer
 * also carries a clear CLOSE so that the peer learns of the refusal at
 * once rather than by its timeout.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sdrp_netlink.h>

#include "nl_sockaddr.h"
#include "sdrpd.h"

/* A client handshake between its two turns. */
struct pending {
	struct pending *next;
	uint32_t handle;
	struct sdrp_hs *hs;
	struct sdrpd_config *cfg;	/* hs borrows its credentials */
	uint8_t s0[SDRP_S0_LEN];
	uint64_t hello_seq;		/* our HELLO's seq */
	uint64_t deadline_ms;		/* the kernel fails it after this */
	uint32_t ttl_ms;
	uint32_t clock_skew_ms;
	char server[SDRP_IDENTITY_MAX + 1];
};

struct sdrpd_engine {
	pthread_mutex_t lock;		/* protects pending */
	struct pending *pending;
	struct sdrpd_replay *replay;
};

int sdrpd_engine_new(struct sdrpd_engine **out, size_t replay_max)
{
	struct sdrpd_engine *e;
	int rc;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	rc = sdrpd_replay_new(&e->replay, replay_max);
	if (rc) {
		free(e);
		return rc;
	}
	pthread_mutex_init(&e->lock, NULL);
	*out = e;
	return 0;
}

static void pending_free(struct pending *p)
{
	sdrp_hs_free(p->hs);
	sdrpd_config_put(p->cfg);
	sdrp_wipe(p->s0, sizeof(p->s0));
	free(p);
}

void sdrpd_engine_free(struct sdrpd_engine *e)
{
	struct pending *p, *next;

	if (!e)
		return;
	for (p = e->pending; p; p = next) {
		next = p->next;
		pending_free(p);
	}
	sdrpd_replay_free(e->replay);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

/*
 * Keep a client handshake until its HELLO ACK turn.  The kernel owns the
 * timeout and does not tell the daemon when it fails a request, so a
 * handshake past its deadline can never come back: those are dropped
 * here, which bounds the list by what the kernel keeps pending.
 */
static void pending_add(struct sdrpd_engine *e, struct pending *p,
			uint64_t now_ms)
{
	struct pending **pp, *q, *stale = NULL;

	pthread_mutex_lock(&e->lock);
	for (pp = &e->pending; (q = *pp);) {
		if (q->deadline_ms < now_ms) {
			*pp = q->next;
			q->next = stale;
			stale = q;
		} else {
			pp = &q->next;
		}
	}
	p->next = e->pending;
	e->pending = p;
	pthread_mutex_unlock(&e->lock);
	for (; stale; stale = q) {
		q = stale->next;
		sdrpd_log(LOG_INFO, "handshake %u: no HELLO ACK turn before the deadline: forgotten",
			  stale->handle);
		pending_free(stale);
	}
}

static struct pending *pending_take(struct sdrpd_engine *e, uint32_t handle)
{
	struct pending **pp, *p;

	pthread_mutex_lock(&e->lock);
	for (pp = &e->pending; (p = *pp); pp = &p->next)
		if (p->handle == handle) {
			*pp = p->next;
			break;
		}
	pthread_mutex_unlock(&e->lock);
	return p;
}

bool sdrpd_hs_forget(struct sdrpd_engine *e, uint32_t handle)
{
	struct pending *p = pending_take(e, handle);

	if (p)
		pending_free(p);
	return p != NULL;
}

size_t sdrpd_hs_drain(struct sdrpd_engine *e,
		      void (*cb)(uint32_t handle, void *arg), void *arg)
{
	struct pending *p, *next;
	size_t n = 0;

	pthread_mutex_lock(&e->lock);
	p = e->pending;
	e->pending = NULL;
	pthread_mutex_unlock(&e->lock);
	for (; p; p = next, n++) {
		next = p->next;
		cb(p->handle, arg);
		pending_free(p);
	}
	return n;
}

/*
 * The library's reason decides the errno when there is one; otherwise the
 * return code (a local failure such as -ENOMEM) does.
 */
uint32_t sdrpd_status_of(int rc, enum sdrp_err err)
{
	if (err != SDRP_ERR_NONE)
		return (uint32_t)sdrp_err_errno(err);
	if (rc < 0 && rc >= -4095)
		return (uint32_t)-rc;
	return EIO;
}

uint32_t sdrpd_hs_error_of(enum sdrp_err err)
{
	switch (err) {
	case SDRP_ERR_NONE:
		return SDRP_HS_ERROR_NONE;
	case SDRP_ERR_BAD_MAC:
	case SDRP_ERR_BAD_TAG:
		return SDRP_HS_ERROR_BAD_MAC;
	case SDRP_ERR_UNKNOWN_CA:
		return SDRP_HS_ERROR_UNKNOWN_CA;
	case SDRP_ERR_CERT_SIGNATURE:
		return SDRP_HS_ERROR_CERT_SIGNATURE;
	case SDRP_ERR_CERT_EXPIRED:
		return SDRP_HS_ERROR_CERT_EXPIRED;
	case SDRP_ERR_CERT_NOT_YET_VALID:
		return SDRP_HS_ERROR_CERT_NOT_YET_VALID;
	case SDRP_ERR_IDENTITY:
		return SDRP_HS_ERROR_IDENTITY;
	case SDRP_ERR_HELLO_SIGNATURE:
		return SDRP_HS_ERROR_HELLO_SIGNATURE;
	case SDRP_ERR_WEAK_DH:
		return SDRP_HS_ERROR_WEAK_DH;
	case SDRP_ERR_STALE_TTL:
		return SDRP_HS_ERROR_STALE_TTL;
	case SDRP_ERR_FUTURE_TTL:
		return SDRP_HS_ERROR_FUTURE_TTL;
	case SDRP_ERR_BAD_SEQ:
	case SDRP_ERR_HELLO_INTERVAL:
		return SDRP_HS_ERROR_BAD_SEQ;
	default:
		/* Every layout and encoding reason. */
		return SDRP_HS_ERROR_MALFORMED;
	}
}

/* The reason of a failure the daemon itself decides, by its status. */
static uint32_t hs_error_of_status(uint32_t status)
{
	switch (status) {
	case EALREADY:
		return SDRP_HS_ERROR_REPLAY;
	case ENOKEY:
		return SDRP_HS_ERROR_NO_CREDENTIALS;
	case ECONNREFUSED:
		return SDRP_HS_ERROR_PEER_REFUSED;
	case ECONNABORTED:
		return SDRP_HS_ERROR_LOST_STATE;
	case ETIMEDOUT:
		return SDRP_HS_ERROR_TIMEOUT;
	case EPROTO:
		return SDRP_HS_ERROR_MALFORMED;
	case EKEYREJECTED:
		return SDRP_HS_ERROR_IDENTITY;
	default:
		return SDRP_HS_ERROR_INTERNAL;
	}
}

/*
 * Whether a refused record's MAC had verified: the library checks type and
 * header, then the MAC, then everything else; its reasons after the MAC
 * are those past BAD_TAG, except UNEXPECTED_TYPE, which it checks first.
 */
static bool mac_verified(enum sdrp_err err)
{
	return err > SDRP_ERR_BAD_TAG && err != SDRP_ERR_UNEXPECTED_TYPE;
}

/* seq of a clear record (the first inner field), 0 if too short. */
static uint64_t clear_seq(const uint8_t *rec, size_t len)
{
	if (len < SDRP_HDR_LEN + SDRP_SEQ_LEN)
		return 0;
	return sdrp_get_be64(rec + SDRP_HDR_LEN);
}

static void put_hello_keys(struct sdrpd_answer *ans,
			   const uint8_t s0[SDRP_S0_LEN])
{
	struct sdrp_s0_keys s0k;

	sdrp_kdf_s0(&s0k, s0);
	memcpy(ans->hello_mac_c2s, s0k.c2s_hello_mac, SDRP_MAC_KEY_LEN);
	memcpy(ans->hello_mac_s2c, s0k.s2c_hello_mac, SDRP_MAC_KEY_LEN);
	ans->has_hello_keys = true;
	sdrp_wipe(&s0k, sizeof(s0k));
}

/*
 * The clear record (CLOSE, or CLOSE ACK) this side sends instead of going
 * on (Documentation/protocol.rst, "Close before the keys exist"): the
 * server's CLOSE takes the place of the HELLO ACK (clear counter 0, seq n,
 * even if a HELLO ACK was built: it is never sent); the client's follows
 * its HELLO (clear counter 1, seq n + 1).  The hello MAC keys go with it,
 * so that the kernel can run the rest of the close exchange.
 */
static void put_clear(struct sdrpd_answer *ans, struct sdrp_hs *hs,
		      unsigned int type, uint64_t counter, uint64_t seq,
		      uint32_t ttl_ms, uint64_t now_ms,
		      const uint8_t s0[SDRP_S0_LEN])
{
	struct sdrp_cipher *tx = sdrp_hs_clear_tx(hs);
	struct sdrp_msg m = {
		.type = (uint8_t)type,
		.seq = seq,
		.ttl = now_ms + (ttl_ms ? ttl_ms : SDRP_DEFAULT_TTL_MS),
	};
	ssize_t len;

	if (!tx || !s0)
		return;
	sdrp_cipher_set_counter(tx, counter);
	len = sdrp_record_seal(tx, &m, ans->record, sizeof(ans->record));
	if (len <= 0)
		return;
	ans->record_len = (size_t)len;
	put_hello_keys(ans, s0);
}

/*
 * The s0 whose c2s hello MAC key authenticates @hello (the one the
 * library selected), for a refusal past the MAC check; NULL if none.
 */
static const uint8_t *hello_s0(const struct sdrpd_config *cfg,
			       const uint8_t *hello, size_t len)
{
	struct sdrp_cipher *rx;
	struct sdrp_s0_keys k;
	struct sdrp_msg m;
	uint8_t *copy;
	size_t i;
	int rc = -1;

	copy = malloc(len);
	if (!copy)
		return NULL;
	for (i = 0; i < cfg->n_peers && rc; i++) {
		sdrp_kdf_s0(&k, cfg->peers[i].s0);
		rc = sdrp_cipher_new_clear(&rx, k.c2s_hello_mac, 0);
		sdrp_wipe(&k, sizeof(k));
		if (rc)
			break;
		memcpy(copy, hello, len);
		rc = sdrp_record_open(rx, copy, len, &m, NULL);
		sdrp_cipher_free(rx);
	}
	free(copy);
	return rc ? NULL : cfg->peers[i - 1].s0;
}

static void done_fail(struct sdrpd_answer *ans, uint32_t status,
		      uint32_t close_reason, const char *reason)
{
	ans->cmd = SDRP_CMD_DONE;
	ans->status = status;
	ans->close_reason = close_reason;
	ans->error = hs_error_of_status(status);
	ans->has_keys = false;
	ans->has_hello_keys = false;
	ans->reason = reason;
}

/* A refusal by the library: its reason decides everything. */
static void lib_fail(struct sdrpd_answer *ans, int rc, enum sdrp_err err,
		     uint32_t close_reason)
{
	done_fail(ans, sdrpd_status_of(rc, err),
		  err ? sdrp_err_close_reason(err) : close_reason,
		  err ? sdrp_err_name(err) : strerror(-rc));
	if (err)
		ans->error = sdrpd_hs_error_of(err);
}

static void done_keys(struct sdrpd_answer *ans, struct sdrp_hs_result *res,
		      const uint8_t s0[SDRP_S0_LEN])
{
	ans->cmd = SDRP_CMD_DONE;
	ans->status = 0;
	ans->has_keys = true;
	ans->keys = res->keys;
	put_hello_keys(ans, s0);
	memcpy(ans->peer_identity, res->peer_identity,
	       sizeof(ans->peer_identity));
	ans->rekey_interval = res->rekey_interval;
	sdrp_wipe(res, sizeof(*res));
}

/* Smaller of the socket's interval and the configuration's (0: none). */
static uint32_t interval_of(const struct sdrpd_config *cfg,
			    const struct sdrpd_request *req)
{
	uint32_t v = req->rekey_interval;

	if (cfg->rekey_interval && (!v || cfg->rekey_interval < v))
		v = cfg->rekey_interval;
	return v;
}

/* What both roles take from the configuration and the socket's request. */
static void hs_config_fill(struct sdrp_hs_config *hc,
			   const struct sdrpd_config *cfg,
			   const struct sdrpd_request *req)
{
	hc->key = cfg->key;
	hc->cert = cfg->cert;
	hc->ca = cfg->ca;
	hc->rekey_interval = interval_of(cfg, req);
	hc->ttl_ms = req->ttl_ms;
	hc->clock_skew_ms = req->clock_skew_ms;
}

static void client_hello(struct sdrpd_engine *e, struct sdrpd_config *cfg,
			 const struct sdrpd_request *req, uint64_t now_ms,
			 struct sdrpd_answer *ans)
{
	struct sdrp_hs_config hc = { .role = SDRP_ROLE_CLIENT };
	const struct sdrpd_peer *peer;
	struct pending *p;
	ssize_t len;
	int rc;

	if (!req->has_peer_identity) {
		done_fail(ans, ENOKEY, SDRP_CLOSE_AUTH,
			  "the application gave no server identity");
		return;
	}
	peer = sdrpd_config_peer(cfg, req->peer_identity);
	if (!peer) {
		done_fail(ans, ENOKEY, SDRP_CLOSE_AUTH,
			  "no [peer] section lists this server identity");
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		done_fail(ans, ENOMEM, SDRP_CLOSE_INTERNAL, "out of memory");
		return;
	}
	p->handle = req->handle;
	p->cfg = sdrpd_config_get(cfg);
	p->ttl_ms = req->ttl_ms;
	p->clock_skew_ms = req->clock_skew_ms;
	memcpy(p->s0, peer->s0, SDRP_S0_LEN);
	snprintf(p->server, sizeof(p->server), "%s", req->peer_identity);
	hs_config_fill(&hc, cfg, req);
	hc.s0 = p->s0;
	hc.server_identity = p->server;
	rc = sdrp_hs_new(&p->hs, &hc);
	if (!rc) {
		len = sdrp_hs_client_hello(p->hs, now_ms, ans->record,
					   sizeof(ans->record));
		rc = len < 0 ? (int)len : 0;
	}
	if (rc) {
		pending_free(p);
		done_fail(ans, sdrpd_status_of(rc, SDRP_ERR_NONE),
			  SDRP_CLOSE_INTERNAL, "cannot build the HELLO");
		return;
	}
	ans->record_len = (size_t)len;
	p->hello_seq = clear_seq(ans->record, ans->record_len);
	/* The kernel's clear CLOSE if no HELLO ACK comes in time. */
	put_hello_keys(ans, p->s0);
	/* A second of grace for a turn queued just before the deadline. */
	p->deadline_ms = req->received_ms + req->timeout_ms + 1000;
	ans->cmd = SDRP_CMD_SEND;
	pending_add(e, p, now_ms);
}

/*
 * client-finish with a clear CLOSE where the HELLO ACK should be: the
 * server refused us.  Only the daemon holds the s2c hello MAC key that
 * authenticates it; a CLOSE that does not verify is a refused record
 * (EBADMSG, answered with our CLOSE), one that does is the server's
 * refusal (ECONNREFUSED, answered with a CLOSE ACK).
 */
static void peer_close(struct sdrpd_answer *ans, struct pending *p,
		       const struct sdrpd_request *req, uint64_t now_ms)
{
	struct sdrp_cipher *rx = sdrp_hs_clear_rx(p->hs);
	enum sdrp_err err = SDRP_ERR_NONE;
	struct sdrp_msg m;
	uint8_t *copy;
	int rc = -EPROTO;

	copy = malloc(req->record_len);
	if (!copy) {
		done_fail(ans, ENOMEM, SDRP_CLOSE_INTERNAL, "out of memory");
		return;
	}
	memcpy(copy, req->record, req->record_len);
	if (rx)
		rc = sdrp_record_open(rx, copy, req->record_len, &m, &err);
	/* The server's first message carries our HELLO's seq. */
	if (!rc)
		rc = sdrp_check_seq(&m, p->hello_seq, &err);
	if (!rc)
		rc = sdrp_check_ttl(&m, now_ms, p->ttl_ms, p->clock_skew_ms,
				    &err);
	free(copy);
	if (rc) {
		/* Like any refused HELLO ACK: our own CLOSE. */
		lib_fail(ans, rc, err, SDRP_CLOSE_MALFORMED);
		put_clear(ans, p->hs, SDRP_MSG_CLOSE, 1, p->hello_seq + 1,
			  p->ttl_ms, now_ms, p->s0);
		return;
	}
	done_fail(ans, ECONNREFUSED, SDRP_CLOSE_PEER,
		  "the server refused the handshake (CLOSE)");
	/* Answered as usual: a clear CLOSE ACK, then closed. */
	put_clear(ans, p->hs, SDRP_MSG_CLOSE_ACK, 1, p->hello_seq + 1,
		  p->ttl_ms, now_ms, p->s0);
	/* Nothing follows a CLOSE ACK: the kernel needs no hello key. */
	sdrp_wipe(ans->hello_mac_c2s, sizeof(ans->hello_mac_c2s));
	sdrp_wipe(ans->hello_mac_s2c, sizeof(ans->hello_mac_s2c));
	ans->has_hello_keys = false;
}

static void client_finish(struct sdrpd_engine *e,
			  const struct sdrpd_request *req, uint64_t now_ms,
			  struct sdrpd_answer *ans)
{
	enum sdrp_err err = SDRP_ERR_NONE;
	struct sdrp_hs_result res;
	struct pending *p;
	int rc;

	p = pending_take(e, req->handle);
	if (!p) {
		done_fail(ans, ECONNABORTED, SDRP_CLOSE_INTERNAL,
			  "no client handshake with this handle (daemon restarted?)");
		return;
	}
	if (!req->record) {
		done_fail(ans, EPROTO, SDRP_CLOSE_MALFORMED,
			  "no HELLO ACK record in the request");
		goto out;
	}
	if (req->record_len > 1 && req->record[1] == SDRP_MSG_CLOSE) {
		peer_close(ans, p, req, now_ms);
		goto out;
	}
	rc = sdrp_hs_client_finish(p->hs, req->record, req->record_len,
				   now_ms, &res, &err);
	if (rc) {
		lib_fail(ans, rc, err, SDRP_CLOSE_INTERNAL);
		/* Our CLOSE is ours to authenticate: sent whatever failed. */
		put_clear(ans, p->hs, SDRP_MSG_CLOSE, 1, p->hello_seq + 1,
			  p->ttl_ms, now_ms, p->s0);
		goto out;
	}
	done_keys(ans, &res, p->s0);
out:
	pending_free(p);
}

static void server_hello(struct sdrpd_engine *e, struct sdrpd_config *cfg,
			 const struct sdrpd_request *req, uint64_t now_ms,
			 struct sdrpd_answer *ans)
{
	struct sdrp_hs_config hc = { .role = SDRP_ROLE_SERVER };
	enum sdrp_err err = SDRP_ERR_NONE;
	const struct sdrpd_peer *peer;
	const uint8_t *tag;
	struct sdrp_hs_result res;
	struct sdrp_rec_hdr h;
	struct sdrp_hs *hs = NULL;
	uint64_t ttl;
	ssize_t len;
	int rc;

	if (!req->record || sdrp_rec_hdr_decode(req->record, req->record_len,
						&h, &err) ||
	    req->record_len != SDRP_HDR_LEN + h.length ||
	    h.length < SDRP_SEQ_LEN + SDRP_TTL_LEN + SDRP_MAC_LEN) {
		done_fail(ans, EPROTO, SDRP_CLOSE_MALFORMED,
			  err ? sdrp_err_name(err) : "HELLO record missing or cut");
		return;
	}
	/*
	 * Claim the HELLO before the expensive checks, so that a replay
	 * costs no RSA and two copies in flight cannot both pass; a HELLO
	 * that fails is released again.  Its ttl bounds the claim: once past,
	 * the ttl check refuses the HELLO by itself.
	 */
	tag = req->record + req->record_len - SDRP_MAC_LEN;
	ttl = sdrp_get_be64(req->record + SDRP_HDR_LEN + SDRP_SEQ_LEN);
	rc = sdrpd_replay_claim(e->replay, tag, ttl, now_ms);
	if (rc == -EALREADY) {
		done_fail(ans, EALREADY, SDRP_CLOSE_AUTH,
			  "replayed HELLO (seen within its ttl)");
		return;
	}
	if (rc) {
		done_fail(ans, rc == -ENOSPC ? EAGAIN : ENOMEM,
			  SDRP_CLOSE_INTERNAL,
			  rc == -ENOSPC ? "replay cache full of live HELLOs"
					: "out of memory");
		return;
	}

	hs_config_fill(&hc, cfg, req);
	hc.psks = cfg->psks;
	hc.n_psks = cfg->n_peers;
	rc = sdrp_hs_new(&hs, &hc);
	if (rc) {
		done_fail(ans, sdrpd_status_of(rc, SDRP_ERR_NONE),
			  SDRP_CLOSE_INTERNAL, strerror(-rc));
		goto release;
	}
	len = sdrp_hs_server_hello(hs, req->record, req->record_len, now_ms,
				   ans->record, sizeof(ans->record), &res,
				   &err);
	if (len < 0) {
		ans->record_len = 0;
		lib_fail(ans, (int)len, err, SDRP_CLOSE_INTERNAL);
		goto refuse;
	}
	if (req->has_peer_identity &&
	    strcmp(req->peer_identity, res.peer_identity)) {
		sdrp_wipe(&res, sizeof(res));
		ans->record_len = 0;
		err = SDRP_ERR_IDENTITY;
		done_fail(ans, EKEYREJECTED, SDRP_CLOSE_AUTH,
			  "client identity is not the one the application asked for");
		goto refuse;
	}
	/* Identities are unique across [peer] sections: this is the s0. */
	peer = sdrpd_config_peer(cfg, res.peer_identity);
	if (!peer) {
		sdrp_wipe(&res, sizeof(res));
		ans->record_len = 0;
		done_fail(ans, EIO, SDRP_CLOSE_INTERNAL,
			  "verified identity has no [peer] section");
		goto release;
	}
	ans->record_len = (size_t)len;
	done_keys(ans, &res, peer->s0);
	sdrp_hs_free(hs);
	return;

refuse:
	/* Only to a client that proved s0: its HELLO's MAC verified. */
	if (mac_verified(err))
		put_clear(ans, hs, SDRP_MSG_CLOSE, 0,
			  clear_seq(req->record, req->record_len), req->ttl_ms,
			  now_ms, hello_s0(cfg, req->record, req->record_len));
release:
	sdrpd_replay_release(e->replay, tag);
	sdrp_hs_free(hs);
}

static void log_turn(const struct sdrpd_request *req,
		     const struct sdrpd_answer *ans)
{
	static const char *const turns[] = {
		[SDRP_TURN_CLIENT_HELLO] = "client-hello",
		[SDRP_TURN_SERVER_HELLO] = "server-hello",
		[SDRP_TURN_CLIENT_FINISH] = "client-finish",
	};
	const char *turn = req->turn <= SDRP_TURN_CLIENT_FINISH &&
			   turns[req->turn] ? turns[req->turn] : "?";
	char remote[SDRP_SOCKADDR_STRLEN];

	sdrp_sockaddr_format(&req->remote, remote, sizeof(remote));
	if (ans->cmd == SDRP_CMD_SEND)
		sdrpd_log(LOG_DEBUG, "handshake %u %s peer %s (\"%s\"): HELLO sent",
			  req->handle, turn, remote, req->peer_identity);
	else if (ans->status == 0)
		sdrpd_log(LOG_INFO, "handshake %u %s peer %s: authenticated as \"%s\", rekey interval %u",
			  req->handle, turn, remote, ans->peer_identity,
			  ans->rekey_interval);
	else
		sdrpd_log(LOG_WARNING, "handshake %u %s peer %s%s%s%s: refused: %s (%s)%s",
			  req->handle, turn, remote,
			  req->has_peer_identity ? " (expected \"" : "",
			  req->has_peer_identity ? req->peer_identity : "",
			  req->has_peer_identity ? "\")" : "",
			  ans->reason ? ans->reason : "?",
			  strerror((int)ans->status),
			  ans->record_len ? ", CLOSE sent" : "");
}

void sdrpd_hs_turn(struct sdrpd_engine *e, struct sdrpd_config *cfg,
		   const struct sdrpd_request *req, uint64_t now_ms,
		   struct sdrpd_answer *ans)
{
	memset(ans, 0, sizeof(*ans));
	ans->handle = req->handle;
	if (req->timeout_ms <= (now_ms > req->received_ms ?
				now_ms - req->received_ms : 0)) {
		/* Out of time already: the kernel fails it anyway. */
		sdrpd_hs_forget(e, req->handle);
		done_fail(ans, ETIMEDOUT, SDRP_CLOSE_TIMEOUT,
			  "request out of time before it ran");
	} else if (req->turn == SDRP_TURN_CLIENT_HELLO &&
		   req->role == SDRP_ROLE_CLIENT) {
		client_hello(e, cfg, req, now_ms, ans);
	} else if (req->turn == SDRP_TURN_SERVER_HELLO &&
		   req->role == SDRP_ROLE_SERVER) {
		server_hello(e, cfg, req, now_ms, ans);
	} else if (req->turn == SDRP_TURN_CLIENT_FINISH &&
		   req->role == SDRP_ROLE_CLIENT) {
		client_finish(e, req, now_ms, ans);
	} else {
		sdrpd_hs_forget(e, req->handle);
		done_fail(ans, EPROTO, SDRP_CLOSE_INTERNAL,
			  "unknown turn or role");
	}
	log_turn(req, ans);
}
