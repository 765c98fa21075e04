// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The userspace sdrp peer: one session's state machine over a TCP socket.
 *
 * Structure:
 *   - I/O: read_record() assembles exactly one record in rxbuf (header,
 *     then the body its length announces) with non-blocking recv() and
 *     poll() deadlines; write_all() sends a whole record.
 *   - rx path (handle_record()): the checks in the order of the protocol:
 *     header, clear/protected and epoch, HMAC, GCM, inner layout (all in
 *     sdrp_record_open()), then type for the state, seq, ttl; then
 *     dispatch() acts on the accepted message by phase.
 *   - tx path (send_msg()): fills seq and ttl, seals with the current
 *     cipher, applies an armed test fault, writes, advances the direction's
 *     seq counter.
 *   - timers: one receive deadline, armed by set_phase() in the phases
 *     where the peer owes us a message, and one close deadline in CLOSING.
 *     run() waits on whichever is due; records already buffered are always
 *     read before a deadline is judged expired.
 *
 * Sequence numbers live in keys.c2s_seq / keys.s2c_seq (next seq of each
 * direction), record counters in the ciphers.  The receive counter also
 * advances over a record that failed its checks in the current epoch, as
 * the sender consumed that counter; a retransmission after RESEND LAST
 * then verifies with the next one.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>

#include "internal.h"
#include <sdrp/peer.h>

/*
 * States of Documentation/protocol.rst ("State machines"), one enum for
 * both roles.  The spec's C_IDLE, S_IDLE and C_WAIT_REKEY_HELLO share
 * PH_IDLE: a client in PH_IDLE with rekey_due set is C_WAIT_REKEY_HELLO.
 */
enum phase {
	PH_NEW,			/* C_START: not started */
	PH_C_HELLO_SENT,	/* client: initial HELLO sent */
	PH_S_WAIT_HELLO,	/* server: waiting for the initial HELLO */
	PH_S_WAIT_ACK,		/* server: HELLO ACK sent, waiting for ACK */
	PH_IDLE,		/* established, nothing outstanding */
	PH_C_WAIT_RESPONSE,	/* client: DATA REQUEST sent */
	PH_C_WAIT_REKEY_ACK,	/* client: rekey HELLO ACK sent, epoch n+1 */
	PH_S_HAVE_REQUEST,	/* server: request received, not answered */
	PH_S_WAIT_DATA_ACK,	/* server: DATA RESPONSE sent */
	PH_S_WAIT_REKEY_HELLO_ACK, /* server: rekey HELLO sent */
	PH_CLOSING,		/* CLOSE sent, waiting for CLOSE ACK */
	PH_CLOSED,
};

/*
 * Retransmission set (Documentation/protocol.rst, "RESEND LAST"): the
 * normal-flow messages (ACK, DATA REQUEST, DATA RESPONSE, DATA ACK) sent
 * since this peer last accepted a message other than RESEND LAST.  At
 * most two (a client's DATA ACK and its next DATA REQUEST), of which at
 * most one carries data: its copy is in buf.
 */
struct rtx_set {
	unsigned int n;
	struct sdrp_msg m[2];
	uint8_t *buf;		/* SDRP_MAX_DATA bytes */
	bool ever;		/* any normal-flow message sent yet */
};

struct sdrp_peer {
	int fd;
	enum sdrp_role role;
	struct sdrp_params params;
	enum phase phase;
	bool started;
	bool hs_complete;	/* clear records no longer accepted */

	/* initial handshake (freed once complete) */
	struct sdrp_hs *hs;
	uint64_t hs_seq;	/* initial HELLO's seq */

	/* current epoch: keys, chain key, both seq counters */
	bool have_keys;
	struct sdrp_keys keys;
	struct sdrp_cipher *tx, *rx;
	struct sdrp_cipher *old_tx;	/* previous epoch, fault OLD_EPOCH only */

	uint32_t rekey_interval;
	uint32_t acked;		/* acknowledged responses in this epoch */
	bool rekey_due;		/* client: interval reached, HELLO next */

	/* X25519 pair of the next rekey, prepared ahead */
	bool next_ready;
	uint8_t next_sk[SDRP_X25519_LEN];
	uint8_t next_pk[SDRP_X25519_LEN];
	/* wire bytes of this rekey's HELLO (for th_n) */
	uint8_t rk_hello[SDRP_HDR_LEN + 64 + SDRP_GCM_TAG_LEN + SDRP_MAC_LEN];
	size_t rk_hello_len;

	struct rtx_set rtx;
	uint64_t prev_tx_seq;	/* seq of the message before, REPLAY_SEQ */
	uint64_t close_seq;	/* seq of our CLOSE, reused when resent */
	bool close_clear;

	/* rx: exactly one record at a time */
	uint8_t *rxbuf;
	size_t rx_have, rx_need;
	struct sdrp_rec_hdr rx_hdr;
	struct sdrp_msg rx_msg;	/* delivered data points into rxbuf */
	bool got_response;
	bool req_delivered;

	uint8_t *txbuf;

	/* timers: CLOCK_MONOTONIC ms, 0 = off */
	int64_t recv_deadline;
	int64_t close_deadline;
	unsigned int resends_in_row;
	enum sdrp_close_reason first_bad;	/* first bad record of the run */
	bool resend_outstanding;	/* our RESEND LAST not yet answered */
	/* the first messages accepted after our last RESEND LAST */
	struct {
		uint8_t type;
		uint64_t seq;
	} seen[2];
	unsigned int seen_open;		/* slots of seen[] still to fill */
	unsigned int closes_sent;
	enum sdrp_close_reason pending_reason;	/* reason of our CLOSE */
	int pending_errno;	/* its errno if more specific than the map */

	enum sdrp_close_reason reason;
	int close_errno;
	struct sdrp_info info;

	struct sdrp_fault fault;
	uint32_t fault_seen;	/* matching messages sent so far */
	struct sdrp_peer_mutator mutator;	/* tests: fuzzers' hook */
	sdrp_peer_observer_fn observer;
	void *observer_ctx;
};

static const struct sdrp_params default_params = {
	.rekey_interval = SDRP_DEFAULT_REKEY_INTERVAL,
	.ttl_ms = SDRP_DEFAULT_TTL_MS,
	.clock_skew_ms = SDRP_DEFAULT_CLOCK_SKEW_MS,
	.recv_timeout_ms = 45000,
	.close_timeout_ms = 45000,
	.max_retries = 3,
	.policy = SDRP_POLICY_CLOSE,
};

static void handle_invalid(struct sdrp_peer *p, enum sdrp_close_reason why,
			   int is_timer);
static void start_close(struct sdrp_peer *p, enum sdrp_close_reason why);

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool is_client(const struct sdrp_peer *p)
{
	return p->role == SDRP_ROLE_CLIENT;
}

/* Next seq of what we send and of what we receive. */
static __u64 *tx_seq(struct sdrp_peer *p)
{
	return is_client(p) ? &p->keys.c2s_seq : &p->keys.s2c_seq;
}

static __u64 *rx_seq(struct sdrp_peer *p)
{
	return is_client(p) ? &p->keys.s2c_seq : &p->keys.c2s_seq;
}

static const struct sdrp_dir_keys *tx_keys(const struct sdrp_peer *p)
{
	return is_client(p) ? &p->keys.c2s : &p->keys.s2c;
}

static const struct sdrp_dir_keys *rx_keys(const struct sdrp_peer *p)
{
	return is_client(p) ? &p->keys.s2c : &p->keys.c2s;
}

/* ------------------------------------------------------------------ */
/* State, timers, close                                                */
/* ------------------------------------------------------------------ */

/* Whether the peer owes us a message in this phase (receive timer). */
static bool phase_has_timer(const struct sdrp_peer *p, enum phase ph)
{
	switch (ph) {
	case PH_C_HELLO_SENT:
	case PH_S_WAIT_HELLO:
	case PH_S_WAIT_ACK:
	case PH_C_WAIT_RESPONSE:
	case PH_C_WAIT_REKEY_ACK:
	case PH_S_WAIT_DATA_ACK:
	case PH_S_WAIT_REKEY_HELLO_ACK:
		return true;
	case PH_IDLE:
		/* client after the interval's DATA ACK: the HELLO is owed */
		return is_client(p) && p->rekey_due;
	default:
		return false;
	}
}

static void arm_recv_timer(struct sdrp_peer *p)
{
	p->recv_deadline = phase_has_timer(p, p->phase) ?
			   mono_ms() + p->params.recv_timeout_ms : 0;
}

static void set_phase(struct sdrp_peer *p, enum phase ph)
{
	p->phase = ph;
	arm_recv_timer(p);
}

static void free_epoch_state(struct sdrp_peer *p)
{
	sdrp_cipher_free(p->tx);
	sdrp_cipher_free(p->rx);
	sdrp_cipher_free(p->old_tx);
	p->tx = p->rx = p->old_tx = NULL;
	sdrp_hs_free(p->hs);
	p->hs = NULL;
	sdrp_wipe(&p->keys.c2s, sizeof(p->keys.c2s));
	sdrp_wipe(&p->keys.s2c, sizeof(p->keys.s2c));
	sdrp_wipe(p->keys.chain_key, sizeof(p->keys.chain_key));
	sdrp_wipe(p->next_sk, sizeof(p->next_sk));
	p->next_ready = false;
	p->have_keys = false;
}

/* The session is over: keep the reason, wipe every secret. */
static void finish(struct sdrp_peer *p, enum sdrp_close_reason reason,
		   int err)
{
	if (p->phase == PH_CLOSED)
		return;
	if (!err && reason == p->pending_reason)
		err = p->pending_errno;
	p->phase = PH_CLOSED;
	p->reason = reason;
	p->close_errno = err ? err : sdrp_close_reason_errno(reason);
	p->recv_deadline = p->close_deadline = 0;
	free_epoch_state(p);
	if (p->rtx.buf)
		sdrp_wipe(p->rtx.buf, SDRP_MAX_DATA);
	p->rtx.n = 0;
}

/* Errno-style result of a call on a closed session. */
static int closed_ret(const struct sdrp_peer *p)
{
	if (p->reason == SDRP_CLOSE_PEER)
		return 0;
	return -p->close_errno;
}

/* ------------------------------------------------------------------ */
/* Socket I/O                                                          */
/* ------------------------------------------------------------------ */

/*
 * Bound on a blocked send: the peer stopped reading.  Judged like a
 * missing message (the larger of the two timeouts).
 */
static int64_t send_deadline(const struct sdrp_peer *p)
{
	uint32_t t = p->params.recv_timeout_ms;

	if (p->params.close_timeout_ms > t)
		t = p->params.close_timeout_ms;
	return mono_ms() + t;
}

static int write_all(struct sdrp_peer *p, const uint8_t *buf, size_t len)
{
	int64_t deadline = send_deadline(p);

	while (len) {
		ssize_t n = send(p->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = p->fd, .events = POLLOUT };
			int64_t left = deadline - mono_ms();

			if (left <= 0)
				return -ETIMEDOUT;
			if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		return n < 0 ? -errno : -EIO;
	}
	return 0;
}

/*
 * Read until rxbuf holds one whole record.  @until: CLOCK_MONOTONIC ms,
 * -1 for no limit.  Return: 1 record ready; 0 deadline passed; -EPROTO
 * if the framing is lost (header unusable); -ECONNRESET on end of file;
 * another -errno of recv.  On a header that fails its checks but whose
 * length can be trusted (bounded), the record is still read whole and
 * rx_hdr.type is 0, so that the stream stays in step.
 */
static int read_record(struct sdrp_peer *p, int64_t until)
{
	for (;;) {
		ssize_t n;

		if (p->rx_have == p->rx_need) {
			if (p->rx_need > SDRP_HDR_LEN)
				return 1;
			/* header complete: learn the body length */
			if (sdrp_rec_hdr_decode(p->rxbuf, SDRP_HDR_LEN,
						&p->rx_hdr, NULL)) {
				uint32_t len = sdrp_get_be32(p->rxbuf + 8);

				if (len > SDRP_MAX_RECORD_BODY ||
				    len < SDRP_MAC_LEN)
					return -EPROTO;
				memset(&p->rx_hdr, 0, sizeof(p->rx_hdr));
				p->rx_hdr.length = len;
			}
			p->rx_need = SDRP_HDR_LEN + p->rx_hdr.length;
			continue;
		}
		n = recv(p->fd, p->rxbuf + p->rx_have, p->rx_need - p->rx_have,
			 MSG_DONTWAIT);
		if (n > 0) {
			p->rx_have += (size_t)n;
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
			int timeout = -1;

			if (until >= 0) {
				int64_t left = until - mono_ms();

				if (left <= 0)
					return 0;
				timeout = left > 1000000 ? 1000000 : (int)left;
			}
			if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		return -errno;
	}
}

static void rx_reset(struct sdrp_peer *p)
{
	p->rx_have = 0;
	p->rx_need = SDRP_HDR_LEN;
}

static void observe(struct sdrp_peer *p, enum sdrp_peer_dir dir,
		    const uint8_t *rec, uint64_t seq, size_t data_len,
		    enum sdrp_fault_kind fault, enum sdrp_close_reason verdict)
{
	struct sdrp_record_event ev = {
		.dir = dir,
		.type = rec[1],
		.flags = rec[2],
		.epoch = sdrp_get_be32(rec + 4),
		.length = sdrp_get_be32(rec + 8),
		.seq = seq,
		.data_len = (uint32_t)data_len,
		.fault = fault,
		.verdict = verdict,
		.record = rec,
	};

	if (p->observer)
		p->observer(p->observer_ctx, &ev);
}

/* ------------------------------------------------------------------ */
/* Sending, with the test faults                                       */
/* ------------------------------------------------------------------ */

/* Fault to apply to this outgoing message, counting matches. */
static enum sdrp_fault_kind fault_for(struct sdrp_peer *p, unsigned int type,
				      bool initial)
{
	const struct sdrp_fault *f = &p->fault;
	uint32_t nth = f->nth ? f->nth : 1;
	uint32_t count = f->count ? f->count : 1;

	switch (f->kind) {
	case SDRP_FAULT_NONE:
		return SDRP_FAULT_NONE;
	case SDRP_FAULT_NO_CLOSE_ACK:
		return type == SDRP_MSG_CLOSE_ACK ? f->kind : SDRP_FAULT_NONE;
	case SDRP_FAULT_NO_ACK:
		return initial && type == SDRP_MSG_ACK && is_client(p) ?
		       f->kind : SDRP_FAULT_NONE;
	case SDRP_FAULT_NO_HELLO_REPLY:
		return initial && type == SDRP_MSG_HELLO_ACK && !is_client(p) ?
		       f->kind : SDRP_FAULT_NONE;
	case SDRP_FAULT_BAD_SIGNATURE:
		return initial && type == (is_client(p) ? SDRP_MSG_HELLO :
					   SDRP_MSG_HELLO_ACK) ?
		       f->kind : SDRP_FAULT_NONE;
	default:
		break;
	}
	if (f->msg_type && f->msg_type != type)
		return SDRP_FAULT_NONE;
	p->fault_seen++;
	if (p->fault_seen < nth || p->fault_seen - nth >= count)
		return SDRP_FAULT_NONE;
	return f->kind;
}

/*
 * Recompute the HMAC of a sealed record after the fault code altered its
 * body, so that only the GCM tag (or nothing, for a clear record) betrays
 * the change.  A clear cipher over the same MAC key seals nothing but the
 * MAC (sdrpi_seal_raw()), so no MAC code is repeated here.
 */
static int remac(struct sdrp_peer *p, struct sdrp_cipher *used, uint8_t *rec,
		 size_t len)
{
	uint64_t counter = sdrp_cipher_counter(used) - 1;
	size_t covered = len - SDRP_HDR_LEN - SDRP_MAC_LEN;
	struct sdrp_cipher *mac;
	int rc;

	if (sdrp_cipher_is_clear(used)) {
		sdrp_cipher_set_counter(used, counter);
		sdrpi_seal_raw(used, rec, covered);
		return 0;
	}
	rc = sdrp_cipher_new_clear(&mac, tx_keys(p)->mac, counter);
	if (rc)
		return rc;
	sdrpi_seal_raw(mac, rec, covered);
	sdrp_cipher_free(mac);
	return 0;
}

/*
 * Seal @w into txbuf, through the mutator's hooks if one is set: the
 * fields first, then the encoded inner plaintext, which is sealed as it
 * is (a layout the encoder refuses still gets authentic protection).
 */
static ssize_t seal(struct sdrp_peer *p, struct sdrp_cipher *c,
		    struct sdrp_msg *w)
{
	const struct sdrp_peer_mutator *mu = &p->mutator;
	size_t cap = SDRP_MAX_RECORD - SDRP_HDR_LEN - SDRP_GCM_TAG_LEN -
		     SDRP_MAC_LEN;
	uint8_t *inner = p->txbuf + SDRP_HDR_LEN;
	ssize_t len;

	if (mu->message)
		mu->message(mu->ctx, w);
	if (!mu->inner)
		return sdrp_record_seal(c, w, p->txbuf, SDRP_MAX_RECORD);
	if (sdrp_cipher_counter(c) >= SDRP_MAX_RECORDS_PER_EPOCH)
		return -EOVERFLOW;
	len = sdrp_inner_encode(w, inner, cap);
	if (len < 0)
		return len;
	len = (ssize_t)mu->inner(mu->ctx, w->type, inner, (size_t)len, cap);
	sdrp_hdr_build((struct sdrp_hdr *)p->txbuf, w->type,
		       sdrp_cipher_is_clear(c) ? SDRP_HDR_F_CLEAR : 0,
		       sdrp_cipher_epoch(c),
		       sdrp_record_body_len((uint32_t)len,
					    !sdrp_cipher_is_clear(c)));
	return (ssize_t)sdrpi_seal_raw(c, p->txbuf, (size_t)len);
}

/* The cipher a record of @type goes out with now. */
static struct sdrp_cipher *tx_cipher(struct sdrp_peer *p, bool clear)
{
	if (clear)
		return p->hs ? sdrp_hs_clear_tx(p->hs) : NULL;
	return p->tx;
}

/*
 * Deliver a sealed record to the socket, unless silenced.  A silenced
 * record never existed for the receiver, so the record counter @c sealed
 * it with is given back: what is sent next must verify.
 */
static int put_record(struct sdrp_peer *p, struct sdrp_cipher *c, uint8_t *rec,
		      size_t len, uint64_t seq, size_t data_len,
		      enum sdrp_fault_kind f)
{
	bool silent = f == SDRP_FAULT_SILENCE || f == SDRP_FAULT_NO_ACK ||
		      f == SDRP_FAULT_NO_HELLO_REPLY ||
		      f == SDRP_FAULT_NO_CLOSE_ACK;
	int rc = 0;

	if (f == SDRP_FAULT_BAD_MAC)
		rec[len - 1] ^= 0x01;
	/* the last body byte: data for the messages that carry some (the
	 * signature's last byte in an initial HELLO / HELLO ACK) */
	if (f == SDRP_FAULT_TAMPER || f == SDRP_FAULT_BAD_SIGNATURE)
		rec[len - SDRP_MAC_LEN - 1] ^= 0x01;
	if (f == SDRP_FAULT_BAD_SIGNATURE && c) {
		rc = remac(p, c, rec, len);
		if (rc)
			return rc;
	}
	if (p->mutator.wire && rec == p->txbuf)
		len = p->mutator.wire(p->mutator.ctx, rec, len,
				      SDRP_MAX_RECORD);
	if (!silent) {
		rc = write_all(p, rec, len);
		if (!rc)
			p->info.records_tx++;
	} else if (c) {
		sdrp_cipher_set_counter(c, sdrp_cipher_counter(c) - 1);
	}
	observe(p, SDRP_PEER_TX, rec, seq, data_len, f, SDRP_CLOSE_NONE);
	return rc;
}

/*
 * Seal and send one message.  m->seq is filled from the direction's
 * counter unless @resend (a retransmission keeps its seq), m->ttl from
 * the clock.  The counter advances by the protocol's rule for the real
 * message, whatever fault alters the copy on the wire.  Return: 0 or a
 * negative errno (transport, or -EOVERFLOW from the cipher).
 */
static int send_msg(struct sdrp_peer *p, struct sdrp_msg *m, bool clear,
		    bool resend, bool initial)
{
	struct sdrp_cipher *c = tx_cipher(p, clear);
	struct sdrp_cipher *tmp = NULL;
	enum sdrp_fault_kind f;
	struct sdrp_msg w;
	ssize_t len;
	int rc;

	if (!c)
		return -ENOTCONN;
	if (!resend)
		m->seq = *tx_seq(p);
	m->ttl = sdrp_type_has_ttl(m->type) ?
		 sdrp_now_ms() + p->params.ttl_ms : 0;
	if (sdrp_type_has_nonce(m->type) && !m->nonce)
		m->nonce = sdrp_random_nonce();

	f = fault_for(p, m->type, initial);
	w = *m;
	switch (f) {
	case SDRP_FAULT_BAD_SEQ:
		w.seq = m->seq + 1;
		break;
	case SDRP_FAULT_REPLAY_SEQ:
		w.seq = p->prev_tx_seq != m->seq ? p->prev_tx_seq : m->seq - 1;
		break;
	case SDRP_FAULT_STALE_TTL:
		if (w.ttl)
			w.ttl = sdrp_now_ms() - 1000;
		break;
	case SDRP_FAULT_FUTURE_TTL:
		if (w.ttl)
			w.ttl = sdrp_now_ms() + p->params.ttl_ms +
				p->params.clock_skew_ms + 60000;
		break;
	case SDRP_FAULT_WRONG_TYPE:
		w.type = is_client(p) ? SDRP_MSG_DATA_RESPONSE :
					SDRP_MSG_DATA_REQUEST;
		w.nonce = 0;
		if (!sdrp_type_has_data(m->type)) {
			w.data = NULL;
			w.data_len = 0;
		}
		if (!w.ttl)
			w.ttl = sdrp_now_ms() + p->params.ttl_ms;
		if (clear)
			c = p->tx ? p->tx : c;
		break;
	case SDRP_FAULT_OUT_OF_ORDER:
		/*
		 * A message of the normal flow, sent before its time: the
		 * client's next request, the server's next rekey HELLO.
		 */
		if (p->tx) {
			struct sdrp_msg early = {
				.type = is_client(p) ? SDRP_MSG_DATA_REQUEST :
						       SDRP_MSG_HELLO,
				.seq = m->seq,
				.ttl = m->ttl ? m->ttl :
				       sdrp_now_ms() + p->params.ttl_ms,
			};

			if (!is_client(p)) {
				early.data = p->next_pk;
				early.data_len = SDRP_X25519_LEN;
			}

			len = sdrp_record_seal(p->tx, &early, p->txbuf,
					       SDRP_MAX_RECORD);
			if (len < 0)
				return (int)len;
			rc = put_record(p, p->tx, p->txbuf, (size_t)len,
					early.seq, 0, SDRP_FAULT_OUT_OF_ORDER);
			if (rc)
				return rc;
		}
		f = SDRP_FAULT_NONE;
		break;
	case SDRP_FAULT_OLD_EPOCH:
		if (clear)
			break;
		if (p->old_tx) {
			c = p->old_tx;
		} else if (p->keys.epoch > 0) {
			/* no older keys kept: current keys, older label */
			rc = sdrp_cipher_new(&tmp, tx_keys(p),
					     p->keys.epoch - 1, 0);
			if (rc)
				return rc;
			c = tmp;
		}
		break;
	default:
		break;
	}

	len = seal(p, c, &w);
	if (len >= 0 && f == SDRP_FAULT_CORRUPT) {
		p->txbuf[SDRP_HDR_LEN] ^= 0x80;	/* first body byte */
		rc = remac(p, c, p->txbuf, (size_t)len);
		if (rc)
			len = rc;
	}
	if (len < 0) {
		sdrp_cipher_free(tmp);
		return (int)len;
	}
	if (m->type == SDRP_MSG_HELLO && !clear) {
		memcpy(p->rk_hello, p->txbuf, (size_t)len);
		p->rk_hello_len = (size_t)len;
	}
	rc = put_record(p, c, p->txbuf, (size_t)len, w.seq, w.data_len, f);
	sdrp_cipher_free(tmp);
	if (rc)
		return rc;
	if (resend)
		return 0;
	p->prev_tx_seq = m->seq;
	*tx_seq(p) = sdrp_seq_next(m);
	if (m->type == SDRP_MSG_DATA_REQUEST || m->type == SDRP_MSG_DATA_RESPONSE)
		p->info.bytes_tx += m->data_len;
	return 0;
}

/* Keep a copy of a message for RESEND LAST. */
static void remember(struct sdrp_peer *p, const struct sdrp_msg *m)
{
	struct rtx_set *r = &p->rtx;

	switch (m->type) {
	case SDRP_MSG_ACK:
	case SDRP_MSG_DATA_REQUEST:
	case SDRP_MSG_DATA_RESPONSE:
	case SDRP_MSG_DATA_ACK:
		break;
	default:
		return;		/* never retransmitted */
	}
	if (r->n == 2) {	/* not in the protocol's flows; keep the newest */
		r->m[0] = r->m[1];
		r->n = 1;
	}
	r->m[r->n] = *m;
	if (m->data_len) {
		if (m->data != r->buf)
			memmove(r->buf, m->data, m->data_len);
		r->m[r->n].data = r->buf;
	} else {
		r->m[r->n].data = NULL;
	}
	r->n++;
	r->ever = true;
}

/* Send a fresh message of the normal flow; a failure closes the session. */
static int send_flow(struct sdrp_peer *p, struct sdrp_msg *m, bool initial)
{
	int rc = send_msg(p, m, false, false, initial);

	if (rc) {
		if (rc == -EOVERFLOW || rc == -EINVAL || rc == -ENOMEM)
			finish(p, SDRP_CLOSE_INTERNAL, -rc);
		else
			finish(p, SDRP_CLOSE_TRANSPORT, 0);
		return rc;
	}
	remember(p, m);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Close                                                               */
/* ------------------------------------------------------------------ */

/* Clear records go out only before this side has epoch 0 keys. */
static bool close_in_clear(const struct sdrp_peer *p)
{
	return !p->have_keys;
}

static int send_close_family(struct sdrp_peer *p, unsigned int type,
			     bool clear, bool resend, uint64_t seq)
{
	struct sdrp_msg m = { .type = (uint8_t)type, .seq = seq };

	return send_msg(p, &m, clear, resend, false);
}

static void start_close(struct sdrp_peer *p, enum sdrp_close_reason why)
{
	bool clear = close_in_clear(p);

	if (p->phase == PH_CLOSING || p->phase == PH_CLOSED)
		return;
	if (!tx_cipher(p, clear)) {
		/* nothing to authenticate a CLOSE with (server before a
		 * HELLO matched an s0): just drop the connection */
		finish(p, why, 0);
		return;
	}
	p->pending_reason = why;
	p->pending_errno = 0;
	p->close_clear = clear;
	p->close_seq = *tx_seq(p);
	if (send_close_family(p, SDRP_MSG_CLOSE, clear, false, 0)) {
		finish(p, why, 0);
		return;
	}
	p->phase = PH_CLOSING;
	p->recv_deadline = 0;
	p->closes_sent = 1;
	p->close_deadline = mono_ms() + p->params.close_timeout_ms;
}

/* Reason left when our CLOSEs end without a CLOSE ACK. */
static enum sdrp_close_reason unacked_reason(const struct sdrp_peer *p)
{
	return p->pending_reason == SDRP_CLOSE_LOCAL ? SDRP_CLOSE_NO_ACK :
						       p->pending_reason;
}

static void close_timer_expired(struct sdrp_peer *p)
{
	if (p->closes_sent < p->params.max_retries) {
		if (send_close_family(p, SDRP_MSG_CLOSE, p->close_clear, true,
				      p->close_seq)) {
			finish(p, unacked_reason(p), 0);
			return;
		}
		p->closes_sent++;
		p->close_deadline = mono_ms() + p->params.close_timeout_ms;
		return;
	}
	send_close_family(p, SDRP_MSG_CLOSED_NO_ACK, p->close_clear, false, 0);
	finish(p, unacked_reason(p), 0);
}

/* ------------------------------------------------------------------ */
/* Rekey                                                               */
/* ------------------------------------------------------------------ */

static int prepare_next_pair(struct sdrp_peer *p)
{
	if (p->next_ready)
		return 0;
	if (sdrp_x25519_keypair(p->next_sk, p->next_pk))
		return -EIO;
	p->next_ready = true;
	return 0;
}

/*
 * Both roles, once the initial handshake is over (server: ACK received;
 * client: ACK sent): its state goes, the session is idle and the X25519
 * pair for the next rekey is made ahead.
 */
static void initial_handshake_done(struct sdrp_peer *p)
{
	p->hs_complete = true;
	sdrp_hs_free(p->hs);
	p->hs = NULL;
	set_phase(p, PH_IDLE);
	if (prepare_next_pair(p))
		finish(p, SDRP_CLOSE_INTERNAL, EIO);
}

/* Ciphers for the epoch now in p->keys; the old ones are wiped. */
static int install_epoch(struct sdrp_peer *p)
{
	struct sdrp_cipher *tx, *rx;
	int rc;

	rc = sdrp_cipher_new(&tx, tx_keys(p), p->keys.epoch,
			     is_client(p) ? p->keys.c2s_counter :
					    p->keys.s2c_counter);
	if (rc)
		return rc;
	rc = sdrp_cipher_new(&rx, rx_keys(p), p->keys.epoch,
			     is_client(p) ? p->keys.s2c_counter :
					    p->keys.c2s_counter);
	if (rc) {
		sdrp_cipher_free(tx);
		return rc;
	}
	sdrp_cipher_free(p->old_tx);
	p->old_tx = NULL;
	if (p->fault.kind == SDRP_FAULT_OLD_EPOCH)
		p->old_tx = p->tx;	/* kept for the fault only */
	else
		sdrp_cipher_free(p->tx);
	sdrp_cipher_free(p->rx);
	p->tx = tx;
	p->rx = rx;
	p->have_keys = true;
	p->info.epoch = p->keys.epoch;
	return 0;
}

/*
 * Derive epoch n+1 from the rekey HELLO (already in rk_hello) and the
 * HELLO ACK @ack, then switch both directions.
 */
static int rekey_switch(struct sdrp_peer *p, const uint8_t *peer_pub,
			const uint8_t *ack, size_t ack_len)
{
	enum sdrp_err err = SDRP_ERR_NONE;
	int rc;

	rc = sdrp_rekey_derive(&p->keys, p->next_sk, peer_pub, p->rk_hello,
			       p->rk_hello_len, ack, ack_len, &err);
	sdrp_wipe(p->next_sk, sizeof(p->next_sk));
	p->next_ready = false;
	if (rc)
		return rc;
	return install_epoch(p);
}

static void rekey_done(struct sdrp_peer *p)
{
	p->acked = 0;
	p->rekey_due = false;
	p->info.rekeys++;
	p->info.responses_in_epoch = 0;
	if (prepare_next_pair(p))
		finish(p, SDRP_CLOSE_INTERNAL, EIO);
}

/* Server: the interval's DATA ACK arrived; send the rekey HELLO. */
static void server_start_rekey(struct sdrp_peer *p)
{
	struct sdrp_msg m = { .type = SDRP_MSG_HELLO };

	if (p->keys.epoch == UINT32_MAX) {	/* no epoch after this one */
		start_close(p, SDRP_CLOSE_INTERNAL);
		p->pending_errno = EOVERFLOW;
		return;
	}
	if (prepare_next_pair(p)) {
		finish(p, SDRP_CLOSE_INTERNAL, EIO);
		return;
	}
	m.data = p->next_pk;
	m.data_len = SDRP_X25519_LEN;
	if (send_flow(p, &m, false))
		return;
	set_phase(p, PH_S_WAIT_REKEY_HELLO_ACK);
}

/* ------------------------------------------------------------------ */
/* Receiving                                                           */
/* ------------------------------------------------------------------ */

/* Whether a message of @type (clear or not) is expected now. */
static bool type_expected(const struct sdrp_peer *p, unsigned int type,
			  bool clear)
{
	switch (type) {
	case SDRP_MSG_CLOSE:
	case SDRP_MSG_CLOSED_NO_ACK:
		return true;
	case SDRP_MSG_CLOSE_ACK:
		return p->phase == PH_CLOSING;
	case SDRP_MSG_RESEND_LAST:
		return !clear;
	default:
		break;
	}
	if (clear)	/* HELLO / HELLO ACK of the initial handshake only */
		return false;
	switch (p->phase) {
	case PH_IDLE:
		if (is_client(p))
			return type == SDRP_MSG_HELLO && p->rekey_due;
		return type == SDRP_MSG_DATA_REQUEST;
	case PH_S_WAIT_ACK:
		return type == SDRP_MSG_ACK;
	case PH_C_WAIT_RESPONSE:
		return type == SDRP_MSG_DATA_RESPONSE;
	case PH_C_WAIT_REKEY_ACK:
		return type == SDRP_MSG_ACK;
	case PH_S_WAIT_DATA_ACK:
		return type == SDRP_MSG_DATA_ACK;
	case PH_S_WAIT_REKEY_HELLO_ACK:
		return type == SDRP_MSG_HELLO_ACK;
	default:
		return false;
	}
}

/*
 * A retransmission of a message accepted already: a RESEND LAST of ours
 * crossed the original (Documentation/protocol.rst, "Crossing
 * retransmissions").  Only the first two messages accepted after our
 * RESEND LAST can come again (a retransmission set holds at most two).
 */
static bool is_copy(const struct sdrp_peer *p, const struct sdrp_msg *m)
{
	return (p->seen[0].type == m->type && p->seen[0].seq == m->seq) ||
	       (p->seen[1].type == m->type && p->seen[1].seq == m->seq);
}

/* A valid message arrived: the retry count starts over. */
static void accepted(struct sdrp_peer *p, const struct sdrp_msg *m)
{
	*rx_seq(p) = sdrp_seq_next(m);
	if (m->type != SDRP_MSG_RESEND_LAST) {
		p->resend_outstanding = false;
		p->resends_in_row = 0;
		p->first_bad = SDRP_CLOSE_NONE;
		p->rtx.n = 0;	/* the other side answered: nothing to resend */
		if (p->seen_open) {
			unsigned int i = 2 - p->seen_open--;

			p->seen[i].type = m->type;
			p->seen[i].seq = m->seq;
		}
	}
	if (m->type == SDRP_MSG_DATA_REQUEST ||
	    m->type == SDRP_MSG_DATA_RESPONSE)
		p->info.bytes_rx += m->data_len;
}

/*
 * Retransmit the retransmission set, oldest first (same seq, nonce and
 * data; fresh ttl and record counter).  An empty set sends nothing: the
 * other side's timer and retry count decide.  A RESEND LAST before this
 * peer ever sent a normal-flow message asks for something that does not
 * exist (BAD_TYPE, as DECISIONS says).
 */
static void on_resend_last(struct sdrp_peer *p)
{
	unsigned int i;

	if (!p->rtx.ever) {
		handle_invalid(p, SDRP_CLOSE_BAD_TYPE, 0);
		return;
	}
	for (i = 0; i < p->rtx.n; i++) {
		struct sdrp_msg m = p->rtx.m[i];

		if (send_msg(p, &m, false, true, false)) {
			finish(p, SDRP_CLOSE_TRANSPORT, 0);
			return;
		}
	}
	arm_recv_timer(p);
}

static void on_close(struct sdrp_peer *p, bool clear)
{
	enum sdrp_close_reason r = p->phase == PH_CLOSING ?
				   p->pending_reason : SDRP_CLOSE_PEER;

	send_close_family(p, SDRP_MSG_CLOSE_ACK, clear && tx_cipher(p, true),
			  false, 0);
	finish(p, r, 0);
}

/* Act on an accepted protected message (type already known valid). */
static void dispatch(struct sdrp_peer *p, const struct sdrp_msg *m,
		     const uint8_t *rec_copy, size_t rec_len)
{
	struct sdrp_msg out = { 0 };
	const uint8_t *pub;
	enum sdrp_err err;

	switch (m->type) {
	case SDRP_MSG_RESEND_LAST:
		on_resend_last(p);
		return;
	case SDRP_MSG_ACK:
		if (p->phase == PH_S_WAIT_ACK) {
			initial_handshake_done(p);
		} else {	/* client, rekey complete */
			rekey_done(p);	/* first: no longer due, no timer */
			if (p->phase != PH_CLOSED)
				set_phase(p, PH_IDLE);
		}
		return;
	case SDRP_MSG_DATA_REQUEST:
		p->rx_msg = *m;
		p->req_delivered = false;
		set_phase(p, PH_S_HAVE_REQUEST);
		return;
	case SDRP_MSG_DATA_RESPONSE:
		p->rx_msg = *m;
		p->got_response = true;
		out.type = SDRP_MSG_DATA_ACK;
		if (send_flow(p, &out, false))
			return;
		p->acked++;
		p->info.responses_in_epoch = p->acked;
		p->rekey_due = p->acked >= p->rekey_interval;
		set_phase(p, PH_IDLE);
		return;
	case SDRP_MSG_DATA_ACK:
		p->acked++;
		p->info.responses_in_epoch = p->acked;
		if (p->acked >= p->rekey_interval)
			server_start_rekey(p);
		else
			set_phase(p, PH_IDLE);
		return;
	case SDRP_MSG_HELLO:	/* client: rekey */
		if (sdrp_rekey_pub(m, &pub, &err)) {
			handle_invalid(p, sdrp_err_close_reason(err), 0);
			return;
		}
		if (rec_len > sizeof(p->rk_hello)) {
			handle_invalid(p, SDRP_CLOSE_MALFORMED, 0);
			return;
		}
		memcpy(p->rk_hello, rec_copy, rec_len);
		p->rk_hello_len = rec_len;
		if (prepare_next_pair(p)) {
			finish(p, SDRP_CLOSE_INTERNAL, EIO);
			return;
		}
		{
			uint8_t peer_pub[SDRP_X25519_LEN];
			uint8_t ack[sizeof(p->rk_hello)];
			size_t ack_len;

			memcpy(peer_pub, pub, sizeof(peer_pub));
			out.type = SDRP_MSG_HELLO_ACK;
			out.data = p->next_pk;
			out.data_len = SDRP_X25519_LEN;
			/* HELLO ACK first, then the shared secret */
			if (send_flow(p, &out, false))
				return;
			ack_len = sdrp_msg_record_len(&out, 0);
			memcpy(ack, p->txbuf, ack_len);
			if (rekey_switch(p, peer_pub, ack, ack_len)) {
				start_close(p, SDRP_CLOSE_MALFORMED);
				return;
			}
			set_phase(p, PH_C_WAIT_REKEY_ACK);
		}
		return;
	case SDRP_MSG_HELLO_ACK:	/* server: rekey */
		if (sdrp_rekey_pub(m, &pub, &err)) {
			handle_invalid(p, sdrp_err_close_reason(err), 0);
			return;
		}
		{
			uint8_t peer_pub[SDRP_X25519_LEN];

			memcpy(peer_pub, pub, sizeof(peer_pub));
			if (rekey_switch(p, peer_pub, rec_copy, rec_len)) {
				start_close(p, SDRP_CLOSE_MALFORMED);
				return;
			}
		}
		out.type = SDRP_MSG_ACK;
		if (send_flow(p, &out, false))
			return;
		rekey_done(p);
		if (p->phase != PH_CLOSED)
			set_phase(p, PH_IDLE);
		return;
	default:
		handle_invalid(p, SDRP_CLOSE_BAD_TYPE, 0);
		return;
	}
}

/*
 * States where RESEND LAST can help: those whose missing messages are in
 * the other side's retransmission set.  The initial handshake and the
 * rekey (HELLO / HELLO ACK are bound into a transcript and never resent)
 * use the CLOSE policy whatever is configured.
 */
static bool resend_applies(const struct sdrp_peer *p)
{
	switch (p->phase) {
	case PH_IDLE:
		return !p->rekey_due;
	case PH_C_WAIT_RESPONSE:
	case PH_S_WAIT_ACK:
	case PH_S_HAVE_REQUEST:
	case PH_S_WAIT_DATA_ACK:
		return true;
	default:
		return false;
	}
}

/*
 * An invalid record, or the receive timer: RESEND LAST while the policy
 * and the retries allow it, else CLOSE.  When the retries run out, the
 * close reason is that of the first bad record since the last accepted
 * message (more telling than a count of retries, and what DECISIONS calls
 * the original reason), or RETRIES if only the receive timer expired.
 * After a RESEND LAST the receive timer runs in any state: the other
 * side owes the retransmission.  While closing, invalid input is
 * discarded.
 */
static void handle_invalid(struct sdrp_peer *p, enum sdrp_close_reason why,
			   int is_timer)
{
	struct sdrp_msg m = { .type = SDRP_MSG_RESEND_LAST };

	if (p->phase == PH_CLOSING || p->phase == PH_CLOSED)
		return;
	if (p->params.policy == SDRP_POLICY_RESEND && resend_applies(p)) {
		if (!is_timer && !p->first_bad)
			p->first_bad = why;
		if (p->resends_in_row < p->params.max_retries) {
			p->resends_in_row++;
			if (send_msg(p, &m, false, false, false)) {
				finish(p, SDRP_CLOSE_TRANSPORT, 0);
				return;
			}
			p->info.resends++;
			p->resend_outstanding = true;
			memset(p->seen, 0, sizeof(p->seen));
			p->seen_open = 2;
			p->recv_deadline = mono_ms() + p->params.recv_timeout_ms;
			return;
		}
		why = p->first_bad ? p->first_bad : SDRP_CLOSE_RETRIES;
	}
	start_close(p, why);
}

/* Data bytes of a clear record of @len bytes (for the observer). */
static size_t clear_data_len(unsigned int type, ssize_t len)
{
	ssize_t d = len - SDRP_HDR_LEN - (ssize_t)sdrp_inner_fixed_len(type) -
		    SDRP_MAC_LEN;

	return d > 0 ? (size_t)d : 0;
}

/*
 * The initial handshake failed with @err (SDRP_ERR_NONE for a local
 * failure, then @rc is the -errno): close with its reason, reporting
 * its errno once the close completes (or now if nothing is left to do).
 */
static void handshake_refused(struct sdrp_peer *p, enum sdrp_err err, int rc)
{
	enum sdrp_close_reason r = err ? sdrp_err_close_reason(err) :
					 SDRP_CLOSE_INTERNAL;
	int e = err ? sdrp_err_errno(err) : -rc;

	start_close(p, r);
	if (p->phase == PH_CLOSING)
		p->pending_errno = e;
	else
		finish(p, r, e);
}

/*
 * Take the keys of a completed handshake (@res is wiped) and install
 * their ciphers.  Non-zero if that failed and the peer is finished.
 */
static int adopt_handshake(struct sdrp_peer *p, struct sdrp_hs_result *res)
{
	p->keys = res->keys;
	p->rekey_interval = res->rekey_interval;
	sdrp_wipe(res, sizeof(*res));
	if (install_epoch(p)) {
		finish(p, SDRP_CLOSE_INTERNAL, ENOMEM);
		return -1;
	}
	return 0;
}

/* Initial HELLO at the server: the handshake code checks everything. */
static void server_on_hello(struct sdrp_peer *p, uint8_t *rec, size_t len)
{
	struct sdrp_hs_result res;
	enum sdrp_err err = SDRP_ERR_NONE;
	struct sdrp_msg hm = { 0 };
	ssize_t n;
	enum sdrp_fault_kind f;

	/* the seq to answer with, even if the HELLO is refused below */
	if (!sdrp_inner_decode(SDRP_MSG_HELLO, rec + SDRP_HDR_LEN,
			       len - SDRP_HDR_LEN - SDRP_MAC_LEN, &hm, NULL)) {
		p->keys.s2c_seq = hm.seq;
		p->keys.c2s_seq = hm.seq + 1;
	}
	n = sdrp_hs_server_hello(p->hs, rec, len, sdrp_now_ms(), p->txbuf,
				 SDRP_MAX_RECORD, &res, &err);
	observe(p, SDRP_PEER_RX, rec, hm.seq, hm.data_len, SDRP_FAULT_NONE,
		n < 0 ? sdrp_err_close_reason(err) : SDRP_CLOSE_NONE);
	if (n < 0) {
		handshake_refused(p, err, (int)n);
		return;
	}
	if (adopt_handshake(p, &res))
		return;
	f = fault_for(p, SDRP_MSG_HELLO_ACK, true);
	/*
	 * A type a server never sends, and one that may be clear, so that
	 * the record passes the header check and fails the type check.
	 */
	if (f == SDRP_FAULT_WRONG_TYPE) {
		p->txbuf[offsetof(struct sdrp_hdr, type)] = SDRP_MSG_HELLO;
		if (remac(p, sdrp_hs_clear_tx(p->hs), p->txbuf, (size_t)n)) {
			finish(p, SDRP_CLOSE_INTERNAL, ENOMEM);
			return;
		}
	}
	if (put_record(p, sdrp_hs_clear_tx(p->hs), p->txbuf, (size_t)n,
		       p->keys.s2c_seq - 1, clear_data_len(SDRP_MSG_HELLO_ACK, n),
		       f)) {
		finish(p, SDRP_CLOSE_TRANSPORT, 0);
		return;
	}
	set_phase(p, PH_S_WAIT_ACK);
}

/* Initial HELLO ACK at the client. */
static void client_on_hello_ack(struct sdrp_peer *p, uint8_t *rec, size_t len)
{
	struct sdrp_hs_result res;
	enum sdrp_err err = SDRP_ERR_NONE;
	struct sdrp_msg ack = { .type = SDRP_MSG_ACK };
	struct sdrp_cipher *crx = sdrp_hs_clear_rx(p->hs);
	uint64_t ctr = crx ? sdrp_cipher_counter(crx) : 0;
	int rc;

	rc = sdrp_hs_client_finish(p->hs, rec, len, sdrp_now_ms(), &res, &err);
	/* read whole: it consumed clear record counter ctr, refused or not */
	if (rc && crx)
		sdrp_cipher_set_counter(crx, ctr + 1);
	observe(p, SDRP_PEER_RX, rec, p->hs_seq,
		clear_data_len(SDRP_MSG_HELLO_ACK, (ssize_t)len), SDRP_FAULT_NONE,
		rc ? sdrp_err_close_reason(err) : SDRP_CLOSE_NONE);
	if (rc) {
		/* read, even if refused: the s2c seq moves on (never resent) */
		p->keys.s2c_seq = p->hs_seq + 1;
		handshake_refused(p, err, rc);
		return;
	}
	if (adopt_handshake(p, &res))
		return;
	if (send_flow(p, &ack, true))
		return;
	initial_handshake_done(p);
}

/* One whole record is in rxbuf: check it and act on it. */
static void handle_record(struct sdrp_peer *p)
{
	uint8_t *rec = p->rxbuf;
	size_t len = p->rx_have;
	struct sdrp_rec_hdr h = p->rx_hdr;
	bool clear = h.flags & SDRP_HDR_F_CLEAR;
	struct sdrp_cipher *c;
	enum sdrp_err err = SDRP_ERR_NONE;
	enum sdrp_close_reason why = SDRP_CLOSE_NONE;
	uint8_t copy[sizeof(p->rk_hello)];
	size_t copy_len = 0;
	struct sdrp_msg m;
	uint64_t ctr;

	p->info.records_rx++;
	if (!h.type) {		/* header refused, body skipped */
		why = SDRP_CLOSE_MALFORMED;
		goto invalid;
	}
	/* the initial HELLO / HELLO ACK go to the handshake code whole */
	if (clear && !p->hs_complete && p->hs) {
		if (h.type == SDRP_MSG_HELLO && p->phase == PH_S_WAIT_HELLO) {
			server_on_hello(p, rec, len);
			return;
		}
		if (h.type == SDRP_MSG_HELLO_ACK &&
		    p->phase == PH_C_HELLO_SENT) {
			client_on_hello_ack(p, rec, len);
			return;
		}
	}
	if (clear)
		c = !p->hs_complete && p->hs ? sdrp_hs_clear_rx(p->hs) : NULL;
	else
		c = p->rx;
	if (!c) {
		why = SDRP_CLOSE_BAD_TYPE;	/* no keys for it here */
		goto invalid;
	}
	/* rekey records enter the transcript as wire bytes */
	if (!clear && (h.type == SDRP_MSG_HELLO || h.type == SDRP_MSG_HELLO_ACK) &&
	    len <= sizeof(copy)) {
		memcpy(copy, rec, len);
		copy_len = len;
	}
	ctr = sdrp_cipher_counter(c);
	if (sdrp_record_open(c, rec, len, &m, &err)) {
		if (err != SDRP_ERR_BAD_EPOCH && err != SDRP_ERR_CLEAR_MISMATCH)
			sdrp_cipher_set_counter(c, ctr + 1);
		why = sdrp_err_close_reason(err);
		goto invalid;
	}
	if (p->phase == PH_CLOSING) {
		/*
		 * Only the close exchange matters now.  Its seq is not
		 * checked: when we close because we refused a message, the
		 * peer's counter already counted that message, so its CLOSE
		 * ACK is one step ahead of what we expect.  Order and
		 * freshness are still guaranteed by the record counter in
		 * the HMAC.
		 */
		if (m.type != SDRP_MSG_CLOSE && m.type != SDRP_MSG_CLOSE_ACK &&
		    m.type != SDRP_MSG_CLOSED_NO_ACK)
			goto discard;
		observe(p, SDRP_PEER_RX, rec, m.seq, m.data_len,
			SDRP_FAULT_NONE, SDRP_CLOSE_NONE);
		if (m.type == SDRP_MSG_CLOSE_ACK)
			finish(p, p->pending_reason, 0);
		else if (m.type == SDRP_MSG_CLOSE)
			on_close(p, clear);
		else if (m.type == SDRP_MSG_CLOSED_NO_ACK)
			/* the peer gave up on its own CLOSE crossing ours */
			finish(p, p->pending_reason == SDRP_CLOSE_LOCAL ?
				  SDRP_CLOSE_PEER_NO_ACK : p->pending_reason,
			       0);
		return;
	}
	if (!type_expected(p, m.type, clear))
		why = SDRP_CLOSE_BAD_TYPE;
	else if (sdrp_check_seq(&m, *rx_seq(p), &err))
		why = sdrp_err_close_reason(err);
	else if (sdrp_check_ttl(&m, sdrp_now_ms(), p->params.ttl_ms,
				p->params.clock_skew_ms, &err))
		why = sdrp_err_close_reason(err);
	if (why) {
		observe(p, SDRP_PEER_RX, rec, m.seq, m.data_len,
			SDRP_FAULT_NONE, why);
		/*
		 * What the peer sent before it saw our RESEND LAST arrives
		 * out of step (type or seq): discarded, the retransmission
		 * is still to come.  A retransmission of something accepted
		 * already (our RESEND LAST crossed the original) is
		 * discarded in any state.
		 */
		if ((p->resend_outstanding || is_copy(p, &m)) &&
		    (why == SDRP_CLOSE_BAD_TYPE || why == SDRP_CLOSE_BAD_SEQ))
			return;
		handle_invalid(p, why, 0);
		return;
	}
	observe(p, SDRP_PEER_RX, rec, m.seq, m.data_len, SDRP_FAULT_NONE,
		SDRP_CLOSE_NONE);
	accepted(p, &m);
	switch (m.type) {
	case SDRP_MSG_CLOSE:
		on_close(p, clear);
		return;
	case SDRP_MSG_CLOSED_NO_ACK:
		finish(p, SDRP_CLOSE_PEER_NO_ACK, 0);
		return;
	default:
		dispatch(p, &m, copy, copy_len);
	}
	return;

invalid:
	observe(p, SDRP_PEER_RX, rec, 0, 0, SDRP_FAULT_NONE, why);
	handle_invalid(p, why, 0);
	return;
discard:
	observe(p, SDRP_PEER_RX, rec, m.seq, m.data_len, SDRP_FAULT_NONE,
		SDRP_CLOSE_NONE);
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */
/* ------------------------------------------------------------------ */

typedef bool (*goal_fn)(const struct sdrp_peer *p);

static void on_timer(struct sdrp_peer *p)
{
	if (p->phase == PH_CLOSING) {
		close_timer_expired(p);
		return;
	}
	p->recv_deadline = 0;
	handle_invalid(p, SDRP_CLOSE_TIMEOUT, 1);
}

/*
 * Run the session until @done says so, the session closes, or @until
 * (CLOCK_MONOTONIC ms, -1: none) passes.  Return: 1 if @done, 0 if
 * @until passed, -1 if closed.
 */
static int run(struct sdrp_peer *p, goal_fn done, int64_t until)
{
	for (;;) {
		int64_t dl, wait;
		int rc;

		if (p->phase == PH_CLOSED)
			return -1;
		/* once closing, only the end of the session is an answer */
		if (done && p->phase != PH_CLOSING && done(p))
			return 1;
		dl = p->phase == PH_CLOSING ? p->close_deadline :
					      p->recv_deadline;
		wait = dl ? dl : until;
		if (until >= 0 && dl && until < dl)
			wait = until;
		rc = read_record(p, wait);
		if (rc > 0) {
			handle_record(p);
			rx_reset(p);
			continue;
		}
		if (rc < 0) {
			if (rc == -EPROTO) {
				/* framing lost: nothing more can be read */
				start_close(p, SDRP_CLOSE_MALFORMED);
				finish(p, SDRP_CLOSE_MALFORMED, 0);
			} else if (p->phase == PH_CLOSING) {
				finish(p, unacked_reason(p), 0);
			} else {
				finish(p, SDRP_CLOSE_TRANSPORT, 0);
			}
			return -1;
		}
		if (dl && mono_ms() >= dl)
			on_timer(p);
		else if (until >= 0 && mono_ms() >= until)
			return 0;
	}
}

static bool goal_established(const struct sdrp_peer *p)
{
	return p->hs_complete && p->phase != PH_S_WAIT_ACK;
}

static bool goal_client_ready(const struct sdrp_peer *p)
{
	return p->phase == PH_IDLE && !p->rekey_due;
}

static bool goal_response(const struct sdrp_peer *p)
{
	return p->got_response && p->phase != PH_C_WAIT_RESPONSE;
}

static bool goal_request(const struct sdrp_peer *p)
{
	return p->phase == PH_S_HAVE_REQUEST;
}

static bool goal_data_acked(const struct sdrp_peer *p)
{
	return p->phase != PH_S_WAIT_DATA_ACK;
}

static bool goal_not_rekeying(const struct sdrp_peer *p)
{
	return p->phase != PH_S_WAIT_REKEY_HELLO_ACK;
}

static bool goal_idle_server(const struct sdrp_peer *p)
{
	return !is_client(p) && p->phase == PH_S_HAVE_REQUEST;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

static int check_params(const struct sdrp_params *in)
{
	if (in->policy && in->policy != SDRP_POLICY_CLOSE &&
	    in->policy != SDRP_POLICY_RESEND)
		return -EINVAL;
	if (in->reserved)
		return -EINVAL;
	if (in->recv_timeout_ms > 3600000 || in->close_timeout_ms > 3600000 ||
	    in->ttl_ms > 3600000 || in->clock_skew_ms > 3600000 ||
	    in->max_retries > 100)
		return -EINVAL;
	return 0;
}

static void merge_params(struct sdrp_params *cur, const struct sdrp_params *in)
{
#define TAKE(f) do { if (in->f) cur->f = in->f; } while (0)
	TAKE(rekey_interval);
	TAKE(ttl_ms);
	TAKE(clock_skew_ms);
	TAKE(recv_timeout_ms);
	TAKE(close_timeout_ms);
	TAKE(max_retries);
	TAKE(policy);
#undef TAKE
}

int sdrp_peer_new(int fd, enum sdrp_role role,
		  const struct sdrp_params *params, struct sdrp_peer **out)
{
	struct sdrp_peer *p;
	int rc, one = 1;

	*out = NULL;
	if (fd < 0 || (role != SDRP_ROLE_CLIENT && role != SDRP_ROLE_SERVER))
		return -EINVAL;
	if (params && check_params(params))
		return -EINVAL;
	rc = sdrp_init();
	if (rc)
		return rc;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->rxbuf = malloc(SDRP_MAX_RECORD);
	p->txbuf = malloc(SDRP_MAX_RECORD);
	p->rtx.buf = malloc(SDRP_MAX_DATA);
	if (!p->rxbuf || !p->txbuf || !p->rtx.buf) {
		free(p->rxbuf);
		free(p->txbuf);
		free(p->rtx.buf);
		free(p);
		return -ENOMEM;
	}
	/*
	 * Records are written whole, and a DATA ACK is followed at once by
	 * the next DATA REQUEST: Nagle would hold that second record back
	 * for the peer's delayed ACK.  Not a TCP socket: nothing to do.
	 */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	p->fd = fd;
	p->role = role;
	p->params = default_params;
	if (params)
		merge_params(&p->params, params);
	p->phase = PH_NEW;
	rx_reset(p);
	p->info.role = (uint8_t)role;
	*out = p;
	return 0;
}

void sdrp_peer_free(struct sdrp_peer *p)
{
	if (!p)
		return;
	free_epoch_state(p);
	sdrp_wipe(p->rxbuf, SDRP_MAX_RECORD);
	sdrp_wipe(p->txbuf, SDRP_MAX_RECORD);
	sdrp_wipe(p->rtx.buf, SDRP_MAX_DATA);
	free(p->rxbuf);
	free(p->txbuf);
	free(p->rtx.buf);
	sdrp_wipe(p, sizeof(*p));
	free(p);
}

int sdrp_peer_set_params(struct sdrp_peer *p, const struct sdrp_params *params)
{
	if (check_params(params))
		return -EINVAL;
	if (params->rekey_interval && p->started &&
	    params->rekey_interval != p->params.rekey_interval)
		return -EBUSY;
	merge_params(&p->params, params);
	return 0;
}

void sdrp_peer_get_params(const struct sdrp_peer *p, struct sdrp_params *out)
{
	*out = p->params;
	if (p->started)
		out->rekey_interval = p->rekey_interval;
}

int sdrp_peer_start_keys(struct sdrp_peer *p, const struct sdrp_keys *keys)
{
	int rc;

	if (p->started || keys->role != p->role || keys->reserved[0] ||
	    keys->reserved[1] || keys->reserved[2])
		return -EINVAL;
	p->keys = *keys;
	rc = install_epoch(p);
	if (rc) {
		free_epoch_state(p);
		return rc;
	}
	rc = prepare_next_pair(p);
	if (rc) {
		free_epoch_state(p);
		return rc;
	}
	p->started = true;
	p->hs_complete = true;
	p->rekey_interval = p->params.rekey_interval;
	set_phase(p, PH_IDLE);
	return 0;
}

int sdrp_peer_start_handshake(struct sdrp_peer *p,
			      const struct sdrp_hs_config *cfg)
{
	struct sdrp_hs_config c = *cfg;
	struct sdrp_msg hm;
	ssize_t n;
	int rc;

	if (p->started || cfg->role != p->role)
		return -EINVAL;
	if (!c.rekey_interval)
		c.rekey_interval = p->params.rekey_interval;
	if (!c.ttl_ms)
		c.ttl_ms = p->params.ttl_ms;
	if (!c.clock_skew_ms)
		c.clock_skew_ms = p->params.clock_skew_ms;
	rc = sdrp_hs_new(&p->hs, &c);
	if (rc)
		return rc;
	p->started = true;
	if (is_client(p)) {
		enum sdrp_fault_kind f;

		n = sdrp_hs_client_hello(p->hs, sdrp_now_ms(), p->txbuf,
					 SDRP_MAX_RECORD);
		if (n < 0) {
			finish(p, SDRP_CLOSE_INTERNAL, (int)-n);
			return (int)n;
		}
		rc = sdrp_inner_decode(SDRP_MSG_HELLO, p->txbuf + SDRP_HDR_LEN,
				       (size_t)n - SDRP_HDR_LEN - SDRP_MAC_LEN,
				       &hm, NULL);
		if (rc) {
			finish(p, SDRP_CLOSE_INTERNAL, EIO);
			return -EIO;
		}
		p->hs_seq = hm.seq;
		p->keys.c2s_seq = hm.seq + 1;
		p->keys.s2c_seq = hm.seq;	/* HELLO ACK echoes it */
		f = fault_for(p, SDRP_MSG_HELLO, true);
		if (put_record(p, sdrp_hs_clear_tx(p->hs), p->txbuf, (size_t)n,
			       hm.seq, hm.data_len, f)) {
			finish(p, SDRP_CLOSE_TRANSPORT, 0);
			return closed_ret(p) ? closed_ret(p) : -ECONNRESET;
		}
		set_phase(p, PH_C_HELLO_SENT);
	} else {
		set_phase(p, PH_S_WAIT_HELLO);
	}
	run(p, goal_established, -1);
	if (p->phase == PH_CLOSED)
		return closed_ret(p) ? closed_ret(p) : -ECONNRESET;
	return 0;
}

int sdrp_peer_export_keys(const struct sdrp_peer *p, struct sdrp_keys *keys)
{
	if (!p->have_keys)
		return -ENOTCONN;
	if (p->phase == PH_C_WAIT_REKEY_ACK ||
	    p->phase == PH_S_WAIT_REKEY_HELLO_ACK)
		return -EBUSY;
	*keys = p->keys;
	keys->role = (uint8_t)p->role;
	if (is_client(p)) {
		keys->c2s_counter = sdrp_cipher_counter(p->tx);
		keys->s2c_counter = sdrp_cipher_counter(p->rx);
	} else {
		keys->s2c_counter = sdrp_cipher_counter(p->tx);
		keys->c2s_counter = sdrp_cipher_counter(p->rx);
	}
	return 0;
}

/* Common entry check: started, not closed, not in the handshake. */
static int check_open(struct sdrp_peer *p)
{
	/*
	 * Only sdrp_peer_process() can return with a close under way (its
	 * timeout): the next call sees it through first.
	 */
	if (p->phase == PH_CLOSING)
		run(p, NULL, -1);
	if (p->phase == PH_CLOSED)
		return closed_ret(p);
	if (!p->started || !p->hs_complete)
		return -ENOTCONN;
	return 1;
}

int sdrp_peer_request(struct sdrp_peer *p, const void *body, size_t len,
		      const uint8_t **resp, size_t *resp_len)
{
	struct sdrp_msg m = { .type = SDRP_MSG_DATA_REQUEST };
	int rc;

	if (!is_client(p) || (len && !body))
		return -EINVAL;
	if (len > SDRP_MAX_DATA)
		return -EMSGSIZE;
	rc = check_open(p);
	if (rc <= 0)
		return rc;
	/* a rekey may be due: the request is held until the new epoch */
	if (run(p, goal_client_ready, -1) < 0)
		return closed_ret(p);
	m.data = body;
	m.data_len = len;
	p->got_response = false;
	if (send_flow(p, &m, false))
		return closed_ret(p);
	set_phase(p, PH_C_WAIT_RESPONSE);
	if (run(p, goal_response, -1) < 0)
		return closed_ret(p);
	*resp = p->rx_msg.data;
	*resp_len = p->rx_msg.data_len;
	p->got_response = false;
	return 1;
}

int sdrp_peer_next_request(struct sdrp_peer *p, const uint8_t **req,
			   size_t *req_len)
{
	int rc;

	if (is_client(p))
		return -EINVAL;
	rc = check_open(p);
	if (rc <= 0)
		return rc;
	if (p->phase == PH_S_HAVE_REQUEST && p->req_delivered)
		return -EBUSY;
	if (run(p, goal_request, -1) < 0)
		return closed_ret(p);
	p->req_delivered = true;
	*req = p->rx_msg.data;
	*req_len = p->rx_msg.data_len;
	return 1;
}

int sdrp_peer_respond(struct sdrp_peer *p, const void *body, size_t len)
{
	struct sdrp_msg m = { .type = SDRP_MSG_DATA_RESPONSE };
	int rc;

	if (is_client(p) || (len && !body))
		return -EINVAL;
	if (len > SDRP_MAX_DATA)
		return -EMSGSIZE;
	rc = check_open(p);
	if (rc <= 0)
		return rc ? rc : -EPIPE;
	if (p->phase != PH_S_HAVE_REQUEST || !p->req_delivered)
		return -EBUSY;
	m.data = body;
	m.data_len = len;
	p->req_delivered = false;
	if (send_flow(p, &m, false))
		return -p->close_errno;
	set_phase(p, PH_S_WAIT_DATA_ACK);
	if (run(p, goal_data_acked, -1) < 0)
		return p->reason == SDRP_CLOSE_PEER ? -EPIPE : -p->close_errno;
	return 0;
}

int sdrp_peer_process(struct sdrp_peer *p, int timeout_ms)
{
	int64_t until = timeout_ms < 0 ? -1 : mono_ms() + timeout_ms;

	if (p->phase == PH_CLOSED)
		return closed_ret(p);
	if (!p->started || !p->hs_complete)
		return -ENOTCONN;
	/* a close under way is carried on, within the same timeout */
	if (run(p, goal_idle_server, until) < 0)
		return closed_ret(p);
	return 1;
}

int sdrp_peer_close(struct sdrp_peer *p)
{
	if (p->phase == PH_CLOSED)
		return p->reason == SDRP_CLOSE_PEER ||
		       p->reason == SDRP_CLOSE_LOCAL ? 0 : -p->close_errno;
	if (!p->started) {
		finish(p, SDRP_CLOSE_LOCAL, 0);
		return 0;
	}
	/*
	 * A server waiting for the rekey HELLO ACK closes only after its
	 * ACK: a CLOSE under epoch e would reach a client already in e + 1.
	 */
	if (p->phase == PH_S_WAIT_REKEY_HELLO_ACK)
		run(p, goal_not_rekeying, -1);
	start_close(p, SDRP_CLOSE_LOCAL);
	run(p, NULL, -1);
	return p->reason == SDRP_CLOSE_PEER || p->reason == SDRP_CLOSE_LOCAL ?
	       0 : -p->close_errno;
}

enum sdrp_state sdrp_peer_state(const struct sdrp_peer *p)
{
	switch (p->phase) {
	case PH_NEW:
		return SDRP_STATE_NONE;
	case PH_C_HELLO_SENT:
	case PH_S_WAIT_HELLO:
	case PH_S_WAIT_ACK:
		return SDRP_STATE_HANDSHAKE;
	case PH_C_WAIT_REKEY_ACK:
	case PH_S_WAIT_REKEY_HELLO_ACK:
		return SDRP_STATE_REKEY;
	case PH_CLOSING:
		return SDRP_STATE_CLOSING;
	case PH_CLOSED:
		return SDRP_STATE_CLOSED;
	default:
		return p->rekey_due ? SDRP_STATE_REKEY : SDRP_STATE_ESTABLISHED;
	}
}

enum sdrp_close_reason sdrp_peer_close_reason(const struct sdrp_peer *p)
{
	return p->reason;
}

int sdrp_peer_errno(const struct sdrp_peer *p)
{
	return p->phase == PH_CLOSED ? p->close_errno : 0;
}

void sdrp_peer_get_info(const struct sdrp_peer *p, struct sdrp_info *info)
{
	*info = p->info;
	info->state = (uint8_t)sdrp_peer_state(p);
	info->role = (uint8_t)p->role;
	info->close_reason = (uint8_t)p->reason;
	info->close_errno = sdrp_peer_errno(p);
}

void sdrp_peer_set_mutator(struct sdrp_peer *p,
			   const struct sdrp_peer_mutator *mutator)
{
	memset(&p->mutator, 0, sizeof(p->mutator));
	if (mutator)
		p->mutator = *mutator;
}

int sdrp_peer_set_fault(struct sdrp_peer *p, const struct sdrp_fault *fault)
{
	if (fault && (unsigned int)fault->kind > SDRP_FAULT_KIND_MAX)
		return -EINVAL;
	if (fault && fault->msg_type > SDRP_MSG_TYPE_MAX)
		return -EINVAL;
	memset(&p->fault, 0, sizeof(p->fault));
	if (fault)
		p->fault = *fault;
	p->fault_seen = 0;
	return 0;
}

void sdrp_peer_set_observer(struct sdrp_peer *p, sdrp_peer_observer_fn fn,
			    void *ctx)
{
	p->observer = fn;
	p->observer_ctx = ctx;
}
