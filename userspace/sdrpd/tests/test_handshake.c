// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The handshake turns without a kernel: this test plays the kernel's
 * relay between a client-side and a server-side engine (each with its own
 * configuration, as two daemons on two hosts would have), checks that both
 * end with the same epoch-0 keys, and checks each refusal with the status
 * the application would get: unknown CA, expired certificate, wrong
 * identity, bad HELLO signature, s0 mismatch, tampered HELLO, replayed
 * HELLO, plus the daemon's own failures and the worker pool.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <sodium.h>
#include <linux/sdrp_netlink.h>

#include "tap.h"

#define CLIENT_CONF_CA(cert, ca, server_ids, s0)			\
	"[identity]\nname = client.example\nprivate-key = client.key\n"	\
	"certificate = " cert "\nca-certificate = " ca "\n"		\
	"[peer server]\ns0-file = " s0 "\nidentities = " server_ids "\n"
#define CLIENT_CONF(cert, server_ids, s0)				\
	CLIENT_CONF_CA(cert, "ca.crt", server_ids, s0)

#define SERVER_CONF(cert, s0, extra)					\
	"[identity]\nname = server.example\nprivate-key = server.key\n"	\
	"certificate = " cert "\nca-certificate = ca.crt\n" extra	\
	"[peer client]\ns0-file = " s0 "\nidentities = client.example\n"

struct side {
	struct sdrpd_engine *e;
	struct sdrpd_config *cfg;
};

static void side_new(struct side *s, const struct fx *f, const char *name,
		     const char *conf)
{
	s->cfg = fx_load(f, name, conf);
	if (sdrpd_engine_new(&s->e, 64))
		tap_bail("engine");
}

static void side_free(struct side *s)
{
	sdrpd_engine_free(s->e);
	sdrpd_config_put(s->cfg);
}

/* One turn as the kernel would hand it over. */
static void turn(struct side *s, uint32_t handle, uint32_t turn_id,
		 const char *peer_id, const uint8_t *rec, size_t len,
		 struct sdrpd_answer *ans)
{
	struct sdrpd_request r = {
		.handle = handle,
		.turn = turn_id,
		.role = turn_id == SDRP_TURN_SERVER_HELLO ? SDRP_ROLE_SERVER
							   : SDRP_ROLE_CLIENT,
		.timeout_ms = 10000,
		.rekey_interval = 10,
		.ttl_ms = SDRP_DEFAULT_TTL_MS,
		.clock_skew_ms = SDRP_DEFAULT_CLOCK_SKEW_MS,
		.record = (uint8_t *)rec,
		.record_len = len,
		.received_ms = sdrp_now_ms(),
	};
	struct sockaddr_in *remote = (struct sockaddr_in *)&r.remote;

	remote->sin_family = AF_INET;
	remote->sin_addr.s_addr = htonl(0xc0000201);	/* 192.0.2.1 */
	remote->sin_port = htons(4433);
	if (peer_id) {
		r.has_peer_identity = true;
		snprintf(r.peer_identity, sizeof(r.peer_identity), "%s",
			 peer_id);
	}
	sdrpd_hs_turn(s->e, s->cfg, &r, sdrp_now_ms(), ans);
}

static int record_type(const struct sdrpd_answer *a)
{
	return a->record_len > 1 ? a->record[1] : -1;
}

static uint64_t clear_seq_of(const struct sdrpd_answer *a)
{
	return sdrp_get_be64(a->record + SDRP_HDR_LEN);
}

static bool clear_opens(const struct sdrpd_answer *c,
			const struct sdrpd_answer *s, unsigned int type);

/* The three turns; returns the status of the first DONE. */
struct run {
	struct sdrpd_answer hello, server, client;
};

static void run_full(struct side *c, struct side *s, uint32_t handle,
		     const char *server_id, struct run *r)
{
	memset(r, 0, sizeof(*r));
	turn(c, handle, SDRP_TURN_CLIENT_HELLO, server_id, NULL, 0, &r->hello);
	if (r->hello.cmd != SDRP_CMD_SEND)
		return;
	turn(s, handle + 1000, SDRP_TURN_SERVER_HELLO, NULL, r->hello.record,
	     r->hello.record_len, &r->server);
	/* Whatever the server's kernel sent goes back to the client. */
	if (r->server.record_len)
		turn(c, handle, SDRP_TURN_CLIENT_FINISH, server_id,
		     r->server.record, r->server.record_len, &r->client);
	else
		sdrpd_hs_forget(c->e, handle);
}

static void run_clear(struct run *r)
{
	sdrpd_answer_clear(&r->hello);
	sdrpd_answer_clear(&r->server);
	sdrpd_answer_clear(&r->client);
}

static bool keys_match(const struct sdrpd_answer *a,
		       const struct sdrpd_answer *b)
{
	const struct sdrp_keys *x = &a->keys, *y = &b->keys;

	return a->has_keys && b->has_keys && x->epoch == 0 && y->epoch == 0 &&
	       x->c2s_seq == y->c2s_seq && x->s2c_seq == y->s2c_seq &&
	       !memcmp(&x->c2s, &y->c2s, sizeof(x->c2s)) &&
	       !memcmp(&x->s2c, &y->s2c, sizeof(x->s2c)) &&
	       !memcmp(x->chain_key, y->chain_key, sizeof(x->chain_key)) &&
	       !memcmp(a->hello_mac_c2s, b->hello_mac_c2s, 64) &&
	       !memcmp(a->hello_mac_s2c, b->hello_mac_s2c, 64);
}

/* The client's ACK under its c2s keys opens with the server's. */
static bool ack_opens(const struct sdrpd_answer *c,
		      const struct sdrpd_answer *s)
{
	struct sdrp_cipher *tx = NULL, *rx = NULL;
	struct sdrp_msg m = {
		.type = SDRP_MSG_ACK, .seq = c->keys.c2s_seq,
		.ttl = sdrp_now_ms() + 1000, .nonce = 7,
	}, got;
	uint8_t rec[256];
	ssize_t len;
	bool ok = false;

	if (sdrp_cipher_new(&tx, &c->keys.c2s, 0, 0) ||
	    sdrp_cipher_new(&rx, &s->keys.c2s, 0, 0))
		goto out;
	len = sdrp_record_seal(tx, &m, rec, sizeof(rec));
	ok = len > 0 && !sdrp_record_open(rx, rec, (size_t)len, &got, NULL) &&
	     got.seq == s->keys.c2s_seq && got.nonce == 7;
out:
	sdrp_cipher_free(tx);
	sdrp_cipher_free(rx);
	return ok;
}

/*
 * What the client's kernel does with SEND's keys when no HELLO ACK comes
 * in time: a clear CLOSE under hello-mac-c2s, clear counter 1 (the HELLO
 * took 0), seq n + 1.  The server's side opens it with the c2s hello MAC
 * key its own daemon derived.
 */
static bool hello_timeout_close_opens(const struct sdrpd_answer *send,
				      const struct sdrpd_answer *s)
{
	struct sdrp_cipher *tx = NULL, *rx = NULL;
	uint64_t n = sdrp_get_be64(send->record + SDRP_HDR_LEN);
	struct sdrp_msg m = {
		.type = SDRP_MSG_CLOSE, .seq = n + 1,
		.ttl = sdrp_now_ms() + 1000,
	}, got;
	uint8_t rec[256];
	ssize_t len;
	bool ok = false;

	if (sdrp_cipher_new_clear(&tx, send->hello_mac_c2s, 1) ||
	    sdrp_cipher_new_clear(&rx, s->hello_mac_c2s, 1))
		goto out;
	len = sdrp_record_seal(tx, &m, rec, sizeof(rec));
	ok = len > 0 && !sdrp_record_open(rx, rec, (size_t)len, &got, NULL) &&
	     got.type == SDRP_MSG_CLOSE && got.seq == s->keys.c2s_seq;
out:
	sdrp_cipher_free(tx);
	sdrp_cipher_free(rx);
	return ok;
}

static void test_success(const struct fx *f)
{
	struct side c, s;
	struct run r;

	side_new(&c, f, "c.conf",
		 CLIENT_CONF("client.crt", "server.example", "a.s0"));
	side_new(&s, f, "s.conf",
		 SERVER_CONF("server.crt", "a.s0",
			     "[handshake]\nrekey-interval = 4\n"));
	run_full(&c, &s, 1, "server.example", &r);
	IS(r.hello.cmd, SDRP_CMD_SEND, "client-hello answers SEND");
	IS(record_type(&r.hello), SDRP_MSG_HELLO, "SEND carries a HELLO");
	OK(r.hello.has_hello_keys &&
	   !memcmp(r.hello.hello_mac_c2s, r.server.hello_mac_c2s, 64) &&
	   !memcmp(r.hello.hello_mac_s2c, r.server.hello_mac_s2c, 64),
	   "SEND carries both hello MAC keys, the ones the server derives");
	OK(hello_timeout_close_opens(&r.hello, &r.server),
	   "with SEND's c2s key, the kernel's CLOSE after no HELLO ACK opens at the server (counter 1, seq n+1)");
	IS(r.server.cmd, SDRP_CMD_DONE, "server-hello answers DONE");
	IS(r.server.status, 0, "server accepts the client");
	IS(record_type(&r.server), SDRP_MSG_HELLO_ACK,
	   "server's DONE carries the HELLO ACK");
	IS(r.client.status, 0, "client accepts the server");
	IS(r.client.record_len, 0, "client's DONE carries no record");
	OK(keys_match(&r.client, &r.server),
	   "both sides end with the same epoch-0 keys and hello MAC keys");
	IS(r.client.keys.role, SDRP_ROLE_CLIENT, "client keys: role client");
	IS(r.server.keys.role, SDRP_ROLE_SERVER, "server keys: role server");
	OK(ack_opens(&r.client, &r.server),
	   "an ACK sealed with the client's keys opens with the server's");
	OK(!strcmp(r.client.peer_identity, "server.example") &&
	   !strcmp(r.server.peer_identity, "client.example"),
	   "each side learns the other's verified identity");
	OK(r.client.rekey_interval == 4 && r.server.rekey_interval == 4,
	   "agreed rekey interval: min(client 10, server config 4)");
	IS(sdrpd_hs_forget(c.e, 1), 0, "client state freed after DONE");
	run_clear(&r);
	side_free(&c);
	side_free(&s);
}

/* Many handshakes interleaved: each turn stands alone. */
static void test_interleaved(const struct fx *f)
{
	enum { N = 6 };
	struct sdrpd_answer hello[N], srv[N], cli;
	struct side c, s;
	int i, good = 0;

	side_new(&c, f, "c.conf",
		 CLIENT_CONF("client.crt", "server.example", "a.s0"));
	side_new(&s, f, "s.conf", SERVER_CONF("server.crt", "a.s0", ""));
	for (i = 0; i < N; i++)
		turn(&c, 100 + i, SDRP_TURN_CLIENT_HELLO, "server.example",
		     NULL, 0, &hello[i]);
	for (i = N - 1; i >= 0; i--)
		turn(&s, 200 + i, SDRP_TURN_SERVER_HELLO, NULL,
		     hello[i].record, hello[i].record_len, &srv[i]);
	for (i = 0; i < N; i++) {
		int j = (i * 5) % N;	/* another order again */

		turn(&c, 100 + j, SDRP_TURN_CLIENT_FINISH, "server.example",
		     srv[j].record, srv[j].record_len, &cli);
		good += cli.status == 0 && keys_match(&cli, &srv[j]);
		sdrpd_answer_clear(&cli);
	}
	IS(good, N, "%d handshakes in flight, answered out of order", N);
	for (i = 0; i < N; i++) {
		sdrpd_answer_clear(&hello[i]);
		sdrpd_answer_clear(&srv[i]);
	}
	side_free(&c);
	side_free(&s);
}

/* A refusal seen by the server (the client's HELLO is refused). */
static void server_refuses(const char *name, struct side *c, struct side *s,
			   uint32_t want, const char *reason, bool close,
			   uint32_t want_error)
{
	struct run r;

	run_full(c, s, 10, "server.example", &r);
	IS(r.server.error, want_error, "%s: reason code for the stats", name);
	if (!tap_ok(r.server.cmd == SDRP_CMD_DONE && r.server.status == want &&
		    !r.server.has_keys && r.server.reason &&
		    strstr(r.server.reason, reason),
		    "%s: server refuses with %s (%s)", name, strerror((int)want),
		    reason))
		printf("# status %u reason %s\n", r.server.status,
		       r.server.reason ? r.server.reason : "-");
	if (close) {
		OK(record_type(&r.server) == SDRP_MSG_CLOSE &&
		   r.client.status == ECONNREFUSED,
		   "%s: server sends a clear CLOSE; client daemon verifies it: ECONNREFUSED",
		   name);
		OK(r.server.has_hello_keys && !r.client.has_hello_keys &&
		   record_type(&r.client) == SDRP_MSG_CLOSE_ACK,
		   "%s: client answers with a clear CLOSE ACK", name);
		/* The server's kernel checks it with the keys it got. */
		r.server.keys.c2s_seq = clear_seq_of(&r.hello) + 1;
		OK(clear_opens(&r.client, &r.server, SDRP_MSG_CLOSE_ACK),
		   "%s: the server's kernel opens that CLOSE ACK (counter 1, seq n+1)",
		   name);
	} else {
		OK(r.server.record_len == 0 && !r.server.has_hello_keys,
		   "%s: no CLOSE, no key to a peer that did not prove s0",
		   name);
	}
	run_clear(&r);
}

static void test_server_refusals(const struct fx *f)
{
	struct side c, s, c2;

	side_new(&s, f, "s.conf", SERVER_CONF("server.crt", "a.s0", ""));

	/* A client whose certificate and CA are another CA's. */
	side_new(&c, f, "c.conf",
		 CLIENT_CONF_CA("rogue.crt", "rogue-ca.crt", "server.example",
				"a.s0"));
	server_refuses("unknown CA", &c, &s, EKEYREJECTED, "unknown-ca", true,
		       SDRP_HS_ERROR_UNKNOWN_CA);
	side_free(&c);

	side_new(&c, f, "c.conf",
		 CLIENT_CONF("client.crt", "server.example", "b.s0"));
	server_refuses("s0 mismatch", &c, &s, EBADMSG, "bad-mac", false,
		       SDRP_HS_ERROR_BAD_MAC);
	side_free(&c);

	/* The application on the server asked for another client. */
	side_new(&c, f, "c.conf",
		 CLIENT_CONF("client.crt", "server.example", "a.s0"));
	{
		struct sdrpd_answer h, a;

		turn(&c, 20, SDRP_TURN_CLIENT_HELLO, "server.example", NULL, 0,
		     &h);
		turn(&s, 21, SDRP_TURN_SERVER_HELLO, "collector.example",
		     h.record, h.record_len, &a);
		OK(a.status == EKEYREJECTED && !a.has_keys &&
		   record_type(&a) == SDRP_MSG_CLOSE,
		   "wrong identity (server side): EKEYREJECTED, CLOSE");
		{
			struct sdrpd_answer fin;

			/* Its HELLO ACK was built but is never sent: the CLOSE
			 * takes its counter and seq. */
			turn(&c, 20, SDRP_TURN_CLIENT_FINISH, "server.example",
			     a.record, a.record_len, &fin);
			IS(fin.status, ECONNREFUSED,
			   "wrong identity (server side): client verifies the CLOSE");
			/* Replayed CLOSE: no client state any more. */
			turn(&c, 20, SDRP_TURN_CLIENT_FINISH, "server.example",
			     a.record, a.record_len, &fin);
			IS(fin.status, ECONNABORTED,
			   "a request completes once: a second client-finish is unknown");
		}
		/* Refused, so released: the same HELLO is judged again. */
		turn(&s, 22, SDRP_TURN_SERVER_HELLO, NULL, h.record,
		     h.record_len, &a);
		IS(a.status, 0,
		   "a refused HELLO leaves the replay cache (judged again)");
		turn(&s, 23, SDRP_TURN_SERVER_HELLO, NULL, h.record,
		     h.record_len, &a);
		OK(a.status == EALREADY && !a.has_keys && !a.record_len &&
		   a.error == SDRP_HS_ERROR_REPLAY,
		   "replayed HELLO: EALREADY, reason replay, nothing sent");
		/* Another engine (daemon) knows nothing of it. */
		side_new(&c2, f, "s2.conf",
			 SERVER_CONF("server.crt", "a.s0", ""));
		turn(&c2, 24, SDRP_TURN_SERVER_HELLO, NULL, h.record,
		     h.record_len, &a);
		IS(a.status, 0, "replay cache is per daemon");
		side_free(&c2);
		sdrpd_answer_clear(&h);
		sdrpd_answer_clear(&a);
	}
	side_free(&c);
	side_free(&s);
}

/* HELLO of a fresh client, tampered with by @edit, given to the server. */
static void tampered(const struct fx *f, const char *name, bool remac,
		     uint32_t want, const char *reason, uint32_t want_error)
{
	struct sdrpd_answer h, a;
	struct sdrp_s0_keys k;
	crypto_auth_hmacsha512_state st;
	uint8_t s0[SDRP_S0_LEN], counter[8] = { 0 };
	struct side c, s;
	size_t mac_at;

	side_new(&c, f, "c.conf",
		 CLIENT_CONF("client.crt", "server.example", "a.s0"));
	side_new(&s, f, "s.conf", SERVER_CONF("server.crt", "a.s0", ""));
	turn(&c, 30, SDRP_TURN_CLIENT_HELLO, "server.example", NULL, 0, &h);
	mac_at = h.record_len - SDRP_MAC_LEN;
	if (remac) {
		/* Last signature byte, then a valid MAC: the sender knew s0. */
		h.record[mac_at - 1] ^= 0x01;
		sdrp_s0_parse(S0_A, strlen(S0_A), s0);
		sdrp_kdf_s0(&k, s0);
		crypto_auth_hmacsha512_init(&st, k.c2s_hello_mac, 64);
		crypto_auth_hmacsha512_update(&st, counter, 8);
		crypto_auth_hmacsha512_update(&st, h.record, mac_at);
		crypto_auth_hmacsha512_final(&st, h.record + mac_at);
		sdrp_wipe(&k, sizeof(k));
	} else {
		/* A byte of the certificate, MAC left alone. */
		h.record[SDRP_HDR_LEN + 16 + 32 + 4 + 2 + 20] ^= 0x01;
	}
	turn(&s, 31, SDRP_TURN_SERVER_HELLO, NULL, h.record, h.record_len, &a);
	if (!tap_ok(a.status == want && !a.has_keys && a.reason &&
		    strstr(a.reason, reason), "%s: %s (%s)", name,
		    strerror((int)want), reason))
		printf("# status %u reason %s\n", a.status,
		       a.reason ? a.reason : "-");
	IS(a.error, want_error, "%s: reason code for the stats", name);
	OK((record_type(&a) == SDRP_MSG_CLOSE) == remac &&
	   a.has_hello_keys == remac,
	   "%s: CLOSE (and hello MAC keys) only if the MAC verified", name);
	sdrpd_hs_forget(c.e, 30);
	sdrpd_answer_clear(&h);
	sdrpd_answer_clear(&a);
	side_free(&c);
	side_free(&s);
}

/*
 * The client's clear CLOSE, as the server's kernel would check it: under
 * the c2s hello MAC key from the server's DONE, clear counter 1, seq equal
 * to the server's c2s_seq.
 */
static bool clear_opens(const struct sdrpd_answer *c,
			const struct sdrpd_answer *s, unsigned int type)
{
	struct sdrp_cipher *rx = NULL;
	struct sdrp_msg m;
	uint8_t rec[512];
	bool ok;

	if (c->record_len > sizeof(rec) ||
	    sdrp_cipher_new_clear(&rx, s->hello_mac_c2s, 1))
		return false;
	memcpy(rec, c->record, c->record_len);
	ok = !sdrp_record_open(rx, rec, c->record_len, &m, NULL) &&
	     m.type == type && m.seq == s->keys.c2s_seq;
	sdrp_cipher_free(rx);
	return ok;
}

/* A refusal seen by the client (the server's HELLO ACK is refused). */
static void client_refuses(const struct fx *f, const char *name,
			   const char *client_conf, const char *server_conf,
			   const char *server_id, const char *server_cert,
			   uint32_t want, const char *reason,
			   uint32_t want_error)
{
	struct side c, s;
	struct run r;
	char path[600];

	side_new(&c, f, "c.conf", client_conf);
	side_new(&s, f, "s.conf", server_conf);
	if (server_cert) {
		/* It expired while the daemon ran (sdrpd refuses to start
		 * with an expired certificate). */
		fx_path(f, server_cert, path, sizeof(path));
		sdrp_cert_free(s.cfg->cert);
		if (sdrp_cert_load(path, &s.cfg->cert, NULL))
			tap_bail("%s", path);
	}
	run_full(&c, &s, 40, server_id, &r);
	if (!tap_ok(r.server.status == 0 && r.client.status == want &&
		    !r.client.has_keys && r.client.reason &&
		    strstr(r.client.reason, reason),
		    "%s: client refuses with %s (%s)", name,
		    strerror((int)want), reason))
		printf("# server %u client %u reason %s\n", r.server.status,
		       r.client.status,
		       r.client.reason ? r.client.reason : "-");
	IS(r.client.error, want_error, "%s: reason code for the stats", name);
	IS(record_type(&r.client), SDRP_MSG_CLOSE,
	   "%s: client's DONE carries a clear CLOSE for the server", name);
	IS(r.client.close_reason, SDRP_CLOSE_AUTH, "%s: close reason AUTH",
	   name);
	OK(r.client.has_hello_keys &&
	   !memcmp(r.client.hello_mac_s2c, r.server.hello_mac_s2c, 64),
	   "%s: with the hello MAC keys for the close exchange", name);
	OK(clear_opens(&r.client, &r.server, SDRP_MSG_CLOSE),
	   "%s: the server's kernel opens that CLOSE with the hello MAC key it got (counter 1, seq n+1)",
	   name);
	run_clear(&r);
	side_free(&c);
	side_free(&s);
}

static void test_client_refusals(const struct fx *f)
{
	client_refuses(f, "expired certificate",
		       CLIENT_CONF("client.crt", "server.example", "a.s0"),
		       SERVER_CONF("server.crt", "a.s0", ""), "server.example",
		       "expired.crt", EKEYEXPIRED, "cert-expired",
		       SDRP_HS_ERROR_CERT_EXPIRED);
	/* The client may talk to two names with one s0; it asked for b. */
	client_refuses(f, "wrong identity",
		       CLIENT_CONF("client.crt", "server.example b.example",
				   "a.s0"),
		       SERVER_CONF("server.crt", "a.s0", ""), "b.example",
		       NULL, EKEYREJECTED, "identity", SDRP_HS_ERROR_IDENTITY);
}

static void test_daemon_failures(const struct fx *f)
{
	struct sdrpd_answer a;
	struct sdrpd_request r = {
		.handle = 50, .turn = SDRP_TURN_CLIENT_HELLO,
		.role = SDRP_ROLE_CLIENT, .timeout_ms = 0,
		.has_peer_identity = true, .peer_identity = "server.example",
		.received_ms = sdrp_now_ms(),
	};
	struct side c;
	uint8_t junk[40] = { 1, 1 };

	side_new(&c, f, "c.conf",
		 CLIENT_CONF("client.crt", "server.example", "a.s0"));
	sdrpd_hs_turn(c.e, c.cfg, &r, sdrp_now_ms(), &a);
	OK(a.cmd == SDRP_CMD_DONE && a.status == ETIMEDOUT &&
	   a.error == SDRP_HS_ERROR_TIMEOUT,
	   "request out of time: ETIMEDOUT without work");
	turn(&c, 51, SDRP_TURN_CLIENT_HELLO, "nobody.example", NULL, 0, &a);
	OK(a.cmd == SDRP_CMD_DONE && a.status == ENOKEY &&
	   a.error == SDRP_HS_ERROR_NO_CREDENTIALS,
	   "no [peer] for the server identity: ENOKEY");
	turn(&c, 52, SDRP_TURN_CLIENT_HELLO, NULL, NULL, 0, &a);
	OK(a.status == ENOKEY, "client without a server identity: ENOKEY");
	turn(&c, 53, SDRP_TURN_CLIENT_FINISH, "server.example", junk,
	     sizeof(junk), &a);
	OK(a.status == ECONNABORTED && a.error == SDRP_HS_ERROR_LOST_STATE,
	   "client-finish for an unknown handle (restarted daemon): ECONNABORTED");
	r.turn = SDRP_TURN_SERVER_HELLO;
	r.timeout_ms = 1000;
	sdrpd_hs_turn(c.e, c.cfg, &r, sdrp_now_ms(), &a);
	OK(a.status == EPROTO, "turn and role that do not fit: EPROTO");
	turn(&c, 54, SDRP_TURN_SERVER_HELLO, NULL, junk, sizeof(junk), &a);
	OK(a.status == EPROTO && !a.record_len,
	   "server-hello with a malformed record: EPROTO");
	turn(&c, 55, SDRP_TURN_CLIENT_HELLO, "server.example", NULL, 0, &a);
	OK(a.cmd == SDRP_CMD_SEND && sdrpd_hs_forget(c.e, 55) &&
	   !sdrpd_hs_forget(c.e, 55),
	   "a refused SEND's client state is forgotten once");
	sdrpd_answer_clear(&a);
	side_free(&c);
}

/* A client handshake whose request the kernel timed out is dropped. */
static void test_deadline(const struct fx *f)
{
	struct sdrpd_request r = {
		.handle = 80, .turn = SDRP_TURN_CLIENT_HELLO,
		.role = SDRP_ROLE_CLIENT, .timeout_ms = 10,
		.has_peer_identity = true, .peer_identity = "server.example",
	};
	struct sdrpd_answer a;
	struct side c;
	uint64_t now = sdrp_now_ms();

	side_new(&c, f, "c.conf",
		 CLIENT_CONF("client.crt", "server.example", "a.s0"));
	r.received_ms = now;
	sdrpd_hs_turn(c.e, c.cfg, &r, now, &a);
	IS(a.cmd, SDRP_CMD_SEND, "deadline: first client handshake sent");
	/* Later than its deadline plus grace, another one starts. */
	r.handle = 81;
	r.timeout_ms = 10000;
	r.received_ms = now + 2000;
	sdrpd_hs_turn(c.e, c.cfg, &r, now + 2000, &a);
	OK(!sdrpd_hs_forget(c.e, 80) && sdrpd_hs_forget(c.e, 81),
	   "deadline: the expired handshake was dropped, the live one kept");
	sdrpd_answer_clear(&a);
	side_free(&c);
}

static void count_handle(uint32_t handle, void *arg)
{
	*(uint32_t *)arg += handle;
}

static void test_drain(const struct fx *f)
{
	struct sdrpd_answer a;
	struct side c;
	uint32_t sum = 0;

	side_new(&c, f, "c.conf",
		 CLIENT_CONF("client.crt", "server.example", "a.s0"));
	turn(&c, 60, SDRP_TURN_CLIENT_HELLO, "server.example", NULL, 0, &a);
	turn(&c, 61, SDRP_TURN_CLIENT_HELLO, "server.example", NULL, 0, &a);
	OK(sdrpd_hs_drain(c.e, count_handle, &sum) == 2 && sum == 121,
	   "exit: both waiting client handshakes are handed out to fail");
	sdrpd_answer_clear(&a);
	side_free(&c);
}

/* The worker pool runs turns and hands back every answer. */
static void test_workers(const struct fx *f)
{
	enum { N = 8 };
	struct sdrpd_workers *w;
	struct sdrpd_answer *ans;
	struct side c;
	int efd, i, got = 0, sends = 0;
	uint64_t n;

	side_new(&c, f, "c.conf",
		 CLIENT_CONF("client.crt", "server.example", "a.s0"));
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0 || sdrpd_workers_start(&w, 3, c.e, efd))
		tap_bail("workers");
	for (i = 0; i < N; i++) {
		struct sdrpd_request *r = calloc(1, sizeof(*r));

		r->handle = 70 + i;
		r->turn = SDRP_TURN_CLIENT_HELLO;
		r->role = SDRP_ROLE_CLIENT;
		r->timeout_ms = 10000;
		r->received_ms = sdrp_now_ms();
		r->has_peer_identity = true;
		strcpy(r->peer_identity, "server.example");
		sdrpd_workers_submit(w, r, c.cfg);
	}
	while (got < N) {
		struct pollfd p = { .fd = efd, .events = POLLIN };

		if (poll(&p, 1, 20000) != 1)
			break;
		if (read(efd, &n, sizeof(n)) != sizeof(n))
			break;
		while ((ans = sdrpd_workers_collect(w))) {
			got++;
			sends += ans->cmd == SDRP_CMD_SEND;
			sdrpd_answer_clear(ans);
			free(ans);
		}
	}
	OK(got == N && sends == N, "worker pool: %d turns, %d answers", N,
	   got);
	IS(sdrpd_workers_busy(w), 0, "worker pool: nothing left in flight");
	sdrpd_workers_stop(w, ECONNABORTED);
	{
		struct sdrpd_request *r = calloc(1, sizeof(*r));

		r->handle = 99;
		r->turn = SDRP_TURN_SERVER_HELLO;
		sdrpd_workers_submit(w, r, c.cfg);
		ans = sdrpd_workers_collect(w);
		OK(ans && ans->cmd == SDRP_CMD_DONE &&
		   ans->status == ECONNABORTED && ans->handle == 99,
		   "stopped pool answers new requests with the exit status");
		free(ans);
	}
	sdrpd_workers_free(w);
	close(efd);
	sdrpd_hs_drain(c.e, count_handle, &(uint32_t){ 0 });
	side_free(&c);
}

int main(void)
{
	struct fx f;

	if (sdrp_init())
		tap_bail("sdrp_init");
	fx_setup(&f);
	test_success(&f);
	test_interleaved(&f);
	test_server_refusals(&f);
	tampered(&f, "tampered HELLO", false, EBADMSG, "bad-mac",
		 SDRP_HS_ERROR_BAD_MAC);
	tampered(&f, "bad HELLO signature", true, EBADMSG, "hello-signature",
		 SDRP_HS_ERROR_HELLO_SIGNATURE);
	test_client_refusals(&f);
	test_daemon_failures(&f);
	test_drain(&f);
	test_deadline(&f);
	test_workers(&f);
	fx_teardown(&f);
	return tap_done();
}
