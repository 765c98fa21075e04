/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * libsdrp: the sdrp protocol in userspace (Documentation/protocol.rst).
 *
 * Layers, from the bottom:
 *
 *   codec        message <-> inner plaintext, record header parsing
 *   kdf          HKDF-SHA512 and the key schedule (s0 -> hello MAC keys and
 *                ck_0; (ck_n, dh_n, th_n) -> epoch keys and ck_{n+1})
 *   cipher       record protect / unprotect for one direction of one epoch
 *                (AES-256-GCM then HMAC-SHA512), or a clear record under a
 *                hello MAC key
 *   rsa, cert    RSA-PSS-SHA512 keys and the sdrp certificate format
 *   handshake    initial HELLO / HELLO ACK for both roles; rekey helpers
 *
 * The session state machine (timers, retries, policies) is <sdrp/peer.h>.
 *
 * Conventions:
 *  - Functions return 0 (or a length) on success and a negative errno on
 *    failure.  Functions that judge input from the network take an
 *    optional "enum sdrp_err *err" (may be NULL) that receives the exact
 *    reason; sdrp_err_errno() and sdrp_err_close_reason() map a reason to
 *    the errno and the close reason of the socket API.
 *  - Nothing is ever read outside the buffer given; lengths are checked
 *    before every read.
 *  - Times: ttl values and now_ms are CLOCK_REALTIME milliseconds since
 *    the Unix epoch (sdrp_now_ms()); certificate validity is in seconds.
 *  - Secrets held by the library are wiped when freed; secrets the caller
 *    receives (struct sdrp_keys, hello MAC keys, X25519 secrets) must be
 *    wiped by the caller with sdrp_wipe().
 *  - The library initialises libsodium itself; sdrp_init() may be called
 *    first to learn early that AES-256-GCM is unavailable.
 */
#ifndef _SDRP_SDRP_H
#define _SDRP_SDRP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/sdrp.h>
#include <sdrp/wire.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Defaults of the paper, as in struct sdrp_params. */
#define SDRP_DEFAULT_REKEY_INTERVAL	10
#define SDRP_DEFAULT_TTL_MS		25000
#define SDRP_DEFAULT_CLOCK_SKEW_MS	5000
#define SDRP_DEFAULT_RSA_BITS		3072
#define SDRP_RSA_MIN_BITS		2048
#define SDRP_RSA_MAX_BITS		8192
#define SDRP_S0_LEN			32
#define SDRP_PSS_SALT_LEN		64

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/*
 * Why input was refused.  Every malformed input has its own value so that
 * tests (and logs) can tell them apart; callers usually only need the
 * errno (sdrp_err_errno()) or the close reason (sdrp_err_close_reason()).
 */
enum sdrp_err {
	SDRP_ERR_NONE = 0,

	/* record framing and header (EPROTO, close reason MALFORMED) */
	SDRP_ERR_SHORT_HEADER,		/* fewer than SDRP_HDR_LEN bytes */
	SDRP_ERR_BAD_VERSION,		/* version != SDRP_VERSION */
	SDRP_ERR_BAD_TYPE,		/* unknown message type */
	SDRP_ERR_BAD_RESERVED,		/* reserved byte or unknown flag set */
	SDRP_ERR_BAD_CLEAR,		/* type may not be sent in clear */
	SDRP_ERR_LEN_TOO_SHORT,		/* length field below type minimum */
	SDRP_ERR_LEN_TOO_LONG,		/* length field above type maximum */
	SDRP_ERR_TRUNCATED,		/* fewer bytes than the length field */
	SDRP_ERR_TRAILING,		/* bytes after the record */
	SDRP_ERR_CLEAR_MISMATCH,	/* clear record for a protected key
					 * or the reverse */

	/* record authentication */
	SDRP_ERR_BAD_EPOCH,		/* header epoch != key epoch (EPROTO,
					 * OLD_EPOCH) */
	SDRP_ERR_BAD_MAC,		/* HMAC-SHA512 mismatch (EBADMSG) */
	SDRP_ERR_BAD_TAG,		/* AES-GCM tag mismatch (EBADMSG) */

	/* inner plaintext (EPROTO, MALFORMED) */
	SDRP_ERR_INNER_SHORT,		/* shorter than the fixed fields */
	SDRP_ERR_INNER_EXTRA,		/* bytes after the fixed fields of a
					 * message without data */
	SDRP_ERR_DATA_TOO_LONG,		/* data above the type's maximum */
	SDRP_ERR_ZERO_NONCE,		/* ACK / DATA ACK nonce is 0 */

	/* HELLO / HELLO ACK payloads (EPROTO, MALFORMED) */
	SDRP_ERR_HELLO_SHORT,		/* fixed part of the payload cut */
	SDRP_ERR_HELLO_CERT_LEN,	/* cert_len 0 or past the end */
	SDRP_ERR_HELLO_SIG_LEN,		/* sig_len 0 or past the end */
	SDRP_ERR_HELLO_TRAILING,	/* bytes after the signature */
	SDRP_ERR_HELLO_INTERVAL,	/* interval 0 or above the proposal */
	SDRP_ERR_REKEY_LEN,		/* rekey payload is not 32 bytes */
	SDRP_ERR_REKEY_WEAK_DH,		/* rekey X25519 result all zero */

	/* certificate encoding (EPROTO, MALFORMED) */
	SDRP_ERR_CERT_SHORT,		/* truncated certificate */
	SDRP_ERR_CERT_MAGIC,		/* not "SDRC" */
	SDRP_ERR_CERT_VERSION,		/* unknown certificate version */
	SDRP_ERR_CERT_KEY_TYPE,		/* key type other than RSA */
	SDRP_ERR_CERT_RESERVED,		/* reserved bytes non-zero */
	SDRP_ERR_CERT_IDENTITY,		/* subject/issuer empty or not
					 * printable ASCII 0x21..0x7e */
	SDRP_ERR_CERT_KEY,		/* modulus/exponent out of range, even,
					 * or with a leading zero bit/byte */
	SDRP_ERR_CERT_SIG_LEN,		/* signature length 0 or past end */
	SDRP_ERR_CERT_VALIDITY,		/* not_before > not_after */
	SDRP_ERR_CERT_TRAILING,		/* bytes after the signature */
	SDRP_ERR_CERT_ARMOR,		/* text armour or base64 invalid */

	/* authentication (handshake, certificate verification) */
	SDRP_ERR_UNKNOWN_CA,		/* issuer is not the CA: EKEYREJECTED */
	SDRP_ERR_CERT_SIGNATURE,	/* CA signature invalid: EKEYREJECTED */
	SDRP_ERR_CERT_EXPIRED,		/* after not_after: EKEYEXPIRED */
	SDRP_ERR_CERT_NOT_YET_VALID,	/* before not_before: EKEYEXPIRED */
	SDRP_ERR_IDENTITY,		/* peer identity not the expected or
					 * not allowed: EKEYREJECTED */
	SDRP_ERR_HELLO_SIGNATURE,	/* HELLO signature invalid: EBADMSG */
	SDRP_ERR_WEAK_DH,		/* initial X25519 all zero:
					 * EKEYREJECTED */

	/* protocol checks after decryption */
	SDRP_ERR_BAD_SEQ,		/* seq != expected (EPROTO) */
	SDRP_ERR_STALE_TTL,		/* ttl < now (ETIME) */
	SDRP_ERR_FUTURE_TTL,		/* ttl > now + window + skew (ETIME) */
	SDRP_ERR_UNEXPECTED_TYPE,	/* type not valid here (EPROTO) */

	SDRP_ERR_MAX = SDRP_ERR_UNEXPECTED_TYPE,
};

/**
 * sdrp_err_errno() - errno for a refusal reason
 * @err:	enum sdrp_err
 *
 * Return: a positive errno (EPROTO, EBADMSG, ETIME, EKEYREJECTED,
 * EKEYEXPIRED); 0 for SDRP_ERR_NONE; EINVAL for an unknown value.
 */
int sdrp_err_errno(enum sdrp_err err);

/**
 * sdrp_err_close_reason() - close reason a session records for a refusal
 * @err:	enum sdrp_err
 *
 * Return: enum sdrp_close_reason (MALFORMED for every layout error,
 * BAD_MAC, OLD_EPOCH, BAD_SEQ, STALE_TTL, FUTURE_TTL, BAD_TYPE, AUTH for
 * certificate, identity and HELLO signature failures); SDRP_CLOSE_NONE
 * for SDRP_ERR_NONE.
 */
enum sdrp_close_reason sdrp_err_close_reason(enum sdrp_err err);

/**
 * sdrp_err_name() - short name of a refusal reason, for logs and tests
 * @err:	enum sdrp_err
 *
 * Return: a static string ("bad-mac", "cert-expired", ...), "unknown"
 * if out of range.
 */
const char *sdrp_err_name(enum sdrp_err err);

/* ------------------------------------------------------------------ */
/* Library, time, randomness, memory                                   */
/* ------------------------------------------------------------------ */

/**
 * sdrp_init() - initialise libsodium and check the CPU
 *
 * Idempotent and thread safe; every other function calls it as needed.
 *
 * Return: 0; -ENOSYS if AES-256-GCM is not available on this CPU (no
 * AES-NI / PCLMUL); -EIO if libsodium cannot initialise.
 */
int sdrp_init(void);

/**
 * sdrp_now_ms() - CLOCK_REALTIME in milliseconds since the Unix epoch
 *
 * The clock of ttl values.
 */
uint64_t sdrp_now_ms(void);

/**
 * sdrp_random_seq() - a random initial sequence number
 */
uint64_t sdrp_random_seq(void);

/**
 * sdrp_random_nonce() - a random non-zero nonce for ACK / DATA ACK
 */
uint64_t sdrp_random_nonce(void);

/**
 * sdrp_wipe() - erase a secret in a way the compiler cannot drop
 * @p:		memory
 * @len:	bytes
 */
void sdrp_wipe(void *p, size_t len);

/**
 * sdrp_memeq() - constant-time equality of two byte strings
 * @a:		first
 * @b:		second
 * @len:	bytes of each
 *
 * Return: 1 if equal, 0 if not; the time does not depend on the contents.
 */
int sdrp_memeq(const void *a, const void *b, size_t len);

/* ------------------------------------------------------------------ */
/* Codec                                                               */
/* ------------------------------------------------------------------ */

/*
 * A message: the decoded inner plaintext plus its type.  On decode, data
 * points into the caller's buffer (no copy).  Fields a type does not
 * carry are 0 (ttl of CLOSED WITHOUT ACK, nonce except ACK / DATA ACK,
 * data except HELLO, HELLO ACK, DATA REQUEST, DATA RESPONSE).
 */
struct sdrp_msg {
	uint8_t type;		/* enum sdrp_msg_type */
	uint64_t seq;
	uint64_t ttl;		/* sender's now_ms + ttl window */
	uint64_t nonce;		/* never 0 where present */
	const uint8_t *data;
	size_t data_len;
};

/* Decoded record header (struct sdrp_hdr in host order). */
struct sdrp_rec_hdr {
	uint8_t type;		/* enum sdrp_msg_type */
	uint8_t flags;		/* SDRP_HDR_F_* */
	uint32_t epoch;
	uint32_t length;	/* bytes after the header, MAC included */
};

/**
 * sdrp_msg_inner_len() - bytes of the inner plaintext of a message
 * @m:		message (type and data_len are used)
 *
 * Return: the length, 0 for an invalid type.
 */
size_t sdrp_msg_inner_len(const struct sdrp_msg *m);

/**
 * sdrp_msg_record_len() - bytes of the whole record carrying a message
 * @m:		message
 * @clear:	non-zero for a clear record (no GCM tag)
 *
 * Return: header + body + MAC length, 0 for an invalid type.
 */
size_t sdrp_msg_record_len(const struct sdrp_msg *m, int clear);

/**
 * sdrp_record_data_offset() - where a type's data field starts in a record
 * @type:	enum sdrp_msg_type
 *
 * A sender may build the data right there in the output buffer and pass
 * that pointer as sdrp_msg.data to sdrp_record_seal(), which then copies
 * nothing (the same offset holds for clear and protected records).
 *
 * Return: SDRP_HDR_LEN + the type's fixed inner length.
 */
size_t sdrp_record_data_offset(unsigned int type);

/**
 * sdrp_inner_encode() - write the inner plaintext of a message
 * @m:		message; data may overlap @out (memmove semantics)
 * @out:	destination
 * @cap:	bytes available at @out
 *
 * Return: bytes written; -EINVAL for an invalid type, data on a type
 * without data, or a zero nonce; -EMSGSIZE if data exceeds the type's
 * maximum; -ENOBUFS if @cap is too small.
 */
ssize_t sdrp_inner_encode(const struct sdrp_msg *m, uint8_t *out, size_t cap);

/**
 * sdrp_inner_decode() - parse the inner plaintext of a message
 * @type:	message type from the (authenticated) header
 * @in:		inner plaintext
 * @len:	its length
 * @m:		filled in; m->data points into @in
 * @err:	reason on failure, may be NULL
 *
 * Checks the layout only (lengths, zero nonce), not seq or ttl.
 *
 * Return: 0; -EPROTO (INNER_SHORT, INNER_EXTRA, DATA_TOO_LONG,
 * ZERO_NONCE, BAD_TYPE).
 */
int sdrp_inner_decode(unsigned int type, const uint8_t *in, size_t len,
		      struct sdrp_msg *m, enum sdrp_err *err);

/**
 * sdrp_rec_hdr_decode() - parse and check a record header
 * @buf:	received bytes (at least the header)
 * @len:	bytes available at @buf
 * @h:		filled in
 * @err:	reason on failure, may be NULL
 *
 * Applies sdrp_hdr_check() of <sdrp/wire.h>.  Once it succeeded, the
 * whole record is SDRP_HDR_LEN + h->length bytes: a stream reader reads
 * that many before calling sdrp_record_open().
 *
 * Return: 0; -EPROTO (SHORT_HEADER, BAD_VERSION, BAD_TYPE, BAD_RESERVED,
 * BAD_CLEAR, LEN_TOO_SHORT, LEN_TOO_LONG).
 */
int sdrp_rec_hdr_decode(const uint8_t *buf, size_t len,
			struct sdrp_rec_hdr *h, enum sdrp_err *err);

/**
 * sdrp_check_seq() - compare a received seq with the expected one
 * @m:		accepted message
 * @expected:	receiver's counter for that direction
 * @err:	reason on failure, may be NULL
 *
 * Return: 0; -EPROTO (BAD_SEQ).
 */
int sdrp_check_seq(const struct sdrp_msg *m, uint64_t expected,
		   enum sdrp_err *err);

/**
 * sdrp_seq_next() - direction counter after a message was accepted
 * @m:		the message
 *
 * Return: m->seq + m->nonce for ACK and DATA ACK, else m->seq + 1
 * (mod 2^64).
 */
uint64_t sdrp_seq_next(const struct sdrp_msg *m);

/**
 * sdrp_check_ttl() - apply the ttl rule to a received message
 * @m:		message (CLOSED WITHOUT ACK always passes)
 * @now_ms:	receiver's clock
 * @ttl_window_ms: the sender's ttl window (0: SDRP_DEFAULT_TTL_MS)
 * @clock_skew_ms: tolerated clock difference (0: SDRP_DEFAULT_CLOCK_SKEW_MS)
 * @err:	reason on failure, may be NULL
 *
 * Return: 0; -ETIME (STALE_TTL if ttl < now, FUTURE_TTL if ttl > now +
 * window + skew).
 */
int sdrp_check_ttl(const struct sdrp_msg *m, uint64_t now_ms,
		   uint32_t ttl_window_ms, uint32_t clock_skew_ms,
		   enum sdrp_err *err);

/* ------------------------------------------------------------------ */
/* HKDF-SHA512 and the key schedule                                    */
/* ------------------------------------------------------------------ */

/**
 * sdrp_hkdf_extract() - HKDF-Extract with HMAC-SHA512 (RFC 5869)
 * @prk:	output pseudo-random key (64 bytes)
 * @salt:	salt (NULL with @salt_len 0: 64 zero bytes)
 * @salt_len:	its length
 * @ikm:	input keying material
 * @ikm_len:	its length
 */
void sdrp_hkdf_extract(uint8_t prk[64], const uint8_t *salt, size_t salt_len,
		       const uint8_t *ikm, size_t ikm_len);

/**
 * sdrp_hkdf_expand() - HKDF-Expand with HMAC-SHA512 (RFC 5869)
 * @out:	output keying material
 * @out_len:	1..255*64 bytes
 * @prk:	pseudo-random key from sdrp_hkdf_extract()
 * @label:	first part of info (may be NULL if @label_len is 0)
 * @label_len:	its length
 * @ctx:	second part of info, appended to @label (may be NULL)
 * @ctx_len:	its length
 *
 * info = label || ctx, so that key schedule labels and transcript hashes
 * need no concatenation buffer.
 *
 * Return: 0; -EINVAL if @out_len is 0 or above 255*64.
 */
int sdrp_hkdf_expand(uint8_t *out, size_t out_len, const uint8_t prk[64],
		     const uint8_t *label, size_t label_len,
		     const uint8_t *ctx, size_t ctx_len);

/*
 * Keys derived from s0 alone: the HMAC keys of the clear records of the
 * initial handshake, and the first chain key.
 */
struct sdrp_s0_keys {
	uint8_t c2s_hello_mac[SDRP_MAC_KEY_LEN];
	uint8_t s2c_hello_mac[SDRP_MAC_KEY_LEN];
	uint8_t ck0[SDRP_CHAIN_KEY_LEN];
};

/**
 * sdrp_kdf_s0() - derive the hello MAC keys and ck_0 from s0
 * @out:	filled in; wipe with sdrp_wipe() after use
 * @s0:	the 32-byte pre-shared secret
 */
void sdrp_kdf_s0(struct sdrp_s0_keys *out, const uint8_t s0[SDRP_S0_LEN]);

/**
 * sdrp_transcript_hash() - th_n = SHA-512(HELLO record || HELLO ACK record)
 * @th:		output (64 bytes)
 * @hello:	whole HELLO record as sent on the wire
 * @hello_len:	its length
 * @ack:	whole HELLO ACK record
 * @ack_len:	its length
 */
void sdrp_transcript_hash(uint8_t th[SDRP_HASH_LEN], const uint8_t *hello,
			  size_t hello_len, const uint8_t *ack,
			  size_t ack_len);

/**
 * sdrp_kdf_epoch() - derive one epoch's keys and the next chain key
 * @keys:	keys->c2s, keys->s2c and keys->chain_key (= ck_{n+1}) are
 *		written; other fields are left alone
 * @ck:		ck_n (64 bytes); may alias keys->chain_key
 * @dh:		X25519 shared secret dh_n (32 bytes)
 * @th:		transcript hash th_n (64 bytes)
 *
 * PRK_n = Extract(ck_n, dh_n); every key = Expand(PRK_n, label || th_n).
 * PRK_n is wiped before returning.
 */
void sdrp_kdf_epoch(struct sdrp_keys *keys, const uint8_t ck[SDRP_CHAIN_KEY_LEN],
		    const uint8_t dh[SDRP_X25519_LEN],
		    const uint8_t th[SDRP_HASH_LEN]);

/**
 * sdrp_x25519_keypair() - a fresh X25519 key pair
 * @sk:		secret (32 bytes); wipe with sdrp_wipe() after use
 * @pk:		public (32 bytes)
 *
 * Return: 0; -EIO if libsodium failed.
 */
int sdrp_x25519_keypair(uint8_t sk[SDRP_X25519_LEN],
			uint8_t pk[SDRP_X25519_LEN]);

/**
 * sdrp_x25519_public() - public key of an X25519 secret
 * @pk:		output (32 bytes)
 * @sk:		secret (32 bytes)
 *
 * Return: 0; -EIO if libsodium failed.
 */
int sdrp_x25519_public(uint8_t pk[SDRP_X25519_LEN],
		       const uint8_t sk[SDRP_X25519_LEN]);

/**
 * sdrp_x25519() - X25519 shared secret
 * @dh:		output (32 bytes); wipe after use
 * @sk:		own secret
 * @peer_pk:	peer's public key
 *
 * Return: 0; -EKEYREJECTED if the result is all zero (low-order point).
 */
int sdrp_x25519(uint8_t dh[SDRP_X25519_LEN], const uint8_t sk[SDRP_X25519_LEN],
		const uint8_t peer_pk[SDRP_X25519_LEN]);

/* ------------------------------------------------------------------ */
/* Record protection                                                   */
/* ------------------------------------------------------------------ */

/*
 * One direction of one epoch, ready to seal or open records: the expanded
 * AES key, the IV, the HMAC key (precomputed) and the record counter.  A
 * clear cipher has only a hello MAC key and seals / opens clear records
 * (epoch 0).  Freed (and wiped) with sdrp_cipher_free().  A cipher (like
 * a handshake) is used by one thread at a time; distinct ones need no
 * locking.
 */
struct sdrp_cipher;

/**
 * sdrp_cipher_new() - cipher for protected records of one direction
 * @out:	the new cipher
 * @k:		that direction's keys (struct sdrp_keys.c2s or .s2c);
 *		copied, the caller keeps and wipes its own
 * @epoch:	epoch of the keys (header epoch of every record)
 * @counter:	next record counter (0 for a new epoch)
 *
 * Return: 0; -ENOMEM; -ENOSYS without AES-256-GCM support.
 */
int sdrp_cipher_new(struct sdrp_cipher **out, const struct sdrp_dir_keys *k,
		    uint32_t epoch, uint64_t counter);

/**
 * sdrp_cipher_new_clear() - cipher for clear records under a hello MAC key
 * @out:	the new cipher
 * @mac_key:	c2s or s2c hello MAC key (64 bytes); copied
 * @counter:	next clear record counter (0 for the first)
 *
 * Return: 0; -ENOMEM.
 */
int sdrp_cipher_new_clear(struct sdrp_cipher **out,
			  const uint8_t mac_key[SDRP_MAC_KEY_LEN],
			  uint64_t counter);

/**
 * sdrp_cipher_free() - wipe and free a cipher
 * @c:		cipher or NULL
 */
void sdrp_cipher_free(struct sdrp_cipher *c);

/**
 * sdrp_cipher_counter() - next record counter of a cipher
 * @c:		cipher
 */
uint64_t sdrp_cipher_counter(const struct sdrp_cipher *c);

/**
 * sdrp_cipher_set_counter() - set the next record counter
 * @c:		cipher
 * @counter:	value
 *
 * For handing a session over and for tests (replays); a sender must never
 * reuse a counter under one key.
 */
void sdrp_cipher_set_counter(struct sdrp_cipher *c, uint64_t counter);

/**
 * sdrp_cipher_epoch() - epoch of a cipher (0 for a clear cipher)
 * @c:		cipher
 */
uint32_t sdrp_cipher_epoch(const struct sdrp_cipher *c);

/**
 * sdrp_cipher_is_clear() - whether a cipher seals clear records
 * @c:		cipher
 *
 * Return: 1 for a clear cipher, 0 for a protected one.
 */
int sdrp_cipher_is_clear(const struct sdrp_cipher *c);

/**
 * sdrp_record_seal() - build a whole record: header | body | HMAC
 * @c:		sender's cipher; its counter is used and advanced
 * @m:		message; m->data may point into @out (ideally at
 *		sdrp_record_data_offset(), then nothing is copied)
 * @out:	output buffer
 * @cap:	its size (sdrp_msg_record_len() bytes are needed)
 *
 * Protected: body = AES-256-GCM(inner, aad = header) | tag, encrypted in
 * place in @out.  MAC = HMAC-SHA512(counter | header | body).  A clear
 * cipher writes a clear record (flag SDRP_HDR_F_CLEAR, epoch 0); only the
 * types of sdrp_type_may_be_clear() are allowed then.
 *
 * Return: the record length; -EINVAL (bad message, type not allowed in
 * clear), -EMSGSIZE (data too long), -ENOBUFS (@cap too small),
 * -EOVERFLOW (counter exhausted: SDRP_MAX_RECORDS_PER_EPOCH).
 */
ssize_t sdrp_record_seal(struct sdrp_cipher *c, const struct sdrp_msg *m,
			 uint8_t *out, size_t cap);

/**
 * sdrp_record_open() - verify and decrypt a whole record in place
 * @c:		receiver's cipher; its counter is used, and advanced only
 *		on success
 * @rec:	the record (header included); decrypted in place
 * @len:	exactly the record's length (SDRP_HDR_LEN + header length)
 * @m:		filled in; m->data points into @rec
 * @err:	reason on failure, may be NULL
 *
 * Order (Documentation/protocol.rst): header check, clear/protected
 * match, epoch, HMAC (constant time), GCM, inner layout.  seq and ttl are
 * the caller's (sdrp_check_seq(), sdrp_check_ttl()).  On failure @rec
 * may be partly decrypted and must be discarded.
 *
 * Return: 0; -EPROTO (header, TRUNCATED, TRAILING, CLEAR_MISMATCH,
 * BAD_EPOCH, inner layout); -EBADMSG (BAD_MAC, BAD_TAG).
 */
int sdrp_record_open(struct sdrp_cipher *c, uint8_t *rec, size_t len,
		     struct sdrp_msg *m, enum sdrp_err *err);

/* ------------------------------------------------------------------ */
/* RSA keys and signatures                                             */
/* ------------------------------------------------------------------ */

/* An RSA private key (OpenSSL EVP_PKEY underneath). */
struct sdrp_privkey;

/**
 * sdrp_privkey_generate() - generate an RSA key pair
 * @bits:	modulus size, SDRP_RSA_MIN_BITS..SDRP_RSA_MAX_BITS, multiple
 *		of 8; 0 for SDRP_DEFAULT_RSA_BITS
 * @out:	the new key, freed with sdrp_privkey_free()
 *
 * Return: 0; -EINVAL for a bad size; -ENOMEM; -EIO on OpenSSL failure.
 */
int sdrp_privkey_generate(unsigned int bits, struct sdrp_privkey **out);

/**
 * sdrp_privkey_from_pem() - parse a PKCS#8 (or PKCS#1) PEM RSA private key
 * @pem:	text
 * @len:	its length
 * @out:	the key
 *
 * Return: 0; -EINVAL if not an RSA private key of an allowed size
 * (unencrypted); -ENOMEM.
 */
int sdrp_privkey_from_pem(const char *pem, size_t len,
			  struct sdrp_privkey **out);

/**
 * sdrp_privkey_to_pem() - PKCS#8 PEM text of a private key
 * @k:		key
 * @pem:	set to a NUL-terminated malloc'd string; the caller wipes it
 *		(sdrp_wipe()) and frees it
 * @len:	set to its length without the NUL, may be NULL
 *
 * Return: 0; -ENOMEM; -EIO.
 */
int sdrp_privkey_to_pem(const struct sdrp_privkey *k, char **pem, size_t *len);

/**
 * sdrp_privkey_public_pem() - PEM "PUBLIC KEY" text of a key's public half
 * @k:		key
 * @pem:	set to a NUL-terminated malloc'd string (SubjectPublicKeyInfo,
 *		as "openssl pkey -pubout" writes); free()
 * @len:	set to its length without the NUL, may be NULL
 *
 * The input of sdrp_pubkey_from_pem(), for a CA that issues a certificate
 * without seeing the private key.
 *
 * Return: 0; -ENOMEM; -EIO.
 */
int sdrp_privkey_public_pem(const struct sdrp_privkey *k, char **pem,
			    size_t *len);

/**
 * sdrp_privkey_load() - read a PEM private key file
 * @path:	file name
 * @out:	the key
 *
 * Does not check the file mode: see sdrp_file_is_private().
 *
 * Return: 0; -errno of open/read; as sdrp_privkey_from_pem().
 */
int sdrp_privkey_load(const char *path, struct sdrp_privkey **out);

/**
 * sdrp_privkey_save() - write a private key as PEM, mode 0600
 * @k:		key
 * @path:	file name; must not exist (O_EXCL)
 *
 * Return: 0; -EEXIST; other -errno of open/write.
 */
int sdrp_privkey_save(const struct sdrp_privkey *k, const char *path);

/**
 * sdrp_privkey_free() - free a private key (OpenSSL clears it)
 * @k:		key or NULL
 */
void sdrp_privkey_free(struct sdrp_privkey *k);

/**
 * sdrp_privkey_bits() - modulus size of a key in bits
 * @k:		key
 */
unsigned int sdrp_privkey_bits(const struct sdrp_privkey *k);

/* An RSA public key (OpenSSL EVP_PKEY underneath). */
struct sdrp_pubkey;

/**
 * sdrp_pubkey_from_pem() - parse an RSA public key
 * @pem:	PEM "PUBLIC KEY" (SubjectPublicKeyInfo), or an armoured sdrp
 *		certificate whose key is taken (to re-certify it)
 * @len:	its length
 * @out:	the key, freed with sdrp_pubkey_free()
 *
 * Return: 0; -EINVAL if not an RSA key of an allowed size; -ENOMEM.
 */
int sdrp_pubkey_from_pem(const char *pem, size_t len,
			 struct sdrp_pubkey **out);

/**
 * sdrp_pubkey_load() - read a public key file (as sdrp_pubkey_from_pem())
 * @path:	file name
 * @out:	the key
 *
 * Return: 0; -errno of open/read; -EINVAL; -ENOMEM.
 */
int sdrp_pubkey_load(const char *path, struct sdrp_pubkey **out);

/**
 * sdrp_pubkey_free() - free a public key
 * @k:		key or NULL
 */
void sdrp_pubkey_free(struct sdrp_pubkey *k);

/**
 * sdrp_pubkey_bits() - modulus size of a public key in bits
 * @k:		key
 */
unsigned int sdrp_pubkey_bits(const struct sdrp_pubkey *k);

/**
 * sdrp_file_is_private() - whether a file is unreadable by group and others
 * @path:	file name (symbolic links are followed)
 *
 * For sdrpd, which refuses secret files readable by others.
 *
 * Return: 1 if private (no group/other permission bits), 0 if not,
 * -errno of stat().
 */
int sdrp_file_is_private(const char *path);

/**
 * sdrp_pss_sign() - RSA-PSS-SHA512 signature of a SHA-512 digest
 * @k:		private key
 * @digest:	SHA-512 of the signed bytes
 * @salt:	SDRP_PSS_SALT_LEN bytes of salt, or NULL for a random salt
 *		(a fixed salt exists for reproducible test vectors only)
 * @sig:	output, sdrp_privkey_bits() / 8 bytes
 * @cap:	size of @sig
 *
 * MGF1-SHA512, salt length 64 (RFC 8017 EMSA-PSS).
 *
 * Return: signature length; -ENOBUFS; -EIO.
 */
ssize_t sdrp_pss_sign(const struct sdrp_privkey *k,
		      const uint8_t digest[SDRP_HASH_LEN],
		      const uint8_t *salt, uint8_t *sig, size_t cap);

/* ------------------------------------------------------------------ */
/* Certificates                                                        */
/* ------------------------------------------------------------------ */

#define SDRP_CERT_MAGIC		"SDRC"
#define SDRP_CERT_VERSION	1
#define SDRP_CERT_KEY_RSA	1
#define SDRP_CERT_ARMOR_BEGIN	"-----BEGIN SDRP CERTIFICATE-----"
#define SDRP_CERT_ARMOR_END	"-----END SDRP CERTIFICATE-----"
/* Largest encoded certificate (RSA-8192 subject and issuer keys). */
#define SDRP_CERT_MAX_LEN	4096
/* Bytes of a certificate fingerprint (sdrp_cert_fingerprint()). */
#define SDRP_CERT_FINGERPRINT_LEN 16

/*
 * A parsed certificate.  Read-only for callers; the pointers point into
 * raw, which holds the encoded certificate.  Freed by sdrp_cert_free().
 */
struct sdrp_cert {
	uint64_t serial;
	uint64_t not_before;		/* Unix seconds, inclusive */
	uint64_t not_after;		/* Unix seconds, inclusive */
	char subject[SDRP_IDENTITY_MAX + 1];
	char issuer[SDRP_IDENTITY_MAX + 1];
	const uint8_t *n;		/* modulus, big-endian */
	size_t n_len;
	const uint8_t *e;		/* public exponent, big-endian */
	size_t e_len;
	const uint8_t *sig;		/* issuer's RSA-PSS signature */
	size_t sig_len;
	size_t signed_len;		/* raw[0..signed_len) is signed */
	uint8_t *raw;			/* encoded certificate */
	size_t raw_len;
	void *pkey;			/* library-private: public key */
};

/* What sdrp_cert_create() puts in a certificate. */
struct sdrp_cert_template {
	uint64_t serial;
	uint64_t not_before;		/* Unix seconds */
	uint64_t not_after;
	const char *subject;		/* identity, 1..255 chars 0x21..0x7e */
	const char *issuer;		/* the CA's subject; = subject for a
					 * self-signed CA certificate */
	const uint8_t *pss_salt;	/* NULL: random (test vectors only) */
};

/**
 * sdrp_identity_valid() - whether a string is a valid identity
 * @id:		NUL-terminated string
 *
 * Return: 1 if 1..255 bytes, all printable ASCII 0x21..0x7e; else 0.
 */
int sdrp_identity_valid(const char *id);

/**
 * sdrp_cert_create() - issue and sign a certificate
 * @t:		contents
 * @subject_key: key whose public part is certified
 * @issuer_key:	CA's private key (= @subject_key for a self-signed CA)
 * @out:	the new certificate
 *
 * Return: 0; -EINVAL (identity, validity order, key sizes); -ENOMEM;
 * -EIO on OpenSSL failure.
 */
int sdrp_cert_create(const struct sdrp_cert_template *t,
		     const struct sdrp_privkey *subject_key,
		     const struct sdrp_privkey *issuer_key,
		     struct sdrp_cert **out);

/**
 * sdrp_cert_create_pub() - issue a certificate for a public key
 * @t:		contents
 * @subject_key: the public key certified (its private half stays with
 *		its owner)
 * @issuer_key:	CA's private key
 * @out:	the new certificate
 *
 * Return: as sdrp_cert_create().
 */
int sdrp_cert_create_pub(const struct sdrp_cert_template *t,
			 const struct sdrp_pubkey *subject_key,
			 const struct sdrp_privkey *issuer_key,
			 struct sdrp_cert **out);

/**
 * sdrp_cert_random_serial() - a random serial number for a new certificate
 *
 * Return: a non-zero 63-bit value.
 */
uint64_t sdrp_cert_random_serial(void);

/**
 * sdrp_cert_fingerprint() - short digest identifying a certificate
 * @c:		certificate
 * @fp:		output: the first SDRP_CERT_FINGERPRINT_LEN bytes of
 *		SHA-512 over the encoded certificate (c->raw)
 *
 * For logs and listings (sdrpctl, sdrpd); not used by the protocol.
 */
void sdrp_cert_fingerprint(const struct sdrp_cert *c,
			   uint8_t fp[SDRP_CERT_FINGERPRINT_LEN]);

/**
 * sdrp_cert_key_bits() - modulus size of a certificate's key in bits
 * @c:		parsed certificate (its modulus has its top bit set)
 */
unsigned int sdrp_cert_key_bits(const struct sdrp_cert *c);

/**
 * sdrp_cert_parse() - parse an encoded certificate
 * @buf:	encoded certificate
 * @len:	exactly its length
 * @out:	the certificate (a copy; @buf is not referenced)
 * @err:	reason on failure, may be NULL
 *
 * Checks the encoding only, not the signature or validity.
 *
 * Return: 0; -EPROTO (CERT_* encoding reasons); -ENOMEM.
 */
int sdrp_cert_parse(const uint8_t *buf, size_t len, struct sdrp_cert **out,
		    enum sdrp_err *err);

/**
 * sdrp_cert_verify() - verify a certificate against the CA
 * @c:		certificate
 * @ca:		CA certificate (itself verified by sdrp_cert_verify(ca, ca,
 *		...) when loaded)
 * @identity:	expected subject, or NULL for any
 * @now_s:	current time, Unix seconds
 * @err:	reason on failure, may be NULL
 *
 * Order: issuer == CA subject, CA signature, validity, identity.
 *
 * Return: 0; -EKEYREJECTED (UNKNOWN_CA, CERT_SIGNATURE, IDENTITY);
 * -EKEYEXPIRED (CERT_EXPIRED, CERT_NOT_YET_VALID).
 */
int sdrp_cert_verify(const struct sdrp_cert *c, const struct sdrp_cert *ca,
		     const char *identity, uint64_t now_s, enum sdrp_err *err);

/**
 * sdrp_cert_verify_digest() - check an RSA-PSS-SHA512 signature by a
 * certificate's key
 * @c:		certificate of the signer
 * @digest:	SHA-512 of the signed bytes
 * @sig:	signature
 * @sig_len:	its length
 *
 * Return: 0 if valid; -EBADMSG if not.
 */
int sdrp_cert_verify_digest(const struct sdrp_cert *c,
			    const uint8_t digest[SDRP_HASH_LEN],
			    const uint8_t *sig, size_t sig_len);

/**
 * sdrp_cert_matches_key() - whether a certificate certifies a private key
 * @c:		certificate
 * @k:		private key
 *
 * Return: 1 if the public keys are equal, 0 if not.
 */
int sdrp_cert_matches_key(const struct sdrp_cert *c,
			  const struct sdrp_privkey *k);

/**
 * sdrp_cert_armor() - text armour of a certificate
 * @c:		certificate
 * @text:	set to a NUL-terminated malloc'd string (BEGIN line, base64
 *		in 64-column lines, END line, each ending in '\n'); free()
 * @len:	set to its length without the NUL, may be NULL
 *
 * Return: 0; -ENOMEM.
 */
int sdrp_cert_armor(const struct sdrp_cert *c, char **text, size_t *len);

/**
 * sdrp_cert_dearmor() - parse the text armour of a certificate
 * @text:	text (need not be NUL-terminated); text before BEGIN and
 *		after END is ignored
 * @len:	its length
 * @out:	the certificate
 * @err:	reason on failure, may be NULL
 *
 * Return: 0; -EPROTO (CERT_ARMOR or a CERT_* encoding reason); -ENOMEM.
 */
int sdrp_cert_dearmor(const char *text, size_t len, struct sdrp_cert **out,
		      enum sdrp_err *err);

/**
 * sdrp_cert_load() - read an armoured certificate file
 * @path:	file name
 * @out:	the certificate
 * @err:	reason on a format failure, may be NULL
 *
 * Return: 0; -errno of open/read; as sdrp_cert_dearmor().
 */
int sdrp_cert_load(const char *path, struct sdrp_cert **out,
		   enum sdrp_err *err);

/**
 * sdrp_cert_save() - write an armoured certificate file (mode 0644)
 * @c:		certificate
 * @path:	file name (replaced if it exists)
 *
 * Return: 0; -errno of open/write.
 */
int sdrp_cert_save(const struct sdrp_cert *c, const char *path);

/**
 * sdrp_cert_free() - free a certificate
 * @c:		certificate or NULL
 */
void sdrp_cert_free(struct sdrp_cert *c);

/* ------------------------------------------------------------------ */
/* s0 files                                                            */
/* ------------------------------------------------------------------ */

/**
 * sdrp_s0_generate() - a fresh random s0
 * @s0:		output (32 bytes from the CSPRNG); wipe after use
 *
 * Return: 0; -EIO if libsodium cannot initialise.
 */
int sdrp_s0_generate(uint8_t s0[SDRP_S0_LEN]);

/**
 * sdrp_s0_parse() - parse s0 text: 64 hex digits, optional final newline
 * @text:	text
 * @len:	its length
 * @s0:		output (32 bytes); wipe after use
 *
 * Return: 0; -EINVAL.
 */
int sdrp_s0_parse(const char *text, size_t len, uint8_t s0[SDRP_S0_LEN]);

/**
 * sdrp_s0_load() - read an s0 file
 * @path:	file name
 * @s0:		output (32 bytes); wipe after use
 *
 * Return: 0; -errno of open/read; -EINVAL for bad contents.
 */
int sdrp_s0_load(const char *path, uint8_t s0[SDRP_S0_LEN]);

/**
 * sdrp_s0_save() - write an s0 file (64 hex digits + newline), mode 0600
 * @path:	file name; must not exist (O_EXCL)
 * @s0:		the secret
 *
 * Return: 0; -EEXIST; other -errno of open/write.
 */
int sdrp_s0_save(const char *path, const uint8_t s0[SDRP_S0_LEN]);

/* ------------------------------------------------------------------ */
/* Initial handshake                                                   */
/* ------------------------------------------------------------------ */

/*
 * Payload (data field) of an initial HELLO / HELLO ACK:
 *   x25519_pub(32) | rekey_interval(4) | cert_len(2) | cert | sig_len(2) | sig
 */
struct sdrp_hello_payload {
	const uint8_t *x25519_pub;	/* 32 bytes */
	uint32_t rekey_interval;
	const uint8_t *cert;
	size_t cert_len;
	const uint8_t *sig;
	size_t sig_len;
	size_t signed_len;		/* bytes of the payload before sig */
};

/**
 * sdrp_hello_payload_decode() - split an initial HELLO / HELLO ACK payload
 * @data:	the message's data field
 * @len:	its length
 * @p:		filled in; pointers into @data
 * @err:	reason on failure, may be NULL
 *
 * Checks the layout only (lengths, interval != 0).
 *
 * Return: 0; -EPROTO (HELLO_SHORT, HELLO_CERT_LEN, HELLO_SIG_LEN,
 * HELLO_TRAILING, HELLO_INTERVAL).
 */
int sdrp_hello_payload_decode(const uint8_t *data, size_t len,
			      struct sdrp_hello_payload *p,
			      enum sdrp_err *err);

/* One pre-shared secret of a server and the client identities allowed to
 * use it. */
struct sdrp_psk {
	uint8_t s0[SDRP_S0_LEN];
	const char *const *identities;
	size_t n_identities;
};

/*
 * Everything one side needs for the initial handshake.  Pointers are
 * borrowed for the lifetime of the handshake object (the s0 values are
 * derived from at sdrp_hs_new() and not kept).
 */
struct sdrp_hs_config {
	enum sdrp_role role;
	const struct sdrp_privkey *key;		/* own RSA private key */
	const struct sdrp_cert *cert;		/* own certificate */
	const struct sdrp_cert *ca;		/* the CA's certificate */
	/* client */
	const uint8_t *s0;			/* shared with the server */
	const char *server_identity;		/* expected server subject */
	/* server: the secrets it shares, tried in order */
	const struct sdrp_psk *psks;
	size_t n_psks;
	uint32_t rekey_interval;	/* client: proposal; server: maximum;
					 * 0: SDRP_DEFAULT_REKEY_INTERVAL */
	uint32_t ttl_ms;		/* 0: SDRP_DEFAULT_TTL_MS */
	uint32_t clock_skew_ms;		/* 0: SDRP_DEFAULT_CLOCK_SKEW_MS */
	/*
	 * Optional fixed values, for test vectors and for key pairs
	 * prepared ahead: NULL draws them at random.
	 */
	const uint8_t *x25519_sk;		/* 32 bytes */
	const uint64_t *initial_seq;		/* client's HELLO seq */
	const uint8_t *pss_salt;		/* 64 bytes */
};

/* Outcome of a successful initial handshake, identical on both sides
 * except keys.role and peer_identity. */
struct sdrp_hs_result {
	struct sdrp_keys keys;		/* epoch 0, seqs after HELLO ACK,
					 * counters 0, chain_key = ck_1 */
	uint8_t transcript_hash[SDRP_HASH_LEN];	/* th_0 */
	uint32_t rekey_interval;	/* agreed */
	char peer_identity[SDRP_IDENTITY_MAX + 1];
};

/* State of one side of an initial handshake. */
struct sdrp_hs;

/**
 * sdrp_hs_new() - prepare one side of an initial handshake
 * @out:	the handshake, freed with sdrp_hs_free()
 * @cfg:	credentials and parameters (see struct sdrp_hs_config)
 *
 * Return: 0; -EINVAL (missing credential, bad identity, key not matching
 * its certificate, no s0 / psk for the role); -ENOMEM.
 */
int sdrp_hs_new(struct sdrp_hs **out, const struct sdrp_hs_config *cfg);

/**
 * sdrp_hs_free() - wipe and free a handshake
 * @hs:		handshake or NULL
 */
void sdrp_hs_free(struct sdrp_hs *hs);

/**
 * sdrp_hs_client_hello() - client: build the initial HELLO record
 * @hs:		client handshake, fresh
 * @now_ms:	sender clock (ttl = now_ms + ttl window)
 * @out:	output buffer
 * @cap:	its size (SDRP_HDR_LEN + SDRP_MAX_HELLO_DATA + 80 always fits)
 *
 * Return: record length; -EINVAL (wrong role or state); -ENOBUFS; -EIO.
 */
ssize_t sdrp_hs_client_hello(struct sdrp_hs *hs, uint64_t now_ms,
			     uint8_t *out, size_t cap);

/**
 * sdrp_hs_server_hello() - server: check the HELLO, build the HELLO ACK
 * @hs:		server handshake, fresh
 * @hello:	the whole HELLO record received
 * @hello_len:	its length
 * @now_ms:	receiver clock
 * @out:	output buffer for the HELLO ACK record
 * @cap:	its size
 * @res:	filled in on success: epoch 0 keys (role server) etc.
 * @err:	reason on failure, may be NULL
 *
 * Checks in order: header and layout, MAC under each psk's c2s hello key
 * (none matches: BAD_MAC), certificate (CA, signature, validity),
 * identity in that psk's list, HELLO signature, ttl.  After a failure
 * past the MAC check, sdrp_hs_clear_tx() gives the cipher for a clear
 * CLOSE.
 *
 * Return: length of the HELLO ACK; -EPROTO (malformed, UNEXPECTED_TYPE);
 * -EBADMSG (BAD_MAC: s0 mismatch or tampering; HELLO_SIGNATURE);
 * -EKEYREJECTED; -EKEYEXPIRED; -ETIME; -ENOBUFS; -EINVAL (state).
 */
ssize_t sdrp_hs_server_hello(struct sdrp_hs *hs, const uint8_t *hello,
			     size_t hello_len, uint64_t now_ms, uint8_t *out,
			     size_t cap, struct sdrp_hs_result *res,
			     enum sdrp_err *err);

/**
 * sdrp_hs_client_finish() - client: check the HELLO ACK, derive epoch 0
 * @hs:		client handshake after sdrp_hs_client_hello()
 * @ack:	the whole HELLO ACK record received
 * @ack_len:	its length
 * @now_ms:	receiver clock
 * @res:	filled in on success (role client)
 * @err:	reason on failure, may be NULL
 *
 * Checks in order: header and layout, MAC under the s2c hello key,
 * certificate (CA, signature, validity), server identity, signature
 * (which also binds the HELLO), ttl, seq == HELLO's seq, agreed interval.
 * The client then sends ACK with the epoch 0 keys.
 *
 * Return: 0; errors as sdrp_hs_server_hello(), plus -EPROTO for BAD_SEQ
 * and HELLO_INTERVAL.
 */
int sdrp_hs_client_finish(struct sdrp_hs *hs, const uint8_t *ack,
			  size_t ack_len, uint64_t now_ms,
			  struct sdrp_hs_result *res, enum sdrp_err *err);

/**
 * sdrp_hs_clear_tx() - cipher for this side's clear records
 * @hs:		handshake
 *
 * Seals clear CLOSE / CLOSE ACK / CLOSED WITHOUT ACK before epoch 0 keys
 * exist, continuing the clear record counter after the HELLO (ACK).
 *
 * Return: the cipher (owned by @hs), NULL if unknown yet (server before
 * a HELLO matched one of its psks).
 */
struct sdrp_cipher *sdrp_hs_clear_tx(struct sdrp_hs *hs);

/**
 * sdrp_hs_clear_rx() - cipher for the peer's clear records
 * @hs:		handshake
 *
 * Opens a clear CLOSE / CLOSE ACK / CLOSED WITHOUT ACK from the peer; its
 * counter continues after the HELLO (ACK) received.
 *
 * Return: the cipher (owned by @hs), NULL if unknown yet.
 */
struct sdrp_cipher *sdrp_hs_clear_rx(struct sdrp_hs *hs);

/* ------------------------------------------------------------------ */
/* Rekey                                                               */
/* ------------------------------------------------------------------ */

/**
 * sdrp_rekey_pub() - the X25519 public key of a rekey HELLO / HELLO ACK
 * @m:		opened message (type HELLO or HELLO ACK, protected)
 * @pub:	set to point at the 32-byte key in m->data
 * @err:	reason on failure, may be NULL
 *
 * Return: 0; -EPROTO (UNEXPECTED_TYPE, REKEY_LEN).
 */
int sdrp_rekey_pub(const struct sdrp_msg *m, const uint8_t **pub,
		   enum sdrp_err *err);

/**
 * sdrp_rekey_derive() - move a struct sdrp_keys from epoch n to n + 1
 * @keys:	in: epoch n, chain_key = ck_{n+1}; out: epoch n + 1 keys,
 *		chain_key = ck_{n+2}, both record counters 0; role and seqs
 *		are kept (the caller advances seqs as messages pass)
 * @own_sk:	own fresh X25519 secret of this rekey
 * @peer_pk:	peer's public key from its rekey HELLO / HELLO ACK
 * @hello:	whole rekey HELLO record (wire bytes)
 * @hello_len:	its length
 * @ack:	whole rekey HELLO ACK record
 * @ack_len:	its length
 * @err:	reason on failure, may be NULL
 *
 * Old keys and every intermediate are wiped.  On failure @keys is
 * unchanged.
 *
 * Return: 0; -EPROTO (REKEY_WEAK_DH: all-zero X25519 result);
 * -EOVERFLOW if the epoch counter is exhausted.
 */
int sdrp_rekey_derive(struct sdrp_keys *keys, const uint8_t own_sk[SDRP_X25519_LEN],
		      const uint8_t peer_pk[SDRP_X25519_LEN],
		      const uint8_t *hello, size_t hello_len,
		      const uint8_t *ack, size_t ack_len, enum sdrp_err *err);

#ifdef __cplusplus
}
#endif

#endif /* _SDRP_SDRP_H */
