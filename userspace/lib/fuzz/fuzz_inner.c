// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Fuzz the inner plaintext decoder.  Input: type (1 byte) | inner.  An
 * accepted inner must encode back to the same bytes.
 */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sdrp_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdrp_msg m;
	enum sdrp_err err;
	uint8_t *out;
	ssize_t n;

	if (!size)
		return 0;
	if (sdrp_inner_decode(data[0], data + 1, size - 1, &m, &err)) {
		FUZZ_CHECK(err != SDRP_ERR_NONE);
		return 0;
	}
	FUZZ_CHECK(!m.data_len || (m.data >= data + 1 &&
				   m.data + m.data_len == data + size));
	out = malloc(size);
	n = sdrp_inner_encode(&m, out, size - 1);
	FUZZ_CHECK(n == (ssize_t)(size - 1) && !memcmp(out, data + 1, size - 1));
	free(out);
	return 0;
}
