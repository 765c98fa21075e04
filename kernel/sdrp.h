/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sdrp module internals shared between its files.
 */
#ifndef _SDRP_H
#define _SDRP_H

#include <linux/types.h>
#include <net/inet_connection_sock.h>

struct net;
struct proto;
struct sock;

/*
 * Per-socket state, hung off icsk_ulp_data from attach until the socket is
 * destroyed.  Freed only by the ULP release hook, so it outlives close().
 */
struct sdrp_sock {
	/* TCP's proto before attach; restored on close so TCP closes alone */
	struct proto *sk_proto;
};

/*
 * icsk_ulp_data is RCU-annotated for ULP diagnostics readers; the socket
 * owner sets it once at attach and clears it only at destroy, so plain
 * access from the owner is safe.
 */
static inline struct sdrp_sock *sdrp_sk(const struct sock *sk)
{
	return (__force struct sdrp_sock *)inet_csk(sk)->icsk_ulp_data;
}

/* Per-netns counters exported in /proc/net/sdrp_stat. */
enum sdrp_stat_item {
	SDRP_STAT_CURR_SESSIONS,	/* sockets with the ULP attached */
	SDRP_STAT_NUM,
};

void sdrp_stats_inc(struct net *net, enum sdrp_stat_item item);
void sdrp_stats_dec(struct net *net, enum sdrp_stat_item item);

int sdrp_stats_init(void);
void sdrp_stats_exit(void);

int sdrp_ulp_init(void);
void sdrp_ulp_exit(void);

#endif /* _SDRP_H */
