// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Fuzz the record unprotect path with the keys of the record vectors.
 * Input: selector (1 byte) | rest.  Selector bit 0 picks the mode, the
 * other bits the record vector whose keys, epoch and counter are used.
 *   mode 0: rest is a whole record, opened as received;
 *   mode 1: rest is type (1) | flags (1) | inner: an authentic record is
 *           built around it (header, GCM, HMAC) and opened, which takes
 *           arbitrary inner plaintexts past the MAC to the inner decoder.
 */
#include "fuzz.h"
#include "internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_load_vectors();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdrp_cipher *c;
	struct sdrp_msg m;
	enum sdrp_err err;
	uint8_t *rec;
	size_t len;
	int rc;

	if (size < 1)
		return 0;
	c = fuzz_cipher(data[0] >> 1);
	if (!(data[0] & 1)) {
		len = size - 1;
		rec = malloc(len ? len : 1);
		memcpy(rec, data + 1, len);
	} else {
		size_t inner_len;
		int clear = sdrp_cipher_is_clear(c);

		if (size < 3) {
			sdrp_cipher_free(c);
			return 0;
		}
		inner_len = size - 3;
		len = SDRP_HDR_LEN + inner_len + (clear ? 0 : SDRP_GCM_TAG_LEN) +
		      SDRP_MAC_LEN;
		rec = malloc(len);
		sdrp_hdr_build((struct sdrp_hdr *)rec, data[1], data[2],
			       sdrp_cipher_epoch(c),
			       sdrp_record_body_len((uint32_t)inner_len, !clear));
		memcpy(rec + SDRP_HDR_LEN, data + 3, inner_len);
		{
			uint64_t ctr = sdrp_cipher_counter(c);

			FUZZ_CHECK(sdrpi_seal_raw(c, rec, inner_len) == len);
			sdrp_cipher_set_counter(c, ctr);
		}
	}
	rc = sdrp_record_open(c, rec, len, &m, &err);
	if (!rc) {
		FUZZ_CHECK(err == SDRP_ERR_NONE && sdrp_type_valid(m.type));
		FUZZ_CHECK(!m.data_len || (m.data > rec &&
					   m.data + m.data_len <= rec + len));
	} else {
		FUZZ_CHECK(err != SDRP_ERR_NONE);
		/* An authentic record can only fail on its layout. */
		if (data[0] & 1)
			FUZZ_CHECK(err != SDRP_ERR_BAD_MAC &&
				   err != SDRP_ERR_BAD_TAG);
	}
	free(rec);
	sdrp_cipher_free(c);
	return 0;
}
