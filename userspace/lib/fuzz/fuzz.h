/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * Shared part of libsdrp's libFuzzer targets.  Each target fuzzes one
 * decoder; targets that need keys take them from the test vectors
 * ($SDRP_VECTORS, set by "make fuzz"), so that the seeds made from the
 * same file (fuzz/seed.sh) pass the MAC and reach the code behind it.
 * A target aborts (a finding) when a decoder accepts input that breaks
 * one of its documented properties.
 */
#ifndef _SDRP_FUZZ_H
#define _SDRP_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sdrp/sdrp.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: property failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/* The record vectors, in file order (seed.sh numbers them the same). */
struct fuzz_rec {
	int clear;
	uint32_t epoch;
	uint64_t counter;
	struct sdrp_dir_keys keys;
};

static struct vec *fuzz_vs;
static size_t fuzz_nvs;
static struct fuzz_rec *fuzz_recs;
static size_t fuzz_nrecs;

static inline void fuzz_load_vectors(void)
{
	size_t i;

	if (sdrp_init())
		abort();
	fuzz_vs = vec_load(&fuzz_nvs);
	fuzz_recs = calloc(fuzz_nvs, sizeof(*fuzz_recs));
	for (i = 0; i < fuzz_nvs; i++) {
		const struct vec *v = &fuzz_vs[i];
		struct fuzz_rec *r;

		if (strcmp(v->kind, "record"))
			continue;
		r = &fuzz_recs[fuzz_nrecs++];
		r->clear = (int)vec_u64(v, "clear");
		r->epoch = (uint32_t)vec_u64(v, "epoch");
		r->counter = vec_u64(v, "counter");
		vec_hex(v, "mac_key", r->keys.mac, sizeof(r->keys.mac));
		if (!r->clear) {
			vec_hex(v, "enc_key", r->keys.key, sizeof(r->keys.key));
			vec_hex(v, "iv", r->keys.iv, sizeof(r->keys.iv));
		}
	}
	if (!fuzz_nrecs)
		abort();
}

/* A cipher with the keys, epoch and counter of record vector @i. */
static inline struct sdrp_cipher *fuzz_cipher(size_t i)
{
	const struct fuzz_rec *r = &fuzz_recs[i % fuzz_nrecs];
	struct sdrp_cipher *c;
	int rc = r->clear ? sdrp_cipher_new_clear(&c, r->keys.mac, r->counter) :
			    sdrp_cipher_new(&c, &r->keys, r->epoch, r->counter);

	if (rc)
		abort();
	return c;
}

#endif /* _SDRP_FUZZ_H */
