// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel rekey: a fresh X25519 exchange every rekey_interval
 * acknowledged responses.
 *
 *   S -> C  HELLO      (epoch n)    server's next public key
 *   C -> S  HELLO ACK  (epoch n)    client's next public key; the client
 *                                   then derives n+1 and switches
 *   S -> C  ACK        (epoch n+1)  the server derived n+1 on HELLO ACK
 *
 * The exchange sits between a DATA ACK and the client's next request, so
 * its critical path is kept short: both sides make their next key pair and
 * allocate the next epoch's transforms ahead of time in a work item, and
 * the client sends HELLO ACK before it computes its shared secret, so
 * that the two X25519 operations run in parallel on the two hosts.
 */
#include <crypto/curve25519.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "compat.h"
#include "sdrp.h"

static struct sdrp_keypair *keypair_new(void)
{
	struct sdrp_keypair *kp;

	kp = kmalloc(sizeof(*kp), GFP_KERNEL);
	if (!kp)
		return NULL;
	do {
		curve25519_generate_secret(kp->secret);
	} while (!curve25519_generate_public(kp->pub, kp->secret));
	return kp;
}

/*
 * Publish @kp / @ep as the next rekey's unless one is there already, and
 * free what was not taken.  Without the socket lock: the work item that
 * makes them runs on another CPU and must not make the application wait
 * for the socket (under TCG a sleeping lock_sock() waits milliseconds for
 * the cross-CPU wake-up).  The socket lock's holder takes them with
 * xchg() in rekey_switch(), so each is used once; close() frees them
 * after the work item is cancelled.
 */
static void rekey_offer(struct sdrp_sock *ctx, struct sdrp_keypair *kp,
			struct sdrp_epoch *ep)
{
	if (kp && cmpxchg(&ctx->kp, NULL, kp))
		kfree_sensitive(kp);
	if (ep && cmpxchg(&ctx->next_epoch, NULL, ep))
		sdrp_epoch_free(ep);
}

/* Make the next key pair and transforms ahead of the next rekey. */
void sdrp_kp_work(struct work_struct *work)
{
	struct sdrp_sock *ctx = container_of(work, struct sdrp_sock, kp_work);

	if (READ_ONCE(ctx->stopping))
		return;
	rekey_offer(ctx, READ_ONCE(ctx->kp) ? NULL : keypair_new(),
		    READ_ONCE(ctx->next_epoch) ? NULL : sdrp_epoch_alloc());
}

/*
 * On an unbound workqueue: the scheduler runs it on an idle CPU if there
 * is one, not on the CPU whose application is about to need it (the
 * rekey's key pair is made in idle time, not before the next exchange).
 */
void sdrp_rekey_prepare(struct sdrp_sock *ctx)
{
	if (!READ_ONCE(ctx->kp) || !READ_ONCE(ctx->next_epoch))
		queue_work(system_unbound_wq, &ctx->kp_work);
}

/* If the work item has not run yet, make them here, on the slow path. */
static int rekey_ready(struct sdrp_sock *ctx)
{
	rekey_offer(ctx, READ_ONCE(ctx->kp) ? NULL : keypair_new(),
		    READ_ONCE(ctx->next_epoch) ? NULL : sdrp_epoch_alloc());
	return READ_ONCE(ctx->kp) && READ_ONCE(ctx->next_epoch) ? 0 : -ENOMEM;
}

void sdrp_rekey_free(struct sdrp_sock *ctx)
{
	kfree_sensitive(ctx->kp);
	ctx->kp = NULL;
	sdrp_epoch_free(ctx->next_epoch);
	ctx->next_epoch = NULL;
	memzero_explicit(ctx->hello_rec, sizeof(ctx->hello_rec));
}

/*
 * Derive epoch n+1 from our secret, the peer's public key and the two
 * records of this rekey, and switch both directions to it.  Record
 * counters start again at zero; sequence numbers go on.  The old epoch
 * goes to *@retired, for the caller to free once what the peer waits for
 * is sent (freeing four transforms is no part of the protocol's critical
 * path).
 */
static int rekey_switch(struct sdrp_sock *ctx, const u8 *peer_pub,
			const u8 *ack_rec, u32 ack_len,
			struct sdrp_epoch **retired)
{
	struct sdrp_epoch *old = ctx->epoch, *ep;
	u8 dh[SDRP_X25519_LEN], th[SDRP_HASH_LEN];
	struct sdrp_keypair *kp;
	struct sdrp_keys *keys;
	int err;

	keys = kzalloc(sizeof(*keys), GFP_KERNEL);
	if (!keys)
		return -ENOMEM;
	/* rekey_ready() made sure both exist; only the lock holder takes. */
	kp = xchg(&ctx->kp, NULL);
	ep = xchg(&ctx->next_epoch, NULL);
	/* An all-zero shared secret: the peer sent a low-order point. */
	if (!curve25519(dh, kp->secret, peer_pub)) {
		err = -EPROTO;
		goto out;
	}
	err = sdrp_sha512(ctx->hello_rec, sizeof(ctx->hello_rec),
			  ack_rec, ack_len, th) ?:
	      sdrp_derive_epoch(old->chain_key, dh, th, keys);
	if (err)
		goto out;
	keys->epoch = old->epoch + 1;
	err = sdrp_epoch_set_keys(ep, ctx->role, keys);
	if (err)
		goto out;

	ctx->epoch = ep;
	ctx->responses = 0;
	ctx->info.responses_in_epoch = 0;
	ctx->info.epoch = ep->epoch;
	ep = NULL;
	*retired = old;
	ctx->info.rekeys++;
	sdrp_stats_inc(sock_net(ctx->sk), SDRP_STAT_REKEYS);
	sdrp_rekey_prepare(ctx);
out:
	sdrp_epoch_free(ep);	/* not switched to */
	kfree_sensitive(kp);
	memzero_explicit(dh, sizeof(dh));
	memzero_explicit(th, sizeof(th));
	kfree_sensitive(keys);
	return err;
}

static struct sdrp_msg *pub_msg(struct sdrp_sock *ctx, u8 type)
{
	struct sdrp_msg *msg = sdrp_msg_alloc(type, SDRP_X25519_LEN);

	if (msg)
		memcpy(msg->data, ctx->kp->pub, SDRP_X25519_LEN);
	return msg;
}

/* Server, on the interval's last DATA ACK: send HELLO. */
int sdrp_rekey_start(struct sdrp_sock *ctx)
{
	struct sdrp_msg *msg;
	int err;

	err = rekey_ready(ctx);
	if (err)
		return err;
	msg = pub_msg(ctx, SDRP_MSG_HELLO);
	if (!msg)
		return -ENOMEM;
	sdrp_sess_set_state(ctx, SDRP_SESS_S_WAIT_HELLO_ACK);
	return sdrp_tx_msg_wire(ctx, msg, ctx->hello_rec,
				sizeof(ctx->hello_rec));
}

/* Client, on HELLO: answer at once, then derive and switch. */
int sdrp_rekey_hello(struct sdrp_sock *ctx, const u8 *rec, u32 rec_len,
		     const struct sdrp_rx_view *hello)
{
	u8 ack_rec[sizeof(ctx->hello_rec)];
	struct sdrp_epoch *retired = NULL;
	struct sdrp_msg *msg;
	int err;

	if (!rec || rec_len != sizeof(ctx->hello_rec))
		return -EPROTO;
	err = rekey_ready(ctx);
	if (err)
		return err;
	memcpy(ctx->hello_rec, rec, rec_len);
	msg = pub_msg(ctx, SDRP_MSG_HELLO_ACK);
	if (!msg)
		return -ENOMEM;
	err = sdrp_tx_msg_wire(ctx, msg, ack_rec, sizeof(ack_rec));
	if (err)
		return err;
	err = rekey_switch(ctx, hello->data, ack_rec, sizeof(ack_rec),
			   &retired);
	sdrp_epoch_free(retired);
	memzero_explicit(ack_rec, sizeof(ack_rec));
	if (!err)
		sdrp_sess_set_state(ctx, SDRP_SESS_C_WAIT_ACK);
	return err;
}

/* Server, on HELLO ACK: derive and switch, then ACK under the new keys. */
int sdrp_rekey_hello_ack(struct sdrp_sock *ctx, const u8 *rec, u32 rec_len,
			 const struct sdrp_rx_view *ack)
{
	struct sdrp_epoch *retired = NULL;
	int err;

	if (!rec || rec_len != sizeof(ctx->hello_rec))
		return -EPROTO;
	err = rekey_switch(ctx, ack->data, rec, rec_len, &retired);
	if (err)
		return err;
	sdrp_sess_set_state(ctx, SDRP_SESS_S_WAIT_REQUEST);
	err = sdrp_tx_simple(ctx, SDRP_MSG_ACK);
	sdrp_epoch_free(retired);
	/* The application's close waited for the new epoch (session.c). */
	if (!err && ctx->close_deferred)
		sdrp_sess_close(ctx);
	return err;
}
