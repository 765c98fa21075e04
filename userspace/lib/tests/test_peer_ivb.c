// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The test cases of the paper's section IV.B, played against the peer:
 * one side misbehaves through a fault hook, the other is a correct peer
 * with the CLOSE policy (the paper's state machines).  Each case checks
 * the answer the correct side put on the wire (seen by the relay, not
 * reported by the peer), its close reason, and the errno its application
 * got; the misbehaving side must see the session end (EOF after its CLOSE
 * ACK).  Also the TTL cases and corrupted ciphertext.
 */
#include <linux/sdrp_netlink.h>	/* SDRP_HELLO_RECORD_MAX */

#include "test_peer.h"

struct fcase {
	const char *name;
	enum sdrp_role faulty;
	struct sdrp_fault fault;
	enum sdrp_close_reason reason;	/* expected on the correct side */
	int err;			/* errno its application gets */
	/*
	 * The misbehaving client already switched to epoch e + 1 (its rekey
	 * HELLO ACK was refused): the server's CLOSE under e is OLD_EPOCH to
	 * it, so no CLOSE ACK comes and the server ends with CLOSED WITHOUT
	 * ACK (Documentation/protocol.rst, "A local close during a rekey").
	 */
	bool peer_switched;
};

/*
 * Data-phase fault: a session from keys, the misbehaving side lingers;
 * the correct side must answer with CLOSE, get CLOSE ACK, and report the
 * reason.
 */
static void fault_case(const struct fcase *fc, uint32_t interval)
{
	struct session x;
	struct side *bad, *good;
	struct wire_log *good_tx, *bad_tx;
	long close_at;

	session_init(&x, &fast_params);
	x.c.params.rekey_interval = interval;
	x.s.params.rekey_interval = interval;
	session_keys(&x, 0);
	bad = fc->faulty == SDRP_ROLE_CLIENT ? &x.c : &x.s;
	good = fc->faulty == SDRP_ROLE_CLIENT ? &x.s : &x.c;
	good_tx = fc->faulty == SDRP_ROLE_CLIENT ? &x.r.s2c : &x.r.c2s;
	bad_tx = fc->faulty == SDRP_ROLE_CLIENT ? &x.r.c2s : &x.r.s2c;
	bad->fault = fc->fault;
	bad->linger = true;
	x.c.count = 40;
	session_run(&x);

	close_at = wire_find(good_tx, SDRP_MSG_CLOSE, 0);
	OK(close_at >= 0, "%s: %s answers with CLOSE", fc->name, good->name);
	IS(good->reason, fc->reason, "%s: %s close reason %s", fc->name,
	   good->name, sdrp_close_reason_name(fc->reason));
	IS(good->app_rc, -fc->err, "%s: %s application gets -%d", fc->name,
	   good->name, fc->err);
	IS(good->err, fc->err, "%s: %s errno afterwards %d", fc->name,
	   good->name, fc->err);
	if (fc->peer_switched) {
		IS(wire_last(good_tx), SDRP_MSG_CLOSED_NO_ACK,
		   "%s: %s ends with CLOSED WITHOUT ACK", fc->name, good->name);
		IS(bad->reason, SDRP_CLOSE_OLD_EPOCH,
		   "%s: misbehaving %s refused the epoch e CLOSE", fc->name,
		   bad->name);
	} else {
		OK(wire_find(bad_tx, SDRP_MSG_CLOSE_ACK, 0) >= 0,
		   "%s: misbehaving %s acknowledged the CLOSE", fc->name,
		   bad->name);
		IS(wire_count(good_tx, SDRP_MSG_CLOSE), 1,
		   "%s: one CLOSE was enough (CLOSE ACK accepted)", fc->name);
		IS(bad->reason, SDRP_CLOSE_PEER,
		   "%s: misbehaving %s saw the session closed by the peer",
		   fc->name, bad->name);
	}
	IS(wire_count(good_tx, SDRP_MSG_RESEND_LAST), 0,
	   "%s: CLOSE policy sends no RESEND LAST", fc->name);
	if (close_at < 0 || good->reason != fc->reason)
		session_diag(&x);
	session_free(&x);
}

#define FAULT(k, t, n) { .kind = SDRP_FAULT_##k, .msg_type = SDRP_MSG_##t, .nth = n }

static const struct fcase data_cases[] = {
	/* IV.B: messages in an incorrect order / of the wrong type */
	{ "wrong order (server sends DATA REQUEST)", SDRP_ROLE_SERVER,
	  FAULT(WRONG_TYPE, DATA_RESPONSE, 2), SDRP_CLOSE_BAD_TYPE, EPROTO, false },
	{ "wrong order (client sends DATA RESPONSE)", SDRP_ROLE_CLIENT,
	  FAULT(WRONG_TYPE, DATA_ACK, 2), SDRP_CLOSE_BAD_TYPE, EPROTO, false },
	{ "wrong order (server sends a rekey HELLO early)", SDRP_ROLE_SERVER,
	  FAULT(OUT_OF_ORDER, DATA_RESPONSE, 3), SDRP_CLOSE_BAD_TYPE, EPROTO, false },
	/* IV.B: a message under an old session key (epoch 1 -> 0) */
	{ "old session key (client)", SDRP_ROLE_CLIENT,
	  FAULT(OLD_EPOCH, DATA_REQUEST, 7), SDRP_CLOSE_OLD_EPOCH, EPROTO, false },
	{ "old session key (server)", SDRP_ROLE_SERVER,
	  FAULT(OLD_EPOCH, DATA_RESPONSE, 8), SDRP_CLOSE_OLD_EPOCH, EPROTO, false },
	/* IV.B: incorrect sequence number, incremented incorrectly ... */
	{ "seq incremented incorrectly (client)", SDRP_ROLE_CLIENT,
	  FAULT(BAD_SEQ, DATA_REQUEST, 3), SDRP_CLOSE_BAD_SEQ, EPROTO, false },
	{ "seq incremented incorrectly (server)", SDRP_ROLE_SERVER,
	  FAULT(BAD_SEQ, DATA_RESPONSE, 3), SDRP_CLOSE_BAD_SEQ, EPROTO, false },
	/* ... or not matching the relevant message's number (replayed) */
	{ "seq not matching, replayed (client DATA ACK)", SDRP_ROLE_CLIENT,
	  FAULT(REPLAY_SEQ, DATA_ACK, 2), SDRP_CLOSE_BAD_SEQ, EPROTO, false },
	{ "seq not matching, replayed (server)", SDRP_ROLE_SERVER,
	  FAULT(REPLAY_SEQ, DATA_RESPONSE, 4), SDRP_CLOSE_BAD_SEQ, EPROTO, false },
	{ "seq of the rekey HELLO incremented incorrectly", SDRP_ROLE_SERVER,
	  FAULT(BAD_SEQ, HELLO, 1), SDRP_CLOSE_BAD_SEQ, EPROTO, false },
	/* IV.B: incorrect MAC */
	{ "wrong MAC (client)", SDRP_ROLE_CLIENT,
	  FAULT(BAD_MAC, DATA_REQUEST, 2), SDRP_CLOSE_BAD_MAC, EBADMSG, false },
	{ "wrong MAC (server)", SDRP_ROLE_SERVER,
	  FAULT(BAD_MAC, DATA_RESPONSE, 2), SDRP_CLOSE_BAD_MAC, EBADMSG, false },
	{ "wrong MAC on the rekey HELLO ACK", SDRP_ROLE_CLIENT,
	  FAULT(BAD_MAC, HELLO_ACK, 1), SDRP_CLOSE_BAD_MAC, EBADMSG, true },
	/* corrupted ciphertext with a valid HMAC: the GCM tag fails */
	{ "corrupted ciphertext (client)", SDRP_ROLE_CLIENT,
	  FAULT(CORRUPT, DATA_REQUEST, 2), SDRP_CLOSE_BAD_MAC, EBADMSG, false },
	{ "corrupted ciphertext (server)", SDRP_ROLE_SERVER,
	  FAULT(CORRUPT, DATA_RESPONSE, 5), SDRP_CLOSE_BAD_MAC, EBADMSG, false },
	/* TTL: stale and too far in the future */
	{ "stale ttl (client)", SDRP_ROLE_CLIENT,
	  FAULT(STALE_TTL, DATA_REQUEST, 2), SDRP_CLOSE_STALE_TTL, ETIME, false },
	{ "future ttl (client)", SDRP_ROLE_CLIENT,
	  FAULT(FUTURE_TTL, DATA_REQUEST, 2), SDRP_CLOSE_FUTURE_TTL, ETIME, false },
	{ "stale ttl (server)", SDRP_ROLE_SERVER,
	  FAULT(STALE_TTL, DATA_RESPONSE, 2), SDRP_CLOSE_STALE_TTL, ETIME, false },
	{ "future ttl (server)", SDRP_ROLE_SERVER,
	  FAULT(FUTURE_TTL, DATA_RESPONSE, 2), SDRP_CLOSE_FUTURE_TTL, ETIME, false },
};

/* IV.B: the client sends DATA REQUEST before its ACK (handshake). */
static void test_wrong_order_handshake(struct hs_creds *h)
{
	struct session x;

	session_init(&x, &fast_params);
	x.c.hs = &h->client;
	x.s.hs = &h->server;
	x.c.fault = (struct sdrp_fault)FAULT(OUT_OF_ORDER, ACK, 1);
	x.c.linger = true;
	x.c.count = 1;
	session_run(&x);
	IS(x.r.c2s.n > 1 ? x.r.c2s.v[1].type : 0, SDRP_MSG_DATA_REQUEST,
	   "wrong order (handshake): DATA REQUEST went out before the ACK");
	IS(wire_count(&x.r.s2c, SDRP_MSG_CLOSE), 1,
	   "wrong order (handshake): server answers with CLOSE");
	IS(x.s.start_rc, -EPROTO, "wrong order (handshake): server start -EPROTO");
	IS(x.s.reason, SDRP_CLOSE_BAD_TYPE, "wrong order (handshake): reason BAD_TYPE");
	IS(x.c.app_rc, 0, "wrong order (handshake): client reads EOF");
	if (x.s.reason != SDRP_CLOSE_BAD_TYPE)
		session_diag(&x);
	session_free(&x);
}

/*
 * IV.B, a message in the wrong order at the client: the server answers
 * the HELLO with a (clear, authentic) HELLO.  The client refuses it
 * (BAD_TYPE), which still used the server's clear counter 0, and closes
 * with a clear CLOSE; the server, waiting for the ACK, accepts it and
 * answers with a clear CLOSE ACK (counter 1), which the client accepts:
 * one CLOSE.  The kernel client does the same (sdrp_hs_reject.sh).
 */
static void test_wrong_type_hello_reply(struct hs_creds *h)
{
	struct session x;

	session_init(&x, &fast_params);
	x.c.hs = &h->client;
	x.s.hs = &h->server;
	x.s.fault = (struct sdrp_fault)FAULT(WRONG_TYPE, HELLO_ACK, 1);
	x.s.linger = true;
	session_run(&x);
	IS(x.r.s2c.n ? x.r.s2c.v[0].type : 0, SDRP_MSG_HELLO,
	   "HELLO answered with a HELLO: it went out in place of the HELLO ACK");
	IS(x.c.start_rc, -EPROTO, "HELLO answered with a HELLO: client -EPROTO");
	IS(x.c.reason, SDRP_CLOSE_BAD_TYPE,
	   "HELLO answered with a HELLO: client reason BAD_TYPE");
	IS(x.r.c2s.n > 1 ? x.r.c2s.v[1].type : 0, SDRP_MSG_CLOSE,
	   "HELLO answered with a HELLO: client answers with CLOSE");
	OK(x.r.c2s.n > 1 && (x.r.c2s.v[1].flags & SDRP_HDR_F_CLEAR),
	   "HELLO answered with a HELLO: the CLOSE is clear");
	IS(wire_count(&x.r.c2s, SDRP_MSG_CLOSE), 1,
	   "HELLO answered with a HELLO: the clear CLOSE ACK is accepted");
	IS(x.s.reason, SDRP_CLOSE_PEER,
	   "HELLO answered with a HELLO: the server accepted the CLOSE");
	if (wire_count(&x.r.c2s, SDRP_MSG_CLOSE) != 1 ||
	    x.s.reason != SDRP_CLOSE_PEER)
		session_diag(&x);
	session_free(&x);
}

/*
 * IV.B, wrong MAC in the initial handshake.  On the HELLO ACK the client
 * answers with a clear CLOSE.  On the HELLO the server has no s0 whose
 * key verifies it, hence no key to authenticate a CLOSE with: it drops
 * the connection without a record (Documentation/protocol.rst, server
 * state S_WAIT_HELLO).
 */
static void test_bad_mac_handshake(struct hs_creds *h)
{
	struct session x;

	session_init(&x, &fast_params);
	x.c.hs = &h->client;
	x.s.hs = &h->server;
	x.s.fault = (struct sdrp_fault)FAULT(BAD_MAC, HELLO_ACK, 1);
	x.s.linger = true;
	session_run(&x);
	IS(x.r.c2s.n > 1 ? x.r.c2s.v[1].type : 0, SDRP_MSG_CLOSE,
	   "wrong MAC on the HELLO ACK: client answers with CLOSE");
	OK(x.r.c2s.n > 1 && (x.r.c2s.v[1].flags & SDRP_HDR_F_CLEAR),
	   "wrong MAC on the HELLO ACK: the CLOSE is clear");
	IS(wire_count(&x.r.c2s, SDRP_MSG_CLOSE), 1,
	   "wrong MAC on the HELLO ACK: the clear CLOSE ACK is accepted");
	IS(x.c.start_rc, -EBADMSG, "wrong MAC on the HELLO ACK: client -EBADMSG");
	IS(x.c.reason, SDRP_CLOSE_BAD_MAC, "wrong MAC on the HELLO ACK: BAD_MAC");
	if (wire_count(&x.r.c2s, SDRP_MSG_CLOSE) != 1)
		session_diag(&x);
	session_free(&x);

	session_init(&x, &fast_params);
	x.c.hs = &h->client;
	x.s.hs = &h->server;
	x.c.fault = (struct sdrp_fault)FAULT(BAD_MAC, HELLO, 1);
	x.c.linger = true;
	session_run(&x);
	IS(x.r.s2c.n, 0, "wrong MAC on the HELLO: the server sends no record");
	IS(x.s.start_rc, -EBADMSG, "wrong MAC on the HELLO: server -EBADMSG");
	IS(x.s.reason, SDRP_CLOSE_BAD_MAC, "wrong MAC on the HELLO: BAD_MAC");
	IS(x.c.reason, SDRP_CLOSE_TRANSPORT,
	   "wrong MAC on the HELLO: the client sees the connection drop");
	session_free(&x);
}

/*
 * A HELLO / HELLO ACK whose RSA signature does not verify, from a sender
 * that knows s0 (the MAC verifies): refused with EBADMSG, and since the
 * MAC proved s0, answered with a clear CLOSE.  A tampered HELLO (a bit
 * changed on the way, MAC not recomputed) fails its MAC instead: the
 * server has no s0 to authenticate a CLOSE with and sends nothing.
 */
static void test_bad_signature_handshake(struct hs_creds *h)
{
	struct session x;

	session_init(&x, &fast_params);
	x.c.hs = &h->client;
	x.s.hs = &h->server;
	x.c.fault = (struct sdrp_fault){ .kind = SDRP_FAULT_BAD_SIGNATURE };
	x.c.linger = true;
	session_run(&x);
	IS(x.s.start_rc, -EBADMSG, "bad HELLO signature: server -EBADMSG");
	IS(x.r.s2c.n ? x.r.s2c.v[0].type : 0, SDRP_MSG_CLOSE,
	   "bad HELLO signature: server answers with CLOSE (the MAC verified)");
	IS(wire_count(&x.r.s2c, SDRP_MSG_HELLO_ACK), 0,
	   "bad HELLO signature: no HELLO ACK");
	session_free(&x);

	session_init(&x, &fast_params);
	x.c.hs = &h->client;
	x.s.hs = &h->server;
	x.s.fault = (struct sdrp_fault){ .kind = SDRP_FAULT_BAD_SIGNATURE };
	x.s.linger = true;
	session_run(&x);
	IS(x.c.start_rc, -EBADMSG, "bad HELLO ACK signature: client -EBADMSG");
	IS(x.r.c2s.n > 1 ? x.r.c2s.v[1].type : 0, SDRP_MSG_CLOSE,
	   "bad HELLO ACK signature: client answers with CLOSE");
	IS(wire_count(&x.r.c2s, SDRP_MSG_ACK), 0,
	   "bad HELLO ACK signature: no ACK");
	session_free(&x);

	session_init(&x, &fast_params);
	x.c.hs = &h->client;
	x.s.hs = &h->server;
	x.c.fault = (struct sdrp_fault)FAULT(TAMPER, HELLO, 1);
	x.c.linger = true;
	session_run(&x);
	IS(x.s.start_rc, -EBADMSG, "tampered HELLO: server -EBADMSG");
	IS(x.s.reason, SDRP_CLOSE_BAD_MAC, "tampered HELLO: reason BAD_MAC");
	IS(x.r.s2c.n, 0, "tampered HELLO: the server sends no record");
	session_free(&x);
}

/* The observer sees every record's bytes, as they went on the wire. */
struct saved_hello {
	uint8_t rec[SDRP_HELLO_RECORD_MAX];
	size_t len;
	unsigned int n;
};

static void save_hello(void *ctx, const struct sdrp_record_event *ev)
{
	struct saved_hello *sh = ctx;

	if (ev->dir != SDRP_PEER_TX || ev->type != SDRP_MSG_HELLO ||
	    sh->n++ || ev->length + SDRP_HDR_LEN > sizeof(sh->rec))
		return;
	sh->len = ev->length + SDRP_HDR_LEN;
	memcpy(sh->rec, ev->record, sh->len);
}

static void test_observer_record(struct hs_creds *h)
{
	static struct saved_hello sh;
	struct sdrp_peer *p;
	uint8_t got[SDRP_HELLO_RECORD_MAX];
	struct sdrp_params quick = fast_params;
	int sv[2];
	ssize_t n = 0, k;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		tap_bail("socketpair");
	quick.recv_timeout_ms = 200;
	if (sdrp_peer_new(sv[0], SDRP_ROLE_CLIENT, &quick, &p))
		tap_bail("sdrp_peer_new");
	sdrp_peer_set_observer(p, save_hello, &sh);
	/* nobody answers: the HELLO goes out, then the timer closes */
	IS(sdrp_peer_start_handshake(p, &h->client), -ETIMEDOUT,
	   "observer: unanswered HELLO times out");
	while (n < (ssize_t)sizeof(got) &&
	       (k = recv(sv[1], got + n, sizeof(got) - (size_t)n,
			 MSG_DONTWAIT)) > 0)
		n += k;
	OK(sh.len > SDRP_HDR_LEN && (size_t)n >= sh.len &&
	   !memcmp(got, sh.rec, sh.len),
	   "observer: the record bytes are the HELLO as written");
	sdrp_peer_free(p);
	close(sv[0]);
	close(sv[1]);
}

/* IV.B: HELLO, then no ACK after the HELLO ACK. */
static void test_no_ack_after_hello_ack(struct hs_creds *h)
{
	struct session x;
	long hello_ack, close_at;

	session_init(&x, &fast_params);
	x.c.hs = &h->client;
	x.s.hs = &h->server;
	x.c.fault = (struct sdrp_fault){ .kind = SDRP_FAULT_NO_ACK };
	x.c.linger = true;
	x.c.app = idle_app;
	session_run(&x);
	hello_ack = wire_find(&x.r.s2c, SDRP_MSG_HELLO_ACK, 0);
	close_at = wire_find(&x.r.s2c, SDRP_MSG_CLOSE, 0);
	IS(x.r.c2s.n ? x.r.c2s.v[0].type : 0, SDRP_MSG_HELLO,
	   "no ACK: client sent HELLO");
	IS(wire_count(&x.r.c2s, SDRP_MSG_ACK), 0, "no ACK: and never an ACK");
	OK(hello_ack == 0 && close_at == 1,
	   "no ACK: server's HELLO ACK is followed by CLOSE");
	IS(x.s.start_rc, -ETIMEDOUT, "no ACK: server start -ETIMEDOUT");
	IS(x.s.reason, SDRP_CLOSE_TIMEOUT, "no ACK: server reason TIMEOUT");
	IS(x.c.app_rc, 0, "no ACK: misbehaving client reads EOF after CLOSE ACK");
	IS(wire_last(&x.r.c2s), SDRP_MSG_CLOSE_ACK, "no ACK: client answered CLOSE ACK");
	if (close_at != 1)
		session_diag(&x);
	session_free(&x);
}

/* IV.B: the server does not answer the HELLO. */
static void test_no_hello_reply(struct hs_creds *h)
{
	struct session x;

	session_init(&x, &fast_params);
	x.c.hs = &h->client;
	x.s.hs = &h->server;
	x.s.fault = (struct sdrp_fault){ .kind = SDRP_FAULT_NO_HELLO_REPLY };
	x.s.params.recv_timeout_ms = 10000;	/* the client's timer first */
	x.s.linger = true;
	session_run(&x);
	IS(x.r.s2c.n ? x.r.s2c.v[0].type : 0, SDRP_MSG_CLOSE_ACK,
	   "no HELLO reply: server sent nothing before the CLOSE ACK");
	IS(x.r.c2s.n > 1 ? x.r.c2s.v[1].type : 0, SDRP_MSG_CLOSE,
	   "no HELLO reply: client answers the silence with CLOSE");
	OK(x.r.c2s.n > 1 && (x.r.c2s.v[1].flags & SDRP_HDR_F_CLEAR),
	   "no HELLO reply: the CLOSE is clear (no keys yet)");
	IS(x.c.start_rc, -ETIMEDOUT, "no HELLO reply: client start -ETIMEDOUT");
	IS(x.c.reason, SDRP_CLOSE_TIMEOUT, "no HELLO reply: client reason TIMEOUT");
	if (x.c.reason != SDRP_CLOSE_TIMEOUT)
		session_diag(&x);
	session_free(&x);
}

/*
 * IV.B: no response to CLOSE -> CLOSED WITHOUT ACK, after max_retries
 * CLOSEs in all.  @faulty is the side that never answers.
 */
static void test_no_close_ack(enum sdrp_role faulty)
{
	struct session x;
	struct side *bad, *good;
	struct wire_log *good_tx, *bad_tx;
	const char *who = faulty == SDRP_ROLE_SERVER ? "server" : "client";

	session_init(&x, &fast_params);
	session_keys(&x, 0);
	bad = faulty == SDRP_ROLE_CLIENT ? &x.c : &x.s;
	good = faulty == SDRP_ROLE_CLIENT ? &x.s : &x.c;
	good_tx = faulty == SDRP_ROLE_CLIENT ? &x.r.s2c : &x.r.c2s;
	bad_tx = faulty == SDRP_ROLE_CLIENT ? &x.r.c2s : &x.r.s2c;
	bad->fault = (struct sdrp_fault){ .kind = SDRP_FAULT_NO_CLOSE_ACK };
	bad->linger = true;
	x.c.count = faulty == SDRP_ROLE_CLIENT ? 100 : 3;
	x.s.count = faulty == SDRP_ROLE_CLIENT ? 3 : 0;
	good->close_at_end = true;
	session_run(&x);
	IS(wire_count(good_tx, SDRP_MSG_CLOSE), 3,
	   "no CLOSE ACK from the %s: 3 CLOSEs", who);
	IS(wire_last(good_tx), SDRP_MSG_CLOSED_NO_ACK,
	   "no CLOSE ACK from the %s: then CLOSED WITHOUT ACK", who);
	IS(wire_count(bad_tx, SDRP_MSG_CLOSE_ACK), 0,
	   "no CLOSE ACK from the %s: none on the wire", who);
	IS(good->reason, SDRP_CLOSE_NO_ACK, "no CLOSE ACK from the %s: reason NO_ACK",
	   who);
	IS(good->app_rc, -ETIMEDOUT, "no CLOSE ACK from the %s: close -ETIMEDOUT",
	   who);
	IS(bad->app_rc, 0, "no CLOSE ACK from the %s: it saw the CLOSE (EOF)", who);
	session_free(&x);
}

/* IV.B under the RESEND policy: the receive timer on a silent server. */
static void test_silent_server_close_policy(void)
{
	struct session x;

	session_init(&x, &fast_params);
	session_keys(&x, 0);
	x.s.fault = (struct sdrp_fault)FAULT(SILENCE, DATA_RESPONSE, 2);
	x.s.fault.count = 100;
	x.s.params.recv_timeout_ms = 10000;
	x.s.linger = true;
	x.c.count = 3;
	session_run(&x);
	OK(wire_find(&x.r.c2s, SDRP_MSG_CLOSE, 0) ==
	   wire_find(&x.r.c2s, SDRP_MSG_DATA_REQUEST, 1) + 1,
	   "silent server: client answers the timeout with CLOSE");
	IS(x.c.reason, SDRP_CLOSE_TIMEOUT, "silent server: reason TIMEOUT");
	IS(x.c.app_rc, -ETIMEDOUT, "silent server: request -ETIMEDOUT");
	IS(x.c.done, 1, "silent server: the first exchange completed");
	session_free(&x);
}

int main(void)
{
	struct hs_creds h;
	size_t i;

	if (sdrp_init())
		tap_bail("no AES-256-GCM on this CPU");
	hs_creds_init(&h);
	for (i = 0; i < sizeof(data_cases) / sizeof(data_cases[0]); i++)
		fault_case(&data_cases[i], 5);
	test_wrong_order_handshake(&h);
	test_wrong_type_hello_reply(&h);
	test_bad_mac_handshake(&h);
	test_bad_signature_handshake(&h);
	test_observer_record(&h);
	test_no_ack_after_hello_ack(&h);
	test_no_hello_reply(&h);
	test_no_close_ack(SDRP_ROLE_SERVER);
	test_no_close_ack(SDRP_ROLE_CLIENT);
	test_silent_server_close_policy();
	hs_creds_free(&h);
	return tap_done();
}
