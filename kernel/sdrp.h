/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sdrp module internals shared between its files.
 *
 * Locking: everything in struct sdrp_sock below the "socket lock" marker is
 * protected by the socket lock (lock_sock).  All protocol work, crypto
 * included, runs in process context under it, preferably in the
 * application's own system calls, as kTLS does (rx.c):
 *
 *  - a task asleep in sdrp_wait() (recv(), send() waiting for its turn,
 *    close()) counts itself in rx_waiters; the callbacks only wake it and
 *    it frames and verifies the records itself;
 *  - a task that holds the socket when bytes arrive (TCP queues them in
 *    the backlog) handles them before it returns (sdrp_rx_before_release),
 *    and release_sock() ends in sdrp_release_cb(), which passes anything
 *    left to rx_work;
 *  - otherwise the per-socket work items (rx_work, tx_work, the timers)
 *    take lock_sock and do it.
 *
 * Softirq context (bh_lock_sock, the socket not owned by a task) runs only
 * the socket callbacks and the strparser's framing (parse_msg, rcv_msg,
 * abort_parser); they touch nothing but the strparser, rx_skb / rx_abort
 * (the parser is paused on a framed record, and only a lock holder
 * unpauses it), the atomic rx_flags, and read rx_waiters, which a task
 * changes only while it owns the socket, so the value is stable whenever
 * the callbacks can run.  rx_pumping is set only by the lock holder around
 * its own call into the strparser, where rcv_msg runs in its context.
 */
#ifndef _SDRP_H
#define _SDRP_H

#include <linux/sockptr.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/strparser.h>
#include <uapi/linux/sdrp.h>
#include <uapi/linux/sdrp_netlink.h>
#include <sdrp/wire.h>

struct aead_request;
struct crypto_aead;
struct crypto_shash;
struct net;
struct proto;
struct sdrp_hs_req;
struct sock;

/*
 * Session states.  Each established state expects at most one message type
 * from the peer besides the ones accepted in every state (RESEND LAST,
 * CLOSE, CLOSED WITHOUT ACK): see the table in session.c.
 */
enum sdrp_sess_state {
	SDRP_SESS_NONE,			/* attached, no keys yet */
	SDRP_SESS_HANDSHAKE,		/* initial handshake, no keys yet */
	SDRP_SESS_S_WAIT_ACK,		/* server: keys set, waiting for ACK */
	SDRP_SESS_C_IDLE,		/* client: may send a request */
	SDRP_SESS_C_WAIT_RESPONSE,	/* client: request sent */
	SDRP_SESS_C_WAIT_HELLO,		/* client: interval done, rekey due */
	SDRP_SESS_C_WAIT_ACK,		/* client: sent rekey HELLO ACK */
	SDRP_SESS_S_WAIT_REQUEST,	/* server: waiting for a request */
	SDRP_SESS_S_HAVE_REQUEST,	/* server: application owes a response */
	SDRP_SESS_S_WAIT_DATA_ACK,	/* server: response sent */
	SDRP_SESS_S_WAIT_HELLO_ACK,	/* server: sent rekey HELLO */
	SDRP_SESS_CLOSING,		/* sent CLOSE, waiting for CLOSE ACK */
	SDRP_SESS_CLOSED,
	SDRP_SESS_NUM,
};

/* One direction's crypto state of a key epoch. */
struct sdrp_dir_crypto {
	struct crypto_aead *aead;	/* gcm(aes), keyed */
	/* the direction's one GCM request: records go one at a time */
	struct aead_request *req;
	struct crypto_shash *hmac;	/* hmac(sha512), keyed */
	u8 iv[SDRP_IV_LEN];
	u64 counter;			/* next record counter */
};

/*
 * Keys of one epoch in both directions.  The transforms are allocated
 * before the epoch starts (see sdrp_rekey_prepare) so that no transform is
 * ever allocated on the record path or on the rekey's critical path.
 */
struct sdrp_epoch {
	u32 epoch;
	struct sdrp_dir_crypto tx;
	struct sdrp_dir_crypto rx;
	u8 chain_key[SDRP_CHAIN_KEY_LEN];	/* ck for the next epoch */
};

/* A message as the protocol sees it: type, sequence number and data. */
struct sdrp_msg {
	u8 type;
	u64 seq;
	u64 nonce;
	u32 len;
	u8 data[];
};

/* A record waiting to be handed to TCP (all of it, in one piece). */
struct sdrp_txrec {
	struct list_head list;
	u32 len;
	u32 sent;
	u8 buf[];
};

/* The fields of a received message, pointing into its decrypted record. */
struct sdrp_rx_view {
	u8 type;
	u64 seq;
	u64 ttl;
	u64 nonce;
	const u8 *data;
	u32 len;
};

/* A received, verified and decrypted DATA REQUEST or RESPONSE. */
struct sdrp_rxmsg {
	u32 len;
	u32 off;		/* bytes already read by the application */
	u8 *data;		/* points into buf */
	u8 *buf;		/* kvmalloc'ed decrypted record */
	u32 buf_len;
};

/*
 * Records of ours waiting for TCP beyond this stop the processing of the
 * peer's records (each may make us answer): a peer that does not read
 * cannot make us queue without bound, e.g. with RESEND LASTs.
 */
#define SDRP_TX_QUEUE_MAX	(2 * SDRP_MAX_RECORD)

/*
 * A retransmission set holds at most a client's ACK or DATA ACK and the
 * DATA REQUEST that follows it.
 */
#define SDRP_RETX_MAX	2

/* rx_flags: a callback left something for the socket lock's holder. */
enum {
	SDRP_RX_KICK,
};

/* Ephemeral X25519 key pair, made ahead of its rekey. */
struct sdrp_keypair {
	u8 secret[SDRP_X25519_LEN];
	u8 pub[SDRP_X25519_LEN];
};

/*
 * Per-socket state, hung off icsk_ulp_data from attach until the socket is
 * destroyed.  Everything that needs process context is torn down by
 * close(); only this structure itself lives on until the ULP release hook.
 */
struct sdrp_sock {
	struct sock *sk;
	/* TCP's proto before attach; restored on close so TCP closes alone */
	struct proto *sk_proto;
	void (*saved_data_ready)(struct sock *sk);
	void (*saved_write_space)(struct sock *sk);
	void (*saved_state_change)(struct sock *sk);

	struct strparser strp;
	struct work_struct rx_work;	/* records and transport events */
	struct work_struct tx_work;	/* push queued records to TCP */
	struct work_struct kp_work;	/* prepare the next key pair */
	struct delayed_work recv_timer;
	struct delayed_work close_timer;
	struct delayed_work flush_timer;	/* sends a held DATA ACK */
	/* after close(): hands the socket to TCP once the session is CLOSED */
	struct work_struct orphan_work;
	/* after close(): the sock's socket until orphan_work (ulp.c) */
	struct socket_alloc *orphan_sock;

	/* ---- socket lock ---- */
	bool started;			/* keys set, callbacks installed */
	bool stopping;			/* teardown began: no new work */
	bool orphan;			/* close() returned, CLOSE exchange on */
	/* app close during the server's rekey, or as sdrpd answered */
	bool close_deferred;
	u8 role;			/* enum sdrp_role */
	u8 state;			/* enum sdrp_sess_state */
	u8 close_reason;		/* enum sdrp_close_reason */
	u8 fail_reason;			/* first bad record under RESEND */
	int err;			/* sticky errno once closed */
	bool recv_timer_armed;
	bool close_timer_armed;
	unsigned long recv_deadline;	/* jiffies */
	unsigned long close_deadline;
	bool peer_eof;			/* peer closed: recv() returns 0 */
	u32 retries;			/* RESEND LASTs or CLOSEs sent */
	u64 close_seq;			/* seq of our CLOSE, for its repeats */
	u32 responses;			/* acknowledged responses in epoch */

	struct sdrp_params params;
	struct sdrp_epoch *epoch;	/* current keys */
	struct sdrp_epoch *next_epoch;	/* transforms ready for the next */
	u64 tx_seq;			/* our direction's next seq */
	u64 rx_seq;			/* peer's next expected seq */

	struct sk_buff *rx_skb;		/* framed record not yet processed */
	int rx_abort;			/* framing error from the strparser */
	unsigned long rx_flags;		/* SDRP_RX_*, atomic bit ops */
	int rx_waiters;			/* tasks asleep in sdrp_wait() */
	bool rx_pumping;		/* lock holder runs the strparser */
	bool rx_busy;			/* lock holder in sdrp_rx_process() */
	/* plaintext of a received protocol message without data */
	u8 rx_ctrl[SDRP_HDR_LEN + SDRP_SEQ_LEN + SDRP_TTL_LEN +
		   SDRP_X25519_LEN] __aligned(8);
	struct sdrp_rxmsg *rx_msg;	/* data for the application */
	struct sdrp_msg *held;		/* client request held over a rekey */
	/*
	 * Retransmission set (protocol.rst, "RESEND LAST"): ACK, DATA
	 * REQUEST, DATA RESPONSE and DATA ACK sent since we last accepted
	 * a message other than RESEND LAST, oldest first.
	 */
	struct sdrp_msg *retx[SDRP_RETX_MAX];
	u8 retx_n;
	bool retx_ever;			/* a normal-flow message was sent */
	/*
	 * The first messages accepted after our last RESEND LAST: a
	 * retransmission that crossed it repeats one of them (session.c).
	 */
	struct sdrp_seen {
		u8 type;
		u64 seq;
	} seen[SDRP_RETX_MAX];
	u8 seen_open;			/* slots of seen[] still to fill */
	struct list_head tx_list;	/* struct sdrp_txrec */
	u32 tx_queued;			/* bytes in tx_list not yet sent */
	bool tx_hold;			/* tx_list ends with a held DATA ACK */

	struct sdrp_keypair *kp;	/* ours for the next rekey */
	u8 hello_rec[SDRP_HDR_LEN + SDRP_SEQ_LEN + SDRP_TTL_LEN +
		     SDRP_X25519_LEN + SDRP_GCM_TAG_LEN + SDRP_MAC_LEN];

	struct sdrp_info info;		/* counters for SDRP_INFO */

	/* initial handshake through sdrpd (handshake.c) */
	struct sdrp_hs_req *hs;		/* request of SDRP_HANDSHAKE, if any */
	u32 hs_handle;			/* its handle, for SESSIONS */
	bool hs_rx_held;		/* a turn is with the daemon */
	bool rx_clear;			/* dispatching a clear record */
	struct sdrp_clear *clear;	/* hello MAC keys, until established */
	char peer_identity[SDRP_IDENTITY_MAX + 1];	/* verified by sdrpd */

	/* the namespace's list for SESSIONS (netlink.c) */
	struct list_head node;
	unsigned long ino;
	struct rcu_head rcu;
};

/*
 * Clear records (CLOSE, CLOSE ACK, CLOSED WITHOUT ACK) before the epoch 0
 * keys are in use: HMAC only, with the s0-derived hello MAC key of each
 * direction and the clear record counters (Documentation/protocol.rst,
 * "Close before the keys exist").
 */
struct sdrp_clear {
	struct sdrp_dir_crypto tx;
	struct sdrp_dir_crypto rx;
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
	SDRP_STAT_CURR_ORPHANS,		/* closed, CLOSE exchange still on */
	SDRP_STAT_ESTABLISHED,		/* sessions that got keys */
	SDRP_STAT_RECORDS_IN,		/* records accepted */
	SDRP_STAT_RECORDS_OUT,		/* records sent */
	SDRP_STAT_REKEYS,		/* epochs switched by a rekey */
	SDRP_STAT_RESEND_OUT,		/* RESEND LASTs sent */
	SDRP_STAT_RESEND_IN,		/* messages retransmitted on request */
	SDRP_STAT_ORPHANS_REFUSED,	/* close() aborted at max_orphans */
	/* one per enum sdrp_close_reason, LOCAL..INTERNAL */
	SDRP_STAT_CLOSE_FIRST,
	SDRP_STAT_CLOSE_LAST = SDRP_STAT_CLOSE_FIRST +
			       SDRP_CLOSE_REASON_MAX - 1,
	/* one per kind of rejected record */
	SDRP_STAT_RX_BAD_HEADER,
	SDRP_STAT_RX_OLD_EPOCH,
	SDRP_STAT_RX_BAD_MAC,
	SDRP_STAT_RX_BAD_LAYOUT,
	SDRP_STAT_RX_BAD_TYPE,
	SDRP_STAT_RX_BAD_SEQ,
	SDRP_STAT_RX_STALE_TTL,
	SDRP_STAT_RX_FUTURE_TTL,
	/* initial handshakes through sdrpd */
	SDRP_STAT_HS_STARTED,		/* SDRP_HANDSHAKE calls with a request */
	SDRP_STAT_HS_DONE,		/* authenticated, keys installed */
	SDRP_STAT_HS_NO_DAEMON,		/* ESRCH: no sdrpd listening */
	SDRP_STAT_HS_BAD_ANSWER,	/* SEND / DONE refused with EINVAL */
	SDRP_STAT_HS_CANCELLED,		/* signal or transport end */
	/* one per enum sdrp_hs_error, MALFORMED..INTERNAL */
	SDRP_STAT_HS_ERR_FIRST,
	SDRP_STAT_HS_ERR_LAST = SDRP_STAT_HS_ERR_FIRST +
				SDRP_HS_ERROR_INTERNAL - 1,
	SDRP_STAT_NUM,
};

void sdrp_stats_inc(struct net *net, enum sdrp_stat_item item);
void sdrp_stats_dec(struct net *net, enum sdrp_stat_item item);
bool sdrp_orphans_charge(struct net *net);
void sdrp_orphans_uncharge(struct net *net);
int sdrp_stats_init(void);
void sdrp_stats_exit(void);

/* sysctl.c: per-netns defaults of struct sdrp_params, max_orphans */
void sdrp_params_default(const struct net *net, struct sdrp_params *p);
int sdrp_params_check(const struct sdrp_params *p);
unsigned int sdrp_max_orphans(const struct net *net);
int sdrp_sysctl_init(void);
void sdrp_sysctl_exit(void);

int sdrp_ulp_init(void);
void sdrp_ulp_exit(void);
void sdrp_orphan_work(struct work_struct *work);

/* crypto.c */
int sdrp_crypto_init(void);
void sdrp_crypto_exit(void);
struct sdrp_epoch *sdrp_epoch_alloc(void);
void sdrp_epoch_free(struct sdrp_epoch *ep);
int sdrp_epoch_set_keys(struct sdrp_epoch *ep, u8 role,
			const struct sdrp_keys *keys);
int sdrp_seal(struct sdrp_dir_crypto *dc, u8 *rec, u32 inner_len);
int sdrp_open(struct sdrp_dir_crypto *dc, u8 *rec, u32 rec_len);
int sdrp_open_skb(struct sdrp_dir_crypto *dc, struct sk_buff *skb,
		  u32 offset, u32 rec_len, u8 *out);
int sdrp_dir_mac_init(struct sdrp_dir_crypto *dc, const u8 *key, u64 counter);
void sdrp_dir_mac_free(struct sdrp_dir_crypto *dc);
int sdrp_seal_clear(struct sdrp_dir_crypto *dc, u8 *rec, u32 inner_len);
int sdrp_open_clear(struct sdrp_dir_crypto *dc, u8 *rec, u32 rec_len);
int sdrp_hkdf_extract(const u8 *salt, size_t salt_len, const u8 *ikm,
		      size_t ikm_len, u8 prk[SDRP_HASH_LEN]);
int sdrp_hkdf_expand(const u8 prk[SDRP_HASH_LEN], const char *label,
		     const u8 *ctx, size_t ctx_len, u8 *out, size_t out_len);
int sdrp_sha512(const u8 *a, size_t a_len, const u8 *b, size_t b_len,
		u8 out[SDRP_HASH_LEN]);
int sdrp_derive_epoch(const u8 chain_key[SDRP_CHAIN_KEY_LEN],
		      const u8 dh[SDRP_X25519_LEN], const u8 th[SDRP_HASH_LEN],
		      struct sdrp_keys *keys);

/* rekey.c */
void sdrp_rekey_prepare(struct sdrp_sock *ctx);
void sdrp_kp_work(struct work_struct *work);
int sdrp_rekey_start(struct sdrp_sock *ctx);
int sdrp_rekey_hello(struct sdrp_sock *ctx, const u8 *rec, u32 rec_len,
		     const struct sdrp_rx_view *hello);
int sdrp_rekey_hello_ack(struct sdrp_sock *ctx, const u8 *rec, u32 rec_len,
			 const struct sdrp_rx_view *ack);
void sdrp_rekey_free(struct sdrp_sock *ctx);

/* tx.c */
int sdrp_tx_msg(struct sdrp_sock *ctx, struct sdrp_msg *msg);
int sdrp_tx_msg_wire(struct sdrp_sock *ctx, struct sdrp_msg *msg, u8 *wire,
		     u32 wire_len);
int sdrp_tx_simple(struct sdrp_sock *ctx, u8 type);
int sdrp_tx_resend(struct sdrp_sock *ctx);
void sdrp_tx_retx_clear(struct sdrp_sock *ctx);
int sdrp_tx_again(struct sdrp_sock *ctx, const struct sdrp_msg *msg);
int sdrp_tx_raw(struct sdrp_sock *ctx, const u8 *buf, u32 len);
int sdrp_tx_build(struct sdrp_sock *ctx, const struct sdrp_msg *msg,
		  struct sdrp_txrec **out);
int sdrp_tx_data_ack(struct sdrp_sock *ctx, bool hold);
void sdrp_tx_push(struct sdrp_sock *ctx);
void sdrp_tx_flush(struct sdrp_sock *ctx);
void sdrp_tx_work(struct work_struct *work);
void sdrp_tx_purge(struct sdrp_sock *ctx);
struct sdrp_msg *sdrp_msg_alloc(u8 type, u32 len);
u64 sdrp_now_ms(void);

/* rx.c */
int sdrp_rx_start(struct sdrp_sock *ctx);
void sdrp_rx_stop(struct sdrp_sock *ctx);
void sdrp_rx_work(struct work_struct *work);
void sdrp_rx_process(struct sdrp_sock *ctx);
void sdrp_rx_kick(struct sdrp_sock *ctx);
void sdrp_rx_before_release(struct sdrp_sock *ctx);
void sdrp_release_cb(struct sock *sk);
void sdrp_rxmsg_free(struct sdrp_rxmsg *m);
void sdrp_rx_resume(struct sdrp_sock *ctx);

/* session.c */
int sdrp_sess_start(struct sdrp_sock *ctx, const struct sdrp_keys *keys);
int sdrp_sess_begin(struct sdrp_sock *ctx);
int sdrp_sess_install(struct sdrp_sock *ctx, const struct sdrp_keys *keys);
void sdrp_sess_established(struct sdrp_sock *ctx, u8 state);
void sdrp_sess_closing(struct sdrp_sock *ctx, u8 reason, u64 close_seq);
void sdrp_sess_stop(struct sdrp_sock *ctx);
void sdrp_sess_dispatch(struct sdrp_sock *ctx, const struct sdrp_rx_view *v,
			const u8 *wire, u32 wire_len, struct sdrp_rxmsg **m);
bool sdrp_sess_expects(const struct sdrp_sock *ctx, u8 type);
bool sdrp_sess_may_send(const struct sdrp_sock *ctx);
bool sdrp_sess_may_wait_recv(const struct sdrp_sock *ctx);
void sdrp_sess_set_state(struct sdrp_sock *ctx, u8 state);
void sdrp_sess_reject(struct sdrp_sock *ctx, u8 reason);
void sdrp_sess_reject_header(struct sdrp_sock *ctx);
void sdrp_sess_reject_msg(struct sdrp_sock *ctx, u8 reason,
			  const struct sdrp_rx_view *v);
void sdrp_sess_fail(struct sdrp_sock *ctx, u8 reason);
void sdrp_sess_close(struct sdrp_sock *ctx);
void sdrp_sess_closed(struct sdrp_sock *ctx, u8 reason);
void sdrp_sess_end_now(struct sdrp_sock *ctx, u8 type, u8 reason);
u8 sdrp_sess_uapi_state(const struct sdrp_sock *ctx);
bool sdrp_sess_open(const struct sdrp_sock *ctx);
int sdrp_sess_errno(u8 reason);
void sdrp_sess_recv_timeout(struct sdrp_sock *ctx);
void sdrp_sess_close_timeout(struct sdrp_sock *ctx);
void sdrp_sess_wake(struct sdrp_sock *ctx);

/* handshake.c: SDRP_HANDSHAKE, the request lifecycle, clear records */
int sdrp_hs_init(void);
void sdrp_hs_exit(void);
int sdrp_hs_setsockopt(struct sock *sk, sockptr_t optval,
		       unsigned int optlen);
bool sdrp_hs_rx(struct sdrp_sock *ctx, const struct sdrp_hdr *hdr,
		struct sk_buff *skb);
struct sdrp_dir_crypto *sdrp_hs_clear_rx(struct sdrp_sock *ctx);
struct sdrp_dir_crypto *sdrp_hs_clear_tx(struct sdrp_sock *ctx, u8 type);
void sdrp_hs_acked(struct sdrp_sock *ctx);
void sdrp_hs_cancel(struct sdrp_sock *ctx, u32 status, u8 reason);
void sdrp_hs_stop(struct sdrp_sock *ctx);

/* netlink.c: the generic netlink family "sdrp", the list for SESSIONS */
int sdrp_nl_init(void);
void sdrp_nl_exit(void);
void sdrp_nl_sock_add(struct sdrp_sock *ctx);
void sdrp_nl_sock_del(struct sdrp_sock *ctx);

/* ulp.c */
void sdrp_get_info(const struct sdrp_sock *ctx, struct sdrp_info *info);

/* timers.c */
void sdrp_timers_init(struct sdrp_sock *ctx);
void sdrp_timers_stop(struct sdrp_sock *ctx);
void sdrp_timers_recv_arm(struct sdrp_sock *ctx);
void sdrp_timers_recv_disarm(struct sdrp_sock *ctx);
void sdrp_timers_close_arm(struct sdrp_sock *ctx);
void sdrp_timers_close_disarm(struct sdrp_sock *ctx);
void sdrp_timers_flush_arm(struct sdrp_sock *ctx);
void sdrp_timers_flush_disarm(struct sdrp_sock *ctx);

/* io.c: the application's system calls */
int sdrp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size);
int sdrp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
		 int flags, int *addr_len);
__poll_t sdrp_poll(struct file *file, struct socket *sock,
		   struct poll_table_struct *wait);
bool sdrp_sock_is_readable(struct sock *sk);
int sdrp_wait(struct sdrp_sock *ctx, long *timeo,
	      bool (*cond)(const struct sdrp_sock *ctx));

/* selftest.c */
int sdrp_selftest(void);

extern struct workqueue_struct *sdrp_wq;

#endif /* _SDRP_H */
