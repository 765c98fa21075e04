// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Initial handshake (HELLO / HELLO ACK, both roles) and the rekey
 * helpers.  The handshake turns long-term credentials (RSA key,
 * certificate, CA, s0) into the epoch 0 keys; the session state machine
 * around it is the peer's (peer*.c) or the kernel's.
 *
 * Initial HELLO / HELLO ACK data:
 *   x25519_pub(32) | rekey_interval(4) | cert_len(2) | cert | sig_len(2) | sig
 * sig = RSA-PSS-SHA512 by the sender over
 *   ctx | [HELLO ACK: SHA-512(whole HELLO record)] | header
 *       | inner from seq up to and including sig_len
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define HELLO_FIXED_LEN	(SDRP_X25519_LEN + 4 + 2)

enum hs_state {
	HS_FRESH,
	HS_HELLO_SENT,		/* client, waiting for HELLO ACK */
	HS_DONE,
	HS_FAILED,
};

struct sdrp_hs {
	enum sdrp_role role;
	enum hs_state state;
	const struct sdrp_privkey *key;
	const struct sdrp_cert *cert;
	const struct sdrp_cert *ca;
	const char *server_identity;		/* client */
	const struct sdrp_psk *psks;		/* server */
	struct sdrp_s0_keys *s0keys;		/* one per s0 */
	size_t n_s0keys;
	size_t matched;				/* server: psk of the HELLO */
	uint32_t interval;
	uint32_t ttl_ms;
	uint32_t clock_skew_ms;
	uint64_t seq;				/* HELLO's seq */
	uint8_t sk[SDRP_X25519_LEN];
	uint8_t pk[SDRP_X25519_LEN];
	uint8_t hello_hash[SDRP_HASH_LEN];	/* SHA-512(whole HELLO) */
	crypto_hash_sha512_state transcript;	/* HELLO | HELLO ACK */
	const uint8_t *pss_salt;
	struct sdrp_cipher *clear_tx;
	struct sdrp_cipher *clear_rx;
};

int sdrp_hello_payload_decode(const uint8_t *data, size_t len,
			      struct sdrp_hello_payload *p,
			      enum sdrp_err *err)
{
	size_t off;

	memset(p, 0, sizeof(*p));
	if (len < HELLO_FIXED_LEN)
		return sdrpi_fail(err, SDRP_ERR_HELLO_SHORT);
	p->x25519_pub = data;
	p->rekey_interval = sdrp_get_be32(data + SDRP_X25519_LEN);
	p->cert_len = (size_t)data[SDRP_X25519_LEN + 4] << 8 |
		      data[SDRP_X25519_LEN + 5];
	off = HELLO_FIXED_LEN;
	if (!p->cert_len || p->cert_len > len - off)
		return sdrpi_fail(err, SDRP_ERR_HELLO_CERT_LEN);
	p->cert = data + off;
	off += p->cert_len;
	if (len - off < 2)
		return sdrpi_fail(err, SDRP_ERR_HELLO_SHORT);
	p->sig_len = (size_t)data[off] << 8 | data[off + 1];
	off += 2;
	p->signed_len = off;
	if (!p->sig_len || p->sig_len > len - off)
		return sdrpi_fail(err, SDRP_ERR_HELLO_SIG_LEN);
	p->sig = data + off;
	off += p->sig_len;
	if (off != len)
		return sdrpi_fail(err, SDRP_ERR_HELLO_TRAILING);
	if (!p->rekey_interval)
		return sdrpi_fail(err, SDRP_ERR_HELLO_INTERVAL);
	sdrpi_ok(err);
	return 0;
}

void sdrp_hs_free(struct sdrp_hs *hs)
{
	if (!hs)
		return;
	sdrp_cipher_free(hs->clear_tx);
	sdrp_cipher_free(hs->clear_rx);
	if (hs->s0keys) {
		sodium_memzero(hs->s0keys, hs->n_s0keys * sizeof(*hs->s0keys));
		free(hs->s0keys);
	}
	sodium_memzero(hs, sizeof(*hs));
	free(hs);
}

static int config_check(const struct sdrp_hs_config *cfg)
{
	size_t i, j;

	if (!cfg->key || !cfg->cert || !cfg->ca ||
	    !sdrp_cert_matches_key(cfg->cert, cfg->key))
		return -EINVAL;
	if (cfg->role == SDRP_ROLE_CLIENT)
		return cfg->s0 && cfg->server_identity &&
		       sdrp_identity_valid(cfg->server_identity) ? 0 : -EINVAL;
	if (cfg->role != SDRP_ROLE_SERVER || !cfg->psks || !cfg->n_psks)
		return -EINVAL;
	for (i = 0; i < cfg->n_psks; i++) {
		if (!cfg->psks[i].identities && cfg->psks[i].n_identities)
			return -EINVAL;
		for (j = 0; j < cfg->psks[i].n_identities; j++)
			if (!cfg->psks[i].identities[j] ||
			    !sdrp_identity_valid(cfg->psks[i].identities[j]))
				return -EINVAL;
	}
	return 0;
}

int sdrp_hs_new(struct sdrp_hs **out, const struct sdrp_hs_config *cfg)
{
	struct sdrp_hs *hs;
	size_t i;
	int rc;

	*out = NULL;
	rc = sdrp_init();
	if (rc)
		return rc;
	rc = config_check(cfg);
	if (rc)
		return rc;
	hs = calloc(1, sizeof(*hs));
	if (!hs)
		return -ENOMEM;
	hs->role = cfg->role;
	hs->key = cfg->key;
	hs->cert = cfg->cert;
	hs->ca = cfg->ca;
	hs->server_identity = cfg->server_identity;
	hs->psks = cfg->psks;
	hs->interval = cfg->rekey_interval ? cfg->rekey_interval :
			SDRP_DEFAULT_REKEY_INTERVAL;
	hs->ttl_ms = cfg->ttl_ms ? cfg->ttl_ms : SDRP_DEFAULT_TTL_MS;
	hs->clock_skew_ms = cfg->clock_skew_ms ? cfg->clock_skew_ms :
			    SDRP_DEFAULT_CLOCK_SKEW_MS;
	hs->pss_salt = cfg->pss_salt;
	hs->n_s0keys = cfg->role == SDRP_ROLE_CLIENT ? 1 : cfg->n_psks;
	hs->s0keys = calloc(hs->n_s0keys, sizeof(*hs->s0keys));
	if (!hs->s0keys) {
		rc = -ENOMEM;
		goto err;
	}
	for (i = 0; i < hs->n_s0keys; i++)
		sdrp_kdf_s0(&hs->s0keys[i], cfg->role == SDRP_ROLE_CLIENT ?
			    cfg->s0 : cfg->psks[i].s0);
	if (cfg->x25519_sk) {
		memcpy(hs->sk, cfg->x25519_sk, sizeof(hs->sk));
		rc = sdrp_x25519_public(hs->pk, hs->sk);
	} else {
		rc = sdrp_x25519_keypair(hs->sk, hs->pk);
	}
	if (rc)
		goto err;
	hs->seq = cfg->initial_seq ? *cfg->initial_seq : sdrp_random_seq();
	crypto_hash_sha512_init(&hs->transcript);
	/* The client knows both hello MAC keys from the start. */
	if (cfg->role == SDRP_ROLE_CLIENT) {
		rc = sdrp_cipher_new_clear(&hs->clear_tx,
					   hs->s0keys[0].c2s_hello_mac, 0);
		if (!rc)
			rc = sdrp_cipher_new_clear(&hs->clear_rx,
						   hs->s0keys[0].s2c_hello_mac, 0);
		if (rc)
			goto err;
	}
	*out = hs;
	return 0;
err:
	sdrp_hs_free(hs);
	return rc;
}

struct sdrp_cipher *sdrp_hs_clear_tx(struct sdrp_hs *hs)
{
	return hs->clear_tx;
}

struct sdrp_cipher *sdrp_hs_clear_rx(struct sdrp_hs *hs)
{
	return hs->clear_rx;
}

/*
 * Digest a HELLO / HELLO ACK signature covers.  @rec holds the header and
 * the inner plaintext; @signed_end is the offset in @rec just after
 * sig_len.
 */
static void hello_digest(const struct sdrp_hs *hs, unsigned int type,
			 const uint8_t *rec, size_t signed_end,
			 uint8_t digest[SDRP_HASH_LEN])
{
	const char *ctx = type == SDRP_MSG_HELLO ? SDRP_SIG_CTX_HELLO :
			  SDRP_SIG_CTX_HELLO_ACK;
	struct sdrpi_buf v[3];
	size_t n = 0;

	v[n++] = (struct sdrpi_buf){ ctx, strlen(ctx) };
	if (type == SDRP_MSG_HELLO_ACK)
		v[n++] = (struct sdrpi_buf){ hs->hello_hash, SDRP_HASH_LEN };
	v[n++] = (struct sdrpi_buf){ rec, signed_end };
	sdrpi_sha512v(digest, v, n);
}

/*
 * Build, sign and MAC an initial HELLO or HELLO ACK with this side's
 * credentials into @out.  Returns the record length or -errno.
 */
static ssize_t hello_build(struct sdrp_hs *hs, unsigned int type,
			   uint32_t interval, uint64_t now_ms, uint8_t *out,
			   size_t cap)
{
	size_t sig_len = (sdrp_privkey_bits(hs->key) + 7) / 8;
	size_t cert_len = hs->cert->raw_len;
	size_t data_len = HELLO_FIXED_LEN + cert_len + 2 + sig_len;
	struct sdrp_msg m = {
		.type = type,
		.seq = hs->seq,
		.ttl = now_ms + hs->ttl_ms,
		.data_len = data_len,
	};
	size_t off = sdrp_record_data_offset(type), signed_end;
	uint8_t digest[SDRP_HASH_LEN], *d;
	ssize_t rc;

	if (data_len > SDRP_MAX_HELLO_DATA)
		return -EMSGSIZE;
	if (cap < sdrp_msg_record_len(&m, 1))
		return -ENOBUFS;
	/* Build the data in place: nothing is copied by the encoder. */
	d = out + off;
	m.data = d;
	memcpy(d, hs->pk, SDRP_X25519_LEN);
	sdrp_put_be32(d + SDRP_X25519_LEN, interval);
	d[SDRP_X25519_LEN + 4] = (uint8_t)(cert_len >> 8);
	d[SDRP_X25519_LEN + 5] = (uint8_t)cert_len;
	memcpy(d + HELLO_FIXED_LEN, hs->cert->raw, cert_len);
	d += HELLO_FIXED_LEN + cert_len;
	d[0] = (uint8_t)(sig_len >> 8);
	d[1] = (uint8_t)sig_len;
	memset(d + 2, 0, sig_len);
	signed_end = (size_t)(d + 2 - out);

	rc = sdrp_inner_encode(&m, out + SDRP_HDR_LEN, cap - SDRP_HDR_LEN);
	if (rc < 0)
		return rc;
	sdrp_hdr_build((struct sdrp_hdr *)out, type, SDRP_HDR_F_CLEAR, 0,
		       sdrp_record_body_len((uint32_t)rc, 0));
	hello_digest(hs, type, out, signed_end, digest);
	rc = sdrp_pss_sign(hs->key, digest, hs->pss_salt, d + 2, sig_len);
	if (rc < 0)
		return rc;
	return (ssize_t)sdrpi_seal_raw(hs->clear_tx, out,
				       sdrp_inner_fixed_len(type) + data_len);
}

ssize_t sdrp_hs_client_hello(struct sdrp_hs *hs, uint64_t now_ms,
			     uint8_t *out, size_t cap)
{
	ssize_t len;

	if (hs->role != SDRP_ROLE_CLIENT || hs->state != HS_FRESH)
		return -EINVAL;
	len = hello_build(hs, SDRP_MSG_HELLO, hs->interval, now_ms, out, cap);
	if (len < 0)
		return len;
	crypto_hash_sha512(hs->hello_hash, out, (size_t)len);
	crypto_hash_sha512_update(&hs->transcript, out, (size_t)len);
	hs->state = HS_HELLO_SENT;
	return len;
}

/*
 * Checks common to a received HELLO and HELLO ACK once its MAC passed:
 * payload layout, certificate, identity, signature, ttl.  @allowed is
 * the list the peer's identity must be in (client: the one server).
 */
static int hello_check(struct sdrp_hs *hs, const uint8_t *rec,
		       const struct sdrp_msg *m, uint64_t now_ms,
		       const char *const *allowed, size_t n_allowed,
		       struct sdrp_hello_payload *p, char *peer_identity,
		       enum sdrp_err *err)
{
	uint8_t digest[SDRP_HASH_LEN];
	struct sdrp_cert *cert;
	size_t i;
	int rc;

	rc = sdrp_hello_payload_decode(m->data, m->data_len, p, err);
	if (rc)
		return rc;
	rc = sdrp_cert_parse(p->cert, p->cert_len, &cert, err);
	if (rc)
		return rc;
	rc = sdrp_cert_verify(cert, hs->ca, NULL, now_ms / 1000, err);
	if (rc)
		goto out;
	for (i = 0; i < n_allowed; i++)
		if (!strcmp(cert->subject, allowed[i]))
			break;
	if (i == n_allowed) {
		rc = sdrpi_fail(err, SDRP_ERR_IDENTITY);
		goto out;
	}
	hello_digest(hs, m->type, rec,
		     (size_t)(m->data - rec) + p->signed_len, digest);
	if (sdrp_cert_verify_digest(cert, digest, p->sig, p->sig_len)) {
		rc = sdrpi_fail(err, SDRP_ERR_HELLO_SIGNATURE);
		goto out;
	}
	rc = sdrp_check_ttl(m, now_ms, hs->ttl_ms, hs->clock_skew_ms, err);
	if (!rc)
		memcpy(peer_identity, cert->subject, strlen(cert->subject) + 1);
out:
	sdrp_cert_free(cert);
	return rc;
}

/*
 * Type of a received handshake record, checked before any MAC: the
 * initial HELLO / HELLO ACK is always a clear record.
 */
static int expect_type(const uint8_t *rec, size_t len, unsigned int type,
		       enum sdrp_err *err)
{
	struct sdrp_rec_hdr h;
	int rc;

	rc = sdrp_rec_hdr_decode(rec, len, &h, err);
	if (rc)
		return rc;
	if (h.type != type || !(h.flags & SDRP_HDR_F_CLEAR))
		return sdrpi_fail(err, SDRP_ERR_UNEXPECTED_TYPE);
	return 0;
}

/* dh_0, th_0, epoch 0 keys and the rest of the result. */
static int hs_finish(struct sdrp_hs *hs, const uint8_t peer_pk[SDRP_X25519_LEN],
		     const uint8_t *ack, size_t ack_len,
		     struct sdrp_hs_result *res, enum sdrp_err *err)
{
	const struct sdrp_s0_keys *s0k = &hs->s0keys[hs->matched];
	uint8_t dh[SDRP_X25519_LEN];

	if (sdrp_x25519(dh, hs->sk, peer_pk))
		return sdrpi_fail(err, SDRP_ERR_WEAK_DH);
	crypto_hash_sha512_update(&hs->transcript, ack, ack_len);
	memset(res, 0, sizeof(*res));
	crypto_hash_sha512_final(&hs->transcript, res->transcript_hash);
	sdrp_kdf_epoch(&res->keys, s0k->ck0, dh, res->transcript_hash);
	sodium_memzero(dh, sizeof(dh));
	sodium_memzero(hs->sk, sizeof(hs->sk));
	res->keys.role = (uint8_t)hs->role;
	res->keys.epoch = 0;
	/* HELLO and HELLO ACK both carried seq n and advanced by one. */
	res->keys.c2s_seq = hs->seq + 1;
	res->keys.s2c_seq = hs->seq + 1;
	res->rekey_interval = hs->interval;
	hs->state = HS_DONE;
	sdrpi_ok(err);
	return 0;
}

ssize_t sdrp_hs_server_hello(struct sdrp_hs *hs, const uint8_t *hello,
			     size_t hello_len, uint64_t now_ms, uint8_t *out,
			     size_t cap, struct sdrp_hs_result *res,
			     enum sdrp_err *err)
{
	char id[SDRP_IDENTITY_MAX + 1] = "";
	const struct sdrp_psk *psk;
	struct sdrp_hello_payload p;
	struct sdrp_cipher *rx = NULL;
	struct sdrp_msg m;
	enum sdrp_err why = SDRP_ERR_BAD_MAC;
	ssize_t len;
	size_t i;
	int rc;

	if (hs->role != SDRP_ROLE_SERVER || hs->state != HS_FRESH)
		return -EINVAL;
	hs->state = HS_FAILED;
	rc = expect_type(hello, hello_len, SDRP_MSG_HELLO, err);
	if (rc)
		return rc;
	/* Find the s0 the client used: the one whose hello MAC key fits. */
	for (i = 0; i < hs->n_s0keys; i++) {
		rc = sdrp_cipher_new_clear(&rx, hs->s0keys[i].c2s_hello_mac, 0);
		if (rc)
			return rc;
		rc = sdrpi_open_clear(rx, hello, hello_len, &m, &why);
		if (!rc || why != SDRP_ERR_BAD_MAC)
			break;
		sdrp_cipher_free(rx);
		rx = NULL;
	}
	if (!rx)
		return sdrpi_fail(err, SDRP_ERR_BAD_MAC);
	/*
	 * Any other refusal came before the MAC (header, length, epoch: the
	 * same under every key), since the header check bounds a HELLO's
	 * length so that an authentic one always has a valid inner layout.
	 * No s0 is known then, and no answer can be authenticated.
	 */
	if (rc) {
		sdrp_cipher_free(rx);
		return sdrpi_fail(err, why);
	}
	hs->matched = i;
	hs->clear_rx = rx;
	rc = sdrp_cipher_new_clear(&hs->clear_tx, hs->s0keys[i].s2c_hello_mac, 0);
	if (rc)
		return rc;
	psk = &hs->psks[i];
	rc = hello_check(hs, hello, &m, now_ms, psk->identities,
			 psk->n_identities, &p, id, err);
	if (rc)
		return rc;

	hs->seq = m.seq;
	if (p.rekey_interval < hs->interval)
		hs->interval = p.rekey_interval;
	crypto_hash_sha512(hs->hello_hash, hello, hello_len);
	crypto_hash_sha512_update(&hs->transcript, hello, hello_len);
	len = hello_build(hs, SDRP_MSG_HELLO_ACK, hs->interval, now_ms, out,
			  cap);
	if (len < 0)
		return len;
	/* A weak client key fails here, before the HELLO ACK is sent. */
	rc = hs_finish(hs, p.x25519_pub, out, (size_t)len, res, err);
	if (rc)
		return rc;
	memcpy(res->peer_identity, id, sizeof(id));
	return len;
}

int sdrp_hs_client_finish(struct sdrp_hs *hs, const uint8_t *ack,
			  size_t ack_len, uint64_t now_ms,
			  struct sdrp_hs_result *res, enum sdrp_err *err)
{
	const char *const allowed[] = { hs->server_identity };
	char id[SDRP_IDENTITY_MAX + 1] = "";
	struct sdrp_hello_payload p;
	struct sdrp_msg m;
	int rc;

	if (hs->role != SDRP_ROLE_CLIENT || hs->state != HS_HELLO_SENT)
		return -EINVAL;
	rc = expect_type(ack, ack_len, SDRP_MSG_HELLO_ACK, err);
	if (rc)
		return rc;
	rc = sdrpi_open_clear(hs->clear_rx, ack, ack_len, &m, err);
	if (rc)
		goto fail;
	rc = hello_check(hs, ack, &m, now_ms, allowed, 1, &p, id, err);
	if (rc)
		goto fail;
	rc = sdrp_check_seq(&m, hs->seq, err);
	if (rc)
		goto fail;
	if (p.rekey_interval > hs->interval) {
		rc = sdrpi_fail(err, SDRP_ERR_HELLO_INTERVAL);
		goto fail;
	}
	hs->interval = p.rekey_interval;
	rc = hs_finish(hs, p.x25519_pub, ack, ack_len, res, err);
	if (rc)
		goto fail;
	memcpy(res->peer_identity, id, sizeof(id));
	return 0;
fail:
	hs->state = HS_FAILED;
	return rc;
}

int sdrp_rekey_pub(const struct sdrp_msg *m, const uint8_t **pub,
		   enum sdrp_err *err)
{
	*pub = NULL;
	if (m->type != SDRP_MSG_HELLO && m->type != SDRP_MSG_HELLO_ACK)
		return sdrpi_fail(err, SDRP_ERR_UNEXPECTED_TYPE);
	if (m->data_len != SDRP_X25519_LEN)
		return sdrpi_fail(err, SDRP_ERR_REKEY_LEN);
	*pub = m->data;
	sdrpi_ok(err);
	return 0;
}

int sdrp_rekey_derive(struct sdrp_keys *keys, const uint8_t own_sk[SDRP_X25519_LEN],
		      const uint8_t peer_pk[SDRP_X25519_LEN],
		      const uint8_t *hello, size_t hello_len,
		      const uint8_t *ack, size_t ack_len, enum sdrp_err *err)
{
	uint8_t dh[SDRP_X25519_LEN], th[SDRP_HASH_LEN];
	struct sdrp_keys next;

	if (keys->epoch == UINT32_MAX)
		return -EOVERFLOW;
	if (sdrp_x25519(dh, own_sk, peer_pk))
		return sdrpi_fail(err, SDRP_ERR_REKEY_WEAK_DH);
	sdrp_transcript_hash(th, hello, hello_len, ack, ack_len);
	next = *keys;
	sdrp_kdf_epoch(&next, keys->chain_key, dh, th);
	next.epoch = keys->epoch + 1;
	next.c2s_counter = 0;
	next.s2c_counter = 0;
	*keys = next;
	sodium_memzero(&next, sizeof(next));
	sodium_memzero(dh, sizeof(dh));
	sodium_memzero(th, sizeof(th));
	sdrpi_ok(err);
	return 0;
}
