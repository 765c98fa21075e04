// SPDX-License-Identifier: GPL-2.0
/*
 * Receiving: records framed by the strparser, verified, and handed to the
 * session's state machine.
 *
 * Where a record is verified (as kTLS does it, in the reader's context):
 *
 *  - A task that sleeps in sdrp_wait() (recv(), send() waiting for its
 *    turn, close() waiting for CLOSE ACK) counts itself in rx_waiters.
 *    The data-ready callback then only wakes it, and the task frames,
 *    verifies and dispatches the records itself in sdrp_rx_process(),
 *    under lock_sock, reading each record where it lies in the skb (no
 *    copy of the record, no hand-off to another thread).
 *  - A task that holds the socket when bytes arrive (they wait in TCP's
 *    backlog) handles them before it returns (sdrp_rx_before_release),
 *    or its release_sock() passes them on (sdrp_release_cb).
 *  - When nobody waits (the application is busy, or polls), the
 *    strparser frames in the callback and the record is verified by
 *    rx_work on the sdrp workqueue: protocol records (DATA ACK, rekey,
 *    RESEND LAST, CLOSE) must be answered whether or not the application
 *    reads.
 *
 * Either way the strparser holds at most one framed record (ctx->rx_skb,
 * the parser pauses on it), so a peer cannot make us buffer more than one
 * record ahead of the protocol, and records are processed in order by
 * whoever holds the socket lock.
 *
 * Verification order (Documentation/protocol.rst): header (strparser's
 * parse_msg) -> protection mode -> epoch -> HMAC -> GCM -> inner layout
 * -> type for the state -> sequence number -> ttl.  While closing, only
 * the steps up to the inner layout apply.
 */
#include <linux/slab.h>
#include <net/strparser.h>
#include <net/tcp.h>

#include "compat.h"
#include "sdrp.h"

/*
 * TCP must be able to hold a whole record: the strparser waits until the
 * rest of a record is in the receive queue, and refuses records larger
 * than sk_rcvbuf.  Twice the largest record leaves room for skb overhead.
 */
#define SDRP_RCVBUF_MIN	(2 * SDRP_MAX_RECORD + (1 << 20))

static int sdrp_parse_msg(struct strparser *strp, struct sk_buff *skb)
{
	struct strp_msg *rxm = strp_msg(skb);
	struct sdrp_hdr hdr;
	u32 len;

	if (skb->len - rxm->offset < SDRP_HDR_LEN)
		return 0;
	if (skb_copy_bits(skb, rxm->offset, &hdr, sizeof(hdr)))
		return -EINVAL;
	len = sdrp_get_be32(hdr.length);
	/*
	 * A header that fails its check but has a usable length still
	 * frames its record: rx_record refuses it and the stream stays in
	 * step.  Any other length loses the framing (protocol.rst, "Header
	 * check").
	 */
	if (sdrp_hdr_check(&hdr) != SDRP_HDR_OK &&
	    (len < SDRP_MAC_LEN || len > SDRP_MAX_RECORD_BODY))
		return -EBADMSG;
	return SDRP_HDR_LEN + len;
}

/*
 * Something for the socket lock's next holder to look at: a framed
 * record, a framing error, a transport event.  A task sleeping in
 * sdrp_wait() handles it; if a task holds the socket, it is looked at
 * when that task releases it (sdrp_release_cb); otherwise rx_work does.
 */
void sdrp_rx_kick(struct sdrp_sock *ctx)
{
	set_bit(SDRP_RX_KICK, &ctx->rx_flags);
	if (READ_ONCE(ctx->rx_waiters))
		sdrp_sess_wake(ctx);
	else if (!sock_owned_by_user_nocheck(ctx->sk))
		queue_work(sdrp_wq, &ctx->rx_work);
}

/*
 * release_sock(), after the backlog was processed and with the socket
 * still owned: a kick that arrived while a task held the socket and that
 * it left unhandled goes to rx_work, unless a task waits on the socket
 * (it handles the kick when it wakes).
 */
void sdrp_release_cb(struct sock *sk)
{
	struct sdrp_sock *ctx = sdrp_sk(sk);

	ctx->sk_proto->release_cb(sk);
	if (test_bit(SDRP_RX_KICK, &ctx->rx_flags) && !ctx->stopping &&
	    !READ_ONCE(ctx->rx_waiters))
		queue_work(sdrp_wq, &ctx->rx_work);
}

/*
 * The end of a system call that held the socket: records that arrived
 * meanwhile (in the backlog, or framed by the strparser) are verified
 * now, by this task, instead of by the work item after it.
 */
void sdrp_rx_before_release(struct sdrp_sock *ctx)
{
	if (sk_flush_backlog(ctx->sk) ||
	    test_bit(SDRP_RX_KICK, &ctx->rx_flags))
		sdrp_rx_process(ctx);
}

static void sdrp_rcv_msg(struct strparser *strp, struct sk_buff *skb)
{
	struct sdrp_sock *ctx = container_of(strp, struct sdrp_sock, strp);

	/* One record at a time: sdrp_rx_process unpauses when done. */
	ctx->rx_skb = skb;
	strp_pause(strp);
	if (!ctx->rx_pumping)
		sdrp_rx_kick(ctx);
}

/* Framing is lost (unusable length, allocation failure): the session ends. */
static void sdrp_abort_parser(struct strparser *strp, int err)
{
	struct sdrp_sock *ctx = container_of(strp, struct sdrp_sock, strp);

	ctx->rx_abort = err;
	strp_stop(strp);
	if (!ctx->rx_pumping)
		sdrp_rx_kick(ctx);
}

/*
 * Softirq, or the backlog processing of the task that owns the socket.
 * With a task waiting for the socket, or one holding it, the framing is
 * left to the lock holder (a waiter runs the strparser itself once woken;
 * otherwise the holder or the work item after it, see sdrp_rx_kick).
 * Otherwise the strparser frames here.
 */
static void sdrp_data_ready(struct sock *sk)
{
	struct sdrp_sock *ctx = sdrp_sk(sk);

	if (READ_ONCE(ctx->rx_waiters) || sock_owned_by_user_nocheck(sk)) {
		sdrp_rx_kick(ctx);
		return;
	}
	strp_data_ready(&ctx->strp);
}

/* TCP state changes (FIN, reset) end a session that is still open. */
static void sdrp_state_change(struct sock *sk)
{
	struct sdrp_sock *ctx = sdrp_sk(sk);

	ctx->saved_state_change(sk);
	sdrp_rx_kick(ctx);
}

/* TCP's send buffer has room again: push what waits in tx_list. */
static void sdrp_write_space(struct sock *sk)
{
	struct sdrp_sock *ctx = sdrp_sk(sk);

	if (READ_ONCE(ctx->rx_waiters)) {
		set_bit(SDRP_RX_KICK, &ctx->rx_flags);
		sdrp_sess_wake(ctx);
		return;
	}
	queue_work(sdrp_wq, &ctx->tx_work);
}

static const struct strp_callbacks sdrp_strp_cb = {
	.parse_msg	= sdrp_parse_msg,
	.rcv_msg	= sdrp_rcv_msg,
	.abort_parser	= sdrp_abort_parser,
};

/* Start receiving: called under lock_sock once the keys are set. */
int sdrp_rx_start(struct sdrp_sock *ctx)
{
	struct sock *sk = ctx->sk;
	int err;

	err = strp_init(&ctx->strp, sk, &sdrp_strp_cb);
	if (err)
		return err;
	if (sk->sk_rcvbuf < SDRP_RCVBUF_MIN)
		WRITE_ONCE(sk->sk_rcvbuf, SDRP_RCVBUF_MIN);

	write_lock_bh(&sk->sk_callback_lock);
	ctx->saved_data_ready = sk->sk_data_ready;
	ctx->saved_write_space = sk->sk_write_space;
	ctx->saved_state_change = sk->sk_state_change;
	sk->sk_data_ready = sdrp_data_ready;
	sk->sk_write_space = sdrp_write_space;
	sk->sk_state_change = sdrp_state_change;
	write_unlock_bh(&sk->sk_callback_lock);

	/* Bytes that arrived before the keys were set are framed now. */
	strp_check_rcv(&ctx->strp);
	return 0;
}

/* Give the callbacks back to TCP: under lock_sock, from close(). */
void sdrp_rx_stop(struct sdrp_sock *ctx)
{
	struct sock *sk = ctx->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = ctx->saved_data_ready;
	sk->sk_write_space = ctx->saved_write_space;
	sk->sk_state_change = ctx->saved_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

void sdrp_rxmsg_free(struct sdrp_rxmsg *m)
{
	if (!m)
		return;
	kvfree_sensitive(m->buf, m->buf_len);
	kfree(m);
}

/* Fields of a verified inner plaintext. */
static int parse_inner(const struct sdrp_hdr *hdr, bool clear,
		       const u8 *inner, u32 inner_len, struct sdrp_rx_view *v)
{
	u32 fixed = sdrp_inner_fixed_len(hdr->type);
	const u8 *p = inner;

	if (inner_len < fixed)
		return -EBADMSG;
	v->type = hdr->type;
	v->seq = sdrp_get_be64(p);
	p += SDRP_SEQ_LEN;
	v->ttl = 0;
	if (sdrp_type_has_ttl(v->type)) {
		v->ttl = sdrp_get_be64(p);
		p += SDRP_TTL_LEN;
	}
	v->nonce = 0;
	if (sdrp_type_has_nonce(v->type)) {
		v->nonce = sdrp_get_be64(p);
		p += SDRP_NONCE_LEN;
		if (!v->nonce)
			return -EBADMSG;
	}
	v->data = p;
	v->len = inner_len - fixed;
	if (v->len && !sdrp_type_has_data(v->type))
		return -EBADMSG;
	/*
	 * Rekey HELLO / HELLO ACK carry exactly one X25519 public key.  A
	 * clear one is the initial handshake's, whose data only sdrpd reads:
	 * one that reaches here came late (it crossed our clear CLOSE, and
	 * CLOSING drops it) or again (its type refuses it).
	 */
	if (!clear && (v->type == SDRP_MSG_HELLO ||
		       v->type == SDRP_MSG_HELLO_ACK) &&
	    v->len != SDRP_X25519_LEN)
		return -EBADMSG;
	return 0;
}

static u8 check_ttl(const struct sdrp_sock *ctx, const struct sdrp_rx_view *v)
{
	u64 now = sdrp_now_ms();

	if (!sdrp_type_has_ttl(v->type))
		return SDRP_CLOSE_NONE;
	if (v->ttl < now)
		return SDRP_CLOSE_STALE_TTL;
	if (v->ttl > now + ctx->params.ttl_ms + ctx->params.clock_skew_ms)
		return SDRP_CLOSE_FUTURE_TTL;
	return SDRP_CLOSE_NONE;
}

/*
 * Where the plaintext of a record goes: DATA REQUEST / RESPONSE into a
 * buffer that becomes the application's message; small protocol messages
 * into ctx->rx_ctrl; anything else (an oversized record that will fail
 * the layout check) into a buffer freed after it.
 */
static u8 *rx_plain_buf(struct sdrp_sock *ctx, u8 type, u32 plain_len,
			struct sdrp_rxmsg **mp)
{
	struct sdrp_rxmsg *m;

	if (type != SDRP_MSG_DATA_REQUEST && type != SDRP_MSG_DATA_RESPONSE &&
	    plain_len <= sizeof(ctx->rx_ctrl))
		return ctx->rx_ctrl;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return NULL;
	m->buf = kvmalloc(plain_len, GFP_KERNEL);
	if (!m->buf) {
		kfree(m);
		return NULL;
	}
	m->buf_len = plain_len;
	*mp = m;
	return m->buf;
}

static void rx_record(struct sdrp_sock *ctx, struct sk_buff *skb)
{
	u8 wire[sizeof(ctx->hello_rec)];
	struct strp_msg *rxm = strp_msg(skb);
	u32 len = rxm->full_len, inner_len, plain_len;
	struct sdrp_epoch *ep = ctx->epoch;
	struct sdrp_rxmsg *m = NULL;
	const u8 *rec_wire = NULL;
	struct sdrp_dir_crypto *dc;
	struct sdrp_rx_view v;
	struct sdrp_hdr hdr;
	u8 reason, *plain = NULL;
	bool clear;
	int err;

	if (ctx->state == SDRP_SESS_CLOSED)
		return;
	if (skb_copy_bits(skb, rxm->offset, &hdr, sizeof(hdr)))
		goto internal;
	/* The HELLO / HELLO ACK for sdrpd, anything while no key exists. */
	if (sdrp_hs_rx(ctx, &hdr, skb))
		return;
	/* Clear records (hello MAC keys) belong to the initial handshake. */
	clear = hdr.flags & SDRP_HDR_F_CLEAR;
	dc = clear ? sdrp_hs_clear_rx(ctx) : &ep->rx;
	if (sdrp_hdr_check(&hdr) != SDRP_HDR_OK) {
		/* It still used a counter if it claims the current keys. */
		if (dc && sdrp_get_be32(hdr.epoch) == (clear ? 0 : ep->epoch))
			dc->counter++;
		sdrp_sess_reject_header(ctx);
		return;
	}
	if (!dc) {
		sdrp_sess_reject(ctx, SDRP_CLOSE_BAD_TYPE);
		return;
	}
	if (sdrp_get_be32(hdr.epoch) != (clear ? 0 : ep->epoch)) {
		sdrp_sess_reject(ctx, SDRP_CLOSE_OLD_EPOCH);
		return;
	}

	inner_len = len - SDRP_HDR_LEN - (clear ? 0 : SDRP_GCM_TAG_LEN) -
		    SDRP_MAC_LEN;
	/* A clear record is verified whole, as it came: MAC included. */
	plain_len = clear ? len : SDRP_HDR_LEN + inner_len;
	plain = rx_plain_buf(ctx, hdr.type, plain_len, &m);
	if (!plain)
		goto internal;
	/* The rekey transcript hashes records as they were on the wire. */
	if ((hdr.type == SDRP_MSG_HELLO || hdr.type == SDRP_MSG_HELLO_ACK) &&
	    len == sizeof(wire)) {
		if (skb_copy_bits(skb, rxm->offset, wire, len))
			goto internal_free;
		rec_wire = wire;
	}

	/* Every record under this epoch used one of the sender's counters. */
	if (clear)
		err = skb_copy_bits(skb, rxm->offset, plain, len) ?:
		      sdrp_open_clear(dc, plain, len);
	else
		err = sdrp_open_skb(dc, skb, rxm->offset, len, plain);
	dc->counter++;
	if (err) {
		if (err != -EBADMSG)
			goto internal_free;
		sdrp_rxmsg_free(m);
		sdrp_sess_reject(ctx, SDRP_CLOSE_BAD_MAC);
		goto out;
	}

	if (parse_inner(&hdr, clear, plain + SDRP_HDR_LEN, inner_len, &v))
		reason = SDRP_CLOSE_MALFORMED;
	else if (ctx->state == SDRP_SESS_CLOSING)
		/*
		 * The record we closed over may have been refused, so the
		 * expected seq can lag; the counter in the HMAC already
		 * refuses replays and reordering.
		 */
		reason = SDRP_CLOSE_NONE;
	else if (!sdrp_sess_expects(ctx, v.type))
		reason = SDRP_CLOSE_BAD_TYPE;
	else if (v.seq != ctx->rx_seq)
		reason = SDRP_CLOSE_BAD_SEQ;
	else
		reason = check_ttl(ctx, &v);
	if (reason) {
		sdrp_rxmsg_free(m);
		sdrp_sess_reject_msg(ctx, reason, &v);
		goto out;
	}

	if (ctx->state != SDRP_SESS_CLOSING)
		ctx->rx_seq += v.nonce ? v.nonce : 1;
	ctx->info.records_rx++;
	sdrp_stats_inc(sock_net(ctx->sk), SDRP_STAT_RECORDS_IN);
	if (m) {
		m->data = (u8 *)v.data;
		m->len = v.len;
	}
	/* The session takes @m if it delivers data, else it is freed here. */
	ctx->rx_clear = clear;	/* a clear CLOSE gets a clear CLOSE ACK */
	sdrp_sess_dispatch(ctx, &v, rec_wire, len, &m);
	ctx->rx_clear = false;
	sdrp_rxmsg_free(m);
out:
	if (plain == ctx->rx_ctrl)
		memzero_explicit(ctx->rx_ctrl, sizeof(ctx->rx_ctrl));
	if (rec_wire)
		memzero_explicit(wire, sizeof(wire));
	return;

internal_free:
	sdrp_rxmsg_free(m);
internal:
	ctx->err = -ENOMEM;
	sdrp_sess_fail(ctx, SDRP_CLOSE_INTERNAL);
	goto out;
}

/*
 * TCP ended under an open session: the peer's FIN or a reset.  Records that
 * arrived before the FIN are processed first: only when TCP holds no more
 * bytes and no record is pending is the transport declared gone.
 */
static void rx_check_transport(struct sdrp_sock *ctx)
{
	struct sock *sk = ctx->sk;

	if (ctx->state == SDRP_SESS_CLOSED || ctx->rx_skb)
		return;
	if (sk->sk_err || (sock_flag(sk, SOCK_DONE) && !tcp_inq(sk)))
		sdrp_sess_closed(ctx, SDRP_CLOSE_TRANSPORT);
}

/*
 * Process what the callbacks left for the socket lock's holder: push
 * queued records of ours, frame and verify the peer's records one by
 * one, and act on a framing error or the end of the transport.  Called
 * under lock_sock by every task that waits on the socket and by rx_work.
 */
void sdrp_rx_process(struct sdrp_sock *ctx)
{
	struct sk_buff *skb;

	clear_bit(SDRP_RX_KICK, &ctx->rx_flags);
	if (ctx->stopping || !ctx->started)
		return;
	if (!list_empty(&ctx->tx_list))
		sdrp_tx_push(ctx);
	ctx->rx_busy = true;
	for (;;) {
		if (!ctx->rx_skb) {
			/* A HELLO / HELLO ACK is with sdrpd: sdrp_rx_resume. */
			if (ctx->state == SDRP_SESS_CLOSED ||
			    ctx->strp.stopped || ctx->hs_rx_held)
				break;
			/* Frames the next record, if whole, into rx_skb. */
			ctx->rx_pumping = true;
			__strp_unpause(&ctx->strp);
			ctx->rx_pumping = false;
			skb = ctx->rx_skb;
			if (!skb)
				break;
		}
		/* Back pressure: sdrp_tx_push kicks us when TCP took them. */
		if (ctx->tx_queued > SDRP_TX_QUEUE_MAX)
			break;
		skb = ctx->rx_skb;
		ctx->rx_skb = NULL;
		rx_record(ctx, skb);
		kfree_skb(skb);
		if (ctx->stopping || ctx->state == SDRP_SESS_CLOSED)
			break;
	}
	ctx->rx_busy = false;
	if (ctx->rx_abort) {
		/* Framing lost: CLOSE, and the session ends without its ACK. */
		ctx->rx_abort = 0;
		sdrp_stats_inc(sock_net(ctx->sk), SDRP_STAT_RX_BAD_HEADER);
		sdrp_sess_end_now(ctx, SDRP_MSG_CLOSE, SDRP_CLOSE_MALFORMED);
	}
	rx_check_transport(ctx);
}

/* The daemon's turn is over: the peer's next record may be processed. */
void sdrp_rx_resume(struct sdrp_sock *ctx)
{
	if (!ctx->hs_rx_held)
		return;
	ctx->hs_rx_held = false;
	sdrp_rx_kick(ctx);
}

/* Records and transport events while no task waits on the socket. */
void sdrp_rx_work(struct work_struct *work)
{
	struct sdrp_sock *ctx = container_of(work, struct sdrp_sock, rx_work);
	struct sock *sk = ctx->sk;

	lock_sock(sk);
	sdrp_rx_process(ctx);
	release_sock(sk);
}
