// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * gen_vectors: print the sdrp test vectors (tests/vectors.txt).
 *
 *   make -C userspace vectors      regenerates tests/vectors.txt
 *   make -C userspace check        checks that this program reproduces it
 *
 * The output is deterministic: every random input (s0, X25519 secrets,
 * sequence numbers, nonces, PSS salts, payloads) is derived from a fixed
 * label with libsodium's randombytes_buf_deterministic(), the RSA keys are
 * the fixed ones of tests/keys.h and the clock is fixed (NOW_MS).  Every
 * value is produced by libsdrp's public API; tests/test_vectors.c checks
 * the file both against libsdrp and against independent OpenSSL
 * computations (HKDF, AES-256-GCM, HMAC-SHA512, X25519).
 *
 * Format (trivially parsed by awk or a small C reader):
 *   - '#' starts a comment line;
 *   - a vector is a run of "key = value" lines, ended by a blank line;
 *     its first line is "vector = KIND";
 *   - byte strings are lower-case hex (possibly empty), integers decimal.
 *
 * Kinds: hkdf-sha512, certificate, s0-keys, handshake, record, rekey.
 * A record vector holds everything needed to rebuild the record: the
 * direction's keys (enc_key, iv, mac_key; clear records have mac_key
 * only), epoch, record counter, and the message (type, seq, ttl, nonce,
 * data); inner is the plaintext, record the whole record on the wire.
 * The records of one session follow each other in the file in sending
 * order (session = initial handshake, data, a rekey with interval 2,
 * close), so a replay can also check the seq and counter rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sdrp/sdrp.h>

#include "keys.h"

#define NOW_MS		1767225600000ULL	/* 2026-01-01T00:00:00Z */
#define NOT_BEFORE	1735689600ULL		/* 2025-01-01 */
#define NOT_AFTER	2082758400ULL		/* 2036-01-01 */
#define INTERVAL	2			/* short, to reach a rekey */

static void die(const char *what, long rc)
{
	fprintf(stderr, "gen_vectors: %s failed: %ld\n", what, rc);
	exit(1);
}

/* Fixed "random" bytes: ChaCha20 keyed by SHA-512(label)[0..32). */
static void derive(const char *label, void *out, size_t len)
{
	uint8_t h[crypto_hash_sha512_BYTES];

	crypto_hash_sha512(h, (const uint8_t *)label, strlen(label));
	randombytes_buf_deterministic(out, len, h);
}

static uint64_t derive_u64(const char *label, int nonzero)
{
	uint8_t b[8];
	uint64_t v;

	derive(label, b, sizeof(b));
	v = sdrp_get_be64(b);
	return nonzero && !v ? 1 : v;
}

static void begin(const char *kind, const char *name)
{
	printf("vector = %s\nname = %s\n", kind, name);
}

static void end(void)
{
	printf("\n");
}

static void hex(const char *key, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	printf("%s =%s", key, len ? " " : "");
	for (i = 0; i < len; i++)
		printf("%02x", b[i]);
	printf("\n");
}

static void num(const char *key, uint64_t v)
{
	printf("%s = %llu\n", key, (unsigned long long)v);
}

static void str(const char *key, const char *s)
{
	printf("%s = %s\n", key, s);
}

/* RFC 5869 test cases 1-3 inputs, with SHA-512 instead of SHA-256. */
static void gen_hkdf(void)
{
	uint8_t ikm[80], salt[80], info[80], prk[64], okm[82];
	struct {
		const char *name;
		size_t ikm_len, salt_len, info_len, l;
		uint8_t ikm0, salt0, info0;
	} tc[] = {
		{ "rfc5869-a1-inputs", 22, 13, 10, 42, 0x0b, 0x00, 0xf0 },
		{ "rfc5869-a2-inputs", 80, 80, 80, 82, 0x00, 0x60, 0xb0 },
		{ "rfc5869-a3-inputs", 22, 0, 0, 42, 0x0b, 0, 0 },
	};
	size_t i, j;

	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		for (j = 0; j < 80; j++) {
			/* A.1: ikm all 0x0b, salt 00.., info f0..;
			 * A.2: 00.., 60.., b0..; A.3: ikm 0x0b. */
			ikm[j] = tc[i].ikm0 == 0x0b ? 0x0b :
				 (uint8_t)(tc[i].ikm0 + j);
			salt[j] = (uint8_t)(tc[i].salt0 + j);
			info[j] = (uint8_t)(tc[i].info0 + j);
		}
		sdrp_hkdf_extract(prk, salt, tc[i].salt_len, ikm,
				  tc[i].ikm_len);
		if (sdrp_hkdf_expand(okm, tc[i].l, prk, info, tc[i].info_len,
				     NULL, 0))
			die("hkdf_expand", 0);
		begin("hkdf-sha512", tc[i].name);
		hex("ikm", ikm, tc[i].ikm_len);
		hex("salt", salt, tc[i].salt_len);
		hex("info", info, tc[i].info_len);
		num("length", tc[i].l);
		hex("prk", prk, sizeof(prk));
		hex("okm", okm, tc[i].l);
		end();
	}
}

static struct sdrp_privkey *key_load(const char *pem)
{
	struct sdrp_privkey *k;
	int rc = sdrp_privkey_from_pem(pem, strlen(pem), &k);

	if (rc)
		die("privkey_from_pem", rc);
	return k;
}

static struct sdrp_cert *cert_make(const char *name, uint64_t serial,
				   const char *subject, const char *issuer,
				   struct sdrp_privkey *subject_key,
				   struct sdrp_privkey *issuer_key,
				   const char *key_name)
{
	uint8_t salt[SDRP_PSS_SALT_LEN];
	struct sdrp_cert_template t = {
		.serial = serial,
		.not_before = NOT_BEFORE,
		.not_after = NOT_AFTER,
		.subject = subject,
		.issuer = issuer,
		.pss_salt = salt,
	};
	struct sdrp_cert *c;
	char label[64];
	int rc;

	snprintf(label, sizeof(label), "cert salt %s", name);
	derive(label, salt, sizeof(salt));
	rc = sdrp_cert_create(&t, subject_key, issuer_key, &c);
	if (rc)
		die("cert_create", rc);
	begin("certificate", name);
	str("key", key_name);
	str("issuer_key", issuer == subject ? key_name : "ca");
	num("serial", serial);
	num("not_before", NOT_BEFORE);
	num("not_after", NOT_AFTER);
	str("subject", subject);
	str("issuer", issuer);
	hex("n", c->n, c->n_len);
	hex("e", c->e, c->e_len);
	hex("pss_salt", salt, sizeof(salt));
	hex("signed_digest_input_prefix", SDRP_SIG_CTX_CERT,
	    strlen(SDRP_SIG_CTX_CERT));
	num("signed_len", c->signed_len);
	hex("cert", c->raw, c->raw_len);
	end();
	return c;
}

/* One direction's keys as seen by a record vector. */
struct dir {
	const char *name;		/* "c2s" / "s2c" */
	struct sdrp_cipher *cipher;
	const struct sdrp_dir_keys *keys;	/* NULL: clear */
	const uint8_t *mac_key;		/* clear */
	uint32_t epoch;
};

/*
 * Seal one message with @d and print it as a record vector.  Returns the
 * record length; the record is left in @rec.
 */
static size_t record(const char *name, struct dir *d, struct sdrp_msg *m,
		     uint8_t *rec, size_t cap)
{
	uint64_t counter = sdrp_cipher_counter(d->cipher);
	uint8_t *inner = malloc(sdrp_msg_inner_len(m));
	ssize_t len, ilen;

	if (!inner)
		die("malloc", 0);
	ilen = sdrp_inner_encode(m, inner, sdrp_msg_inner_len(m));
	if (ilen < 0)
		die("inner_encode", ilen);
	len = sdrp_record_seal(d->cipher, m, rec, cap);
	if (len < 0)
		die("record_seal", len);
	begin("record", name);
	str("dir", d->name);
	num("clear", !d->keys);
	num("epoch", d->epoch);
	num("counter", counter);
	if (d->keys) {
		hex("enc_key", d->keys->key, sizeof(d->keys->key));
		hex("iv", d->keys->iv, sizeof(d->keys->iv));
		hex("mac_key", d->keys->mac, sizeof(d->keys->mac));
	} else {
		hex("mac_key", d->mac_key, SDRP_MAC_KEY_LEN);
	}
	num("type", m->type);
	num("seq", m->seq);
	num("ttl", m->ttl);
	num("nonce", m->nonce);
	hex("data", m->data, m->data_len);
	hex("inner", inner, (size_t)ilen);
	hex("record", rec, (size_t)len);
	end();
	free(inner);
	return (size_t)len;
}

static void keys_print(const char *prefix, const struct sdrp_keys *k)
{
	char key[64];

	snprintf(key, sizeof(key), "%sc2s_key", prefix);
	hex(key, k->c2s.key, sizeof(k->c2s.key));
	snprintf(key, sizeof(key), "%sc2s_iv", prefix);
	hex(key, k->c2s.iv, sizeof(k->c2s.iv));
	snprintf(key, sizeof(key), "%sc2s_mac", prefix);
	hex(key, k->c2s.mac, sizeof(k->c2s.mac));
	snprintf(key, sizeof(key), "%ss2c_key", prefix);
	hex(key, k->s2c.key, sizeof(k->s2c.key));
	snprintf(key, sizeof(key), "%ss2c_iv", prefix);
	hex(key, k->s2c.iv, sizeof(k->s2c.iv));
	snprintf(key, sizeof(key), "%ss2c_mac", prefix);
	hex(key, k->s2c.mac, sizeof(k->s2c.mac));
}

static struct sdrp_msg msg(uint8_t type, uint64_t *seq, uint64_t ttl,
			   const char *nonce_label, const void *data,
			   size_t data_len)
{
	struct sdrp_msg m = {
		.type = type,
		.seq = *seq,
		.ttl = sdrp_type_has_ttl(type) ? ttl : 0,
		.data = data,
		.data_len = data_len,
	};

	if (sdrp_type_has_nonce(type))
		m.nonce = derive_u64(nonce_label, 1);
	*seq = sdrp_seq_next(&m);
	return m;
}

static struct sdrp_cipher *cipher(const struct sdrp_dir_keys *k, uint32_t epoch)
{
	struct sdrp_cipher *c;
	int rc = sdrp_cipher_new(&c, k, epoch, 0);

	if (rc)
		die("cipher_new", rc);
	return c;
}

int main(void)
{
	static uint8_t hello[16384], hello_ack[16384], rec[16384];
	static uint8_t rk_hello[256], rk_ack[256];
	uint8_t s0[SDRP_S0_LEN], c_sk[32], s_sk[32], c_salt[64], s_salt[64];
	uint8_t c_pk[32], s_pk[32], dh[32], c_rk_sk[32], s_rk_sk[32];
	uint8_t c_rk_pk[32], s_rk_pk[32], resp1[100], resp2[64];
	struct sdrp_privkey *ca_key, *client_key, *server_key;
	struct sdrp_cert *ca, *client_cert, *server_cert;
	struct sdrp_hs *chs, *shs;
	struct sdrp_hs_result cres, sres;
	struct sdrp_s0_keys s0k;
	struct sdrp_keys k0, k1;
	struct dir c2s, s2c;
	size_t hello_len, ack_len, rk_hello_len, rk_ack_len;
	uint64_t seq0, c2s_seq, s2c_seq, ttl = NOW_MS + SDRP_DEFAULT_TTL_MS;
	const char *const allowed[] = { "client.example" };
	struct sdrp_psk psk;
	struct sdrp_msg m;
	ssize_t len;
	int rc;

	if (sdrp_init())
		die("sdrp_init", -1);
	printf("# sdrp test vectors, generated by userspace/lib/tests/gen_vectors.c\n"
	       "# (see its header comment for the format).  Do not edit by hand.\n"
	       "# Clock of the session: now_ms = %llu; certificates valid\n"
	       "# %llu..%llu (Unix seconds).\n\n",
	       (unsigned long long)NOW_MS, (unsigned long long)NOT_BEFORE,
	       (unsigned long long)NOT_AFTER);

	gen_hkdf();

	ca_key = key_load(test_key_ca_pem);
	client_key = key_load(test_key_client_pem);
	server_key = key_load(test_key_server_pem);
	ca = cert_make("ca", 1, "sdrp-test-ca", "sdrp-test-ca", ca_key, ca_key,
		       "ca");
	client_cert = cert_make("client", 2, "client.example", "sdrp-test-ca",
				client_key, ca_key, "client");
	server_cert = cert_make("server", 3, "server.example", "sdrp-test-ca",
				server_key, ca_key, "server");

	derive("s0", s0, sizeof(s0));
	sdrp_kdf_s0(&s0k, s0);
	begin("s0-keys", "s0");
	hex("s0", s0, sizeof(s0));
	hex("c2s_hello_mac", s0k.c2s_hello_mac, sizeof(s0k.c2s_hello_mac));
	hex("s2c_hello_mac", s0k.s2c_hello_mac, sizeof(s0k.s2c_hello_mac));
	hex("ck0", s0k.ck0, sizeof(s0k.ck0));
	end();

	/* Initial handshake. */
	derive("client x25519", c_sk, sizeof(c_sk));
	derive("server x25519", s_sk, sizeof(s_sk));
	derive("client pss salt", c_salt, sizeof(c_salt));
	derive("server pss salt", s_salt, sizeof(s_salt));
	seq0 = derive_u64("initial seq", 0);
	memcpy(psk.s0, s0, sizeof(s0));
	psk.identities = allowed;
	psk.n_identities = 1;
	rc = sdrp_hs_new(&chs, &(struct sdrp_hs_config){
		.role = SDRP_ROLE_CLIENT, .key = client_key,
		.cert = client_cert, .ca = ca, .s0 = s0,
		.server_identity = "server.example",
		.rekey_interval = INTERVAL, .x25519_sk = c_sk,
		.initial_seq = &seq0, .pss_salt = c_salt });
	if (rc)
		die("hs_new client", rc);
	rc = sdrp_hs_new(&shs, &(struct sdrp_hs_config){
		.role = SDRP_ROLE_SERVER, .key = server_key,
		.cert = server_cert, .ca = ca, .psks = &psk, .n_psks = 1,
		.x25519_sk = s_sk, .pss_salt = s_salt });
	if (rc)
		die("hs_new server", rc);
	len = sdrp_hs_client_hello(chs, NOW_MS, hello, sizeof(hello));
	if (len < 0)
		die("client_hello", len);
	hello_len = (size_t)len;
	len = sdrp_hs_server_hello(shs, hello, hello_len, NOW_MS, hello_ack,
				   sizeof(hello_ack), &sres, NULL);
	if (len < 0)
		die("server_hello", len);
	ack_len = (size_t)len;
	rc = sdrp_hs_client_finish(chs, hello_ack, ack_len, NOW_MS, &cres, NULL);
	if (rc)
		die("client_finish", rc);
	sdrp_x25519_public(c_pk, c_sk);
	sdrp_x25519_public(s_pk, s_sk);
	sdrp_x25519(dh, c_sk, s_pk);

	begin("handshake", "initial");
	num("now_ms", NOW_MS);
	hex("s0", s0, sizeof(s0));
	str("client_cert", "client");
	str("server_cert", "server");
	str("ca_cert", "ca");
	str("server_identity", "server.example");
	str("client_identity", "client.example");
	num("client_interval", INTERVAL);
	num("server_interval", SDRP_DEFAULT_REKEY_INTERVAL);
	num("initial_seq", seq0);
	hex("client_x25519_sk", c_sk, sizeof(c_sk));
	hex("client_x25519_pk", c_pk, sizeof(c_pk));
	hex("server_x25519_sk", s_sk, sizeof(s_sk));
	hex("server_x25519_pk", s_pk, sizeof(s_pk));
	hex("client_pss_salt", c_salt, sizeof(c_salt));
	hex("server_pss_salt", s_salt, sizeof(s_salt));
	hex("hello", hello, hello_len);
	hex("hello_ack", hello_ack, ack_len);
	hex("dh", dh, sizeof(dh));
	hex("th", cres.transcript_hash, sizeof(cres.transcript_hash));
	hex("ck0", s0k.ck0, sizeof(s0k.ck0));
	keys_print("", &cres.keys);
	hex("ck1", cres.keys.chain_key, sizeof(cres.keys.chain_key));
	num("rekey_interval", cres.rekey_interval);
	num("c2s_seq", cres.keys.c2s_seq);
	num("s2c_seq", cres.keys.s2c_seq);
	end();
	if (sodium_memcmp(&cres.keys.c2s, &sres.keys.c2s, sizeof(cres.keys.c2s)) ||
	    sodium_memcmp(&cres.keys.s2c, &sres.keys.s2c, sizeof(cres.keys.s2c)))
		die("client and server keys differ", 0);

	/*
	 * The two clear records of the handshake as record vectors, and the
	 * clear CLOSE / CLOSE ACK / CLOSED WITHOUT ACK a side would send
	 * before epoch 0 (the client's CLOSE after its HELLO takes clear
	 * counter 1).
	 */
	{
		struct sdrp_cipher *ctx_clear, *stx_clear;
		uint64_t cs = seq0, ss = seq0;
		uint8_t data_buf[8192];

		sdrp_cipher_new_clear(&ctx_clear, s0k.c2s_hello_mac, 0);
		sdrp_cipher_new_clear(&stx_clear, s0k.s2c_hello_mac, 0);
		c2s = (struct dir){ "c2s", ctx_clear, NULL, s0k.c2s_hello_mac, 0 };
		s2c = (struct dir){ "s2c", stx_clear, NULL, s0k.s2c_hello_mac, 0 };
		/* Re-seal the HELLO from its inner plaintext: same bytes. */
		rc = sdrp_inner_decode(SDRP_MSG_HELLO, hello + SDRP_HDR_LEN,
				       hello_len - SDRP_HDR_LEN - SDRP_MAC_LEN,
				       &m, NULL);
		if (rc)
			die("decode hello", rc);
		memcpy(data_buf, m.data, m.data_len);
		m.data = data_buf;
		len = (ssize_t)record("initial-hello", &c2s, &m, rec, sizeof(rec));
		if ((size_t)len != hello_len || memcmp(rec, hello, hello_len))
			die("hello re-seal", 0);
		rc = sdrp_inner_decode(SDRP_MSG_HELLO_ACK, hello_ack + SDRP_HDR_LEN,
				       ack_len - SDRP_HDR_LEN - SDRP_MAC_LEN,
				       &m, NULL);
		if (rc)
			die("decode hello ack", rc);
		memcpy(data_buf, m.data, m.data_len);
		m.data = data_buf;
		len = (ssize_t)record("initial-hello-ack", &s2c, &m, rec,
				      sizeof(rec));
		if ((size_t)len != ack_len || memcmp(rec, hello_ack, ack_len))
			die("hello ack re-seal", 0);
		cs++;
		ss++;
		m = msg(SDRP_MSG_CLOSE, &cs, ttl + 1000, NULL, NULL, 0);
		record("clear-close", &c2s, &m, rec, sizeof(rec));
		m = msg(SDRP_MSG_CLOSE_ACK, &ss, ttl + 1010, NULL, NULL, 0);
		record("clear-close-ack", &s2c, &m, rec, sizeof(rec));
		m = msg(SDRP_MSG_CLOSED_NO_ACK, &cs, 0, NULL, NULL, 0);
		record("clear-closed-without-ack", &c2s, &m, rec, sizeof(rec));
		sdrp_cipher_free(ctx_clear);
		sdrp_cipher_free(stx_clear);
	}

	/* Epoch 0 session. */
	k0 = cres.keys;
	c2s_seq = k0.c2s_seq;
	s2c_seq = k0.s2c_seq;
	c2s = (struct dir){ "c2s", cipher(&k0.c2s, 0), &k0.c2s, NULL, 0 };
	s2c = (struct dir){ "s2c", cipher(&k0.s2c, 0), &k0.s2c, NULL, 0 };
	derive("response 1", resp1, sizeof(resp1));
	derive("response 2", resp2, sizeof(resp2));

	m = msg(SDRP_MSG_ACK, &c2s_seq, ttl + 2000, "nonce ack 0", NULL, 0);
	record("e0-ack", &c2s, &m, rec, sizeof(rec));
	m = msg(SDRP_MSG_DATA_REQUEST, &c2s_seq, ttl + 2010, NULL,
		"GET /temperature", 16);
	record("e0-data-request", &c2s, &m, rec, sizeof(rec));
	m = msg(SDRP_MSG_DATA_RESPONSE, &s2c_seq, ttl + 2020, NULL, resp1,
		sizeof(resp1));
	record("e0-data-response", &s2c, &m, rec, sizeof(rec));
	m = msg(SDRP_MSG_DATA_ACK, &c2s_seq, ttl + 2030, "nonce data ack 1",
		NULL, 0);
	record("e0-data-ack", &c2s, &m, rec, sizeof(rec));
	{
		/* An empty request, asked again after a RESEND LAST: the
		 * retransmission has the same seq, a new record counter. */
		uint64_t again = c2s_seq;

		m = msg(SDRP_MSG_DATA_REQUEST, &c2s_seq, ttl + 2040, NULL,
			NULL, 0);
		record("e0-data-request-empty", &c2s, &m, rec, sizeof(rec));
		m = msg(SDRP_MSG_RESEND_LAST, &s2c_seq, ttl + 2050, NULL, NULL,
			0);
		record("e0-resend-last", &s2c, &m, rec, sizeof(rec));
		m = msg(SDRP_MSG_DATA_REQUEST, &again, ttl + 2060, NULL, NULL,
			0);
		record("e0-data-request-resent", &c2s, &m, rec, sizeof(rec));
	}
	m = msg(SDRP_MSG_DATA_RESPONSE, &s2c_seq, ttl + 2070, NULL, resp2,
		sizeof(resp2));
	record("e0-data-response-2", &s2c, &m, rec, sizeof(rec));
	m = msg(SDRP_MSG_DATA_ACK, &c2s_seq, ttl + 2080, "nonce data ack 2",
		NULL, 0);
	record("e0-data-ack-2", &c2s, &m, rec, sizeof(rec));

	/* Rekey after INTERVAL acknowledged responses. */
	derive("server rekey x25519", s_rk_sk, sizeof(s_rk_sk));
	derive("client rekey x25519", c_rk_sk, sizeof(c_rk_sk));
	sdrp_x25519_public(s_rk_pk, s_rk_sk);
	sdrp_x25519_public(c_rk_pk, c_rk_sk);
	m = msg(SDRP_MSG_HELLO, &s2c_seq, ttl + 3000, NULL, s_rk_pk, 32);
	rk_hello_len = record("rekey-hello", &s2c, &m, rk_hello,
			      sizeof(rk_hello));
	m = msg(SDRP_MSG_HELLO_ACK, &c2s_seq, ttl + 3010, NULL, c_rk_pk, 32);
	rk_ack_len = record("rekey-hello-ack", &c2s, &m, rk_ack,
			    sizeof(rk_ack));
	k1 = k0;
	rc = sdrp_rekey_derive(&k1, c_rk_sk, s_rk_pk, rk_hello, rk_hello_len,
			       rk_ack, rk_ack_len, NULL);
	if (rc)
		die("rekey_derive", rc);
	{
		struct sdrp_keys ks = k0;
		uint8_t th[64];

		rc = sdrp_rekey_derive(&ks, s_rk_sk, c_rk_pk, rk_hello,
				       rk_hello_len, rk_ack, rk_ack_len, NULL);
		if (rc || sodium_memcmp(&ks, &k1, sizeof(ks)))
			die("rekey sides differ", rc);
		sdrp_x25519(dh, s_rk_sk, c_rk_pk);
		sdrp_transcript_hash(th, rk_hello, rk_hello_len, rk_ack,
				     rk_ack_len);
		begin("rekey", "epoch0-to-1");
		num("epoch", 0);
		hex("ck1", k0.chain_key, sizeof(k0.chain_key));
		hex("server_x25519_sk", s_rk_sk, sizeof(s_rk_sk));
		hex("server_x25519_pk", s_rk_pk, sizeof(s_rk_pk));
		hex("client_x25519_sk", c_rk_sk, sizeof(c_rk_sk));
		hex("client_x25519_pk", c_rk_pk, sizeof(c_rk_pk));
		hex("hello", rk_hello, rk_hello_len);
		hex("hello_ack", rk_ack, rk_ack_len);
		hex("dh", dh, sizeof(dh));
		hex("th", th, sizeof(th));
		num("new_epoch", k1.epoch);
		keys_print("", &k1);
		hex("ck2", k1.chain_key, sizeof(k1.chain_key));
		end();
	}
	sdrp_cipher_free(c2s.cipher);
	sdrp_cipher_free(s2c.cipher);

	/* Epoch 1: ACK from the server, one exchange, close. */
	c2s = (struct dir){ "c2s", cipher(&k1.c2s, 1), &k1.c2s, NULL, 1 };
	s2c = (struct dir){ "s2c", cipher(&k1.s2c, 1), &k1.s2c, NULL, 1 };
	m = msg(SDRP_MSG_ACK, &s2c_seq, ttl + 4000, "nonce rekey ack", NULL, 0);
	record("e1-ack", &s2c, &m, rec, sizeof(rec));
	m = msg(SDRP_MSG_DATA_REQUEST, &c2s_seq, ttl + 4010, NULL,
		"GET /humidity", 13);
	record("e1-data-request", &c2s, &m, rec, sizeof(rec));
	m = msg(SDRP_MSG_DATA_RESPONSE, &s2c_seq, ttl + 4020, NULL, "42%", 3);
	record("e1-data-response", &s2c, &m, rec, sizeof(rec));
	m = msg(SDRP_MSG_DATA_ACK, &c2s_seq, ttl + 4030, "nonce data ack 3",
		NULL, 0);
	record("e1-data-ack", &c2s, &m, rec, sizeof(rec));
	m = msg(SDRP_MSG_CLOSE, &c2s_seq, ttl + 4040, NULL, NULL, 0);
	record("e1-close", &c2s, &m, rec, sizeof(rec));
	m = msg(SDRP_MSG_CLOSE_ACK, &s2c_seq, ttl + 4050, NULL, NULL, 0);
	record("e1-close-ack", &s2c, &m, rec, sizeof(rec));
	/* Not part of the flow above (a CLOSE ACK arrived): the record the
	 * server would send after its CLOSEs went unanswered. */
	m = msg(SDRP_MSG_CLOSED_NO_ACK, &s2c_seq, 0, NULL, NULL, 0);
	record("e1-closed-without-ack", &s2c, &m, rec, sizeof(rec));

	sdrp_cipher_free(c2s.cipher);
	sdrp_cipher_free(s2c.cipher);
	sdrp_hs_free(chs);
	sdrp_hs_free(shs);
	sdrp_cert_free(ca);
	sdrp_cert_free(client_cert);
	sdrp_cert_free(server_cert);
	sdrp_privkey_free(ca_key);
	sdrp_privkey_free(client_key);
	sdrp_privkey_free(server_key);
	if (fflush(stdout) || ferror(stdout))
		die("write", 0);
	return 0;
}
