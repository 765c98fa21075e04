// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * HKDF-SHA512 (RFC 5869) on libsodium's HMAC-SHA512 state API (libsodium
 * 1.0.18 has no HKDF), the key schedule of Documentation/protocol.rst and
 * X25519.
 */
#include <string.h>

#include "internal.h"

void sdrpi_sha512v(uint8_t out[SDRP_HASH_LEN], const struct sdrpi_buf *v,
		   size_t n)
{
	crypto_hash_sha512_state st;
	size_t i;

	crypto_hash_sha512_init(&st);
	for (i = 0; i < n; i++)
		crypto_hash_sha512_update(&st, v[i].p, v[i].len);
	crypto_hash_sha512_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

void sdrp_hkdf_extract(uint8_t prk[64], const uint8_t *salt, size_t salt_len,
		       const uint8_t *ikm, size_t ikm_len)
{
	static const uint8_t zero_salt[crypto_auth_hmacsha512_BYTES];
	crypto_auth_hmacsha512_state st;

	sdrp_init();
	if (!salt_len) {
		salt = zero_salt;
		salt_len = sizeof(zero_salt);
	}
	crypto_auth_hmacsha512_init(&st, salt, salt_len);
	crypto_auth_hmacsha512_update(&st, ikm, ikm_len);
	crypto_auth_hmacsha512_final(&st, prk);
	sodium_memzero(&st, sizeof(st));
}

int sdrp_hkdf_expand(uint8_t *out, size_t out_len, const uint8_t prk[64],
		     const uint8_t *label, size_t label_len,
		     const uint8_t *ctx, size_t ctx_len)
{
	const size_t hash_len = crypto_auth_hmacsha512_BYTES;
	crypto_auth_hmacsha512_state key_st, st;
	uint8_t t[crypto_auth_hmacsha512_BYTES];
	size_t done = 0, n;
	uint8_t i = 0;

	if (!out_len || out_len > 255 * hash_len)
		return -EINVAL;
	sdrp_init();
	/* HMAC key schedule once; each block starts from a copy. */
	crypto_auth_hmacsha512_init(&key_st, prk, hash_len);
	while (done < out_len) {
		i++;
		st = key_st;
		if (i > 1)
			crypto_auth_hmacsha512_update(&st, t, hash_len);
		if (label_len)
			crypto_auth_hmacsha512_update(&st, label, label_len);
		if (ctx_len)
			crypto_auth_hmacsha512_update(&st, ctx, ctx_len);
		crypto_auth_hmacsha512_update(&st, &i, 1);
		crypto_auth_hmacsha512_final(&st, t);
		n = out_len - done < hash_len ? out_len - done : hash_len;
		memcpy(out + done, t, n);
		done += n;
	}
	sodium_memzero(t, sizeof(t));
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(&key_st, sizeof(key_st));
	return 0;
}

/* Expand with a wire.h label (no NUL) and optional context. */
static void expand_label(uint8_t *out, size_t len, const uint8_t prk[64],
			 const char *label, const uint8_t *ctx, size_t ctx_len)
{
	/* Lengths are constants of the key schedule: cannot fail. */
	sdrp_hkdf_expand(out, len, prk, (const uint8_t *)label, strlen(label),
			 ctx, ctx_len);
}

void sdrp_kdf_s0(struct sdrp_s0_keys *out, const uint8_t s0[SDRP_S0_LEN])
{
	uint8_t prk[64];

	sdrp_hkdf_extract(prk, (const uint8_t *)SDRP_LABEL_S0_SALT,
			  strlen(SDRP_LABEL_S0_SALT), s0, SDRP_S0_LEN);
	expand_label(out->c2s_hello_mac, sizeof(out->c2s_hello_mac), prk,
		     SDRP_LABEL_C2S_HELLO_MAC, NULL, 0);
	expand_label(out->s2c_hello_mac, sizeof(out->s2c_hello_mac), prk,
		     SDRP_LABEL_S2C_HELLO_MAC, NULL, 0);
	expand_label(out->ck0, sizeof(out->ck0), prk, SDRP_LABEL_CHAIN, NULL, 0);
	sodium_memzero(prk, sizeof(prk));
}

void sdrp_transcript_hash(uint8_t th[SDRP_HASH_LEN], const uint8_t *hello,
			  size_t hello_len, const uint8_t *ack, size_t ack_len)
{
	const struct sdrpi_buf v[] = {
		{ hello, hello_len },
		{ ack, ack_len },
	};

	sdrpi_sha512v(th, v, 2);
}

void sdrp_kdf_epoch(struct sdrp_keys *keys, const uint8_t ck[SDRP_CHAIN_KEY_LEN],
		    const uint8_t dh[SDRP_X25519_LEN],
		    const uint8_t th[SDRP_HASH_LEN])
{
	uint8_t prk[64];

	/* Extract first: ck may alias keys->chain_key, overwritten below. */
	sdrp_hkdf_extract(prk, ck, SDRP_CHAIN_KEY_LEN, dh, SDRP_X25519_LEN);
	expand_label(keys->c2s.key, sizeof(keys->c2s.key), prk,
		     SDRP_LABEL_C2S_KEY, th, SDRP_HASH_LEN);
	expand_label(keys->c2s.iv, sizeof(keys->c2s.iv), prk,
		     SDRP_LABEL_C2S_IV, th, SDRP_HASH_LEN);
	expand_label(keys->c2s.mac, sizeof(keys->c2s.mac), prk,
		     SDRP_LABEL_C2S_MAC, th, SDRP_HASH_LEN);
	expand_label(keys->s2c.key, sizeof(keys->s2c.key), prk,
		     SDRP_LABEL_S2C_KEY, th, SDRP_HASH_LEN);
	expand_label(keys->s2c.iv, sizeof(keys->s2c.iv), prk,
		     SDRP_LABEL_S2C_IV, th, SDRP_HASH_LEN);
	expand_label(keys->s2c.mac, sizeof(keys->s2c.mac), prk,
		     SDRP_LABEL_S2C_MAC, th, SDRP_HASH_LEN);
	expand_label(keys->chain_key, sizeof(keys->chain_key), prk,
		     SDRP_LABEL_CHAIN, th, SDRP_HASH_LEN);
	sodium_memzero(prk, sizeof(prk));
}

int sdrp_x25519_keypair(uint8_t sk[SDRP_X25519_LEN],
			uint8_t pk[SDRP_X25519_LEN])
{
	if (sdrp_init() == -EIO)
		return -EIO;
	randombytes_buf(sk, SDRP_X25519_LEN);
	return sdrp_x25519_public(pk, sk);
}

int sdrp_x25519_public(uint8_t pk[SDRP_X25519_LEN],
		       const uint8_t sk[SDRP_X25519_LEN])
{
	if (sdrp_init() == -EIO)
		return -EIO;
	return crypto_scalarmult_base(pk, sk) ? -EIO : 0;
}

int sdrp_x25519(uint8_t dh[SDRP_X25519_LEN], const uint8_t sk[SDRP_X25519_LEN],
		const uint8_t peer_pk[SDRP_X25519_LEN])
{
	sdrp_init();
	/* libsodium returns -1 for an all-zero result (low-order point). */
	if (crypto_scalarmult(dh, sk, peer_pk)) {
		sodium_memzero(dh, SDRP_X25519_LEN);
		return -EKEYREJECTED;
	}
	return 0;
}
