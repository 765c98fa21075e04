// SPDX-License-Identifier: GPL-2.0
/*
 * The TCP upper-layer protocol "sdrp": attach rules, the proto overrides
 * and the socket options.
 *
 * Attaching follows kTLS: only on an ESTABLISHED socket (listening ones are
 * refused by the TCP core, which then finds no ->clone), once per socket
 * (the core returns -EEXIST while icsk_ulp_ops is set), and each attached
 * socket pins the module through tcp_ulp_ops.owner until it is destroyed.
 * Attaching changes nothing on the wire: the session starts with SDRP_KEYS.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sockptr.h>
#include <net/tcp.h>

#include "compat.h"
#include "sdrp.h"

enum {
	SDRP_IPV4,
	SDRP_IPV6,
	SDRP_NUM_FAMILIES,
};

/*
 * One overriding proto and proto_ops per address family, copied from
 * TCP's the first time a socket of that family attaches (tcpv6_prot is not
 * exported, so it can only be learnt from a socket).  Once built a slot
 * never changes: attached sockets point into it.
 */
struct sdrp_proto_slot {
	const struct proto *base;	/* TCP's proto it was copied from */
	struct proto prot;
	struct proto_ops ops;	/* TCP's const ops, copied to override */
};

static struct sdrp_proto_slot sdrp_protos[SDRP_NUM_FAMILIES];
static DEFINE_MUTEX(sdrp_protos_lock);

/* Throw away bytes nobody will read, so that TCP closes with FIN, not RST. */
static int discard_actor(read_descriptor_t *desc, struct sk_buff *skb,
			 unsigned int offset, size_t len)
{
	return len;
}

static bool close_done(const struct sdrp_sock *ctx)
{
	return ctx->state == SDRP_SESS_CLOSED;
}

/*
 * Stop everything sdrp runs on the socket and hand it back to TCP, as kTLS
 * does before TCP closes: from here on nothing may come back into sdrp's
 * proto.  The context lives on until the ULP release hook at destroy time.
 * Called without lock_sock, from close() or from the orphan's work item.
 */
static void sdrp_teardown(struct sdrp_sock *ctx)
{
	read_descriptor_t desc = { .count = 1 };
	struct sock *sk = ctx->sk;

	lock_sock(sk);
	sdrp_tx_push(ctx);
	ctx->stopping = true;
	sdrp_rx_stop(ctx);
	release_sock(sk);

	strp_stop(&ctx->strp);
	cancel_work_sync(&ctx->rx_work);
	cancel_work_sync(&ctx->tx_work);
	cancel_work_sync(&ctx->kp_work);
	sdrp_timers_stop(ctx);
	strp_done(&ctx->strp);

	lock_sock(sk);
	tcp_read_sock(sk, &desc, discard_actor);
	sdrp_sess_stop(ctx);
	WRITE_ONCE(sk->sk_prot, ctx->sk_proto);
	release_sock(sk);
}

/*
 * close() returns before the CLOSE exchange ends, as TCP's does before its
 * FIN handshake ends: the session becomes an orphan, and its timers and
 * received records finish the exchange (CLOSE ACK, the CLOSE repeats and
 * CLOSED WITHOUT ACK: at most close_timeout_ms x max_retries, after a
 * receive timeout if a server's close waits for its rekey).  Only then
 * does TCP close, so that a late CLOSE ACK still finds the session
 * instead of a closed socket that answers with a reset.
 *
 * The file and its struct socket go away when close() returns, but TCP's
 * send path, the strparser (->read_sock) and the wake-ups reach the sock's
 * socket through sk_socket and sk_wq.  So the sock moves to a socket of
 * its own, without a file, as sock_graft() would move it (the uid and
 * inode number that /proc/net/tcp shows stay); TCP's close orphans it
 * from there.  The module stays pinned meanwhile: the attached ULP holds
 * it until the sock is destroyed, which cannot happen before TCP's close.
 * The caller took the namespace's orphan slot (sdrp_orphans_charge).
 */
static bool sdrp_orphan(struct sdrp_sock *ctx)
{
	struct sock *sk = ctx->sk;
	struct socket *old = sk->sk_socket;
	struct socket_alloc *sa;

	sa = kzalloc(sizeof(*sa), GFP_KERNEL);
	if (!sa)
		return false;
	sa->socket.state = old->state;
	sa->socket.type = old->type;
	sa->socket.flags = old->flags;
	sa->socket.ops = old->ops;
	sa->socket.sk = sk;
	init_waitqueue_head(&sa->socket.wq.wait);
	sa->vfs_inode.i_ino = SOCK_INODE(old)->i_ino;
	sa->vfs_inode.i_uid = SOCK_INODE(old)->i_uid;

	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_pointer(sk->sk_wq, &sa->socket.wq);
	sk_set_socket(sk, &sa->socket);
	write_unlock_bh(&sk->sk_callback_lock);
	ctx->orphan_sock = sa;
	ctx->orphan = true;
	return true;
}

/* Queued by sdrp_sess_closed() once an orphan's session is CLOSED. */
void sdrp_orphan_work(struct work_struct *work)
{
	struct sdrp_sock *ctx = container_of(work, struct sdrp_sock,
					     orphan_work);
	struct socket_alloc *sa = ctx->orphan_sock;
	struct proto *tcp = ctx->sk_proto;
	struct sock *sk = ctx->sk;

	sdrp_teardown(ctx);
	sdrp_orphans_uncharge(sock_net(sk));
	/* Orphans the sock; may destroy it and free ctx: neither after. */
	tcp->close(sk, 0);
	/* Wake-ups may still look at its wait queue under RCU. */
	kfree_rcu(sa, socket.wq.rcu);
}

/*
 * Would close() leave an exchange to finish?  Not without a session, nor
 * during the initial handshake, which has no key to send a CLOSE with (a
 * close there ends the session at once), nor once it is CLOSED.
 */
static bool close_has_exchange(const struct sdrp_sock *ctx)
{
	return ctx->state != SDRP_SESS_NONE &&
	       ctx->state != SDRP_SESS_HANDSHAKE &&
	       ctx->state != SDRP_SESS_CLOSED;
}

/*
 * The abortive close of SO_LINGER 0, also used when the namespace holds
 * net.sdrp.max_orphans orphans already: CLOSED WITHOUT ACK at once
 * (reason LOCAL here), which the paper allows a sender that will not wait
 * for the CLOSE ACK; the peer sees PEER_NO_ACK, or the reset of a
 * lingering close if it overtakes the record: ECONNRESET either way.
 */
static void sdrp_close_abort(struct sdrp_sock *ctx)
{
	sdrp_sess_end_now(ctx, SDRP_MSG_CLOSED_NO_ACK, SDRP_CLOSE_LOCAL);
}

static void sdrp_close(struct sock *sk, long timeout)
{
	struct sdrp_sock *ctx = sdrp_sk(sk);
	struct proto *tcp = ctx->sk_proto;
	struct net *net = sock_net(sk);
	bool abort, charged = false;

	lock_sock(sk);
	if (!ctx->started) {
		WRITE_ONCE(sk->sk_prot, tcp);
		release_sock(sk);
		tcp->close(sk, timeout);
		return;
	}
	abort = sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime;
	if (!abort && close_has_exchange(ctx)) {
		/* Taken before the CLOSE goes out: the abort replaces it. */
		charged = sdrp_orphans_charge(net);
		if (!charged) {
			sdrp_stats_inc(net, SDRP_STAT_ORPHANS_REFUSED);
			abort = true;
		}
	}
	if (abort) {
		sdrp_close_abort(ctx);
	} else {
		sdrp_sess_close(ctx);
		/* SO_LINGER: wait that long for the CLOSE exchange to end. */
		if (timeout)
			sdrp_wait(ctx, &timeout, close_done);
	}
	if (ctx->state != SDRP_SESS_CLOSED) {
		if (charged && sdrp_orphan(ctx)) {
			release_sock(sk);
			return;
		}
		/* No memory for the orphan's socket: abort after the CLOSE. */
		sdrp_close_abort(ctx);
	}
	release_sock(sk);
	if (charged)
		sdrp_orphans_uncharge(net);

	sdrp_teardown(ctx);
	tcp->close(sk, timeout);
}

/*
 * shutdown(), whatever @how, starts the CLOSE exchange and leaves TCP
 * alone: sdrp has no half-closed session (a request and its response are
 * one exchange), and the socket stays open for poll() and SDRP_INFO until
 * close().  The core already set the requested bits in sk_shutdown;
 * SEND_SHUTDOWN would stop our own CLOSE / CLOSE ACK records at TCP, so
 * it is cleared again.
 */
static void sdrp_shutdown(struct sock *sk, int how)
{
	struct sdrp_sock *ctx = sdrp_sk(sk);

	if (!ctx->started) {
		ctx->sk_proto->shutdown(sk, how);
		return;
	}
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown & ~SEND_SHUTDOWN);
	sdrp_sess_close(ctx);
}

/* Reconnecting would reuse a session's keys and counters on a new stream. */
static int sdrp_disconnect(struct sock *sk, int flags)
{
	return -EOPNOTSUPP;
}

static int set_keys(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct sdrp_keys *keys;
	int err;

	if (optlen != sizeof(*keys))
		return -EINVAL;
	keys = kmalloc(sizeof(*keys), GFP_KERNEL);
	if (!keys)
		return -ENOMEM;
	if (copy_from_sockptr(keys, optval, sizeof(*keys))) {
		err = -EFAULT;
		goto out;
	}
	lock_sock(sk);
	err = sdrp_sess_start(sdrp_sk(sk), keys);
	release_sock(sk);
out:
	kfree_sensitive(keys);
	return err;
}

/* A zero field in an SDRP_PARAMS request keeps the current value. */
static void merge(u32 *cur, u32 req)
{
	if (req)
		*cur = req;
}

static int set_params(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct sdrp_sock *ctx = sdrp_sk(sk);
	struct sdrp_params req, p;
	int err;

	if (optlen != sizeof(req))
		return -EINVAL;
	if (copy_from_sockptr(&req, optval, sizeof(req)))
		return -EFAULT;
	if (req.reserved)
		return -EINVAL;

	lock_sock(sk);
	p = ctx->params;
	merge(&p.rekey_interval, req.rekey_interval);
	merge(&p.ttl_ms, req.ttl_ms);
	merge(&p.clock_skew_ms, req.clock_skew_ms);
	merge(&p.recv_timeout_ms, req.recv_timeout_ms);
	merge(&p.close_timeout_ms, req.close_timeout_ms);
	merge(&p.max_retries, req.max_retries);
	merge(&p.policy, req.policy);
	err = sdrp_params_check(&p);
	if (!err)
		ctx->params = p;
	release_sock(sk);
	return err;
}

static int sdrp_setsockopt(struct sock *sk, int level, int optname,
			   sockptr_t optval, unsigned int optlen)
{
	struct sdrp_sock *ctx = sdrp_sk(sk);

	if (level != SOL_SDRP)
		return ctx->sk_proto->setsockopt(sk, level, optname, optval,
						 optlen);
	switch (optname) {
	case SDRP_KEYS:
		return set_keys(sk, optval, optlen);
	case SDRP_PARAMS:
		return set_params(sk, optval, optlen);
	case SDRP_HANDSHAKE:
		return sdrp_hs_setsockopt(sk, optval, optlen);
	default:
		return -ENOPROTOOPT;
	}
}

void sdrp_get_info(const struct sdrp_sock *ctx, struct sdrp_info *info)
{
	*info = ctx->info;
	info->state = sdrp_sess_uapi_state(ctx);
	info->role = ctx->role;
	info->close_reason = ctx->close_reason;
	info->close_errno = ctx->err && !ctx->peer_eof ? -ctx->err : 0;
	info->reserved = 0;
}

static int sdrp_getsockopt(struct sock *sk, int level, int optname,
			   char __user *optval, int __user *optlen)
{
	struct sdrp_sock *ctx = sdrp_sk(sk);
	union {
		struct sdrp_params params;
		struct sdrp_info info;
		char identity[SDRP_IDENTITY_MAX + 1];
	} u;
	int len, size;

	if (level != SOL_SDRP) {
		/* Zero-copy receive would read around the record layer. */
		if (level == SOL_TCP && optname == TCP_ZEROCOPY_RECEIVE)
			return -EOPNOTSUPP;
		return ctx->sk_proto->getsockopt(sk, level, optname, optval,
						 optlen);
	}
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	lock_sock(sk);
	switch (optname) {
	case SDRP_PARAMS:
		u.params = ctx->params;
		size = sizeof(u.params);
		break;
	case SDRP_INFO:
		sdrp_get_info(ctx, &u.info);
		size = sizeof(u.info);
		break;
	case SDRP_PEER_IDENTITY:
		/* Verified by sdrpd; none before the handshake ends. */
		size = strscpy(u.identity, ctx->peer_identity,
			       sizeof(u.identity));
		size = size > 0 ? size + 1 : -ENOTCONN;
		break;
	default:
		size = -ENOPROTOOPT;
		break;
	}
	release_sock(sk);
	if (size < 0)
		return size;

	len = min(len, size);
	if (copy_to_user(optval, &u, len) || put_user(len, optlen))
		return -EFAULT;
	return 0;
}

#ifdef SDRP_HAVE_PROTO_SENDPAGE
/* sendfile() would write one message per page: not a request. */
static int sdrp_sendpage(struct sock *sk, struct page *page, int offset,
			 size_t size, int flags)
{
	return -EOPNOTSUPP;
}
#endif

static void sdrp_proto_build(struct sdrp_proto_slot *slot,
			     const struct proto *base,
			     const struct proto_ops *base_ops)
{
	struct proto *prot = &slot->prot;

	*prot = *base;
	prot->close		= sdrp_close;
	prot->disconnect	= sdrp_disconnect;
	prot->shutdown		= sdrp_shutdown;
	prot->setsockopt	= sdrp_setsockopt;
	prot->getsockopt	= sdrp_getsockopt;
	prot->sendmsg		= sdrp_sendmsg;
	prot->recvmsg		= sdrp_recvmsg;
	prot->release_cb	= sdrp_release_cb;
	prot->sock_is_readable	= sdrp_sock_is_readable;
#ifdef SDRP_HAVE_PROTO_SENDPAGE
	prot->sendpage		= sdrp_sendpage;
#endif

	slot->ops = *base_ops;
	slot->ops.poll		= sdrp_poll;
	/* Without splice_read the core splices through recvmsg. */
	slot->ops.splice_read	= NULL;
	/* No zero-copy receive around the record layer. */
	slot->ops.mmap		= sock_no_mmap;
#ifdef SDRP_HAVE_PROTO_SENDPAGE
	slot->ops.sendpage	= sock_no_sendpage;
#endif
}

/* The overriding proto slot for @sk, or NULL if sdrp cannot stack on it. */
static struct sdrp_proto_slot *sdrp_proto_get(struct sock *sk)
{
	int family = sk->sk_family == AF_INET6 ? SDRP_IPV6 : SDRP_IPV4;
	struct sdrp_proto_slot *slot = &sdrp_protos[family];
	const struct proto *base = READ_ONCE(sk->sk_prot);
	struct sdrp_proto_slot *ret = NULL;

	/* Only plain TCP: a sockmap or another override owns ->close. */
	if (base->close != tcp_close || !sk->sk_socket)
		return NULL;

	/* Pairs with the release below: a visible base means a built slot. */
	if (likely(smp_load_acquire(&slot->base) == base))
		return slot;

	mutex_lock(&sdrp_protos_lock);
	if (!slot->base) {
		sdrp_proto_build(slot, base, sk->sk_socket->ops);
		/* Publish base only once the slot is complete. */
		smp_store_release(&slot->base, base);
	}
	if (slot->base == base)
		ret = slot;
	mutex_unlock(&sdrp_protos_lock);
	return ret;
}

static int sdrp_ulp_attach(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct sdrp_proto_slot *slot;
	struct sdrp_sock *ctx;

	/* A session needs a connected byte stream; kTLS answers the same. */
	if (sk->sk_state != TCP_ESTABLISHED)
		return -ENOTCONN;

	slot = sdrp_proto_get(sk);
	if (!slot)
		return -EOPNOTSUPP;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;

	ctx->sk = sk;
	ctx->sk_proto = READ_ONCE(sk->sk_prot);
	INIT_LIST_HEAD(&ctx->tx_list);
	INIT_WORK(&ctx->rx_work, sdrp_rx_work);
	INIT_WORK(&ctx->tx_work, sdrp_tx_work);
	INIT_WORK(&ctx->kp_work, sdrp_kp_work);
	INIT_WORK(&ctx->orphan_work, sdrp_orphan_work);
	sdrp_timers_init(ctx);
	sdrp_params_default(sock_net(sk), &ctx->params);

	rcu_assign_pointer(icsk->icsk_ulp_data, ctx);
	WRITE_ONCE(sk->sk_prot, &slot->prot);
	WRITE_ONCE(sk->sk_socket->ops, &slot->ops);

	sdrp_stats_inc(sock_net(sk), SDRP_STAT_CURR_SESSIONS);
	ctx->ino = sock_i_ino(sk);
	sdrp_nl_sock_add(ctx);
	return 0;
}

/* Called by the TCP core when the socket is destroyed, before module_put. */
static void sdrp_ulp_release(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct sdrp_sock *ctx = sdrp_sk(sk);

	sdrp_nl_sock_del(ctx);
	RCU_INIT_POINTER(icsk->icsk_ulp_data, NULL);
	/* Diagnostics may still read the context under RCU. */
	kfree_rcu(ctx, rcu);
	sdrp_stats_dec(sock_net(sk), SDRP_STAT_CURR_SESSIONS);
}

static struct tcp_ulp_ops sdrp_ulp_ops __read_mostly = {
	.name		= "sdrp",
	.owner		= THIS_MODULE,
	.init		= sdrp_ulp_attach,
	.release	= sdrp_ulp_release,
};

int sdrp_ulp_init(void)
{
	return tcp_register_ulp(&sdrp_ulp_ops);
}

void sdrp_ulp_exit(void)
{
	tcp_unregister_ulp(&sdrp_ulp_ops);
}

/* setsockopt(TCP_ULP, "sdrp") loads the module on demand. */
MODULE_ALIAS_TCP_ULP("sdrp");
