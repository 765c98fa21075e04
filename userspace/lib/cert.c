// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * sdrp certificates (no X.509, as the paper demands): a small versioned
 * binary format, big-endian, signed by the issuer with RSA-PSS-SHA512.
 *
 *   magic "SDRC" | version 1 | key_type 1 (RSA) | reserved(2) = 0
 *   | serial(8) | not_before(8) | not_after(8)
 *   | subject_len(1) | subject | issuer_len(1) | issuer
 *   | n_len(2) | n | e_len(2) | e | sig_len(2) | sig
 *
 * sig covers "sdrp1 cert" | every byte before sig, sig_len included.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CERT_FIXED_LEN	32	/* magic .. not_after */
#define CERT_E_MAX	8	/* public exponent bytes */

int sdrp_identity_valid(const char *id)
{
	size_t i;

	for (i = 0; id[i]; i++)
		if (i >= SDRP_IDENTITY_MAX || id[i] < 0x21 || id[i] > 0x7e)
			return 0;
	return i > 0;
}

void sdrp_cert_free(struct sdrp_cert *c)
{
	if (!c)
		return;
	sdrpi_pkey_free(c->pkey);
	free(c->raw);
	free(c);
}

/* Bounded reader: every read is checked against the end first. */
struct reader {
	const uint8_t *p, *end;
};

static int rd_need(const struct reader *r, size_t n)
{
	return (size_t)(r->end - r->p) >= n;
}

static int rd_identity(struct reader *r, char out[SDRP_IDENTITY_MAX + 1],
		       enum sdrp_err *err)
{
	size_t len;

	if (!rd_need(r, 1))
		return sdrpi_fail(err, SDRP_ERR_CERT_SHORT);
	len = *r->p++;
	if (!rd_need(r, len))
		return sdrpi_fail(err, SDRP_ERR_CERT_SHORT);
	memcpy(out, r->p, len);
	out[len] = '\0';
	r->p += len;
	/* Also catches an embedded NUL (shorter string). */
	if (strlen(out) != len || !sdrp_identity_valid(out))
		return sdrpi_fail(err, SDRP_ERR_CERT_IDENTITY);
	return 0;
}

static int rd_blob16(struct reader *r, const uint8_t **p, size_t *len,
		     enum sdrp_err short_err, enum sdrp_err *err)
{
	if (!rd_need(r, 2))
		return sdrpi_fail(err, short_err);
	*len = (size_t)r->p[0] << 8 | r->p[1];
	r->p += 2;
	if (!rd_need(r, *len))
		return sdrpi_fail(err, short_err);
	*p = r->p;
	r->p += *len;
	return 0;
}

static int key_valid(const struct sdrp_cert *c)
{
	size_t n_bits;

	/* The top bit set: the modulus has exactly n_len * 8 bits. */
	if (!c->n_len || !(c->n[0] & 0x80) || !c->e_len || !c->e[0])
		return 0;
	n_bits = c->n_len * 8;
	if (n_bits < SDRP_RSA_MIN_BITS || n_bits > SDRP_RSA_MAX_BITS)
		return 0;
	if (!(c->n[c->n_len - 1] & 1) || !(c->e[c->e_len - 1] & 1))
		return 0;
	if (c->e_len > CERT_E_MAX || (c->e_len == 1 && c->e[0] < 3))
		return 0;
	return 1;
}

int sdrp_cert_parse(const uint8_t *buf, size_t len, struct sdrp_cert **out,
		    enum sdrp_err *err)
{
	struct sdrp_cert *c;
	struct reader r;
	const uint8_t *p;
	int rc;

	*out = NULL;
	if (len < CERT_FIXED_LEN)
		return sdrpi_fail(err, SDRP_ERR_CERT_SHORT);
	if (memcmp(buf, SDRP_CERT_MAGIC, 4))
		return sdrpi_fail(err, SDRP_ERR_CERT_MAGIC);
	if (buf[4] != SDRP_CERT_VERSION)
		return sdrpi_fail(err, SDRP_ERR_CERT_VERSION);
	if (buf[5] != SDRP_CERT_KEY_RSA)
		return sdrpi_fail(err, SDRP_ERR_CERT_KEY_TYPE);
	if (buf[6] || buf[7])
		return sdrpi_fail(err, SDRP_ERR_CERT_RESERVED);
	if (len > SDRP_CERT_MAX_LEN)
		return sdrpi_fail(err, SDRP_ERR_CERT_TRAILING);

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->raw = malloc(len);
	if (!c->raw) {
		free(c);
		return -ENOMEM;
	}
	memcpy(c->raw, buf, len);
	c->raw_len = len;
	p = c->raw;
	c->serial = sdrp_get_be64(p + 8);
	c->not_before = sdrp_get_be64(p + 16);
	c->not_after = sdrp_get_be64(p + 24);
	r.p = p + CERT_FIXED_LEN;
	r.end = p + len;

	rc = rd_identity(&r, c->subject, err);
	if (!rc)
		rc = rd_identity(&r, c->issuer, err);
	if (!rc)
		rc = rd_blob16(&r, &c->n, &c->n_len, SDRP_ERR_CERT_SHORT, err);
	if (!rc)
		rc = rd_blob16(&r, &c->e, &c->e_len, SDRP_ERR_CERT_SHORT, err);
	if (!rc && !key_valid(c))
		rc = sdrpi_fail(err, SDRP_ERR_CERT_KEY);
	if (!rc) {
		c->signed_len = (size_t)(r.p - p) + 2;
		rc = rd_blob16(&r, &c->sig, &c->sig_len,
			       SDRP_ERR_CERT_SIG_LEN, err);
	}
	if (!rc && !c->sig_len)
		rc = sdrpi_fail(err, SDRP_ERR_CERT_SIG_LEN);
	if (!rc && r.p != r.end)
		rc = sdrpi_fail(err, SDRP_ERR_CERT_TRAILING);
	if (!rc && c->not_before > c->not_after)
		rc = sdrpi_fail(err, SDRP_ERR_CERT_VALIDITY);
	if (!rc) {
		c->pkey = sdrpi_pkey_from_ne(c->n, c->n_len, c->e, c->e_len);
		if (!c->pkey)
			rc = sdrpi_fail(err, SDRP_ERR_CERT_KEY);
	}
	if (rc) {
		sdrp_cert_free(c);
		return rc;
	}
	sdrpi_ok(err);
	*out = c;
	return 0;
}

static void cert_digest(uint8_t digest[SDRP_HASH_LEN], const uint8_t *raw,
			size_t signed_len)
{
	const struct sdrpi_buf v[] = {
		{ SDRP_SIG_CTX_CERT, strlen(SDRP_SIG_CTX_CERT) },
		{ raw, signed_len },
	};

	sdrpi_sha512v(digest, v, 2);
}

int sdrp_cert_verify_digest(const struct sdrp_cert *c,
			    const uint8_t digest[SDRP_HASH_LEN],
			    const uint8_t *sig, size_t sig_len)
{
	return sdrpi_pss_verify(c->pkey, digest, sig, sig_len);
}

static int validity(const struct sdrp_cert *c, uint64_t now_s,
		    enum sdrp_err *err)
{
	if (now_s < c->not_before)
		return sdrpi_fail(err, SDRP_ERR_CERT_NOT_YET_VALID);
	if (now_s > c->not_after)
		return sdrpi_fail(err, SDRP_ERR_CERT_EXPIRED);
	return 0;
}

int sdrp_cert_verify(const struct sdrp_cert *c, const struct sdrp_cert *ca,
		     const char *identity, uint64_t now_s, enum sdrp_err *err)
{
	uint8_t digest[SDRP_HASH_LEN];
	int rc;

	if (strcmp(c->issuer, ca->subject) || strcmp(ca->issuer, ca->subject))
		return sdrpi_fail(err, SDRP_ERR_UNKNOWN_CA);
	cert_digest(digest, c->raw, c->signed_len);
	if (sdrp_cert_verify_digest(ca, digest, c->sig, c->sig_len))
		return sdrpi_fail(err, SDRP_ERR_CERT_SIGNATURE);
	/* A certificate is no better than its CA's: check both. */
	rc = validity(ca, now_s, err);
	if (!rc)
		rc = validity(c, now_s, err);
	if (rc)
		return rc;
	if (identity && strcmp(c->subject, identity))
		return sdrpi_fail(err, SDRP_ERR_IDENTITY);
	sdrpi_ok(err);
	return 0;
}

static uint8_t *put_blob16(uint8_t *p, const uint8_t *b, size_t len)
{
	p[0] = (uint8_t)(len >> 8);
	p[1] = (uint8_t)len;
	memcpy(p + 2, b, len);
	return p + 2 + len;
}

static uint8_t *put_identity(uint8_t *p, const char *id)
{
	size_t len = strlen(id);

	*p++ = (uint8_t)len;
	memcpy(p, id, len);
	return p + len;
}

/* Issue a certificate for the RSA key @subject_pkey (EVP_PKEY *). */
static int cert_create(const struct sdrp_cert_template *t,
		       const void *subject_pkey,
		       const struct sdrp_privkey *issuer_key,
		       struct sdrp_cert **out)
{
	const char *issuer = t->issuer ? t->issuer : t->subject;
	uint8_t digest[SDRP_HASH_LEN], *buf = NULL, *p;
	uint8_t *n = NULL, *e = NULL;
	size_t n_len, e_len, sig_cap, len;
	ssize_t sig_len;
	enum sdrp_err why;
	int rc;

	*out = NULL;
	if (!t->subject || !sdrp_identity_valid(t->subject) ||
	    !sdrp_identity_valid(issuer) || t->not_before > t->not_after)
		return -EINVAL;
	rc = sdrpi_pkey_ne(subject_pkey, &n, &n_len, &e, &e_len);
	if (rc)
		return rc;
	if (e_len > CERT_E_MAX) {
		rc = -EINVAL;
		goto out;
	}
	sig_cap = (sdrp_privkey_bits(issuer_key) + 7) / 8;
	len = CERT_FIXED_LEN + 2 + strlen(t->subject) + strlen(issuer) +
	      2 + n_len + 2 + e_len + 2 + sig_cap;
	buf = malloc(len);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	p = buf;
	memcpy(p, SDRP_CERT_MAGIC, 4);
	p[4] = SDRP_CERT_VERSION;
	p[5] = SDRP_CERT_KEY_RSA;
	p[6] = 0;
	p[7] = 0;
	sdrp_put_be64(p + 8, t->serial);
	sdrp_put_be64(p + 16, t->not_before);
	sdrp_put_be64(p + 24, t->not_after);
	p += CERT_FIXED_LEN;
	p = put_identity(p, t->subject);
	p = put_identity(p, issuer);
	p = put_blob16(p, n, n_len);
	p = put_blob16(p, e, e_len);
	p[0] = (uint8_t)(sig_cap >> 8);
	p[1] = (uint8_t)sig_cap;
	p += 2;
	cert_digest(digest, buf, (size_t)(p - buf));
	sig_len = sdrp_pss_sign(issuer_key, digest, t->pss_salt, p, sig_cap);
	if (sig_len < 0) {
		rc = (int)sig_len;
		goto out;
	}
	/* Parse what we built: one definition of a valid certificate. */
	rc = sdrp_cert_parse(buf, len, out, &why);
	if (rc)
		rc = -EINVAL;
out:
	free(buf);
	free(n);
	free(e);
	return rc;
}

int sdrp_cert_create(const struct sdrp_cert_template *t,
		     const struct sdrp_privkey *subject_key,
		     const struct sdrp_privkey *issuer_key,
		     struct sdrp_cert **out)
{
	return cert_create(t, sdrpi_privkey_pkey(subject_key), issuer_key, out);
}

int sdrp_cert_create_pub(const struct sdrp_cert_template *t,
			 const struct sdrp_pubkey *subject_key,
			 const struct sdrp_privkey *issuer_key,
			 struct sdrp_cert **out)
{
	return cert_create(t, sdrpi_pubkey_pkey(subject_key), issuer_key, out);
}

void sdrp_cert_fingerprint(const struct sdrp_cert *c,
			   uint8_t fp[SDRP_CERT_FINGERPRINT_LEN])
{
	uint8_t h[SDRP_HASH_LEN];

	sdrp_init();
	crypto_hash_sha512(h, c->raw, c->raw_len);
	memcpy(fp, h, SDRP_CERT_FINGERPRINT_LEN);
}

unsigned int sdrp_cert_key_bits(const struct sdrp_cert *c)
{
	/* key_valid(): the top bit of the modulus is set. */
	return (unsigned int)(c->n_len * 8);
}

uint64_t sdrp_cert_random_serial(void)
{
	uint64_t v;

	sdrp_init();
	do {
		randombytes_buf(&v, sizeof(v));
		v >>= 1;
	} while (!v);
	return v;
}

int sdrp_cert_matches_key(const struct sdrp_cert *c,
			  const struct sdrp_privkey *k)
{
	uint8_t *n, *e;
	size_t n_len, e_len;
	int same;

	if (sdrpi_pkey_ne(sdrpi_privkey_pkey(k), &n, &n_len, &e, &e_len))
		return 0;
	same = n_len == c->n_len && e_len == c->e_len &&
	       !memcmp(n, c->n, n_len) && !memcmp(e, c->e, e_len);
	free(n);
	free(e);
	return same;
}

int sdrp_cert_armor(const struct sdrp_cert *c, char **text, size_t *len)
{
	const int variant = sodium_base64_VARIANT_ORIGINAL;
	size_t b64_len = sodium_base64_encoded_len(c->raw_len, variant);
	size_t lines, cap, i, n;
	char *b64, *out, *p;

	*text = NULL;
	sdrp_init();
	b64 = malloc(b64_len);
	if (!b64)
		return -ENOMEM;
	sodium_bin2base64(b64, b64_len, c->raw, c->raw_len, variant);
	b64_len = strlen(b64);
	lines = (b64_len + 63) / 64;
	cap = sizeof(SDRP_CERT_ARMOR_BEGIN) + b64_len + lines +
	      sizeof(SDRP_CERT_ARMOR_END) + 1;
	out = malloc(cap);
	if (!out) {
		free(b64);
		return -ENOMEM;
	}
	p = out;
	p += sprintf(p, "%s\n", SDRP_CERT_ARMOR_BEGIN);
	for (i = 0; i < b64_len; i += n) {
		n = b64_len - i < 64 ? b64_len - i : 64;
		memcpy(p, b64 + i, n);
		p += n;
		*p++ = '\n';
	}
	p += sprintf(p, "%s\n", SDRP_CERT_ARMOR_END);
	free(b64);
	*text = out;
	if (len)
		*len = (size_t)(p - out);
	return 0;
}

/* First occurrence of @needle in text[0..len), or NULL. */
static const char *find(const char *text, size_t len, const char *needle)
{
	return memmem(text, len, needle, strlen(needle));
}

int sdrp_cert_dearmor(const char *text, size_t len, struct sdrp_cert **out,
		      enum sdrp_err *err)
{
	const char *begin, *end, *b64;
	uint8_t *bin;
	size_t bin_len, cap;
	int rc;

	*out = NULL;
	begin = find(text, len, SDRP_CERT_ARMOR_BEGIN);
	if (!begin)
		return sdrpi_fail(err, SDRP_ERR_CERT_ARMOR);
	b64 = begin + strlen(SDRP_CERT_ARMOR_BEGIN);
	end = find(b64, len - (size_t)(b64 - text), SDRP_CERT_ARMOR_END);
	if (!end)
		return sdrpi_fail(err, SDRP_ERR_CERT_ARMOR);
	/* Base64 expands 3 bytes to 4: this bounds the decoded size. */
	cap = (size_t)(end - b64) / 4 * 3 + 3;
	if (cap > SDRP_CERT_MAX_LEN + 3)
		return sdrpi_fail(err, SDRP_ERR_CERT_TRAILING);
	sdrp_init();
	bin = malloc(cap ? cap : 1);
	if (!bin)
		return -ENOMEM;
	if (sodium_base642bin(bin, cap, b64, (size_t)(end - b64), " \t\r\n",
			      &bin_len, NULL, sodium_base64_VARIANT_ORIGINAL) ||
	    !bin_len) {
		free(bin);
		return sdrpi_fail(err, SDRP_ERR_CERT_ARMOR);
	}
	rc = sdrp_cert_parse(bin, bin_len, out, err);
	free(bin);
	return rc;
}

int sdrp_cert_load(const char *path, struct sdrp_cert **out,
		   enum sdrp_err *err)
{
	size_t len;
	char *text;
	int rc;

	*out = NULL;
	rc = sdrpi_read_file(path, 4 * SDRP_CERT_MAX_LEN, &text, &len);
	if (rc == -EFBIG)
		return sdrpi_fail(err, SDRP_ERR_CERT_TRAILING);
	if (rc)
		return rc;
	rc = sdrp_cert_dearmor(text, len, out, err);
	free(text);
	return rc;
}

int sdrp_cert_save(const struct sdrp_cert *c, const char *path)
{
	size_t len;
	char *text;
	int rc;

	rc = sdrp_cert_armor(c, &text, &len);
	if (rc)
		return rc;
	rc = sdrpi_write_file(path, text, len, 0644, 0);
	free(text);
	return rc;
}
