// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Fuzz the server side of the initial handshake behind the HELLO MAC:
 * input is the inner plaintext of a HELLO (seq | ttl | payload); the
 * target adds the header and the MAC under the vectors' s0, so payload,
 * certificate and signature checks all see fuzzed bytes.
 */
#include <sodium.h>

#include "fuzz.h"
#include "keys.h"

static struct sdrp_privkey *server_key;
static struct sdrp_cert *ca, *server_cert;
static struct sdrp_psk psk;
static const char *const allowed[] = { "client.example" };
static uint8_t hello_mac[64];
static uint64_t now_ms;

static struct sdrp_cert *cert(const char *name)
{
	const struct vec *v = vec_find(fuzz_vs, fuzz_nvs, "certificate", name);
	struct sdrp_cert *c;
	uint8_t *raw;
	size_t len;

	raw = vec_hex_alloc(v, "cert", &len);
	if (sdrp_cert_parse(raw, len, &c, NULL))
		abort();
	free(raw);
	return c;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const struct vec *v;
	struct sdrp_s0_keys k;

	(void)argc;
	(void)argv;
	fuzz_load_vectors();
	if (sdrp_privkey_from_pem(test_key_server_pem,
				  strlen(test_key_server_pem), &server_key))
		abort();
	ca = cert("ca");
	server_cert = cert("server");
	v = vec_find(fuzz_vs, fuzz_nvs, "s0-keys", "s0");
	vec_hex(v, "s0", psk.s0, sizeof(psk.s0));
	psk.identities = allowed;
	psk.n_identities = 1;
	sdrp_kdf_s0(&k, psk.s0);
	memcpy(hello_mac, k.c2s_hello_mac, 64);
	now_ms = vec_u64(vec_find(fuzz_vs, fuzz_nvs, "handshake", "initial"),
			 "now_ms");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t ack[16384];
	struct sdrp_hs_config cfg = {
		.role = SDRP_ROLE_SERVER, .key = server_key,
		.cert = server_cert, .ca = ca, .psks = &psk, .n_psks = 1,
	};
	crypto_auth_hmacsha512_state st;
	struct sdrp_hs_result res;
	struct sdrp_hs *hs;
	uint8_t ctr[8] = { 0 }, *rec;
	size_t len = SDRP_HDR_LEN + size + SDRP_MAC_LEN;
	enum sdrp_err err;
	ssize_t rc;

	if (size > SDRP_MAX_INNER)
		return 0;
	rec = malloc(len);
	sdrp_hdr_build((struct sdrp_hdr *)rec, SDRP_MSG_HELLO, SDRP_HDR_F_CLEAR,
		       0, (uint32_t)(size + SDRP_MAC_LEN));
	memcpy(rec + SDRP_HDR_LEN, data, size);
	crypto_auth_hmacsha512_init(&st, hello_mac, 64);
	crypto_auth_hmacsha512_update(&st, ctr, 8);
	crypto_auth_hmacsha512_update(&st, rec, SDRP_HDR_LEN + size);
	crypto_auth_hmacsha512_final(&st, rec + SDRP_HDR_LEN + size);
	if (sdrp_hs_new(&hs, &cfg))
		abort();
	rc = sdrp_hs_server_hello(hs, rec, len, now_ms, ack, sizeof(ack), &res,
				  &err);
	FUZZ_CHECK(rc < 0 ? err != SDRP_ERR_NONE && err != SDRP_ERR_BAD_MAC :
		   err == SDRP_ERR_NONE && (size_t)rc <= sizeof(ack));
	sdrp_hs_free(hs);
	free(rec);
	return 0;
}
