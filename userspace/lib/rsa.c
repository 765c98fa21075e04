// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * RSA keys and RSA-PSS-SHA512 signatures (salt length 64, MGF1-SHA512):
 * the only use of OpenSSL in libsdrp.
 *
 * Signing encodes EMSA-PSS (RFC 8017, 9.1.1) here and applies the raw RSA
 * private operation through OpenSSL (blinded), so that the salt can come
 * from libsodium's randombytes or, for reproducible test vectors, from
 * the caller.  Verification is OpenSSL's own PSS verification, which thus
 * cross-checks the encoding.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "internal.h"

/* Longest key file read: far more than a PEM key of the largest size. */
#define PEM_MAX (64 * 1024)

struct sdrp_privkey {
	EVP_PKEY *pkey;
};

struct sdrp_pubkey {
	EVP_PKEY *pkey;
};

const void *sdrpi_privkey_pkey(const struct sdrp_privkey *k)
{
	return k->pkey;
}

const void *sdrpi_pubkey_pkey(const struct sdrp_pubkey *k)
{
	return k->pkey;
}

static int bits_allowed(int bits)
{
	return bits >= SDRP_RSA_MIN_BITS && bits <= SDRP_RSA_MAX_BITS &&
	       !(bits % 8);
}

static int privkey_wrap(EVP_PKEY *pkey, struct sdrp_privkey **out)
{
	struct sdrp_privkey *k = malloc(sizeof(*k));

	if (!k) {
		EVP_PKEY_free(pkey);
		return -ENOMEM;
	}
	k->pkey = pkey;
	*out = k;
	return 0;
}

int sdrp_privkey_generate(unsigned int bits, struct sdrp_privkey **out)
{
	EVP_PKEY *pkey;

	*out = NULL;
	if (!bits)
		bits = SDRP_DEFAULT_RSA_BITS;
	if (bits > SDRP_RSA_MAX_BITS || !bits_allowed((int)bits))
		return -EINVAL;
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	if (!pkey)
		return -EIO;
	return privkey_wrap(pkey, out);
}

int sdrp_privkey_from_pem(const char *pem, size_t len,
			  struct sdrp_privkey **out)
{
	EVP_PKEY *pkey;
	BIO *bio;

	*out = NULL;
	if (len > INT32_MAX)
		return -EINVAL;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return -ENOMEM;
	/* An empty passphrase callback: encrypted keys are refused. */
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
	BIO_free(bio);
	if (!pkey)
		return -EINVAL;
	if (!EVP_PKEY_is_a(pkey, "RSA") || !bits_allowed(EVP_PKEY_get_bits(pkey)) ||
	    !EVP_PKEY_get_bits(pkey)) {
		EVP_PKEY_free(pkey);
		return -EINVAL;
	}
	return privkey_wrap(pkey, out);
}

/* PEM text of a key, private (PKCS#8) or public (SubjectPublicKeyInfo). */
static int pem_string(EVP_PKEY *pkey, int private, char **pem, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *copy;
	long n;

	*pem = NULL;
	if (!bio)
		return -ENOMEM;
	if (private ? !PEM_write_bio_PKCS8PrivateKey(bio, pkey, NULL, NULL, 0,
						     NULL, NULL) :
		      !PEM_write_bio_PUBKEY(bio, pkey)) {
		BIO_free(bio);
		return -EIO;
	}
	n = BIO_get_mem_data(bio, &data);
	copy = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (copy) {
		memcpy(copy, data, (size_t)n);
		copy[n] = '\0';
		if (len)
			*len = (size_t)n;
	}
	sodium_memzero(data, n > 0 ? (size_t)n : 0);
	BIO_free(bio);
	if (!copy)
		return -ENOMEM;
	*pem = copy;
	return 0;
}

int sdrp_privkey_to_pem(const struct sdrp_privkey *k, char **pem, size_t *len)
{
	return pem_string(k->pkey, 1, pem, len);
}

int sdrp_privkey_public_pem(const struct sdrp_privkey *k, char **pem,
			    size_t *len)
{
	return pem_string(k->pkey, 0, pem, len);
}

int sdrp_pubkey_from_pem(const char *pem, size_t len, struct sdrp_pubkey **out)
{
	struct sdrp_pubkey *k;
	struct sdrp_cert *c;
	EVP_PKEY *pkey;
	BIO *bio;

	*out = NULL;
	if (len > INT32_MAX)
		return -EINVAL;
	/* An sdrp certificate: re-certify the key it carries. */
	if (memmem(pem, len, SDRP_CERT_ARMOR_BEGIN,
		   strlen(SDRP_CERT_ARMOR_BEGIN))) {
		if (sdrp_cert_dearmor(pem, len, &c, NULL))
			return -EINVAL;
		pkey = c->pkey;
		if (!EVP_PKEY_up_ref(pkey))
			pkey = NULL;
		sdrp_cert_free(c);
	} else {
		bio = BIO_new_mem_buf(pem, (int)len);
		if (!bio)
			return -ENOMEM;
		pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (!pkey)
		return -EINVAL;
	if (!EVP_PKEY_is_a(pkey, "RSA") ||
	    !bits_allowed(EVP_PKEY_get_bits(pkey))) {
		EVP_PKEY_free(pkey);
		return -EINVAL;
	}
	k = malloc(sizeof(*k));
	if (!k) {
		EVP_PKEY_free(pkey);
		return -ENOMEM;
	}
	k->pkey = pkey;
	*out = k;
	return 0;
}

int sdrp_pubkey_load(const char *path, struct sdrp_pubkey **out)
{
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	rc = sdrpi_read_text(path, PEM_MAX, &text, &len);
	if (rc)
		return rc;
	rc = sdrp_pubkey_from_pem(text, len, out);
	free(text);
	return rc;
}

/* Free either key type: @k, the wrapper of @pkey. */
static void key_free(void *k, EVP_PKEY *pkey)
{
	EVP_PKEY_free(pkey);
	free(k);
}

void sdrp_pubkey_free(struct sdrp_pubkey *k)
{
	if (k)
		key_free(k, k->pkey);
}

unsigned int sdrp_pubkey_bits(const struct sdrp_pubkey *k)
{
	return (unsigned int)EVP_PKEY_get_bits(k->pkey);
}

int sdrp_privkey_load(const char *path, struct sdrp_privkey **out)
{
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	rc = sdrpi_read_text(path, PEM_MAX, &text, &len);
	if (rc)
		return rc;
	rc = sdrp_privkey_from_pem(text, len, out);
	sodium_memzero(text, len);
	free(text);
	return rc;
}

int sdrp_privkey_save(const struct sdrp_privkey *k, const char *path)
{
	size_t len;
	char *pem;
	int rc;

	rc = sdrp_privkey_to_pem(k, &pem, &len);
	if (rc)
		return rc;
	rc = sdrpi_write_secret(path, pem, len);
	free(pem);
	return rc;
}

void sdrp_privkey_free(struct sdrp_privkey *k)
{
	if (k)
		key_free(k, k->pkey);
}

unsigned int sdrp_privkey_bits(const struct sdrp_privkey *k)
{
	return (unsigned int)EVP_PKEY_get_bits(k->pkey);
}

static int bn_export(const EVP_PKEY *pkey, const char *name, uint8_t **out,
		     size_t *len)
{
	BIGNUM *bn = NULL;
	int n;

	if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
		return -EIO;
	n = BN_num_bytes(bn);
	*out = malloc(n > 0 ? (size_t)n : 1);
	if (!*out) {
		BN_free(bn);
		return -ENOMEM;
	}
	*len = (size_t)BN_bn2bin(bn, *out);
	BN_free(bn);
	return 0;
}

int sdrpi_pkey_ne(const void *pkey, uint8_t **n, size_t *n_len, uint8_t **e,
		  size_t *e_len)
{
	int rc;

	rc = bn_export(pkey, OSSL_PKEY_PARAM_RSA_N, n, n_len);
	if (rc)
		return rc;
	rc = bn_export(pkey, OSSL_PKEY_PARAM_RSA_E, e, e_len);
	if (rc) {
		free(*n);
		*n = NULL;
	}
	return rc;
}

void *sdrpi_pkey_from_ne(const uint8_t *n, size_t n_len, const uint8_t *e,
			 size_t e_len)
{
	BIGNUM *bn_n = BN_bin2bn(n, (int)n_len, NULL);
	BIGNUM *bn_e = BN_bin2bn(e, (int)e_len, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (!bn_n || !bn_e || !bld ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	return pkey;
}

void sdrpi_pkey_free(void *pkey)
{
	EVP_PKEY_free(pkey);
}

/* MGF1 with SHA-512 (RFC 8017, B.2.1), XORed into @out. */
static void mgf1_xor(uint8_t *out, size_t len, const uint8_t *seed,
		     size_t seed_len)
{
	uint8_t block[SDRP_HASH_LEN], ctr[4];
	uint32_t i = 0;
	size_t done = 0, n, j;

	while (done < len) {
		const struct sdrpi_buf v[] = { { seed, seed_len }, { ctr, 4 } };

		sdrp_put_be32(ctr, i++);
		sdrpi_sha512v(block, v, 2);
		n = len - done < sizeof(block) ? len - done : sizeof(block);
		for (j = 0; j < n; j++)
			out[done + j] ^= block[j];
		done += n;
	}
}

/*
 * EMSA-PSS-ENCODE (RFC 8017, 9.1.1) of a SHA-512 digest into em[0..k),
 * k = modulus bytes, with a leading zero byte when emLen < k.
 */
static void pss_encode(uint8_t *em, size_t k, unsigned int mod_bits,
		       const uint8_t digest[SDRP_HASH_LEN],
		       const uint8_t salt[SDRP_PSS_SALT_LEN])
{
	static const uint8_t zeros[8];
	unsigned int em_bits = mod_bits - 1;
	size_t em_len = (em_bits + 7) / 8;
	size_t db_len = em_len - SDRP_HASH_LEN - 1;
	uint8_t *out = em + (k - em_len);
	uint8_t *db = out, *h = out + db_len;
	const struct sdrpi_buf mp[] = {
		{ zeros, sizeof(zeros) },
		{ digest, SDRP_HASH_LEN },
		{ salt, SDRP_PSS_SALT_LEN },
	};

	memset(em, 0, k);
	sdrpi_sha512v(h, mp, 3);
	/* DB = PS (zeros) | 0x01 | salt */
	db[db_len - SDRP_PSS_SALT_LEN - 1] = 0x01;
	memcpy(db + db_len - SDRP_PSS_SALT_LEN, salt, SDRP_PSS_SALT_LEN);
	mgf1_xor(db, db_len, h, SDRP_HASH_LEN);
	db[0] &= 0xff >> (8 * em_len - em_bits);
	out[em_len - 1] = 0xbc;
}

ssize_t sdrp_pss_sign(const struct sdrp_privkey *k,
		      const uint8_t digest[SDRP_HASH_LEN],
		      const uint8_t *salt, uint8_t *sig, size_t cap)
{
	unsigned int bits = sdrp_privkey_bits(k);
	size_t klen = (bits + 7) / 8, sig_len = cap;
	uint8_t rand_salt[SDRP_PSS_SALT_LEN];
	EVP_PKEY_CTX *ctx;
	uint8_t *em;
	ssize_t rc = -EIO;

	if (cap < klen)
		return -ENOBUFS;
	/* emLen >= hLen + sLen + 2 holds for every allowed size. */
	if (!bits_allowed((int)bits))
		return -EINVAL;
	em = malloc(klen);
	if (!em)
		return -ENOMEM;
	if (!salt) {
		sdrp_init();
		randombytes_buf(rand_salt, sizeof(rand_salt));
		salt = rand_salt;
	}
	pss_encode(em, klen, bits, digest, salt);
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (ctx && EVP_PKEY_sign_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
	    EVP_PKEY_sign(ctx, sig, &sig_len, em, klen) > 0 && sig_len == klen)
		rc = (ssize_t)sig_len;
	EVP_PKEY_CTX_free(ctx);
	sodium_memzero(rand_salt, sizeof(rand_salt));
	free(em);
	return rc;
}

int sdrpi_pss_verify(void *pkey, const uint8_t digest[SDRP_HASH_LEN],
		     const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	int ok = 0;

	if (ctx && EVP_PKEY_verify_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha512()) > 0 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha512()) > 0 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, SDRP_PSS_SALT_LEN) > 0)
		ok = EVP_PKEY_verify(ctx, sig, sig_len, digest,
				     SDRP_HASH_LEN) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -EBADMSG;
}
