// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Initial handshake, both roles: success, every rejection (unknown CA,
 * expired or not-yet-valid certificate, wrong or unlisted identity, bad
 * signature, s0 mismatch, tampered HELLO / HELLO ACK, stale or future
 * ttl, malformed), clear CLOSE after a failure, and a rekey.  A HELLO ACK
 * is also built here independently from the protocol text, which checks
 * the signed-bytes layout and lets tests send what no honest server
 * would (interval above the proposal, wrong seq, weak key).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util.h"

static struct test_creds cr;
static uint64_t now_ms;
static uint8_t s0[32], s0_other[32];
static const char *const client_ids[] = { "client.example" };
static const char *const other_ids[] = { "someone.example" };

struct side {
	struct sdrp_hs_config cfg;
	struct sdrp_psk psks[3];
};

static void client_cfg(struct side *c)
{
	memset(c, 0, sizeof(*c));
	c->cfg = (struct sdrp_hs_config){
		.role = SDRP_ROLE_CLIENT, .key = cr.client_key,
		.cert = cr.client, .ca = cr.ca, .s0 = s0,
		.server_identity = "server.example",
	};
}

static void server_cfg(struct side *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->psks[0].s0, s0, 32);
	s->psks[0].identities = client_ids;
	s->psks[0].n_identities = 1;
	s->cfg = (struct sdrp_hs_config){
		.role = SDRP_ROLE_SERVER, .key = cr.server_key,
		.cert = cr.server, .ca = cr.ca, .psks = s->psks, .n_psks = 1,
	};
}

struct run {
	struct sdrp_hs *c, *s;
	uint8_t hello[8192], ack[8192];
	size_t hello_len, ack_len;
	struct sdrp_hs_result cres, sres;
	int server_rc, client_rc;
	enum sdrp_err server_err, client_err;
};

static void run_free(struct run *r)
{
	sdrp_hs_free(r->c);
	sdrp_hs_free(r->s);
	sodium_memzero(r, sizeof(*r));
	free(r);
}

/*
 * Run the handshake; @mangle_hello may alter the HELLO in flight.  The
 * server sees it at @server_now, the client the HELLO ACK at @client_now.
 */
static struct run *run(struct side *c, struct side *s,
		       void (*mangle_hello)(struct run *), uint64_t server_now,
		       uint64_t client_now)
{
	struct run *r = calloc(1, sizeof(*r));
	ssize_t len;

	if (sdrp_hs_new(&r->c, &c->cfg) || sdrp_hs_new(&r->s, &s->cfg))
		tap_bail("sdrp_hs_new");
	len = sdrp_hs_client_hello(r->c, now_ms, r->hello, sizeof(r->hello));
	if (len < 0)
		tap_bail("client_hello: %zd", len);
	r->hello_len = (size_t)len;
	if (mangle_hello)
		mangle_hello(r);
	len = sdrp_hs_server_hello(r->s, r->hello, r->hello_len, server_now,
				   r->ack, sizeof(r->ack), &r->sres,
				   &r->server_err);
	r->server_rc = len < 0 ? (int)len : 0;
	if (len < 0)
		return r;
	r->ack_len = (size_t)len;
	r->client_rc = sdrp_hs_client_finish(r->c, r->ack, r->ack_len,
					     client_now, &r->cres,
					     &r->client_err);
	return r;
}

static void remac(const uint8_t *s0_used, int s2c, uint64_t counter,
		  uint8_t *rec, size_t len)
{
	struct sdrp_s0_keys k;
	crypto_auth_hmacsha512_state st;
	uint8_t ctr[8];

	sdrp_kdf_s0(&k, s0_used);
	sdrp_put_be64(ctr, counter);
	crypto_auth_hmacsha512_init(&st, s2c ? k.s2c_hello_mac : k.c2s_hello_mac,
				    64);
	crypto_auth_hmacsha512_update(&st, ctr, 8);
	crypto_auth_hmacsha512_update(&st, rec, len - 64);
	crypto_auth_hmacsha512_final(&st, rec + len - 64);
	sodium_memzero(&k, sizeof(k));
}

static void flip_sig(struct run *r)
{
	r->hello[r->hello_len - 64 - 10] ^= 1;
	remac(s0, 0, 0, r->hello, r->hello_len);
}

static void flip_byte(struct run *r)
{
	r->hello[40] ^= 1;
}

static void raise_interval(struct run *r)
{
	/* interval after seq, ttl and the 32-byte key */
	r->hello[12 + 16 + 32 + 3] ^= 1;
	remac(s0, 0, 0, r->hello, r->hello_len);
}

static void cut_hello(struct run *r)
{
	r->hello_len -= 1;
}

static void expect_server(struct run *r, int rc, enum sdrp_err err,
			  const char *what)
{
	OK(r->server_rc == rc && r->server_err == err,
	   "server %s: %d %s (got %d %s)", what, rc, sdrp_err_name(err),
	   r->server_rc, sdrp_err_name(r->server_err));
}

static void expect_client(struct run *r, int rc, enum sdrp_err err,
			  const char *what)
{
	OK(!r->server_rc && r->client_rc == rc && r->client_err == err,
	   "client %s: %d %s (got %d/%d %s)", what, rc, sdrp_err_name(err),
	   r->server_rc, r->client_rc, sdrp_err_name(r->client_err));
}

static void test_success(void)
{
	struct side c, s;
	struct run *r;
	struct sdrp_cipher *tx, *rx;
	uint8_t rec[256];
	struct sdrp_msg m, d;
	ssize_t len;

	client_cfg(&c);
	server_cfg(&s);
	s.cfg.rekey_interval = 5;
	r = run(&c, &s, NULL, now_ms, now_ms);
	OK(!r->server_rc && !r->client_rc, "handshake succeeds");
	OK(!sodium_memcmp(&r->cres.keys.c2s, &r->sres.keys.c2s,
			  sizeof(r->cres.keys.c2s)) &&
	   !sodium_memcmp(&r->cres.keys.s2c, &r->sres.keys.s2c,
			  sizeof(r->cres.keys.s2c)) &&
	   !sodium_memcmp(r->cres.keys.chain_key, r->sres.keys.chain_key, 64) &&
	   !sodium_memcmp(r->cres.transcript_hash, r->sres.transcript_hash, 64),
	   "both sides hold the same keys, ck_1 and th_0");
	OK(sodium_memcmp(&r->cres.keys.c2s, &r->cres.keys.s2c,
			 sizeof(r->cres.keys.c2s)),
	   "the two directions have different keys");
	IS(r->cres.rekey_interval, 5, "interval: min(client 10, server 5)");
	IS(r->sres.rekey_interval, 5, "interval: server agrees");
	OK(!strcmp(r->cres.peer_identity, "server.example") &&
	   !strcmp(r->sres.peer_identity, "client.example"),
	   "each side learns the other's identity");
	OK(r->cres.keys.role == SDRP_ROLE_CLIENT &&
	   r->sres.keys.role == SDRP_ROLE_SERVER && !r->cres.keys.epoch &&
	   r->cres.keys.c2s_seq == r->sres.keys.c2s_seq &&
	   r->cres.keys.s2c_seq == r->sres.keys.s2c_seq,
	   "roles, epoch 0, matching seqs");
	OK(r->hello[2] == SDRP_HDR_F_CLEAR && r->ack[2] == SDRP_HDR_F_CLEAR &&
	   r->hello[1] == SDRP_MSG_HELLO && r->ack[1] == SDRP_MSG_HELLO_ACK,
	   "HELLO and HELLO ACK are clear records");
	OK(sdrp_get_be64(r->hello + 12) == sdrp_get_be64(r->ack + 12) &&
	   r->cres.keys.c2s_seq == sdrp_get_be64(r->hello + 12) + 1,
	   "HELLO ACK echoes the HELLO's seq");

	/* The client's ACK under the epoch 0 keys reaches the server. */
	sdrp_cipher_new(&tx, &r->cres.keys.c2s, 0, r->cres.keys.c2s_counter);
	sdrp_cipher_new(&rx, &r->sres.keys.c2s, 0, r->sres.keys.c2s_counter);
	m = (struct sdrp_msg){ .type = SDRP_MSG_ACK,
			       .seq = r->cres.keys.c2s_seq,
			       .ttl = now_ms + 25000, .nonce = 99 };
	len = sdrp_record_seal(tx, &m, rec, sizeof(rec));
	OK(len > 0 && !sdrp_record_open(rx, rec, (size_t)len, &d, NULL) &&
	   !sdrp_check_seq(&d, r->sres.keys.c2s_seq, NULL) &&
	   !sdrp_check_ttl(&d, now_ms, 0, 0, NULL),
	   "ACK under epoch 0 keys accepted by the server");
	sdrp_cipher_free(tx);
	sdrp_cipher_free(rx);
	IS(sdrp_hs_client_hello(r->c, now_ms, rec, sizeof(rec)), -EINVAL,
	   "a finished client cannot send HELLO again");
	run_free(r);

	/* The default key size (3072 bits: 384-byte signatures). */
	{
		struct sdrp_privkey *big;
		struct sdrp_cert *big_cert;

		OK(!sdrp_privkey_generate(0, &big) &&
		   sdrp_privkey_bits(big) == SDRP_DEFAULT_RSA_BITS,
		   "default RSA key size is 3072 bits");
		big_cert = test_cert("server.example", big, "sdrp-test-ca",
				     cr.ca_key, now_ms / 1000 - 10,
				     now_ms / 1000 + 100);
		server_cfg(&s);
		s.cfg.key = big;
		s.cfg.cert = big_cert;
		r = run(&c, &s, NULL, now_ms, now_ms);
		OK(!r->server_rc && !r->client_rc &&
		   !sodium_memcmp(&r->cres.keys.c2s, &r->sres.keys.c2s,
				  sizeof(r->cres.keys.c2s)) &&
		   sdrp_get_be32(r->ack + 8) > 384,
		   "handshake with a 3072-bit server key");
		run_free(r);
		sdrp_cert_free(big_cert);
		sdrp_privkey_free(big);
	}

	/* Server with several s0: the matching one is chosen. */
	server_cfg(&s);
	memcpy(s.psks[1].s0, s0, 32);
	s.psks[1].identities = client_ids;
	s.psks[1].n_identities = 1;
	memcpy(s.psks[0].s0, s0_other, 32);
	s.cfg.n_psks = 2;
	r = run(&c, &s, NULL, now_ms, now_ms);
	OK(!r->server_rc && !r->client_rc, "server tries each s0 until one fits");
	run_free(r);
	/* ... and the identity must be allowed for that s0. */
	s.psks[1].identities = other_ids;
	s.psks[0].identities = client_ids;
	r = run(&c, &s, NULL, now_ms, now_ms);
	expect_server(r, -EKEYREJECTED, SDRP_ERR_IDENTITY,
		      "client allowed only for another s0");
	run_free(r);
}

static void test_rejections(void)
{
	struct side c, s;
	struct run *r;
	struct sdrp_cert *rogue, *expired, *future;

	client_cfg(&c);
	server_cfg(&s);

	memcpy(s.psks[0].s0, s0_other, 32);
	r = run(&c, &s, NULL, now_ms, now_ms);
	expect_server(r, -EBADMSG, SDRP_ERR_BAD_MAC, "s0 mismatch");
	OK(!sdrp_hs_clear_tx(r->s) && !sdrp_hs_clear_rx(r->s),
	   "server with no matching s0 has no clear cipher");
	run_free(r);
	server_cfg(&s);

	rogue = test_cert("client.example", cr.client_key, "rogue-ca",
			  cr.rogue_key, now_ms / 1000 - 10, now_ms / 1000 + 100);
	c.cfg.cert = rogue;
	r = run(&c, &s, NULL, now_ms, now_ms);
	expect_server(r, -EKEYREJECTED, SDRP_ERR_UNKNOWN_CA,
		      "client certificate from an unknown CA");
	OK(sdrp_hs_clear_tx(r->s) != NULL,
	   "server can send a clear CLOSE after an auth failure");
	run_free(r);
	sdrp_cert_free(rogue);
	client_cfg(&c);

	rogue = test_cert("server.example", cr.server_key, "rogue-ca",
			  cr.rogue_key, now_ms / 1000 - 10, now_ms / 1000 + 100);
	s.cfg.cert = rogue;
	r = run(&c, &s, NULL, now_ms, now_ms);
	expect_client(r, -EKEYREJECTED, SDRP_ERR_UNKNOWN_CA,
		      "server certificate from an unknown CA");
	run_free(r);
	sdrp_cert_free(rogue);
	server_cfg(&s);

	expired = test_cert("client.example", cr.client_key, "sdrp-test-ca",
			    cr.ca_key, now_ms / 1000 - 100, now_ms / 1000 - 1);
	c.cfg.cert = expired;
	r = run(&c, &s, NULL, now_ms, now_ms);
	expect_server(r, -EKEYEXPIRED, SDRP_ERR_CERT_EXPIRED,
		      "expired client certificate");
	run_free(r);
	sdrp_cert_free(expired);
	client_cfg(&c);

	future = test_cert("server.example", cr.server_key, "sdrp-test-ca",
			   cr.ca_key, now_ms / 1000 + 100, now_ms / 1000 + 200);
	s.cfg.cert = future;
	r = run(&c, &s, NULL, now_ms, now_ms);
	expect_client(r, -EKEYEXPIRED, SDRP_ERR_CERT_NOT_YET_VALID,
		      "server certificate not yet valid");
	run_free(r);
	sdrp_cert_free(future);
	server_cfg(&s);

	c.cfg.server_identity = "other.example";
	r = run(&c, &s, NULL, now_ms, now_ms);
	expect_client(r, -EKEYREJECTED, SDRP_ERR_IDENTITY,
		      "server is not the one asked for");
	run_free(r);
	client_cfg(&c);

	s.psks[0].identities = other_ids;
	r = run(&c, &s, NULL, now_ms, now_ms);
	expect_server(r, -EKEYREJECTED, SDRP_ERR_IDENTITY,
		      "client identity not allowed");
	run_free(r);
	s.psks[0].n_identities = 0;
	r = run(&c, &s, NULL, now_ms, now_ms);
	expect_server(r, -EKEYREJECTED, SDRP_ERR_IDENTITY,
		      "empty allowed list");
	run_free(r);
	server_cfg(&s);

	r = run(&c, &s, flip_sig, now_ms, now_ms);
	expect_server(r, -EBADMSG, SDRP_ERR_HELLO_SIGNATURE,
		      "bad HELLO signature (MAC recomputed)");
	run_free(r);
	r = run(&c, &s, raise_interval, now_ms, now_ms);
	expect_server(r, -EBADMSG, SDRP_ERR_HELLO_SIGNATURE,
		      "interval altered (MAC recomputed): signature binds it");
	run_free(r);
	r = run(&c, &s, flip_byte, now_ms, now_ms);
	expect_server(r, -EBADMSG, SDRP_ERR_BAD_MAC, "tampered HELLO");
	run_free(r);
	r = run(&c, &s, cut_hello, now_ms, now_ms);
	expect_server(r, -EPROTO, SDRP_ERR_TRUNCATED, "truncated HELLO");
	run_free(r);

	r = run(&c, &s, NULL, now_ms + 25001, now_ms);
	expect_server(r, -ETIME, SDRP_ERR_STALE_TTL, "HELLO 25.001 s old");
	run_free(r);
	r = run(&c, &s, NULL, now_ms - 5001, now_ms);
	expect_server(r, -ETIME, SDRP_ERR_FUTURE_TTL,
		      "HELLO from a clock 5.001 s ahead");
	run_free(r);
	r = run(&c, &s, NULL, now_ms, now_ms + 25001);
	expect_client(r, -ETIME, SDRP_ERR_STALE_TTL, "HELLO ACK 25.001 s old");
	run_free(r);

	/* The HELLO ACK of another session does not fit this HELLO. */
	{
		struct run *a = run(&c, &s, NULL, now_ms, now_ms);
		struct run *b = calloc(1, sizeof(*b));
		enum sdrp_err err;

		sdrp_hs_new(&b->c, &c.cfg);
		sdrp_hs_client_hello(b->c, now_ms, b->hello, sizeof(b->hello));
		b->client_rc = sdrp_hs_client_finish(b->c, a->ack, a->ack_len,
						     now_ms, &b->cres, &err);
		OK(b->client_rc == -EBADMSG && err == SDRP_ERR_HELLO_SIGNATURE,
		   "client: HELLO ACK of another session (%s)",
		   sdrp_err_name(err));
		/* A HELLO where a HELLO ACK is due. */
		b->client_rc = sdrp_hs_client_finish(a->c, a->hello, a->hello_len,
						     now_ms, &b->cres, &err);
		OK(b->client_rc == -EINVAL, "client: finish twice refused");
		run_free(a);
		run_free(b);
	}
	{
		struct run *a = calloc(1, sizeof(*a));
		enum sdrp_err err;
		ssize_t len;

		sdrp_hs_new(&a->c, &c.cfg);
		sdrp_hs_new(&a->s, &s.cfg);
		len = sdrp_hs_client_hello(a->c, now_ms, a->hello, sizeof(a->hello));
		a->hello_len = (size_t)len;
		a->hello[1] = SDRP_MSG_HELLO_ACK;
		len = sdrp_hs_server_hello(a->s, a->hello, (size_t)len, now_ms,
					   a->ack, sizeof(a->ack), &a->sres, &err);
		OK(len == -EPROTO && err == SDRP_ERR_UNEXPECTED_TYPE,
		   "server: HELLO ACK instead of HELLO");
		a->hello[1] = SDRP_MSG_HELLO;
		a->hello[2] = 0;
		len = sdrp_hs_server_hello(a->s, a->hello, a->hello_len, now_ms,
					   a->ack, sizeof(a->ack), &a->sres, &err);
		OK(len == -EINVAL, "server: failed handshake stays failed");
		IS(sdrp_hs_server_hello(a->s, a->hello, 100, now_ms, a->ack,
					sizeof(a->ack), &a->sres, &err), -EINVAL,
		   "server: a second HELLO refused");
		IS(sdrp_hs_client_hello(a->s, now_ms, a->ack, sizeof(a->ack)),
		   -EINVAL, "server cannot send the client's HELLO");
		sdrp_hs_free(a->s);
		sdrp_hs_new(&a->s, &s.cfg);
		len = sdrp_hs_server_hello(a->s, a->hello, a->hello_len, now_ms,
					   a->ack, sizeof(a->ack), &a->sres, &err);
		OK(len == -EPROTO && err == SDRP_ERR_UNEXPECTED_TYPE,
		   "server: a HELLO without the clear flag is the wrong type");
		run_free(a);
	}
}

/* A HELLO ACK built here from the protocol text, signed with @key. */
static size_t craft_ack(const struct run *r, struct sdrp_privkey *key,
			const struct sdrp_cert *cert, uint32_t interval,
			uint64_t seq, const uint8_t pk[32], uint8_t *out)
{
	const char *ctx = "sdrp1 hello ack";
	size_t sig_len = 256, data_len = 32 + 4 + 2 + cert->raw_len + 2 + sig_len;
	size_t inner_len = 16 + data_len, off = 12;
	crypto_hash_sha512_state st;
	uint8_t hello_hash[64], digest[64];

	crypto_hash_sha512(hello_hash, r->hello, r->hello_len);
	out[0] = 1;
	out[1] = SDRP_MSG_HELLO_ACK;
	out[2] = SDRP_HDR_F_CLEAR;
	out[3] = 0;
	sdrp_put_be32(out + 4, 0);
	sdrp_put_be32(out + 8, (uint32_t)(inner_len + 64));
	sdrp_put_be64(out + off, seq);
	sdrp_put_be64(out + off + 8, now_ms + 25000);
	off += 16;
	memcpy(out + off, pk, 32);
	sdrp_put_be32(out + off + 32, interval);
	out[off + 36] = (uint8_t)(cert->raw_len >> 8);
	out[off + 37] = (uint8_t)cert->raw_len;
	memcpy(out + off + 38, cert->raw, cert->raw_len);
	off += 38 + cert->raw_len;
	out[off] = (uint8_t)(sig_len >> 8);
	out[off + 1] = (uint8_t)sig_len;
	off += 2;
	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, (const uint8_t *)ctx, strlen(ctx));
	crypto_hash_sha512_update(&st, hello_hash, 64);
	crypto_hash_sha512_update(&st, out, off);
	crypto_hash_sha512_final(&st, digest);
	if (sdrp_pss_sign(key, digest, NULL, out + off, sig_len) != 256)
		tap_bail("pss_sign");
	off += sig_len;
	remac(s0, 1, 0, out, off + 64);
	return off + 64;
}

static void test_crafted_ack(void)
{
	struct side c, s;
	struct run *r;
	uint8_t ack[8192], sk[32], pk[32], zero[32] = { 0 };
	uint64_t seq;
	size_t len;
	enum sdrp_err err;
	struct sdrp_hs_result res;
	const struct {
		const char *what;
		uint32_t interval;
		int seq_off, weak, rc;
		enum sdrp_err err;
	} tc[] = {
		{ "independently built HELLO ACK accepted", 7, 0, 0, 0,
		  SDRP_ERR_NONE },
		{ "interval above the proposal", 11, 0, 0, -EPROTO,
		  SDRP_ERR_HELLO_INTERVAL },
		{ "interval 0", 0, 0, 0, -EPROTO, SDRP_ERR_HELLO_INTERVAL },
		{ "HELLO ACK with another seq", 10, 1, 0, -EPROTO,
		  SDRP_ERR_BAD_SEQ },
		{ "server X25519 key of low order", 10, 0, 1, -EKEYREJECTED,
		  SDRP_ERR_WEAK_DH },
	};
	size_t i;

	client_cfg(&c);
	server_cfg(&s);
	sdrp_x25519_keypair(sk, pk);
	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		r = calloc(1, sizeof(*r));
		sdrp_hs_new(&r->c, &c.cfg);
		r->hello_len = (size_t)sdrp_hs_client_hello(r->c, now_ms, r->hello,
							    sizeof(r->hello));
		seq = sdrp_get_be64(r->hello + 12) + (uint64_t)tc[i].seq_off;
		len = craft_ack(r, cr.server_key, cr.server, tc[i].interval, seq,
				tc[i].weak ? zero : pk, ack);
		r->client_rc = sdrp_hs_client_finish(r->c, ack, len, now_ms, &res,
						     &err);
		OK(r->client_rc == tc[i].rc && err == tc[i].err,
		   "client: %s (%s)", tc[i].what, sdrp_err_name(err));
		if (!tc[i].rc)
			IS(res.rekey_interval, 7, "client: takes the agreed interval");
		run_free(r);
	}
	sodium_memzero(sk, sizeof(sk));
}

static void test_config(void)
{
	struct side c, s;
	struct sdrp_hs *hs;
	const char *const bad_ids[] = { "bad id" };

	client_cfg(&c);
	c.cfg.key = cr.server_key;
	IS(sdrp_hs_new(&hs, &c.cfg), -EINVAL, "config: key not the certificate's");
	client_cfg(&c);
	c.cfg.s0 = NULL;
	IS(sdrp_hs_new(&hs, &c.cfg), -EINVAL, "config: client without s0");
	client_cfg(&c);
	c.cfg.server_identity = NULL;
	IS(sdrp_hs_new(&hs, &c.cfg), -EINVAL,
	   "config: client without server identity");
	client_cfg(&c);
	c.cfg.ca = NULL;
	IS(sdrp_hs_new(&hs, &c.cfg), -EINVAL, "config: no CA");
	server_cfg(&s);
	s.cfg.n_psks = 0;
	IS(sdrp_hs_new(&hs, &s.cfg), -EINVAL, "config: server without s0");
	server_cfg(&s);
	s.psks[0].identities = bad_ids;
	IS(sdrp_hs_new(&hs, &s.cfg), -EINVAL, "config: invalid allowed identity");
	server_cfg(&s);
	s.cfg.role = 3;
	IS(sdrp_hs_new(&hs, &s.cfg), -EINVAL, "config: unknown role");
}

static void test_clear_close(void)
{
	struct side c, s;
	struct run *r;
	uint8_t rec[256];
	struct sdrp_msg m = { .type = SDRP_MSG_CLOSE, .seq = 1, .ttl = 2 }, d;
	enum sdrp_err err;
	ssize_t len;

	client_cfg(&c);
	server_cfg(&s);
	s.cfg.cert = cr.client;		/* does not match the server key */
	s.cfg.key = cr.client_key;	/* ... so the client will refuse */
	r = run(&c, &s, NULL, now_ms, now_ms);
	expect_client(r, -EKEYREJECTED, SDRP_ERR_IDENTITY,
		      "server presenting another identity");
	len = sdrp_record_seal(sdrp_hs_clear_tx(r->c), &m, rec, sizeof(rec));
	OK(len > 0 && sdrp_cipher_counter(sdrp_hs_clear_tx(r->c)) == 2,
	   "client: clear CLOSE takes clear counter 1");
	OK(!sdrp_record_open(sdrp_hs_clear_rx(r->s), rec, (size_t)len, &d, &err) &&
	   d.type == SDRP_MSG_CLOSE, "server: opens the clear CLOSE");
	m.type = SDRP_MSG_CLOSE_ACK;
	len = sdrp_record_seal(sdrp_hs_clear_tx(r->s), &m, rec, sizeof(rec));
	OK(len > 0 && !sdrp_record_open(sdrp_hs_clear_rx(r->c), rec, (size_t)len,
					&d, &err) && d.type == SDRP_MSG_CLOSE_ACK,
	   "client: opens the server's clear CLOSE ACK");
	run_free(r);
}

static void test_rekey(void)
{
	struct side c, s;
	struct run *r;
	struct sdrp_keys ck, sk;
	struct sdrp_cipher *stx, *crx, *ctx, *srx;
	uint8_t c_sk[32], c_pk[32], s_sk[32], s_pk[32], zero[32] = { 0 };
	uint8_t hello[256], ack[256], copy[256];
	struct sdrp_msg m, d;
	const uint8_t *pub;
	ssize_t hl, al;
	enum sdrp_err err;

	client_cfg(&c);
	server_cfg(&s);
	r = run(&c, &s, NULL, now_ms, now_ms);
	ck = r->cres.keys;
	sk = r->sres.keys;
	sdrp_cipher_new(&stx, &sk.s2c, 0, 0);
	sdrp_cipher_new(&crx, &ck.s2c, 0, 0);
	sdrp_cipher_new(&ctx, &ck.c2s, 0, 0);
	sdrp_cipher_new(&srx, &sk.c2s, 0, 0);
	sdrp_x25519_keypair(s_sk, s_pk);
	sdrp_x25519_keypair(c_sk, c_pk);
	m = (struct sdrp_msg){ .type = SDRP_MSG_HELLO, .seq = sk.s2c_seq,
			       .ttl = now_ms + 25000, .data = s_pk, .data_len = 32 };
	hl = sdrp_record_seal(stx, &m, hello, sizeof(hello));
	memcpy(copy, hello, (size_t)hl);
	OK(hl > 0 && !sdrp_record_open(crx, copy, (size_t)hl, &d, &err) &&
	   !sdrp_rekey_pub(&d, &pub, &err) && !memcmp(pub, s_pk, 32),
	   "rekey: client opens the server's HELLO and reads its key");
	m = (struct sdrp_msg){ .type = SDRP_MSG_HELLO_ACK, .seq = ck.c2s_seq,
			       .ttl = now_ms + 25000, .data = c_pk, .data_len = 32 };
	al = sdrp_record_seal(ctx, &m, ack, sizeof(ack));
	memcpy(copy, ack, (size_t)al);
	OK(al > 0 && !sdrp_record_open(srx, copy, (size_t)al, &d, &err) &&
	   !sdrp_rekey_pub(&d, &pub, &err) && !memcmp(pub, c_pk, 32),
	   "rekey: server opens the client's HELLO ACK");
	{
		struct sdrp_keys before = ck;

		IS(sdrp_rekey_derive(&ck, c_sk, zero, hello, (size_t)hl, ack,
				     (size_t)al, &err), -EPROTO,
		   "rekey: low-order peer key refused");
		OK(err == SDRP_ERR_REKEY_WEAK_DH &&
		   !memcmp(&before, &ck, sizeof(ck)),
		   "rekey: REKEY_WEAK_DH, keys unchanged");
	}
	OK(!sdrp_rekey_derive(&ck, c_sk, s_pk, hello, (size_t)hl, ack,
			      (size_t)al, &err) &&
	   !sdrp_rekey_derive(&sk, s_sk, c_pk, hello, (size_t)hl, ack,
			      (size_t)al, &err), "rekey: both sides derive");
	OK(ck.epoch == 1 && sk.epoch == 1 &&
	   !sodium_memcmp(&ck.c2s, &sk.c2s, sizeof(ck.c2s)) &&
	   !sodium_memcmp(&ck.s2c, &sk.s2c, sizeof(ck.s2c)) &&
	   !sodium_memcmp(ck.chain_key, sk.chain_key, 64) &&
	   sodium_memcmp(&ck.c2s, &r->cres.keys.c2s, sizeof(ck.c2s)),
	   "rekey: same new keys on both sides, different from epoch 0");
	sdrp_cipher_free(stx);
	sdrp_cipher_free(crx);
	/* The server's ACK in epoch 1 opens; an epoch 0 record does not. */
	sdrp_cipher_new(&stx, &sk.s2c, 1, 0);
	sdrp_cipher_new(&crx, &ck.s2c, 1, 0);
	m = (struct sdrp_msg){ .type = SDRP_MSG_ACK, .seq = 5, .ttl = 6,
			       .nonce = 7 };
	hl = sdrp_record_seal(stx, &m, hello, sizeof(hello));
	OK(hl > 0 && !sdrp_record_open(crx, hello, (size_t)hl, &d, &err),
	   "rekey: ACK under epoch 1 accepted");
	al = sdrp_record_seal(ctx, &m, ack, sizeof(ack));
	OK(sdrp_record_open(crx, ack, (size_t)al, &d, &err) == -EPROTO &&
	   err == SDRP_ERR_BAD_EPOCH, "rekey: epoch 0 record refused (BAD_EPOCH)");
	sdrp_cipher_free(stx);
	sdrp_cipher_free(crx);
	sdrp_cipher_free(ctx);
	sdrp_cipher_free(srx);
	sodium_memzero(&ck, sizeof(ck));
	sodium_memzero(&sk, sizeof(sk));
	sodium_memzero(c_sk, sizeof(c_sk));
	sodium_memzero(s_sk, sizeof(s_sk));
	run_free(r);
}

int main(void)
{
	if (sdrp_init())
		tap_bail("sdrp_init failed");
	now_ms = sdrp_now_ms();
	test_creds_init(&cr, now_ms / 1000);
	randombytes_buf(s0, sizeof(s0));
	randombytes_buf(s0_other, sizeof(s0_other));
	test_success();
	test_rejections();
	test_crafted_ack();
	test_config();
	test_clear_close();
	test_rekey();
	test_creds_free(&cr);
	return tap_done();
}
