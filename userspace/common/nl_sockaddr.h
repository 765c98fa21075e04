/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * The nested socket address of the "sdrp" generic netlink family
 * (SDRP_A_SOCKADDR_*, Documentation/netlink/specs/sdrp.yaml): parsed and
 * printed the same way by sdrpd (ACCEPT replies) and sdrpctl (SESSIONS
 * dumps).  Header-only because those two link libnl and libsdrp does not.
 */
#ifndef SDRP_NL_SOCKADDR_H
#define SDRP_NL_SOCKADDR_H

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <linux/sdrp_netlink.h>

/* Room for the longest "[address%scope]:port". */
#define SDRP_SOCKADDR_STRLEN	(INET6_ADDRSTRLEN + 32)

/*
 * @nest: exactly one address and the port (absent: an end the kernel does
 * not know, @ss zeroed, family 0).  IPv4 address and ports are in network
 * byte order on the wire, as in struct sockaddr_in/in6.
 *
 * Return: 0, or -EPROTO for a malformed address.
 */
static inline int sdrp_nl_sockaddr_parse(struct nlattr *nest,
					 struct sockaddr_storage *ss)
{
	static const struct nla_policy policy[SDRP_A_SOCKADDR_MAX + 1] = {
		[SDRP_A_SOCKADDR_IPV4]	   = { .type = NLA_U32 },
		[SDRP_A_SOCKADDR_IPV6]	   = {
			.minlen = sizeof(struct in6_addr),
			.maxlen = sizeof(struct in6_addr) },
		[SDRP_A_SOCKADDR_PORT]	   = { .type = NLA_U16 },
		[SDRP_A_SOCKADDR_SCOPE_ID] = { .type = NLA_U32 },
	};
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct nlattr *tb[SDRP_A_SOCKADDR_MAX + 1];

	memset(ss, 0, sizeof(*ss));
	if (!nest)
		return 0;
	if (nla_parse_nested(tb, SDRP_A_SOCKADDR_MAX, nest, policy) ||
	    !tb[SDRP_A_SOCKADDR_IPV4] == !tb[SDRP_A_SOCKADDR_IPV6] ||
	    !tb[SDRP_A_SOCKADDR_PORT])
		return -EPROTO;
	if (tb[SDRP_A_SOCKADDR_IPV4]) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = nla_get_u32(tb[SDRP_A_SOCKADDR_IPV4]);
		sin->sin_port = nla_get_u16(tb[SDRP_A_SOCKADDR_PORT]);
		return 0;
	}
	sin6->sin6_family = AF_INET6;
	nla_memcpy(&sin6->sin6_addr, tb[SDRP_A_SOCKADDR_IPV6],
		   sizeof(sin6->sin6_addr));
	sin6->sin6_port = nla_get_u16(tb[SDRP_A_SOCKADDR_PORT]);
	if (tb[SDRP_A_SOCKADDR_SCOPE_ID])
		sin6->sin6_scope_id =
			nla_get_u32(tb[SDRP_A_SOCKADDR_SCOPE_ID]);
	return 0;
}

/* "192.0.2.1:4433", "[fe80::1%3]:4433", or "-" for an unknown end. */
static inline void sdrp_sockaddr_format(const struct sockaddr_storage *ss,
					char *buf, size_t size)
{
	const struct sockaddr_in6 *sin6 = (const void *)ss;
	const struct sockaddr_in *sin = (const void *)ss;
	char a[INET6_ADDRSTRLEN];

	switch (ss->ss_family) {
	case AF_INET:
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, ntohs(sin->sin_port));
		break;
	case AF_INET6:
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		if (sin6->sin6_scope_id)
			snprintf(buf, size, "[%s%%%u]:%u", a,
				 sin6->sin6_scope_id, ntohs(sin6->sin6_port));
		else
			snprintf(buf, size, "[%s]:%u", a,
				 ntohs(sin6->sin6_port));
		break;
	default:
		snprintf(buf, size, "-");
		break;
	}
}

#endif /* SDRP_NL_SOCKADDR_H */
