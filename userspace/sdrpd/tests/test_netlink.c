// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The family's messages with libnl, no kernel: ACCEPT replies built as the
 * kernel would build them and parsed by the daemon; SEND and DONE built by
 * the daemon and parsed back with the policy the spec gives the kernel.
 */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <linux/sdrp_netlink.h>

#include "nl_sockaddr.h"
#include "tap.h"

#define FAMILY_ID 0x42

/* What the spec tells the kernel to enforce on DONE (sdrp.yaml). */
static struct nla_policy done_policy[SDRP_A_DONE_MAX + 1] = {
	[SDRP_A_DONE_HANDLE]		= { .type = NLA_U32 },
	[SDRP_A_DONE_STATUS]		= { .type = NLA_U32 },
	[SDRP_A_DONE_CLOSE_REASON]	= { .type = NLA_U32 },
	[SDRP_A_DONE_KEYS]	= { .minlen = SDRP_KEYS_LEN,
				    .maxlen = SDRP_KEYS_LEN },
	[SDRP_A_DONE_HELLO_MAC_C2S] = { .minlen = SDRP_HELLO_MAC_LEN,
					.maxlen = SDRP_HELLO_MAC_LEN },
	[SDRP_A_DONE_HELLO_MAC_S2C] = { .minlen = SDRP_HELLO_MAC_LEN,
					.maxlen = SDRP_HELLO_MAC_LEN },
	[SDRP_A_DONE_PEER_IDENTITY] = { .type = NLA_STRING,
					.maxlen = SDRP_IDENTITY_MAX + 1 },
	[SDRP_A_DONE_REKEY_INTERVAL]	= { .type = NLA_U32 },
	[SDRP_A_DONE_RECORD]	= { .maxlen = SDRP_HELLO_RECORD_MAX },
	[SDRP_A_DONE_ERROR]		= { .type = NLA_U32 },
};

/* What the spec tells the kernel to enforce on SEND. */
static struct nla_policy send_policy[SDRP_A_SEND_MAX + 1] = {
	[SDRP_A_SEND_HANDLE]		= { .type = NLA_U32 },
	[SDRP_A_SEND_RECORD]	= { .maxlen = SDRP_HELLO_RECORD_MAX },
	[SDRP_A_SEND_HELLO_MAC_C2S] = { .minlen = SDRP_HELLO_MAC_LEN,
					.maxlen = SDRP_HELLO_MAC_LEN },
	[SDRP_A_SEND_HELLO_MAC_S2C] = { .minlen = SDRP_HELLO_MAC_LEN,
					.maxlen = SDRP_HELLO_MAC_LEN },
};

static struct nl_msg *accept_msg(void)
{
	struct nl_msg *m = nlmsg_alloc_size(SDRP_HELLO_RECORD_MAX + 1024);

	if (!m || !genlmsg_put(m, 0, 1, FAMILY_ID, 0, 0, SDRP_CMD_ACCEPT,
			       SDRP_FAMILY_VERSION))
		tap_bail("nlmsg");
	return m;
}

static void put_v4(struct nl_msg *m, int type, uint32_t ip, uint16_t port)
{
	struct nlattr *n = nla_nest_start(m, type);

	nla_put_u32(m, SDRP_A_SOCKADDR_IPV4, htonl(ip));
	nla_put_u16(m, SDRP_A_SOCKADDR_PORT, htons(port));
	nla_nest_end(m, n);
}

static void put_v6(struct nl_msg *m, int type, const char *ip, uint16_t port,
		   uint32_t scope)
{
	struct nlattr *n = nla_nest_start(m, type);
	uint8_t a[16];

	inet_pton(AF_INET6, ip, a);
	nla_put(m, SDRP_A_SOCKADDR_IPV6, 16, a);
	nla_put_u16(m, SDRP_A_SOCKADDR_PORT, htons(port));
	if (scope)
		nla_put_u32(m, SDRP_A_SOCKADDR_SCOPE_ID, scope);
	nla_nest_end(m, n);
}

/* A full ACCEPT reply for a server turn, as the kernel sends it. */
static struct nl_msg *full_accept(const uint8_t *rec, size_t len)
{
	struct nl_msg *m = accept_msg();

	nla_put_u32(m, SDRP_A_ACCEPT_HANDLE, 42);
	nla_put_u32(m, SDRP_A_ACCEPT_TURN, SDRP_TURN_SERVER_HELLO);
	nla_put_u32(m, SDRP_A_ACCEPT_ROLE, SDRP_ROLE_SERVER);
	nla_put_string(m, SDRP_A_ACCEPT_PEER_IDENTITY, "client.example");
	put_v4(m, SDRP_A_ACCEPT_LOCAL, 0xc0000201, 4433);
	put_v6(m, SDRP_A_ACCEPT_REMOTE, "fe80::1", 50000, 3);
	nla_put_u32(m, SDRP_A_ACCEPT_TIMEOUT, 9000);
	nla_put_u32(m, SDRP_A_ACCEPT_REKEY_INTERVAL, 10);
	nla_put_u32(m, SDRP_A_ACCEPT_TTL, 25000);
	nla_put_u32(m, SDRP_A_ACCEPT_CLOCK_SKEW, 5000);
	nla_put(m, SDRP_A_ACCEPT_RECORD, (int)len, rec);
	return m;
}

static void test_accept(void)
{
	struct sdrpd_request r;
	struct nl_msg *m;
	uint8_t rec[300];
	char buf[SDRP_SOCKADDR_STRLEN];
	size_t i;

	for (i = 0; i < sizeof(rec); i++)
		rec[i] = (uint8_t)i;
	m = full_accept(rec, sizeof(rec));
	IS(sdrpd_nl_parse_accept(m, &r), 0, "accept: parses");
	OK(r.handle == 42 && r.turn == SDRP_TURN_SERVER_HELLO &&
	   r.role == SDRP_ROLE_SERVER, "accept: handle, turn, role");
	OK(r.has_peer_identity && !strcmp(r.peer_identity, "client.example"),
	   "accept: peer identity");
	OK(r.timeout_ms == 9000 && r.rekey_interval == 10 &&
	   r.ttl_ms == 25000 && r.clock_skew_ms == 5000,
	   "accept: timeout, rekey interval, ttl, clock skew");
	OK(r.record_len == sizeof(rec) && !memcmp(r.record, rec, sizeof(rec)),
	   "accept: record bytes");
	sdrp_sockaddr_format(&r.local, buf, sizeof(buf));
	OK(!strcmp(buf, "192.0.2.1:4433"), "accept: local IPv4 %s", buf);
	sdrp_sockaddr_format(&r.remote, buf, sizeof(buf));
	OK(!strcmp(buf, "[fe80::1%3]:50000"),
	   "accept: remote IPv6 %s, scope id", buf);
	free(r.record);
	nlmsg_free(m);

	/* A client-hello turn: no record, no addresses. */
	m = accept_msg();
	nla_put_u32(m, SDRP_A_ACCEPT_HANDLE, 7);
	nla_put_u32(m, SDRP_A_ACCEPT_TURN, SDRP_TURN_CLIENT_HELLO);
	nla_put_u32(m, SDRP_A_ACCEPT_ROLE, SDRP_ROLE_CLIENT);
	nla_put_u32(m, SDRP_A_ACCEPT_TIMEOUT, 1);
	OK(!sdrpd_nl_parse_accept(m, &r) && !r.record && !r.has_peer_identity &&
	   r.local.ss_family == 0 && r.rekey_interval == 0,
	   "accept: optional attributes absent");
	sdrp_sockaddr_format(&r.remote, buf, sizeof(buf));
	OK(!strcmp(buf, "-"), "accept: absent address prints -");
	nlmsg_free(m);
}

static void bad_accept(const char *name, int drop, void (*extra)(struct nl_msg *))
{
	struct sdrpd_request r;
	struct nl_msg *m = accept_msg();

	if (drop != SDRP_A_ACCEPT_HANDLE)
		nla_put_u32(m, SDRP_A_ACCEPT_HANDLE, 1);
	if (drop != SDRP_A_ACCEPT_TURN)
		nla_put_u32(m, SDRP_A_ACCEPT_TURN, SDRP_TURN_CLIENT_HELLO);
	if (drop != SDRP_A_ACCEPT_ROLE)
		nla_put_u32(m, SDRP_A_ACCEPT_ROLE, SDRP_ROLE_CLIENT);
	if (drop != SDRP_A_ACCEPT_TIMEOUT)
		nla_put_u32(m, SDRP_A_ACCEPT_TIMEOUT, 100);
	if (extra)
		extra(m);
	IS(sdrpd_nl_parse_accept(m, &r), -EPROTO, "accept refused: %s", name);
	free(r.record);
	nlmsg_free(m);
}

static void two_families(struct nl_msg *m)
{
	struct nlattr *n = nla_nest_start(m, SDRP_A_ACCEPT_REMOTE);
	uint8_t a[16] = { 0 };

	nla_put_u32(m, SDRP_A_SOCKADDR_IPV4, 1);
	nla_put(m, SDRP_A_SOCKADDR_IPV6, 16, a);
	nla_put_u16(m, SDRP_A_SOCKADDR_PORT, 1);
	nla_nest_end(m, n);
}

static void no_port(struct nl_msg *m)
{
	struct nlattr *n = nla_nest_start(m, SDRP_A_ACCEPT_LOCAL);

	nla_put_u32(m, SDRP_A_SOCKADDR_IPV4, 1);
	nla_nest_end(m, n);
}

static void short_ipv6(struct nl_msg *m)
{
	struct nlattr *n = nla_nest_start(m, SDRP_A_ACCEPT_LOCAL);
	uint8_t a[8] = { 0 };

	nla_put(m, SDRP_A_SOCKADDR_IPV6, 8, a);
	nla_put_u16(m, SDRP_A_SOCKADDR_PORT, 1);
	nla_nest_end(m, n);
}

static void bad_identity(struct nl_msg *m)
{
	nla_put_string(m, SDRP_A_ACCEPT_PEER_IDENTITY, "two words");
}

static void unterminated_identity(struct nl_msg *m)
{
	nla_put(m, SDRP_A_ACCEPT_PEER_IDENTITY, 3, "abc");
}

static void long_record(struct nl_msg *m)
{
	static uint8_t big[SDRP_HELLO_RECORD_MAX + 1];

	nla_put(m, SDRP_A_ACCEPT_RECORD, sizeof(big), big);
}

static void empty_record(struct nl_msg *m)
{
	nla_put(m, SDRP_A_ACCEPT_RECORD, 0, "");
}

static void test_accept_errors(void)
{
	bad_accept("no handle", SDRP_A_ACCEPT_HANDLE, NULL);
	bad_accept("no turn", SDRP_A_ACCEPT_TURN, NULL);
	bad_accept("no role", SDRP_A_ACCEPT_ROLE, NULL);
	bad_accept("no timeout", SDRP_A_ACCEPT_TIMEOUT, NULL);
	bad_accept("IPv4 and IPv6 in one address", 0, two_families);
	bad_accept("address without port", 0, no_port);
	bad_accept("IPv6 address of 8 bytes", 0, short_ipv6);
	bad_accept("identity with a space", 0, bad_identity);
	bad_accept("identity without NUL", 0, unterminated_identity);
	bad_accept("record above SDRP_HELLO_RECORD_MAX", 0, long_record);
	bad_accept("empty record", 0, empty_record);
}

/* Parse a message the daemon built, with the kernel's policy. */
static int parse_done(struct nl_msg *m, struct nlattr **tb)
{
	return genlmsg_parse(nlmsg_hdr(m), 0, tb, SDRP_A_DONE_MAX,
			     done_policy);
}

static struct nl_msg *answer_msg(const struct sdrpd_answer *a)
{
	struct nl_msg *m = nlmsg_alloc_size(SDRP_HELLO_RECORD_MAX + 1024);

	if (!m || !genlmsg_put(m, 0, 1, FAMILY_ID, 0, NLM_F_ACK, a->cmd,
			       SDRP_FAMILY_VERSION))
		tap_bail("nlmsg");
	if (sdrpd_nl_put_answer(m, a))
		tap_bail("put answer");
	return m;
}

static void test_done(void)
{
	struct nlattr *tb[SDRP_A_DONE_MAX + 1];
	struct sdrpd_answer *a = calloc(1, sizeof(*a));
	struct nl_msg *m;
	size_t i;
	int n;

	a->cmd = SDRP_CMD_DONE;
	a->handle = 9;
	a->has_keys = true;
	for (i = 0; i < sizeof(a->keys); i++)
		((uint8_t *)&a->keys)[i] = (uint8_t)(i * 7);
	memset(a->hello_mac_c2s, 0xc2, 64);
	memset(a->hello_mac_s2c, 0x2c, 64);
	strcpy(a->peer_identity, "server.example");
	a->rekey_interval = 4;
	a->record_len = 700;
	memset(a->record, 0xaa, a->record_len);
	m = answer_msg(a);
	IS(parse_done(m, tb), 0, "done: parses under the spec's policy");
	OK(genlmsg_hdr(nlmsg_hdr(m))->cmd == SDRP_CMD_DONE &&
	   genlmsg_hdr(nlmsg_hdr(m))->version == SDRP_FAMILY_VERSION,
	   "done: command and version");
	OK(tb[SDRP_A_DONE_HANDLE] && nla_get_u32(tb[SDRP_A_DONE_HANDLE]) == 9 &&
	   tb[SDRP_A_DONE_STATUS] && nla_get_u32(tb[SDRP_A_DONE_STATUS]) == 0,
	   "done: handle and status 0");
	OK(tb[SDRP_A_DONE_KEYS] &&
	   !memcmp(nla_data(tb[SDRP_A_DONE_KEYS]), &a->keys, SDRP_KEYS_LEN),
	   "done: struct sdrp_keys byte for byte");
	OK(tb[SDRP_A_DONE_HELLO_MAC_C2S] && tb[SDRP_A_DONE_HELLO_MAC_S2C] &&
	   ((uint8_t *)nla_data(tb[SDRP_A_DONE_HELLO_MAC_C2S]))[0] == 0xc2 &&
	   ((uint8_t *)nla_data(tb[SDRP_A_DONE_HELLO_MAC_S2C]))[63] == 0x2c,
	   "done: hello MAC keys in their attributes");
	OK(tb[SDRP_A_DONE_PEER_IDENTITY] &&
	   !strcmp(nla_get_string(tb[SDRP_A_DONE_PEER_IDENTITY]),
		   "server.example") &&
	   nla_get_u32(tb[SDRP_A_DONE_REKEY_INTERVAL]) == 4,
	   "done: peer identity and agreed interval");
	OK(tb[SDRP_A_DONE_RECORD] && nla_len(tb[SDRP_A_DONE_RECORD]) == 700,
	   "done: record");
	OK(!tb[SDRP_A_DONE_CLOSE_REASON] && !tb[SDRP_A_DONE_ERROR],
	   "done: no close reason or error on success");
	nlmsg_free(m);

	/* Failure: a status, a reason, maybe a CLOSE, never a key. */
	a->status = EKEYREJECTED;
	a->close_reason = SDRP_CLOSE_AUTH;
	a->error = SDRP_HS_ERROR_UNKNOWN_CA;
	a->record_len = 100;
	m = answer_msg(a);
	IS(parse_done(m, tb), 0, "done failure: parses");
	OK(nla_get_u32(tb[SDRP_A_DONE_STATUS]) == EKEYREJECTED &&
	   nla_get_u32(tb[SDRP_A_DONE_CLOSE_REASON]) == SDRP_CLOSE_AUTH &&
	   tb[SDRP_A_DONE_ERROR] &&
	   nla_get_u32(tb[SDRP_A_DONE_ERROR]) == SDRP_HS_ERROR_UNKNOWN_CA &&
	   nla_len(tb[SDRP_A_DONE_RECORD]) == 100,
	   "done failure: status, close reason, CLOSE record");
	for (n = 0, i = SDRP_A_DONE_KEYS; i <= SDRP_A_DONE_REKEY_INTERVAL; i++)
		n += tb[i] != NULL;
	IS(n, 0, "done failure: no keys, hello MAC keys, identity or interval");
	nlmsg_free(m);

	/* Failure with a CLOSE: hello MAC keys for the close exchange. */
	a->has_hello_keys = true;
	m = answer_msg(a);
	IS(parse_done(m, tb), 0, "done failure with CLOSE: parses");
	OK(tb[SDRP_A_DONE_HELLO_MAC_C2S] && tb[SDRP_A_DONE_HELLO_MAC_S2C] &&
	   !tb[SDRP_A_DONE_KEYS] && !tb[SDRP_A_DONE_PEER_IDENTITY],
	   "done failure with CLOSE: hello MAC keys, never the epoch keys");
	nlmsg_free(m);

	/* SEND: handle, HELLO and the hello MAC keys. */
	memset(a, 0, sizeof(*a));
	a->cmd = SDRP_CMD_SEND;
	a->handle = 5;
	a->record_len = 1200;
	a->has_hello_keys = true;
	memset(a->hello_mac_c2s, 0xc2, 64);
	memset(a->hello_mac_s2c, 0x2c, 64);
	m = answer_msg(a);
	IS(genlmsg_parse(nlmsg_hdr(m), 0, tb, SDRP_A_SEND_MAX, send_policy), 0,
	   "send: parses under the spec's policy");
	OK(genlmsg_hdr(nlmsg_hdr(m))->cmd == SDRP_CMD_SEND &&
	   nla_get_u32(tb[SDRP_A_SEND_HANDLE]) == 5 &&
	   nla_len(tb[SDRP_A_SEND_RECORD]) == 1200,
	   "send: handle and record");
	OK(tb[SDRP_A_SEND_HELLO_MAC_C2S] && tb[SDRP_A_SEND_HELLO_MAC_S2C] &&
	   ((uint8_t *)nla_data(tb[SDRP_A_SEND_HELLO_MAC_C2S]))[0] == 0xc2 &&
	   ((uint8_t *)nla_data(tb[SDRP_A_SEND_HELLO_MAC_S2C]))[63] == 0x2c,
	   "send: both hello MAC keys, for the kernel's clear CLOSE");
	OK(genlmsg_attrlen(genlmsg_hdr(nlmsg_hdr(m)), 0) ==
	   nla_total_size(4) + nla_total_size(1200) + 2 * nla_total_size(64),
	   "send: nothing else in the message");
	nlmsg_free(m);
	sdrpd_answer_clear(a);
	free(a);
}

int main(void)
{
	test_accept();
	test_accept_errors();
	test_done();
	return tap_done();
}
