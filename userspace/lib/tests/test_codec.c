// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Codec: inner plaintext round trips for all ten messages, every header,
 * inner, HELLO payload and rekey payload refusal, the seq and ttl rules,
 * and the reason -> errno / close reason tables.  Decoders run on
 * exact-size heap copies so that ASan catches any read past the input.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const type_names[] = {
	NULL, "HELLO", "HELLO ACK", "ACK", "DATA REQUEST", "DATA RESPONSE",
	"DATA ACK", "RESEND LAST", "CLOSE", "CLOSE ACK", "CLOSED WITHOUT ACK",
};

/* Decode a heap copy of exactly @len bytes. */
static int inner_decode_exact(unsigned int type, const uint8_t *in, size_t len,
			      struct sdrp_msg *m, enum sdrp_err *err)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, in, len);
	rc = sdrp_inner_decode(type, copy, len, m, err);
	/* m->data points into the copy: compare before freeing. */
	if (!rc && m->data_len) {
		static uint8_t keep[SDRP_MAX_INNER];

		memcpy(keep, m->data, m->data_len);
		m->data = keep;
	}
	free(copy);
	return rc;
}

static void test_roundtrips(void)
{
	static uint8_t buf[SDRP_MAX_INNER + 16], data[SDRP_MAX_DATA];
	unsigned int type;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	for (type = SDRP_MSG_HELLO; type <= SDRP_MSG_TYPE_MAX; type++) {
		size_t max = sdrp_type_max_data(type);
		size_t lens[] = { 0, 1, 100, max };
		size_t j;

		for (j = 0; j < 4; j++) {
			struct sdrp_msg m = {
				.type = type, .seq = 0x0102030405060708ULL,
				.ttl = sdrp_type_has_ttl(type) ? 0x1112131415161718ULL : 0,
				.nonce = sdrp_type_has_nonce(type) ? 0xfffffffffffffffeULL : 0,
				.data = data, .data_len = lens[j],
			}, d;
			enum sdrp_err err;
			ssize_t n;

			if (lens[j] > max || (j && lens[j] == lens[j - 1]))
				continue;
			n = sdrp_inner_encode(&m, buf, sizeof(buf));
			if (!OK(n == (ssize_t)sdrp_msg_inner_len(&m),
				"%s data %zu: encode length", type_names[type],
				lens[j]))
				continue;
			OK(sdrp_msg_record_len(&m, 0) ==
			   (size_t)n + SDRP_HDR_LEN + SDRP_GCM_TAG_LEN + SDRP_MAC_LEN &&
			   sdrp_msg_record_len(&m, 1) ==
			   (size_t)n + SDRP_HDR_LEN + SDRP_MAC_LEN,
			   "%s data %zu: record lengths", type_names[type], lens[j]);
			OK(!inner_decode_exact(type, buf, (size_t)n, &d, &err) &&
			   d.type == type && d.seq == m.seq && d.ttl == m.ttl &&
			   d.nonce == m.nonce && d.data_len == m.data_len &&
			   (!d.data_len || !memcmp(d.data, data, d.data_len)),
			   "%s data %zu: decode round trip", type_names[type],
			   lens[j]);
		}
		/* Byte layout: seq | ttl | nonce | data, big-endian. */
		{
			struct sdrp_msg m = {
				.type = type, .seq = 1, .ttl = 2, .nonce = 3,
			};
			uint8_t want[24] = { [7] = 1 };
			size_t w = 8;

			if (sdrp_type_has_ttl(type))
				want[w += 8, w - 1] = 2;
			if (sdrp_type_has_nonce(type))
				want[w += 8, w - 1] = 3;
			if (!sdrp_type_has_ttl(type))
				m.ttl = 0;
			if (!sdrp_type_has_nonce(type))
				m.nonce = 0;
			IS(sdrp_inner_encode(&m, buf, sizeof(buf)), (long)w,
			   "%s: fixed length", type_names[type]);
			OK(!memcmp(buf, want, w), "%s: fixed fields big-endian",
			   type_names[type]);
			IS(sdrp_record_data_offset(type), SDRP_HDR_LEN + w,
			   "%s: data offset", type_names[type]);
		}
	}
}

static void test_encode_errors(void)
{
	uint8_t buf[64], data[4] = { 1, 2, 3, 4 };
	struct sdrp_msg m = { .type = SDRP_MSG_ACK, .nonce = 0 };

	IS(sdrp_inner_encode(&m, buf, sizeof(buf)), -EINVAL,
	   "encode: zero nonce refused");
	m = (struct sdrp_msg){ .type = 0 };
	IS(sdrp_inner_encode(&m, buf, sizeof(buf)), -EINVAL,
	   "encode: type 0 refused");
	m.type = SDRP_MSG_TYPE_MAX + 1;
	IS(sdrp_inner_encode(&m, buf, sizeof(buf)), -EINVAL,
	   "encode: type 11 refused");
	m = (struct sdrp_msg){ .type = SDRP_MSG_CLOSE, .data = data,
			       .data_len = 4 };
	IS(sdrp_inner_encode(&m, buf, sizeof(buf)), -EINVAL,
	   "encode: data on CLOSE refused");
	m = (struct sdrp_msg){ .type = SDRP_MSG_DATA_REQUEST, .data = data,
			       .data_len = SDRP_MAX_DATA + 1 };
	IS(sdrp_inner_encode(&m, buf, sizeof(buf)), -EMSGSIZE,
	   "encode: data above SDRP_MAX_DATA refused");
	m = (struct sdrp_msg){ .type = SDRP_MSG_HELLO, .data = data,
			       .data_len = SDRP_MAX_HELLO_DATA + 1 };
	IS(sdrp_inner_encode(&m, buf, sizeof(buf)), -EMSGSIZE,
	   "encode: HELLO data above SDRP_MAX_HELLO_DATA refused");
	m = (struct sdrp_msg){ .type = SDRP_MSG_DATA_REQUEST, .data = data,
			       .data_len = 4 };
	IS(sdrp_inner_encode(&m, buf, 19), -ENOBUFS,
	   "encode: short buffer refused");
	IS(sdrp_inner_encode(&m, buf, 20), 20, "encode: exact buffer fits");
	m = (struct sdrp_msg){ .type = SDRP_MSG_DATA_REQUEST, .data = NULL,
			       .data_len = 4 };
	IS(sdrp_inner_encode(&m, buf, sizeof(buf)), -EINVAL,
	   "encode: NULL data with a length refused");
	/* Data already in place (zero copy) is kept. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 16, "abcd", 4);
	m = (struct sdrp_msg){ .type = SDRP_MSG_DATA_REQUEST, .seq = 9,
			       .ttl = 8, .data = buf + 16, .data_len = 4 };
	OK(sdrp_inner_encode(&m, buf, sizeof(buf)) == 20 &&
	   !memcmp(buf + 16, "abcd", 4) && buf[7] == 9 && buf[15] == 8,
	   "encode: data in place is not disturbed");
}

static void expect_inner(unsigned int type, const uint8_t *in, size_t len,
			 enum sdrp_err want, const char *what)
{
	enum sdrp_err err = SDRP_ERR_NONE;
	struct sdrp_msg m;
	int rc = inner_decode_exact(type, in, len, &m, &err);

	OK(rc == -EPROTO && err == want, "inner %s: %s (%s)", what,
	   sdrp_err_name(want), sdrp_err_name(err));
}

static void test_inner_errors(void)
{
	static uint8_t in[SDRP_MAX_INNER + 2];
	unsigned int type;

	memset(in, 0x5a, sizeof(in));
	for (type = SDRP_MSG_HELLO; type <= SDRP_MSG_TYPE_MAX; type++) {
		size_t fixed = sdrp_inner_fixed_len(type), len;
		enum sdrp_err err;
		struct sdrp_msg m;
		int bad = 0;

		/* Every length below the fixed part. */
		for (len = 0; len < fixed; len++)
			if (inner_decode_exact(type, in, len, &m, &err) != -EPROTO ||
			    err != SDRP_ERR_INNER_SHORT)
				bad++;
		OK(!bad, "inner %s: every short length is INNER_SHORT",
		   type_names[type]);
		if (!sdrp_type_has_data(type))
			expect_inner(type, in, fixed + 1, SDRP_ERR_INNER_EXTRA,
				     type_names[type]);
		else
			expect_inner(type, in, fixed + sdrp_type_max_data(type) + 1,
				     SDRP_ERR_DATA_TOO_LONG, type_names[type]);
	}
	memset(in, 0, 24);
	expect_inner(SDRP_MSG_ACK, in, 24, SDRP_ERR_ZERO_NONCE, "ACK");
	expect_inner(SDRP_MSG_DATA_ACK, in, 24, SDRP_ERR_ZERO_NONCE, "DATA ACK");
	expect_inner(0, in, 24, SDRP_ERR_BAD_TYPE, "type 0");
	expect_inner(11, in, 24, SDRP_ERR_BAD_TYPE, "type 11");
}

static void expect_hdr(const uint8_t *h, size_t len, enum sdrp_err want,
		       const char *what)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct sdrp_rec_hdr d;
	enum sdrp_err err = SDRP_ERR_NONE;
	int rc;

	memcpy(copy, h, len);
	rc = sdrp_rec_hdr_decode(copy, len, &d, &err);
	free(copy);
	OK(rc == -EPROTO && err == want, "header %s: %s (%s)", what,
	   sdrp_err_name(want), sdrp_err_name(err));
}

static void hdr(uint8_t *h, unsigned int type, unsigned int flags,
		uint32_t epoch, uint32_t len)
{
	sdrp_hdr_build((struct sdrp_hdr *)h, type, flags, epoch, len);
}

static void test_header(void)
{
	uint8_t h[SDRP_HDR_LEN];
	struct sdrp_rec_hdr d;
	enum sdrp_err err;
	size_t len;
	unsigned int type;

	hdr(h, SDRP_MSG_DATA_RESPONSE, 0, 0x01020304, 200);
	OK(!sdrp_rec_hdr_decode(h, sizeof(h), &d, &err) &&
	   d.type == SDRP_MSG_DATA_RESPONSE && d.flags == 0 &&
	   d.epoch == 0x01020304 && d.length == 200 && err == SDRP_ERR_NONE,
	   "header: decode");
	OK(h[0] == 1 && h[1] == 5 && h[2] == 0 && h[3] == 0 && h[4] == 1 &&
	   h[7] == 4 && h[11] == 200, "header: byte layout");
	for (len = 0; len < SDRP_HDR_LEN; len++)
		expect_hdr(h, len, SDRP_ERR_SHORT_HEADER, "short");
	h[0] = 2;
	expect_hdr(h, sizeof(h), SDRP_ERR_BAD_VERSION, "version 2");
	h[0] = 0;
	expect_hdr(h, sizeof(h), SDRP_ERR_BAD_VERSION, "version 0");
	hdr(h, 0, 0, 0, 200);
	expect_hdr(h, sizeof(h), SDRP_ERR_BAD_TYPE, "type 0");
	hdr(h, 11, 0, 0, 200);
	expect_hdr(h, sizeof(h), SDRP_ERR_BAD_TYPE, "type 11");
	hdr(h, SDRP_MSG_DATA_RESPONSE, 0, 0, 200);
	h[3] = 1;
	expect_hdr(h, sizeof(h), SDRP_ERR_BAD_RESERVED, "reserved byte");
	hdr(h, SDRP_MSG_DATA_RESPONSE, 0x02, 0, 200);
	expect_hdr(h, sizeof(h), SDRP_ERR_BAD_RESERVED, "unknown flag");
	for (type = SDRP_MSG_HELLO; type <= SDRP_MSG_TYPE_MAX; type++) {
		unsigned int fixed = sdrp_inner_fixed_len(type);
		uint32_t min_p = sdrp_record_body_len(fixed, 1);
		uint32_t max_p = sdrp_record_body_len(fixed + sdrp_type_max_data(type), 1);
		uint32_t min_c = sdrp_record_body_len(fixed, 0);
		uint32_t max_c = sdrp_record_body_len(fixed + sdrp_type_max_data(type), 0);

		hdr(h, type, 0, 0, min_p);
		OK(!sdrp_rec_hdr_decode(h, sizeof(h), &d, NULL),
		   "header %s: minimum length accepted", type_names[type]);
		hdr(h, type, 0, 0, max_p);
		OK(!sdrp_rec_hdr_decode(h, sizeof(h), &d, NULL),
		   "header %s: maximum length accepted", type_names[type]);
		hdr(h, type, 0, 0, min_p - 1);
		expect_hdr(h, sizeof(h), SDRP_ERR_LEN_TOO_SHORT, type_names[type]);
		hdr(h, type, 0, 0, max_p + 1);
		expect_hdr(h, sizeof(h), SDRP_ERR_LEN_TOO_LONG, type_names[type]);
		hdr(h, type, SDRP_HDR_F_CLEAR, 0, min_c);
		if (sdrp_type_may_be_clear(type)) {
			OK(!sdrp_rec_hdr_decode(h, sizeof(h), &d, NULL),
			   "header %s: clear accepted", type_names[type]);
			hdr(h, type, SDRP_HDR_F_CLEAR, 0, min_c - 1);
			expect_hdr(h, sizeof(h), SDRP_ERR_LEN_TOO_SHORT,
				   "clear too short");
			hdr(h, type, SDRP_HDR_F_CLEAR, 0, max_c + 1);
			expect_hdr(h, sizeof(h), SDRP_ERR_LEN_TOO_LONG,
				   "clear too long");
		} else {
			expect_hdr(h, sizeof(h), SDRP_ERR_BAD_CLEAR,
				   type_names[type]);
		}
	}
}

/* Build a HELLO payload: pub | interval | cert_len | cert | sig_len | sig */
static size_t hello_payload(uint8_t *p, uint32_t interval, size_t cert_len,
			    size_t sig_len)
{
	size_t off = 0;

	memset(p, 0x11, 32);
	off = 32;
	sdrp_put_be32(p + off, interval);
	off += 4;
	p[off++] = (uint8_t)(cert_len >> 8);
	p[off++] = (uint8_t)cert_len;
	memset(p + off, 0x22, cert_len);
	off += cert_len;
	p[off++] = (uint8_t)(sig_len >> 8);
	p[off++] = (uint8_t)sig_len;
	memset(p + off, 0x33, sig_len);
	return off + sig_len;
}

static void expect_hello(const uint8_t *p, size_t len, enum sdrp_err want,
			 const char *what)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct sdrp_hello_payload d;
	enum sdrp_err err = SDRP_ERR_NONE;
	int rc;

	memcpy(copy, p, len);
	rc = sdrp_hello_payload_decode(copy, len, &d, &err);
	free(copy);
	OK(rc == -EPROTO && err == want, "hello payload %s: %s (%s)", what,
	   sdrp_err_name(want), sdrp_err_name(err));
}

static void test_hello_payload(void)
{
	uint8_t p[600];
	struct sdrp_hello_payload d;
	size_t len = hello_payload(p, 10, 300, 256), l;
	int bad = 0;

	OK(!sdrp_hello_payload_decode(p, len, &d, NULL) &&
	   d.rekey_interval == 10 && d.cert_len == 300 && d.cert == p + 38 &&
	   d.sig_len == 256 && d.sig == p + 340 && d.signed_len == 340 &&
	   d.x25519_pub == p, "hello payload: decode");
	for (l = 0; l < 38; l++) {
		enum sdrp_err err;

		if (sdrp_hello_payload_decode(p, l, &d, &err) != -EPROTO ||
		    err != SDRP_ERR_HELLO_SHORT)
			bad++;
	}
	OK(!bad, "hello payload: every cut in the fixed part is HELLO_SHORT");
	expect_hello(p, 38 + 299, SDRP_ERR_HELLO_CERT_LEN, "cert cut");
	expect_hello(p, 38 + 301, SDRP_ERR_HELLO_SHORT, "sig_len cut");
	expect_hello(p, len - 1, SDRP_ERR_HELLO_SIG_LEN, "sig cut");
	len = hello_payload(p, 10, 0, 256);
	expect_hello(p, len, SDRP_ERR_HELLO_CERT_LEN, "cert_len 0");
	len = hello_payload(p, 10, 300, 0);
	expect_hello(p, len, SDRP_ERR_HELLO_SIG_LEN, "sig_len 0");
	len = hello_payload(p, 10, 300, 256);
	expect_hello(p, len + 1, SDRP_ERR_HELLO_TRAILING, "trailing byte");
	len = hello_payload(p, 0, 300, 256);
	expect_hello(p, len, SDRP_ERR_HELLO_INTERVAL, "interval 0");
}

static void test_rekey_pub(void)
{
	uint8_t pk[33] = { 0 };
	struct sdrp_msg m = { .type = SDRP_MSG_HELLO, .data = pk, .data_len = 32 };
	const uint8_t *pub;
	enum sdrp_err err;

	OK(!sdrp_rekey_pub(&m, &pub, &err) && pub == pk, "rekey pub: HELLO");
	m.type = SDRP_MSG_HELLO_ACK;
	OK(!sdrp_rekey_pub(&m, &pub, &err) && pub == pk, "rekey pub: HELLO ACK");
	m.data_len = 33;
	OK(sdrp_rekey_pub(&m, &pub, &err) == -EPROTO &&
	   err == SDRP_ERR_REKEY_LEN, "rekey pub: 33 bytes is REKEY_LEN");
	m.data_len = 31;
	OK(sdrp_rekey_pub(&m, &pub, &err) == -EPROTO &&
	   err == SDRP_ERR_REKEY_LEN, "rekey pub: 31 bytes is REKEY_LEN");
	m.type = SDRP_MSG_DATA_RESPONSE;
	m.data_len = 32;
	OK(sdrp_rekey_pub(&m, &pub, &err) == -EPROTO &&
	   err == SDRP_ERR_UNEXPECTED_TYPE, "rekey pub: other type refused");
}

static void test_seq_ttl(void)
{
	struct sdrp_msg m = { .type = SDRP_MSG_DATA_REQUEST, .seq = 41 };
	const uint64_t now = 1767225600000ULL;
	enum sdrp_err err;

	OK(!sdrp_check_seq(&m, 41, &err) && err == SDRP_ERR_NONE, "seq: equal");
	OK(sdrp_check_seq(&m, 42, &err) == -EPROTO && err == SDRP_ERR_BAD_SEQ,
	   "seq: different is BAD_SEQ");
	IS(sdrp_seq_next(&m), 42, "seq: DATA REQUEST advances by 1");
	m = (struct sdrp_msg){ .type = SDRP_MSG_ACK, .seq = UINT64_MAX - 1,
			       .nonce = 5 };
	IS(sdrp_seq_next(&m) == 3, 1, "seq: ACK advances by its nonce mod 2^64");
	m.type = SDRP_MSG_DATA_ACK;
	m.seq = 10;
	IS(sdrp_seq_next(&m), 15, "seq: DATA ACK advances by its nonce");
	m = (struct sdrp_msg){ .type = SDRP_MSG_CLOSE_ACK, .seq = UINT64_MAX };
	IS(sdrp_seq_next(&m) == 0, 1, "seq: wraps mod 2^64");

	m = (struct sdrp_msg){ .type = SDRP_MSG_DATA_RESPONSE, .ttl = now };
	OK(!sdrp_check_ttl(&m, now, 0, 0, &err), "ttl: equal to now accepted");
	m.ttl = now - 1;
	OK(sdrp_check_ttl(&m, now, 0, 0, &err) == -ETIME &&
	   err == SDRP_ERR_STALE_TTL, "ttl: 1 ms in the past is STALE_TTL");
	m.ttl = now + 30000;
	OK(!sdrp_check_ttl(&m, now, 0, 0, &err),
	   "ttl: now + window + skew accepted");
	m.ttl = now + 30001;
	OK(sdrp_check_ttl(&m, now, 0, 0, &err) == -ETIME &&
	   err == SDRP_ERR_FUTURE_TTL, "ttl: beyond window + skew is FUTURE_TTL");
	OK(!sdrp_check_ttl(&m, now, 25000, 5001, &err),
	   "ttl: a larger skew accepts it");
	m.ttl = now + 1001;
	OK(sdrp_check_ttl(&m, now, 500, 500, &err) == -ETIME &&
	   err == SDRP_ERR_FUTURE_TTL, "ttl: configured window and skew apply");
	m = (struct sdrp_msg){ .type = SDRP_MSG_CLOSED_NO_ACK, .ttl = 0 };
	OK(!sdrp_check_ttl(&m, now, 0, 0, &err),
	   "ttl: CLOSED WITHOUT ACK has none to check");
	m = (struct sdrp_msg){ .type = SDRP_MSG_ACK, .ttl = UINT64_MAX };
	OK(!sdrp_check_ttl(&m, UINT64_MAX - 10, 0, 0, &err),
	   "ttl: no overflow near the end of time");
}

static void test_err_tables(void)
{
	int e, dup = 0, unknown = 0, bad = 0;

	for (e = 1; e <= SDRP_ERR_MAX; e++) {
		int f;

		if (!strcmp(sdrp_err_name(e), "unknown") || !sdrp_err_name(e))
			unknown++;
		for (f = 1; f < e; f++)
			if (!strcmp(sdrp_err_name(e), sdrp_err_name(f)))
				dup++;
		if (!sdrp_err_errno(e) ||
		    sdrp_err_close_reason(e) == SDRP_CLOSE_NONE)
			bad++;
	}
	OK(!unknown && !dup, "errors: every reason has its own name");
	OK(!bad, "errors: every reason has an errno and a close reason");
	IS(sdrp_err_errno(SDRP_ERR_NONE), 0, "errors: NONE has no errno");
	IS(sdrp_err_errno(SDRP_ERR_MAX + 1), EINVAL, "errors: out of range");
	IS(sdrp_err_errno(SDRP_ERR_BAD_MAC), EBADMSG, "errno: BAD_MAC");
	IS(sdrp_err_errno(SDRP_ERR_BAD_TAG), EBADMSG, "errno: BAD_TAG");
	IS(sdrp_err_errno(SDRP_ERR_HELLO_SIGNATURE), EBADMSG,
	   "errno: HELLO_SIGNATURE");
	IS(sdrp_err_errno(SDRP_ERR_UNKNOWN_CA), EKEYREJECTED, "errno: UNKNOWN_CA");
	IS(sdrp_err_errno(SDRP_ERR_IDENTITY), EKEYREJECTED, "errno: IDENTITY");
	IS(sdrp_err_errno(SDRP_ERR_CERT_SIGNATURE), EKEYREJECTED,
	   "errno: CERT_SIGNATURE");
	IS(sdrp_err_errno(SDRP_ERR_CERT_EXPIRED), EKEYEXPIRED,
	   "errno: CERT_EXPIRED");
	IS(sdrp_err_errno(SDRP_ERR_CERT_NOT_YET_VALID), EKEYEXPIRED,
	   "errno: CERT_NOT_YET_VALID");
	IS(sdrp_err_errno(SDRP_ERR_STALE_TTL), ETIME, "errno: STALE_TTL");
	IS(sdrp_err_errno(SDRP_ERR_INNER_EXTRA), EPROTO, "errno: malformed");
	IS(sdrp_err_close_reason(SDRP_ERR_BAD_EPOCH), SDRP_CLOSE_OLD_EPOCH,
	   "close reason: BAD_EPOCH is OLD_EPOCH");
	IS(sdrp_err_close_reason(SDRP_ERR_BAD_TAG), SDRP_CLOSE_BAD_MAC,
	   "close reason: BAD_TAG is BAD_MAC");
	IS(sdrp_err_close_reason(SDRP_ERR_BAD_SEQ), SDRP_CLOSE_BAD_SEQ,
	   "close reason: BAD_SEQ");
	IS(sdrp_err_close_reason(SDRP_ERR_FUTURE_TTL), SDRP_CLOSE_FUTURE_TTL,
	   "close reason: FUTURE_TTL");
	IS(sdrp_err_close_reason(SDRP_ERR_UNEXPECTED_TYPE), SDRP_CLOSE_BAD_TYPE,
	   "close reason: UNEXPECTED_TYPE is BAD_TYPE");
	IS(sdrp_err_close_reason(SDRP_ERR_CERT_EXPIRED), SDRP_CLOSE_AUTH,
	   "close reason: auth failures are AUTH");
	IS(sdrp_err_close_reason(SDRP_ERR_TRAILING), SDRP_CLOSE_MALFORMED,
	   "close reason: layout errors are MALFORMED");
	IS(sdrp_err_close_reason(SDRP_ERR_REKEY_WEAK_DH), SDRP_CLOSE_MALFORMED,
	   "close reason: rekey weak DH is MALFORMED");
}

int main(void)
{
	if (sdrp_init())
		tap_bail("sdrp_init failed");
	test_roundtrips();
	test_encode_errors();
	test_inner_errors();
	test_header();
	test_hello_payload();
	test_rekey_pub();
	test_seq_ttl();
	test_err_tables();
	return tap_done();
}
