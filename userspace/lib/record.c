// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Record protection: AES-256-GCM, then HMAC-SHA512 over
 * counter | header | body (encrypt-then-MAC), or HMAC only for clear
 * records of the initial handshake.
 *
 * Performance: the AES key schedule and the HMAC inner/outer pads are
 * computed once per cipher; a record is encrypted in place in the output
 * buffer and MAC'd incrementally, so the per-record work is the bare GCM
 * and HMAC passes plus copying one 416-byte HMAC state.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct sdrp_cipher {
	crypto_aead_aes256gcm_state gcm;	/* expanded AES key, GHASH key */
	crypto_auth_hmacsha512_state mac;	/* keyed, nothing absorbed */
	uint8_t iv[SDRP_IV_LEN];
	uint64_t counter;
	uint32_t epoch;
	int clear;
};

static struct sdrp_cipher *cipher_alloc(void)
{
	struct sdrp_cipher *c;

	c = aligned_alloc(16, (sizeof(*c) + 15) & ~(size_t)15);
	if (c)
		memset(c, 0, sizeof(*c));
	return c;
}

int sdrp_cipher_new(struct sdrp_cipher **out, const struct sdrp_dir_keys *k,
		    uint32_t epoch, uint64_t counter)
{
	struct sdrp_cipher *c;
	int rc = sdrp_init();

	*out = NULL;
	if (rc)
		return rc;
	c = cipher_alloc();
	if (!c)
		return -ENOMEM;
	crypto_aead_aes256gcm_beforenm(&c->gcm, k->key);
	crypto_auth_hmacsha512_init(&c->mac, k->mac, sizeof(k->mac));
	memcpy(c->iv, k->iv, sizeof(c->iv));
	c->epoch = epoch;
	c->counter = counter;
	*out = c;
	return 0;
}

int sdrp_cipher_new_clear(struct sdrp_cipher **out,
			  const uint8_t mac_key[SDRP_MAC_KEY_LEN],
			  uint64_t counter)
{
	struct sdrp_cipher *c;

	*out = NULL;
	if (sdrp_init() == -EIO)
		return -EIO;
	c = cipher_alloc();
	if (!c)
		return -ENOMEM;
	crypto_auth_hmacsha512_init(&c->mac, mac_key, SDRP_MAC_KEY_LEN);
	c->clear = 1;
	c->counter = counter;
	*out = c;
	return 0;
}

void sdrp_cipher_free(struct sdrp_cipher *c)
{
	if (!c)
		return;
	sodium_memzero(c, sizeof(*c));
	free(c);
}

uint64_t sdrp_cipher_counter(const struct sdrp_cipher *c)
{
	return c->counter;
}

void sdrp_cipher_set_counter(struct sdrp_cipher *c, uint64_t counter)
{
	c->counter = counter;
}

uint32_t sdrp_cipher_epoch(const struct sdrp_cipher *c)
{
	return c->epoch;
}

int sdrp_cipher_is_clear(const struct sdrp_cipher *c)
{
	return c->clear;
}

/* HMAC-SHA512(counter | rec[0..covered)) into out. */
static void record_mac(const struct sdrp_cipher *c, uint64_t counter,
		       const uint8_t *rec, size_t covered,
		       uint8_t out[SDRP_MAC_LEN])
{
	crypto_auth_hmacsha512_state st = c->mac;
	uint8_t ctr[SDRP_COUNTER_LEN];

	sdrp_mac_prefix(ctr, counter);
	crypto_auth_hmacsha512_update(&st, ctr, sizeof(ctr));
	crypto_auth_hmacsha512_update(&st, rec, covered);
	crypto_auth_hmacsha512_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

size_t sdrpi_seal_raw(struct sdrp_cipher *c, uint8_t *rec, size_t inner_len)
{
	uint8_t *body = rec + SDRP_HDR_LEN;
	size_t body_len = inner_len;

	if (!c->clear) {
		uint8_t nonce[SDRP_IV_LEN];

		sdrp_gcm_nonce(nonce, c->iv, c->counter);
		crypto_aead_aes256gcm_encrypt_detached_afternm(
			body, body + inner_len, NULL, body, inner_len,
			rec, SDRP_HDR_LEN, NULL, nonce, &c->gcm);
		body_len += SDRP_GCM_TAG_LEN;
	}
	record_mac(c, c->counter, rec, SDRP_HDR_LEN + body_len,
		   body + body_len);
	c->counter++;
	return SDRP_HDR_LEN + body_len + SDRP_MAC_LEN;
}

ssize_t sdrp_record_seal(struct sdrp_cipher *c, const struct sdrp_msg *m,
			 uint8_t *out, size_t cap)
{
	size_t inner_len, rec_len;
	ssize_t rc;

	if (!sdrp_type_valid(m->type))
		return -EINVAL;
	if (c->clear && !sdrp_type_may_be_clear(m->type))
		return -EINVAL;
	if (c->counter >= SDRP_MAX_RECORDS_PER_EPOCH)
		return -EOVERFLOW;
	if (m->data_len > sdrp_type_max_data(m->type))
		return -EMSGSIZE;
	rec_len = sdrp_msg_record_len(m, c->clear);
	if (cap < rec_len)
		return -ENOBUFS;
	rc = sdrp_inner_encode(m, out + SDRP_HDR_LEN, cap - SDRP_HDR_LEN);
	if (rc < 0)
		return rc;
	inner_len = (size_t)rc;
	sdrp_hdr_build((struct sdrp_hdr *)out, m->type,
		       c->clear ? SDRP_HDR_F_CLEAR : 0, c->epoch,
		       sdrp_record_body_len(inner_len, !c->clear));
	return (ssize_t)sdrpi_seal_raw(c, out, inner_len);
}

/*
 * Checks shared by the clear and protected paths, in the order of the
 * protocol: header, exact length, clear/protected, epoch, HMAC.
 */
static int record_check(const struct sdrp_cipher *c, const uint8_t *rec,
			size_t len, struct sdrp_rec_hdr *h, enum sdrp_err *err)
{
	uint8_t mac[SDRP_MAC_LEN];
	int rc, ok;

	rc = sdrp_rec_hdr_decode(rec, len, h, err);
	if (rc)
		return rc;
	if (len - SDRP_HDR_LEN < h->length)
		return sdrpi_fail(err, SDRP_ERR_TRUNCATED);
	if (len - SDRP_HDR_LEN > h->length)
		return sdrpi_fail(err, SDRP_ERR_TRAILING);
	if (!!(h->flags & SDRP_HDR_F_CLEAR) != c->clear)
		return sdrpi_fail(err, SDRP_ERR_CLEAR_MISMATCH);
	if (h->epoch != c->epoch)
		return sdrpi_fail(err, SDRP_ERR_BAD_EPOCH);
	record_mac(c, c->counter, rec, len - SDRP_MAC_LEN, mac);
	ok = crypto_verify_64(mac, rec + len - SDRP_MAC_LEN) == 0;
	sodium_memzero(mac, sizeof(mac));
	if (!ok)
		return sdrpi_fail(err, SDRP_ERR_BAD_MAC);
	return 0;
}

int sdrpi_open_clear(struct sdrp_cipher *c, const uint8_t *rec, size_t len,
		     struct sdrp_msg *m, enum sdrp_err *err)
{
	struct sdrp_rec_hdr h;
	int rc;

	memset(m, 0, sizeof(*m));
	if (!c->clear)
		return sdrpi_fail(err, SDRP_ERR_CLEAR_MISMATCH);
	rc = record_check(c, rec, len, &h, err);
	if (rc)
		return rc;
	rc = sdrp_inner_decode(h.type, rec + SDRP_HDR_LEN,
			       h.length - SDRP_MAC_LEN, m, err);
	if (rc)
		return rc;
	c->counter++;
	return 0;
}

int sdrp_record_open(struct sdrp_cipher *c, uint8_t *rec, size_t len,
		     struct sdrp_msg *m, enum sdrp_err *err)
{
	uint8_t nonce[SDRP_IV_LEN];
	struct sdrp_rec_hdr h;
	size_t inner_len;
	uint8_t *body;
	int rc;

	if (c->clear)
		return sdrpi_open_clear(c, rec, len, m, err);
	memset(m, 0, sizeof(*m));
	rc = record_check(c, rec, len, &h, err);
	if (rc)
		return rc;
	body = rec + SDRP_HDR_LEN;
	inner_len = h.length - SDRP_MAC_LEN - SDRP_GCM_TAG_LEN;
	sdrp_gcm_nonce(nonce, c->iv, c->counter);
	if (crypto_aead_aes256gcm_decrypt_detached_afternm(
		    body, NULL, body, inner_len, body + inner_len,
		    rec, SDRP_HDR_LEN, nonce, &c->gcm))
		return sdrpi_fail(err, SDRP_ERR_BAD_TAG);
	rc = sdrp_inner_decode(h.type, body, inner_len, m, err);
	if (rc)
		return rc;
	c->counter++;
	return 0;
}
