// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test at module load (module parameter selftest=1): the key schedule
 * and record protection against libsdrp's test vectors, through the same
 * functions the data path uses.  The tables are generated at build time
 * from userspace/lib/tests/vectors.txt by gen_vectors.
 */
#include <crypto/curve25519.h>
#include <linux/printk.h>
#include <linux/slab.h>

#include "sdrp.h"

enum sdrp_vec_kind {
	SDRP_VEC_HKDF,
	SDRP_VEC_REKEY,
	SDRP_VEC_RECORD,
};

/* One vector; fields unused by its kind are NULL. */
struct sdrp_vec {
	enum sdrp_vec_kind kind;
	const char *name;
	u64 counter;
	/* HKDF-SHA512 */
	const u8 *ikm;
	size_t ikm_len;
	const u8 *salt;
	size_t salt_len;
	const u8 *info;
	size_t info_len;
	const u8 *prk;
	size_t prk_len;
	const u8 *okm;
	size_t okm_len;
	/* rekey: one epoch's key schedule */
	const u8 *ck;
	size_t ck_len;
	const u8 *server_sk;
	size_t server_sk_len;
	const u8 *server_pk;
	size_t server_pk_len;
	const u8 *client_sk;
	size_t client_sk_len;
	const u8 *client_pk;
	size_t client_pk_len;
	const u8 *hello;
	size_t hello_len;
	const u8 *hello_ack;
	size_t hello_ack_len;
	const u8 *dh;
	size_t dh_len;
	const u8 *th;
	size_t th_len;
	const u8 *c2s_key;
	size_t c2s_key_len;
	const u8 *c2s_iv;
	size_t c2s_iv_len;
	const u8 *c2s_mac;
	size_t c2s_mac_len;
	const u8 *s2c_key;
	size_t s2c_key_len;
	const u8 *s2c_iv;
	size_t s2c_iv_len;
	const u8 *s2c_mac;
	size_t s2c_mac_len;
	const u8 *next_ck;
	size_t next_ck_len;
	/* protected record */
	const u8 *key;
	size_t key_len;
	const u8 *iv;
	size_t iv_len;
	const u8 *mac;
	size_t mac_len;
	const u8 *inner;
	size_t inner_len;
	const u8 *record;
	size_t record_len;
};

#include "sdrp_vectors.h"

static bool same(const u8 *got, const u8 *want, size_t want_len,
		 size_t got_len)
{
	return got_len == want_len && !memcmp(got, want, want_len);
}

static int test_hkdf(const struct sdrp_vec *v)
{
	u8 prk[SDRP_HASH_LEN], *okm;
	int err;

	okm = kmalloc(v->okm_len, GFP_KERNEL);
	if (!okm)
		return -ENOMEM;
	err = sdrp_hkdf_extract(v->salt, v->salt_len, v->ikm, v->ikm_len,
				prk) ?:
	      sdrp_hkdf_expand(prk, "", v->info, v->info_len, okm,
			       v->okm_len);
	if (!err && (!same(prk, v->prk, v->prk_len, sizeof(prk)) ||
		     memcmp(okm, v->okm, v->okm_len)))
		err = -EBADMSG;
	kfree(okm);
	return err;
}

static bool dir_keys_equal(const struct sdrp_dir_keys *k, const u8 *key,
			   const u8 *iv, const u8 *mac)
{
	return !memcmp(k->key, key, sizeof(k->key)) &&
	       !memcmp(k->iv, iv, sizeof(k->iv)) &&
	       !memcmp(k->mac, mac, sizeof(k->mac));
}

static int test_rekey(const struct sdrp_vec *v)
{
	u8 dh_c[SDRP_X25519_LEN], dh_s[SDRP_X25519_LEN], th[SDRP_HASH_LEN];
	struct sdrp_keys *keys;
	int err;

	if (v->ck_len != SDRP_CHAIN_KEY_LEN || v->dh_len != SDRP_X25519_LEN ||
	    v->server_pk_len != SDRP_X25519_LEN ||
	    v->client_pk_len != SDRP_X25519_LEN)
		return -EINVAL;
	/* Both sides' X25519 must agree with the vector's shared secret. */
	if (!curve25519(dh_c, v->client_sk, v->server_pk) ||
	    !curve25519(dh_s, v->server_sk, v->client_pk) ||
	    memcmp(dh_c, v->dh, sizeof(dh_c)) ||
	    memcmp(dh_s, v->dh, sizeof(dh_s)))
		return -EBADMSG;
	err = sdrp_sha512(v->hello, v->hello_len, v->hello_ack,
			  v->hello_ack_len, th);
	if (err)
		return err;
	if (!same(th, v->th, v->th_len, sizeof(th)))
		return -EBADMSG;

	keys = kzalloc(sizeof(*keys), GFP_KERNEL);
	if (!keys)
		return -ENOMEM;
	err = sdrp_derive_epoch(v->ck, dh_c, th, keys);
	if (!err &&
	    (!dir_keys_equal(&keys->c2s, v->c2s_key, v->c2s_iv, v->c2s_mac) ||
	     !dir_keys_equal(&keys->s2c, v->s2c_key, v->s2c_iv, v->s2c_mac) ||
	     !same(keys->chain_key, v->next_ck, v->next_ck_len,
		   sizeof(keys->chain_key))))
		err = -EBADMSG;
	kfree_sensitive(keys);
	return err;
}

/*
 * Seal the vector's inner plaintext under its keys and counter and compare
 * the record byte for byte; then open the expected record and compare the
 * inner plaintext.
 */
static int test_record(struct sdrp_epoch *ep, const struct sdrp_vec *v)
{
	struct sdrp_dir_keys *dk;
	struct sdrp_keys *keys;
	u8 *rec;
	int err;

	if (v->record_len != SDRP_HDR_LEN + v->inner_len + SDRP_GCM_TAG_LEN +
			     SDRP_MAC_LEN ||
	    v->key_len != SDRP_AES_KEY_LEN || v->iv_len != SDRP_IV_LEN ||
	    v->mac_len != SDRP_MAC_KEY_LEN)
		return -EINVAL;
	keys = kzalloc(sizeof(*keys), GFP_KERNEL);
	rec = kmalloc(v->record_len, GFP_KERNEL);
	if (!keys || !rec) {
		err = -ENOMEM;
		goto out;
	}
	/* A client's transmit direction is c2s: use it for either. */
	dk = &keys->c2s;
	memcpy(dk->key, v->key, sizeof(dk->key));
	memcpy(dk->iv, v->iv, sizeof(dk->iv));
	memcpy(dk->mac, v->mac, sizeof(dk->mac));
	keys->c2s_counter = v->counter;
	keys->s2c = keys->c2s;
	keys->s2c_counter = v->counter;
	err = sdrp_epoch_set_keys(ep, SDRP_ROLE_CLIENT, keys);
	if (err)
		goto out;

	memcpy(rec, v->record, SDRP_HDR_LEN);
	memcpy(rec + SDRP_HDR_LEN, v->inner, v->inner_len);
	err = sdrp_seal(&ep->tx, rec, v->inner_len);
	if (err)
		goto out;
	if (memcmp(rec, v->record, v->record_len)) {
		err = -EBADMSG;
		goto out;
	}

	memcpy(rec, v->record, v->record_len);
	err = sdrp_open(&ep->rx, rec, v->record_len);
	if (!err && memcmp(rec + SDRP_HDR_LEN, v->inner, v->inner_len))
		err = -EBADMSG;
out:
	kfree_sensitive(keys);
	kfree(rec);
	return err;
}

int sdrp_selftest(void)
{
	struct sdrp_epoch *ep;
	unsigned int i;
	int err = 0;

	ep = sdrp_epoch_alloc();
	if (!ep)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(sdrp_vectors) && !err; i++) {
		const struct sdrp_vec *v = &sdrp_vectors[i];

		switch (v->kind) {
		case SDRP_VEC_HKDF:
			err = test_hkdf(v);
			break;
		case SDRP_VEC_REKEY:
			err = test_rekey(v);
			break;
		case SDRP_VEC_RECORD:
			err = test_record(ep, v);
			break;
		}
		if (err)
			pr_err("sdrp: self-test: vector %s failed: %d\n",
			       v->name, err);
	}
	sdrp_epoch_free(ep);
	if (!err)
		pr_info("sdrp: self-test: %u vectors passed\n", i);
	return err;
}
