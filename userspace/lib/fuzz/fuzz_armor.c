// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/* Fuzz the certificate text armour decoder. */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sdrp_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdrp_cert *c;
	enum sdrp_err err;

	if (sdrp_cert_dearmor((const char *)data, size, &c, &err)) {
		FUZZ_CHECK(err != SDRP_ERR_NONE);
		return 0;
	}
	FUZZ_CHECK(c->raw_len <= SDRP_CERT_MAX_LEN);
	sdrp_cert_free(c);
	return 0;
}
