// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/* Fuzz the initial HELLO / HELLO ACK payload decoder. */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sdrp_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdrp_hello_payload p;
	enum sdrp_err err;

	if (sdrp_hello_payload_decode(data, size, &p, &err)) {
		FUZZ_CHECK(err != SDRP_ERR_NONE);
		return 0;
	}
	/* The parts tile the payload exactly. */
	FUZZ_CHECK(p.x25519_pub == data && p.rekey_interval);
	FUZZ_CHECK(p.cert == data + 38 && p.cert_len);
	FUZZ_CHECK(p.signed_len == 38 + p.cert_len + 2);
	FUZZ_CHECK(p.sig == data + p.signed_len && p.sig_len);
	FUZZ_CHECK(p.signed_len + p.sig_len == size);
	return 0;
}
