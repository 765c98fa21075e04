// SPDX-License-Identifier: GPL-2.0
/*
 * The per-socket state machine: one table of states, the dispatch of
 * accepted messages, and how a session ends.
 *
 * Every function here runs under lock_sock.
 */
#include <linux/slab.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "sdrp.h"

/*
 * @expect:  the one message type the peer may send in this state, besides
 *           RESEND LAST, CLOSE and CLOSED WITHOUT ACK (accepted in every
 *           open state).
 * @timed:   the peer owes us @expect: the receive timer runs.  An idle
 *           session (client with no request out, server waiting for the
 *           next request) has no timer: the paper's "all states" would
 *           close every idle session after 45 s.
 * @send:    the application may send() (a client's request is held if a
 *           rekey is due or running).
 * @recv:    the application may wait in recv() for the peer's next
 *           message (a server's next request comes after the DATA ACK
 *           and any rekey).
 * @resend:  policy RESEND applies: what may be missing is in the peer's
 *           retransmission set.  The rekey states always close: HELLO and
 *           HELLO ACK are never sent twice (protocol.rst, "Receive
 *           policies"), and a RESEND LAST of ours there could reach a
 *           client that switched keys already (OLD_EPOCH).
 */
struct sdrp_state_desc {
	u8 uapi;
	u8 expect;
	bool timed;
	bool send;
	bool recv;
	bool resend;
};

static const struct sdrp_state_desc sdrp_states[SDRP_SESS_NUM] = {
	[SDRP_SESS_NONE]		= { SDRP_STATE_NONE },
	/* The request's deadline, not the receive timer, bounds these. */
	[SDRP_SESS_HANDSHAKE]		= { SDRP_STATE_HANDSHAKE },
	[SDRP_SESS_S_WAIT_ACK]		= { SDRP_STATE_HANDSHAKE,
					    SDRP_MSG_ACK, true, false, false,
					    true },
	[SDRP_SESS_C_IDLE]		= { SDRP_STATE_ESTABLISHED, 0,
					    false, true, false, true },
	[SDRP_SESS_C_WAIT_RESPONSE]	= { SDRP_STATE_ESTABLISHED,
					    SDRP_MSG_DATA_RESPONSE,
					    true, false, true, true },
	/*
	 * REKEY from the interval's last DATA ACK, as on the server: a
	 * request sent now is held until the rekey ACK.  Timed: if the
	 * server is gone and its reset was lost, nothing else ends the
	 * wait (the held request is not sent, so TCP has nothing
	 * outstanding).
	 */
	[SDRP_SESS_C_WAIT_HELLO]	= { SDRP_STATE_REKEY,
					    SDRP_MSG_HELLO,
					    true, true, false },
	[SDRP_SESS_C_WAIT_ACK]		= { SDRP_STATE_REKEY, SDRP_MSG_ACK,
					    true, true, false },
	[SDRP_SESS_S_WAIT_REQUEST]	= { SDRP_STATE_ESTABLISHED,
					    SDRP_MSG_DATA_REQUEST,
					    false, false, true, true },
	[SDRP_SESS_S_HAVE_REQUEST]	= { SDRP_STATE_ESTABLISHED, 0,
					    false, true, false, true },
	[SDRP_SESS_S_WAIT_DATA_ACK]	= { SDRP_STATE_ESTABLISHED,
					    SDRP_MSG_DATA_ACK,
					    true, false, true, true },
	[SDRP_SESS_S_WAIT_HELLO_ACK]	= { SDRP_STATE_REKEY,
					    SDRP_MSG_HELLO_ACK,
					    true, false, true },
	[SDRP_SESS_CLOSING]		= { SDRP_STATE_CLOSING,
					    SDRP_MSG_CLOSE_ACK },
	[SDRP_SESS_CLOSED]		= { SDRP_STATE_CLOSED },
};

/* The errno every call returns once a session ended for @reason. */
int sdrp_sess_errno(u8 reason)
{
	switch (reason) {
	case SDRP_CLOSE_LOCAL:
	case SDRP_CLOSE_PEER:
		return -EPIPE;
	case SDRP_CLOSE_PEER_NO_ACK:
	case SDRP_CLOSE_TRANSPORT:
		return -ECONNRESET;
	case SDRP_CLOSE_NO_ACK:
	case SDRP_CLOSE_TIMEOUT:
	case SDRP_CLOSE_RETRIES:
		return -ETIMEDOUT;
	case SDRP_CLOSE_BAD_MAC:
		return -EBADMSG;
	case SDRP_CLOSE_STALE_TTL:
	case SDRP_CLOSE_FUTURE_TTL:
		return -ETIME;
	case SDRP_CLOSE_AUTH:
		return -EKEYREJECTED;
	case SDRP_CLOSE_BAD_SEQ:
	case SDRP_CLOSE_OLD_EPOCH:
	case SDRP_CLOSE_BAD_TYPE:
	case SDRP_CLOSE_MALFORMED:
		return -EPROTO;
	default:
		return -EIO;
	}
}

u8 sdrp_sess_uapi_state(const struct sdrp_sock *ctx)
{
	return sdrp_states[ctx->state].uapi;
}

/* Neither closing nor closed: the session still exchanges data. */
bool sdrp_sess_open(const struct sdrp_sock *ctx)
{
	return ctx->state != SDRP_SESS_NONE &&
	       ctx->state != SDRP_SESS_CLOSING &&
	       ctx->state != SDRP_SESS_CLOSED;
}

/* May a verified message of @type be accepted now? */
bool sdrp_sess_expects(const struct sdrp_sock *ctx, u8 type)
{
	/* Closing: every authentic record still advances the sequence. */
	if (ctx->state == SDRP_SESS_CLOSING)
		return true;
	if (!sdrp_sess_open(ctx))
		return false;
	return type == sdrp_states[ctx->state].expect ||
	       type == SDRP_MSG_RESEND_LAST || type == SDRP_MSG_CLOSE ||
	       type == SDRP_MSG_CLOSED_NO_ACK;
}

/* The application's turn to send: see the table and the held request. */
bool sdrp_sess_may_send(const struct sdrp_sock *ctx)
{
	return sdrp_sess_open(ctx) && !ctx->err &&
	       sdrp_states[ctx->state].send && !ctx->held && !ctx->rx_msg;
}

/* A message is owed to the application: recv() may wait for it. */
bool sdrp_sess_may_wait_recv(const struct sdrp_sock *ctx)
{
	return sdrp_states[ctx->state].recv || ctx->held;
}

void sdrp_sess_set_state(struct sdrp_sock *ctx, u8 state)
{
	/*
	 * Sending may end the session under its caller: TCP refused the
	 * record (reset) and sdrp_tx_push closed with TRANSPORT.  A closed
	 * session stays closed, or its next timer or send would close (and
	 * count) it a second time, under another reason than its errno's.
	 */
	if (ctx->state == SDRP_SESS_CLOSED)
		return;
	ctx->state = state;
	if (sdrp_states[state].timed)
		sdrp_timers_recv_arm(ctx);
	else
		sdrp_timers_recv_disarm(ctx);
}

/* Wake everyone sleeping on the socket: readers, writers and pollers. */
void sdrp_sess_wake(struct sdrp_sock *ctx)
{
	struct sock *sk = ctx->sk;
	struct socket_wq *wq;

	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_all(&wq->wait);
	rcu_read_unlock();
	sk_wake_async(sk, SOCK_WAKE_IO, POLL_IN);
}

static void sess_free_pending(struct sdrp_sock *ctx)
{
	kvfree(ctx->held);
	ctx->held = NULL;
	sdrp_rxmsg_free(ctx->rx_msg);
	ctx->rx_msg = NULL;
}

/*
 * The session is over; @reason applies unless an earlier one was set.  A
 * transport that ends while our CLOSE waits for its answer ends it as the
 * close timer would have (NO_ACK for a local close).
 */
void sdrp_sess_closed(struct sdrp_sock *ctx, u8 reason)
{
	if (ctx->state == SDRP_SESS_CLOSED || ctx->state == SDRP_SESS_NONE)
		return;
	if (reason == SDRP_CLOSE_TRANSPORT && ctx->state == SDRP_SESS_CLOSING)
		reason = SDRP_CLOSE_NO_ACK;
	if (!ctx->close_reason)
		ctx->close_reason = reason;
	if (!ctx->err) {
		/* A peer's close reads as end of file, then EPIPE. */
		ctx->peer_eof = ctx->close_reason == SDRP_CLOSE_PEER;
		ctx->err = sdrp_sess_errno(ctx->close_reason);
	}
	kvfree(ctx->held);
	ctx->held = NULL;
	ctx->close_deferred = false;
	ctx->state = SDRP_SESS_CLOSED;
	sdrp_timers_recv_disarm(ctx);
	sdrp_timers_close_disarm(ctx);
	sdrp_stats_inc(sock_net(ctx->sk),
		       SDRP_STAT_CLOSE_FIRST + ctx->close_reason - 1);
	sdrp_sess_wake(ctx);
	/* The application closed the socket already: TCP may close now. */
	if (ctx->orphan)
		queue_work(sdrp_wq, &ctx->orphan_work);
}

/*
 * End the session at once, without waiting for an answer: @type (CLOSE
 * when the framing is lost, CLOSED WITHOUT ACK for an abort) goes out
 * first, unless a CLOSE is already out and @type is another one.
 */
void sdrp_sess_end_now(struct sdrp_sock *ctx, u8 type, u8 reason)
{
	if (ctx->state == SDRP_SESS_CLOSED || ctx->state == SDRP_SESS_NONE)
		return;
	/* During SDRP_HANDSHAKE only its request knows a key for a CLOSE. */
	if (ctx->state == SDRP_SESS_HANDSHAKE && type == SDRP_MSG_CLOSE) {
		sdrp_hs_cancel(ctx, EPROTO, reason);
		return;
	}
	if (sdrp_sess_open(ctx) || type != SDRP_MSG_CLOSE)
		sdrp_tx_simple(ctx, type);
	sdrp_sess_closed(ctx, reason);
}

static void sess_enter_closing(struct sdrp_sock *ctx)
{
	sdrp_sess_set_state(ctx, SDRP_SESS_CLOSING);
	ctx->close_deferred = false;
	ctx->retries = 1;
	/* Repeats of the CLOSE carry its seq; CLOSED WITHOUT ACK the next. */
	ctx->close_seq = ctx->tx_seq;
	if (sdrp_tx_simple(ctx, SDRP_MSG_CLOSE)) {
		/* No CLOSE can be sent: the session ends here. */
		sdrp_sess_closed(ctx, SDRP_CLOSE_INTERNAL);
		return;
	}
	if (ctx->state == SDRP_SESS_CLOSING)
		sdrp_timers_close_arm(ctx);
	sdrp_sess_wake(ctx);
}

/* Something failed: CLOSE with @reason, every later call gets its errno. */
void sdrp_sess_fail(struct sdrp_sock *ctx, u8 reason)
{
	if (!sdrp_sess_open(ctx))
		return;
	ctx->close_reason = reason;
	if (!ctx->err)
		ctx->err = sdrp_sess_errno(reason);
	sess_free_pending(ctx);
	sess_enter_closing(ctx);
}

/*
 * The application closes (shutdown() or close()): run the CLOSE exchange.
 * A server waiting for the rekey HELLO ACK closes once it has sent the
 * ACK: a CLOSE under the old epoch would reach a client that switched
 * already (Documentation/protocol.rst, "A local close during a rekey").
 */
void sdrp_sess_close(struct sdrp_sock *ctx)
{
	if (!sdrp_sess_open(ctx))
		return;
	/*
	 * shutdown() while SDRP_HANDSHAKE blocks in another thread: the
	 * handshake ends there, with a clear CLOSE if a HELLO went out.
	 */
	if (ctx->state == SDRP_SESS_HANDSHAKE) {
		sdrp_hs_cancel(ctx, EPIPE, SDRP_CLOSE_LOCAL);
		return;
	}
	if (ctx->state == SDRP_SESS_S_WAIT_HELLO_ACK) {
		ctx->close_deferred = true;
		return;
	}
	/*
	 * Calls fail with EPIPE from now on (io.c); the errno is the
	 * reason's once the exchange ends: EPIPE, or ETIMEDOUT for NO_ACK.
	 */
	kvfree(ctx->held);
	ctx->held = NULL;
	sess_enter_closing(ctx);
}

static const u8 reject_stat[SDRP_CLOSE_REASON_MAX + 1] = {
	[SDRP_CLOSE_OLD_EPOCH]	= SDRP_STAT_RX_OLD_EPOCH,
	[SDRP_CLOSE_BAD_MAC]	= SDRP_STAT_RX_BAD_MAC,
	[SDRP_CLOSE_MALFORMED]	= SDRP_STAT_RX_BAD_LAYOUT,
	[SDRP_CLOSE_BAD_TYPE]	= SDRP_STAT_RX_BAD_TYPE,
	[SDRP_CLOSE_BAD_SEQ]	= SDRP_STAT_RX_BAD_SEQ,
	[SDRP_CLOSE_STALE_TTL]	= SDRP_STAT_RX_STALE_TTL,
	[SDRP_CLOSE_FUTURE_TTL]	= SDRP_STAT_RX_FUTURE_TTL,
};

/* Ask the peer to repeat its last message; false once retries ran out. */
static bool sess_resend_last(struct sdrp_sock *ctx)
{
	if (ctx->params.policy != SDRP_POLICY_RESEND ||
	    !sdrp_states[ctx->state].resend ||
	    ctx->retries >= ctx->params.max_retries)
		return false;
	ctx->retries++;
	ctx->info.resends++;
	sdrp_stats_inc(sock_net(ctx->sk), SDRP_STAT_RESEND_OUT);
	/* What crosses it on the way is what the peer will send again. */
	memset(ctx->seen, 0, sizeof(ctx->seen));
	ctx->seen_open = SDRP_RETX_MAX;
	if (sdrp_tx_simple(ctx, SDRP_MSG_RESEND_LAST)) {
		sdrp_sess_fail(ctx, SDRP_CLOSE_INTERNAL);
		return true;
	}
	/* The repeated message is owed to us now, whatever the state. */
	sdrp_timers_recv_arm(ctx);
	return true;
}

/*
 * A record failed a check.  Under the CLOSE policy the session closes with
 * @reason.  Under the RESEND policy the peer is asked to repeat its last
 * message, up to max_retries times; when they run out the session closes
 * with the reason of the first bad record, which says more than RETRIES.
 * While closing, bad records are dropped without a word.
 */
static void sess_reject(struct sdrp_sock *ctx, u8 reason)
{
	if (!sdrp_sess_open(ctx))
		return;
	/*
	 * While our RESEND LAST is outstanding, records the peer sent before
	 * it saw the request arrive out of turn or out of sequence: drop them.
	 */
	if (ctx->retries && (reason == SDRP_CLOSE_BAD_TYPE ||
			     reason == SDRP_CLOSE_BAD_SEQ))
		return;
	if (!ctx->fail_reason)
		ctx->fail_reason = reason;
	if (sess_resend_last(ctx))
		return;
	sdrp_sess_fail(ctx, ctx->params.policy == SDRP_POLICY_RESEND ?
			    ctx->fail_reason : reason);
}

void sdrp_sess_reject(struct sdrp_sock *ctx, u8 reason)
{
	sdrp_stats_inc(sock_net(ctx->sk), reject_stat[reason]);
	sess_reject(ctx, reason);
}

/*
 * The peer's retransmission of a message we accepted already: our RESEND
 * LAST crossed the original (e.g. a server's timer fired as the client's
 * last DATA ACK of the epoch was on its way; the copy then meets the
 * server waiting for the rekey HELLO ACK).  Only the messages that were
 * on their way when we asked can come again, so only the first two
 * accepted after our RESEND LAST (a retransmission set's size) count;
 * they are authentic, the HMAC binding the record counter.
 */
static bool sess_is_copy(const struct sdrp_sock *ctx,
			 const struct sdrp_rx_view *v)
{
	int i;

	for (i = 0; i < SDRP_RETX_MAX; i++)
		if (ctx->seen[i].type == v->type && ctx->seen[i].seq == v->seq)
			return true;
	return false;
}

/*
 * A verified record failed the type, sequence or ttl check.  A copy of a
 * message accepted already is dropped without a word in every state
 * (protocol.rst, "Exceptions"); anything else is refused as usual.
 */
void sdrp_sess_reject_msg(struct sdrp_sock *ctx, u8 reason,
			  const struct sdrp_rx_view *v)
{
	if ((reason == SDRP_CLOSE_BAD_TYPE || reason == SDRP_CLOSE_BAD_SEQ) &&
	    sess_is_copy(ctx, v)) {
		sdrp_stats_inc(sock_net(ctx->sk), reject_stat[reason]);
		return;
	}
	sdrp_sess_reject(ctx, reason);
}

/* A header failed its check, but its length kept the framing. */
void sdrp_sess_reject_header(struct sdrp_sock *ctx)
{
	sdrp_stats_inc(sock_net(ctx->sk), SDRP_STAT_RX_BAD_HEADER);
	sess_reject(ctx, SDRP_CLOSE_MALFORMED);
}

/* The receive timer expired: the peer owed us a message. */
void sdrp_sess_recv_timeout(struct sdrp_sock *ctx)
{
	if (!sdrp_sess_open(ctx))
		return;
	if (sess_resend_last(ctx))
		return;
	if (ctx->fail_reason)
		sdrp_sess_fail(ctx, ctx->fail_reason);
	else
		sdrp_sess_fail(ctx, ctx->retries ? SDRP_CLOSE_RETRIES :
						   SDRP_CLOSE_TIMEOUT);
}

/* No CLOSE ACK yet: CLOSE again, or give up with CLOSED WITHOUT ACK. */
void sdrp_sess_close_timeout(struct sdrp_sock *ctx)
{
	if (ctx->state != SDRP_SESS_CLOSING)
		return;
	if (ctx->retries < ctx->params.max_retries) {
		struct sdrp_msg *close = sdrp_msg_alloc(SDRP_MSG_CLOSE, 0);
		int err = -ENOMEM;

		ctx->retries++;
		if (close) {
			close->seq = ctx->close_seq;
			err = sdrp_tx_again(ctx, close);
			kvfree(close);
		}
		if (err)
			sdrp_sess_closed(ctx, SDRP_CLOSE_INTERNAL);
		else if (ctx->state == SDRP_SESS_CLOSING)
			sdrp_timers_close_arm(ctx);
		return;
	}
	sdrp_tx_simple(ctx, SDRP_MSG_CLOSED_NO_ACK);
	sdrp_sess_closed(ctx, SDRP_CLOSE_NO_ACK);
}

static void sess_deliver(struct sdrp_sock *ctx, struct sdrp_rxmsg **m)
{
	ctx->rx_msg = *m;
	*m = NULL;
	ctx->info.bytes_rx += ctx->rx_msg->len;
}

static int sess_send_held(struct sdrp_sock *ctx)
{
	struct sdrp_msg *held = ctx->held;

	ctx->held = NULL;
	sdrp_sess_set_state(ctx, SDRP_SESS_C_WAIT_RESPONSE);
	return sdrp_tx_msg(ctx, held);
}

static int sess_data_ack(struct sdrp_sock *ctx)
{
	ctx->responses++;
	ctx->info.responses_in_epoch = ctx->responses;
	if (ctx->responses < ctx->params.rekey_interval) {
		sdrp_sess_set_state(ctx, SDRP_SESS_S_WAIT_REQUEST);
		return 0;
	}
	return sdrp_rekey_start(ctx);
}

static int sess_data_response(struct sdrp_sock *ctx, struct sdrp_rxmsg **m)
{
	int err;

	sess_deliver(ctx, m);
	/* The interval's last DATA ACK starts the server's rekey: no hold. */
	err = sdrp_tx_data_ack(ctx, ctx->responses + 1 <
				    ctx->params.rekey_interval);
	if (err)
		return err;
	ctx->responses++;
	ctx->info.responses_in_epoch = ctx->responses;
	/* The server's rekey HELLO comes next: hold the next request. */
	sdrp_sess_set_state(ctx, ctx->responses < ctx->params.rekey_interval ?
				 SDRP_SESS_C_IDLE : SDRP_SESS_C_WAIT_HELLO);
	return 0;
}

/*
 * Act on a verified message that sdrp_sess_expects() accepted.  @wire is
 * the record as received (rekey transcript), @m the decrypted record: the
 * session takes it if it carries data for the application.
 */
void sdrp_sess_dispatch(struct sdrp_sock *ctx, const struct sdrp_rx_view *v,
			const u8 *wire, u32 wire_len, struct sdrp_rxmsg **m)
{
	int err = 0;

	switch (v->type) {
	case SDRP_MSG_CLOSE:
		sdrp_tx_simple(ctx, SDRP_MSG_CLOSE_ACK);
		/* Two closes crossed: ours decides the reason (LOCAL). */
		sdrp_sess_closed(ctx, ctx->state == SDRP_SESS_CLOSING ?
				      SDRP_CLOSE_LOCAL : SDRP_CLOSE_PEER);
		return;
	case SDRP_MSG_CLOSE_ACK:
		if (ctx->state == SDRP_SESS_CLOSING)
			sdrp_sess_closed(ctx, SDRP_CLOSE_LOCAL);
		return;
	case SDRP_MSG_CLOSED_NO_ACK:
		sdrp_sess_closed(ctx, SDRP_CLOSE_PEER_NO_ACK);
		return;
	}
	if (ctx->state == SDRP_SESS_CLOSING)
		return;		/* in flight when we closed: dropped */

	/*
	 * A message that moves the exchange on answers our RESEND LASTs; a
	 * RESEND LAST of the peer's does not, or two peers asking each other
	 * to repeat would never run out of retries.
	 */
	if (v->type != SDRP_MSG_RESEND_LAST) {
		ctx->retries = 0;
		ctx->fail_reason = 0;
		sdrp_tx_retx_clear(ctx);
		if (ctx->seen_open) {
			struct sdrp_seen *seen =
				&ctx->seen[SDRP_RETX_MAX - ctx->seen_open--];

			seen->type = v->type;
			seen->seq = v->seq;
		}
	}
	switch (v->type) {
	case SDRP_MSG_RESEND_LAST:
		err = sdrp_tx_resend(ctx);
		if (err == -ENOENT) {
			/* Nothing was ever sent that could be missing. */
			sdrp_sess_reject(ctx, SDRP_CLOSE_BAD_TYPE);
			return;
		}
		for (; err > 0; err--)
			sdrp_stats_inc(sock_net(ctx->sk), SDRP_STAT_RESEND_IN);
		/* Re-arm: the peer needs the time to answer again. */
		sdrp_sess_set_state(ctx, ctx->state);
		break;
	case SDRP_MSG_DATA_REQUEST:
		sess_deliver(ctx, m);
		sdrp_sess_set_state(ctx, SDRP_SESS_S_HAVE_REQUEST);
		break;
	case SDRP_MSG_DATA_RESPONSE:
		err = sess_data_response(ctx, m);
		break;
	case SDRP_MSG_DATA_ACK:
		err = sess_data_ack(ctx);
		break;
	case SDRP_MSG_HELLO:
		err = sdrp_rekey_hello(ctx, wire, wire_len, v);
		break;
	case SDRP_MSG_HELLO_ACK:
		err = sdrp_rekey_hello_ack(ctx, wire, wire_len, v);
		break;
	case SDRP_MSG_ACK:
		if (ctx->state == SDRP_SESS_S_WAIT_ACK) {
			sdrp_hs_acked(ctx);	/* the initial handshake */
			break;
		}
		/* The rekey is complete on both sides. */
		sdrp_sess_set_state(ctx, SDRP_SESS_C_IDLE);
		if (ctx->held)
			err = sess_send_held(ctx);
		break;
	}
	if (err == -EPROTO) {
		sdrp_sess_reject(ctx, SDRP_CLOSE_MALFORMED);
		return;
	}
	if (err) {
		ctx->err = err;
		sdrp_sess_fail(ctx, SDRP_CLOSE_INTERNAL);
	}
	sdrp_sess_wake(ctx);
}

/*
 * Install one epoch's keys and sequence numbers: SDRP_KEYS, or the epoch
 * 0 keys the handshake got from sdrpd.
 */
int sdrp_sess_install(struct sdrp_sock *ctx, const struct sdrp_keys *keys)
{
	bool client = keys->role == SDRP_ROLE_CLIENT;
	struct sdrp_epoch *ep;
	int err;

	if ((keys->role != SDRP_ROLE_CLIENT &&
	     keys->role != SDRP_ROLE_SERVER) ||
	    memchr_inv(keys->reserved, 0, sizeof(keys->reserved)))
		return -EINVAL;
	if (keys->c2s_counter >= SDRP_MAX_RECORDS_PER_EPOCH ||
	    keys->s2c_counter >= SDRP_MAX_RECORDS_PER_EPOCH)
		return -EINVAL;

	ep = sdrp_epoch_alloc();
	if (!ep)
		return -ENOMEM;
	err = sdrp_epoch_set_keys(ep, keys->role, keys);
	if (err) {
		sdrp_epoch_free(ep);
		return err;
	}
	ctx->role = keys->role;
	ctx->epoch = ep;
	ctx->tx_seq = client ? keys->c2s_seq : keys->s2c_seq;
	ctx->rx_seq = client ? keys->s2c_seq : keys->c2s_seq;
	ctx->info.role = keys->role;
	ctx->info.epoch = keys->epoch;
	return 0;
}

/* Take over the socket's receive path: keys are set, or a handshake runs. */
int sdrp_sess_begin(struct sdrp_sock *ctx)
{
	int err;

	err = sdrp_rx_start(ctx);
	if (err)
		return err;
	/* Lock step: a small record must never wait for Nagle. */
	tcp_sk(ctx->sk)->nonagle |= TCP_NAGLE_OFF | TCP_NAGLE_PUSH;
	ctx->started = true;
	return 0;
}

/* The session has its keys: data may flow. */
void sdrp_sess_established(struct sdrp_sock *ctx, u8 state)
{
	sdrp_sess_set_state(ctx, state);
	sdrp_stats_inc(sock_net(ctx->sk), SDRP_STAT_ESTABLISHED);
	sdrp_rekey_prepare(ctx);
}

/* SDRP_KEYS: enter the established state with one epoch's keys. */
int sdrp_sess_start(struct sdrp_sock *ctx, const struct sdrp_keys *keys)
{
	int err;

	if (ctx->started)
		return -EISCONN;
	err = sdrp_sess_install(ctx, keys);
	if (err)
		return err;
	err = sdrp_sess_begin(ctx);
	if (err) {
		sdrp_epoch_free(ctx->epoch);
		ctx->epoch = NULL;
		return err;
	}
	sdrp_sess_established(ctx, keys->role == SDRP_ROLE_CLIENT ?
				   SDRP_SESS_C_IDLE :
				   SDRP_SESS_S_WAIT_REQUEST);
	return 0;
}

/*
 * The handshake failed and the CLOSE sdrpd built for it (seq @close_seq)
 * is on its way: wait for the CLOSE ACK as after any CLOSE.
 */
void sdrp_sess_closing(struct sdrp_sock *ctx, u8 reason, u64 close_seq)
{
	ctx->close_reason = reason;
	if (!ctx->err)
		ctx->err = sdrp_sess_errno(reason);
	sdrp_sess_set_state(ctx, SDRP_SESS_CLOSING);
	ctx->close_deferred = false;
	ctx->retries = 1;
	ctx->close_seq = close_seq;
	ctx->tx_seq = close_seq + 1;
	sdrp_timers_close_arm(ctx);
	sdrp_sess_wake(ctx);
}

/* close(): free what the session holds; its work items are stopped. */
void sdrp_sess_stop(struct sdrp_sock *ctx)
{
	kfree_skb(ctx->rx_skb);
	ctx->rx_skb = NULL;
	sess_free_pending(ctx);
	sdrp_tx_retx_clear(ctx);
	sdrp_tx_purge(ctx);
	sdrp_rekey_free(ctx);
	sdrp_epoch_free(ctx->epoch);
	ctx->epoch = NULL;
	sdrp_hs_stop(ctx);
}
