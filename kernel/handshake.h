/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handshake upcall shared by handshake.c (request lifecycle, the
 * socket side) and netlink.c (the generic netlink family "sdrp").
 * Documentation/netlink/handshake.rst describes the protocol.
 */
#ifndef _SDRP_HANDSHAKE_H
#define _SDRP_HANDSHAKE_H

#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <uapi/linux/sdrp.h>
#include <uapi/linux/sdrp_netlink.h>

struct net;
struct sk_buff;

/*
 * Where a request is, as seen from the daemon.  Every field of a request
 * that changes after it was created is protected by its namespace's
 * sdrp_hs_net.lock.
 */
enum sdrp_hs_phase {
	SDRP_HS_WAIT_PEER,	/* the peer's HELLO / HELLO ACK is due */
	SDRP_HS_QUEUED,		/* in a turn, waiting for ACCEPT */
	SDRP_HS_ACCEPTED,	/* a port owns the turn */
	SDRP_HS_COMPLETED,	/* result set; no longer in the handle map */
};

/* One end of the connection, for ACCEPT and SESSIONS. */
struct sdrp_hs_addr {
	bool ipv6;
	__be32 v4;
	struct in6_addr v6;
	__be16 port;
	u32 scope_id;
};

/* The two hello MAC keys derived from s0 (secret). */
struct sdrp_hs_hello_keys {
	u8 c2s[SDRP_HELLO_MAC_LEN];
	u8 s2c[SDRP_HELLO_MAC_LEN];
};

/*
 * How a request ended: a DONE, or the kernel (timeout, owner gone,
 * cancellation).  Holds keys: wiped with kfree_sensitive().
 */
struct sdrp_hs_result {
	u32 status;			/* 0 or a positive errno */
	u8 close_reason;		/* enum sdrp_close_reason, status != 0 */
	u8 error;			/* enum sdrp_hs_error, status != 0 */
	bool invalid;			/* an attribute out of bounds */
	bool has_keys;			/* DONE carried keys */
	u8 n_hello_keys;		/* hello MAC keys DONE carried, 0..2 */
	u32 rekey_interval;		/* 0: absent */
	struct sdrp_keys keys;
	struct sdrp_hs_hello_keys hello_keys;
	char peer[SDRP_IDENTITY_MAX + 1];	/* "": absent */
	u32 record_len;			/* 0: no record to send */
	u8 record[SDRP_HELLO_RECORD_MAX];
};

/*
 * A handshake request.  The application's thread, sleeping in
 * setsockopt(SDRP_HANDSHAKE), owns it and does all the socket work; the
 * netlink handlers and the receive path only move it between phases and
 * wake that thread.  Everything ACCEPT reports is copied in at creation
 * (or, for the record, before it is queued), so that a reply can be built
 * from a reference alone, without the socket.
 */
struct sdrp_hs_req {
	refcount_t ref;
	struct list_head queue;		/* sdrp_hs_net.queue while QUEUED */
	struct sdrp_sock *ctx;		/* valid while in the handle map */
	struct net *net;
	u32 handle;
	u32 portid;			/* owner of the turn, 0 if none */
	u8 phase;			/* enum sdrp_hs_phase */
	u8 turn;			/* enum sdrp_turn */
	u8 role;
	bool hello_due;			/* SEND gave a HELLO to send */
	bool acked;			/* server: the client's ACK came */
	u32 status;			/* kernel's failure, if no DONE */
	u8 close_reason;
	u8 stat;			/* enum sdrp_stat_item to count */
	unsigned long deadline;		/* jiffies */
	u32 rekey_interval;
	u32 ttl_ms;
	u32 clock_skew_ms;
	struct sdrp_hs_addr local;
	struct sdrp_hs_addr remote;
	char peer[SDRP_IDENTITY_MAX + 1];	/* asked for, "" if none */
	u8 *record;			/* the peer's record of this turn */
	u32 record_len;
	/* the peer's clear record 0 was read, accepted or not (lock_sock) */
	bool peer_clear_read;
	u8 *hello;			/* SEND's HELLO, until sent */
	u32 hello_len;
	u64 hello_seq;			/* its seq n */
	/* SEND's hello MAC keys (secret), for a CLOSE instead of DONE */
	bool has_hello_keys;
	struct sdrp_hs_hello_keys hello_keys;
	struct sdrp_hs_result *res;	/* set when COMPLETED */
};

/* handshake.c, for netlink.c */
int sdrp_hs_accept(struct net *net, u32 portid, struct sdrp_hs_req **out);
void sdrp_hs_requeue(struct sdrp_hs_req *req);
void sdrp_hs_req_put(struct sdrp_hs_req *req);
int sdrp_hs_send(struct net *net, u32 portid, u32 handle, const u8 *rec,
		 u32 len, const struct sdrp_hs_hello_keys *keys);
int sdrp_hs_done(struct net *net, u32 portid, u32 handle,
		 struct sdrp_hs_result *res);
void sdrp_hs_addr_get(const struct sock *sk, struct sdrp_hs_addr *local,
		      struct sdrp_hs_addr *remote);

/* netlink.c, for handshake.c */
bool sdrp_nl_has_listeners(struct net *net, u32 pending);
int sdrp_nl_ready(struct net *net, u32 pending);

#endif /* _SDRP_HANDSHAKE_H */
