// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Record protection: seal/open round trips at many sizes, zero-copy
 * sealing, and every refusal of sdrp_record_open() in the documented
 * order (header, length, clear/protected, epoch, HMAC, GCM, inner), with
 * records forged by an independent construction (libsodium one-shot
 * calls, nonce built here) where a valid MAC over bad contents is needed.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util.h"

static struct sdrp_keys keys;

static struct sdrp_cipher *cipher(const struct sdrp_dir_keys *k, uint32_t epoch,
				  uint64_t counter)
{
	struct sdrp_cipher *c;

	if (sdrp_cipher_new(&c, k, epoch, counter))
		tap_bail("sdrp_cipher_new");
	return c;
}

/*
 * Independent record construction: header as given, inner encrypted with
 * AES-256-GCM (nonce = iv XOR counter, aad = header), HMAC-SHA512 over
 * counter | header | body.  Returns the record length.
 */
static size_t forge(const struct sdrp_dir_keys *k, uint64_t counter,
		    const uint8_t hdr[12], const uint8_t *inner, size_t inner_len,
		    uint8_t *out)
{
	crypto_auth_hmacsha512_state st;
	uint8_t nonce[12], ctr[8];
	int i;

	memcpy(nonce, k->iv, 12);
	for (i = 0; i < 8; i++) {
		ctr[i] = (uint8_t)(counter >> (56 - 8 * i));
		nonce[4 + i] ^= ctr[i];
	}
	memcpy(out, hdr, 12);
	crypto_aead_aes256gcm_encrypt_detached(out + 12, out + 12 + inner_len,
					       NULL, inner, inner_len, hdr, 12,
					       NULL, nonce, k->key);
	crypto_auth_hmacsha512_init(&st, k->mac, 64);
	crypto_auth_hmacsha512_update(&st, ctr, 8);
	crypto_auth_hmacsha512_update(&st, out, 12 + inner_len + 16);
	crypto_auth_hmacsha512_final(&st, out + 12 + inner_len + 16);
	return 12 + inner_len + 16 + 64;
}

/* Recompute the HMAC of a record after it was altered. */
static void remac(const uint8_t mac_key[64], uint64_t counter, uint8_t *rec,
		  size_t len)
{
	crypto_auth_hmacsha512_state st;
	uint8_t ctr[8];

	sdrp_put_be64(ctr, counter);
	crypto_auth_hmacsha512_init(&st, mac_key, 64);
	crypto_auth_hmacsha512_update(&st, ctr, 8);
	crypto_auth_hmacsha512_update(&st, rec, len - 64);
	crypto_auth_hmacsha512_final(&st, rec + len - 64);
}

/* Open a heap copy of exactly @len bytes with a fresh rx cipher. */
static int open_exact(const struct sdrp_dir_keys *k, uint32_t epoch,
		      uint64_t counter, const uint8_t *rec, size_t len,
		      enum sdrp_err *err)
{
	struct sdrp_cipher *c = cipher(k, epoch, counter);
	uint8_t *copy = malloc(len ? len : 1);
	struct sdrp_msg m;
	int rc;

	memcpy(copy, rec, len);
	rc = sdrp_record_open(c, copy, len, &m, err);
	free(copy);
	sdrp_cipher_free(c);
	return rc;
}

static void test_roundtrip(void)
{
	static uint8_t data[SDRP_MAX_DATA], rec[SDRP_MAX_RECORD], copy[SDRP_MAX_RECORD];
	const size_t sizes[] = { 0, 1, 15, 16, 17, 63, 64, 1000, 1024, 4096,
				 16384, 65536, SDRP_MAX_DATA };
	struct sdrp_cipher *tx = cipher(&keys.s2c, 7, 0);
	struct sdrp_cipher *rx = cipher(&keys.s2c, 7, 0);
	size_t i;

	randombytes_buf(data, sizeof(data));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct sdrp_msg m = {
			.type = SDRP_MSG_DATA_RESPONSE, .seq = 1000 + i,
			.ttl = 123456789, .data = data, .data_len = sizes[i],
		}, d;
		enum sdrp_err err;
		ssize_t len = sdrp_record_seal(tx, &m, rec, sizeof(rec));

		if (!IS(len, (long)sdrp_msg_record_len(&m, 0),
			"round trip %zu bytes: record length", sizes[i]))
			continue;
		memcpy(copy, rec, (size_t)len);
		/*
		 * Random keys and data: a ciphertext of n bytes equals its
		 * plaintext with probability 2^-8n, so only from 8 bytes on
		 * does the check fail only when encryption does.
		 */
		if (sizes[i] >= 8)
			OK(memcmp(rec + SDRP_HDR_LEN + 16, data,
				  sizes[i] < 32 ? sizes[i] : 32),
			   "round trip %zu bytes: data is encrypted", sizes[i]);
		OK(!sdrp_record_open(rx, rec, (size_t)len, &d, &err) &&
		   d.type == m.type && d.seq == m.seq && d.ttl == m.ttl &&
		   d.data_len == sizes[i] &&
		   (!sizes[i] || !memcmp(d.data, data, sizes[i])) &&
		   d.data == (sizes[i] ? rec + sdrp_record_data_offset(m.type) : NULL),
		   "round trip %zu bytes: opened in place", sizes[i]);
		/* The same bytes again: the counter moved on. */
		OK(sdrp_record_open(rx, copy, (size_t)len, &d, &err) == -EBADMSG &&
		   err == SDRP_ERR_BAD_MAC, "round trip %zu bytes: replay is BAD_MAC",
		   sizes[i]);
	}
	IS(sdrp_cipher_counter(tx), 13, "tx counter advanced once per record");
	IS(sdrp_cipher_counter(rx), 13, "rx counter advanced once per record");
	OK(sdrp_cipher_epoch(tx) == 7 && !sdrp_cipher_is_clear(tx),
	   "cipher: epoch and kind");
	sdrp_cipher_free(tx);
	sdrp_cipher_free(rx);
}

static void test_zero_copy(void)
{
	static uint8_t rec[4096], ref[4096];
	struct sdrp_cipher *a = cipher(&keys.c2s, 0, 5);
	struct sdrp_cipher *b = cipher(&keys.c2s, 0, 5);
	size_t off = sdrp_record_data_offset(SDRP_MSG_DATA_REQUEST);
	uint8_t body[1000];
	struct sdrp_msg m = {
		.type = SDRP_MSG_DATA_REQUEST, .seq = 1, .ttl = 2,
		.data = rec + off, .data_len = sizeof(body),
	};
	ssize_t l1, l2;

	randombytes_buf(body, sizeof(body));
	memcpy(rec + off, body, sizeof(body));
	l1 = sdrp_record_seal(a, &m, rec, sizeof(rec));
	m.data = body;
	l2 = sdrp_record_seal(b, &m, ref, sizeof(ref));
	OK(l1 == l2 && l1 > 0 && !memcmp(rec, ref, (size_t)l1),
	   "zero copy: data built in place seals to the same record");
	sdrp_cipher_free(a);
	sdrp_cipher_free(b);
}

static void test_seal_errors(void)
{
	uint8_t rec[256], data[8] = { 0 };
	struct sdrp_cipher *c = cipher(&keys.c2s, 0, 0), *clear;
	struct sdrp_msg m = { .type = SDRP_MSG_CLOSE, .seq = 1, .ttl = 2 };

	IS(sdrp_record_seal(c, &m, rec, 12 + 16 + 16 + 64 - 1), -ENOBUFS,
	   "seal: one byte short is ENOBUFS");
	IS(sdrp_record_seal(c, &m, rec, 12 + 16 + 16 + 64), 108,
	   "seal: exact buffer fits");
	m.type = 0;
	IS(sdrp_record_seal(c, &m, rec, sizeof(rec)), -EINVAL, "seal: type 0");
	m = (struct sdrp_msg){ .type = SDRP_MSG_ACK, .seq = 1, .ttl = 2 };
	IS(sdrp_record_seal(c, &m, rec, sizeof(rec)), -EINVAL,
	   "seal: ACK without nonce");
	m = (struct sdrp_msg){ .type = SDRP_MSG_DATA_REQUEST, .data = data,
			       .data_len = SDRP_MAX_DATA + 1 };
	IS(sdrp_record_seal(c, &m, rec, sizeof(rec)), -EMSGSIZE,
	   "seal: data above the maximum");
	sdrp_cipher_set_counter(c, SDRP_MAX_RECORDS_PER_EPOCH);
	m = (struct sdrp_msg){ .type = SDRP_MSG_CLOSE, .seq = 1, .ttl = 2 };
	IS(sdrp_record_seal(c, &m, rec, sizeof(rec)), -EOVERFLOW,
	   "seal: counter exhausted");
	sdrp_cipher_set_counter(c, SDRP_MAX_RECORDS_PER_EPOCH - 1);
	IS(sdrp_record_seal(c, &m, rec, sizeof(rec)), 108,
	   "seal: last counter value usable");
	if (sdrp_cipher_new_clear(&clear, keys.c2s.mac, 0))
		tap_bail("clear cipher");
	m = (struct sdrp_msg){ .type = SDRP_MSG_DATA_REQUEST, .seq = 1, .ttl = 2 };
	IS(sdrp_record_seal(clear, &m, rec, sizeof(rec)), -EINVAL,
	   "seal: DATA REQUEST cannot be clear");
	m.type = SDRP_MSG_CLOSE;
	IS(sdrp_record_seal(clear, &m, rec, sizeof(rec)), 12 + 16 + 64,
	   "seal: clear CLOSE");
	OK(rec[2] == SDRP_HDR_F_CLEAR && !memcmp(rec + 4, "\0\0\0\0", 4) &&
	   sdrp_cipher_is_clear(clear) && !sdrp_cipher_epoch(clear),
	   "seal: clear record is flagged, epoch 0");
	sdrp_cipher_free(clear);
	sdrp_cipher_free(c);
}

static void expect_open(const struct sdrp_dir_keys *k, uint32_t epoch,
			uint64_t counter, const uint8_t *rec, size_t len,
			int want_rc, enum sdrp_err want, const char *what)
{
	enum sdrp_err err = SDRP_ERR_NONE;
	int rc = open_exact(k, epoch, counter, rec, len, &err);

	OK(rc == want_rc && err == want, "open %s: %s (%s)", what,
	   sdrp_err_name(want), sdrp_err_name(err));
}

static void test_open_errors(void)
{
	uint8_t rec[512], bad[512], inner[64];
	struct sdrp_cipher *tx = cipher(&keys.c2s, 3, 9), *clear;
	struct sdrp_msg m = { .type = SDRP_MSG_DATA_REQUEST, .seq = 77,
			      .ttl = 88, .data = (const uint8_t *)"hello",
			      .data_len = 5 };
	struct sdrp_keys other;
	ssize_t len = sdrp_record_seal(tx, &m, rec, sizeof(rec));
	size_t l, i, rec_len;
	int wrong = 0;

	if (len <= 0)
		tap_bail("seal");
	rec_len = (size_t)len;
	expect_open(&keys.c2s, 3, 9, rec, (size_t)len, 0, SDRP_ERR_NONE,
		    "valid record");
	OK(!open_exact(&keys.c2s, 3, 9, rec, (size_t)len, NULL),
	   "open: err may be NULL");
	for (l = 0; l < (size_t)len; l++) {
		enum sdrp_err err;
		int rc = open_exact(&keys.c2s, 3, 9, rec, l, &err);

		if (rc != -EPROTO || err != (l < SDRP_HDR_LEN ?
					     SDRP_ERR_SHORT_HEADER : SDRP_ERR_TRUNCATED))
			wrong++;
	}
	OK(!wrong, "open: every cut record is SHORT_HEADER or TRUNCATED");
	memcpy(bad, rec, (size_t)len);
	bad[len] = 0;
	expect_open(&keys.c2s, 3, 9, bad, (size_t)len + 1, -EPROTO,
		    SDRP_ERR_TRAILING, "one byte more");
	expect_open(&keys.c2s, 4, 9, rec, (size_t)len, -EPROTO,
		    SDRP_ERR_BAD_EPOCH, "receiver in the next epoch");
	expect_open(&keys.c2s, 2, 9, rec, (size_t)len, -EPROTO,
		    SDRP_ERR_BAD_EPOCH, "receiver in the previous epoch");
	expect_open(&keys.c2s, 3, 10, rec, (size_t)len, -EBADMSG,
		    SDRP_ERR_BAD_MAC, "other record counter");
	expect_open(&keys.s2c, 3, 9, rec, (size_t)len, -EBADMSG,
		    SDRP_ERR_BAD_MAC, "other direction's keys");
	other = keys;
	other.c2s.mac[0] ^= 1;
	expect_open(&other.c2s, 3, 9, rec, (size_t)len, -EBADMSG,
		    SDRP_ERR_BAD_MAC, "old epoch's MAC key, header epoch current");
	/* Every single bit flip anywhere is caught. */
	for (i = 0; i < (size_t)len * 8; i++) {
		enum sdrp_err err;

		memcpy(bad, rec, (size_t)len);
		bad[i / 8] ^= (uint8_t)(1 << (i % 8));
		if (!open_exact(&keys.c2s, 3, 9, bad, (size_t)len, &err))
			wrong++;
	}
	OK(!wrong, "open: each of the %zu single-bit flips is refused",
	   (size_t)len * 8);
	memcpy(bad, rec, (size_t)len);
	bad[SDRP_HDR_LEN + 3] ^= 1;
	expect_open(&keys.c2s, 3, 9, bad, (size_t)len, -EBADMSG,
		    SDRP_ERR_BAD_MAC, "ciphertext flipped");
	remac(keys.c2s.mac, 9, bad, (size_t)len);
	expect_open(&keys.c2s, 3, 9, bad, (size_t)len, -EBADMSG,
		    SDRP_ERR_BAD_TAG, "ciphertext flipped, HMAC recomputed");
	memcpy(bad, rec, (size_t)len);
	bad[len - SDRP_MAC_LEN - 1] ^= 0x80;
	remac(keys.c2s.mac, 9, bad, (size_t)len);
	expect_open(&keys.c2s, 3, 9, bad, (size_t)len, -EBADMSG,
		    SDRP_ERR_BAD_TAG, "GCM tag flipped, HMAC recomputed");
	memcpy(bad, rec, (size_t)len);
	bad[len - 1] ^= 1;
	expect_open(&keys.c2s, 3, 9, bad, (size_t)len, -EBADMSG,
		    SDRP_ERR_BAD_MAC, "HMAC flipped");
	/* The epoch is checked before the MAC: no crypto on an old epoch. */
	bad[7] ^= 1;
	expect_open(&keys.c2s, 3, 9, bad, (size_t)len, -EPROTO,
		    SDRP_ERR_BAD_EPOCH, "bad epoch and bad MAC");
	/* Header refusals come first. */
	memcpy(bad, rec, (size_t)len);
	bad[0] = 9;
	expect_open(&keys.c2s, 3, 9, bad, (size_t)len, -EPROTO,
		    SDRP_ERR_BAD_VERSION, "version");
	memcpy(bad, rec, (size_t)len);
	bad[1] = SDRP_MSG_CLOSE;	/* CLOSE cannot carry 5 data bytes */
	expect_open(&keys.c2s, 3, 9, bad, (size_t)len, -EPROTO,
		    SDRP_ERR_LEN_TOO_LONG, "type changed to CLOSE");
	memcpy(bad, rec, (size_t)len);
	bad[1] = SDRP_MSG_DATA_RESPONSE;
	expect_open(&keys.c2s, 3, 9, bad, (size_t)len, -EBADMSG,
		    SDRP_ERR_BAD_MAC, "type changed to DATA RESPONSE");
	memcpy(bad, rec, (size_t)len);
	bad[2] = SDRP_HDR_F_CLEAR;
	expect_open(&keys.c2s, 3, 9, bad, (size_t)len, -EPROTO,
		    SDRP_ERR_BAD_CLEAR, "DATA REQUEST flagged clear");

	/* Clear and protected do not mix. */
	if (sdrp_cipher_new_clear(&clear, keys.c2s.mac, 0))
		tap_bail("clear cipher");
	m = (struct sdrp_msg){ .type = SDRP_MSG_CLOSE, .seq = 1, .ttl = 2 };
	len = sdrp_record_seal(clear, &m, bad, sizeof(bad));
	expect_open(&keys.c2s, 0, 0, bad, (size_t)len, -EPROTO,
		    SDRP_ERR_CLEAR_MISMATCH, "clear record, protected keys");
	{
		struct sdrp_cipher *crx;
		struct sdrp_msg d;
		enum sdrp_err err;
		uint8_t copy[512];

		memcpy(copy, bad, (size_t)len);
		sdrp_cipher_new_clear(&crx, keys.c2s.mac, 0);
		OK(!sdrp_record_open(crx, copy, (size_t)len, &d, &err) &&
		   d.type == SDRP_MSG_CLOSE && d.seq == 1 && d.ttl == 2,
		   "open: clear CLOSE");
		OK(sdrp_record_open(crx, rec, rec_len, &d, &err) == -EPROTO &&
		   err == SDRP_ERR_CLEAR_MISMATCH,
		   "open: protected record with a clear cipher: CLEAR_MISMATCH");
		sdrp_put_be32(copy + 4, 1);	/* clear record claims epoch 1 */
		remac(keys.c2s.mac, 1, copy, (size_t)len);
		OK(sdrp_record_open(crx, copy, (size_t)len, &d, &err) == -EPROTO &&
		   err == SDRP_ERR_BAD_EPOCH, "open: clear record not epoch 0");
		sdrp_cipher_free(crx);
	}
	sdrp_cipher_free(clear);

	/* Authentic record, bad inner layout: ACK with nonce 0. */
	{
		uint8_t hdr[12];

		memset(inner, 0, 24);
		inner[7] = 1;
		sdrp_hdr_build((struct sdrp_hdr *)hdr, SDRP_MSG_ACK, 0, 3,
			       sdrp_record_body_len(24, 1));
		len = (ssize_t)forge(&keys.c2s, 9, hdr, inner, 24, bad);
		expect_open(&keys.c2s, 3, 9, bad, (size_t)len, -EPROTO,
			    SDRP_ERR_ZERO_NONCE, "authentic ACK with nonce 0");
		inner[23] = 5;
		len = (ssize_t)forge(&keys.c2s, 9, hdr, inner, 24, bad);
		expect_open(&keys.c2s, 3, 9, bad, (size_t)len, 0,
			    SDRP_ERR_NONE, "independently built ACK accepted");
	}
	/* The library's record equals the independent construction. */
	{
		uint8_t ref[512], pt[64];
		ssize_t rl;

		m = (struct sdrp_msg){ .type = SDRP_MSG_DATA_REQUEST, .seq = 77,
				       .ttl = 88, .data = (const uint8_t *)"hello",
				       .data_len = 5 };
		sdrp_cipher_set_counter(tx, 42);
		rl = sdrp_record_seal(tx, &m, rec, sizeof(rec));
		sdrp_inner_encode(&m, pt, sizeof(pt));
		forge(&keys.c2s, 42, rec, pt, 21, ref);
		OK(rl == 12 + 21 + 16 + 64 && !memcmp(rec, ref, (size_t)rl),
		   "seal equals the independent construction");
	}
	sdrp_cipher_free(tx);
}

int main(void)
{
	if (sdrp_init())
		tap_bail("sdrp_init failed");
	randombytes_buf(&keys, sizeof(keys));
	test_roundtrip();
	test_zero_copy();
	test_seal_errors();
	test_open_errors();
	sodium_memzero(&keys, sizeof(keys));
	return tap_done();
}
