// SPDX-License-Identifier: GPL-2.0
/*
 * The initial handshake through sdrpd: setsockopt(SDRP_HANDSHAKE) and the
 * life of its request (Documentation/netlink/handshake.rst).
 *
 * Model.  The application's thread, blocked in setsockopt() under
 * lock_sock (released while it sleeps), owns the request and does all the
 * work on the socket: it sends the HELLO that SEND gave, installs the keys
 * of DONE, sends the ACK.  The netlink handlers (netlink.c) never touch
 * the socket: under the namespace's mutex they move the request between
 * phases, attach a result and wake that thread.  The receive path (rx.c,
 * under lock_sock) hands the peer's HELLO / HELLO ACK over to the request
 * and holds further records until the daemon answered.
 *
 * Exactly once.  A request is in its namespace's handle map from
 * creation to completion; completing removes it, under the mutex, and
 * only the first of DONE, the deadline, the owner's release, a signal, the
 * end of the transport or the namespace's exit gets to do it.  Because the
 * application's thread is inside setsockopt() for the whole life of a
 * request, the socket cannot be closed under it: close() while a request
 * lives means the process was killed, which interrupts the wait and
 * cancels the request like any signal.
 *
 * Lock order: lock_sock, then sdrp_hs_net.lock.  The netlink handlers take
 * only the latter.
 */
#include <linux/idr.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include <net/strparser.h>

#include "compat.h"
#include "handshake.h"
#include "sdrp.h"

/* Requests alive in one namespace; SDRP_HANDSHAKE fails with EAGAIN. */
#define SDRP_HS_PENDING_MAX	1024
/* Longest timeout_ms an application may ask for (one hour). */
#define SDRP_HS_TIMEOUT_MAX	3600000

struct sdrp_hs_net {
	struct mutex lock;		/* everything below, and each request */
	struct idr reqs;		/* handle -> request, until completed */
	struct list_head queue;		/* QUEUED requests, oldest first */
	u32 pending;			/* requests in reqs */
	u32 queued;			/* requests in queue */
};

static unsigned int sdrp_hs_net_id __read_mostly;

static struct sdrp_hs_net *hs_net(struct net *net)
{
	return net_generic(net, sdrp_hs_net_id);
}

void sdrp_hs_req_put(struct sdrp_hs_req *req)
{
	if (!refcount_dec_and_test(&req->ref))
		return;
	kfree(req->record);
	kfree(req->hello);
	kfree_sensitive(req->res);
	/* SEND's hello MAC keys, if never used. */
	kfree_sensitive(req);
}

/*
 * Under hn->lock: end @req with @res (DONE) or with the kernel's @status,
 * @reason and statistic; false if it had ended already.
 */
static bool req_complete(struct sdrp_hs_net *hn, struct sdrp_hs_req *req,
			 struct sdrp_hs_result *res, u32 status, u8 reason,
			 u8 stat)
{
	if (req->phase == SDRP_HS_COMPLETED)
		return false;
	if (req->phase == SDRP_HS_QUEUED) {
		list_del_init(&req->queue);
		hn->queued--;
	}
	idr_remove(&hn->reqs, req->handle);
	hn->pending--;
	req->phase = SDRP_HS_COMPLETED;
	req->res = res;
	req->status = status;
	req->close_reason = reason;
	req->stat = stat;
	sdrp_sess_wake(req->ctx);
	return true;
}

static void hs_end(struct sdrp_hs_req *req, u32 status, u8 reason, u8 stat)
{
	struct sdrp_hs_net *hn = hs_net(req->net);

	mutex_lock(&hn->lock);
	req_complete(hn, req, NULL, status, reason, stat);
	mutex_unlock(&hn->lock);
}

static u8 hs_err_stat(u8 error)
{
	if (!error || error > SDRP_HS_ERROR_INTERNAL)
		error = SDRP_HS_ERROR_INTERNAL;
	return SDRP_STAT_HS_ERR_FIRST + error - 1;
}

/* Queue @req for the daemon in @turn and tell the sdrpd group. */
static void req_queue(struct sdrp_hs_req *req, u8 turn)
{
	struct sdrp_hs_net *hn = hs_net(req->net);
	u32 queued = 0;

	mutex_lock(&hn->lock);
	if (req->phase != SDRP_HS_COMPLETED) {
		req->turn = turn;
		req->portid = 0;
		req->phase = SDRP_HS_QUEUED;
		list_add_tail(&req->queue, &hn->queue);
		queued = ++hn->queued;
	}
	mutex_unlock(&hn->lock);
	if (queued)
		sdrp_nl_ready(req->net, queued);
}

/**
 * sdrp_hs_accept - hand the oldest queued request to a daemon's port
 * @net: the caller's namespace
 * @portid: the caller's netlink port, owner of the turn from now on
 * @out: the request, with a reference the caller puts
 *
 * Return: 0, or -EAGAIN if no request is queued.
 */
int sdrp_hs_accept(struct net *net, u32 portid, struct sdrp_hs_req **out)
{
	struct sdrp_hs_net *hn = hs_net(net);
	struct sdrp_hs_req *req;

	mutex_lock(&hn->lock);
	req = list_first_entry_or_null(&hn->queue, struct sdrp_hs_req, queue);
	if (req) {
		list_del_init(&req->queue);
		hn->queued--;
		req->phase = SDRP_HS_ACCEPTED;
		req->portid = portid;
		refcount_inc(&req->ref);
	}
	mutex_unlock(&hn->lock);
	*out = req;
	return req ? 0 : -EAGAIN;
}

/**
 * sdrp_hs_requeue - put back a request whose ACCEPT reply was lost
 * @req: the request, still referenced by the caller
 */
void sdrp_hs_requeue(struct sdrp_hs_req *req)
{
	struct sdrp_hs_net *hn = hs_net(req->net);

	mutex_lock(&hn->lock);
	if (req->phase == SDRP_HS_ACCEPTED) {
		req->portid = 0;
		req->phase = SDRP_HS_QUEUED;
		list_add(&req->queue, &hn->queue);
		hn->queued++;
	}
	mutex_unlock(&hn->lock);
}

/* Under hn->lock: the request @portid owns under @handle, or NULL. */
static struct sdrp_hs_req *req_owned(struct sdrp_hs_net *hn, u32 portid,
				     u32 handle)
{
	struct sdrp_hs_req *req = idr_find(&hn->reqs, handle);

	if (!req || !portid || req->portid != portid ||
	    (req->phase != SDRP_HS_ACCEPTED && req->phase != SDRP_HS_WAIT_PEER))
		return NULL;
	return req;
}

/*
 * A record from the daemon: one whole clear record of @type under epoch
 * 0, with a valid header whose length is the record's.
 */
static bool record_valid(const u8 *rec, u32 len, u8 type)
{
	const struct sdrp_hdr *hdr = (const struct sdrp_hdr *)rec;

	return len >= SDRP_HDR_LEN && len <= SDRP_HELLO_RECORD_MAX &&
	       sdrp_hdr_check(hdr) == SDRP_HDR_OK && hdr->type == type &&
	       (hdr->flags & SDRP_HDR_F_CLEAR) && !sdrp_get_be32(hdr->epoch) &&
	       len == SDRP_HDR_LEN + sdrp_get_be32(hdr->length);
}

/* The seq field of a clear record the kernel checked or built. */
static u64 record_seq(const u8 *rec)
{
	return sdrp_get_be64(rec + SDRP_HDR_LEN);
}

/**
 * sdrp_hs_send - SEND: the HELLO of a request in turn client-hello
 * @net: the caller's namespace
 * @portid: the caller's port
 * @handle: the request
 * @rec: the HELLO record (may be NULL if absent)
 * @len: its length
 * @keys: both hello MAC keys (may be NULL if absent); copied
 *
 * The application's thread sends the HELLO.  The keys let it close with a
 * clear CLOSE if no HELLO ACK comes in time (hs_fail()).  A record that is
 * not one whole HELLO, or missing keys, fail the request with EPROTO.
 *
 * Return: 0; -ENOENT if @portid owns no such request; -EINVAL in another
 * turn or for an invalid record; -ENOMEM.
 */
int sdrp_hs_send(struct net *net, u32 portid, u32 handle, const u8 *rec,
		 u32 len, const struct sdrp_hs_hello_keys *keys)
{
	struct sdrp_hs_net *hn = hs_net(net);
	struct sdrp_hs_req *req;
	u8 *hello = NULL;
	int err = 0;

	if (rec && len) {
		hello = kmemdup(rec, len, GFP_KERNEL);
		if (!hello)
			return -ENOMEM;
	}
	mutex_lock(&hn->lock);
	req = req_owned(hn, portid, handle);
	if (!req || req->phase != SDRP_HS_ACCEPTED) {
		err = -ENOENT;
	} else if (req->turn != SDRP_TURN_CLIENT_HELLO) {
		err = -EINVAL;
	} else if (!hello || !record_valid(hello, len, SDRP_MSG_HELLO) ||
		   !keys) {
		req_complete(hn, req, NULL, EPROTO, SDRP_CLOSE_INTERNAL,
			     SDRP_STAT_HS_BAD_ANSWER);
		err = -EINVAL;
	} else {
		/* The port keeps the turn until the HELLO ACK is relayed. */
		req->hello = hello;
		req->hello_len = len;
		req->hello_seq = record_seq(hello);
		req->hello_keys = *keys;
		req->has_hello_keys = true;
		hello = NULL;
		req->hello_due = true;
		req->phase = SDRP_HS_WAIT_PEER;
		sdrp_sess_wake(req->ctx);
	}
	mutex_unlock(&hn->lock);
	kfree(hello);
	return err;
}

static bool identity_valid(const char *id)
{
	size_t i, n = strnlen(id, SDRP_IDENTITY_MAX + 1);

	if (!n || n > SDRP_IDENTITY_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (id[i] < 0x21 || id[i] > 0x7e)
			return false;
	return true;
}

/* "What the kernel must check" of handshake.rst, for one DONE. */
static int result_check(const struct sdrp_hs_req *req,
			const struct sdrp_hs_result *res)
{
	const struct sdrp_keys *k = &res->keys;
	bool server = req->role == SDRP_ROLE_SERVER;
	u8 type = res->record_len > 1 ? res->record[1] : 0;

	if (res->invalid || res->n_hello_keys == 1)
		return -EINVAL;
	if (res->record_len && !record_valid(res->record, res->record_len,
					     type))
		return -EINVAL;
	if (!res->status) {
		if (req->turn == SDRP_TURN_CLIENT_HELLO || !res->has_keys ||
		    res->n_hello_keys != 2 || !identity_valid(res->peer) ||
		    !res->rekey_interval ||
		    res->rekey_interval > req->rekey_interval)
			return -EINVAL;
		if (k->role != req->role || k->epoch ||
		    memchr_inv(k->reserved, 0, sizeof(k->reserved)) ||
		    k->c2s_counter || k->s2c_counter)
			return -EINVAL;
		/* The identity the application asked for, if it did. */
		if (req->peer[0] && strcmp(req->peer, res->peer))
			return -EINVAL;
		if (server ? type != SDRP_MSG_HELLO_ACK : res->record_len)
			return -EINVAL;
		return 0;
	}
	if (res->has_keys || res->peer[0] || res->rekey_interval)
		return -EINVAL;
	if (!res->record_len)
		return res->n_hello_keys ? -EINVAL : 0;
	if (type == SDRP_MSG_CLOSE)
		return res->n_hello_keys == 2 ? 0 : -EINVAL;
	/* The answer to the server's CLOSE: nothing follows it. */
	if (type == SDRP_MSG_CLOSE_ACK)
		return !res->n_hello_keys &&
		       req->turn == SDRP_TURN_CLIENT_FINISH ? 0 : -EINVAL;
	return -EINVAL;
}

/**
 * sdrp_hs_done - DONE: the daemon ends a request it owns
 * @net: the caller's namespace
 * @portid: the caller's port
 * @handle: the request
 * @res: the parsed attributes; taken over (wiped and freed) in every case
 *
 * An answer that fails result_check() ends the request with EPROTO.
 *
 * Return: 0; -ENOENT if @portid owns no such request; -EINVAL for an
 * invalid answer.
 */
int sdrp_hs_done(struct net *net, u32 portid, u32 handle,
		 struct sdrp_hs_result *res)
{
	struct sdrp_hs_net *hn = hs_net(net);
	struct sdrp_hs_req *req;
	int err;

	mutex_lock(&hn->lock);
	req = req_owned(hn, portid, handle);
	if (!req) {
		err = -ENOENT;
	} else {
		err = result_check(req, res);
		if (err)
			req_complete(hn, req, NULL, EPROTO, SDRP_CLOSE_INTERNAL,
				     SDRP_STAT_HS_BAD_ANSWER);
		else
			req_complete(hn, req, res, 0, 0, 0);
	}
	mutex_unlock(&hn->lock);
	if (err)
		kfree_sensitive(res);
	return err;
}

/* The owner's netlink socket went away: fail what it holds. */
static int hs_urelease(struct notifier_block *nb, unsigned long event,
		       void *ptr)
{
	struct netlink_notify *n = ptr;
	struct sdrp_hs_net *hn;
	struct sdrp_hs_req *req;
	int id;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !n->portid)
		return NOTIFY_DONE;
	hn = hs_net(n->net);
	mutex_lock(&hn->lock);
	idr_for_each_entry(&hn->reqs, req, id)
		if (req->portid == n->portid)
			req_complete(hn, req, NULL, ECONNABORTED,
				     SDRP_CLOSE_INTERNAL,
				     hs_err_stat(SDRP_HS_ERROR_LOST_STATE));
	mutex_unlock(&hn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block sdrp_hs_notifier = {
	.notifier_call = hs_urelease,
};

/* ---- the socket side, under lock_sock ---------------------------------- */

static void clear_free(struct sdrp_sock *ctx)
{
	if (!ctx->clear)
		return;
	sdrp_dir_mac_free(&ctx->clear->tx);
	sdrp_dir_mac_free(&ctx->clear->rx);
	kfree_sensitive(ctx->clear);
	ctx->clear = NULL;
}

/*
 * Keep the hello MAC keys for the clear close exchange, with the next
 * clear record counter of each direction: @tx_counter ours,
 * @rx_counter the peer's.
 */
static int clear_init(struct sdrp_sock *ctx,
		      const struct sdrp_hs_hello_keys *keys, u64 tx_counter,
		      u64 rx_counter)
{
	bool client = ctx->role == SDRP_ROLE_CLIENT;
	struct sdrp_clear *c;
	int err;

	clear_free(ctx);
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	err = sdrp_dir_mac_init(&c->tx, client ? keys->c2s : keys->s2c,
				tx_counter);
	if (!err)
		err = sdrp_dir_mac_init(&c->rx, client ? keys->s2c : keys->c2s,
					rx_counter);
	if (err) {
		sdrp_dir_mac_free(&c->tx);
		kfree_sensitive(c);
		return err;
	}
	ctx->clear = c;
	return 0;
}

struct sdrp_dir_crypto *sdrp_hs_clear_rx(struct sdrp_sock *ctx)
{
	return ctx->clear ? &ctx->clear->rx : NULL;
}

/*
 * A record of @type goes out clear while no epoch 0 key is in use, and
 * when it answers a clear record (a clear CLOSE gets a clear CLOSE ACK).
 */
struct sdrp_dir_crypto *sdrp_hs_clear_tx(struct sdrp_sock *ctx, u8 type)
{
	if (!ctx->clear || !sdrp_type_may_be_clear(type))
		return NULL;
	return !ctx->epoch || ctx->rx_clear ? &ctx->clear->tx : NULL;
}

/*
 * Close before the keys exist (protocol.rst): our clear CLOSE under the
 * hello MAC key, then CLOSING as after any CLOSE (close timer, CLOSE
 * again, CLOSED WITHOUT ACK).  @close is sdrpd's CLOSE, sent as it is; or
 * NULL when a client's handshake ended after its HELLO went out without
 * an answer from sdrpd (hs_client_close()): the CLOSE is built here, seq
 * n + 1 after the HELLO's n.
 *
 * Clear record counters: the peer's first clear record (HELLO, HELLO
 * ACK, CLOSE, or one refused in their place), if it was read, used its
 * counter 0; the client's HELLO used its 0, so its CLOSE takes 1, while a
 * server's CLOSE takes 0.
 */
static int hs_clear_close(struct sdrp_sock *ctx, struct sdrp_hs_req *req,
			  const struct sdrp_hs_hello_keys *keys, u8 reason,
			  const u8 *close, u32 close_len)
{
	u64 tx_counter = ctx->role == SDRP_ROLE_CLIENT ? 1 : 0;
	int err;

	/* sdrpd sealed its CLOSE with the counter this takes. */
	err = clear_init(ctx, keys, tx_counter + !!close,
			 req->peer_clear_read ? 1 : 0);
	if (err)
		return err;
	ctx->rx_seq = req->record ? record_seq(req->record) + 1 :
				    req->hello_seq;
	if (!close) {
		ctx->tx_seq = req->hello_seq + 1;
		sdrp_sess_fail(ctx, reason);
		return 0;
	}
	err = sdrp_tx_raw(ctx, close, close_len);
	if (!err)
		sdrp_sess_closing(ctx, reason, record_seq(close));
	return err;
}

/*
 * Under lock_sock, the request complete: SEND's hello MAC keys into
 * @keys, once; false if SEND gave none (no HELLO went out).
 */
static bool hello_keys_take(struct sdrp_hs_req *req,
			    struct sdrp_hs_hello_keys *keys)
{
	struct sdrp_hs_net *hn = hs_net(req->net);
	bool has;

	mutex_lock(&hn->lock);
	has = req->has_hello_keys;
	if (has)
		*keys = req->hello_keys;
	memzero_explicit(&req->hello_keys, sizeof(req->hello_keys));
	req->has_hello_keys = false;
	mutex_unlock(&hn->lock);
	return has;
}

/*
 * A client whose HELLO went out (SEND gave the hello MAC keys) and whose
 * handshake then ends without sdrpd's answer sends its own clear CLOSE:
 * the server holds the other half of the handshake (its HELLO ACK out, or
 * on its way) until its own deadline otherwise.  protocol.rst's client
 * table asks for it on the timer (ETIMEDOUT) and on an invalid record
 * (EPROTO: one sdrp_hs_rx() refused, or an answer of sdrpd's the kernel
 * refused), and its "Starting a close" for an application close: a
 * signal (EINTR: the call is cancelled, or the process killed) or
 * shutdown() (EPIPE, sdrp_hs_cancel()).  A daemon that lost the request
 * (ECONNABORTED) leaves the client as unable to finish as a timer would.
 * Other ends need none: the transport is gone (ECONNRESET; the session
 * is CLOSED already, see hs_fail()), a local failure (ENOMEM, EIO), or
 * nothing was sent.
 */
static bool hs_client_close(const struct sdrp_hs_req *req, u32 status)
{
	return req->role == SDRP_ROLE_CLIENT &&
	       (status == ETIMEDOUT || status == EPROTO || status == EINTR ||
		status == EPIPE || status == ECONNABORTED);
}

/*
 * A failure ends the handshake: the application's call returns -@status
 * at once.  A CLOSE from sdrpd, or the client's own (hs_client_close()),
 * is sent and answered as any CLOSE (hs_clear_close()); a CLOSE ACK is
 * sent and the session is closed; without a record the session is
 * closed silently (no key to authenticate anything with).
 */
static int hs_fail(struct sdrp_sock *ctx, struct sdrp_hs_req *req,
		   u32 status, u8 reason, const struct sdrp_hs_result *res)
{
	u8 type = res && res->record_len ? res->record[1] : 0;
	struct sdrp_hs_hello_keys keys;
	bool closing = false;

	if (ctx->state == SDRP_SESS_CLOSED)
		return ctx->err ?: -EPIPE;
	/* An interrupted call: later calls see a local close. */
	ctx->err = status == EINTR ? -EPIPE : -(int)status;
	if (type == SDRP_MSG_CLOSE) {
		closing = !hs_clear_close(ctx, req, &res->hello_keys, reason,
					  res->record, res->record_len);
	} else if (type == SDRP_MSG_CLOSE_ACK) {
		sdrp_tx_raw(ctx, res->record, res->record_len);
	} else if (!res && hs_client_close(req, status) &&
		   hello_keys_take(req, &keys)) {
		closing = !hs_clear_close(ctx, req, &keys, reason, NULL, 0);
		memzero_explicit(&keys, sizeof(keys));
	}
	/*
	 * The peer's records can no longer be framed: no CLOSE ACK could be
	 * read, so the CLOSE is the last word (protocol.rst, "Header check").
	 */
	if (ctx->strp.stopped)
		closing = false;
	if (!closing)
		sdrp_sess_closed(ctx, reason);
	sdrp_rx_resume(ctx);
	return -(int)status;
}

static bool acked(const struct sdrp_sock *ctx)
{
	return ctx->state != SDRP_SESS_S_WAIT_ACK;
}

/* The counter of a server's handshake that ended by @reason before the ACK. */
static u8 hs_wait_ack_stat(u8 reason)
{
	switch (reason) {
	case SDRP_CLOSE_PEER:
	case SDRP_CLOSE_PEER_NO_ACK:
		return hs_err_stat(SDRP_HS_ERROR_PEER_REFUSED);
	case SDRP_CLOSE_LOCAL:
	case SDRP_CLOSE_TRANSPORT:
		return SDRP_STAT_HS_CANCELLED;
	case SDRP_CLOSE_BAD_MAC:
		return hs_err_stat(SDRP_HS_ERROR_BAD_MAC);
	case SDRP_CLOSE_TIMEOUT:
	case SDRP_CLOSE_RETRIES:
	case SDRP_CLOSE_NO_ACK:
		return hs_err_stat(SDRP_HS_ERROR_TIMEOUT);
	case SDRP_CLOSE_INTERNAL:
		return hs_err_stat(SDRP_HS_ERROR_INTERNAL);
	default:
		return hs_err_stat(SDRP_HS_ERROR_MALFORMED);
	}
}

/* Server: the HELLO ACK is out; the handshake ends with the client's ACK. */
static int hs_wait_ack(struct sdrp_sock *ctx, struct sdrp_hs_req *req)
{
	long timeo = max_t(long, (long)(req->deadline - jiffies), 0);
	int err;

	err = sdrp_wait(ctx, &timeo, acked);
	if (err == -EAGAIN) {
		sdrp_stats_inc(req->net, hs_err_stat(SDRP_HS_ERROR_TIMEOUT));
		sdrp_sess_fail(ctx, SDRP_CLOSE_TIMEOUT);
		return -ETIMEDOUT;
	}
	if (err) {
		sdrp_stats_inc(req->net, SDRP_STAT_HS_CANCELLED);
		sdrp_sess_close(ctx);
		return err;
	}
	/*
	 * Established once the ACK came (SdrpHsDone counted), even if the
	 * session ended since: later calls report that, as on a client.
	 */
	if (sdrp_sess_open(ctx) || req->acked)
		return 0;
	/* Every handshake that started is counted once, also this one. */
	sdrp_stats_inc(req->net, hs_wait_ack_stat(ctx->close_reason));
	/* The client refused our HELLO ACK with its clear CLOSE. */
	if (ctx->close_reason == SDRP_CLOSE_PEER) {
		ctx->peer_eof = false;
		ctx->err = -ECONNREFUSED;
	}
	return ctx->err ?: -EPIPE;
}

/* DONE with status 0: install epoch 0, then ACK (client) or wait for it. */
static int hs_established(struct sdrp_sock *ctx, struct sdrp_hs_req *req,
			  const struct sdrp_hs_result *res)
{
	bool server = req->role == SDRP_ROLE_SERVER;
	int err;

	err = sdrp_sess_install(ctx, &res->keys);
	/* Server: its HELLO ACK and the client's HELLO used counter 0. */
	if (!err && server)
		err = clear_init(ctx, &res->hello_keys, 1, 1);
	if (err) {
		sdrp_stats_inc(req->net, hs_err_stat(SDRP_HS_ERROR_INTERNAL));
		return hs_fail(ctx, req, err == -ENOMEM ? ENOMEM : EIO,
			       SDRP_CLOSE_INTERNAL, NULL);
	}
	ctx->params.rekey_interval = res->rekey_interval;
	strscpy(ctx->peer_identity, res->peer, sizeof(ctx->peer_identity));

	if (server) {
		/* Keys first: the client's ACK may follow the HELLO ACK at once. */
		err = sdrp_tx_raw(ctx, res->record, res->record_len);
		sdrp_sess_set_state(ctx, SDRP_SESS_S_WAIT_ACK);
		sdrp_rx_resume(ctx);
		if (err) {
			sdrp_stats_inc(req->net,
				       hs_err_stat(SDRP_HS_ERROR_INTERNAL));
			sdrp_sess_fail(ctx, SDRP_CLOSE_INTERNAL);
			return err;
		}
		/* shutdown() as sdrpd answered: CLOSE under epoch 0. */
		if (ctx->close_deferred)
			sdrp_sess_close(ctx);
		return hs_wait_ack(ctx, req);
	}
	err = sdrp_tx_simple(ctx, SDRP_MSG_ACK);
	if (err) {
		sdrp_stats_inc(req->net, hs_err_stat(SDRP_HS_ERROR_INTERNAL));
		ctx->err = err;
		sdrp_sess_closed(ctx, SDRP_CLOSE_INTERNAL);
		return err;
	}
	sdrp_sess_established(ctx, SDRP_SESS_C_IDLE);
	sdrp_stats_inc(req->net, SDRP_STAT_HS_DONE);
	sdrp_rx_resume(ctx);
	/* shutdown() as sdrpd answered: established, then closed. */
	if (ctx->close_deferred)
		sdrp_sess_close(ctx);
	return 0;
}

/* The request is complete: act on its result. */
static int hs_apply(struct sdrp_sock *ctx, struct sdrp_hs_req *req)
{
	struct sdrp_hs_net *hn = hs_net(req->net);
	struct sdrp_hs_result *res;
	int err;

	mutex_lock(&hn->lock);
	res = req->res;
	req->res = NULL;
	mutex_unlock(&hn->lock);

	if (!res) {
		sdrp_stats_inc(req->net, req->stat);
		return hs_fail(ctx, req, req->status, req->close_reason, NULL);
	}
	if (res->status) {
		sdrp_stats_inc(req->net, hs_err_stat(res->error));
		err = hs_fail(ctx, req, res->status,
			      res->close_reason ?: SDRP_CLOSE_AUTH, res);
	} else {
		err = hs_established(ctx, req, res);
	}
	kfree_sensitive(res);
	return err;
}

static bool hs_event(const struct sdrp_sock *ctx)
{
	const struct sdrp_hs_req *req = ctx->hs;

	return READ_ONCE(req->phase) == SDRP_HS_COMPLETED ||
	       READ_ONCE(req->hello_due) || ctx->state == SDRP_SESS_CLOSED;
}

/* SEND gave the HELLO: it goes out now, and the HELLO ACK is due. */
static void hs_send_hello(struct sdrp_sock *ctx, struct sdrp_hs_req *req)
{
	struct sdrp_hs_net *hn = hs_net(req->net);
	u8 *hello;
	u32 len;

	mutex_lock(&hn->lock);
	hello = req->hello;
	len = req->hello_len;
	req->hello = NULL;
	req->hello_due = false;
	mutex_unlock(&hn->lock);
	if (hello && sdrp_tx_raw(ctx, hello, len))
		hs_end(req, ENOMEM, SDRP_CLOSE_INTERNAL,
		       hs_err_stat(SDRP_HS_ERROR_INTERNAL));
	kfree(hello);
}

/* Sleep until the request completes, doing what each turn asks for. */
static int hs_wait(struct sdrp_sock *ctx, struct sdrp_hs_req *req)
{
	long timeo;
	int err;

	for (;;) {
		timeo = max_t(long, (long)(req->deadline - jiffies), 0);
		err = sdrp_wait(ctx, &timeo, hs_event);
		if (err == -EAGAIN)
			hs_end(req, ETIMEDOUT, SDRP_CLOSE_TIMEOUT,
			       hs_err_stat(SDRP_HS_ERROR_TIMEOUT));
		else if (err)
			hs_end(req, EINTR, SDRP_CLOSE_LOCAL,
			       SDRP_STAT_HS_CANCELLED);
		else if (ctx->state == SDRP_SESS_CLOSED)
			hs_end(req, -ctx->err ?: EPIPE, SDRP_CLOSE_LOCAL,
			       SDRP_STAT_HS_CANCELLED);
		if (READ_ONCE(req->hello_due))
			hs_send_hello(ctx, req);
		if (READ_ONCE(req->phase) == SDRP_HS_COMPLETED)
			return hs_apply(ctx, req);
	}
}

/*
 * The close reason for a record of the initial handshake, before sdrpd
 * sees it: the first check of protocol.rst's "Order of checks" that
 * fails, the type (clear, and due in this role) coming straight after
 * the header check, then the epoch.  0 if it may go to the daemon.
 */
static u8 hs_rx_check(const struct sdrp_hdr *hdr, u32 len, bool server)
{
	bool due;

	if (sdrp_hdr_check(hdr) != SDRP_HDR_OK || len > SDRP_HELLO_RECORD_MAX)
		return SDRP_CLOSE_MALFORMED;
	if (server)
		due = hdr->type == SDRP_MSG_HELLO;
	else
		due = hdr->type == SDRP_MSG_HELLO_ACK ||
		      hdr->type == SDRP_MSG_CLOSE ||
		      hdr->type == SDRP_MSG_CLOSED_NO_ACK;
	if (!due || !(hdr->flags & SDRP_HDR_F_CLEAR))
		return SDRP_CLOSE_BAD_TYPE;
	if (sdrp_get_be32(hdr->epoch))
		return SDRP_CLOSE_OLD_EPOCH;
	return SDRP_CLOSE_NONE;
}

/*
 * rx.c, under lock_sock: a record arrived while the handshake runs, or
 * while no key exists.  True if taken here.
 *
 * The peer's HELLO (server) or HELLO ACK, or a clear CLOSE or CLOSED
 * WITHOUT ACK in its place (client), goes whole to the daemon in the
 * request's next turn once its header passes sdrp_hdr_check() (version,
 * type, flags, length within the type's limits: at most
 * SDRP_HELLO_RECORD_MAX for a clear record) and it has the type due and
 * epoch 0.  Every MAC of the initial handshake is the daemon's to
 * check.  Any other record fails the handshake with EPROTO and the reason
 * hs_rx_check() gives, as nothing can authenticate an answer yet.
 */
bool sdrp_hs_rx(struct sdrp_sock *ctx, const struct sdrp_hdr *hdr,
		struct sk_buff *skb)
{
	struct sdrp_hs_req *req = ctx->hs;
	struct strp_msg *rxm = strp_msg(skb);
	struct sdrp_hs_net *hn;
	bool server, ok;
	u8 reason, *rec;

	if (ctx->state != SDRP_SESS_HANDSHAKE || !req) {
		if (ctx->epoch || (hdr->flags & SDRP_HDR_F_CLEAR))
			return false;
		/* A client that refused the HELLO ACK holds no key. */
		sdrp_sess_reject(ctx, SDRP_CLOSE_BAD_TYPE);
		return true;
	}

	server = req->role == SDRP_ROLE_SERVER;
	/* Read whole, it used the peer's clear counter 0, refused or not. */
	if ((hdr->flags & SDRP_HDR_F_CLEAR) && !sdrp_get_be32(hdr->epoch))
		req->peer_clear_read = true;
	reason = hs_rx_check(hdr, rxm->full_len, server);
	if (reason) {
		hs_end(req, EPROTO, reason,
		       hs_err_stat(SDRP_HS_ERROR_MALFORMED));
		return true;
	}
	rec = kmalloc(rxm->full_len, GFP_KERNEL);
	if (!rec || skb_copy_bits(skb, rxm->offset, rec, rxm->full_len)) {
		kfree(rec);
		hs_end(req, ENOMEM, SDRP_CLOSE_INTERNAL,
		       hs_err_stat(SDRP_HS_ERROR_INTERNAL));
		return true;
	}

	hn = hs_net(req->net);
	mutex_lock(&hn->lock);
	/* Due only after our HELLO went out (client), once (both). */
	ok = req->phase == SDRP_HS_WAIT_PEER && !req->record &&
	     !req->hello_due;
	if (ok) {
		req->record = rec;
		req->record_len = rxm->full_len;
		rec = NULL;
	}
	mutex_unlock(&hn->lock);
	kfree(rec);
	if (!ok) {
		hs_end(req, EPROTO, SDRP_CLOSE_BAD_TYPE,
		       hs_err_stat(SDRP_HS_ERROR_MALFORMED));
		return true;
	}
	/* Accepted as the turn's record; nothing more until sdrpd answered. */
	ctx->info.records_rx++;
	sdrp_stats_inc(req->net, SDRP_STAT_RECORDS_IN);
	ctx->hs_rx_held = true;
	req_queue(req, server ? SDRP_TURN_SERVER_HELLO :
				SDRP_TURN_CLIENT_FINISH);
	return true;
}

/* rx.c: the server accepted the client's ACK; the handshake is over. */
void sdrp_hs_acked(struct sdrp_sock *ctx)
{
	if (ctx->hs)
		ctx->hs->acked = true;
	/* Clear records are refused from now on (protocol.rst, check 2). */
	clear_free(ctx);
	sdrp_sess_established(ctx, SDRP_SESS_S_WAIT_REQUEST);
	sdrp_stats_inc(sock_net(ctx->sk), SDRP_STAT_HS_DONE);
}

/*
 * session.c: the session ends while SDRP_HANDSHAKE runs: the application
 * closed it (shutdown() from another thread: EPIPE, reason LOCAL), or the
 * peer's records can no longer be framed (EPROTO, reason MALFORMED).  The
 * request ends with @status and @reason, and its thread closes
 * (hs_fail()): a client whose HELLO went out sends a clear CLOSE,
 * anything else holds no key and sends nothing.
 */
void sdrp_hs_cancel(struct sdrp_sock *ctx, u32 status, u8 reason)
{
	bool local = reason == SDRP_CLOSE_LOCAL;
	struct sdrp_hs_req *req = ctx->hs;
	struct sdrp_hs_net *hn;
	bool ended;

	if (!req) {
		sdrp_sess_closed(ctx, reason);
		return;
	}
	hn = hs_net(req->net);
	mutex_lock(&hn->lock);
	ended = req_complete(hn, req, NULL, status, reason,
			     local ? SDRP_STAT_HS_CANCELLED :
				     hs_err_stat(SDRP_HS_ERROR_MALFORMED));
	mutex_unlock(&hn->lock);
	if (ended)
		return;
	/* sdrpd's answer came first: a close follows it (hs_established()). */
	if (local)
		ctx->close_deferred = true;
	else
		sdrp_sess_closed(ctx, reason);
}

/* close(): wipe the hello MAC keys. */
void sdrp_hs_stop(struct sdrp_sock *ctx)
{
	clear_free(ctx);
}

static int args_check(const struct sdrp_handshake *a)
{
	if ((a->role != SDRP_ROLE_CLIENT && a->role != SDRP_ROLE_SERVER) ||
	    memchr_inv(a->reserved, 0, sizeof(a->reserved)) ||
	    a->timeout_ms > SDRP_HS_TIMEOUT_MAX ||
	    strnlen(a->peer, sizeof(a->peer)) == sizeof(a->peer) ||
	    (a->peer[0] && !identity_valid(a->peer)))
		return -EINVAL;
	return 0;
}

static struct sdrp_hs_req *req_new(struct sdrp_sock *ctx,
				   const struct sdrp_handshake *a)
{
	u32 timeout = a->timeout_ms ?: ctx->params.recv_timeout_ms;
	struct sdrp_hs_req *req;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return NULL;
	refcount_set(&req->ref, 1);
	INIT_LIST_HEAD(&req->queue);
	req->ctx = ctx;
	req->net = sock_net(ctx->sk);
	req->role = a->role;
	req->phase = SDRP_HS_WAIT_PEER;
	req->turn = a->role == SDRP_ROLE_CLIENT ? SDRP_TURN_CLIENT_HELLO :
						  SDRP_TURN_SERVER_HELLO;
	req->deadline = jiffies + msecs_to_jiffies(timeout);
	req->rekey_interval = ctx->params.rekey_interval;
	req->ttl_ms = ctx->params.ttl_ms;
	req->clock_skew_ms = ctx->params.clock_skew_ms;
	strscpy(req->peer, a->peer, sizeof(req->peer));
	sdrp_hs_addr_get(ctx->sk, &req->local, &req->remote);
	return req;
}

/* A handle, cyclic from 1, so that one is not reused soon after its end. */
static int req_register(struct sdrp_hs_req *req)
{
	struct sdrp_hs_net *hn = hs_net(req->net);
	int id;

	mutex_lock(&hn->lock);
	if (hn->pending >= SDRP_HS_PENDING_MAX) {
		mutex_unlock(&hn->lock);
		return -EAGAIN;
	}
	id = idr_alloc_cyclic(&hn->reqs, req, 1, INT_MAX, GFP_KERNEL);
	if (id > 0) {
		req->handle = id;
		hn->pending++;
	}
	mutex_unlock(&hn->lock);
	return id < 0 ? id : 0;
}

static int hs_run(struct sdrp_sock *ctx, const struct sdrp_handshake *a)
{
	struct net *net = sock_net(ctx->sk);
	struct sdrp_hs_req *req;
	int err;

	if (!sdrp_nl_has_listeners(net, READ_ONCE(hs_net(net)->queued))) {
		sdrp_stats_inc(net, SDRP_STAT_HS_NO_DAEMON);
		return -ESRCH;
	}
	req = req_new(ctx, a);
	if (!req)
		return -ENOMEM;
	err = req_register(req);
	if (err)
		goto out;
	err = sdrp_sess_begin(ctx);
	if (err) {
		hs_end(req, -err, SDRP_CLOSE_INTERNAL, SDRP_STAT_HS_CANCELLED);
		goto out;
	}
	sdrp_stats_inc(net, SDRP_STAT_HS_STARTED);
	ctx->role = a->role;
	ctx->info.role = a->role;
	ctx->hs = req;
	WRITE_ONCE(ctx->hs_handle, req->handle);
	ctx->state = SDRP_SESS_HANDSHAKE;
	/* A server waits for the HELLO; a client asks for its own. */
	if (a->role == SDRP_ROLE_CLIENT)
		req_queue(req, SDRP_TURN_CLIENT_HELLO);
	err = hs_wait(ctx, req);
	ctx->hs = NULL;
	WRITE_ONCE(ctx->hs_handle, 0);
out:
	sdrp_hs_req_put(req);
	return err;
}

/**
 * sdrp_hs_setsockopt - SDRP_HANDSHAKE
 * @sk: the socket, sdrp attached
 * @optval: struct sdrp_handshake
 * @optlen: its size
 *
 * Blocks until the session is established (client: its ACK is sent;
 * server: the client's ACK arrived) or failed, at most the timeout.
 *
 * Return: 0; -ESRCH (no sdrpd listens in the namespace), -EAGAIN (too many
 * requests pending), -EISCONN (keys already set), -EALREADY (a handshake
 * runs), -EINVAL, -ETIMEDOUT, -EINTR (a signal: the request is cancelled
 * and the session closed), -ECONNABORTED (sdrpd lost the request), or the
 * status sdrpd gave (Documentation/netlink/handshake.rst).
 */
int sdrp_hs_setsockopt(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct sdrp_sock *ctx = sdrp_sk(sk);
	struct sdrp_handshake a;
	int err;

	if (optlen != sizeof(a))
		return -EINVAL;
	if (copy_from_sockptr(&a, optval, sizeof(a)))
		return -EFAULT;
	err = args_check(&a);
	if (err)
		return err;

	lock_sock(sk);
	if (ctx->hs)
		err = -EALREADY;
	else if (ctx->started)
		err = -EISCONN;
	else
		err = hs_run(ctx, &a);
	release_sock(sk);
	return err;
}

static int __net_init hs_net_init(struct net *net)
{
	struct sdrp_hs_net *hn = hs_net(net);

	mutex_init(&hn->lock);
	idr_init(&hn->reqs);
	INIT_LIST_HEAD(&hn->queue);
	return 0;
}

/*
 * Every socket of the namespace is gone by now (each holds it), so no
 * request should remain; any that does is failed, never leaked.
 */
static void __net_exit hs_net_exit(struct net *net)
{
	struct sdrp_hs_net *hn = hs_net(net);
	struct sdrp_hs_req *req;
	int id;

	mutex_lock(&hn->lock);
	idr_for_each_entry(&hn->reqs, req, id)
		req_complete(hn, req, NULL, ECONNABORTED, SDRP_CLOSE_INTERNAL,
			     hs_err_stat(SDRP_HS_ERROR_LOST_STATE));
	mutex_unlock(&hn->lock);
	idr_destroy(&hn->reqs);
}

static struct pernet_operations sdrp_hs_net_ops = {
	.init	= hs_net_init,
	.exit	= hs_net_exit,
	.id	= &sdrp_hs_net_id,
	.size	= sizeof(struct sdrp_hs_net),
};

int sdrp_hs_init(void)
{
	int err;

	err = register_pernet_subsys(&sdrp_hs_net_ops);
	if (err)
		return err;
	err = netlink_register_notifier(&sdrp_hs_notifier);
	if (err)
		unregister_pernet_subsys(&sdrp_hs_net_ops);
	return err;
}

void sdrp_hs_exit(void)
{
	netlink_unregister_notifier(&sdrp_hs_notifier);
	unregister_pernet_subsys(&sdrp_hs_net_ops);
}
