/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * Helpers shared by libsdrp's test programs: TAP output, the test vector
 * reader, hex, and test credentials from the fixed keys of keys.h.
 */
#ifndef _SDRP_TEST_UTIL_H
#define _SDRP_TEST_UTIL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sdrp/sdrp.h>

/* ---- TAP ---- */

/* Print "ok N - name" or "not ok N - name"; returns @cond. */
int tap_ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "ok N - name # SKIP reason" */
void tap_skip(const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A diagnostic line ("# ..."). */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the plan "1..N"; exit status: 0 if all passed, 1 if not. */
int tap_done(void);
/* Abort the program with "Bail out!" (a broken precondition). */
void tap_bail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* ok() with the expression as name when no name is given. */
#define OK(cond, ...) tap_ok(!!(cond), __VA_ARGS__)
/* Compare an int result with its expected value, and say both if not. */
#define IS(got, want, ...) tap_is((long)(got), (long)(want), __VA_ARGS__)
int tap_is(long got, long want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- test vectors (tests/vectors.txt, see gen_vectors.c) ---- */

struct vec {
	char *kind;
	char *name;
	size_t n;
	char **keys;
	char **vals;
};

/* Load every vector of $SDRP_VECTORS (default tests/vectors.txt). */
struct vec *vec_load(size_t *count);
void vec_free(struct vec *v, size_t count);
/* Value of @key, or NULL. */
const char *vec_str(const struct vec *v, const char *key);
/* Hex value of @key into out[0..cap); bails out if absent or invalid. */
size_t vec_hex(const struct vec *v, const char *key, uint8_t *out, size_t cap);
/* Hex value of @key, malloc'd (free()); bails out if absent or invalid. */
uint8_t *vec_hex_alloc(const struct vec *v, const char *key, size_t *len);
/* Decimal value of @key; bails out if absent. */
uint64_t vec_u64(const struct vec *v, const char *key);
/* First vector of @kind named @name, or NULL. */
const struct vec *vec_find(const struct vec *vs, size_t count,
			   const char *kind, const char *name);

/* ---- bytes ---- */

/* Parse hex; returns bytes written or -1. */
long hex_decode(const char *hex, uint8_t *out, size_t cap);

/* ---- independent reference computations (OpenSSL) ---- */

enum { REF_HKDF_FULL, REF_HKDF_EXTRACT };

/* OpenSSL's HKDF-SHA512: @mode REF_HKDF_EXTRACT gives the PRK (len 64),
 * REF_HKDF_FULL extract-then-expand.  1 on success. */
int ref_hkdf_sha512(uint8_t *out, size_t len, const uint8_t *salt,
		    size_t salt_len, const uint8_t *ikm, size_t ikm_len,
		    const uint8_t *info, size_t info_len, int mode);
/* OpenSSL's HMAC-SHA512 over a | b.  1 on success. */
int ref_hmac_sha512(uint8_t out[64], const uint8_t key[64], const uint8_t *a,
		    size_t a_len, const uint8_t *b, size_t b_len);
/* OpenSSL's AES-256-GCM decryption; 1 if the tag verified. */
int ref_gcm_decrypt(uint8_t *pt, const uint8_t key[32], const uint8_t nonce[12],
		    const uint8_t *aad, size_t aad_len, const uint8_t *ct,
		    size_t ct_len, const uint8_t tag[16]);
/* OpenSSL's X25519; 1 on success. */
int ref_x25519(uint8_t out[32], const uint8_t sk[32], const uint8_t pk[32]);
/* OpenSSL's SHA-512 over a | b. */
void ref_sha512(uint8_t out[64], const uint8_t *a, size_t a_len,
		const uint8_t *b, size_t b_len);

/* ---- credentials ---- */

struct test_creds {
	struct sdrp_privkey *ca_key, *client_key, *server_key, *rogue_key;
	struct sdrp_cert *ca, *client, *server;
	struct sdrp_cert *rogue_ca;		/* self-signed, unrelated */
};

/* The fixed test keys and certificates valid from @now_s - 1 day to
 * @now_s + 1 year (CA "sdrp-test-ca", "client.example",
 * "server.example", rogue CA "rogue-ca"). */
void test_creds_init(struct test_creds *c, uint64_t now_s);
void test_creds_free(struct test_creds *c);
/* Issue a certificate for @subject with @key by @issuer_key / @issuer. */
struct sdrp_cert *test_cert(const char *subject, struct sdrp_privkey *key,
			    const char *issuer, struct sdrp_privkey *issuer_key,
			    uint64_t not_before, uint64_t not_after);

/* A scratch directory for files ($SDRP_TEST_TMP or /tmp). */
const char *test_tmpdir(void);

#endif /* _SDRP_TEST_UTIL_H */
