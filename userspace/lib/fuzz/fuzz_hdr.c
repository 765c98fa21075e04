// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/* Fuzz the record header decoder. */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sdrp_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdrp_rec_hdr h;
	enum sdrp_err err;

	if (!sdrp_rec_hdr_decode(data, size, &h, &err)) {
		/* An accepted header describes a record the protocol allows. */
		FUZZ_CHECK(size >= SDRP_HDR_LEN && err == SDRP_ERR_NONE);
		FUZZ_CHECK(h.length <= SDRP_MAX_RECORD_BODY);
		FUZZ_CHECK(sdrp_type_valid(h.type));
		FUZZ_CHECK(!(h.flags & SDRP_HDR_F_CLEAR) ||
			   sdrp_type_may_be_clear(h.type));
	} else {
		FUZZ_CHECK(err != SDRP_ERR_NONE);
	}
	return 0;
}
