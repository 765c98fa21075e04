/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * sdrp wire format: the one definition shared by the kernel module and
 * libsdrp.  Documentation/protocol.rst is the normative text; this header
 * must agree with it byte for byte.
 *
 * Everything here is plain C over <linux/types.h> so that the same inline
 * helpers build in the kernel and in userspace.  Multi-byte integers on the
 * wire are big-endian; the helpers below read and write them byte by byte
 * and never assume alignment.
 *
 * A record is
 *
 *   header (12 bytes, in clear) | body | HMAC-SHA512 tag (64 bytes)
 *
 * where for a protected record
 *
 *   body = AES-256-GCM(inner) | GCM tag (16 bytes)
 *
 * and for the two unprotected records of the initial handshake (HELLO and
 * HELLO ACK in epoch 0, before any session key exists) body = inner.
 *
 * inner = seq (8) | ttl (8, absent in CLOSED WITHOUT ACK)
 *         | nonce (8, ACK and DATA ACK only)
 *         | data (HELLO, HELLO ACK, DATA REQUEST, DATA RESPONSE only)
 */
#ifndef _SDRP_WIRE_H
#define _SDRP_WIRE_H

#include <linux/types.h>

#define SDRP_VERSION		1

enum sdrp_msg_type {
	SDRP_MSG_HELLO		= 1,
	SDRP_MSG_HELLO_ACK	= 2,
	SDRP_MSG_ACK		= 3,
	SDRP_MSG_DATA_REQUEST	= 4,
	SDRP_MSG_DATA_RESPONSE	= 5,
	SDRP_MSG_DATA_ACK	= 6,
	SDRP_MSG_RESEND_LAST	= 7,
	SDRP_MSG_CLOSE		= 8,
	SDRP_MSG_CLOSE_ACK	= 9,
	SDRP_MSG_CLOSED_NO_ACK	= 10,
	SDRP_MSG_TYPE_MAX	= SDRP_MSG_CLOSED_NO_ACK,
};

enum sdrp_wire_sizes {
	SDRP_HDR_LEN		= 12,
	SDRP_MAC_LEN		= 64,	/* HMAC-SHA512 */
	SDRP_GCM_TAG_LEN	= 16,
	SDRP_AES_KEY_LEN	= 32,	/* AES-256 */
	SDRP_IV_LEN		= 12,	/* GCM nonce */
	SDRP_MAC_KEY_LEN	= 64,
	SDRP_CHAIN_KEY_LEN	= 64,
	SDRP_HASH_LEN		= 64,	/* SHA-512 */
	SDRP_X25519_LEN		= 32,
	SDRP_SEQ_LEN		= 8,
	SDRP_TTL_LEN		= 8,
	SDRP_NONCE_LEN		= 8,
	/* record counter bound into the MAC, see sdrp_mac_prefix */
	SDRP_COUNTER_LEN	= 8,
	/* Largest data field of any message (DATA REQUEST/RESPONSE). */
	SDRP_MAX_DATA		= 1 << 20,
	/* Largest data field of a HELLO / HELLO ACK (certificate + RSA-8192). */
	SDRP_MAX_HELLO_DATA	= 8192,
	SDRP_MAX_INNER		= SDRP_SEQ_LEN + SDRP_TTL_LEN + SDRP_NONCE_LEN +
				  SDRP_MAX_DATA,
	/* Largest value of the header's length field. */
	SDRP_MAX_RECORD_BODY	= SDRP_MAX_INNER + SDRP_GCM_TAG_LEN +
				  SDRP_MAC_LEN,
	SDRP_MAX_RECORD		= SDRP_HDR_LEN + SDRP_MAX_RECORD_BODY,
};

/*
 * Clear header.  Authenticated twice: as GCM additional data and as part
 * of the HMAC input.  The epoch lets a receiver tell a record protected
 * under an earlier epoch's keys (a replay across a rekey) from a forgery.
 */
struct sdrp_hdr {
	__u8	version;	/* SDRP_VERSION */
	__u8	type;		/* enum sdrp_msg_type */
	__u8	flags;		/* SDRP_HDR_F_* */
	__u8	reserved;	/* zero on send, rejected if non-zero */
	__u8	epoch[4];	/* big-endian key epoch, 0 = first keys */
	__u8	length[4];	/* big-endian: bytes after the header */
};

/*
 * The body is not GCM-protected: only the initial HELLO / HELLO ACK and,
 * before the first epoch's keys are confirmed, CLOSE / CLOSE ACK /
 * CLOSED WITHOUT ACK may carry it.  Such records are still HMAC'd with the
 * s0-derived hello MAC key of their direction.
 */
#define SDRP_HDR_F_CLEAR	0x01
#define SDRP_HDR_F_ALL		SDRP_HDR_F_CLEAR

static inline int sdrp_type_may_be_clear(unsigned int type)
{
	return type == SDRP_MSG_HELLO || type == SDRP_MSG_HELLO_ACK ||
	       type == SDRP_MSG_CLOSE || type == SDRP_MSG_CLOSE_ACK ||
	       type == SDRP_MSG_CLOSED_NO_ACK;
}

/* Labels of the key schedule (HKDF-SHA512, RFC 5869); no trailing NUL. */
#define SDRP_LABEL_S0_SALT	"sdrp1 s0"
#define SDRP_LABEL_CHAIN	"sdrp1 chain"
#define SDRP_LABEL_C2S_HELLO_MAC "sdrp1 c2s hello mac"
#define SDRP_LABEL_S2C_HELLO_MAC "sdrp1 s2c hello mac"
#define SDRP_LABEL_C2S_KEY	"sdrp1 c2s key"
#define SDRP_LABEL_C2S_IV	"sdrp1 c2s iv"
#define SDRP_LABEL_C2S_MAC	"sdrp1 c2s mac"
#define SDRP_LABEL_S2C_KEY	"sdrp1 s2c key"
#define SDRP_LABEL_S2C_IV	"sdrp1 s2c iv"
#define SDRP_LABEL_S2C_MAC	"sdrp1 s2c mac"

/* Signature contexts (RSA-PSS-SHA512) of the initial handshake. */
#define SDRP_SIG_CTX_HELLO	"sdrp1 hello"
#define SDRP_SIG_CTX_HELLO_ACK	"sdrp1 hello ack"
#define SDRP_SIG_CTX_CERT	"sdrp1 cert"

static inline __u32 sdrp_get_be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static inline __u64 sdrp_get_be64(const __u8 *p)
{
	return (__u64)sdrp_get_be32(p) << 32 | sdrp_get_be32(p + 4);
}

static inline void sdrp_put_be32(__u8 *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline void sdrp_put_be64(__u8 *p, __u64 v)
{
	sdrp_put_be32(p, v >> 32);
	sdrp_put_be32(p + 4, (__u32)v);
}

static inline int sdrp_type_valid(unsigned int type)
{
	return type >= SDRP_MSG_HELLO && type <= SDRP_MSG_TYPE_MAX;
}

static inline int sdrp_type_has_ttl(unsigned int type)
{
	return type != SDRP_MSG_CLOSED_NO_ACK;
}

static inline int sdrp_type_has_nonce(unsigned int type)
{
	return type == SDRP_MSG_ACK || type == SDRP_MSG_DATA_ACK;
}

static inline int sdrp_type_has_data(unsigned int type)
{
	return type == SDRP_MSG_HELLO || type == SDRP_MSG_HELLO_ACK ||
	       type == SDRP_MSG_DATA_REQUEST || type == SDRP_MSG_DATA_RESPONSE;
}

/* Length of the fixed fields of the inner plaintext of a message. */
static inline unsigned int sdrp_inner_fixed_len(unsigned int type)
{
	return SDRP_SEQ_LEN +
	       (sdrp_type_has_ttl(type) ? SDRP_TTL_LEN : 0) +
	       (sdrp_type_has_nonce(type) ? SDRP_NONCE_LEN : 0);
}

/* Largest data field a message of this type may carry. */
static inline unsigned int sdrp_type_max_data(unsigned int type)
{
	if (type == SDRP_MSG_HELLO || type == SDRP_MSG_HELLO_ACK)
		return SDRP_MAX_HELLO_DATA;
	return sdrp_type_has_data(type) ? SDRP_MAX_DATA : 0;
}

/*
 * Bytes of the body for an inner plaintext of @inner_len bytes, including
 * the HMAC tag, i.e. the value of the header's length field.
 */
static inline __u32 sdrp_record_body_len(__u32 inner_len, int protected_rec)
{
	return inner_len + (protected_rec ? SDRP_GCM_TAG_LEN : 0) +
	       SDRP_MAC_LEN;
}

static inline void sdrp_hdr_build(struct sdrp_hdr *h, unsigned int type,
				  unsigned int flags, __u32 epoch,
				  __u32 body_len)
{
	h->version = SDRP_VERSION;
	h->type = type;
	h->flags = flags;
	h->reserved = 0;
	sdrp_put_be32(h->epoch, epoch);
	sdrp_put_be32(h->length, body_len);
}

/* Reasons a header is refused before any cryptography runs. */
enum sdrp_hdr_error {
	SDRP_HDR_OK		= 0,
	SDRP_HDR_BAD_VERSION	= 1,
	SDRP_HDR_BAD_TYPE	= 2,
	SDRP_HDR_BAD_RESERVED	= 3,	/* reserved byte or unknown flag */
	SDRP_HDR_TOO_SHORT	= 4,	/* length below the type's minimum */
	SDRP_HDR_TOO_LONG	= 5,	/* length above the type's maximum */
	SDRP_HDR_BAD_CLEAR	= 6,	/* type may not be sent in clear */
};

/*
 * Check a header on its own, before any cryptography: whether the record
 * is acceptable in the receiver's state is the caller's decision.
 * Returns an enum sdrp_hdr_error.
 */
static inline int sdrp_hdr_check(const struct sdrp_hdr *h)
{
	__u32 len = sdrp_get_be32(h->length);
	int protected_rec = !(h->flags & SDRP_HDR_F_CLEAR);
	unsigned int fixed;

	if (h->version != SDRP_VERSION)
		return SDRP_HDR_BAD_VERSION;
	if (!sdrp_type_valid(h->type))
		return SDRP_HDR_BAD_TYPE;
	if (h->reserved || (h->flags & ~SDRP_HDR_F_ALL))
		return SDRP_HDR_BAD_RESERVED;
	if (!protected_rec && !sdrp_type_may_be_clear(h->type))
		return SDRP_HDR_BAD_CLEAR;
	fixed = sdrp_inner_fixed_len(h->type);
	if (len < sdrp_record_body_len(fixed, protected_rec))
		return SDRP_HDR_TOO_SHORT;
	if (len > sdrp_record_body_len(fixed + sdrp_type_max_data(h->type),
				       protected_rec))
		return SDRP_HDR_TOO_LONG;
	return SDRP_HDR_OK;
}

/*
 * The HMAC input is counter (8, big-endian) | header | body-without-tag,
 * where counter is the per-direction, per-epoch record counter that also
 * forms the GCM nonce.  Binding it makes the HMAC alone reject a replayed
 * or reordered record.
 */
static inline void sdrp_mac_prefix(__u8 out[SDRP_COUNTER_LEN], __u64 counter)
{
	sdrp_put_be64(out, counter);
}

/*
 * GCM nonce = IV XOR (0^4 | counter, big-endian), as in TLS 1.3.  A
 * counter is never reused under one key: it starts at 0 with each epoch
 * and the session closes before it could wrap (SDRP_MAX_RECORDS_PER_EPOCH).
 */
#define SDRP_MAX_RECORDS_PER_EPOCH	0x1000000000000ULL	/* 2^48 */

static inline void sdrp_gcm_nonce(__u8 out[SDRP_IV_LEN],
				  const __u8 iv[SDRP_IV_LEN], __u64 counter)
{
	__u8 ctr[8];
	int i;

	sdrp_put_be64(ctr, counter);
	for (i = 0; i < 4; i++)
		out[i] = iv[i];
	for (i = 0; i < 8; i++)
		out[4 + i] = iv[4 + i] ^ ctr[i];
}

#endif /* _SDRP_WIRE_H */
