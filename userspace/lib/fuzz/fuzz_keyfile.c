// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Fuzz the parsers of key material files: s0 text and public keys (PEM
 * or an armoured certificate).  Input: selector (1 byte) | text.
 */
#include <sodium.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sdrp_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;
	struct sdrp_pubkey *pub;
	uint8_t s0[SDRP_S0_LEN];
	char hex[2 * SDRP_S0_LEN + 1];

	if (!size)
		return 0;
	if (data[0] & 1) {
		if (!sdrp_pubkey_from_pem(text, size - 1, &pub)) {
			unsigned int bits = sdrp_pubkey_bits(pub);

			FUZZ_CHECK(bits >= SDRP_RSA_MIN_BITS &&
				   bits <= SDRP_RSA_MAX_BITS);
			sdrp_pubkey_free(pub);
		}
		return 0;
	}
	if (sdrp_s0_parse(text, size - 1, s0))
		return 0;
	/* Accepted: exactly 64 hex digits (and a newline) that encode s0. */
	FUZZ_CHECK(size - 1 == 64 || (size - 1 == 65 && text[64] == '\n'));
	sodium_bin2hex(hex, sizeof(hex), s0, sizeof(s0));
	FUZZ_CHECK(!strncasecmp(hex, text, 64));
	return 0;
}
