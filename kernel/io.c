// SPDX-License-Identifier: GPL-2.0
/*
 * The application's view: send(), recv() and poll() on an sdrp socket.
 *
 *   client  send() = one DATA REQUEST, recv() = its DATA RESPONSE
 *   server  recv() = one DATA REQUEST, send() = its DATA RESPONSE
 *
 * One send() is one message.  recv() returns one message, possibly over
 * several calls, and sets MSG_EOR in msg_flags on the call that returns
 * its last byte, so an empty message (0 bytes, MSG_EOR) differs from end
 * of file (0 bytes, no MSG_EOR).  A call out of turn fails with EALREADY;
 * once the session ended, every call fails with its close reason's errno
 * (Documentation/sdrp.rst).
 */
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "sdrp.h"

#define SDRP_SEND_FLAGS	(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_EOR | \
			 MSG_CMSG_COMPAT | SDRP_MSG_SPLICE)
#define SDRP_RECV_FLAGS	(MSG_DONTWAIT | MSG_PEEK | MSG_WAITALL | \
			 MSG_NOSIGNAL | MSG_CMSG_COMPAT)

/*
 * Sleep under lock_sock until @cond holds, at most *@timeo jiffies.
 * 0 once it holds; -EAGAIN when the time ran out (or was zero); the
 * signal's errno when interrupted.
 *
 * The sleeper does the socket's receive work itself (rx.c): it counts
 * itself in rx_waiters, so that the callbacks only wake it, and each time
 * it wakes it frames, verifies and dispatches the records that arrived,
 * under the lock it holds anyway.  Whatever ends the wait, records that
 * arrived before it are processed first.
 */
int sdrp_wait(struct sdrp_sock *ctx, long *timeo,
	      bool (*cond)(const struct sdrp_sock *ctx))
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = ctx->sk;
	int err = 0;

	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		sdrp_rx_process(ctx);
		if (cond(ctx))
			break;
		if (!*timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(*timeo);
			break;
		}
		ctx->rx_waiters++;
		sk_wait_event(sk, timeo,
			      test_bit(SDRP_RX_KICK, &ctx->rx_flags) ||
			      cond(ctx), &wait);
		ctx->rx_waiters--;
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

static bool send_ready(const struct sdrp_sock *ctx)
{
	/* A held DATA ACK leaves with this very request. */
	return !sdrp_sess_may_send(ctx) || list_empty(&ctx->tx_list) ||
	       ctx->tx_hold;
}

int sdrp_sendmsg(struct sock *sk, struct msghdr *m, size_t size)
{
	struct sdrp_sock *ctx = sdrp_sk(sk);
	struct sdrp_msg *msg;
	long timeo;
	int err;

	if (m->msg_flags & ~SDRP_SEND_FLAGS)
		return -EOPNOTSUPP;
	if (size > SDRP_MAX_DATA)
		return -EMSGSIZE;

	lock_sock(sk);
	timeo = sock_sndtimeo(sk, m->msg_flags & MSG_DONTWAIT);
	if (!ctx->started) {
		err = -ENOTCONN;
		goto out;
	}
	/* Records of ours still wait for TCP's send buffer: wait for them. */
	err = sdrp_wait(ctx, &timeo, send_ready);
	if (err)
		goto out;
	if (ctx->err || !sdrp_sess_open(ctx)) {
		/* The session's errno, not TCP's (sk_stream_error's). */
		err = ctx->err ?: -EPIPE;
		if (err == -EPIPE && !(m->msg_flags & MSG_NOSIGNAL))
			send_sig(SIGPIPE, current, 0);
		goto out;
	}
	if (!sdrp_sess_may_send(ctx)) {
		err = -EALREADY;
		goto out;
	}

	msg = sdrp_msg_alloc(ctx->role == SDRP_ROLE_CLIENT ?
			     SDRP_MSG_DATA_REQUEST : SDRP_MSG_DATA_RESPONSE,
			     size);
	if (!msg) {
		err = -ENOBUFS;
		goto out;
	}
	if (!copy_from_iter_full(msg->data, size, &m->msg_iter)) {
		kvfree(msg);
		err = -EFAULT;
		goto out;
	}

	switch (ctx->state) {
	case SDRP_SESS_C_WAIT_HELLO:
	case SDRP_SESS_C_WAIT_ACK:
		/* Sent under the new epoch when the rekey completes. */
		ctx->held = msg;
		err = 0;
		break;
	case SDRP_SESS_C_IDLE:
		sdrp_sess_set_state(ctx, SDRP_SESS_C_WAIT_RESPONSE);
		err = sdrp_tx_msg(ctx, msg);
		break;
	default:	/* SDRP_SESS_S_HAVE_REQUEST */
		sdrp_sess_set_state(ctx, SDRP_SESS_S_WAIT_DATA_ACK);
		err = sdrp_tx_msg(ctx, msg);
		break;
	}
	if (err) {
		ctx->err = err;
		sdrp_sess_fail(ctx, SDRP_CLOSE_INTERNAL);
		goto out;
	}
	ctx->info.bytes_tx += size;
	err = size;
out:
	sdrp_rx_before_release(ctx);
	release_sock(sk);
	return err;
}

static bool recv_ready(const struct sdrp_sock *ctx)
{
	return ctx->rx_msg || ctx->err || !sdrp_sess_may_wait_recv(ctx);
}

int sdrp_recvmsg(struct sock *sk, struct msghdr *m, size_t len, int flags,
		 int *addr_len)
{
	struct sdrp_sock *ctx = sdrp_sk(sk);
	struct sdrp_rxmsg *rx;
	long timeo;
	size_t n;
	int err;

	if (flags & ~SDRP_RECV_FLAGS)
		return -EOPNOTSUPP;

	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	if (!ctx->started) {
		err = -ENOTCONN;
		goto out;
	}
	err = sdrp_wait(ctx, &timeo, recv_ready);
	if (err)
		goto out;

	rx = ctx->rx_msg;
	if (!rx) {
		if (ctx->peer_eof)
			err = 0;
		else if (ctx->err)
			err = ctx->err;
		else if (!sdrp_sess_open(ctx))
			err = -EPIPE;	/* we are closing */
		else
			err = -EALREADY;
		goto out;
	}

	n = min_t(size_t, len, rx->len - rx->off);
	if (n && memcpy_to_msg(m, rx->data + rx->off, n)) {
		err = -EFAULT;
		goto out;
	}
	err = n;
	if (rx->off + n == rx->len)
		m->msg_flags |= MSG_EOR;
	if (flags & MSG_PEEK)
		goto out;
	rx->off += n;
	if (rx->off == rx->len) {
		/* Read to the end: the turn passes to our send(). */
		ctx->rx_msg = NULL;
		sdrp_rxmsg_free(rx);
		sdrp_sess_wake(ctx);
	}
out:
	sdrp_rx_before_release(ctx);
	release_sock(sk);
	return err;
}

bool sdrp_sock_is_readable(struct sock *sk)
{
	return READ_ONCE(sdrp_sk(sk)->rx_msg);
}

/*
 * POLLIN:  a message (or the rest of one) is ready, or end of file.
 * POLLOUT: send() would be accepted at once.
 * POLLERR: the session failed (its errno is sticky); POLLHUP: it ended.
 * The reads are lockless snapshots; every change wakes the wait queue.
 */
__poll_t sdrp_poll(struct file *file, struct socket *sock,
		   struct poll_table_struct *wait)
{
	struct sock *sk = sock->sk;
	struct sdrp_sock *ctx = sdrp_sk(sk);
	__poll_t mask = 0;
	u8 state;

	if (!READ_ONCE(ctx->started))
		return tcp_poll(file, sock, wait);

	sock_poll_wait(file, sock, wait);
	state = READ_ONCE(ctx->state);
	if (READ_ONCE(ctx->rx_msg))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(ctx->peer_eof))
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	else if (READ_ONCE(ctx->err) && READ_ONCE(ctx->close_reason))
		mask |= EPOLLERR;
	if (state == SDRP_SESS_CLOSED)
		mask |= EPOLLHUP;
	if (sdrp_sess_may_send(ctx) && (list_empty_careful(&ctx->tx_list) ||
					READ_ONCE(ctx->tx_hold)))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}
