// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Peer sessions over loopback TCP: the long session (1000 exchanges,
 * about 100 rekeys, every byte checked, CLOSE / CLOSE ACK), sessions from
 * a keys blob, the rekey crossing, both receive policies, timers, API
 * misuse.  The IV.B cases of the paper are in test_peer_ivb.c.
 */
#include "test_peer.h"

/* 1000 exchanges over the handshake; the client closes. */
static void test_long_session(struct hs_creds *h)
{
	struct session x;
	const struct sdrp_params params = {
		.rekey_interval = 10,
		.recv_timeout_ms = 20000,
		.close_timeout_ms = 2000,
	};

	session_init(&x, &params);
	x.c.hs = &h->client;
	x.s.hs = &h->server;
	x.c.count = 1000;
	x.c.close_at_end = true;
	session_run(&x);

	IS(x.c.start_rc, 0, "long session: client handshake");
	IS(x.s.start_rc, 0, "long session: server handshake");
	IS(x.c.done, 1000, "long session: 1000 responses received");
	IS(x.s.done, 1000, "long session: 1000 requests answered");
	IS(x.c.bad + x.s.bad, 0, "long session: every byte of every body matches");
	IS(x.c.app_rc, 0, "long session: client close returns 0");
	IS(x.c.reason, SDRP_CLOSE_LOCAL, "long session: client reason LOCAL");
	IS(x.c.err, EPIPE, "long session: client errno afterwards EPIPE");
	IS(x.s.app_rc, 0, "long session: server sees EOF");
	IS(x.s.reason, SDRP_CLOSE_PEER, "long session: server reason PEER");
	/*
	 * The 1000th DATA ACK makes the 100th rekey due: the server sends
	 * its HELLO, and the client's CLOSE crosses it (the HELLO is
	 * discarded while closing).  99 rekeys complete.
	 */
	IS(x.c.info.rekeys, 99, "long session: client completed 99 rekeys");
	IS(x.s.info.rekeys, 99, "long session: server completed 99 rekeys");
	IS(x.c.info.epoch, 99, "long session: epoch 99 at the end");
	IS(wire_count(&x.r.s2c, SDRP_MSG_HELLO), 100,
	   "long session: 100 rekey HELLOs on the wire (s2c)");
	IS(wire_count(&x.r.c2s, SDRP_MSG_HELLO_ACK), 99,
	   "long session: 99 rekey HELLO ACKs on the wire (c2s)");
	IS(wire_count(&x.r.c2s, SDRP_MSG_DATA_REQUEST), 1000,
	   "long session: 1000 DATA REQUESTs on the wire");
	IS(wire_count(&x.r.c2s, SDRP_MSG_DATA_ACK), 1000,
	   "long session: 1000 DATA ACKs on the wire");
	IS(wire_last(&x.r.c2s), SDRP_MSG_CLOSE, "long session: client's last record CLOSE");
	IS(wire_last(&x.r.s2c), SDRP_MSG_CLOSE_ACK,
	   "long session: server's last record CLOSE ACK");
	IS(x.c.info.bytes_rx, x.s.info.bytes_tx, "long session: byte counters agree");
	IS(wire_count(&x.r.c2s, SDRP_MSG_RESEND_LAST) +
	   wire_count(&x.r.s2c, SDRP_MSG_RESEND_LAST), 0,
	   "long session: no RESEND LAST");
	if (x.c.reason != SDRP_CLOSE_LOCAL)
		session_diag(&x);
	session_free(&x);
}

/* Keys blob, no handshake; the server closes after 25 exchanges. */
static void test_keys_server_closes(void)
{
	struct session x;

	session_init(&x, &fast_params);
	session_keys(&x, 7);
	x.c.count = 1000;	/* until the server closes */
	x.s.count = 25;
	x.s.close_at_end = true;
	session_run(&x);
	IS(x.s.done, 25, "keys: 25 exchanges");
	IS(x.c.bad + x.s.bad, 0, "keys: bodies match");
	IS(x.s.app_rc, 0, "keys: server close returns 0");
	IS(x.s.reason, SDRP_CLOSE_LOCAL, "keys: server reason LOCAL");
	IS(x.c.app_rc, 0, "keys: client's 26th request reads EOF");
	IS(x.c.reason, SDRP_CLOSE_PEER, "keys: client reason PEER");
	IS(x.c.err, 0, "keys: PEER close has no errno (EOF)");
	IS(x.c.info.epoch, 9, "keys: two rekeys from epoch 7");
	IS(wire_last(&x.r.s2c), SDRP_MSG_CLOSE, "keys: server's last record CLOSE");
	IS(wire_last(&x.r.c2s), SDRP_MSG_CLOSE_ACK, "keys: client answered CLOSE ACK");
	session_free(&x);
}

/*
 * The client issues its request exactly when the rekey is due, while the
 * server's HELLO is still to come (the server sleeps before it goes on):
 * the request must be held, not sent in the old epoch, and answered in
 * the new one.
 */
static void test_rekey_crossing(void)
{
	struct session x;
	long ack10, hello_ack, req11;

	session_init(&x, &fast_params);
	x.c.params.recv_timeout_ms = 2000;
	x.s.params.recv_timeout_ms = 2000;
	session_keys(&x, 0);
	x.c.count = 12;
	x.c.close_at_end = true;
	x.s.delay_at = 10;
	x.s.delay_ms_at = 150;
	session_run(&x);
	IS(x.c.done, 12, "crossing: 12 responses");
	IS(x.c.bad + x.s.bad, 0, "crossing: bodies match");
	IS(x.c.reason, SDRP_CLOSE_LOCAL, "crossing: clean close");
	/* c2s: ... DATA ACK #10, HELLO ACK, DATA REQUEST #11 (epoch 1) */
	ack10 = -1;
	{
		size_t i, n = 0;

		for (i = 0; i < x.r.c2s.n; i++)
			if (x.r.c2s.v[i].type == SDRP_MSG_DATA_ACK && ++n == 10)
				ack10 = (long)i;
	}
	hello_ack = ack10 < 0 ? -1 : wire_find(&x.r.c2s, SDRP_MSG_HELLO_ACK,
					       (size_t)ack10);
	req11 = ack10 < 0 ? -1 : wire_find(&x.r.c2s, SDRP_MSG_DATA_REQUEST,
					   (size_t)ack10);
	OK(ack10 >= 0 && hello_ack == ack10 + 1,
	   "crossing: the record after the 10th DATA ACK is the HELLO ACK");
	OK(req11 == hello_ack + 1 && x.r.c2s.v[req11].epoch == 1,
	   "crossing: the held request follows, in epoch 1");
	OK(hello_ack >= 0 && x.r.c2s.v[hello_ack].epoch == 0,
	   "crossing: HELLO ACK still in epoch 0");
	if (req11 != hello_ack + 1)
		session_diag(&x);
	session_free(&x);
}

/* Policy RESEND: one bad record is asked for again and the session goes on. */
static void test_resend_recovers(void)
{
	struct session x;

	session_init(&x, &fast_params);
	x.s.params.policy = SDRP_POLICY_RESEND;
	session_keys(&x, 0);
	x.c.fault = (struct sdrp_fault){ .kind = SDRP_FAULT_BAD_MAC,
					 .msg_type = SDRP_MSG_DATA_REQUEST,
					 .nth = 3 };
	x.c.count = 20;
	x.c.close_at_end = true;
	session_run(&x);
	IS(x.c.done, 20, "resend: all 20 exchanges complete despite a bad MAC");
	IS(x.c.bad + x.s.bad, 0, "resend: bodies match");
	IS(wire_count(&x.r.s2c, SDRP_MSG_RESEND_LAST), 1,
	   "resend: server sent one RESEND LAST");
	IS(x.s.info.resends, 1, "resend: server counted it");
	IS(wire_count(&x.r.c2s, SDRP_MSG_DATA_REQUEST), 21,
	   "resend: the request went out twice");
	IS(x.c.reason, SDRP_CLOSE_LOCAL, "resend: clean close at the end");
	session_free(&x);
}

/* Policy RESEND on a silent server: the receive timer asks again. */
static void test_resend_timer_recovers(void)
{
	struct session x;

	session_init(&x, &fast_params);
	x.c.params.policy = SDRP_POLICY_RESEND;
	x.c.params.recv_timeout_ms = 400;
	session_keys(&x, 0);
	x.s.fault = (struct sdrp_fault){ .kind = SDRP_FAULT_SILENCE,
					 .msg_type = SDRP_MSG_DATA_RESPONSE,
					 .nth = 2 };
	x.c.count = 5;
	x.c.close_at_end = true;
	session_run(&x);
	IS(x.c.done, 5, "resend timer: all 5 exchanges complete");
	IS(x.c.bad + x.s.bad, 0, "resend timer: bodies match");
	IS(wire_count(&x.r.c2s, SDRP_MSG_RESEND_LAST), 1,
	   "resend timer: client sent one RESEND LAST after the timeout");
	IS(wire_count(&x.r.s2c, SDRP_MSG_DATA_RESPONSE), 5,
	   "resend timer: the silenced response came on request (5 on the wire)");
	if (!IS(x.c.reason, SDRP_CLOSE_LOCAL, "resend timer: clean close"))
		session_diag(&x);
	session_free(&x);
}

/* Policy RESEND, bad records every time: 3 RESEND LASTs, then CLOSE. */
static void test_resend_exhausted_bad(void)
{
	struct session x;

	session_init(&x, &fast_params);
	x.s.params.policy = SDRP_POLICY_RESEND;
	session_keys(&x, 0);
	x.c.fault = (struct sdrp_fault){ .kind = SDRP_FAULT_BAD_MAC,
					 .msg_type = SDRP_MSG_DATA_REQUEST,
					 .nth = 2, .count = 100 };
	x.c.linger = true;
	x.c.count = 5;
	session_run(&x);
	IS(wire_count(&x.r.s2c, SDRP_MSG_RESEND_LAST), 3,
	   "resend exhausted: 3 RESEND LASTs");
	OK(wire_find(&x.r.s2c, SDRP_MSG_CLOSE, 0) >
	   wire_find(&x.r.s2c, SDRP_MSG_RESEND_LAST, 0),
	   "resend exhausted: then CLOSE");
	IS(x.s.reason, SDRP_CLOSE_BAD_MAC,
	   "resend exhausted: reason stays BAD_MAC (more specific than RETRIES)");
	IS(x.s.app_rc, -EBADMSG, "resend exhausted: server app gets -EBADMSG");
	IS(x.c.app_rc, 0, "resend exhausted: client sees EOF");
	session_free(&x);
}

/* Policy RESEND, silence: 3 RESEND LASTs on timeouts, then RETRIES. */
static void test_resend_exhausted_timer(void)
{
	struct session x;

	session_init(&x, &fast_params);
	x.c.params.policy = SDRP_POLICY_RESEND;
	x.c.params.recv_timeout_ms = 100;
	x.c.params.close_timeout_ms = 100;
	session_keys(&x, 0);
	x.s.fault = (struct sdrp_fault){ .kind = SDRP_FAULT_SILENCE,
					 .nth = 1, .count = 1000 };
	x.s.linger = true;
	x.s.params.recv_timeout_ms = 5000;
	x.c.count = 1;
	session_run(&x);
	IS(wire_count(&x.r.c2s, SDRP_MSG_RESEND_LAST), 3,
	   "retries: 3 RESEND LASTs");
	IS(wire_count(&x.r.c2s, SDRP_MSG_CLOSE), 3,
	   "retries: then 3 CLOSEs (no CLOSE ACK from a silent server)");
	IS(wire_last(&x.r.c2s), SDRP_MSG_CLOSED_NO_ACK,
	   "retries: then CLOSED WITHOUT ACK");
	IS(x.c.reason, SDRP_CLOSE_RETRIES, "retries: reason RETRIES");
	IS(x.c.app_rc, -ETIMEDOUT, "retries: request returns -ETIMEDOUT");
	IS(x.s.info.records_tx, 0, "retries: silent server wrote nothing");
	session_free(&x);
}

/* The server closes while the client is idle; both CLOSE exchanges cross. */
static void test_crossing_closes(void)
{
	struct session x;

	session_init(&x, &fast_params);
	session_keys(&x, 0);
	x.c.count = 3;
	x.c.close_at_end = true;
	x.s.count = 3;
	x.s.close_at_end = true;
	session_run(&x);
	OK((x.c.reason == SDRP_CLOSE_LOCAL || x.c.reason == SDRP_CLOSE_PEER) &&
	   (x.s.reason == SDRP_CLOSE_LOCAL || x.s.reason == SDRP_CLOSE_PEER),
	   "crossing closes: both end LOCAL or PEER (client %s, server %s)",
	   sdrp_close_reason_name(x.c.reason),
	   sdrp_close_reason_name(x.s.reason));
	OK(x.c.app_rc == 0 && x.s.app_rc == 0,
	   "crossing closes: both close calls return 0");
	OK(wire_count(&x.r.c2s, SDRP_MSG_CLOSED_NO_ACK) +
	   wire_count(&x.r.s2c, SDRP_MSG_CLOSED_NO_ACK) == 0,
	   "crossing closes: no CLOSED WITHOUT ACK");
	session_free(&x);
}

/* Handshake with a wrong server identity: EKEYREJECTED, clear CLOSE. */
static void test_handshake_identity(struct hs_creds *h)
{
	struct sdrp_hs_config cc = h->client;
	struct session x;

	cc.server_identity = "other.example";
	session_init(&x, &fast_params);
	x.c.hs = &cc;
	x.s.hs = &h->server;
	session_run(&x);
	IS(x.c.start_rc, -EKEYREJECTED, "identity: client start -EKEYREJECTED");
	IS(x.c.reason, SDRP_CLOSE_AUTH, "identity: client reason AUTH");
	OK(x.r.c2s.n >= 2 && x.r.c2s.v[1].type == SDRP_MSG_CLOSE &&
	   (x.r.c2s.v[1].flags & SDRP_HDR_F_CLEAR),
	   "identity: client's answer on the wire is a clear CLOSE");
	OK(x.s.start_rc == -ECONNRESET, "identity: server start fails (%d)",
	   x.s.start_rc);
	IS(x.s.reason, SDRP_CLOSE_PEER, "identity: server reason PEER");
	OK(x.r.s2c.n >= 2 && x.r.s2c.v[1].type == SDRP_MSG_CLOSE_ACK &&
	   (x.r.s2c.v[1].flags & SDRP_HDR_F_CLEAR),
	   "identity: server answered a clear CLOSE ACK");
	session_free(&x);
}

/*
 * An idle client at a rekey point: sdrp_peer_process() answers the
 * server's HELLO without a request, so the rekey completes while the
 * application does nothing else.
 */
static int idle_rekey_app(struct side *s, struct sdrp_peer *p)
{
	struct sdrp_info info;
	int rc;

	s->count = 3;		/* = the interval: the rekey is due after */
	rc = client_app(s, p);
	if (rc != 1)
		return rc;
	IS(sdrp_peer_state(p), SDRP_STATE_REKEY,
	   "idle rekey: after the interval's DATA ACK the client awaits the HELLO");
	rc = sdrp_peer_process(p, 1500);
	sdrp_peer_get_info(p, &info);
	IS(rc, 1, "idle rekey: process() returns 1 (open)");
	IS(info.rekeys, 1, "idle rekey: the rekey completed while idle");
	IS(sdrp_peer_state(p), SDRP_STATE_ESTABLISHED, "idle rekey: established again");
	return sdrp_peer_close(p);
}

static void test_idle_rekey(void)
{
	struct session x;

	session_init(&x, &fast_params);
	x.c.params.rekey_interval = 3;
	x.s.params.rekey_interval = 3;
	session_keys(&x, 0);
	x.c.app = idle_rekey_app;
	session_run(&x);
	IS(x.c.app_rc, 0, "idle rekey: clean close");
	IS(x.r.c2s.v[x.r.c2s.n - 2].type, SDRP_MSG_HELLO_ACK,
	   "idle rekey: HELLO ACK sent before the CLOSE");
	session_free(&x);
}

/* The handshake agrees min(client proposal, server maximum). */
static void test_agreed_interval(struct hs_creds *h)
{
	struct sdrp_hs_config cc = h->client, sc = h->server;
	struct session x;

	cc.rekey_interval = 4;
	sc.rekey_interval = 50;
	session_init(&x, &fast_params);
	x.c.hs = &cc;
	x.s.hs = &sc;
	x.c.count = 9;
	x.c.close_at_end = true;
	session_run(&x);
	IS(x.c.done, 9, "agreed interval: 9 exchanges");
	IS(x.s.info.rekeys, 2, "agreed interval: interval 4 from the client's proposal");
	IS(x.c.reason, SDRP_CLOSE_LOCAL, "agreed interval: clean close");
	session_free(&x);
}

/* No epoch after 2^32 - 1: the server closes instead of a rekey. */
static void test_epoch_exhausted(void)
{
	struct session x;

	session_init(&x, &fast_params);
	x.c.params.rekey_interval = 2;
	x.s.params.rekey_interval = 2;
	session_keys(&x, UINT32_MAX);
	x.c.count = 5;
	session_run(&x);
	IS(x.c.done, 2, "last epoch: two exchanges, then no rekey");
	IS(x.s.reason, SDRP_CLOSE_INTERNAL, "last epoch: server closes, INTERNAL");
	IS(x.s.err, EOVERFLOW, "last epoch: errno EOVERFLOW");
	IS(wire_count(&x.r.s2c, SDRP_MSG_HELLO), 0, "last epoch: no HELLO");
	IS(x.c.app_rc, 0, "last epoch: client reads EOF");
	session_free(&x);
}

/* API misuse is refused without touching the session. */
static void test_api_misuse(void)
{
	struct sdrp_keys k;
	struct sdrp_peer *p;
	const uint8_t *d;
	size_t n;
	int fds[2];
	struct sdrp_params bad = { .policy = 9 };

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds))
		tap_bail("socketpair");
	IS(sdrp_peer_new(-1, SDRP_ROLE_CLIENT, NULL, &p), -EINVAL, "misuse: bad fd");
	IS(sdrp_peer_new(fds[0], 3, NULL, &p), -EINVAL, "misuse: bad role");
	IS(sdrp_peer_new(fds[0], SDRP_ROLE_CLIENT, &bad, &p), -EINVAL,
	   "misuse: bad policy");
	IS(sdrp_peer_new(fds[0], SDRP_ROLE_CLIENT, NULL, &p), 0, "misuse: new");
	IS(sdrp_peer_request(p, "x", 1, &d, &n), -ENOTCONN,
	   "misuse: request before start");
	random_keys(&k, 0);
	k.role = SDRP_ROLE_SERVER;
	IS(sdrp_peer_start_keys(p, &k), -EINVAL, "misuse: keys of the other role");
	k.role = SDRP_ROLE_CLIENT;
	k.reserved[1] = 1;
	IS(sdrp_peer_start_keys(p, &k), -EINVAL, "misuse: reserved bytes");
	k.reserved[1] = 0;
	IS(sdrp_peer_start_keys(p, &k), 0, "misuse: start with keys");
	IS(sdrp_peer_start_keys(p, &k), -EINVAL, "misuse: started twice");
	IS(sdrp_peer_respond(p, "x", 1), -EINVAL, "misuse: client cannot respond");
	IS(sdrp_peer_next_request(p, &d, &n), -EINVAL,
	   "misuse: client has no next request");
	IS(sdrp_peer_request(p, NULL, 5, &d, &n), -EINVAL, "misuse: NULL body");
	IS(sdrp_peer_request(p, "x", SDRP_MAX_DATA + 1, &d, &n), -EMSGSIZE,
	   "misuse: body above SDRP_MAX_DATA");
	IS(sdrp_peer_state(p), SDRP_STATE_ESTABLISHED, "misuse: still established");
	{
		struct sdrp_params np = { .rekey_interval = 5 };

		IS(sdrp_peer_set_params(p, &np), -EBUSY,
		   "misuse: interval fixed once started");
	}
	/* the other end vanishes: a request ends in TRANSPORT */
	close(fds[1]);
	IS(sdrp_peer_request(p, "x", 1, &d, &n), -ECONNRESET,
	   "misuse: request on a dead transport -ECONNRESET");
	IS(sdrp_peer_close_reason(p), SDRP_CLOSE_TRANSPORT, "misuse: reason TRANSPORT");
	IS(sdrp_peer_request(p, "x", 1, &d, &n), -ECONNRESET,
	   "misuse: the failure is sticky");
	IS(sdrp_peer_close(p), -ECONNRESET, "misuse: close reports it too");
	sdrp_peer_free(p);
	close(fds[0]);
	sdrp_wipe(&k, sizeof(k));
}

static void test_names(void)
{
	IS(sdrp_close_reason_errno(SDRP_CLOSE_BAD_MAC), EBADMSG, "names: BAD_MAC -> EBADMSG");
	IS(sdrp_close_reason_errno(SDRP_CLOSE_STALE_TTL), ETIME, "names: STALE_TTL -> ETIME");
	IS(sdrp_close_reason_errno(SDRP_CLOSE_PEER_NO_ACK), ECONNRESET,
	   "names: PEER_NO_ACK -> ECONNRESET");
	IS(sdrp_close_reason_errno(SDRP_CLOSE_NO_ACK), ETIMEDOUT, "names: NO_ACK -> ETIMEDOUT");
	IS(sdrp_fault_parse("bad-mac"), SDRP_FAULT_BAD_MAC, "names: fault parse");
	IS(sdrp_fault_parse("nonsense"), -EINVAL, "names: unknown fault");
	OK(!strcmp(sdrp_msg_type_name(SDRP_MSG_CLOSED_NO_ACK), "closed-without-ack"),
	   "names: message type");
	OK(!strcmp(sdrp_close_reason_name(SDRP_CLOSE_OLD_EPOCH), "old-epoch"),
	   "names: close reason");
}

int main(void)
{
	struct hs_creds h;

	if (sdrp_init())
		tap_bail("no AES-256-GCM on this CPU");
	hs_creds_init(&h);
	test_names();
	test_api_misuse();
	test_long_session(&h);
	test_keys_server_closes();
	test_rekey_crossing();
	test_resend_recovers();
	test_resend_timer_recovers();
	test_resend_exhausted_bad();
	test_resend_exhausted_timer();
	test_crossing_closes();
	test_handshake_identity(&h);
	test_idle_rekey();
	test_agreed_interval(&h);
	test_epoch_exhausted();
	hs_creds_free(&h);
	return tap_done();
}
