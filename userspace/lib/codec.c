// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Message codec: inner plaintext encode/decode, record header parsing, and
 * the seq and ttl rules.  Every layout constant comes from <sdrp/wire.h>.
 */
#include <string.h>

#include "internal.h"

size_t sdrp_msg_inner_len(const struct sdrp_msg *m)
{
	if (!sdrp_type_valid(m->type))
		return 0;
	return sdrp_inner_fixed_len(m->type) +
	       (sdrp_type_has_data(m->type) ? m->data_len : 0);
}

size_t sdrp_msg_record_len(const struct sdrp_msg *m, int clear)
{
	size_t inner = sdrp_msg_inner_len(m);

	if (!inner)
		return 0;
	return SDRP_HDR_LEN + inner + (clear ? 0 : SDRP_GCM_TAG_LEN) +
	       SDRP_MAC_LEN;
}

size_t sdrp_record_data_offset(unsigned int type)
{
	return SDRP_HDR_LEN + sdrp_inner_fixed_len(type);
}

ssize_t sdrp_inner_encode(const struct sdrp_msg *m, uint8_t *out, size_t cap)
{
	size_t fixed, len;
	uint8_t *p = out;

	if (!sdrp_type_valid(m->type))
		return -EINVAL;
	if (!sdrp_type_has_data(m->type) && m->data_len)
		return -EINVAL;
	if (sdrp_type_has_nonce(m->type) && !m->nonce)
		return -EINVAL;
	if (m->data_len > sdrp_type_max_data(m->type))
		return -EMSGSIZE;
	if (m->data_len && !m->data)
		return -EINVAL;
	fixed = sdrp_inner_fixed_len(m->type);
	len = fixed + m->data_len;
	if (cap < len)
		return -ENOBUFS;

	/* Data first: it may sit in @out right after the fixed fields. */
	if (m->data_len && m->data != out + fixed)
		memmove(out + fixed, m->data, m->data_len);
	sdrp_put_be64(p, m->seq);
	p += SDRP_SEQ_LEN;
	if (sdrp_type_has_ttl(m->type)) {
		sdrp_put_be64(p, m->ttl);
		p += SDRP_TTL_LEN;
	}
	if (sdrp_type_has_nonce(m->type))
		sdrp_put_be64(p, m->nonce);
	return (ssize_t)len;
}

int sdrp_inner_decode(unsigned int type, const uint8_t *in, size_t len,
		      struct sdrp_msg *m, enum sdrp_err *err)
{
	size_t fixed, data_len;
	const uint8_t *p = in;

	memset(m, 0, sizeof(*m));
	if (!sdrp_type_valid(type))
		return sdrpi_fail(err, SDRP_ERR_BAD_TYPE);
	fixed = sdrp_inner_fixed_len(type);
	if (len < fixed)
		return sdrpi_fail(err, SDRP_ERR_INNER_SHORT);
	data_len = len - fixed;
	if (!sdrp_type_has_data(type) && data_len)
		return sdrpi_fail(err, SDRP_ERR_INNER_EXTRA);
	if (data_len > sdrp_type_max_data(type))
		return sdrpi_fail(err, SDRP_ERR_DATA_TOO_LONG);

	m->type = type;
	m->seq = sdrp_get_be64(p);
	p += SDRP_SEQ_LEN;
	if (sdrp_type_has_ttl(type)) {
		m->ttl = sdrp_get_be64(p);
		p += SDRP_TTL_LEN;
	}
	if (sdrp_type_has_nonce(type)) {
		m->nonce = sdrp_get_be64(p);
		if (!m->nonce)
			return sdrpi_fail(err, SDRP_ERR_ZERO_NONCE);
	}
	m->data = data_len ? in + fixed : NULL;
	m->data_len = data_len;
	sdrpi_ok(err);
	return 0;
}

static const enum sdrp_err hdr_errors[] = {
	[SDRP_HDR_OK]		= SDRP_ERR_NONE,
	[SDRP_HDR_BAD_VERSION]	= SDRP_ERR_BAD_VERSION,
	[SDRP_HDR_BAD_TYPE]	= SDRP_ERR_BAD_TYPE,
	[SDRP_HDR_BAD_RESERVED]	= SDRP_ERR_BAD_RESERVED,
	[SDRP_HDR_TOO_SHORT]	= SDRP_ERR_LEN_TOO_SHORT,
	[SDRP_HDR_TOO_LONG]	= SDRP_ERR_LEN_TOO_LONG,
	[SDRP_HDR_BAD_CLEAR]	= SDRP_ERR_BAD_CLEAR,
};

int sdrp_rec_hdr_decode(const uint8_t *buf, size_t len,
			struct sdrp_rec_hdr *h, enum sdrp_err *err)
{
	const struct sdrp_hdr *wire = (const struct sdrp_hdr *)buf;
	int rc;

	memset(h, 0, sizeof(*h));
	if (len < SDRP_HDR_LEN)
		return sdrpi_fail(err, SDRP_ERR_SHORT_HEADER);
	rc = sdrp_hdr_check(wire);
	if (rc != SDRP_HDR_OK) {
		if (rc < 0 || (size_t)rc >= sizeof(hdr_errors) / sizeof(hdr_errors[0]))
			return sdrpi_fail(err, SDRP_ERR_BAD_RESERVED);
		return sdrpi_fail(err, hdr_errors[rc]);
	}
	h->type = wire->type;
	h->flags = wire->flags;
	h->epoch = sdrp_get_be32(wire->epoch);
	h->length = sdrp_get_be32(wire->length);
	sdrpi_ok(err);
	return 0;
}

int sdrp_check_seq(const struct sdrp_msg *m, uint64_t expected,
		   enum sdrp_err *err)
{
	if (m->seq != expected)
		return sdrpi_fail(err, SDRP_ERR_BAD_SEQ);
	sdrpi_ok(err);
	return 0;
}

uint64_t sdrp_seq_next(const struct sdrp_msg *m)
{
	return m->seq + (sdrp_type_has_nonce(m->type) ? m->nonce : 1);
}

int sdrp_check_ttl(const struct sdrp_msg *m, uint64_t now_ms,
		   uint32_t ttl_window_ms, uint32_t clock_skew_ms,
		   enum sdrp_err *err)
{
	uint64_t limit;

	if (!ttl_window_ms)
		ttl_window_ms = SDRP_DEFAULT_TTL_MS;
	if (!clock_skew_ms)
		clock_skew_ms = SDRP_DEFAULT_CLOCK_SKEW_MS;
	if (!sdrp_type_has_ttl(m->type)) {
		sdrpi_ok(err);
		return 0;
	}
	if (m->ttl < now_ms)
		return sdrpi_fail(err, SDRP_ERR_STALE_TTL);
	limit = now_ms + ttl_window_ms + clock_skew_ms;
	if (limit < now_ms)	/* clock near 2^64 ms: nothing is too far */
		limit = UINT64_MAX;
	if (m->ttl > limit)
		return sdrpi_fail(err, SDRP_ERR_FUTURE_TTL);
	sdrpi_ok(err);
	return 0;
}
