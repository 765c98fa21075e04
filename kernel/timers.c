// SPDX-License-Identifier: GPL-2.0
/*
 * The session's two timers, as event hooks for the state machine:
 *
 *   receive timer  runs while the peer owes us a message (see the state
 *                  table in session.c); expiry means RESEND LAST or CLOSE.
 *   close timer    runs while we wait for CLOSE ACK; expiry means CLOSE
 *                  again, or CLOSED WITHOUT ACK after max_retries.
 *
 * Both are delayed work items, so that expiry runs in process context
 * under lock_sock like everything else.  A handler that raced with a
 * re-arm or a disarm finds its *_armed flag clear or its deadline in the
 * future and does nothing; close() cancels both synchronously.
 */
#include <linux/jiffies.h>
#include <net/sock.h>

#include "compat.h"
#include "sdrp.h"

static void recv_timer_fn(struct work_struct *work)
{
	struct sdrp_sock *ctx = container_of(to_delayed_work(work),
					     struct sdrp_sock, recv_timer);
	struct sock *sk = ctx->sk;

	lock_sock(sk);
	if (!ctx->stopping && ctx->recv_timer_armed &&
	    time_after_eq(jiffies, ctx->recv_deadline)) {
		ctx->recv_timer_armed = false;
		sdrp_sess_recv_timeout(ctx);
	}
	release_sock(sk);
}

static void close_timer_fn(struct work_struct *work)
{
	struct sdrp_sock *ctx = container_of(to_delayed_work(work),
					     struct sdrp_sock, close_timer);
	struct sock *sk = ctx->sk;

	lock_sock(sk);
	if (!ctx->stopping && ctx->close_timer_armed &&
	    time_after_eq(jiffies, ctx->close_deadline)) {
		ctx->close_timer_armed = false;
		sdrp_sess_close_timeout(ctx);
	}
	release_sock(sk);
}

/* A DATA ACK held for the next request waited long enough: send it. */
static void flush_timer_fn(struct work_struct *work)
{
	struct sdrp_sock *ctx = container_of(to_delayed_work(work),
					     struct sdrp_sock, flush_timer);
	struct sock *sk = ctx->sk;

	lock_sock(sk);
	if (!ctx->stopping)
		sdrp_tx_flush(ctx);
	release_sock(sk);
}

void sdrp_timers_init(struct sdrp_sock *ctx)
{
	INIT_DELAYED_WORK(&ctx->recv_timer, recv_timer_fn);
	INIT_DELAYED_WORK(&ctx->close_timer, close_timer_fn);
	INIT_DELAYED_WORK(&ctx->flush_timer, flush_timer_fn);
}

/* close(): no handler runs after this returns.  Called without lock_sock. */
void sdrp_timers_stop(struct sdrp_sock *ctx)
{
	cancel_delayed_work_sync(&ctx->recv_timer);
	cancel_delayed_work_sync(&ctx->close_timer);
	cancel_delayed_work_sync(&ctx->flush_timer);
}

void sdrp_timers_recv_arm(struct sdrp_sock *ctx)
{
	unsigned long delay = msecs_to_jiffies(ctx->params.recv_timeout_ms);

	ctx->recv_deadline = jiffies + delay;
	ctx->recv_timer_armed = true;
	mod_delayed_work(sdrp_wq, &ctx->recv_timer, delay);
}

void sdrp_timers_recv_disarm(struct sdrp_sock *ctx)
{
	ctx->recv_timer_armed = false;
	cancel_delayed_work(&ctx->recv_timer);
}

void sdrp_timers_close_arm(struct sdrp_sock *ctx)
{
	unsigned long delay = msecs_to_jiffies(ctx->params.close_timeout_ms);

	ctx->close_deadline = jiffies + delay;
	ctx->close_timer_armed = true;
	mod_delayed_work(sdrp_wq, &ctx->close_timer, delay);
}

void sdrp_timers_close_disarm(struct sdrp_sock *ctx)
{
	ctx->close_timer_armed = false;
	cancel_delayed_work(&ctx->close_timer);
}

/*
 * The flush timer bounds how long a held DATA ACK waits for the client's
 * next request: one tick.
 */
void sdrp_timers_flush_arm(struct sdrp_sock *ctx)
{
	mod_delayed_work(sdrp_wq, &ctx->flush_timer, 1);
}

void sdrp_timers_flush_disarm(struct sdrp_sock *ctx)
{
	cancel_delayed_work(&ctx->flush_timer);
}
