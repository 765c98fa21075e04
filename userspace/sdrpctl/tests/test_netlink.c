// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The decoder of the kernel's session dump (netlink.c), fed messages built
 * here with libnl as the kernel would send them (Documentation/netlink/
 * specs/sdrp.yaml), and malformed ones it must refuse.  No kernel needed.
 * TAP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/sdrp_netlink.h>

#include "nl_sockaddr.h"
#include "sdrpctl.h"
#include "session.h"
#include "util.h"		/* libsdrp's test helpers (TAP) */

/* What the mutators below change in a well-formed session message. */
enum variant {
	FULL,			/* every attribute */
	MINIMAL,		/* role and state only */
	NO_ROLE,
	NO_STATE,
	ROLE_U8,		/* role one byte long */
	V6_SHORT,		/* 15-byte IPv6 address */
	BOTH_FAMILIES,		/* IPv4 and IPv6 in one address */
	NO_FAMILY,		/* a port without an address */
	NO_PORT,
	ID_NO_NUL,		/* identity not NUL-terminated */
	ID_TOO_LONG,		/* 256 characters */
};

static void put_v4(struct nl_msg *m, int type, const char *a, uint16_t port,
		   enum variant v)
{
	struct nlattr *nest = nla_nest_start(m, type);
	struct in_addr in;
	uint8_t v6[16] = { 0 };

	inet_pton(AF_INET, a, &in);
	if (v != NO_FAMILY)
		nla_put_u32(m, SDRP_A_SOCKADDR_IPV4, in.s_addr);
	if (v == BOTH_FAMILIES)
		nla_put(m, SDRP_A_SOCKADDR_IPV6, sizeof(v6), v6);
	if (v != NO_PORT)
		nla_put_u16(m, SDRP_A_SOCKADDR_PORT, htons(port));
	nla_nest_end(m, nest);
}

static void put_v6(struct nl_msg *m, int type, const char *a, uint16_t port,
		   uint32_t scope, enum variant v)
{
	struct nlattr *nest = nla_nest_start(m, type);
	struct in6_addr in6;

	inet_pton(AF_INET6, a, &in6);
	nla_put(m, SDRP_A_SOCKADDR_IPV6, v == V6_SHORT ? 15 : 16, &in6);
	nla_put_u16(m, SDRP_A_SOCKADDR_PORT, htons(port));
	if (scope)
		nla_put_u32(m, SDRP_A_SOCKADDR_SCOPE_ID, scope);
	nla_nest_end(m, nest);
}

static struct nl_msg *session_msg(enum variant v)
{
	struct nl_msg *m = nlmsg_alloc();
	char long_id[SDRP_IDENTITY_MAX + 2];

	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0,
			       SDRP_CMD_SESSIONS, SDRP_FAMILY_VERSION))
		abort();
	if (v == ROLE_U8)
		nla_put_u8(m, SDRP_A_SESSION_ROLE, SDRP_ROLE_CLIENT);
	else if (v != NO_ROLE)
		nla_put_u32(m, SDRP_A_SESSION_ROLE, SDRP_ROLE_CLIENT);
	if (v != NO_STATE)
		nla_put_u32(m, SDRP_A_SESSION_STATE, SDRP_STATE_ESTABLISHED);
	if (v == MINIMAL)
		return m;
	nla_put_u64(m, SDRP_A_SESSION_INODE, 123456789ULL);
	put_v4(m, SDRP_A_SESSION_LOCAL, "10.0.0.1", 40000, v);
	put_v6(m, SDRP_A_SESSION_REMOTE, "fe80::2", 7000, 4, v);
	if (v == ID_NO_NUL) {
		nla_put(m, SDRP_A_SESSION_PEER_IDENTITY, 8, "sensor-1");
	} else if (v == ID_TOO_LONG) {
		memset(long_id, 'a', sizeof(long_id) - 1);
		long_id[sizeof(long_id) - 1] = '\0';
		nla_put_string(m, SDRP_A_SESSION_PEER_IDENTITY, long_id);
	} else {
		nla_put_string(m, SDRP_A_SESSION_PEER_IDENTITY, "sensor-1");
	}
	nla_put_u32(m, SDRP_A_SESSION_EPOCH, 3);
	nla_put_u32(m, SDRP_A_SESSION_RESPONSES_IN_EPOCH, 4);
	nla_put_u32(m, SDRP_A_SESSION_REKEY_INTERVAL, 10);
	nla_put_u64(m, SDRP_A_SESSION_RECORDS_TX, 41);
	nla_put_u64(m, SDRP_A_SESSION_RECORDS_RX, 40);
	nla_put_u64(m, SDRP_A_SESSION_BYTES_TX, 1ULL << 40);
	nla_put_u64(m, SDRP_A_SESSION_BYTES_RX, 3400);
	nla_put_u64(m, SDRP_A_SESSION_REKEYS, 3);
	nla_put_u64(m, SDRP_A_SESSION_RESENDS, 1);
	nla_put_u32(m, SDRP_A_SESSION_CLOSE_REASON, SDRP_CLOSE_NONE);
	nla_put_u32(m, SDRP_A_SESSION_CLOSE_ERRNO, 0);
	nla_put_u32(m, SDRP_A_SESSION_HANDLE, 0);
	return m;
}

static int parse(enum variant v, struct sdrpctl_session *s)
{
	struct nl_msg *m = session_msg(v);
	int rc = sdrpctl_nl_parse_session(nlmsg_hdr(m), s);

	nlmsg_free(m);
	return rc;
}

static void test_full(void)
{
	char local[SDRP_SOCKADDR_STRLEN], remote[SDRP_SOCKADDR_STRLEN];
	struct sdrpctl_session s;

	OK(!parse(FULL, &s), "a full session decodes");
	sdrp_sockaddr_format(&s.local, local, sizeof(local));
	sdrp_sockaddr_format(&s.remote, remote, sizeof(remote));
	OK(!strcmp(local, "10.0.0.1:40000"), "local IPv4 address and port: %s",
	   local);
	OK(!strcmp(remote, "[fe80::2%4]:7000"),
	   "remote IPv6 address, port and scope: %s", remote);
	OK(s.role == SDRP_ROLE_CLIENT && s.state == SDRP_STATE_ESTABLISHED,
	   "role and state");
	OK(!strcmp(s.peer_identity, "sensor-1"), "peer identity");
	OK(s.inode == 123456789ULL && s.epoch == 3 &&
	   s.responses_in_epoch == 4 && s.rekey_interval == 10,
	   "inode, epoch, responses, interval");
	OK(s.records_tx == 41 && s.records_rx == 40 &&
	   s.bytes_tx == 1ULL << 40 && s.bytes_rx == 3400 && s.rekeys == 3 &&
	   s.resends == 1, "64-bit counters");
}

static void test_minimal(void)
{
	struct sdrpctl_session s;

	OK(!parse(MINIMAL, &s) && s.local.ss_family == AF_UNSPEC &&
	   !s.peer_identity[0] && !s.epoch && !s.records_tx,
	   "role and state alone decode; the rest is zero");
}

static void test_refused(void)
{
	static const struct {
		enum variant v;
		const char *what;
	} bad[] = {
		{ NO_ROLE,	 "no role" },
		{ NO_STATE,	 "no state" },
		{ ROLE_U8,	 "a role of one byte" },
		{ V6_SHORT,	 "a 15-byte IPv6 address" },
		{ BOTH_FAMILIES, "an address with both IPv4 and IPv6" },
		{ NO_FAMILY,	 "an address without IPv4 or IPv6" },
		{ NO_PORT,	 "an address without a port" },
		{ ID_NO_NUL,	 "an identity without its NUL" },
		{ ID_TOO_LONG,	 "an identity of 256 characters" },
	};
	struct sdrpctl_session s;
	size_t i;

	for (i = 0; i < SDRPCTL_ARRAY_SIZE(bad); i++)
		OK(parse(bad[i].v, &s) == -EPROTO, "refused: %s", bad[i].what);
}

int main(void)
{
	test_full();
	test_minimal();
	test_refused();
	return tap_done();
}
