// SPDX-License-Identifier: GPL-2.0
/*
 * Building records and handing them to TCP.
 *
 * A record is built whole (header, inner, GCM tag, MAC) in one buffer and
 * queued; the queue is pushed into TCP without blocking, and the rest is
 * pushed from the write-space callback's work item.  The protocol's lock
 * step bounds the queue: at most one data record and a few control
 * records are ever waiting.
 */
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uio.h>
#include <net/tcp.h>

#include "compat.h"
#include "sdrp.h"

/* The ttl clock: CLOCK_REALTIME in milliseconds since the Unix epoch. */
u64 sdrp_now_ms(void)
{
	return div_u64(ktime_get_real_ns(), NSEC_PER_MSEC);
}

struct sdrp_msg *sdrp_msg_alloc(u8 type, u32 len)
{
	struct sdrp_msg *msg;

	msg = kvmalloc(struct_size(msg, data, len), GFP_KERNEL);
	if (!msg)
		return NULL;
	msg->type = type;
	msg->seq = 0;
	msg->nonce = 0;
	msg->len = len;
	return msg;
}

/*
 * Messages a RESEND LAST may ask for: the normal flow.  HELLO and HELLO
 * ACK are bound into the rekey transcript and never sent twice; RESEND
 * LAST and the close family have their own repeats.
 */
static bool msg_resendable(u8 type)
{
	return type == SDRP_MSG_ACK || type == SDRP_MSG_DATA_REQUEST ||
	       type == SDRP_MSG_DATA_RESPONSE || type == SDRP_MSG_DATA_ACK;
}

/* Add @msg to the retransmission set, which takes it. */
static void retx_add(struct sdrp_sock *ctx, struct sdrp_msg *msg)
{
	if (ctx->retx_n == SDRP_RETX_MAX) {
		/* Cannot happen in lock step; keep the newest if it did. */
		kvfree(ctx->retx[0]);
		memmove(ctx->retx, ctx->retx + 1,
			sizeof(ctx->retx[0]) * (SDRP_RETX_MAX - 1));
		ctx->retx_n--;
	}
	ctx->retx[ctx->retx_n++] = msg;
	ctx->retx_ever = true;
}

/* The peer answered: nothing of ours needs repeating any more. */
void sdrp_tx_retx_clear(struct sdrp_sock *ctx)
{
	while (ctx->retx_n)
		kvfree(ctx->retx[--ctx->retx_n]);
}

/*
 * Build and protect the record for @msg under the current epoch, with a
 * fresh ttl and the next record counter.
 */
int sdrp_tx_build(struct sdrp_sock *ctx, const struct sdrp_msg *msg,
		  struct sdrp_txrec **out)
{
	/* Before the epoch 0 keys are in use, the close family goes clear. */
	struct sdrp_dir_crypto *clear = sdrp_hs_clear_tx(ctx, msg->type);
	u32 inner_len = sdrp_inner_fixed_len(msg->type) + msg->len;
	u32 body_len = sdrp_record_body_len(inner_len, !clear);
	struct sdrp_epoch *ep = ctx->epoch;
	struct sdrp_dir_crypto *dc;
	struct sdrp_txrec *rec;
	u8 *p;
	int err;

	if (!clear && !ep)
		return -ENOKEY;
	dc = clear ?: &ep->tx;
	if (dc->counter >= SDRP_MAX_RECORDS_PER_EPOCH)
		return -EOVERFLOW;
	rec = kvmalloc(struct_size(rec, buf, SDRP_HDR_LEN + body_len),
		       GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->len = SDRP_HDR_LEN + body_len;
	rec->sent = 0;

	sdrp_hdr_build((struct sdrp_hdr *)rec->buf, msg->type,
		       clear ? SDRP_HDR_F_CLEAR : 0, clear ? 0 : ep->epoch,
		       body_len);
	p = rec->buf + SDRP_HDR_LEN;
	sdrp_put_be64(p, msg->seq);
	p += SDRP_SEQ_LEN;
	if (sdrp_type_has_ttl(msg->type)) {
		sdrp_put_be64(p, sdrp_now_ms() + ctx->params.ttl_ms);
		p += SDRP_TTL_LEN;
	}
	if (sdrp_type_has_nonce(msg->type)) {
		sdrp_put_be64(p, msg->nonce);
		p += SDRP_NONCE_LEN;
	}
	memcpy(p, msg->data, msg->len);

	err = clear ? sdrp_seal_clear(dc, rec->buf, inner_len) :
		      sdrp_seal(dc, rec->buf, inner_len);
	if (err) {
		kvfree(rec);
		return err;
	}
	*out = rec;
	return 0;
}

/*
 * Queue @rec behind the records already waiting and hand them to TCP.
 * With @hold the record waits for company instead (sdrp_tx_data_ack): the
 * next record queued, or the flush timer, pushes it.
 */
static void tx_queue(struct sdrp_sock *ctx, struct sdrp_txrec *rec,
		     bool hold)
{
	list_add_tail(&rec->list, &ctx->tx_list);
	ctx->tx_queued += rec->len;
	ctx->info.records_tx++;
	sdrp_stats_inc(sock_net(ctx->sk), SDRP_STAT_RECORDS_OUT);
	if (hold) {
		ctx->tx_hold = true;
		sdrp_timers_flush_arm(ctx);
		return;
	}
	sdrp_tx_flush(ctx);
}

static int tx_msg(struct sdrp_sock *ctx, struct sdrp_msg *msg, u8 *wire,
		  u32 wire_len, bool hold)
{
	struct sdrp_txrec *rec;
	int err;

	msg->seq = ctx->tx_seq;
	err = sdrp_tx_build(ctx, msg, &rec);
	if (err) {
		kvfree(msg);
		return err;
	}
	if (wire) {
		if (WARN_ON_ONCE(rec->len > wire_len)) {
			kvfree(rec);
			kvfree(msg);
			return -EINVAL;
		}
		memcpy(wire, rec->buf, rec->len);
	}
	ctx->tx_seq += sdrp_type_has_nonce(msg->type) ? msg->nonce : 1;
	if (msg_resendable(msg->type))
		retx_add(ctx, msg);
	else
		kvfree(msg);
	tx_queue(ctx, rec, hold);
	return 0;
}

/*
 * Send @msg (type, nonce and data set by the caller) with the next
 * sequence number of our direction, then advance it: by the nonce for ACK
 * and DATA ACK, by one otherwise.  @wire, if not NULL, receives a copy of
 * the record as sent (for the rekey transcript; @wire_len bytes at most).
 * Takes ownership of @msg: it joins the retransmission set, or is freed.
 */
int sdrp_tx_msg_wire(struct sdrp_sock *ctx, struct sdrp_msg *msg, u8 *wire,
		     u32 wire_len)
{
	return tx_msg(ctx, msg, wire, wire_len, false);
}

int sdrp_tx_msg(struct sdrp_sock *ctx, struct sdrp_msg *msg)
{
	return tx_msg(ctx, msg, NULL, 0, false);
}

/* A message without data; ACK and DATA ACK get a fresh non-zero nonce. */
static struct sdrp_msg *simple_msg(u8 type)
{
	struct sdrp_msg *msg;

	msg = sdrp_msg_alloc(type, 0);
	if (!msg)
		return NULL;
	if (sdrp_type_has_nonce(type)) {
		do {
			msg->nonce = get_random_u64();
		} while (!msg->nonce);
	}
	return msg;
}

int sdrp_tx_simple(struct sdrp_sock *ctx, u8 type)
{
	struct sdrp_msg *msg = simple_msg(type);

	return msg ? tx_msg(ctx, msg, NULL, 0, false) : -ENOMEM;
}

/*
 * The client's DATA ACK.  With @hold (the server does not start a rekey
 * on it) the record is built and queued at once, in order, but leaves
 * with the client's next request, in the same TCP segment, so that the
 * server wakes once per exchange instead of twice; the flush timer sends
 * it alone if no request follows within a tick.
 */
int sdrp_tx_data_ack(struct sdrp_sock *ctx, bool hold)
{
	struct sdrp_msg *msg = simple_msg(SDRP_MSG_DATA_ACK);

	return msg ? tx_msg(ctx, msg, NULL, 0, hold) : -ENOMEM;
}

/*
 * Send a whole record built elsewhere: the initial HELLO / HELLO ACK and
 * the clear CLOSE or CLOSE ACK that sdrpd built and sealed.
 */
int sdrp_tx_raw(struct sdrp_sock *ctx, const u8 *buf, u32 len)
{
	struct sdrp_txrec *rec;

	rec = kvmalloc(struct_size(rec, buf, len), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->len = len;
	rec->sent = 0;
	memcpy(rec->buf, buf, len);
	tx_queue(ctx, rec, false);
	return 0;
}

/*
 * Send @msg again as it is: its original sequence number (our counter
 * already moved past it), a fresh ttl and the next record counter.  The
 * caller keeps @msg.
 */
int sdrp_tx_again(struct sdrp_sock *ctx, const struct sdrp_msg *msg)
{
	struct sdrp_txrec *rec;
	int err;

	err = sdrp_tx_build(ctx, msg, &rec);
	if (err)
		return err;
	tx_queue(ctx, rec, false);
	return 0;
}

/*
 * Answer a RESEND LAST: the retransmission set again, oldest first.  An
 * empty set sends nothing (the peer's timer and retries decide).  Returns
 * the number of messages sent again; -ENOENT if no normal-flow message
 * was ever sent, so that there is nothing the peer could be missing.
 */
int sdrp_tx_resend(struct sdrp_sock *ctx)
{
	int i, err;

	if (!ctx->retx_ever)
		return -ENOENT;
	for (i = 0; i < ctx->retx_n; i++) {
		err = sdrp_tx_again(ctx, ctx->retx[i]);
		if (err)
			return err;
	}
	return ctx->retx_n;
}

/*
 * Hand queued records to TCP without blocking.  TCP copies what its send
 * buffer takes; when it takes nothing more it sets SOCK_NOSPACE, and the
 * write-space callback brings us back (a waiting task, or sdrp_tx_work).
 * A held DATA ACK stays queued while the session is open.
 */
void sdrp_tx_push(struct sdrp_sock *ctx)
{
	struct sock *sk = ctx->sk;
	struct sdrp_txrec *rec;
	struct msghdr msg = {};
	struct kvec kv;
	int ret;

	if (ctx->tx_hold && sdrp_sess_open(ctx))
		return;
	while ((rec = list_first_entry_or_null(&ctx->tx_list,
					       struct sdrp_txrec, list))) {
		kv.iov_base = rec->buf + rec->sent;
		kv.iov_len = rec->len - rec->sent;
		msg.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL;
		/* Records queued together leave in as few segments. */
		if (!list_is_last(&rec->list, &ctx->tx_list))
			msg.msg_flags |= MSG_MORE;
		iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, &kv, 1, kv.iov_len);
		ret = tcp_sendmsg_locked(sk, &msg, kv.iov_len);
		if (ret == -EAGAIN)
			return;
		if (ret < 0) {
			/* TCP is gone: nothing queued can be delivered. */
			sdrp_tx_purge(ctx);
			sdrp_sess_closed(ctx, SDRP_CLOSE_TRANSPORT);
			return;
		}
		rec->sent += ret;
		ctx->tx_queued -= ret;
		if (rec->sent < rec->len)
			return;
		list_del(&rec->list);
		kvfree(rec);
	}
	/* The queue is empty: a sender waiting for it may go on ... */
	sdrp_sess_wake(ctx);
	/* ... and so may a record held back by sdrp_rx_process. */
	if (ctx->rx_skb && !ctx->rx_busy)
		sdrp_rx_kick(ctx);
}

/* Release a held DATA ACK and push everything queued. */
void sdrp_tx_flush(struct sdrp_sock *ctx)
{
	if (ctx->tx_hold) {
		ctx->tx_hold = false;
		sdrp_timers_flush_disarm(ctx);
	}
	sdrp_tx_push(ctx);
}

void sdrp_tx_work(struct work_struct *work)
{
	struct sdrp_sock *ctx = container_of(work, struct sdrp_sock, tx_work);
	struct sock *sk = ctx->sk;

	lock_sock(sk);
	if (!ctx->stopping)
		sdrp_tx_push(ctx);
	release_sock(sk);
}

void sdrp_tx_purge(struct sdrp_sock *ctx)
{
	struct sdrp_txrec *rec, *tmp;

	list_for_each_entry_safe(rec, tmp, &ctx->tx_list, list) {
		list_del(&rec->list);
		kvfree(rec);
	}
	ctx->tx_queued = 0;
	ctx->tx_hold = false;
}
