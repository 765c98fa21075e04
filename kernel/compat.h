/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place that knows kernel versions.  sdrp supports Debian 12's 6.1
 * and the 6.12 LTS from bookworm-backports; every difference between the two
 * that the module touches is named here, detected from the headers rather
 * than from version numbers (Debian's stable kernels carry backports).
 */
#ifndef _SDRP_COMPAT_H
#define _SDRP_COMPAT_H

#include <linux/socket.h>
#include <linux/sysctl.h>
#include <net/genetlink.h>

/*
 * struct proto lost ->sendpage in 6.5, in the same series that removed the
 * flag only the sendpage path used.  Where it exists a ULP must override it
 * too, or sendfile()/splice() would write around the record layer.  Newer
 * kernels splice through sendmsg() with MSG_SPLICE_PAGES instead.
 */
#ifdef MSG_SENDPAGE_NOTLAST
#define SDRP_HAVE_PROTO_SENDPAGE 1
#endif

#ifdef MSG_SPLICE_PAGES
#define SDRP_MSG_SPLICE	MSG_SPLICE_PAGES
#else
#define SDRP_MSG_SPLICE	0
#endif

/*
 * 6.11 dropped the empty entry that ended every sysctl table; register_sysctl
 * became a macro taking the table's size at the same time.  Until then the
 * terminator is required.
 */
#ifdef register_sysctl
#define SDRP_SYSCTL_END
#else
#define SDRP_SYSCTL_END	{ }
#endif

/*
 * The per-namespace variant followed in 6.6: register_net_sysctl became a
 * macro around register_net_sysctl_sz, which takes the number of entries
 * (the macro's ARRAY_SIZE cannot see through a table allocated per
 * namespace).
 */
#include <net/net_namespace.h>
#ifdef register_net_sysctl
#define sdrp_register_net_sysctl(net, path, table, n) \
	register_net_sysctl_sz(net, path, table, n)
#else
static inline struct ctl_table_header *
sdrp_register_net_sysctl(struct net *net, const char *path,
			 struct ctl_table *table, size_t n)
{
	/* The table ends with its empty entry here instead. */
	return register_net_sysctl(net, path, table);
}
#endif

/*
 * GENL_MCAST_CAP_NET_ADMIN lets a family require CAP_NET_ADMIN to join a
 * multicast group; it came with a security fix that the 6.1 stable series
 * has too (Debian's 6.1.0-56 = 6.1.192 does), so both supported kernels
 * use it.  The sdrpd group's READY carries no secret, only a hint to
 * ACCEPT (itself privileged); requiring the capability keeps an
 * unprivileged listener from passing for a daemon (SDRP_HANDSHAKE's
 * ESRCH check).  A kernel without the flag has no other hook: 6.1's
 * genl_family has no bind callback (6.12 has one).
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define SDRP_GENL_MCAST_FLAGS	GENL_MCAST_CAP_NET_ADMIN
#else
#define SDRP_GENL_MCAST_FLAGS	0
#endif

#endif /* _SDRP_COMPAT_H */
