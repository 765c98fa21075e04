// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * A server peer driven by hand-made records: the test builds each record
 * with libsdrp's codec and record API (not with a second peer), so it can
 * send what no peer would: CLOSED WITHOUT ACK out of the blue, a broken
 * header, a clear record after the handshake, a RESEND LAST before
 * anything was sent; and read exactly what the peer answers.
 */
#include "test_peer.h"

struct raw {
	int fd;
	struct sdrp_cipher *tx, *rx;	/* c2s, s2c */
	uint64_t tx_seq, rx_seq;
	uint8_t buf[SDRP_HDR_LEN + 4096 + SDRP_GCM_TAG_LEN + SDRP_MAC_LEN];
};

static void raw_init(struct raw *r, int fd, const struct sdrp_keys *k)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	if (sdrp_cipher_new(&r->tx, &k->c2s, k->epoch, k->c2s_counter) ||
	    sdrp_cipher_new(&r->rx, &k->s2c, k->epoch, k->s2c_counter))
		tap_bail("sdrp_cipher_new");
	r->tx_seq = k->c2s_seq;
	r->rx_seq = k->s2c_seq;
}

static void raw_free(struct raw *r)
{
	sdrp_cipher_free(r->tx);
	sdrp_cipher_free(r->rx);
}

/* Seal and send one message with the next c2s seq. */
static void raw_send(struct raw *r, unsigned int type, const void *data,
		     size_t len)
{
	struct sdrp_msg m = {
		.type = (uint8_t)type,
		.seq = r->tx_seq,
		.ttl = sdrp_now_ms() + SDRP_DEFAULT_TTL_MS,
		.data = data,
		.data_len = len,
	};
	ssize_t n;

	if (sdrp_type_has_nonce(type))
		m.nonce = sdrp_random_nonce();
	if (!sdrp_type_has_ttl(type))
		m.ttl = 0;
	n = sdrp_record_seal(r->tx, &m, r->buf, sizeof(r->buf));
	if (n < 0 || write_full(r->fd, r->buf, (size_t)n))
		tap_bail("raw_send");
	r->tx_seq = sdrp_seq_next(&m);
}

static int read_exact(int fd, uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Next record from the peer: its type, or 0 at end of file. */
static unsigned int raw_recv(struct raw *r, struct sdrp_msg *m)
{
	struct sdrp_rec_hdr h;

	if (read_exact(r->fd, r->buf, SDRP_HDR_LEN))
		return 0;
	if (sdrp_rec_hdr_decode(r->buf, SDRP_HDR_LEN, &h, NULL) ||
	    h.length > sizeof(r->buf) - SDRP_HDR_LEN ||
	    read_exact(r->fd, r->buf + SDRP_HDR_LEN, h.length))
		tap_bail("raw_recv: bad record from the peer");
	if (sdrp_record_open(r->rx, r->buf, SDRP_HDR_LEN + h.length, m, NULL))
		tap_bail("raw_recv: record does not open");
	r->rx_seq = sdrp_seq_next(m);
	return m->type;
}

struct raw_case {
	struct sdrp_keys ck, sk;
	struct side s;
	struct raw r;
};

static void raw_start_params(struct raw_case *x, const struct sdrp_params *pp)
{
	int cfd;

	random_keys(&x->ck, 3);
	x->sk = x->ck;
	x->ck.role = SDRP_ROLE_CLIENT;
	x->sk.role = SDRP_ROLE_SERVER;
	memset(&x->s, 0, sizeof(x->s));
	x->s.name = "server";
	x->s.role = SDRP_ROLE_SERVER;
	x->s.params = *pp;
	x->s.keys = &x->sk;
	x->s.app = server_app;
	tcp_pair(&cfd, &x->s.fd);
	raw_init(&x->r, cfd, &x->ck);
	if (pthread_create(&x->s.th, NULL, side_main, &x->s))
		tap_bail("pthread_create");
}

static void raw_start(struct raw_case *x)
{
	raw_start_params(x, &fast_params);
}

static void raw_end(struct raw_case *x)
{
	shutdown(x->r.fd, SHUT_WR);
	drain(x->r.fd);
	pthread_join(x->s.th, NULL);
	close(x->r.fd);
	raw_free(&x->r);
	sdrp_wipe(&x->ck, sizeof(x->ck));
	sdrp_wipe(&x->sk, sizeof(x->sk));
}

/* One normal exchange, to show the session works before the test. */
static bool raw_exchange(struct raw_case *x, unsigned int i)
{
	uint8_t body[64];
	struct sdrp_msg m = { 0 };

	body_fill(body, req_size(i) < sizeof(body) ? req_size(i) : 0, 2 * i);
	raw_send(&x->r, SDRP_MSG_DATA_REQUEST, body,
		 req_size(i) < sizeof(body) ? req_size(i) : 0);
	if (raw_recv(&x->r, &m) != SDRP_MSG_DATA_RESPONSE)
		return false;
	raw_send(&x->r, SDRP_MSG_DATA_ACK, NULL, 0);
	return true;
}

static void test_cwa(void)
{
	struct raw_case x;
	struct sdrp_msg m = { 0 };

	raw_start(&x);
	OK(raw_exchange(&x, 1), "cwa: one exchange first");
	raw_send(&x.r, SDRP_MSG_CLOSED_NO_ACK, NULL, 0);
	IS(raw_recv(&x.r, &m), 0, "cwa: the server answers nothing");
	raw_end(&x);
	IS(x.s.reason, SDRP_CLOSE_PEER_NO_ACK, "cwa: reason PEER_NO_ACK");
	IS(x.s.app_rc, -ECONNRESET, "cwa: application gets -ECONNRESET");
}

static void test_bad_version(void)
{
	struct raw_case x;
	struct sdrp_msg m = { 0 };
	uint8_t rec[SDRP_HDR_LEN + 80] = { 0 };

	raw_start(&x);
	/* version 2, plausible length: read whole, refused, stream in step */
	sdrp_hdr_build((struct sdrp_hdr *)rec, SDRP_MSG_DATA_REQUEST, 0, 3, 80);
	rec[0] = 2;
	if (write_full(x.r.fd, rec, sizeof(rec)))
		tap_bail("write");
	IS(raw_recv(&x.r, &m), SDRP_MSG_CLOSE, "bad version: server sends CLOSE");
	raw_send(&x.r, SDRP_MSG_CLOSE_ACK, NULL, 0);
	raw_end(&x);
	IS(x.s.reason, SDRP_CLOSE_MALFORMED, "bad version: reason MALFORMED");
	IS(x.s.app_rc, -EPROTO, "bad version: application gets -EPROTO");
}

static void test_framing_lost(void)
{
	struct raw_case x;
	struct sdrp_msg m = { 0 };
	uint8_t rec[SDRP_HDR_LEN] = { 0 };

	raw_start(&x);
	sdrp_hdr_build((struct sdrp_hdr *)rec, SDRP_MSG_DATA_REQUEST, 0, 3,
		       0x7fffffff);
	if (write_full(x.r.fd, rec, sizeof(rec)))
		tap_bail("write");
	IS(raw_recv(&x.r, &m), SDRP_MSG_CLOSE,
	   "framing lost: server sends CLOSE");
	IS(raw_recv(&x.r, &m), 0,
	   "framing lost: and ends without waiting for CLOSE ACK");
	raw_end(&x);
	IS(x.s.reason, SDRP_CLOSE_MALFORMED, "framing lost: reason MALFORMED");
}

static void test_clear_after_handshake(void)
{
	struct raw_case x;
	struct sdrp_cipher *clear;
	struct sdrp_msg m = { .type = SDRP_MSG_CLOSE };
	uint8_t mac_key[SDRP_MAC_KEY_LEN] = { 1 };
	ssize_t n;

	raw_start(&x);
	if (sdrp_cipher_new_clear(&clear, mac_key, 1))
		tap_bail("cipher");
	m.seq = x.r.tx_seq;
	m.ttl = sdrp_now_ms() + 1000;
	n = sdrp_record_seal(clear, &m, x.r.buf, sizeof(x.r.buf));
	sdrp_cipher_free(clear);
	if (n < 0 || write_full(x.r.fd, x.r.buf, (size_t)n))
		tap_bail("write");
	IS(raw_recv(&x.r, &m), SDRP_MSG_CLOSE,
	   "clear after handshake: refused with CLOSE");
	raw_send(&x.r, SDRP_MSG_CLOSE_ACK, NULL, 0);
	raw_end(&x);
	IS(x.s.reason, SDRP_CLOSE_BAD_TYPE, "clear after handshake: BAD_TYPE");
}

static void test_resend_last_first(void)
{
	struct raw_case x;
	struct sdrp_msg m = { 0 };

	raw_start(&x);
	raw_send(&x.r, SDRP_MSG_RESEND_LAST, NULL, 0);
	IS(raw_recv(&x.r, &m), SDRP_MSG_CLOSE,
	   "RESEND LAST with nothing sent: CLOSE");
	raw_send(&x.r, SDRP_MSG_CLOSE_ACK, NULL, 0);
	raw_end(&x);
	IS(x.s.reason, SDRP_CLOSE_BAD_TYPE, "RESEND LAST with nothing sent: BAD_TYPE");
}

static void test_resend_set(void)
{
	struct raw_case x;
	struct sdrp_msg m = { 0 };
	uint64_t seq;

	raw_start(&x);
	OK(raw_exchange(&x, 1), "resend set: one exchange");
	/* DATA REQUEST; the response comes; ask for it again */
	raw_send(&x.r, SDRP_MSG_DATA_REQUEST, "abc", 3);
	IS(raw_recv(&x.r, &m), SDRP_MSG_DATA_RESPONSE, "resend set: response");
	seq = m.seq;
	raw_send(&x.r, SDRP_MSG_RESEND_LAST, NULL, 0);
	IS(raw_recv(&x.r, &m), SDRP_MSG_DATA_RESPONSE,
	   "resend set: the response is retransmitted");
	OK(m.seq == seq, "resend set: with its original seq");
	x.r.rx_seq = seq + 1;
	raw_send(&x.r, SDRP_MSG_DATA_ACK, NULL, 0);
	/* now the set is empty: a RESEND LAST gets nothing */
	raw_send(&x.r, SDRP_MSG_DATA_REQUEST, "d", 1);
	IS(raw_recv(&x.r, &m), SDRP_MSG_DATA_RESPONSE, "resend set: next response");
	raw_send(&x.r, SDRP_MSG_DATA_ACK, NULL, 0);
	raw_send(&x.r, SDRP_MSG_RESEND_LAST, NULL, 0);
	raw_send(&x.r, SDRP_MSG_CLOSE, NULL, 0);
	IS(raw_recv(&x.r, &m), SDRP_MSG_CLOSE_ACK,
	   "resend set: nothing to resend after the DATA ACK; CLOSE ACK next");
	raw_end(&x);
	IS(x.s.reason, SDRP_CLOSE_PEER, "resend set: closed by the client");
	IS(x.s.done, 3, "resend set: three exchanges answered");
}

/*
 * Policy RESEND on an idle server: a bad record, then silence.  The
 * server asks max_retries times (its receive timer runs after each RESEND
 * LAST, even while idle), then closes with the first bad record's reason.
 */
static void test_resend_first_reason(void)
{
	struct sdrp_params pp = fast_params;
	struct raw_case x;
	struct sdrp_msg m = { 0 };
	ssize_t n;
	int resends = 0;
	unsigned int t;

	pp.policy = SDRP_POLICY_RESEND;
	pp.recv_timeout_ms = 150;
	raw_start_params(&x, &pp);
	m.type = SDRP_MSG_DATA_REQUEST;
	m.seq = x.r.tx_seq;
	m.ttl = sdrp_now_ms() + 1000;
	n = sdrp_record_seal(x.r.tx, &m, x.r.buf, sizeof(x.r.buf));
	if (n < 0)
		tap_bail("seal");
	x.r.buf[n - 1] ^= 1;		/* the HMAC fails */
	if (write_full(x.r.fd, x.r.buf, (size_t)n))
		tap_bail("write");
	while ((t = raw_recv(&x.r, &m)) == SDRP_MSG_RESEND_LAST)
		resends++;
	IS(resends, 3, "first reason: 3 RESEND LASTs (one per timeout after the bad record)");
	IS(t, SDRP_MSG_CLOSE, "first reason: then CLOSE");
	raw_send(&x.r, SDRP_MSG_CLOSE_ACK, NULL, 0);
	raw_end(&x);
	IS(x.s.reason, SDRP_CLOSE_BAD_MAC,
	   "first reason: BAD_MAC, not RETRIES, although the last failure was a timeout");
	IS(x.s.app_rc, -EBADMSG, "first reason: application gets -EBADMSG");
}

int main(void)
{
	if (sdrp_init())
		tap_bail("no AES-256-GCM on this CPU");
	test_cwa();
	test_bad_version();
	test_framing_lost();
	test_clear_after_handshake();
	test_resend_last_first();
	test_resend_set();
	test_resend_first_reason();
	return tap_done();
}
