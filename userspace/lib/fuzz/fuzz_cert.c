// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Fuzz the certificate parser.  An accepted certificate must survive
 * the text armour unchanged, and verifying it against the vectors' CA
 * must end in a defined result.
 */
#include "fuzz.h"

static struct sdrp_cert *ca;
static uint64_t now_s;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const struct vec *v;
	uint8_t *raw;
	size_t len;

	(void)argc;
	(void)argv;
	fuzz_load_vectors();
	v = vec_find(fuzz_vs, fuzz_nvs, "certificate", "ca");
	raw = vec_hex_alloc(v, "cert", &len);
	if (sdrp_cert_parse(raw, len, &ca, NULL))
		abort();
	free(raw);
	now_s = vec_u64(vec_find(fuzz_vs, fuzz_nvs, "handshake", "initial"),
			"now_ms") / 1000;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdrp_cert *c, *back;
	enum sdrp_err err;
	char *text;
	size_t len;
	int rc;

	if (sdrp_cert_parse(data, size, &c, &err)) {
		FUZZ_CHECK(err != SDRP_ERR_NONE);
		return 0;
	}
	FUZZ_CHECK(c->raw_len == size && !memcmp(c->raw, data, size));
	FUZZ_CHECK(sdrp_identity_valid(c->subject) &&
		   sdrp_identity_valid(c->issuer));
	FUZZ_CHECK(c->not_before <= c->not_after);
	FUZZ_CHECK(!sdrp_cert_armor(c, &text, &len));
	FUZZ_CHECK(!sdrp_cert_dearmor(text, len, &back, &err));
	FUZZ_CHECK(back->raw_len == size && !memcmp(back->raw, data, size));
	rc = sdrp_cert_verify(c, ca, NULL, now_s, &err);
	FUZZ_CHECK(rc == 0 || rc == -EKEYREJECTED || rc == -EKEYEXPIRED);
	free(text);
	sdrp_cert_free(back);
	sdrp_cert_free(c);
	return 0;
}
