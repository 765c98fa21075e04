// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "sdrp" (Documentation/netlink/specs/sdrp.yaml):
 * the handshake upcall to sdrpd (READY, ACCEPT, SEND, DONE) and the list of
 * live sessions (SESSIONS).
 *
 * The policies below are those the YNL spec gives.  The family uses struct
 * genl_ops with a policy per operation, which both 6.1 and 6.12 accept, so
 * no version difference remains (split ops, which 6.12's ynl-gen-c emits,
 * do not exist in 6.1).
 *
 * Every handler works in the caller's namespace (netnsok): requests and
 * sessions are listed per namespace.  The handlers run in parallel
 * (parallel_ops); handshake.c serialises what they share.
 */
#include <linux/in6.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/spinlock.h>
#include <net/genetlink.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "compat.h"
#include "handshake.h"
#include "sdrp.h"

static const struct nla_policy sdrp_send_nl_policy[SDRP_A_SEND_MAX + 1] = {
	[SDRP_A_SEND_HANDLE]	= NLA_POLICY_MIN(NLA_U32, 1),
	[SDRP_A_SEND_RECORD]	= { .type = NLA_BINARY, },
	[SDRP_A_SEND_HELLO_MAC_C2S] = NLA_POLICY_EXACT_LEN(SDRP_HELLO_MAC_LEN),
	[SDRP_A_SEND_HELLO_MAC_S2C] = NLA_POLICY_EXACT_LEN(SDRP_HELLO_MAC_LEN),
};

static const struct nla_policy sdrp_done_nl_policy[SDRP_A_DONE_MAX + 1] = {
	[SDRP_A_DONE_HANDLE]	= NLA_POLICY_MIN(NLA_U32, 1),
	[SDRP_A_DONE_STATUS]	= NLA_POLICY_MAX(NLA_U32, MAX_ERRNO),
	[SDRP_A_DONE_CLOSE_REASON] = NLA_POLICY_MAX(NLA_U32,
						    SDRP_CLOSE_REASON_MAX),
	[SDRP_A_DONE_KEYS]	= NLA_POLICY_EXACT_LEN(SDRP_KEYS_LEN),
	[SDRP_A_DONE_HELLO_MAC_C2S] = NLA_POLICY_EXACT_LEN(SDRP_HELLO_MAC_LEN),
	[SDRP_A_DONE_HELLO_MAC_S2C] = NLA_POLICY_EXACT_LEN(SDRP_HELLO_MAC_LEN),
	[SDRP_A_DONE_PEER_IDENTITY] = { .type = NLA_NUL_STRING,
					.len = SDRP_IDENTITY_MAX, },
	[SDRP_A_DONE_REKEY_INTERVAL] = NLA_POLICY_MIN(NLA_U32, 1),
	[SDRP_A_DONE_RECORD]	= { .type = NLA_BINARY, },
	[SDRP_A_DONE_ERROR]	= NLA_POLICY_MAX(NLA_U32, SDRP_HS_ERROR_INTERNAL),
};

static_assert(sizeof(struct sdrp_keys) == SDRP_KEYS_LEN);
static_assert(SDRP_MAC_KEY_LEN == SDRP_HELLO_MAC_LEN);
static_assert(SDRP_HDR_LEN + SDRP_SEQ_LEN + SDRP_TTL_LEN +
	      SDRP_MAX_HELLO_DATA + SDRP_MAC_LEN == SDRP_HELLO_RECORD_MAX);

static const struct genl_multicast_group sdrp_nl_mcgrps[] = {
	{ .name = SDRP_MCGRP_SDRPD, .flags = SDRP_GENL_MCAST_FLAGS, },
};

static struct genl_family sdrp_nl_family;

/* ---- the sockets of a namespace, for SESSIONS -------------------------- */

struct sdrp_nl_net {
	/* A socket leaves the list on destroy, possibly in softirq. */
	spinlock_t lock;
	struct list_head socks;
};

static unsigned int sdrp_nl_net_id __read_mostly;

static struct sdrp_nl_net *nl_net(struct net *net)
{
	return net_generic(net, sdrp_nl_net_id);
}

void sdrp_nl_sock_add(struct sdrp_sock *ctx)
{
	struct sdrp_nl_net *nn = nl_net(sock_net(ctx->sk));

	spin_lock_bh(&nn->lock);
	list_add_tail(&ctx->node, &nn->socks);
	spin_unlock_bh(&nn->lock);
}

void sdrp_nl_sock_del(struct sdrp_sock *ctx)
{
	struct sdrp_nl_net *nn = nl_net(sock_net(ctx->sk));

	spin_lock_bh(&nn->lock);
	list_del(&ctx->node);
	spin_unlock_bh(&nn->lock);
}

/* Both ends of @sk's connection; a snapshot, taken without the lock. */
void sdrp_hs_addr_get(const struct sock *sk, struct sdrp_hs_addr *local,
		      struct sdrp_hs_addr *remote)
{
	const struct inet_sock *inet = inet_sk(sk);

	memset(local, 0, sizeof(*local));
	memset(remote, 0, sizeof(*remote));
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		local->ipv6 = true;
		remote->ipv6 = true;
		local->v6 = sk->sk_v6_rcv_saddr;
		remote->v6 = sk->sk_v6_daddr;
		if (ipv6_addr_type(&remote->v6) & IPV6_ADDR_LINKLOCAL) {
			local->scope_id = sk->sk_bound_dev_if;
			remote->scope_id = sk->sk_bound_dev_if;
		}
	}
#endif
	if (!local->ipv6) {
		local->v4 = inet->inet_rcv_saddr;
		remote->v4 = inet->inet_daddr;
	}
	local->port = inet->inet_sport;
	remote->port = inet->inet_dport;
}

static int put_addr(struct sk_buff *msg, int type,
		    const struct sdrp_hs_addr *a)
{
	struct nlattr *nest = nla_nest_start(msg, type);

	if (!nest)
		return -EMSGSIZE;
	if ((a->ipv6 ? nla_put_in6_addr(msg, SDRP_A_SOCKADDR_IPV6, &a->v6) :
		       nla_put_in_addr(msg, SDRP_A_SOCKADDR_IPV4, a->v4)) ||
	    nla_put_be16(msg, SDRP_A_SOCKADDR_PORT, a->port) ||
	    (a->scope_id &&
	     nla_put_u32(msg, SDRP_A_SOCKADDR_SCOPE_ID, a->scope_id))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* ---- READY --------------------------------------------------------------- */

/*
 * A request entered a turn; lost notifications cost nothing (a pull).
 * Return: the multicast's result, -ESRCH if no socket of @net took it.
 */
int sdrp_nl_ready(struct net *net, u32 pending)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &sdrp_nl_family, 0, SDRP_CMD_READY);
	if (!hdr || nla_put_u32(msg, SDRP_A_READY_PENDING, pending)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_multicast_netns(&sdrp_nl_family, net, msg, 0, 0,
				       GFP_KERNEL);
}

/*
 * Does an sdrpd listen in @net?  genl_has_listeners() alone cannot tell:
 * a netlink protocol's listener bitmap is shared by every namespace, so
 * it answers yes as soon as a daemon runs in any.  A READY (@pending: the
 * requests queued now) is delivered only within @net and fails with
 * ESRCH if no socket there took it; a READY is only a hint to drain, so
 * one more costs the daemon an ACCEPT that finds nothing at worst.  A
 * daemon whose queue is full has not taken it either: it sets
 * NETLINK_BROADCAST_ERROR, which turns that case into ENOBUFS.
 */
bool sdrp_nl_has_listeners(struct net *net, u32 pending)
{
	return genl_has_listeners(&sdrp_nl_family, net, 0) &&
	       sdrp_nl_ready(net, pending) != -ESRCH;
}

/* ---- ACCEPT, SEND, DONE ---------------------------------------------------- */

static int put_accept(struct sk_buff *msg, const struct sdrp_hs_req *req)
{
	long left = max_t(long, (long)(req->deadline - jiffies), 0);

	if (nla_put_u32(msg, SDRP_A_ACCEPT_HANDLE, req->handle) ||
	    nla_put_u32(msg, SDRP_A_ACCEPT_TURN, req->turn) ||
	    nla_put_u32(msg, SDRP_A_ACCEPT_ROLE, req->role) ||
	    (req->peer[0] &&
	     nla_put_string(msg, SDRP_A_ACCEPT_PEER_IDENTITY, req->peer)) ||
	    put_addr(msg, SDRP_A_ACCEPT_LOCAL, &req->local) ||
	    put_addr(msg, SDRP_A_ACCEPT_REMOTE, &req->remote) ||
	    nla_put_u32(msg, SDRP_A_ACCEPT_TIMEOUT, jiffies_to_msecs(left)) ||
	    nla_put_u32(msg, SDRP_A_ACCEPT_REKEY_INTERVAL,
			req->rekey_interval) ||
	    nla_put_u32(msg, SDRP_A_ACCEPT_TTL, req->ttl_ms) ||
	    nla_put_u32(msg, SDRP_A_ACCEPT_CLOCK_SKEW, req->clock_skew_ms) ||
	    (req->record_len &&
	     nla_put(msg, SDRP_A_ACCEPT_RECORD, req->record_len, req->record)))
		return -EMSGSIZE;
	return 0;
}

static int sdrp_nl_accept_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sdrp_hs_req *req;
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = sdrp_hs_accept(genl_info_net(info), info->snd_portid, &req);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_GOODSIZE + req->record_len, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto requeue;
	}
	hdr = genlmsg_put_reply(msg, info, &sdrp_nl_family, 0,
				SDRP_CMD_ACCEPT);
	if (!hdr || put_accept(msg, req)) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto requeue;
	}
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	if (err)
		goto requeue;
	sdrp_hs_req_put(req);
	return 0;

requeue:
	/* The daemon never saw it: the next ACCEPT gets it. */
	sdrp_hs_requeue(req);
	sdrp_hs_req_put(req);
	return err;
}

/*
 * Copy a secret attribute out, then wipe it where it lies: netlink frees
 * the request skb with an ordinary kfree, which would leave the key bytes
 * in freed memory for whoever gets that memory next.
 */
static void take_secret(struct nlattr *a, void *dst, size_t len)
{
	memcpy(dst, nla_data(a), len);
	memzero_explicit(nla_data(a), nla_len(a));
}

/* Both hello MAC keys of @c2s and @s2c into @keys; false unless both. */
static bool take_hello_keys(struct nlattr *c2s, struct nlattr *s2c,
			    struct sdrp_hs_hello_keys *keys)
{
	if (c2s)
		take_secret(c2s, keys->c2s, sizeof(keys->c2s));
	if (s2c)
		take_secret(s2c, keys->s2c, sizeof(keys->s2c));
	return c2s && s2c;
}

static int sdrp_nl_send_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *rec = info->attrs[SDRP_A_SEND_RECORD];
	struct sdrp_hs_hello_keys keys;
	bool has_keys;
	int err;

	has_keys = take_hello_keys(info->attrs[SDRP_A_SEND_HELLO_MAC_C2S],
				   info->attrs[SDRP_A_SEND_HELLO_MAC_S2C],
				   &keys);
	if (!info->attrs[SDRP_A_SEND_HANDLE]) {
		err = -EINVAL;
		goto out;
	}
	err = sdrp_hs_send(genl_info_net(info), info->snd_portid,
			   nla_get_u32(info->attrs[SDRP_A_SEND_HANDLE]),
			   rec ? nla_data(rec) : NULL, rec ? nla_len(rec) : 0,
			   has_keys ? &keys : NULL);
out:
	memzero_explicit(&keys, sizeof(keys));
	return err;
}

static void done_parse(struct nlattr **tb, struct sdrp_hs_result *res)
{
	struct nlattr *a;

	if (tb[SDRP_A_DONE_STATUS])
		res->status = nla_get_u32(tb[SDRP_A_DONE_STATUS]);
	if (tb[SDRP_A_DONE_CLOSE_REASON])
		res->close_reason = nla_get_u32(tb[SDRP_A_DONE_CLOSE_REASON]);
	if (tb[SDRP_A_DONE_ERROR])
		res->error = nla_get_u32(tb[SDRP_A_DONE_ERROR]);
	if (tb[SDRP_A_DONE_REKEY_INTERVAL])
		res->rekey_interval =
			nla_get_u32(tb[SDRP_A_DONE_REKEY_INTERVAL]);
	if (tb[SDRP_A_DONE_PEER_IDENTITY])
		nla_strscpy(res->peer, tb[SDRP_A_DONE_PEER_IDENTITY],
			    sizeof(res->peer));
	if (tb[SDRP_A_DONE_KEYS]) {
		take_secret(tb[SDRP_A_DONE_KEYS], &res->keys,
			    sizeof(res->keys));
		res->has_keys = true;
	}
	take_hello_keys(tb[SDRP_A_DONE_HELLO_MAC_C2S],
			tb[SDRP_A_DONE_HELLO_MAC_S2C], &res->hello_keys);
	res->n_hello_keys = !!tb[SDRP_A_DONE_HELLO_MAC_C2S] +
			    !!tb[SDRP_A_DONE_HELLO_MAC_S2C];
	a = tb[SDRP_A_DONE_RECORD];
	if (a && nla_len(a) > SDRP_HELLO_RECORD_MAX) {
		res->invalid = true;
	} else if (a) {
		res->record_len = nla_len(a);
		memcpy(res->record, nla_data(a), res->record_len);
	}
}

static int sdrp_nl_done_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sdrp_hs_result *res;

	if (!info->attrs[SDRP_A_DONE_HANDLE])
		return -EINVAL;
	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	done_parse(info->attrs, res);
	return sdrp_hs_done(genl_info_net(info), info->snd_portid,
			    nla_get_u32(info->attrs[SDRP_A_DONE_HANDLE]), res);
}

/* ---- SESSIONS ------------------------------------------------------------ */

static int put_session(struct sk_buff *skb, struct netlink_callback *cb,
		       const struct sdrp_sock *ctx)
{
	char peer[SDRP_IDENTITY_MAX + 1];
	struct sdrp_hs_addr local, remote;
	struct sdrp_info info;
	u32 handle;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &sdrp_nl_family, NLM_F_MULTI, SDRP_CMD_SESSIONS);
	if (!hdr)
		return -EMSGSIZE;
	sdrp_get_info(ctx, &info);
	sdrp_hs_addr_get(ctx->sk, &local, &remote);
	strscpy(peer, ctx->peer_identity, sizeof(peer));
	handle = READ_ONCE(ctx->hs_handle);
	if (nla_put_u64_64bit(skb, SDRP_A_SESSION_INODE, ctx->ino,
			      SDRP_A_SESSION_PAD) ||
	    nla_put_u32(skb, SDRP_A_SESSION_ROLE, info.role) ||
	    nla_put_u32(skb, SDRP_A_SESSION_STATE, info.state) ||
	    put_addr(skb, SDRP_A_SESSION_LOCAL, &local) ||
	    put_addr(skb, SDRP_A_SESSION_REMOTE, &remote) ||
	    (peer[0] &&
	     nla_put_string(skb, SDRP_A_SESSION_PEER_IDENTITY, peer)) ||
	    nla_put_u32(skb, SDRP_A_SESSION_EPOCH, info.epoch) ||
	    nla_put_u32(skb, SDRP_A_SESSION_RESPONSES_IN_EPOCH,
			info.responses_in_epoch) ||
	    nla_put_u32(skb, SDRP_A_SESSION_REKEY_INTERVAL,
			READ_ONCE(ctx->params.rekey_interval)) ||
	    nla_put_u64_64bit(skb, SDRP_A_SESSION_RECORDS_TX, info.records_tx,
			      SDRP_A_SESSION_PAD) ||
	    nla_put_u64_64bit(skb, SDRP_A_SESSION_RECORDS_RX, info.records_rx,
			      SDRP_A_SESSION_PAD) ||
	    nla_put_u64_64bit(skb, SDRP_A_SESSION_BYTES_TX, info.bytes_tx,
			      SDRP_A_SESSION_PAD) ||
	    nla_put_u64_64bit(skb, SDRP_A_SESSION_BYTES_RX, info.bytes_rx,
			      SDRP_A_SESSION_PAD) ||
	    nla_put_u64_64bit(skb, SDRP_A_SESSION_REKEYS, info.rekeys,
			      SDRP_A_SESSION_PAD) ||
	    nla_put_u64_64bit(skb, SDRP_A_SESSION_RESENDS, info.resends,
			      SDRP_A_SESSION_PAD) ||
	    nla_put_u32(skb, SDRP_A_SESSION_CLOSE_REASON, info.close_reason) ||
	    nla_put_u32(skb, SDRP_A_SESSION_CLOSE_ERRNO, info.close_errno) ||
	    (handle && nla_put_u32(skb, SDRP_A_SESSION_HANDLE, handle))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * One message per socket.  The fields are a lockless snapshot, as ss
 * shows them; cb->args[0] counts the sockets already listed.
 */
static int sdrp_nl_sessions_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct sdrp_nl_net *nn = nl_net(sock_net(skb->sk));
	long start = cb->args[0], idx = 0;
	struct sdrp_sock *ctx;

	spin_lock_bh(&nn->lock);
	list_for_each_entry(ctx, &nn->socks, node) {
		if (idx >= start && put_session(skb, cb, ctx))
			break;
		idx++;
	}
	spin_unlock_bh(&nn->lock);
	cb->args[0] = idx;
	return skb->len;
}

static const struct genl_ops sdrp_nl_ops[] = {
	{
		.cmd	= SDRP_CMD_ACCEPT,
		.doit	= sdrp_nl_accept_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= SDRP_CMD_SEND,
		.doit	= sdrp_nl_send_doit,
		.policy	= sdrp_send_nl_policy,
		.maxattr = SDRP_A_SEND_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= SDRP_CMD_DONE,
		.doit	= sdrp_nl_done_doit,
		.policy	= sdrp_done_nl_policy,
		.maxattr = SDRP_A_DONE_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= SDRP_CMD_SESSIONS,
		.dumpit	= sdrp_nl_sessions_dumpit,
	},
};

static struct genl_family sdrp_nl_family __ro_after_init = {
	.name		= SDRP_FAMILY_NAME,
	.version	= SDRP_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= sdrp_nl_ops,
	.n_ops		= ARRAY_SIZE(sdrp_nl_ops),
	.mcgrps		= sdrp_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(sdrp_nl_mcgrps),
};

static int __net_init nl_net_init(struct net *net)
{
	struct sdrp_nl_net *nn = nl_net(net);

	spin_lock_init(&nn->lock);
	INIT_LIST_HEAD(&nn->socks);
	return 0;
}

static struct pernet_operations sdrp_nl_net_ops = {
	.init	= nl_net_init,
	.id	= &sdrp_nl_net_id,
	.size	= sizeof(struct sdrp_nl_net),
};

int sdrp_nl_init(void)
{
	int err;

	err = register_pernet_subsys(&sdrp_nl_net_ops);
	if (err)
		return err;
	err = genl_register_family(&sdrp_nl_family);
	if (err)
		unregister_pernet_subsys(&sdrp_nl_net_ops);
	return err;
}

void sdrp_nl_exit(void)
{
	genl_unregister_family(&sdrp_nl_family);
	unregister_pernet_subsys(&sdrp_nl_net_ops);
}

/* sdrpd resolving the family loads the module, as TCP_ULP "sdrp" does. */
MODULE_ALIAS_GENL_FAMILY(SDRP_FAMILY_NAME);
