// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * tests/vectors.txt checked two ways: libsdrp must reproduce every value
 * from the vector's inputs, and an independent computation with OpenSSL
 * (HKDF, HMAC-SHA512, AES-256-GCM, X25519, SHA-512) written here from
 * the protocol text must agree with the file.  The kernel self-test
 * checks the same file.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keys.h"
#include "util.h"

static struct vec *vs;
static size_t nvs;
static uint64_t now_ms;

static const char *key_pem(const char *name)
{
	if (!strcmp(name, "ca"))
		return test_key_ca_pem;
	if (!strcmp(name, "client"))
		return test_key_client_pem;
	if (!strcmp(name, "server"))
		return test_key_server_pem;
	tap_bail("unknown key %s", name);
}

static struct sdrp_privkey *key_load(const char *name)
{
	const char *pem = key_pem(name);
	struct sdrp_privkey *k;

	if (sdrp_privkey_from_pem(pem, strlen(pem), &k))
		tap_bail("key %s", name);
	return k;
}

static struct sdrp_cert *cert_of(const char *name)
{
	const struct vec *v = vec_find(vs, nvs, "certificate", name);
	struct sdrp_cert *c;
	uint8_t *raw;
	size_t len;

	if (!v)
		tap_bail("no certificate %s", name);
	raw = vec_hex_alloc(v, "cert", &len);
	if (sdrp_cert_parse(raw, len, &c, NULL))
		tap_bail("certificate %s does not parse", name);
	free(raw);
	return c;
}

static int hex_eq(const struct vec *v, const char *key, const void *p,
		  size_t len)
{
	size_t got_len;
	uint8_t *want = vec_hex_alloc(v, key, &got_len);
	int eq = got_len == len && !memcmp(want, p, len);

	free(want);
	return eq;
}

static void test_certificate(const struct vec *v, const struct sdrp_cert *ca)
{
	struct sdrp_privkey *k = key_load(vec_str(v, "key"));
	struct sdrp_privkey *ik = key_load(vec_str(v, "issuer_key"));
	struct sdrp_cert *c = cert_of(v->name), *again;
	uint8_t salt[64];
	struct sdrp_cert_template t = {
		.serial = vec_u64(v, "serial"),
		.not_before = vec_u64(v, "not_before"),
		.not_after = vec_u64(v, "not_after"),
		.subject = vec_str(v, "subject"),
		.issuer = vec_str(v, "issuer"),
		.pss_salt = salt,
	};
	enum sdrp_err err;
	int rc;

	vec_hex(v, "pss_salt", salt, sizeof(salt));
	OK(c->serial == t.serial && c->not_before == t.not_before &&
	   c->not_after == t.not_after && !strcmp(c->subject, t.subject) &&
	   !strcmp(c->issuer, t.issuer) && hex_eq(v, "n", c->n, c->n_len) &&
	   hex_eq(v, "e", c->e, c->e_len) &&
	   c->signed_len == vec_u64(v, "signed_len"),
	   "certificate %s: fields", v->name);
	rc = sdrp_cert_verify(c, ca, t.subject, now_ms / 1000, &err);
	OK(!rc, "certificate %s: verifies against the CA (%s)", v->name,
	   sdrp_err_name(err));
	OK(sdrp_cert_matches_key(c, k), "certificate %s: certifies its key",
	   v->name);
	OK(!sdrp_cert_create(&t, k, ik, &again) &&
	   again->raw_len == c->raw_len &&
	   !memcmp(again->raw, c->raw, c->raw_len),
	   "certificate %s: re-created byte for byte", v->name);
	sdrp_cert_free(again);
	sdrp_cert_free(c);
	sdrp_privkey_free(k);
	sdrp_privkey_free(ik);
}

/* Independent key schedule of one epoch with OpenSSL's HKDF. */
static int ref_epoch(const struct vec *v, const uint8_t ck[64],
		     const uint8_t dh[32], const uint8_t th[64],
		     const char *next_ck_key)
{
	static const char *const names[][2] = {
		{ "c2s_key", "sdrp1 c2s key" }, { "c2s_iv", "sdrp1 c2s iv" },
		{ "c2s_mac", "sdrp1 c2s mac" }, { "s2c_key", "sdrp1 s2c key" },
		{ "s2c_iv", "sdrp1 s2c iv" }, { "s2c_mac", "sdrp1 s2c mac" },
		{ NULL, "sdrp1 chain" },
	};
	static const size_t lens[] = { 32, 12, 64, 32, 12, 64, 64 };
	uint8_t info[128], out[64];
	size_t i, l;
	int ok = 1;

	for (i = 0; i < 7; i++) {
		l = strlen(names[i][1]);
		memcpy(info, names[i][1], l);
		memcpy(info + l, th, 64);
		ok &= ref_hkdf_sha512(out, lens[i], ck, 64, dh, 32, info, l + 64,
				      REF_HKDF_FULL);
		ok &= hex_eq(v, names[i][0] ? names[i][0] : next_ck_key, out,
			     lens[i]);
	}
	return ok;
}

static int keys_eq(const struct vec *v, const struct sdrp_keys *k)
{
	return hex_eq(v, "c2s_key", k->c2s.key, 32) &&
	       hex_eq(v, "c2s_iv", k->c2s.iv, 12) &&
	       hex_eq(v, "c2s_mac", k->c2s.mac, 64) &&
	       hex_eq(v, "s2c_key", k->s2c.key, 32) &&
	       hex_eq(v, "s2c_iv", k->s2c.iv, 12) &&
	       hex_eq(v, "s2c_mac", k->s2c.mac, 64);
}

static void test_s0(const struct vec *v)
{
	uint8_t s0[32], prk[64], out[64];
	struct sdrp_s0_keys k;
	int ok;

	vec_hex(v, "s0", s0, sizeof(s0));
	sdrp_kdf_s0(&k, s0);
	OK(hex_eq(v, "c2s_hello_mac", k.c2s_hello_mac, 64) &&
	   hex_eq(v, "s2c_hello_mac", k.s2c_hello_mac, 64) &&
	   hex_eq(v, "ck0", k.ck0, 64), "s0 keys: libsdrp");
	ok = ref_hkdf_sha512(prk, 64, (const uint8_t *)"sdrp1 s0", 8, s0, 32,
			     NULL, 0, REF_HKDF_EXTRACT);
	ok &= ref_hkdf_sha512(out, 64, (const uint8_t *)"sdrp1 s0", 8, s0, 32,
			      (const uint8_t *)"sdrp1 c2s hello mac", 19,
			      REF_HKDF_FULL) &&
	      hex_eq(v, "c2s_hello_mac", out, 64);
	ok &= ref_hkdf_sha512(out, 64, (const uint8_t *)"sdrp1 s0", 8, s0, 32,
			      (const uint8_t *)"sdrp1 s2c hello mac", 19,
			      REF_HKDF_FULL) &&
	      hex_eq(v, "s2c_hello_mac", out, 64);
	ok &= ref_hkdf_sha512(out, 64, (const uint8_t *)"sdrp1 s0", 8, s0, 32,
			      (const uint8_t *)"sdrp1 chain", 11, REF_HKDF_FULL) &&
	      hex_eq(v, "ck0", out, 64);
	OK(ok, "s0 keys: OpenSSL HKDF agrees");
}

static void test_handshake(const struct vec *v)
{
	struct sdrp_privkey *ck = key_load("client"), *sk = key_load("server");
	struct sdrp_cert *ca = cert_of("ca"), *cc = cert_of("client");
	struct sdrp_cert *sc = cert_of("server");
	uint8_t s0[32], csk[32], ssk[32], csalt[64], ssalt[64], dh[32], th[64];
	uint8_t ck0[64], hello[8192], ack[8192], cpk[32], spk[32];
	const char *const allowed[] = { vec_str(v, "client_identity") };
	uint64_t seq = vec_u64(v, "initial_seq");
	struct sdrp_hs_result cres, sres;
	struct sdrp_hs *chs, *shs;
	struct sdrp_psk psk;
	ssize_t hl, al;
	size_t whl, wal;
	uint8_t *whello = vec_hex_alloc(v, "hello", &whl);
	uint8_t *wack = vec_hex_alloc(v, "hello_ack", &wal);

	vec_hex(v, "s0", s0, 32);
	vec_hex(v, "client_x25519_sk", csk, 32);
	vec_hex(v, "server_x25519_sk", ssk, 32);
	vec_hex(v, "client_x25519_pk", cpk, 32);
	vec_hex(v, "server_x25519_pk", spk, 32);
	vec_hex(v, "client_pss_salt", csalt, 64);
	vec_hex(v, "server_pss_salt", ssalt, 64);
	vec_hex(v, "dh", dh, 32);
	vec_hex(v, "th", th, 64);
	vec_hex(v, "ck0", ck0, 64);
	memcpy(psk.s0, s0, 32);
	psk.identities = allowed;
	psk.n_identities = 1;
	if (sdrp_hs_new(&chs, &(struct sdrp_hs_config){
			.role = SDRP_ROLE_CLIENT, .key = ck, .cert = cc,
			.ca = ca, .s0 = s0,
			.server_identity = vec_str(v, "server_identity"),
			.rekey_interval = (uint32_t)vec_u64(v, "client_interval"),
			.x25519_sk = csk, .initial_seq = &seq,
			.pss_salt = csalt }) ||
	    sdrp_hs_new(&shs, &(struct sdrp_hs_config){
			.role = SDRP_ROLE_SERVER, .key = sk, .cert = sc,
			.ca = ca, .psks = &psk, .n_psks = 1,
			.rekey_interval = (uint32_t)vec_u64(v, "server_interval"),
			.x25519_sk = ssk, .pss_salt = ssalt }))
		tap_bail("hs_new");
	hl = sdrp_hs_client_hello(chs, now_ms, hello, sizeof(hello));
	OK(hl == (ssize_t)whl && !memcmp(hello, whello, whl),
	   "handshake: HELLO reproduced byte for byte");
	al = sdrp_hs_server_hello(shs, whello, whl, now_ms, ack, sizeof(ack),
				  &sres, NULL);
	OK(al == (ssize_t)wal && !memcmp(ack, wack, wal),
	   "handshake: HELLO ACK reproduced byte for byte");
	OK(!sdrp_hs_client_finish(chs, wack, wal, now_ms, &cres, NULL),
	   "handshake: client accepts the HELLO ACK");
	OK(keys_eq(v, &cres.keys) && keys_eq(v, &sres.keys) &&
	   hex_eq(v, "ck1", cres.keys.chain_key, 64) &&
	   hex_eq(v, "ck1", sres.keys.chain_key, 64) &&
	   hex_eq(v, "th", cres.transcript_hash, 64),
	   "handshake: epoch 0 keys, ck_1 and th_0 of both sides");
	OK(cres.keys.c2s_seq == vec_u64(v, "c2s_seq") &&
	   cres.keys.s2c_seq == vec_u64(v, "s2c_seq") &&
	   sres.keys.c2s_seq == cres.keys.c2s_seq &&
	   sres.keys.s2c_seq == cres.keys.s2c_seq &&
	   cres.keys.c2s_seq == seq + 1 && !cres.keys.c2s_counter &&
	   !cres.keys.s2c_counter && !cres.keys.epoch,
	   "handshake: seqs n + 1, counters 0, epoch 0");
	OK(cres.keys.role == SDRP_ROLE_CLIENT &&
	   sres.keys.role == SDRP_ROLE_SERVER, "handshake: roles");
	OK(cres.rekey_interval == vec_u64(v, "rekey_interval") &&
	   sres.rekey_interval == cres.rekey_interval &&
	   !strcmp(cres.peer_identity, "server.example") &&
	   !strcmp(sres.peer_identity, "client.example"),
	   "handshake: agreed interval and peer identities");

	/* Independent: X25519, th, HKDF with OpenSSL. */
	{
		uint8_t d[32], h[64], pub[32];

		OK(ref_x25519(d, csk, spk) && !memcmp(d, dh, 32) &&
		   ref_x25519(d, ssk, cpk) && !memcmp(d, dh, 32),
		   "handshake: dh_0 (OpenSSL X25519)");
		OK(!memcmp(whello + 12 + 16, cpk, 32) &&
		   !memcmp(wack + 12 + 16, spk, 32) &&
		   !sdrp_x25519_public(pub, csk) && !memcmp(pub, cpk, 32),
		   "handshake: public keys in the HELLO data");
		ref_sha512(h, whello, whl, wack, wal);
		OK(!memcmp(h, th, 64), "handshake: th_0 (OpenSSL SHA-512)");
		OK(ref_epoch(v, ck0, dh, th, "ck1"),
		   "handshake: epoch 0 keys (OpenSSL HKDF)");
	}
	free(whello);
	free(wack);
	sdrp_hs_free(chs);
	sdrp_hs_free(shs);
	sdrp_cert_free(ca);
	sdrp_cert_free(cc);
	sdrp_cert_free(sc);
	sdrp_privkey_free(ck);
	sdrp_privkey_free(sk);
}

static void test_record(const struct vec *v)
{
	int clear = (int)vec_u64(v, "clear");
	uint32_t epoch = (uint32_t)vec_u64(v, "epoch");
	uint64_t counter = vec_u64(v, "counter");
	struct sdrp_dir_keys k;
	struct sdrp_cipher *tx, *rx;
	size_t rl, il, dl;
	uint8_t *rec = vec_hex_alloc(v, "record", &rl);
	uint8_t *inner = vec_hex_alloc(v, "inner", &il);
	uint8_t *data = vec_hex_alloc(v, "data", &dl);
	uint8_t *out = malloc(rl + 16), *pt = malloc(il + 1);
	struct sdrp_msg m = {
		.type = (uint8_t)vec_u64(v, "type"),
		.seq = vec_u64(v, "seq"),
		.ttl = vec_u64(v, "ttl"),
		.nonce = vec_u64(v, "nonce"),
		.data = data, .data_len = dl,
	}, d;
	uint8_t ctr[8], mac[64];
	ssize_t len;
	enum sdrp_err err;
	int i, rc;

	vec_hex(v, "mac_key", k.mac, 64);
	if (clear) {
		sdrp_cipher_new_clear(&tx, k.mac, counter);
		sdrp_cipher_new_clear(&rx, k.mac, counter);
	} else {
		vec_hex(v, "enc_key", k.key, 32);
		vec_hex(v, "iv", k.iv, 12);
		sdrp_cipher_new(&tx, &k, epoch, counter);
		sdrp_cipher_new(&rx, &k, epoch, counter);
	}
	len = sdrp_record_seal(tx, &m, out, rl + 16);
	OK(len == (ssize_t)rl && !memcmp(out, rec, rl),
	   "record %s: sealed byte for byte", v->name);
	memcpy(out, rec, rl);
	rc = sdrp_record_open(rx, out, rl, &d, &err);
	OK(!rc && d.type == m.type &&
	   d.seq == m.seq && d.ttl == m.ttl && d.nonce == m.nonce &&
	   d.data_len == dl && (!dl || !memcmp(d.data, data, dl)),
	   "record %s: opened (%s)", v->name, sdrp_err_name(err));

	/* Independent: header, HMAC, GCM with OpenSSL, from the spec. */
	OK(rec[0] == 1 && rec[1] == m.type && rec[2] == (clear ? 1 : 0) &&
	   rec[3] == 0 && sdrp_get_be32(rec + 4) == epoch &&
	   sdrp_get_be32(rec + 8) == rl - 12, "record %s: header", v->name);
	sdrp_put_be64(ctr, counter);
	OK(ref_hmac_sha512(mac, k.mac, ctr, 8, rec, rl - 64) &&
	   !memcmp(mac, rec + rl - 64, 64),
	   "record %s: HMAC-SHA512(counter | header | body) (OpenSSL)",
	   v->name);
	if (clear) {
		OK(il == rl - 12 - 64 && !memcmp(rec + 12, inner, il),
		   "record %s: clear body is the inner plaintext", v->name);
	} else {
		uint8_t nonce[12];

		memcpy(nonce, k.iv, 12);
		for (i = 0; i < 8; i++)
			nonce[4 + i] ^= ctr[i];
		OK(il == rl - 12 - 16 - 64 &&
		   ref_gcm_decrypt(pt, k.key, nonce, rec, 12, rec + 12, il,
				   rec + 12 + il) && !memcmp(pt, inner, il),
		   "record %s: AES-256-GCM(iv ^ counter, aad = header) (OpenSSL)",
		   v->name);
	}
	sdrp_wipe(&k, sizeof(k));
	sdrp_cipher_free(tx);
	sdrp_cipher_free(rx);
	free(rec);
	free(inner);
	free(data);
	free(out);
	free(pt);
}

static void test_rekey(const struct vec *v)
{
	const struct vec *hs = vec_find(vs, nvs, "handshake", "initial");
	uint8_t csk[32], spk[32], ssk[32], cpk[32], dh[32], th[64], ck1[64], d[32];
	size_t hl, al;
	uint8_t *hello = vec_hex_alloc(v, "hello", &hl);
	uint8_t *ack = vec_hex_alloc(v, "hello_ack", &al);
	struct sdrp_keys k = { 0 }, ks;
	enum sdrp_err err;

	vec_hex(v, "client_x25519_sk", csk, 32);
	vec_hex(v, "server_x25519_sk", ssk, 32);
	vec_hex(v, "client_x25519_pk", cpk, 32);
	vec_hex(v, "server_x25519_pk", spk, 32);
	vec_hex(v, "dh", dh, 32);
	vec_hex(v, "th", th, 64);
	vec_hex(v, "ck1", ck1, 64);
	OK(hex_eq(hs, "ck1", ck1, 64), "rekey: starts from the handshake's ck_1");
	/* Epoch 0 keys from the handshake vector. */
	vec_hex(hs, "c2s_key", k.c2s.key, 32);
	vec_hex(hs, "c2s_iv", k.c2s.iv, 12);
	vec_hex(hs, "c2s_mac", k.c2s.mac, 64);
	vec_hex(hs, "s2c_key", k.s2c.key, 32);
	vec_hex(hs, "s2c_iv", k.s2c.iv, 12);
	vec_hex(hs, "s2c_mac", k.s2c.mac, 64);
	memcpy(k.chain_key, ck1, 64);
	k.role = SDRP_ROLE_CLIENT;
	k.c2s_seq = 11;
	k.s2c_seq = 22;
	k.c2s_counter = 7;
	k.s2c_counter = 4;
	ks = k;
	ks.role = SDRP_ROLE_SERVER;
	OK(!sdrp_rekey_derive(&k, csk, spk, hello, hl, ack, al, &err) &&
	   !sdrp_rekey_derive(&ks, ssk, cpk, hello, hl, ack, al, &err),
	   "rekey: both sides derive");
	OK(keys_eq(v, &k) && keys_eq(v, &ks) && hex_eq(v, "ck2", k.chain_key, 64) &&
	   k.epoch == vec_u64(v, "new_epoch") && ks.epoch == k.epoch,
	   "rekey: epoch 1 keys and ck_2 of both sides");
	OK(!k.c2s_counter && !k.s2c_counter && k.c2s_seq == 11 &&
	   k.s2c_seq == 22 && k.role == SDRP_ROLE_CLIENT &&
	   ks.role == SDRP_ROLE_SERVER,
	   "rekey: counters reset, seqs and role kept");
	OK(ref_x25519(d, csk, spk) && !memcmp(d, dh, 32),
	   "rekey: dh_1 (OpenSSL X25519)");
	{
		uint8_t h[64];

		ref_sha512(h, hello, hl, ack, al);
		OK(!memcmp(h, th, 64), "rekey: th_1 (OpenSSL SHA-512)");
	}
	OK(ref_epoch(v, ck1, dh, th, "ck2"), "rekey: epoch 1 keys (OpenSSL HKDF)");
	/* The rekey records are the record vectors of the same name. */
	{
		const struct vec *rh = vec_find(vs, nvs, "record", "rekey-hello");
		const struct vec *ra = vec_find(vs, nvs, "record", "rekey-hello-ack");

		OK(rh && ra && hex_eq(rh, "record", hello, hl) &&
		   hex_eq(ra, "record", ack, al) && hex_eq(rh, "data", spk, 32) &&
		   hex_eq(ra, "data", cpk, 32),
		   "rekey: HELLO / HELLO ACK are the session's records");
	}
	sdrp_wipe(&k, sizeof(k));
	sdrp_wipe(&ks, sizeof(ks));
	free(hello);
	free(ack);
}

/*
 * Across the session's record vectors each direction's seq follows the
 * rule (+1, or +nonce after ACK / DATA ACK) and each direction's record
 * counter counts up within an epoch; the resent request repeats its seq.
 */
static void test_session_rules(void)
{
	uint64_t next_seq[2] = { 0, 0 }, next_ctr[2] = { 0, 0 };
	uint32_t epoch[2] = { 0, 0 };
	int started[2] = { 0, 0 }, bad_seq = 0, bad_ctr = 0, n = 0;
	size_t i;

	for (i = 0; i < nvs; i++) {
		const struct vec *v = &vs[i];
		int dir;
		struct sdrp_msg m;

		/* The session: e0-*, rekey-*, e1-* (the clear-* records
		 * and the final CLOSED WITHOUT ACK are alternatives). */
		if (strcmp(v->kind, "record") ||
		    (strncmp(v->name, "e0-", 3) && strncmp(v->name, "e1-", 3) &&
		     strncmp(v->name, "rekey-", 6)) ||
		    !strcmp(v->name, "e1-closed-without-ack"))
			continue;
		n++;
		dir = !strcmp(vec_str(v, "dir"), "s2c");
		m.type = (uint8_t)vec_u64(v, "type");
		m.seq = vec_u64(v, "seq");
		m.nonce = vec_u64(v, "nonce");
		if (epoch[dir] != vec_u64(v, "epoch")) {
			epoch[dir] = (uint32_t)vec_u64(v, "epoch");
			next_ctr[dir] = 0;
		}
		if (vec_u64(v, "counter") != next_ctr[dir]++)
			bad_ctr++;
		if (!strcmp(v->name, "e0-data-request-resent"))
			continue;	/* same seq as the request it repeats */
		if (started[dir] && m.seq != next_seq[dir])
			bad_seq++;
		started[dir] = 1;
		next_seq[dir] = sdrp_seq_next(&m);
	}
	OK(n >= 17 && !bad_seq, "session: seq rule holds over %d records", n);
	OK(!bad_ctr, "session: record counters count per direction and epoch");
	{
		const struct vec *a = vec_find(vs, nvs, "record", "e0-data-request-empty");
		const struct vec *b = vec_find(vs, nvs, "record", "e0-data-request-resent");

		OK(a && b && vec_u64(a, "seq") == vec_u64(b, "seq") &&
		   vec_u64(a, "counter") != vec_u64(b, "counter") &&
		   strcmp(vec_str(a, "record"), vec_str(b, "record")),
		   "session: a resent message keeps its seq, not its record");
	}
}

int main(void)
{
	const struct vec *hs;
	struct sdrp_cert *ca;
	int types[SDRP_MSG_TYPE_MAX + 1] = { 0 }, t, all = 1;
	size_t i;

	if (sdrp_init())
		tap_bail("sdrp_init failed");
	vs = vec_load(&nvs);
	hs = vec_find(vs, nvs, "handshake", "initial");
	if (!hs)
		tap_bail("no handshake vector");
	now_ms = vec_u64(hs, "now_ms");
	ca = cert_of("ca");
	for (i = 0; i < nvs; i++) {
		const struct vec *v = &vs[i];

		if (!strcmp(v->kind, "certificate"))
			test_certificate(v, ca);
		else if (!strcmp(v->kind, "s0-keys"))
			test_s0(v);
		else if (!strcmp(v->kind, "handshake"))
			test_handshake(v);
		else if (!strcmp(v->kind, "record")) {
			test_record(v);
			types[vec_u64(v, "type") <= SDRP_MSG_TYPE_MAX ?
			      vec_u64(v, "type") : 0]++;
		} else if (!strcmp(v->kind, "rekey"))
			test_rekey(v);
	}
	for (t = SDRP_MSG_HELLO; t <= SDRP_MSG_TYPE_MAX; t++)
		all &= types[t] > 0;
	OK(all, "vectors: a record of each of the ten message types");
	test_session_rules();
	sdrp_cert_free(ca);
	vec_free(vs, nvs);
	return tap_done();
}
