// SPDX-License-Identifier: GPL-2.0
/*
 * The TCP upper-layer protocol "sdrp": attach rules and the proto overrides.
 *
 * Attaching follows kTLS: only on an ESTABLISHED socket (listening ones are
 * refused by the TCP core, which then finds no ->clone), once per socket
 * (the core returns -EEXIST while icsk_ulp_ops is set), and each attached
 * socket pins the module through tcp_ulp_ops.owner until it is destroyed.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <net/tcp.h>

#include "compat.h"
#include "sdrp.h"

enum {
	SDRP_IPV4,
	SDRP_IPV6,
	SDRP_NUM_FAMILIES,
};

/*
 * One overriding proto per address family, copied from TCP's the first time
 * a socket of that family attaches (tcpv6_prot is not exported, so it can
 * only be learnt from a socket).  Once built a slot never changes: attached
 * sockets point into it.
 */
struct sdrp_proto_slot {
	const struct proto *base;	/* TCP's proto it was copied from */
	struct proto prot;
};

static struct sdrp_proto_slot sdrp_protos[SDRP_NUM_FAMILIES];
static DEFINE_MUTEX(sdrp_protos_lock);

static void sdrp_close(struct sock *sk, long timeout)
{
	struct sdrp_sock *ctx = sdrp_sk(sk);

	/*
	 * Hand the socket back to TCP before it closes, as kTLS does: from
	 * here on nothing may come back into sdrp's proto.  The context
	 * lives on until the ULP release hook at destroy time.
	 */
	lock_sock(sk);
	WRITE_ONCE(sk->sk_prot, ctx->sk_proto);
	release_sock(sk);

	ctx->sk_proto->close(sk, timeout);
}

/* Reconnecting would reuse a session's keys and counters on a new stream. */
static int sdrp_disconnect(struct sock *sk, int flags)
{
	return -EOPNOTSUPP;
}

static void sdrp_proto_build(struct proto *prot, const struct proto *base)
{
	*prot = *base;
	prot->close = sdrp_close;
	prot->disconnect = sdrp_disconnect;
}

/* The overriding proto for @sk, or NULL if sdrp cannot stack on it. */
static struct proto *sdrp_proto_get(struct sock *sk)
{
	int family = sk->sk_family == AF_INET6 ? SDRP_IPV6 : SDRP_IPV4;
	struct sdrp_proto_slot *slot = &sdrp_protos[family];
	const struct proto *base = READ_ONCE(sk->sk_prot);
	struct proto *prot = NULL;

	/* Only plain TCP: a sockmap or another override owns ->close. */
	if (base->close != tcp_close)
		return NULL;

	/* Pairs with the release below: a visible base means a built prot. */
	if (likely(smp_load_acquire(&slot->base) == base))
		return &slot->prot;

	mutex_lock(&sdrp_protos_lock);
	if (!slot->base) {
		sdrp_proto_build(&slot->prot, base);
		/* Publish base only once prot is complete for lockless readers. */
		smp_store_release(&slot->base, base);
	}
	if (slot->base == base)
		prot = &slot->prot;
	mutex_unlock(&sdrp_protos_lock);
	return prot;
}

static int sdrp_ulp_attach(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct sdrp_sock *ctx;
	struct proto *prot;

	/* A session needs a connected byte stream; kTLS answers the same. */
	if (sk->sk_state != TCP_ESTABLISHED)
		return -ENOTCONN;

	prot = sdrp_proto_get(sk);
	if (!prot)
		return -EOPNOTSUPP;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;

	ctx->sk_proto = READ_ONCE(sk->sk_prot);
	rcu_assign_pointer(icsk->icsk_ulp_data, ctx);
	WRITE_ONCE(sk->sk_prot, prot);

	sdrp_stats_inc(sock_net(sk), SDRP_STAT_CURR_SESSIONS);
	return 0;
}

/* Called by the TCP core when the socket is destroyed, before module_put. */
static void sdrp_ulp_release(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct sdrp_sock *ctx = sdrp_sk(sk);

	RCU_INIT_POINTER(icsk->icsk_ulp_data, NULL);
	kfree(ctx);
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
