// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The generic netlink backend of "sdrpctl sessions" and "sdrpctl status"
 * (libnl-genl-3): resolve the family "sdrp" of the kernel module and decode
 * its session dump (<linux/sdrp_netlink.h>, from the YNL spec
 * Documentation/netlink/specs/sdrp.yaml) into the plain structures of
 * session.h; printing is session_fmt.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>

#include <linux/sdrp_netlink.h>

#include "nl_sockaddr.h"
#include "session.h"

struct sdrpctl_nl {
	struct nl_sock *sock;
	int family;
};

/* libnl's errors, for the few a caller can act on. */
static int nl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	default:
		return -EIO;
	}
}

int sdrpctl_nl_open(struct sdrpctl_nl **out, struct sdrpctl_kernel *k)
{
	struct nl_cache *cache = NULL;
	struct genl_family *fam;
	struct sdrpctl_nl *nl;
	int id, rc;

	*out = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->sock = nl_socket_alloc();
	if (!nl->sock) {
		rc = -ENOMEM;
		goto err;
	}
	rc = genl_connect(nl->sock);
	if (rc < 0) {
		rc = -EIO;
		goto err;
	}
	id = genl_ctrl_resolve(nl->sock, SDRP_FAMILY_NAME);
	if (id < 0) {
		rc = nl_errno(id);
		goto err;
	}
	nl->family = id;
	k->family_id = (uint16_t)id;
	/* The version only informs: a family without one still works. */
	k->family_version = 0;
	if (!genl_ctrl_alloc_cache(nl->sock, &cache)) {
		fam = genl_ctrl_search_by_name(cache, SDRP_FAMILY_NAME);
		if (fam) {
			k->family_version =
				(uint32_t)genl_family_get_version(fam);
			genl_family_put(fam);
		}
		nl_cache_free(cache);
	}
	*out = nl;
	return 0;
err:
	sdrpctl_nl_close(nl);
	return rc;
}

static struct nla_policy session_policy[SDRP_A_SESSION_MAX + 1] = {
	[SDRP_A_SESSION_INODE]		    = { .type = NLA_U64 },
	[SDRP_A_SESSION_ROLE]		    = { .type = NLA_U32 },
	[SDRP_A_SESSION_STATE]		    = { .type = NLA_U32 },
	[SDRP_A_SESSION_LOCAL]		    = { .type = NLA_NESTED },
	[SDRP_A_SESSION_REMOTE]		    = { .type = NLA_NESTED },
	[SDRP_A_SESSION_PEER_IDENTITY]	    = { .type = NLA_STRING,
						.maxlen = SDRP_IDENTITY_MAX + 1 },
	[SDRP_A_SESSION_EPOCH]		    = { .type = NLA_U32 },
	[SDRP_A_SESSION_RESPONSES_IN_EPOCH] = { .type = NLA_U32 },
	[SDRP_A_SESSION_REKEY_INTERVAL]	    = { .type = NLA_U32 },
	[SDRP_A_SESSION_RECORDS_TX]	    = { .type = NLA_U64 },
	[SDRP_A_SESSION_RECORDS_RX]	    = { .type = NLA_U64 },
	[SDRP_A_SESSION_BYTES_TX]	    = { .type = NLA_U64 },
	[SDRP_A_SESSION_BYTES_RX]	    = { .type = NLA_U64 },
	[SDRP_A_SESSION_REKEYS]		    = { .type = NLA_U64 },
	[SDRP_A_SESSION_RESENDS]	    = { .type = NLA_U64 },
	[SDRP_A_SESSION_CLOSE_REASON]	    = { .type = NLA_U32 },
	[SDRP_A_SESSION_CLOSE_ERRNO]	    = { .type = NLA_U32 },
	[SDRP_A_SESSION_HANDLE]		    = { .type = NLA_U32 },
};

static uint32_t get_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static uint64_t get_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

int sdrpctl_nl_parse_session(struct nlmsghdr *nlh, struct sdrpctl_session *s)
{
	struct nlattr *tb[SDRP_A_SESSION_MAX + 1];

	memset(s, 0, sizeof(*s));
	if (genlmsg_parse(nlh, 0, tb, SDRP_A_SESSION_MAX, session_policy))
		return -EPROTO;
	/* Every session has a role and a state; the rest may be absent. */
	if (!tb[SDRP_A_SESSION_ROLE] || !tb[SDRP_A_SESSION_STATE])
		return -EPROTO;
	if (sdrp_nl_sockaddr_parse(tb[SDRP_A_SESSION_LOCAL], &s->local) ||
	    sdrp_nl_sockaddr_parse(tb[SDRP_A_SESSION_REMOTE], &s->remote))
		return -EPROTO;
	if (tb[SDRP_A_SESSION_PEER_IDENTITY])
		nla_strlcpy(s->peer_identity, tb[SDRP_A_SESSION_PEER_IDENTITY],
			    sizeof(s->peer_identity));
	s->inode = get_u64(tb[SDRP_A_SESSION_INODE]);
	s->role = get_u32(tb[SDRP_A_SESSION_ROLE]);
	s->state = get_u32(tb[SDRP_A_SESSION_STATE]);
	s->epoch = get_u32(tb[SDRP_A_SESSION_EPOCH]);
	s->responses_in_epoch = get_u32(tb[SDRP_A_SESSION_RESPONSES_IN_EPOCH]);
	s->rekey_interval = get_u32(tb[SDRP_A_SESSION_REKEY_INTERVAL]);
	s->records_tx = get_u64(tb[SDRP_A_SESSION_RECORDS_TX]);
	s->records_rx = get_u64(tb[SDRP_A_SESSION_RECORDS_RX]);
	s->bytes_tx = get_u64(tb[SDRP_A_SESSION_BYTES_TX]);
	s->bytes_rx = get_u64(tb[SDRP_A_SESSION_BYTES_RX]);
	s->rekeys = get_u64(tb[SDRP_A_SESSION_REKEYS]);
	s->resends = get_u64(tb[SDRP_A_SESSION_RESENDS]);
	s->close_reason = get_u32(tb[SDRP_A_SESSION_CLOSE_REASON]);
	s->close_errno = get_u32(tb[SDRP_A_SESSION_CLOSE_ERRNO]);
	s->handle = get_u32(tb[SDRP_A_SESSION_HANDLE]);
	return 0;
}

/* The sessions decoded so far; the dump callback appends to it. */
struct dump {
	struct sdrpctl_session *v;
	size_t n, cap;
	int err;
};

static int dump_one(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;
	struct sdrpctl_session *v;
	size_t cap;

	if (d->n == d->cap) {
		cap = d->cap ? 2 * d->cap : 16;
		v = reallocarray(d->v, cap, sizeof(*v));
		if (!v) {
			d->err = -ENOMEM;
			return NL_STOP;
		}
		d->v = v;
		d->cap = cap;
	}
	d->err = sdrpctl_nl_parse_session(nlmsg_hdr(msg), &d->v[d->n]);
	if (d->err)
		return NL_STOP;
	d->n++;
	return NL_OK;
}

int sdrpctl_nl_sessions(struct sdrpctl_nl *nl, struct sdrpctl_session **v,
			size_t *n)
{
	struct dump d = { 0 };
	struct nl_msg *msg;
	int rc;

	*v = NULL;
	*n = 0;
	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 NLM_F_DUMP, SDRP_CMD_SESSIONS, SDRP_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	rc = nl_socket_modify_cb(nl->sock, NL_CB_VALID, NL_CB_CUSTOM,
				 dump_one, &d);
	if (!rc)
		rc = nl_send_auto(nl->sock, msg);
	nlmsg_free(msg);
	if (rc >= 0)
		rc = nl_recvmsgs_default(nl->sock);
	/* A decoding error stopped the dump: it says more than libnl. */
	rc = d.err ? d.err : rc < 0 ? nl_errno(rc) : 0;
	if (rc) {
		free(d.v);
		return rc;
	}
	*v = d.v;
	*n = d.n;
	return 0;
}

void sdrpctl_nl_close(struct sdrpctl_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sock);
	free(nl);
}
