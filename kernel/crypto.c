// SPDX-License-Identifier: GPL-2.0
/*
 * Record protection and the key schedule, through the kernel crypto API.
 *
 * A protected record is encrypt-then-MAC:
 *
 *   body = AES-256-GCM(key, iv ^ counter, aad = header, inner) | tag
 *   mac  = HMAC-SHA512(mac key, counter | header | body)
 *
 * Each epoch owns its transforms, allocated before the epoch starts and
 * freed (with their key schedules wiped by the crypto core) when it ends,
 * so the record path never allocates a transform.  The key schedule
 * (HKDF-SHA512, RFC 5869) runs only at a rekey and shares one HMAC
 * transform under a mutex.
 */
#include <crypto/aead.h>
#include <crypto/hash.h>
#include <crypto/algapi.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "sdrp.h"

static struct crypto_shash *sdrp_kdf_tfm;	/* hmac(sha512), keyed per use */
static struct crypto_shash *sdrp_hash_tfm;	/* sha512, keyless */
static DEFINE_MUTEX(sdrp_kdf_lock);

/*
 * The first allocation of gcm(aes) instantiates its templates (with
 * AES-NI, a cryptd instance behind the SIMD wrapper), and each allocation
 * made before that instance exists runs modprobe twice, as a usermode
 * helper, looking for it.  Instantiate it once here, so that the first
 * burst of sessions after boot does not start a modprobe pair per session
 * and wait for all of them (a minute for 40 sessions on a slow machine,
 * before any record moves).
 */
static int sdrp_crypto_instantiate_gcm(void)
{
	struct crypto_aead *aead = crypto_alloc_aead("gcm(aes)", 0, 0);

	if (IS_ERR(aead))
		return PTR_ERR(aead);
	crypto_free_aead(aead);
	return 0;
}

int sdrp_crypto_init(void)
{
	int err;

	err = sdrp_crypto_instantiate_gcm();
	if (err)
		return err;
	sdrp_kdf_tfm = crypto_alloc_shash("hmac(sha512)", 0, 0);
	if (IS_ERR(sdrp_kdf_tfm))
		return PTR_ERR(sdrp_kdf_tfm);
	sdrp_hash_tfm = crypto_alloc_shash("sha512", 0, 0);
	if (IS_ERR(sdrp_hash_tfm)) {
		crypto_free_shash(sdrp_kdf_tfm);
		return PTR_ERR(sdrp_hash_tfm);
	}
	return 0;
}

void sdrp_crypto_exit(void)
{
	crypto_free_shash(sdrp_hash_tfm);
	crypto_free_shash(sdrp_kdf_tfm);
}

static void dir_crypto_free(struct sdrp_dir_crypto *dc)
{
	aead_request_free(dc->req);	/* NULL-safe, wiped */
	crypto_free_aead(dc->aead);	/* NULL-safe; wipes the key schedule */
	crypto_free_shash(dc->hmac);
	memzero_explicit(dc->iv, sizeof(dc->iv));
}

static int dir_crypto_alloc(struct sdrp_dir_crypto *dc)
{
	struct crypto_aead *aead;
	struct crypto_shash *hmac;
	int err;

	aead = crypto_alloc_aead("gcm(aes)", 0, 0);
	if (IS_ERR(aead))
		return PTR_ERR(aead);
	err = crypto_aead_setauthsize(aead, SDRP_GCM_TAG_LEN);
	if (err)
		goto err_aead;
	hmac = crypto_alloc_shash("hmac(sha512)", 0, 0);
	if (IS_ERR(hmac)) {
		err = PTR_ERR(hmac);
		goto err_aead;
	}
	dc->req = aead_request_alloc(aead, GFP_KERNEL);
	if (!dc->req) {
		crypto_free_shash(hmac);
		err = -ENOMEM;
		goto err_aead;
	}
	dc->aead = aead;
	dc->hmac = hmac;
	return 0;

err_aead:
	crypto_free_aead(aead);
	return err;
}

/* An epoch with its transforms allocated but no keys yet. */
struct sdrp_epoch *sdrp_epoch_alloc(void)
{
	struct sdrp_epoch *ep;

	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep)
		return NULL;
	if (dir_crypto_alloc(&ep->tx))
		goto err_free;
	if (dir_crypto_alloc(&ep->rx))
		goto err_tx;
	return ep;

err_tx:
	dir_crypto_free(&ep->tx);
err_free:
	kfree(ep);
	return NULL;
}

void sdrp_epoch_free(struct sdrp_epoch *ep)
{
	if (!ep)
		return;
	dir_crypto_free(&ep->tx);
	dir_crypto_free(&ep->rx);
	kfree_sensitive(ep);
}

static int dir_crypto_set(struct sdrp_dir_crypto *dc,
			  const struct sdrp_dir_keys *k, u64 counter)
{
	int err;

	err = crypto_aead_setkey(dc->aead, k->key, sizeof(k->key));
	if (err)
		return err;
	err = crypto_shash_setkey(dc->hmac, k->mac, sizeof(k->mac));
	if (err)
		return err;
	memcpy(dc->iv, k->iv, sizeof(dc->iv));
	dc->counter = counter;
	return 0;
}

/* Key @ep's transforms with @keys, oriented for a socket of @role. */
int sdrp_epoch_set_keys(struct sdrp_epoch *ep, u8 role,
			const struct sdrp_keys *keys)
{
	bool client = role == SDRP_ROLE_CLIENT;
	int err;

	err = dir_crypto_set(&ep->tx, client ? &keys->c2s : &keys->s2c,
			     client ? keys->c2s_counter : keys->s2c_counter);
	if (err)
		return err;
	err = dir_crypto_set(&ep->rx, client ? &keys->s2c : &keys->c2s,
			     client ? keys->s2c_counter : keys->c2s_counter);
	if (err)
		return err;
	ep->epoch = keys->epoch;
	memcpy(ep->chain_key, keys->chain_key, sizeof(ep->chain_key));
	return 0;
}

/*
 * Scatterlist over a kvmalloc'ed buffer: one entry for linear memory, one
 * per page for vmalloc memory.  Returns the list (@one if it sufficed) or
 * NULL on allocation failure; the caller frees it if it is not @one.
 */
static struct scatterlist *buf_sg(u8 *buf, u32 len, struct scatterlist *one)
{
	struct scatterlist *sg;
	unsigned int n, i;
	u32 off, chunk;

	if (!is_vmalloc_addr(buf)) {
		sg_init_one(one, buf, len);
		return one;
	}
	n = DIV_ROUND_UP(offset_in_page(buf) + len, PAGE_SIZE);
	sg = kmalloc_array(n, sizeof(*sg), GFP_KERNEL);
	if (!sg)
		return NULL;
	sg_init_table(sg, n);
	for (i = 0, off = 0; off < len; i++, off += chunk) {
		chunk = min_t(u32, len - off,
			      PAGE_SIZE - offset_in_page(buf + off));
		sg_set_page(&sg[i], vmalloc_to_page(buf + off), chunk,
			    offset_in_page(buf + off));
	}
	return sg;
}

/* HMAC-SHA512 over counter | the first @len bytes mapped by @sg. */
static int record_mac_sg(struct sdrp_dir_crypto *dc, struct scatterlist *sg,
			 unsigned int nents, u32 len, u8 out[SDRP_MAC_LEN])
{
	SHASH_DESC_ON_STACK(desc, dc->hmac);
	struct sg_mapping_iter miter;
	u8 prefix[SDRP_COUNTER_LEN];
	u32 n;
	int err;

	desc->tfm = dc->hmac;
	sdrp_mac_prefix(prefix, dc->counter);
	err = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, prefix, sizeof(prefix));
	sg_miter_start(&miter, sg, nents, SG_MITER_FROM_SG);
	while (!err && len && sg_miter_next(&miter)) {
		n = min_t(u32, miter.length, len);
		err = crypto_shash_update(desc, miter.addr, n);
		len -= n;
	}
	sg_miter_stop(&miter);
	if (!err && len)
		err = -EINVAL;
	if (!err)
		err = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return err;
}

static int record_mac(struct sdrp_dir_crypto *dc, const u8 *rec, u32 len,
		      u8 out[SDRP_MAC_LEN])
{
	SHASH_DESC_ON_STACK(desc, dc->hmac);
	u8 prefix[SDRP_COUNTER_LEN];
	int err;

	desc->tfm = dc->hmac;
	sdrp_mac_prefix(prefix, dc->counter);
	err = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, prefix, sizeof(prefix)) ?:
	      crypto_shash_update(desc, rec, len) ?:
	      crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return err;
}

/*
 * AES-256-GCM from @src to @dst (which may be the same list) under the
 * current record counter; both lists start with the header, the AAD.
 * The direction's request is reused: its owner (the socket lock's holder)
 * protects one record at a time and waits for it.
 */
static int record_gcm_sg(struct sdrp_dir_crypto *dc, struct scatterlist *src,
			 struct scatterlist *dst, u32 cryptlen, bool enc)
{
	struct aead_request *req = dc->req;
	u8 nonce[SDRP_IV_LEN];
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	sdrp_gcm_nonce(nonce, dc->iv, dc->counter);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	aead_request_set_ad(req, SDRP_HDR_LEN);
	aead_request_set_crypt(req, src, dst, cryptlen, nonce);
	err = crypto_wait_req(enc ? crypto_aead_encrypt(req) :
				    crypto_aead_decrypt(req), &wait);
	memzero_explicit(nonce, sizeof(nonce));
	return err;
}

static int record_gcm(struct sdrp_dir_crypto *dc, u8 *rec, u32 len,
		      u32 cryptlen, bool enc)
{
	struct scatterlist one, *sg;
	int err;

	sg = buf_sg(rec, len, &one);
	if (!sg)
		return -ENOMEM;
	err = record_gcm_sg(dc, sg, sg, cryptlen, enc);
	if (sg != &one)
		kfree(sg);
	return err;
}

/*
 * Protect the record at @rec in place: header already built, inner
 * plaintext of @inner_len bytes after it, room for the GCM tag and the MAC
 * after that.  Consumes one record counter.
 */
int sdrp_seal(struct sdrp_dir_crypto *dc, u8 *rec, u32 inner_len)
{
	u32 body_end = SDRP_HDR_LEN + inner_len + SDRP_GCM_TAG_LEN;
	int err;

	err = record_gcm(dc, rec, body_end, inner_len, true);
	if (!err)
		err = record_mac(dc, rec, body_end, rec + body_end);
	dc->counter++;
	return err;
}

/* HMAC of the record at @rec against its trailing MAC, in constant time. */
static int record_check_mac(struct sdrp_dir_crypto *dc, const u8 *rec,
			    u32 rec_len)
{
	u32 body_end = rec_len - SDRP_MAC_LEN;
	u8 mac[SDRP_MAC_LEN];
	int err;

	err = record_mac(dc, rec, body_end, mac);
	if (err)
		return err;
	return crypto_memneq(mac, rec + body_end, SDRP_MAC_LEN) ? -EBADMSG : 0;
}

/*
 * Verify and decrypt the protected record at @rec (header included) in
 * place under the current record counter: HMAC first, in constant time,
 * then the GCM tag.  The caller advances the counter.  Returns 0, -EBADMSG
 * for a record that fails either check, or another negative errno.
 */
int sdrp_open(struct sdrp_dir_crypto *dc, u8 *rec, u32 rec_len)
{
	u32 body_end = rec_len - SDRP_MAC_LEN;

	return record_check_mac(dc, rec, rec_len) ?:
	       record_gcm(dc, rec, body_end, body_end - SDRP_HDR_LEN, false);
}

/*
 * Scatterlist entries enough for any range of @skb: one for the linear
 * part and one per page fragment, frag lists included.  kTLS counts the
 * same way; the depth bound stops a pathological chain.
 */
static int skb_sg_max(struct sk_buff *skb, unsigned int depth)
{
	int n = 1 + skb_shinfo(skb)->nr_frags, m;
	struct sk_buff *frag;

	if (depth > 24)
		return -EMSGSIZE;
	skb_walk_frags(skb, frag) {
		m = skb_sg_max(frag, depth + 1);
		if (m < 0)
			return m;
		n += m;
	}
	return n;
}

#define SDRP_SKB_SG_STACK	8

/*
 * Verify and decrypt the protected record of @rec_len bytes at @offset in
 * @skb under the current record counter, reading the skb where it lies:
 * HMAC over the skb's pages, compared in constant time, then GCM from the
 * skb straight into @out (room for the header and the inner plaintext:
 * @rec_len - SDRP_GCM_TAG_LEN - SDRP_MAC_LEN bytes; the plaintext starts
 * SDRP_HDR_LEN bytes in).  The skb is left as it was: its pages may be
 * shared with the sender's retransmit queue (loopback).  The caller
 * advances the counter.  Returns 0, -EBADMSG for a record that fails
 * either check, or another negative errno.
 */
int sdrp_open_skb(struct sdrp_dir_crypto *dc, struct sk_buff *skb,
		  u32 offset, u32 rec_len, u8 *out)
{
	struct scatterlist stack_sg[SDRP_SKB_SG_STACK], one, *src, *dst;
	u32 body_end = rec_len - SDRP_MAC_LEN;
	u8 mac[SDRP_MAC_LEN], want[SDRP_MAC_LEN];
	int nsg, err;

	nsg = skb_sg_max(skb, 0);
	if (nsg < 0)
		return nsg;
	src = stack_sg;
	if (nsg > SDRP_SKB_SG_STACK) {
		src = kmalloc_array(nsg, sizeof(*src), GFP_KERNEL);
		if (!src)
			return -ENOMEM;
	}
	sg_init_table(src, nsg);
	nsg = skb_to_sgvec(skb, src, offset, body_end);
	if (nsg < 0) {
		err = nsg;
		goto out_src;
	}
	err = record_mac_sg(dc, src, nsg, body_end, mac) ?:
	      skb_copy_bits(skb, offset + body_end, want, SDRP_MAC_LEN);
	if (err)
		goto out_src;
	if (crypto_memneq(mac, want, SDRP_MAC_LEN)) {
		err = -EBADMSG;
		goto out_src;
	}
	dst = buf_sg(out, body_end - SDRP_GCM_TAG_LEN, &one);
	if (!dst) {
		err = -ENOMEM;
		goto out_src;
	}
	err = record_gcm_sg(dc, src, dst, body_end - SDRP_HDR_LEN, false);
	if (dst != &one)
		kfree(dst);
out_src:
	if (src != stack_sg)
		kfree(src);
	return err;
}

/*
 * Clear records (initial handshake, close before the keys exist) carry
 * only the HMAC, under a hello MAC key: a direction with no GCM transform.
 */
int sdrp_dir_mac_init(struct sdrp_dir_crypto *dc, const u8 *key, u64 counter)
{
	struct crypto_shash *hmac;
	int err;

	hmac = crypto_alloc_shash("hmac(sha512)", 0, 0);
	if (IS_ERR(hmac))
		return PTR_ERR(hmac);
	err = crypto_shash_setkey(hmac, key, SDRP_MAC_KEY_LEN);
	if (err) {
		crypto_free_shash(hmac);
		return err;
	}
	dc->aead = NULL;
	dc->req = NULL;
	dc->hmac = hmac;
	dc->counter = counter;
	return 0;
}

void sdrp_dir_mac_free(struct sdrp_dir_crypto *dc)
{
	dir_crypto_free(dc);
	dc->hmac = NULL;
}

/* MAC the clear record at @rec (header, then @inner_len bytes of inner). */
int sdrp_seal_clear(struct sdrp_dir_crypto *dc, u8 *rec, u32 inner_len)
{
	u32 body_end = SDRP_HDR_LEN + inner_len;
	int err;

	err = record_mac(dc, rec, body_end, rec + body_end);
	dc->counter++;
	return err;
}

/* Verify a clear record; the caller advances the counter, as sdrp_open. */
int sdrp_open_clear(struct sdrp_dir_crypto *dc, u8 *rec, u32 rec_len)
{
	return record_check_mac(dc, rec, rec_len);
}

/*
 * Under sdrp_kdf_lock, after a derivation: the shared transform keeps the
 * HMAC pads of the last key it was given, a salt or a PRK, from which the
 * keys it derived can be computed again.  Overwrite them with a key of
 * zeroes (long enough for a FIPS kernel's hmac to accept it).
 */
static void kdf_forget(void)
{
	static const u8 zeroes[SDRP_HASH_LEN];

	crypto_shash_setkey(sdrp_kdf_tfm, zeroes, sizeof(zeroes));
}

/* HKDF-Extract (RFC 5869): PRK = HMAC-SHA512(salt, IKM). */
int sdrp_hkdf_extract(const u8 *salt, size_t salt_len, const u8 *ikm,
		      size_t ikm_len, u8 prk[SDRP_HASH_LEN])
{
	int err;

	mutex_lock(&sdrp_kdf_lock);
	err = crypto_shash_setkey(sdrp_kdf_tfm, salt, salt_len) ?:
	      crypto_shash_tfm_digest(sdrp_kdf_tfm, ikm, ikm_len, prk);
	kdf_forget();
	mutex_unlock(&sdrp_kdf_lock);
	return err;
}

/*
 * HKDF-Expand (RFC 5869) with info = @label (no NUL) || @ctx, under the
 * PRK that @desc's transform is keyed with:
 * T(i) = HMAC-SHA512(PRK, T(i-1) | info | i), output T(1) | T(2) | ...
 */
static int hkdf_expand_keyed(struct shash_desc *desc, const char *label,
			     const u8 *ctx, size_t ctx_len, u8 *out,
			     size_t out_len)
{
	u8 t[SDRP_HASH_LEN];
	size_t done = 0, n;
	u8 i = 1;
	int err = 0;

	if (out_len > 255 * SDRP_HASH_LEN)
		return -EINVAL;
	while (done < out_len) {
		err = crypto_shash_init(desc) ?:
		      (i > 1 ? crypto_shash_update(desc, t, sizeof(t)) : 0) ?:
		      crypto_shash_update(desc, label, strlen(label)) ?:
		      crypto_shash_update(desc, ctx, ctx_len) ?:
		      crypto_shash_update(desc, &i, 1) ?:
		      crypto_shash_final(desc, t);
		if (err)
			break;
		n = min_t(size_t, out_len - done, sizeof(t));
		memcpy(out + done, t, n);
		done += n;
		i++;
	}
	memzero_explicit(t, sizeof(t));
	return err;
}

int sdrp_hkdf_expand(const u8 prk[SDRP_HASH_LEN], const char *label,
		     const u8 *ctx, size_t ctx_len, u8 *out, size_t out_len)
{
	SHASH_DESC_ON_STACK(desc, sdrp_kdf_tfm);
	int err;

	mutex_lock(&sdrp_kdf_lock);
	desc->tfm = sdrp_kdf_tfm;
	err = crypto_shash_setkey(sdrp_kdf_tfm, prk, SDRP_HASH_LEN) ?:
	      hkdf_expand_keyed(desc, label, ctx, ctx_len, out, out_len);
	kdf_forget();
	mutex_unlock(&sdrp_kdf_lock);
	shash_desc_zero(desc);
	return err;
}

/* SHA-512(a | b), for the rekey transcript hash. */
int sdrp_sha512(const u8 *a, size_t a_len, const u8 *b, size_t b_len,
		u8 out[SDRP_HASH_LEN])
{
	SHASH_DESC_ON_STACK(desc, sdrp_hash_tfm);
	int err;

	desc->tfm = sdrp_hash_tfm;
	err = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, a, a_len) ?:
	      crypto_shash_update(desc, b, b_len) ?:
	      crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return err;
}

static int expand_dir(struct shash_desc *desc, const u8 th[SDRP_HASH_LEN],
		      const char *key_label, const char *iv_label,
		      const char *mac_label, struct sdrp_dir_keys *k)
{
	return hkdf_expand_keyed(desc, key_label, th, SDRP_HASH_LEN,
				 k->key, sizeof(k->key)) ?:
	       hkdf_expand_keyed(desc, iv_label, th, SDRP_HASH_LEN,
				 k->iv, sizeof(k->iv)) ?:
	       hkdf_expand_keyed(desc, mac_label, th, SDRP_HASH_LEN,
				 k->mac, sizeof(k->mac));
}

/*
 * The key schedule of one epoch (Documentation/protocol.rst):
 *   PRK     = Extract(salt = ck_n, IKM = dh_n)
 *   c2s/s2c = Expand(PRK, "sdrp1 <dir> key|iv|mac" || th_n)
 *   ck_n+1  = Expand(PRK, "sdrp1 chain" || th_n)
 * Fills the key and chain fields of @keys; the caller sets the rest.
 * The HMAC is keyed with the PRK once for the seven Expand calls (a
 * setkey costs two SHA-512 compressions, an Expand call here two more).
 */
int sdrp_derive_epoch(const u8 chain_key[SDRP_CHAIN_KEY_LEN],
		      const u8 dh[SDRP_X25519_LEN], const u8 th[SDRP_HASH_LEN],
		      struct sdrp_keys *keys)
{
	SHASH_DESC_ON_STACK(desc, sdrp_kdf_tfm);
	u8 prk[SDRP_HASH_LEN];
	int err;

	mutex_lock(&sdrp_kdf_lock);
	desc->tfm = sdrp_kdf_tfm;
	err = crypto_shash_setkey(sdrp_kdf_tfm, chain_key,
				  SDRP_CHAIN_KEY_LEN) ?:
	      crypto_shash_tfm_digest(sdrp_kdf_tfm, dh, SDRP_X25519_LEN, prk) ?:
	      crypto_shash_setkey(sdrp_kdf_tfm, prk, sizeof(prk)) ?:
	      expand_dir(desc, th, SDRP_LABEL_C2S_KEY, SDRP_LABEL_C2S_IV,
			 SDRP_LABEL_C2S_MAC, &keys->c2s) ?:
	      expand_dir(desc, th, SDRP_LABEL_S2C_KEY, SDRP_LABEL_S2C_IV,
			 SDRP_LABEL_S2C_MAC, &keys->s2c) ?:
	      hkdf_expand_keyed(desc, SDRP_LABEL_CHAIN, th, SDRP_HASH_LEN,
				keys->chain_key, sizeof(keys->chain_key));
	kdf_forget();
	mutex_unlock(&sdrp_kdf_lock);
	shash_desc_zero(desc);
	memzero_explicit(prk, sizeof(prk));
	return err;
}
