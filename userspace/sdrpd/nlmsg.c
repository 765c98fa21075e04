// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The attributes of the "sdrp" family (Documentation/netlink/specs/
 * sdrp.yaml) to and from C structures, with libnl.  No socket here, so
 * the tests build and parse messages without a kernel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <linux/sdrp_netlink.h>

#include "nl_sockaddr.h"
#include "sdrpd.h"

static struct nla_policy accept_policy[SDRP_A_ACCEPT_MAX + 1] = {
	[SDRP_A_ACCEPT_HANDLE]		= { .type = NLA_U32 },
	[SDRP_A_ACCEPT_TURN]		= { .type = NLA_U32 },
	[SDRP_A_ACCEPT_ROLE]		= { .type = NLA_U32 },
	[SDRP_A_ACCEPT_PEER_IDENTITY]	= { .type = NLA_STRING,
					    .maxlen = SDRP_IDENTITY_MAX + 1 },
	[SDRP_A_ACCEPT_LOCAL]		= { .type = NLA_NESTED },
	[SDRP_A_ACCEPT_REMOTE]		= { .type = NLA_NESTED },
	[SDRP_A_ACCEPT_TIMEOUT]		= { .type = NLA_U32 },
	[SDRP_A_ACCEPT_REKEY_INTERVAL]	= { .type = NLA_U32 },
	[SDRP_A_ACCEPT_TTL]		= { .type = NLA_U32 },
	[SDRP_A_ACCEPT_CLOCK_SKEW]	= { .type = NLA_U32 },
	[SDRP_A_ACCEPT_RECORD]		= { .maxlen = SDRP_HELLO_RECORD_MAX },
};

void sdrpd_request_free(struct sdrpd_request *r)
{
	if (!r)
		return;
	free(r->record);
	free(r);
}

void sdrpd_answer_clear(struct sdrpd_answer *a)
{
	sdrp_wipe(a, sizeof(*a));
}

static uint32_t get_u32(struct nlattr **tb, int type, uint32_t dflt)
{
	return tb[type] ? nla_get_u32(tb[type]) : dflt;
}

int sdrpd_nl_parse_accept(struct nl_msg *msg, struct sdrpd_request *r)
{
	struct nlattr *tb[SDRP_A_ACCEPT_MAX + 1];
	struct nlattr *a;
	int len;

	memset(r, 0, sizeof(*r));
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, SDRP_A_ACCEPT_MAX,
			  accept_policy))
		return -EPROTO;
	if (!tb[SDRP_A_ACCEPT_HANDLE] || !tb[SDRP_A_ACCEPT_TURN] ||
	    !tb[SDRP_A_ACCEPT_ROLE] || !tb[SDRP_A_ACCEPT_TIMEOUT])
		return -EPROTO;
	r->handle = nla_get_u32(tb[SDRP_A_ACCEPT_HANDLE]);
	r->turn = nla_get_u32(tb[SDRP_A_ACCEPT_TURN]);
	r->role = nla_get_u32(tb[SDRP_A_ACCEPT_ROLE]);
	r->timeout_ms = nla_get_u32(tb[SDRP_A_ACCEPT_TIMEOUT]);
	r->rekey_interval = get_u32(tb, SDRP_A_ACCEPT_REKEY_INTERVAL, 0);
	r->ttl_ms = get_u32(tb, SDRP_A_ACCEPT_TTL, 0);
	r->clock_skew_ms = get_u32(tb, SDRP_A_ACCEPT_CLOCK_SKEW, 0);
	a = tb[SDRP_A_ACCEPT_PEER_IDENTITY];
	if (a) {
		/* libnl checks the NUL; the identity rule is ours. */
		if (nla_strlcpy(r->peer_identity, a, sizeof(r->peer_identity)) >=
		    sizeof(r->peer_identity) ||
		    !sdrp_identity_valid(r->peer_identity))
			return -EPROTO;
		r->has_peer_identity = true;
	}
	if (sdrp_nl_sockaddr_parse(tb[SDRP_A_ACCEPT_LOCAL], &r->local) ||
	    sdrp_nl_sockaddr_parse(tb[SDRP_A_ACCEPT_REMOTE], &r->remote))
		return -EPROTO;
	a = tb[SDRP_A_ACCEPT_RECORD];
	if (a) {
		len = nla_len(a);
		if (len <= 0)
			return -EPROTO;
		r->record = malloc((size_t)len);
		if (!r->record)
			return -ENOMEM;
		memcpy(r->record, nla_data(a), (size_t)len);
		r->record_len = (size_t)len;
	}
	r->received_ms = sdrp_now_ms();
	return 0;
}

int sdrpd_nl_put_answer(struct nl_msg *msg, const struct sdrpd_answer *a)
{
	if (nla_put_u32(msg, SDRP_A_DONE_HANDLE, a->handle))
		return -EMSGSIZE;
	if (a->cmd == SDRP_CMD_SEND)
		return nla_put(msg, SDRP_A_SEND_RECORD, (int)a->record_len,
			       a->record) ||
		       nla_put(msg, SDRP_A_SEND_HELLO_MAC_C2S,
			       sizeof(a->hello_mac_c2s), a->hello_mac_c2s) ||
		       nla_put(msg, SDRP_A_SEND_HELLO_MAC_S2C,
			       sizeof(a->hello_mac_s2c), a->hello_mac_s2c) ?
		       -EMSGSIZE : 0;
	/* SEND and DONE share HANDLE = 1; the rest are DONE's. */
	if (nla_put_u32(msg, SDRP_A_DONE_STATUS, a->status))
		return -EMSGSIZE;
	if (a->status) {
		if (a->close_reason &&
		    nla_put_u32(msg, SDRP_A_DONE_CLOSE_REASON, a->close_reason))
			return -EMSGSIZE;
		if (a->error && nla_put_u32(msg, SDRP_A_DONE_ERROR, a->error))
			return -EMSGSIZE;
	} else {
		if (nla_put(msg, SDRP_A_DONE_KEYS, sizeof(a->keys), &a->keys) ||
		    nla_put_string(msg, SDRP_A_DONE_PEER_IDENTITY,
				   a->peer_identity) ||
		    nla_put_u32(msg, SDRP_A_DONE_REKEY_INTERVAL,
				a->rekey_interval))
			return -EMSGSIZE;
	}
	/* Keys of a success only; hello MAC keys also with a CLOSE. */
	if ((!a->status || a->has_hello_keys) &&
	    (nla_put(msg, SDRP_A_DONE_HELLO_MAC_C2S, sizeof(a->hello_mac_c2s),
		     a->hello_mac_c2s) ||
	     nla_put(msg, SDRP_A_DONE_HELLO_MAC_S2C, sizeof(a->hello_mac_s2c),
		     a->hello_mac_s2c)))
		return -EMSGSIZE;
	if (a->record_len &&
	    nla_put(msg, SDRP_A_DONE_RECORD, (int)a->record_len, a->record))
		return -EMSGSIZE;
	return 0;
}
