// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Record protection cost: libsdrp's sdrp_record_seal() + sdrp_record_open()
 * of one DATA RESPONSE against the bare libsodium calls over the same
 * bytes in the same run:
 *
 *   bare        AES-256-GCM with the expanded key (..._afternm) and
 *               HMAC-SHA512 from a keyed state, encrypt-then-MAC, then
 *               verify-then-decrypt: the least any implementation of the
 *               record format must do;
 *   one-shot    the same with crypto_aead_aes256gcm_encrypt_detached()
 *               and crypto_auth_hmacsha512(), which expand the keys on
 *               every call.
 *
 * The library copies the data into the record (as a caller with its own
 * buffer would), the bare calls encrypt from the plaintext buffer.  Each
 * figure is the best of several interleaved trials, measured in thread
 * CPU time (the machine is shared), in nanoseconds per record (protect +
 * unprotect).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <sdrp/sdrp.h>

#define TRIALS	31

static double now_ns(void)
{
	struct timespec ts;

	/* CPU time of this thread: time slices lost to other processes on a
	 * shared machine do not count. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct ctx {
	size_t size;
	uint8_t *data, *rec, *pt;
	struct sdrp_keys keys;
	struct sdrp_cipher *tx, *rx;
	crypto_aead_aes256gcm_state gcm;
	crypto_auth_hmacsha512_state mac;
	uint64_t counter;
};

static void run_lib(struct ctx *c, long iters)
{
	struct sdrp_msg m = {
		.type = SDRP_MSG_DATA_RESPONSE, .seq = 1, .ttl = 2,
		.data = c->data, .data_len = c->size,
	}, d;
	size_t cap = sdrp_msg_record_len(&m, 0);
	long i;

	for (i = 0; i < iters; i++) {
		ssize_t len = sdrp_record_seal(c->tx, &m, c->rec, cap);

		if (len < 0 || sdrp_record_open(c->rx, c->rec, (size_t)len, &d, NULL))
			abort();
	}
}

/* Header | ciphertext | tag | MAC, with bare calls. */
static void run_bare(struct ctx *c, long iters, int one_shot)
{
	size_t inner = 16 + c->size, body = inner + 16;
	uint8_t *ct = c->rec + 12, *tag = ct + inner, *mac = tag + 16;
	uint8_t nonce[12], ctr[8], want[64];
	long i;

	memset(c->rec, 0, 12);
	for (i = 0; i < iters; i++) {
		crypto_auth_hmacsha512_state st;

		sdrp_gcm_nonce(nonce, c->keys.s2c.iv, c->counter);
		sdrp_put_be64(ctr, c->counter++);
		/* protect */
		if (one_shot) {
			crypto_aead_aes256gcm_encrypt_detached(ct, tag, NULL, c->pt,
				inner, c->rec, 12, NULL, nonce, c->keys.s2c.key);
			crypto_auth_hmacsha512_init(&st, c->keys.s2c.mac, 64);
		} else {
			crypto_aead_aes256gcm_encrypt_detached_afternm(ct, tag,
				NULL, c->pt, inner, c->rec, 12, NULL, nonce,
				&c->gcm);
			st = c->mac;
		}
		crypto_auth_hmacsha512_update(&st, ctr, 8);
		crypto_auth_hmacsha512_update(&st, c->rec, 12 + body);
		crypto_auth_hmacsha512_final(&st, mac);
		/* unprotect */
		if (one_shot)
			crypto_auth_hmacsha512_init(&st, c->keys.s2c.mac, 64);
		else
			st = c->mac;
		crypto_auth_hmacsha512_update(&st, ctr, 8);
		crypto_auth_hmacsha512_update(&st, c->rec, 12 + body);
		crypto_auth_hmacsha512_final(&st, want);
		if (crypto_verify_64(want, mac))
			abort();
		if (one_shot ?
		    crypto_aead_aes256gcm_decrypt_detached(ct, NULL, ct, inner,
			tag, c->rec, 12, nonce, c->keys.s2c.key) :
		    crypto_aead_aes256gcm_decrypt_detached_afternm(ct, NULL, ct,
			inner, tag, c->rec, 12, nonce, &c->gcm))
			abort();
	}
}

enum { LIB, BARE, ONE_SHOT, KINDS };

static double measure(struct ctx *c, int kind, long iters)
{
	double t0 = now_ns();

	if (kind == LIB)
		run_lib(c, iters);
	else
		run_bare(c, iters, kind == ONE_SHOT);
	return (now_ns() - t0) / (double)iters;
}

int main(void)
{
	static const size_t sizes[] = { 64, 1024, 16384, 65536 };
	size_t s;
	int worst_ok = 1;

	if (sdrp_init()) {
		fprintf(stderr, "bench: AES-256-GCM not available\n");
		return 1;
	}
	printf("# sdrp record protect + unprotect, CPU ns per record "
	       "(best of %d)\n", TRIALS);
	printf("# bare: GCM afternm + keyed HMAC state; one-shot: keys expanded "
	       "per call\n");
	printf("%8s %12s %12s %8s %12s %8s %10s\n", "bytes", "libsdrp", "bare",
	       "ratio", "one-shot", "ratio", "MB/s");
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct ctx c = { .size = sizes[s] };
		double best[KINDS] = { 1e30, 1e30, 1e30 }, t;
		long iters = (long)(TRIALS * 2 * 1024 * 1024 / (sizes[s] + 256));
		int k, trial;

		c.data = malloc(c.size);
		c.pt = calloc(1, c.size + 16);
		c.rec = malloc(c.size + 256);
		randombytes_buf(c.data, c.size);
		memcpy(c.pt + 16, c.data, c.size);
		randombytes_buf(&c.keys, sizeof(c.keys));
		if (sdrp_cipher_new(&c.tx, &c.keys.s2c, 0, 0) ||
		    sdrp_cipher_new(&c.rx, &c.keys.s2c, 0, 0))
			return 1;
		crypto_aead_aes256gcm_beforenm(&c.gcm, c.keys.s2c.key);
		crypto_auth_hmacsha512_init(&c.mac, c.keys.s2c.mac, 64);
		for (k = 0; k < KINDS; k++)	/* warm up */
			measure(&c, k, iters / 10 + 1);
		for (trial = 0; trial < TRIALS; trial++)
			for (k = 0; k < KINDS; k++) {
				t = measure(&c, k, iters / TRIALS + 1);
				if (t < best[k])
					best[k] = t;
			}
		printf("%8zu %12.0f %12.0f %8.3f %12.0f %8.3f %10.1f\n", c.size,
		       best[LIB], best[BARE], best[LIB] / best[BARE],
		       best[ONE_SHOT], best[LIB] / best[ONE_SHOT],
		       (double)c.size / best[LIB] * 1e3);
		if (c.size >= 1024 && best[LIB] / best[BARE] > 1.10)
			worst_ok = 0;
		sdrp_cipher_free(c.tx);
		sdrp_cipher_free(c.rx);
		sodium_memzero(&c.keys, sizeof(c.keys));
		free(c.data);
		free(c.pt);
		free(c.rec);
	}
	printf("# target (ratio to bare <= 1.10 from 1 KiB up): %s\n",
	       worst_ok ? "met" : "NOT met");
	return 0;
}
