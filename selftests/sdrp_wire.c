// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel against records crafted byte by byte.  One end of a loopback
 * TCP connection is a kernel sdrp server with keys set directly
 * (SDRP_KEYS); the other is a plain TCP socket in the test, which seals
 * records with libsdrp under the same keys and the wire.h layout, then
 * alters them on purpose.  Each case checks what a user would see: the
 * kernel's answer on the wire (CLOSE, or RESEND LAST under that policy),
 * the errno of the kernel-side application's next call, its close reason
 * and the /proc/net/sdrp_stat counters of the test's network namespace.
 *
 *   tamper:  one bad record each (header, body or MAC bit flipped, wrong
 *            length, truncated record, oversized length, wrong type for
 *            the state, a replayed record, an old epoch's record, wrong
 *            seq, stale and future ttl), under both receive policies.
 *   closing: close() and shutdown() against a peer that answers late or
 *            never, SO_LINGER, module unload while a close finishes, and
 *            the abortive close beyond net.sdrp.max_orphans.
 *   rekey:   the states of a rekey as SDRP_INFO shows them, crossing
 *            retransmissions, a close or a silent peer during a rekey.
 */
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "sdrp_test.h"

#include <sdrp/sdrp.h>

/* The epoch of the fixture's keys: one below it is an old epoch. */
#define WIRE_EPOCH	3
#define REC_CAP		(SDRP_HDR_LEN + 256 + SDRP_GCM_TAG_LEN + SDRP_MAC_LEN)
/* How long the kernel may take to answer a record in the VM. */
#define ANSWER_MS	5000

/* The test's end of the connection: a client made of sealed records. */
struct raw {
	int fd;
	struct sdrp_cipher *tx;		/* c2s: records the test sends */
	struct sdrp_cipher *rx;		/* s2c: records the kernel sends */
	uint64_t tx_seq;		/* next c2s sequence number */
	struct sdrp_keys keys;
};

/* Open the raw end's ciphers on @keys (epoch WIRE_EPOCH). */
static int raw_init(struct raw *r, int fd, const struct sdrp_keys *keys)
{
	r->fd = fd;
	r->keys = *keys;
	r->tx_seq = keys->c2s_seq;
	if (sdrp_cipher_new(&r->tx, &keys->c2s, keys->epoch,
			    keys->c2s_counter) ||
	    sdrp_cipher_new(&r->rx, &keys->s2c, keys->epoch,
			    keys->s2c_counter))
		return -1;
	return 0;
}

static void raw_free(struct raw *r)
{
	sdrp_cipher_free(r->tx);
	sdrp_cipher_free(r->rx);
	sdrp_wipe(&r->keys, sizeof(r->keys));
	if (r->fd >= 0)
		close(r->fd);
}

/*
 * Seal a message of @type with @seq, @ttl (0: now + the default window),
 * @len bytes of @data and, for ACK and DATA ACK, *@nonce (0: a fresh one,
 * stored there) into @out.  Returns the record's length.
 */
static ssize_t raw_seal_data(struct sdrp_cipher *c, uint8_t type,
			     uint64_t seq, uint64_t ttl, uint64_t *nonce,
			     const void *data, size_t len, uint8_t *out)
{
	struct sdrp_msg m = {
		.type = type,
		.seq = seq,
		.ttl = ttl ? ttl : sdrp_now_ms() + 25000,
		.data = data,
		.data_len = len,
	};

	if (sdrp_type_has_nonce(type)) {
		if (!*nonce)
			*nonce = sdrp_random_nonce();
		m.nonce = *nonce;
	}
	return sdrp_record_seal(c, &m, out, REC_CAP);
}

/* The same with a text (or no) data field. */
static ssize_t raw_seal_with(struct sdrp_cipher *c, uint8_t type,
			     uint64_t seq, uint64_t ttl, uint64_t *nonce,
			     const char *data, uint8_t *out)
{
	return raw_seal_data(c, type, seq, ttl, nonce, data,
			     data ? strlen(data) : 0, out);
}

static ssize_t raw_seal(struct raw *r, uint8_t type, uint64_t seq,
			uint64_t ttl, const char *data, uint8_t *out)
{
	uint64_t nonce = 0;

	return raw_seal_with(r->tx, type, seq, ttl, &nonce, data, out);
}

static int raw_write(struct raw *r, const uint8_t *buf, size_t len)
{
	return send(r->fd, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/*
 * Seal and send a valid message; the sequence number moves on (by the
 * nonce for ACK and DATA ACK, by one otherwise).  *@nonce as for
 * raw_seal_with(), may be NULL for a fresh one.
 */
static int raw_send_nonce(struct raw *r, uint8_t type, const char *data,
			  uint64_t *nonce)
{
	uint64_t fresh = 0, *n = nonce ? nonce : &fresh;
	uint8_t rec[REC_CAP];
	ssize_t len;

	len = raw_seal_with(r->tx, type, r->tx_seq, 0, n, data, rec);
	if (len < 0 || raw_write(r, rec, len))
		return -1;
	r->tx_seq += sdrp_type_has_nonce(type) ? *n : 1;
	return 0;
}

static int raw_send(struct raw *r, uint8_t type, const char *data)
{
	return raw_send_nonce(r, type, data, NULL);
}

/*
 * Read the kernel's next record within @ms and open it.  Returns its type;
 * 0 at end of file; -errno of the connection (ECONNRESET) or -ETIMEDOUT;
 * -EBADMSG if it does not verify.  @m points into a static buffer, valid
 * until the next read; @wire, if not NULL, gets the record as received.
 */
static int raw_read_wire(struct raw *r, struct sdrp_msg *m, int ms,
			 uint8_t *wire, size_t *wire_len)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	static uint8_t rec[REC_CAP];
	ssize_t n;
	uint32_t len;

	if (poll(&pfd, 1, ms) != 1)
		return -ETIMEDOUT;
	n = recv(r->fd, rec, SDRP_HDR_LEN, MSG_WAITALL);
	if (n <= 0)
		return n ? -errno : 0;
	if (n != SDRP_HDR_LEN)
		return -EBADMSG;
	len = sdrp_get_be32(rec + 8);
	if (len > REC_CAP - SDRP_HDR_LEN)
		return -EMSGSIZE;
	if (recv(r->fd, rec + SDRP_HDR_LEN, len, MSG_WAITALL) != (ssize_t)len)
		return -EBADMSG;
	if (wire) {
		memcpy(wire, rec, SDRP_HDR_LEN + len);
		*wire_len = SDRP_HDR_LEN + len;
	}
	if (sdrp_record_open(r->rx, rec, SDRP_HDR_LEN + len, m, NULL))
		return -EBADMSG;
	return m->type;
}

static int raw_read(struct raw *r, struct sdrp_msg *m, int ms)
{
	return raw_read_wire(r, m, ms, NULL, NULL);
}

/* Nothing arrives from the kernel within @ms (not even end of file). */
static bool raw_quiet(struct raw *r, int ms)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 0;
}

/* Random keys of epoch WIRE_EPOCH for both ends. */
static void wire_keys(struct sdrp_keys *keys)
{
	sdrp_random_keys(keys);
	keys->epoch = WIRE_EPOCH;
	keys->c2s_counter = 0;
	/* Far from the wrap, which the sequence rule allows but obscures. */
	keys->c2s_seq >>= 1;
	keys->s2c_seq >>= 1;
}

/*
 * A kernel server (*kfd) and the raw client, in a network namespace of
 * their own.  0 or -1.
 */
static int wire_setup(int *kfd, struct raw *r,
		      const struct sdrp_params *params)
{
	struct sdrp_keys keys;
	int cfd = -1, ret = -1;

	wire_keys(&keys);
	if (sdrp_tcp_pair(AF_INET, &cfd, kfd) || sdrp_attach(*kfd) ||
	    sdrp_set_params(*kfd, params) ||
	    sdrp_set_keys(*kfd, &keys, SDRP_ROLE_SERVER))
		goto out;
	ret = raw_init(r, cfd, &keys);
out:
	sdrp_wipe(&keys, sizeof(keys));
	return ret;
}

/*
 * A kernel client (*kfd) and the raw end as its server: the test holds
 * the keys with the two directions swapped.  0 or -1.
 */
static int wire_client_setup(int *kfd, struct raw *r,
			     const struct sdrp_params *params)
{
	struct sdrp_keys keys, swapped;
	int sfd = -1, ret = -1;

	wire_keys(&keys);
	swapped = keys;
	swapped.c2s = keys.s2c;
	swapped.s2c = keys.c2s;
	swapped.c2s_seq = keys.s2c_seq;
	swapped.s2c_seq = keys.c2s_seq;
	swapped.c2s_counter = keys.s2c_counter;
	swapped.s2c_counter = keys.c2s_counter;
	if (sdrp_tcp_pair(AF_INET, kfd, &sfd) || sdrp_attach(*kfd) ||
	    sdrp_set_params(*kfd, params) ||
	    sdrp_set_keys(*kfd, &keys, SDRP_ROLE_CLIENT))
		goto out;
	ret = raw_init(r, sfd, &swapped);
out:
	sdrp_wipe(&keys, sizeof(keys));
	sdrp_wipe(&swapped, sizeof(swapped));
	return ret;
}

/* One exchange, every step valid: the baseline every tamper case breaks. */
static void good_exchange(struct __test_metadata *_metadata, int kfd,
			  struct raw *r, const char *req)
{
	struct sdrp_msg m;
	char b[64];
	int eor = 0;

	ASSERT_EQ(raw_send(r, SDRP_MSG_DATA_REQUEST, req), 0);
	ASSERT_EQ(sdrp_recv(kfd, b, sizeof(b), 0, &eor), (ssize_t)strlen(req));
	EXPECT_TRUE(eor);
	EXPECT_EQ(memcmp(b, req, strlen(req)), 0);
	ASSERT_EQ(send(kfd, "resp", 4, 0), 4);
	ASSERT_EQ(raw_read(r, &m, ANSWER_MS), SDRP_MSG_DATA_RESPONSE);
	EXPECT_EQ(m.data_len, 4);
	EXPECT_EQ(memcmp(m.data, "resp", 4), 0);
	ASSERT_EQ(raw_send(r, SDRP_MSG_DATA_ACK, NULL), 0);
}

/*
 * The client's half of a rekey, after the kernel's HELLO (@hello as
 * received, carrying @server_pub): HELLO ACK under the current epoch,
 * then both directions of the raw end switch to the next epoch.  0 or -1.
 */
static int raw_rekey(struct raw *r, const uint8_t *hello, size_t hello_len,
		     const uint8_t server_pub[SDRP_X25519_LEN])
{
	uint8_t sk[SDRP_X25519_LEN], pk[SDRP_X25519_LEN], dh[SDRP_X25519_LEN];
	uint32_t epoch = sdrp_cipher_epoch(r->tx) + 1;
	uint8_t ack[REC_CAP], th[SDRP_HASH_LEN];
	uint64_t nonce = 0;
	ssize_t len;
	int ret = -1;

	if (sdrp_x25519_keypair(sk, pk) || sdrp_x25519(dh, sk, server_pub))
		goto out;
	len = raw_seal_data(r->tx, SDRP_MSG_HELLO_ACK, r->tx_seq, 0, &nonce,
			    pk, sizeof(pk), ack);
	if (len < 0 || raw_write(r, ack, len))
		goto out;
	r->tx_seq++;
	sdrp_transcript_hash(th, hello, hello_len, ack, len);
	sdrp_kdf_epoch(&r->keys, r->keys.chain_key, dh, th);
	sdrp_cipher_free(r->tx);
	sdrp_cipher_free(r->rx);
	r->tx = r->rx = NULL;
	if (sdrp_cipher_new(&r->tx, &r->keys.c2s, epoch, 0) ||
	    sdrp_cipher_new(&r->rx, &r->keys.s2c, epoch, 0))
		goto out;
	ret = 0;
out:
	sdrp_wipe(sk, sizeof(sk));
	sdrp_wipe(dh, sizeof(dh));
	sdrp_wipe(th, sizeof(th));
	return ret;
}

FIXTURE(tamper) {
	int kfd;
	struct raw raw;
	uint8_t rec[REC_CAP];
	ssize_t len;
	long out_before;
};

FIXTURE_VARIANT(tamper) {
	unsigned int policy;
};

FIXTURE_VARIANT_ADD(tamper, policy_close) {
	.policy = SDRP_POLICY_CLOSE,
};

FIXTURE_VARIANT_ADD(tamper, policy_resend) {
	.policy = SDRP_POLICY_RESEND,
};

FIXTURE_SETUP(tamper)
{
	struct sdrp_params p = { .policy = variant->policy };

	self->raw.fd = -1;
	self->kfd = -1;
	ASSERT_EQ(wire_setup(&self->kfd, &self->raw, &p), 0);
}

/*
 * The request most cases alter: "request", sealed (a record counter is
 * used) but not sent.
 */
static ssize_t seal_request(FIXTURE_DATA(tamper) *self)
{
	self->len = raw_seal(&self->raw, SDRP_MSG_DATA_REQUEST,
			     self->raw.tx_seq, 0, "request", self->rec);
	return self->len;
}

FIXTURE_TEARDOWN(tamper)
{
	close(self->kfd);
	raw_free(&self->raw);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, 10000), 0);
}

/*
 * The kernel refused what the test sent, for @reason, counted in @stat.
 * Policy CLOSE: its answer is CLOSE and the application's recv() fails with
 * @err.  Policy RESEND: its answer is RESEND LAST, the application sees
 * nothing, and the request sent again (same seq, as a retransmission) goes
 * through.
 */
static void expect_refused(struct __test_metadata *_metadata,
			   FIXTURE_DATA(tamper) *self,
			   const FIXTURE_VARIANT(tamper) *variant,
			   int reason, const char *stat, int err)
{
	struct sdrp_info info;
	struct sdrp_msg m;
	char b[16];

	if (variant->policy == SDRP_POLICY_CLOSE) {
		ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSE);
		EXPECT_EQ(recv(self->kfd, b, sizeof(b), MSG_DONTWAIT), -1);
		EXPECT_EQ(errno, err);
		ASSERT_EQ(sdrp_get_info(self->kfd, &info), 0);
		EXPECT_EQ(info.state, SDRP_STATE_CLOSING);
		EXPECT_EQ(info.close_reason, reason);
		EXPECT_EQ(info.close_errno, err);
		EXPECT_EQ(sdrp_stat(stat), 1);
		EXPECT_EQ(sdrp_stat("SdrpResendLastOut"), 0);
		/* The CLOSE ACK ends it with that reason. */
		ASSERT_EQ(raw_send(&self->raw, SDRP_MSG_CLOSE_ACK, NULL), 0);
		ASSERT_EQ(sdrp_wait_state(self->kfd, SDRP_STATE_CLOSED,
					  ANSWER_MS, &info), 0);
		EXPECT_EQ(info.close_reason, reason);
		return;
	}
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_RESEND_LAST);
	EXPECT_EQ(recv(self->kfd, b, sizeof(b), MSG_DONTWAIT), -1);
	EXPECT_EQ(errno, EAGAIN);
	EXPECT_EQ(sdrp_stat(stat), 1);
	EXPECT_EQ(sdrp_stat("SdrpResendLastOut"), 1);
	ASSERT_EQ(sdrp_get_info(self->kfd, &info), 0);
	EXPECT_EQ(info.state, SDRP_STATE_ESTABLISHED);
	EXPECT_EQ(info.close_reason, SDRP_CLOSE_NONE);
	/* The retransmission: the same request, the same seq. */
	good_exchange(_metadata, self->kfd, &self->raw, "request");
	/* The request and its DATA ACK (processed in the background). */
	EXPECT_EQ(sdrp_stat_wait("SdrpRecordsIn", 2, ANSWER_MS), 2);
}

/* A flipped bit in the header: refused before any crypto, framing kept. */
TEST_F(tamper, header_bit_flipped)
{
	ASSERT_GT(seal_request(self), 0);
	self->rec[0] ^= 0x80;		/* version */
	ASSERT_EQ(raw_write(&self->raw, self->rec, self->len), 0);
	expect_refused(_metadata, self, variant, SDRP_CLOSE_MALFORMED,
		       "SdrpRxBadHeader", EPROTO);
}

TEST_F(tamper, body_bit_flipped)
{
	ASSERT_GT(seal_request(self), 0);
	self->rec[SDRP_HDR_LEN + 3] ^= 0x01;
	ASSERT_EQ(raw_write(&self->raw, self->rec, self->len), 0);
	expect_refused(_metadata, self, variant, SDRP_CLOSE_BAD_MAC,
		       "SdrpRxBadMac", EBADMSG);
}

TEST_F(tamper, mac_bit_flipped)
{
	ASSERT_GT(seal_request(self), 0);
	self->rec[self->len - 1] ^= 0x40;
	ASSERT_EQ(raw_write(&self->raw, self->rec, self->len), 0);
	expect_refused(_metadata, self, variant, SDRP_CLOSE_BAD_MAC,
		       "SdrpRxBadMac", EBADMSG);
}

/*
 * A length that frames 32 more bytes than were sealed (they follow): the
 * header is authenticated, so the HMAC fails.
 */
TEST_F(tamper, wrong_length)
{
	ASSERT_GT(seal_request(self), 0);
	memset(self->rec + self->len, 0xa5, 32);
	sdrp_put_be32(self->rec + 8, self->len - SDRP_HDR_LEN + 32);
	ASSERT_EQ(raw_write(&self->raw, self->rec, self->len + 32), 0);
	expect_refused(_metadata, self, variant, SDRP_CLOSE_BAD_MAC,
		       "SdrpRxBadMac", EBADMSG);
}

/* A DATA ACK while the server waits for a request. */
TEST_F(tamper, wrong_type_for_state)
{
	self->len = raw_seal(&self->raw, SDRP_MSG_DATA_ACK, self->raw.tx_seq,
			     0, NULL, self->rec);
	ASSERT_EQ(raw_write(&self->raw, self->rec, self->len), 0);
	expect_refused(_metadata, self, variant, SDRP_CLOSE_BAD_TYPE,
		       "SdrpRxBadType", EPROTO);
}

TEST_F(tamper, wrong_seq)
{
	self->len = raw_seal(&self->raw, SDRP_MSG_DATA_REQUEST,
			     self->raw.tx_seq + 1, 0, "request", self->rec);
	ASSERT_EQ(raw_write(&self->raw, self->rec, self->len), 0);
	expect_refused(_metadata, self, variant, SDRP_CLOSE_BAD_SEQ,
		       "SdrpRxBadSeq", EPROTO);
}

TEST_F(tamper, stale_ttl)
{
	self->len = raw_seal(&self->raw, SDRP_MSG_DATA_REQUEST,
			     self->raw.tx_seq, sdrp_now_ms() - 1000, "request",
			     self->rec);
	ASSERT_EQ(raw_write(&self->raw, self->rec, self->len), 0);
	expect_refused(_metadata, self, variant, SDRP_CLOSE_STALE_TTL,
		       "SdrpRxStaleTtl", ETIME);
}

/* Beyond now + ttl window (25 s) + clock skew (5 s). */
TEST_F(tamper, future_ttl)
{
	self->len = raw_seal(&self->raw, SDRP_MSG_DATA_REQUEST,
			     self->raw.tx_seq, sdrp_now_ms() + 90000, "request",
			     self->rec);
	ASSERT_EQ(raw_write(&self->raw, self->rec, self->len), 0);
	expect_refused(_metadata, self, variant, SDRP_CLOSE_FUTURE_TTL,
		       "SdrpRxFutureTtl", ETIME);
}

/* A record sealed under the previous epoch's keys: no crypto is tried. */
TEST_F(tamper, old_epoch)
{
	struct sdrp_cipher *old;
	uint64_t nonce = 0;

	ASSERT_EQ(sdrp_cipher_new(&old, &self->raw.keys.c2s, WIRE_EPOCH - 1,
				  0), 0);
	self->len = raw_seal_with(old, SDRP_MSG_DATA_REQUEST,
				  self->raw.tx_seq, 0, &nonce, "request",
				  self->rec);
	sdrp_cipher_free(old);
	ASSERT_EQ(raw_write(&self->raw, self->rec, self->len), 0);
	expect_refused(_metadata, self, variant, SDRP_CLOSE_OLD_EPOCH,
		       "SdrpRxOldEpoch", EPROTO);
}

/*
 * A whole exchange, then its request again byte for byte: the record
 * counter bound into the HMAC refuses it.  Under RESEND the test then
 * answers like a conforming peer: it repeats its DATA ACK, which the
 * kernel drops silently while its RESEND LAST is outstanding.
 */
TEST_F(tamper, replayed_record)
{
	uint64_t ack_seq, ack_nonce = 0;
	struct sdrp_info info;
	struct sdrp_msg m;
	char b[16];

	ASSERT_GT(seal_request(self), 0);
	ASSERT_EQ(raw_write(&self->raw, self->rec, self->len), 0);
	self->raw.tx_seq++;
	ASSERT_EQ(recv(self->kfd, b, sizeof(b), 0), 7);
	ASSERT_EQ(send(self->kfd, "resp", 4, 0), 4);
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_DATA_RESPONSE);
	ack_seq = self->raw.tx_seq;
	ASSERT_EQ(raw_send_nonce(&self->raw, SDRP_MSG_DATA_ACK, NULL,
				 &ack_nonce), 0);

	/* The replay: it uses up a record counter on the kernel's side. */
	ASSERT_EQ(raw_write(&self->raw, self->rec, self->len), 0);
	sdrp_cipher_set_counter(self->raw.tx,
				sdrp_cipher_counter(self->raw.tx) + 1);
	if (variant->policy == SDRP_POLICY_CLOSE) {
		ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSE);
		EXPECT_EQ(recv(self->kfd, b, sizeof(b), MSG_DONTWAIT), -1);
		EXPECT_EQ(errno, EBADMSG);
		ASSERT_EQ(sdrp_get_info(self->kfd, &info), 0);
		EXPECT_EQ(info.close_reason, SDRP_CLOSE_BAD_MAC);
		EXPECT_EQ(sdrp_stat("SdrpRxBadMac"), 1);
		return;
	}
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_RESEND_LAST);
	/* The DATA ACK again: same seq and nonce, the next record counter. */
	self->len = raw_seal_with(self->raw.tx, SDRP_MSG_DATA_ACK, ack_seq, 0,
				  &ack_nonce, NULL, self->rec);
	ASSERT_EQ(raw_write(&self->raw, self->rec, self->len), 0);
	good_exchange(_metadata, self->kfd, &self->raw, "next");
	EXPECT_EQ(sdrp_stat("SdrpRxBadMac"), 1);
	EXPECT_EQ(sdrp_stat("SdrpRxBadType"), 1);
	EXPECT_EQ(sdrp_stat("SdrpResendLastOut"), 1);
}

/*
 * Half a record, then the end of the TCP stream: the session ends at once
 * with TRANSPORT and nothing is sent (there is no one to answer).
 */
TEST_F(tamper, truncated_record)
{
	struct sdrp_info info;
	char b[16];

	ASSERT_GT(seal_request(self), 0);
	ASSERT_EQ(raw_write(&self->raw, self->rec, self->len / 2), 0);
	ASSERT_EQ(shutdown(self->raw.fd, SHUT_WR), 0);
	ASSERT_EQ(sdrp_wait_state(self->kfd, SDRP_STATE_CLOSED, ANSWER_MS,
				  &info), 0);
	EXPECT_EQ(info.close_reason, SDRP_CLOSE_TRANSPORT);
	EXPECT_EQ(recv(self->kfd, b, sizeof(b), 0), -1);
	EXPECT_EQ(errno, ECONNRESET);
	EXPECT_EQ(sdrp_stat("SdrpCloseTransport"), 1);
	EXPECT_TRUE(raw_quiet(&self->raw, 100));
}

/*
 * A length no record can have: the framing is lost.  The kernel sends
 * CLOSE and ends the session at once, without waiting for the CLOSE ACK
 * (the default close timer would wait 45 s), whatever the policy.
 */
TEST_F(tamper, oversized_length)
{
	struct sdrp_info info;
	struct sdrp_msg m;
	char b[16];

	ASSERT_GT(seal_request(self), 0);
	sdrp_put_be32(self->rec + 8, SDRP_MAX_RECORD_BODY + 1);
	ASSERT_EQ(raw_write(&self->raw, self->rec, SDRP_HDR_LEN), 0);
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSE);
	ASSERT_EQ(sdrp_wait_state(self->kfd, SDRP_STATE_CLOSED, ANSWER_MS,
				  &info), 0);
	EXPECT_EQ(info.close_reason, SDRP_CLOSE_MALFORMED);
	EXPECT_EQ(recv(self->kfd, b, sizeof(b), 0), -1);
	EXPECT_EQ(errno, EPROTO);
	EXPECT_EQ(sdrp_stat("SdrpRxBadHeader"), 1);
	EXPECT_EQ(sdrp_stat("SdrpCloseMalformed"), 1);
	EXPECT_EQ(sdrp_stat("SdrpResendLastOut"), 0);
}

/*
 * close() and shutdown().  The test's end plays the peer: it answers a
 * CLOSE late, or never.  Short close timers keep each case under a second.
 */
FIXTURE(closing) {
	int kfd;
	struct raw raw;
};

#define CLOSE_MS	150
#define CLOSE_TRIES	3

FIXTURE_SETUP(closing)
{
	struct sdrp_params p = { .close_timeout_ms = CLOSE_MS,
				 .max_retries = CLOSE_TRIES };

	self->raw.fd = -1;
	self->kfd = -1;
	ASSERT_EQ(wire_setup(&self->kfd, &self->raw, &p), 0);
	good_exchange(_metadata, self->kfd, &self->raw, "warm-up");
}

FIXTURE_TEARDOWN(closing)
{
	if (self->kfd >= 0)
		close(self->kfd);
	raw_free(&self->raw);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, 10000), 0);
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* A TcpExt counter of /proc/net/netstat, or -1. */
static long tcpext(const char *name)
{
	char names[4096], values[4096], *n, *v, *sn, *sv;
	FILE *f = fopen("/proc/net/netstat", "r");
	long found = -1;

	if (!f)
		return -1;
	while (fgets(names, sizeof(names), f) &&
	       fgets(values, sizeof(values), f)) {
		if (strncmp(names, "TcpExt:", 7))
			continue;
		n = strtok_r(names, " \n", &sn);
		v = strtok_r(values, " \n", &sv);
		while ((n = strtok_r(NULL, " \n", &sn)) &&
		       (v = strtok_r(NULL, " \n", &sv)))
			if (!strcmp(n, name))
				found = atol(v);
	}
	fclose(f);
	return found;
}

/*
 * Nobody answers: close() returns at once, and the session repeats its
 * CLOSE (same seq) max_retries times in all, close_timeout_ms apart, then
 * sends CLOSED WITHOUT ACK (the next seq) and only then closes TCP.
 */
TEST_F(closing, close_returns_then_finishes_the_exchange)
{
	struct timespec t0;
	struct sdrp_msg m;
	uint64_t seq = 0;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(close(self->kfd), 0);
	self->kfd = -1;
	EXPECT_LT(elapsed_ms(&t0), CLOSE_MS / 2);
	EXPECT_EQ(sdrp_stat("SdrpCurrSessions"), 1);
	EXPECT_EQ(sdrp_stat("SdrpCurrOrphans"), 1);
	for (i = 0; i < CLOSE_TRIES; i++) {
		ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSE);
		if (!i)
			seq = m.seq;
		EXPECT_EQ(m.seq, seq);
	}
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSED_NO_ACK);
	EXPECT_EQ(m.seq, seq + 1);
	EXPECT_GE(elapsed_ms(&t0), CLOSE_TRIES * CLOSE_MS);
	/* Then TCP's FIN. */
	EXPECT_EQ(raw_read(&self->raw, &m, ANSWER_MS), 0);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, ANSWER_MS), 0);
	EXPECT_EQ(sdrp_stat("SdrpCurrOrphans"), 0);
	EXPECT_EQ(sdrp_stat("SdrpCloseNoAck"), 1);
}

/*
 * A CLOSE ACK that comes after close() returned still ends the exchange:
 * the session is LOCAL-closed and TCP ends with FIN, not with a reset.
 */
TEST_F(closing, late_close_ack_after_close)
{
	long aborts = tcpext("TCPAbortOnData");
	struct sdrp_msg m;
	int type;

	ASSERT_EQ(close(self->kfd), 0);
	self->kfd = -1;
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSE);
	sdrp_sleep_ms(CLOSE_MS / 2);
	ASSERT_EQ(raw_send(&self->raw, SDRP_MSG_CLOSE_ACK, NULL), 0);
	/*
	 * On a loaded host the close timer may have sent the CLOSE again
	 * before our ACK arrived: a repeat, not an error; the ACK still
	 * answers it (the same sequence number).
	 */
	while ((type = raw_read(&self->raw, &m, ANSWER_MS)) == SDRP_MSG_CLOSE)
		;
	EXPECT_EQ(type, 0);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, ANSWER_MS), 0);
	EXPECT_EQ(sdrp_stat("SdrpCloseLocal"), 1);
	EXPECT_EQ(sdrp_stat("SdrpCloseNoAck"), 0);
	EXPECT_EQ(tcpext("TCPAbortOnData"), aborts);
}

/* SO_LINGER 0 aborts: CLOSED WITHOUT ACK at once, then TCP's reset. */
TEST_F(closing, linger_zero_aborts)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct sdrp_msg m;
	int ret;

	ASSERT_EQ(setsockopt(self->kfd, SOL_SOCKET, SO_LINGER, &lg,
			     sizeof(lg)), 0);
	ASSERT_EQ(close(self->kfd), 0);
	self->kfd = -1;
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSED_NO_ACK);
	ret = raw_read(&self->raw, &m, ANSWER_MS);
	EXPECT_EQ(ret, -ECONNRESET);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, ANSWER_MS), 0);
	EXPECT_EQ(sdrp_stat("SdrpCloseLocal"), 1);
}

/*
 * SO_LINGER > 0: close() waits for the exchange.  Here nobody answers, so
 * it returns after the linger time (1 s) with the exchange still going on
 * in the background.
 */
TEST_F(closing, linger_waits_then_leaves_it_to_the_background)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 1 };
	struct sdrp_params p = { .close_timeout_ms = 600 };
	struct timespec t0;
	struct sdrp_msg m;

	ASSERT_EQ(sdrp_set_params(self->kfd, &p), 0);
	ASSERT_EQ(setsockopt(self->kfd, SOL_SOCKET, SO_LINGER, &lg,
			     sizeof(lg)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(close(self->kfd), 0);
	self->kfd = -1;
	EXPECT_GE(elapsed_ms(&t0), 950);
	EXPECT_LT(elapsed_ms(&t0), 1800);
	EXPECT_EQ(sdrp_stat("SdrpCurrSessions"), 1);
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSE);
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSE);
	/* Answer the second one: the exchange ends, LOCAL. */
	ASSERT_EQ(raw_send(&self->raw, SDRP_MSG_CLOSE_ACK, NULL), 0);
	EXPECT_EQ(raw_read(&self->raw, &m, ANSWER_MS), 0);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, ANSWER_MS), 0);
	EXPECT_EQ(sdrp_stat("SdrpCloseLocal"), 1);
}

/*
 * shutdown(SHUT_WR) runs the CLOSE exchange and leaves TCP open: the
 * application sees it end (POLLHUP, SDRP_INFO) and close()s later.
 */
TEST_F(closing, shutdown_wr_runs_the_exchange)
{
	struct pollfd pfd = { .fd = self->kfd, .events = POLLIN | POLLOUT };
	struct sdrp_info info;
	struct sdrp_msg m;

	ASSERT_EQ(shutdown(self->kfd, SHUT_WR), 0);
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSE);
	ASSERT_EQ(sdrp_get_info(self->kfd, &info), 0);
	EXPECT_EQ(info.state, SDRP_STATE_CLOSING);
	EXPECT_EQ(send(self->kfd, "x", 1, MSG_NOSIGNAL), -1);
	EXPECT_EQ(errno, EPIPE);
	ASSERT_EQ(raw_send(&self->raw, SDRP_MSG_CLOSE_ACK, NULL), 0);
	ASSERT_EQ(sdrp_wait_state(self->kfd, SDRP_STATE_CLOSED, ANSWER_MS,
				  &info), 0);
	EXPECT_EQ(info.close_reason, SDRP_CLOSE_LOCAL);
	EXPECT_EQ(poll(&pfd, 1, 0), 1);
	EXPECT_TRUE(pfd.revents & POLLHUP);
	EXPECT_FALSE(pfd.revents & POLLOUT);
	/* TCP is still up: no FIN until close(). */
	EXPECT_TRUE(raw_quiet(&self->raw, 100));
	ASSERT_EQ(close(self->kfd), 0);
	self->kfd = -1;
	EXPECT_EQ(raw_read(&self->raw, &m, ANSWER_MS), 0);
}

/* Two CLOSEs cross: each side answers the other's, ours gives the reason. */
TEST_F(closing, crossing_closes)
{
	struct sdrp_info info;
	struct sdrp_msg m;

	ASSERT_EQ(shutdown(self->kfd, SHUT_RDWR), 0);
	/* The test's CLOSE leaves before it reads the kernel's. */
	ASSERT_EQ(raw_send(&self->raw, SDRP_MSG_CLOSE, NULL), 0);
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSE);
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSE_ACK);
	ASSERT_EQ(sdrp_wait_state(self->kfd, SDRP_STATE_CLOSED, ANSWER_MS,
				  &info), 0);
	EXPECT_EQ(info.close_reason, SDRP_CLOSE_LOCAL);
	EXPECT_EQ(sdrp_stat("SdrpCloseLocal"), 1);
	EXPECT_EQ(sdrp_stat("SdrpClosePeer"), 0);
}

/*
 * A closed socket whose exchange still runs holds the module: rmmod is
 * refused until the session ended (here when the peer's TCP ends), then
 * succeeds, and the next attach loads the module again.
 */
TEST_F(closing, rmmod_waits_for_a_closing_orphan)
{
	struct sdrp_params p = { .close_timeout_ms = 60000 };
	struct sdrp_msg m;
	int err = 0, waited, fd;

	ASSERT_EQ(sdrp_set_params(self->kfd, &p), 0);
	ASSERT_EQ(close(self->kfd), 0);
	self->kfd = -1;
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSE);
	EXPECT_EQ(syscall(SYS_delete_module, "sdrp", O_NONBLOCK), -1);
	EXPECT_EQ(errno, EWOULDBLOCK);

	/* The peer goes away: the orphan ends (NO_ACK) and TCP closes. */
	close(self->raw.fd);
	self->raw.fd = -1;
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, ANSWER_MS), 0);
	EXPECT_EQ(sdrp_stat("SdrpCloseNoAck"), 1);
	EXPECT_EQ(sdrp_stat("SdrpCloseTransport"), 0);
	for (waited = 0; waited < 10000; waited += 10) {
		err = syscall(SYS_delete_module, "sdrp", O_NONBLOCK) ?
		      errno : 0;
		if (err != EWOULDBLOCK)
			break;
		sdrp_sleep_ms(10);
	}
	ASSERT_EQ(err, 0) TH_LOG("rmmod after the orphan: %s", strerror(err));
	/* setsockopt(TCP_ULP) loads it again for the tests after this one. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(sdrp_attach(fd), -1);
	EXPECT_EQ(errno, ENOTCONN);
	close(fd);
}

/*
 * A RESEND LAST crossing the message it asks for, at the rekey: the
 * kernel server's receive timer fires (RESEND LAST) as the epoch's last
 * DATA ACK is on its way.  The server accepts that DATA ACK and sends the
 * rekey HELLO; the test, like a conforming client, answers the RESEND
 * LAST with the DATA ACK again, which reaches the server waiting for the
 * HELLO ACK.  It is a copy of an accepted message: dropped, no CLOSE
 * (protocol.rst, "Crossing retransmissions"), and the rekey completes.
 */
TEST(resend_crossing_rekey)
{
	struct sdrp_params p = { .policy = SDRP_POLICY_RESEND,
				 .rekey_interval = 1, .recv_timeout_ms = 1000 };
	uint8_t hello[REC_CAP], ack[REC_CAP], pub[SDRP_X25519_LEN];
	uint64_t ack_seq, ack_nonce = 0;
	size_t hello_len = 0;
	struct sdrp_info info;
	struct raw r = { .fd = -1 };
	struct sdrp_msg m;
	ssize_t ack_len;
	int kfd = -1;
	char b[8];

	ASSERT_EQ(wire_setup(&kfd, &r, &p), 0);
	ASSERT_EQ(raw_send(&r, SDRP_MSG_DATA_REQUEST, "a"), 0);
	ASSERT_EQ(recv(kfd, b, sizeof(b), 0), 1);
	ASSERT_EQ(send(kfd, "r", 1, 0), 1);
	ASSERT_EQ(raw_read(&r, &m, ANSWER_MS), SDRP_MSG_DATA_RESPONSE);
	/* The server's timer fires before the DATA ACK leaves. */
	ASSERT_EQ(sdrp_stat_wait("SdrpResendLastOut", 1, ANSWER_MS), 1);
	p = (struct sdrp_params){ .recv_timeout_ms = 10000 };
	ASSERT_EQ(sdrp_set_params(kfd, &p), 0);
	ack_seq = r.tx_seq;
	ASSERT_EQ(raw_send_nonce(&r, SDRP_MSG_DATA_ACK, NULL, &ack_nonce), 0);

	/* The RESEND LAST, answered with the DATA ACK again. */
	ASSERT_EQ(raw_read(&r, &m, ANSWER_MS), SDRP_MSG_RESEND_LAST);
	ack_len = raw_seal_with(r.tx, SDRP_MSG_DATA_ACK, ack_seq, 0,
				&ack_nonce, NULL, ack);
	ASSERT_EQ(raw_write(&r, ack, ack_len), 0);
	ASSERT_EQ(raw_read_wire(&r, &m, ANSWER_MS, hello, &hello_len),
		  SDRP_MSG_HELLO);
	ASSERT_EQ(m.data_len, SDRP_X25519_LEN);
	memcpy(pub, m.data, sizeof(pub));

	/* The copy is dropped without an answer: no CLOSE, no RESEND. */
	ASSERT_EQ(sdrp_stat_wait("SdrpRxBadType", 1, ANSWER_MS), 1);
	ASSERT_EQ(sdrp_get_info(kfd, &info), 0);
	EXPECT_EQ(info.state, SDRP_STATE_REKEY);
	EXPECT_EQ(info.close_reason, SDRP_CLOSE_NONE);
	EXPECT_EQ(sdrp_stat("SdrpResendLastOut"), 1);
	EXPECT_TRUE(raw_quiet(&r, 100));

	/* HELLO ACK under epoch e, then both switch to e + 1. */
	ASSERT_EQ(raw_rekey(&r, hello, hello_len, pub), 0);
	ASSERT_EQ(raw_read(&r, &m, ANSWER_MS), SDRP_MSG_ACK);
	good_exchange(_metadata, kfd, &r, "new epoch");
	ASSERT_EQ(sdrp_get_info(kfd, &info), 0);
	EXPECT_EQ(info.epoch, WIRE_EPOCH + 1);
	EXPECT_EQ(info.rekeys, 1);
	EXPECT_EQ(info.close_reason, SDRP_CLOSE_NONE);
	close(kfd);
	raw_free(&r);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, 10000), 0);
}

/*
 * A server's application closes while the server waits for the rekey
 * HELLO ACK: the CLOSE waits for the rekey ACK and goes out under the new
 * keys, which the client holds by then (protocol.rst, "A local close
 * during a rekey").
 */
TEST(server_close_during_rekey_waits_for_the_ack)
{
	struct sdrp_params p = { .rekey_interval = 1 };
	uint8_t hello[REC_CAP], pub[SDRP_X25519_LEN];
	struct raw r = { .fd = -1 };
	struct sdrp_info info;
	size_t hello_len = 0;
	struct sdrp_msg m;
	int kfd = -1;

	ASSERT_EQ(wire_setup(&kfd, &r, &p), 0);
	good_exchange(_metadata, kfd, &r, "a");
	ASSERT_EQ(raw_read_wire(&r, &m, ANSWER_MS, hello, &hello_len),
		  SDRP_MSG_HELLO);
	ASSERT_EQ(m.data_len, SDRP_X25519_LEN);
	memcpy(pub, m.data, sizeof(pub));
	ASSERT_EQ(shutdown(kfd, SHUT_RDWR), 0);
	ASSERT_EQ(sdrp_get_info(kfd, &info), 0);
	EXPECT_EQ(info.state, SDRP_STATE_REKEY);
	EXPECT_TRUE(raw_quiet(&r, 100));

	ASSERT_EQ(raw_rekey(&r, hello, hello_len, pub), 0);
	ASSERT_EQ(raw_read(&r, &m, ANSWER_MS), SDRP_MSG_ACK);
	/* Opened with the epoch e + 1 keys. */
	ASSERT_EQ(raw_read(&r, &m, ANSWER_MS), SDRP_MSG_CLOSE);
	ASSERT_EQ(raw_send(&r, SDRP_MSG_CLOSE_ACK, NULL), 0);
	ASSERT_EQ(sdrp_wait_state(kfd, SDRP_STATE_CLOSED, ANSWER_MS, &info),
		  0);
	EXPECT_EQ(info.close_reason, SDRP_CLOSE_LOCAL);
	EXPECT_EQ(info.epoch, WIRE_EPOCH + 1);
	EXPECT_EQ(sdrp_stat("SdrpRxOldEpoch"), 0);
	close(kfd);
	raw_free(&r);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, 10000), 0);
}

/*
 * A kernel client whose server goes silent after the interval's last DATA
 * ACK (say it was reset and the reset was lost): the client waits for the
 * rekey HELLO under its receive timer, and the timer ends the session.
 * The request sent meanwhile is held, not sent, so TCP has nothing
 * outstanding that could notice the server is gone.  The test is the
 * server: the raw end with the two directions' keys swapped.
 */
TEST(client_waiting_for_rekey_hello_times_out)
{
	struct sdrp_params p = { .rekey_interval = 1, .recv_timeout_ms = 500 };
	struct raw r = { .fd = -1 };
	struct sdrp_info info;
	struct sdrp_msg m;
	int kfd = -1;
	char b[8];

	ASSERT_EQ(wire_client_setup(&kfd, &r, &p), 0);

	ASSERT_EQ(send(kfd, "q", 1, 0), 1);
	ASSERT_EQ(raw_read(&r, &m, ANSWER_MS), SDRP_MSG_DATA_REQUEST);
	ASSERT_EQ(raw_send(&r, SDRP_MSG_DATA_RESPONSE, "r"), 0);
	ASSERT_EQ(recv(kfd, b, sizeof(b), 0), 1);
	ASSERT_EQ(raw_read(&r, &m, ANSWER_MS), SDRP_MSG_DATA_ACK);
	/* Held until the rekey completes. */
	ASSERT_EQ(send(kfd, "n", 1, 0), 1);

	/* No HELLO: the receive timer sends CLOSE (policy CLOSE always). */
	ASSERT_EQ(raw_read(&r, &m, ANSWER_MS), SDRP_MSG_CLOSE);
	ASSERT_EQ(sdrp_get_info(kfd, &info), 0);
	EXPECT_EQ(info.state, SDRP_STATE_CLOSING);
	EXPECT_EQ(recv(kfd, b, sizeof(b), MSG_DONTWAIT), -1);
	EXPECT_EQ(errno, ETIMEDOUT);
	ASSERT_EQ(raw_send(&r, SDRP_MSG_CLOSE_ACK, NULL), 0);
	ASSERT_EQ(sdrp_wait_state(kfd, SDRP_STATE_CLOSED, ANSWER_MS, &info),
		  0);
	EXPECT_EQ(info.close_reason, SDRP_CLOSE_TIMEOUT);
	EXPECT_EQ(sdrp_stat("SdrpCloseTimeout"), 1);
	close(kfd);
	raw_free(&r);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, 10000), 0);
}

/*
 * What SDRP_INFO (and sdrpctl sessions) shows of a kernel client from the
 * interval's last DATA ACK to the rekey ACK: REKEY, as on the server
 * (protocol.rst, "Expected types"), a request sent meanwhile being held.
 * The raw end is the server; it ends the session with a CLOSE in place of
 * the rekey HELLO.
 */
TEST(client_awaiting_rekey_hello_shows_rekey)
{
	struct sdrp_params p = { .rekey_interval = 2,
				 .recv_timeout_ms = 60000 };
	struct raw r = { .fd = -1 };
	struct sdrp_info info;
	struct sdrp_msg m;
	int kfd = -1, i;
	char b[8];

	ASSERT_EQ(wire_client_setup(&kfd, &r, &p), 0);
	for (i = 1; i <= 2; i++) {
		ASSERT_EQ(send(kfd, "q", 1, 0), 1);
		ASSERT_EQ(raw_read(&r, &m, ANSWER_MS), SDRP_MSG_DATA_REQUEST);
		ASSERT_EQ(raw_send(&r, SDRP_MSG_DATA_RESPONSE, "r"), 0);
		ASSERT_EQ(recv(kfd, b, sizeof(b), 0), 1);
		ASSERT_EQ(sdrp_get_info(kfd, &info), 0);
		/* The interval's last DATA ACK makes the rekey due. */
		EXPECT_EQ(info.state, i < 2 ? SDRP_STATE_ESTABLISHED :
					      SDRP_STATE_REKEY);
		EXPECT_EQ(info.responses_in_epoch, i);
		ASSERT_EQ(raw_read(&r, &m, ANSWER_MS), SDRP_MSG_DATA_ACK);
	}
	/* Held until the rekey completes: nothing on the wire, REKEY still. */
	ASSERT_EQ(send(kfd, "n", 1, 0), 1);
	EXPECT_TRUE(raw_quiet(&r, 100));
	ASSERT_EQ(sdrp_get_info(kfd, &info), 0);
	EXPECT_EQ(info.state, SDRP_STATE_REKEY);
	EXPECT_EQ(info.epoch, WIRE_EPOCH);

	ASSERT_EQ(raw_send(&r, SDRP_MSG_CLOSE, NULL), 0);
	ASSERT_EQ(raw_read(&r, &m, ANSWER_MS), SDRP_MSG_CLOSE_ACK);
	ASSERT_EQ(sdrp_wait_state(kfd, SDRP_STATE_CLOSED, ANSWER_MS, &info),
		  0);
	EXPECT_EQ(info.close_reason, SDRP_CLOSE_PEER);
	close(kfd);
	raw_free(&r);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, 10000), 0);
}

/* A sysctl of the calling thread's network namespace, or -1. */
static long sdrp_sysctl(const char *name)
{
	char path[128];
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/sdrp/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &value) != 1)
		value = -1;
	fclose(f);
	return value;
}

static int sdrp_sysctl_set(const char *name, long value)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/proc/sys/net/sdrp/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fprintf(f, "%ld\n", value) > 0 ? 0 : -1;
	return fclose(f) ? -1 : ret;
}

/*
 * net.sdrp.* belong to a network namespace: a socket takes its own
 * namespace's values, and a new namespace starts at the paper's values
 * whatever the others say.
 */
TEST(sysctls_per_netns)
{
	struct sdrp_params p;
	socklen_t len = sizeof(p);
	int init_ns, c, s;

	init_ns = open("/proc/self/ns/net", O_RDONLY);
	ASSERT_GE(init_ns, 0);
	ASSERT_EQ(sdrp_tcp_pair(AF_INET, &c, &s), 0);
	EXPECT_EQ(sdrp_sysctl("rekey_interval"), 10);
	ASSERT_EQ(sdrp_sysctl_set("rekey_interval", 7), 0);
	ASSERT_EQ(sdrp_sysctl_set("policy", SDRP_POLICY_RESEND), 0);
	EXPECT_EQ(sdrp_sysctl_set("max_retries", 101), -1);
	ASSERT_EQ(sdrp_attach(c), 0);
	ASSERT_EQ(getsockopt(c, SOL_SDRP, SDRP_PARAMS, &p, &len), 0);
	EXPECT_EQ(p.rekey_interval, 7);
	EXPECT_EQ(p.policy, SDRP_POLICY_RESEND);
	EXPECT_EQ(p.max_retries, 3);

	/* A namespace created now starts at the paper's values. */
	ASSERT_EQ(sdrp_netns_loopback(), 0);
	EXPECT_EQ(sdrp_sysctl("rekey_interval"), 10);
	EXPECT_EQ(sdrp_sysctl("policy"), SDRP_POLICY_CLOSE);
	EXPECT_EQ(sdrp_sysctl("ttl_ms"), 25000);
	EXPECT_EQ(sdrp_sysctl("clock_skew_ms"), 5000);
	EXPECT_EQ(sdrp_sysctl("recv_timeout_ms"), 45000);
	EXPECT_EQ(sdrp_sysctl("close_timeout_ms"), 45000);
	EXPECT_EQ(sdrp_sysctl("max_retries"), 3);
	EXPECT_EQ(sdrp_sysctl("max_orphans"), 1024);
	EXPECT_EQ(sdrp_sysctl_set("max_orphans", -1), -1);

	/* The first namespace's change did not reach the initial one. */
	ASSERT_EQ(setns(init_ns, CLONE_NEWNET), 0);
	EXPECT_EQ(sdrp_sysctl("rekey_interval"), 10);
	close(init_ns);
	close(c);
	close(s);
}

/*
 * net.sdrp.max_orphans bounds the closes that finish in the background.
 * With the limit at 1 and the fixture's session an orphan (its peer does
 * not answer), the next close() in the namespace aborts: CLOSED WITHOUT
 * ACK at once, no CLOSE, counted in SdrpOrphansRefused.  Its peer, a
 * kernel client, sees PEER_NO_ACK and ECONNRESET.  Once the orphan ended,
 * the next close() orphans again.
 */
TEST_F(closing, close_beyond_max_orphans_aborts)
{
	struct sdrp_params p = { .close_timeout_ms = 60000 };
	int c = -1, s = -1, c2 = -1, s2 = -1;
	struct sdrp_keys keys;
	struct sdrp_info info;
	struct sdrp_msg m;
	char b[8];

	ASSERT_EQ(sdrp_sysctl_set("max_orphans", 1), 0);
	ASSERT_EQ(sdrp_set_params(self->kfd, &p), 0);
	ASSERT_EQ(close(self->kfd), 0);
	self->kfd = -1;
	ASSERT_EQ(raw_read(&self->raw, &m, ANSWER_MS), SDRP_MSG_CLOSE);
	EXPECT_EQ(sdrp_stat("SdrpCurrOrphans"), 1);

	/* A kernel client and server in the same namespace. */
	ASSERT_EQ(sdrp_tcp_pair_here(AF_INET, &c, &s), 0);
	sdrp_random_keys(&keys);
	ASSERT_EQ(sdrp_attach(c), 0);
	ASSERT_EQ(sdrp_attach(s), 0);
	ASSERT_EQ(sdrp_set_keys(c, &keys, SDRP_ROLE_CLIENT), 0);
	ASSERT_EQ(sdrp_set_keys(s, &keys, SDRP_ROLE_SERVER), 0);
	sdrp_wipe(&keys, sizeof(keys));
	ASSERT_EQ(send(c, "q", 1, 0), 1);
	ASSERT_EQ(recv(s, b, sizeof(b), 0), 1);
	ASSERT_EQ(send(s, "r", 1, 0), 1);
	ASSERT_EQ(recv(c, b, sizeof(b), 0), 1);

	/* The server's close finds the namespace full: it aborts. */
	ASSERT_EQ(close(s), 0);
	s = -1;
	ASSERT_EQ(sdrp_wait_state(c, SDRP_STATE_CLOSED, ANSWER_MS, &info), 0);
	EXPECT_EQ(info.close_reason, SDRP_CLOSE_PEER_NO_ACK);
	EXPECT_EQ(recv(c, b, sizeof(b), 0), -1);
	EXPECT_EQ(errno, ECONNRESET);
	EXPECT_EQ(sdrp_stat("SdrpOrphansRefused"), 1);
	EXPECT_EQ(sdrp_stat("SdrpCurrOrphans"), 1);
	EXPECT_EQ(sdrp_stat("SdrpClosePeerNoAck"), 1);
	/* The aborted session's own end: LOCAL, and TCP ended with FIN. */
	EXPECT_EQ(sdrp_stat("SdrpCloseLocal"), 1);
	EXPECT_EQ(recv(c, b, sizeof(b), 0), -1);
	close(c);

	/* The orphan's peer answers: the orphan ends, a slot is free. */
	ASSERT_EQ(raw_send(&self->raw, SDRP_MSG_CLOSE_ACK, NULL), 0);
	EXPECT_EQ(raw_read(&self->raw, &m, ANSWER_MS), 0);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrOrphans", 0, ANSWER_MS), 0);
	EXPECT_EQ(sdrp_stat("SdrpCloseLocal"), 2);

	/* The next close() is an orphan again: CLOSE, not an abort. */
	ASSERT_EQ(sdrp_tcp_pair_here(AF_INET, &c2, &s2), 0);
	sdrp_random_keys(&keys);
	ASSERT_EQ(sdrp_attach(c2), 0);
	ASSERT_EQ(sdrp_attach(s2), 0);
	ASSERT_EQ(sdrp_set_keys(c2, &keys, SDRP_ROLE_CLIENT), 0);
	ASSERT_EQ(sdrp_set_keys(s2, &keys, SDRP_ROLE_SERVER), 0);
	sdrp_wipe(&keys, sizeof(keys));
	ASSERT_EQ(close(s2), 0);
	ASSERT_EQ(sdrp_wait_state(c2, SDRP_STATE_CLOSED, ANSWER_MS, &info),
		  0);
	EXPECT_EQ(info.close_reason, SDRP_CLOSE_PEER);
	EXPECT_EQ(sdrp_stat("SdrpOrphansRefused"), 1);
	close(c2);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrOrphans", 0, ANSWER_MS), 0);
}

TEST_HARNESS_MAIN
