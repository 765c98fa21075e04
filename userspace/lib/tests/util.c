// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/* Helpers shared by libsdrp's test programs (see util.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "keys.h"
#include "util.h"

static int tap_count, tap_failed;

static void vline(const char *prefix, const char *fmt, va_list ap)
{
	printf("%s", prefix);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

/* Count one test and print its "ok N - name" or "not ok N - name" line. */
static void vresult(int cond, const char *fmt, va_list ap)
{
	char prefix[64];

	tap_count++;
	if (!cond)
		tap_failed++;
	snprintf(prefix, sizeof(prefix), "%sok %d - ", cond ? "" : "not ",
		 tap_count);
	vline(prefix, fmt, ap);
}

int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vresult(cond, fmt, ap);
	va_end(ap);
	return cond;
}

int tap_is(long got, long want, const char *fmt, ...)
{
	va_list ap;
	int cond = got == want;

	va_start(ap, fmt);
	vresult(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("#   got %ld, want %ld\n", got, want);
	return cond;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("ok %d - ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", reason);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("# ", fmt, ap);
	va_end(ap);
}

int tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("Bail out! ", fmt, ap);
	va_end(ap);
	exit(2);
}

long hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t len = strlen(hex), i;
	unsigned int b;

	if (len % 2 || len / 2 > cap)
		return -1;
	for (i = 0; i < len / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (uint8_t)b;
	}
	return (long)(len / 2);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		tap_bail("out of memory");
	return d;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		tap_bail("out of memory");
	return p;
}

struct vec *vec_load(size_t *count)
{
	const char *path = getenv("SDRP_VECTORS");
	struct vec *vs = NULL, *cur = NULL;
	size_t n = 0, cap = 0;
	char *line = NULL, *eq, *val;
	size_t line_cap = 0;
	ssize_t len;
	FILE *f;

	if (!path)
		path = "tests/vectors.txt";
	f = fopen(path, "r");
	if (!f)
		tap_bail("cannot open %s", path);
	while ((len = getline(&line, &line_cap, f)) >= 0) {
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (line[0] == '#')
			continue;
		if (!len) {
			cur = NULL;
			continue;
		}
		eq = strstr(line, " =");
		if (!eq)
			tap_bail("bad vector line: %s", line);
		*eq = '\0';
		val = eq + 2;
		if (*val == ' ')
			val++;
		if (!cur) {
			if (strcmp(line, "vector"))
				tap_bail("vector must start with 'vector ='");
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				vs = xrealloc(vs, cap * sizeof(*vs));
			}
			cur = &vs[n++];
			memset(cur, 0, sizeof(*cur));
			cur->kind = xstrdup(val);
			continue;
		}
		cur->keys = xrealloc(cur->keys, (cur->n + 1) * sizeof(char *));
		cur->vals = xrealloc(cur->vals, (cur->n + 1) * sizeof(char *));
		cur->keys[cur->n] = xstrdup(line);
		cur->vals[cur->n] = xstrdup(val);
		if (!strcmp(line, "name"))
			cur->name = cur->vals[cur->n];
		cur->n++;
	}
	free(line);
	fclose(f);
	*count = n;
	return vs;
}

void vec_free(struct vec *vs, size_t count)
{
	size_t i, j;

	for (i = 0; i < count; i++) {
		for (j = 0; j < vs[i].n; j++) {
			free(vs[i].keys[j]);
			free(vs[i].vals[j]);
		}
		free(vs[i].keys);
		free(vs[i].vals);
		free(vs[i].kind);
	}
	free(vs);
}

const char *vec_str(const struct vec *v, const char *key)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return v->vals[i];
	return NULL;
}

static const char *vec_need(const struct vec *v, const char *key)
{
	const char *s = vec_str(v, key);

	if (!s)
		tap_bail("vector %s/%s has no %s", v->kind, v->name, key);
	return s;
}

size_t vec_hex(const struct vec *v, const char *key, uint8_t *out, size_t cap)
{
	long n = hex_decode(vec_need(v, key), out, cap);

	if (n < 0)
		tap_bail("vector %s/%s: bad hex in %s", v->kind, v->name, key);
	return (size_t)n;
}

uint8_t *vec_hex_alloc(const struct vec *v, const char *key, size_t *len)
{
	size_t cap = strlen(vec_need(v, key)) / 2 + 1;
	uint8_t *out = malloc(cap);

	if (!out)
		tap_bail("out of memory");
	*len = vec_hex(v, key, out, cap);
	return out;
}

uint64_t vec_u64(const struct vec *v, const char *key)
{
	return strtoull(vec_need(v, key), NULL, 10);
}

const struct vec *vec_find(const struct vec *vs, size_t count,
			   const char *kind, const char *name)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (!strcmp(vs[i].kind, kind) && vs[i].name &&
		    !strcmp(vs[i].name, name))
			return &vs[i];
	return NULL;
}

static struct sdrp_privkey *key_load(const char *pem)
{
	struct sdrp_privkey *k;

	if (sdrp_privkey_from_pem(pem, strlen(pem), &k))
		tap_bail("cannot load a test key");
	return k;
}

struct sdrp_cert *test_cert(const char *subject, struct sdrp_privkey *key,
			    const char *issuer, struct sdrp_privkey *issuer_key,
			    uint64_t not_before, uint64_t not_after)
{
	static uint64_t serial = 100;
	struct sdrp_cert_template t = {
		.serial = serial++,
		.not_before = not_before,
		.not_after = not_after,
		.subject = subject,
		.issuer = issuer,
	};
	struct sdrp_cert *c;
	int rc = sdrp_cert_create(&t, key, issuer_key, &c);

	if (rc)
		tap_bail("cannot create certificate %s: %d", subject, rc);
	return c;
}

void test_creds_init(struct test_creds *c, uint64_t now_s)
{
	uint64_t nb = now_s - 86400, na = now_s + 365 * 86400;

	c->ca_key = key_load(test_key_ca_pem);
	c->client_key = key_load(test_key_client_pem);
	c->server_key = key_load(test_key_server_pem);
	c->rogue_key = key_load(test_key_rogue_pem);
	c->ca = test_cert("sdrp-test-ca", c->ca_key, "sdrp-test-ca", c->ca_key,
			  nb, na);
	c->client = test_cert("client.example", c->client_key, "sdrp-test-ca",
			      c->ca_key, nb, na);
	c->server = test_cert("server.example", c->server_key, "sdrp-test-ca",
			      c->ca_key, nb, na);
	c->rogue_ca = test_cert("rogue-ca", c->rogue_key, "rogue-ca",
				c->rogue_key, nb, na);
}

void test_creds_free(struct test_creds *c)
{
	sdrp_cert_free(c->ca);
	sdrp_cert_free(c->client);
	sdrp_cert_free(c->server);
	sdrp_cert_free(c->rogue_ca);
	sdrp_privkey_free(c->ca_key);
	sdrp_privkey_free(c->client_key);
	sdrp_privkey_free(c->server_key);
	sdrp_privkey_free(c->rogue_key);
	memset(c, 0, sizeof(*c));
}

const char *test_tmpdir(void)
{
	const char *d = getenv("SDRP_TEST_TMP");

	return d && *d ? d : "/tmp";
}

/* ---- independent reference computations (OpenSSL) ---- */

int ref_hkdf_sha512(uint8_t *out, size_t len, const uint8_t *salt,
		    size_t salt_len, const uint8_t *ikm, size_t ikm_len,
		    const uint8_t *info, size_t info_len, int mode)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	int ossl_mode = mode == REF_HKDF_EXTRACT ?
			EVP_KDF_HKDF_MODE_EXTRACT_ONLY :
			EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND;
	OSSL_PARAM p[6], *q = p;
	int ok;

	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)"SHA512", 0);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)ikm, ikm_len);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
						 (void *)(salt ? salt : (const uint8_t *)""),
						 salt_len);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						 (void *)info, info_len);
	*q++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &ossl_mode);
	*q = OSSL_PARAM_construct_end();
	ok = ctx && EVP_KDF_derive(ctx, out, len, p) > 0;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok;
}

int ref_hmac_sha512(uint8_t out[64], const uint8_t key[64], const uint8_t *a,
		    size_t a_len, const uint8_t *b, size_t b_len)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM p[2];
	size_t out_len = 0;
	int ok;

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						(char *)"SHA512", 0);
	p[1] = OSSL_PARAM_construct_end();
	ok = ctx && EVP_MAC_init(ctx, key, 64, p) > 0 &&
	     EVP_MAC_update(ctx, a, a_len) > 0 &&
	     EVP_MAC_update(ctx, b, b_len) > 0 &&
	     EVP_MAC_final(ctx, out, &out_len, 64) > 0 && out_len == 64;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok;
}

int ref_gcm_decrypt(uint8_t *pt, const uint8_t key[32], const uint8_t nonce[12],
		    const uint8_t *aad, size_t aad_len, const uint8_t *ct,
		    size_t ct_len, const uint8_t tag[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, ok;

	ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key,
				       nonce) > 0 &&
	     EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aad_len) > 0 &&
	     (!ct_len || EVP_DecryptUpdate(ctx, pt, &n, ct, (int)ct_len) > 0) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16,
				 (void *)tag) > 0 &&
	     EVP_DecryptFinal_ex(ctx, pt + ct_len, &n) > 0;
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

int ref_x25519(uint8_t out[32], const uint8_t sk[32], const uint8_t pk[32])
{
	EVP_PKEY *a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, 32);
	EVP_PKEY *b = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pk, 32);
	EVP_PKEY_CTX *ctx = a ? EVP_PKEY_CTX_new(a, NULL) : NULL;
	size_t len = 32;
	int ok;

	ok = ctx && b && EVP_PKEY_derive_init(ctx) > 0 &&
	     EVP_PKEY_derive_set_peer(ctx, b) > 0 &&
	     EVP_PKEY_derive(ctx, out, &len) > 0 && len == 32;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	return ok;
}

void ref_sha512(uint8_t out[64], const uint8_t *a, size_t a_len,
		const uint8_t *b, size_t b_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!md || EVP_DigestInit_ex(md, EVP_sha512(), NULL) <= 0 ||
	    EVP_DigestUpdate(md, a, a_len) <= 0 ||
	    EVP_DigestUpdate(md, b, b_len) <= 0 ||
	    EVP_DigestFinal_ex(md, out, NULL) <= 0)
		tap_bail("OpenSSL SHA-512 failed");
	EVP_MD_CTX_free(md);
}
