// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Known-answer tests of the primitives libsdrp builds on, and of its own
 * HKDF and PSS code against OpenSSL:
 *   - HMAC-SHA512: RFC 4231 test cases 1-4, 6, 7;
 *   - HKDF-SHA512: the RFC 5869 inputs (A.1-A.3) run through SHA-512,
 *     checked against OpenSSL's HKDF and against tests/vectors.txt;
 *   - X25519: RFC 7748 section 5.2 and the section 6.1 exchange, and the
 *     refusal of an all-zero (low-order) result;
 *   - AES-256-GCM: test cases 13 and 14 of the GCM specification;
 *   - RSA-PSS-SHA512 (salt 64): libsdrp's signature verified by OpenSSL,
 *     OpenSSL's verified by libsdrp.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "keys.h"
#include "util.h"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	long n = hex_decode(h, out, cap);

	if (n < 0)
		tap_bail("bad hex constant");
	return (size_t)n;
}

static void test_hmac(void)
{
	static const struct {
		const char *name, *key, *data, *mac;
	} tc[] = {
		{ "1", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
		  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
		  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
		{ "2", "4a656665",
		  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
		  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
		{ "3", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddd",
		  "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
		  "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" },
		{ "4", "0102030405060708090a0b0c0d0e0f10111213141516171819",
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		  "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
		  "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" },
		{ "6", NULL,
		  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
		  "65204b6579202d2048617368204b6579204669727374",
		  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
		  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
		{ "7", NULL,
		  "5468697320697320612074657374207573696e672061206c6172676572207468"
		  "616e20626c6f636b2d73697a65206b657920616e642061206c61726765722074"
		  "68616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565"
		  "647320746f20626520686173686564206265666f7265206265696e6720757365"
		  "642062792074686520484d414320616c676f726974686d2e",
		  "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
		  "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" },
	};
	uint8_t key[131], data[256], want[64], got[64];
	size_t i, klen, dlen;

	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		crypto_auth_hmacsha512_state st;

		if (tc[i].key) {
			klen = unhex(tc[i].key, key, sizeof(key));
		} else {	/* cases 6 and 7: 131 bytes of 0xaa */
			klen = 131;
			memset(key, 0xaa, klen);
		}
		dlen = unhex(tc[i].data, data, sizeof(data));
		unhex(tc[i].mac, want, sizeof(want));
		crypto_auth_hmacsha512_init(&st, key, klen);
		crypto_auth_hmacsha512_update(&st, data, dlen);
		crypto_auth_hmacsha512_final(&st, got);
		OK(!memcmp(got, want, 64), "HMAC-SHA512 RFC 4231 case %s",
		   tc[i].name);
	}
}

static void test_hkdf(void)
{
	struct vec *vs;
	size_t n, i, found = 0;

	vs = vec_load(&n);
	for (i = 0; i < n; i++) {
		uint8_t ikm[128], salt[128], info[128], prk[64], okm[128];
		uint8_t want_prk[64], want_okm[128], ref[128];
		size_t il, sl, nl, l;
		const struct vec *v = &vs[i];

		if (strcmp(v->kind, "hkdf-sha512"))
			continue;
		found++;
		il = vec_hex(v, "ikm", ikm, sizeof(ikm));
		sl = vec_hex(v, "salt", salt, sizeof(salt));
		nl = vec_hex(v, "info", info, sizeof(info));
		l = vec_u64(v, "length");
		vec_hex(v, "prk", want_prk, sizeof(want_prk));
		vec_hex(v, "okm", want_okm, sizeof(want_okm));
		sdrp_hkdf_extract(prk, salt, sl, ikm, il);
		OK(!memcmp(prk, want_prk, 64), "HKDF-SHA512 %s: PRK (libsdrp)",
		   v->name);
		OK(!sdrp_hkdf_expand(okm, l, prk, info, nl, NULL, 0) &&
		   !memcmp(okm, want_okm, l), "HKDF-SHA512 %s: OKM (libsdrp)",
		   v->name);
		/* An empty salt means HashLen zero bytes (RFC 5869 2.2). */
		OK(ref_hkdf_sha512(ref, 64, sl ? salt : (const uint8_t *)"", sl, ikm, il,
			     NULL, 0, REF_HKDF_EXTRACT) &&
		   !memcmp(ref, want_prk, 64), "HKDF-SHA512 %s: PRK (OpenSSL)",
		   v->name);
		OK(ref_hkdf_sha512(ref, l, sl ? salt : (const uint8_t *)"", sl, ikm, il,
			     info, nl, REF_HKDF_FULL) &&
		   !memcmp(ref, want_okm, l), "HKDF-SHA512 %s: OKM (OpenSSL)",
		   v->name);
		/* info split between label and context gives the same. */
		OK(!sdrp_hkdf_expand(okm, l, prk, info, nl / 2, info + nl / 2,
				     nl - nl / 2) &&
		   !memcmp(okm, want_okm, l), "HKDF-SHA512 %s: info = label || ctx",
		   v->name);
	}
	IS(found, 3, "HKDF-SHA512: three vectors in the file");
	{
		uint8_t prk[64] = { 0 }, out[8];

		IS(sdrp_hkdf_expand(out, 0, prk, NULL, 0, NULL, 0), -EINVAL,
		   "HKDF: zero length refused");
		IS(sdrp_hkdf_expand(out, 255 * 64 + 1, prk, NULL, 0, NULL, 0),
		   -EINVAL, "HKDF: more than 255 blocks refused");
	}
	vec_free(vs, n);
}

static void test_x25519(void)
{
	uint8_t k[32], u[32], want[32], out[32], a[32], b[32], pa[32], pb[32];
	uint8_t ab[32], ba[32], zero[32] = { 0 };

	unhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
	      k, 32);
	unhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
	      u, 32);
	unhex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
	      want, 32);
	OK(!sdrp_x25519(out, k, u) && !memcmp(out, want, 32),
	   "X25519 RFC 7748 5.2 vector 1");
	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	      a, 32);
	unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	      b, 32);
	unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	      want, 32);
	OK(!sdrp_x25519_public(pa, a) && !memcmp(pa, want, 32),
	   "X25519 RFC 7748 6.1: Alice's public key");
	unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	      want, 32);
	OK(!sdrp_x25519_public(pb, b) && !memcmp(pb, want, 32),
	   "X25519 RFC 7748 6.1: Bob's public key");
	unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
	      want, 32);
	OK(!sdrp_x25519(ab, a, pb) && !sdrp_x25519(ba, b, pa) &&
	   !memcmp(ab, want, 32) && !memcmp(ba, want, 32),
	   "X25519 RFC 7748 6.1: shared secret");
	IS(sdrp_x25519(out, a, zero), -EKEYREJECTED,
	   "X25519: the all-zero result of a low-order point is refused");
	OK(sodium_is_zero(out, 32), "X25519: refused output is wiped");
	OK(!sdrp_x25519_keypair(a, pa) && !sdrp_x25519_public(pb, a) &&
	   !memcmp(pa, pb, 32), "X25519: keypair's public key matches");
}

static void test_gcm(void)
{
	uint8_t key[32] = { 0 }, nonce[12] = { 0 }, pt[16] = { 0 };
	uint8_t ct[16], tag[16], want_ct[16], want_tag[16];
	crypto_aead_aes256gcm_state st;

	OK(crypto_aead_aes256gcm_is_available(), "AES-256-GCM available");
	crypto_aead_aes256gcm_beforenm(&st, key);
	unhex("530f8afbc74536b9a963b4f1c4cb738b", want_tag, 16);
	crypto_aead_aes256gcm_encrypt_detached_afternm(ct, tag, NULL, pt, 0,
						       NULL, 0, NULL, nonce, &st);
	OK(!memcmp(tag, want_tag, 16), "AES-256-GCM test case 13 (empty)");
	unhex("cea7403d4d606b6e074ec5d3baf39d18", want_ct, 16);
	unhex("d0d1c8a799996bf0265b98b5d48ab919", want_tag, 16);
	crypto_aead_aes256gcm_encrypt_detached_afternm(ct, tag, NULL, pt, 16,
						       NULL, 0, NULL, nonce, &st);
	OK(!memcmp(ct, want_ct, 16) && !memcmp(tag, want_tag, 16),
	   "AES-256-GCM test case 14");
	/* In place, as record.c uses it. */
	memcpy(ct, pt, 16);
	crypto_aead_aes256gcm_encrypt_detached_afternm(ct, tag, NULL, ct, 16,
						       NULL, 0, NULL, nonce, &st);
	OK(!memcmp(ct, want_ct, 16) && !memcmp(tag, want_tag, 16),
	   "AES-256-GCM in place encrypts the same");
	OK(!crypto_aead_aes256gcm_decrypt_detached_afternm(ct, NULL, ct, 16, tag,
							   NULL, 0, nonce, &st) &&
	   sodium_is_zero(ct, 16), "AES-256-GCM in place decrypts");
}

static void test_pss(void)
{
	struct sdrp_privkey *k;
	struct sdrp_cert *cert;
	uint8_t digest[64], sig[512], sig2[512];
	const char *msg = "message signed with RSA-PSS-SHA512";
	EVP_PKEY_CTX *pctx;
	EVP_MD_CTX *md;
	EVP_PKEY *pkey;
	ssize_t len;
	size_t len2 = sizeof(sig2);
	int ok;
	BIO *bio;

	if (sdrp_privkey_from_pem(test_key_client_pem,
				  strlen(test_key_client_pem), &k))
		tap_bail("cannot load key");
	cert = test_cert("pss.example", k, "pss.example", k, 0, UINT32_MAX);
	bio = BIO_new_mem_buf(test_key_client_pem, -1);
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);

	crypto_hash_sha512(digest, (const uint8_t *)msg, strlen(msg));
	len = sdrp_pss_sign(k, digest, NULL, sig, sizeof(sig));
	IS(len, 256, "PSS: signature is the modulus size");
	md = EVP_MD_CTX_new();
	ok = EVP_DigestVerifyInit(md, &pctx, EVP_sha512(), NULL, pkey) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 64) > 0 &&
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha512()) > 0 &&
	     EVP_DigestVerify(md, sig, (size_t)len, (const uint8_t *)msg,
			      strlen(msg)) == 1;
	OK(ok, "PSS: libsdrp's signature verifies with OpenSSL (salt 64)");
	EVP_MD_CTX_free(md);

	md = EVP_MD_CTX_new();
	ok = EVP_DigestSignInit(md, &pctx, EVP_sha512(), NULL, pkey) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 64) > 0 &&
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha512()) > 0 &&
	     EVP_DigestSign(md, sig2, &len2, (const uint8_t *)msg,
			    strlen(msg)) == 1;
	EVP_MD_CTX_free(md);
	OK(ok && !sdrp_cert_verify_digest(cert, digest, sig2, len2),
	   "PSS: OpenSSL's signature verifies with libsdrp");
	sig[10] ^= 1;
	IS(sdrp_cert_verify_digest(cert, digest, sig, (size_t)len), -EBADMSG,
	   "PSS: tampered signature refused");
	sig[10] ^= 1;
	digest[0] ^= 1;
	IS(sdrp_cert_verify_digest(cert, digest, sig, (size_t)len), -EBADMSG,
	   "PSS: other digest refused");
	digest[0] ^= 1;
	IS(sdrp_cert_verify_digest(cert, digest, sig, (size_t)len - 1), -EBADMSG,
	   "PSS: short signature refused");
	{
		uint8_t salt[64] = { 1 };
		ssize_t a = sdrp_pss_sign(k, digest, salt, sig, sizeof(sig));
		ssize_t b = sdrp_pss_sign(k, digest, salt, sig2, sizeof(sig2));

		OK(a == 256 && b == 256 && !memcmp(sig, sig2, 256) &&
		   !sdrp_cert_verify_digest(cert, digest, sig, 256),
		   "PSS: a fixed salt gives a fixed, valid signature");
		b = sdrp_pss_sign(k, digest, NULL, sig2, sizeof(sig2));
		OK(b == 256 && memcmp(sig, sig2, 256),
		   "PSS: random salts give different signatures");
	}
	IS(sdrp_pss_sign(k, digest, NULL, sig, 255), -ENOBUFS,
	   "PSS: short output buffer refused");
	EVP_PKEY_free(pkey);
	sdrp_cert_free(cert);
	sdrp_privkey_free(k);
}

static void test_misc(void)
{
	uint8_t a[64], b[64];
	uint64_t n;
	int i, zero = 0;

	memset(a, 7, sizeof(a));
	memcpy(b, a, sizeof(b));
	OK(sdrp_memeq(a, b, 64), "memeq: equal");
	b[63] ^= 0x80;
	OK(!sdrp_memeq(a, b, 64), "memeq: last bit differs");
	sdrp_wipe(a, sizeof(a));
	OK(sodium_is_zero(a, sizeof(a)), "wipe: zeroed");
	for (i = 0; i < 1000; i++) {
		n = sdrp_random_nonce();
		zero |= !n;
	}
	OK(!zero, "random nonce: never 0");
	OK(sdrp_random_seq() != sdrp_random_seq() ||
	   sdrp_random_seq() != sdrp_random_seq(), "random seq: varies");
	n = sdrp_now_ms();
	OK(n > 1700000000000ULL && n < 4102444800000ULL,
	   "now_ms: milliseconds since the Unix epoch");
}

int main(void)
{
	if (sdrp_init())
		tap_bail("sdrp_init failed");
	test_hmac();
	test_hkdf();
	test_x25519();
	test_gcm();
	test_pss();
	test_misc();
	return tap_done();
}
