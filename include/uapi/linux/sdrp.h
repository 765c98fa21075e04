/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * sdrp socket API: the TCP upper-layer protocol "sdrp" and its options.
 *
 *   setsockopt(fd, SOL_TCP, TCP_ULP, "sdrp", sizeof("sdrp"));
 *   setsockopt(fd, SOL_SDRP, SDRP_KEYS, &keys, sizeof(keys));
 *
 * Documentation/sdrp.rst is the user guide; Documentation/protocol.rst the
 * wire protocol.
 */
#ifndef _UAPI_LINUX_SDRP_H
#define _UAPI_LINUX_SDRP_H

#include <linux/types.h>

/* Socket option level of the sdrp ULP. */
#define SOL_SDRP		0x5344	/* 'S' 'D' */

/* Socket options at SOL_SDRP. */
enum {
	SDRP_KEYS	= 1,	/* set: struct sdrp_keys, enter ESTABLISHED */
	SDRP_PARAMS	= 2,	/* get/set: struct sdrp_params */
	SDRP_INFO	= 3,	/* get: struct sdrp_info */
	SDRP_HANDSHAKE	= 4,	/* set: struct sdrp_handshake (daemon path) */
	SDRP_PEER_IDENTITY = 5,	/* get: verified peer identity, a string */
};

enum sdrp_role {
	SDRP_ROLE_CLIENT = 1,
	SDRP_ROLE_SERVER = 2,
};

/* What a receiver does with an invalid or missing message. */
enum sdrp_recv_policy {
	SDRP_POLICY_CLOSE	= 1,	/* paper's state machines: CLOSE */
	SDRP_POLICY_RESEND	= 2,	/* up to max_retries RESEND LAST first */
};

/*
 * Keys and sequence state of one epoch as produced by the key schedule of
 * Documentation/protocol.rst.  c2s is the client-to-server direction.
 * The chain key is kept so that the kernel can derive later epochs.
 */
struct sdrp_dir_keys {
	__u8	key[32];	/* AES-256-GCM key */
	__u8	iv[12];		/* GCM IV base */
	__u8	mac[64];	/* HMAC-SHA512 key */
};

struct sdrp_keys {
	__u8	role;		/* enum sdrp_role of this socket */
	__u8	reserved[3];	/* must be zero */
	__u32	epoch;		/* epoch these keys belong to */
	__u64	c2s_seq;	/* next sequence number client -> server */
	__u64	s2c_seq;	/* next sequence number server -> client */
	__u64	c2s_counter;	/* next record counter client -> server */
	__u64	s2c_counter;	/* next record counter server -> client */
	struct sdrp_dir_keys c2s;
	struct sdrp_dir_keys s2c;
	__u8	chain_key[64];	/* ck for the next epoch's key schedule */
};

/*
 * Per-socket parameters; the defaults come from the net.sdrp.* sysctls,
 * which start at the paper's values.  A zero field in a set request keeps
 * the current value.
 */
struct sdrp_params {
	__u32	rekey_interval;		/* DATA RESPONSEs per epoch (10) */
	__u32	ttl_ms;			/* TTL window (25000) */
	__u32	clock_skew_ms;		/* tolerated future ttl (5000) */
	__u32	recv_timeout_ms;	/* receive timer (45000) */
	__u32	close_timeout_ms;	/* wait for CLOSE ACK (45000) */
	__u32	max_retries;		/* RESEND LASTs or CLOSEs (3) */
	__u32	policy;			/* enum sdrp_recv_policy (CLOSE) */
	__u32	reserved;
};

enum sdrp_state {
	SDRP_STATE_NONE		= 0,	/* ULP attached, no keys yet */
	SDRP_STATE_HANDSHAKE	= 1,	/* initial HELLO / HELLO ACK / ACK */
	SDRP_STATE_ESTABLISHED	= 2,
	SDRP_STATE_REKEY	= 3,	/* last DATA ACK to rekey ACK */
	SDRP_STATE_CLOSING	= 4,	/* sent CLOSE, waiting for CLOSE ACK */
	SDRP_STATE_CLOSED	= 5,
};

/*
 * Why a session ended.  Each one maps to the errno that the application's
 * calls return afterwards (see Documentation/sdrp.rst).
 */
enum sdrp_close_reason {
	SDRP_CLOSE_NONE		= 0,	/* still open */
	SDRP_CLOSE_LOCAL	= 1,	/* we sent CLOSE, got CLOSE ACK: EPIPE */
	SDRP_CLOSE_PEER		= 2,	/* peer sent CLOSE: EOF, then EPIPE */
	SDRP_CLOSE_PEER_NO_ACK	= 3,	/* peer sent CLOSED WITHOUT ACK: ECONNRESET */
	SDRP_CLOSE_NO_ACK	= 4,	/* our CLOSEs unanswered: ETIMEDOUT */
	SDRP_CLOSE_BAD_MAC	= 5,	/* HMAC or GCM tag failed: EBADMSG */
	SDRP_CLOSE_BAD_SEQ	= 6,	/* wrong sequence number: EPROTO */
	SDRP_CLOSE_STALE_TTL	= 7,	/* ttl in the past: ETIME */
	SDRP_CLOSE_FUTURE_TTL	= 8,	/* ttl too far ahead: ETIME */
	SDRP_CLOSE_OLD_EPOCH	= 9,	/* record under another epoch: EPROTO */
	SDRP_CLOSE_BAD_TYPE	= 10,	/* message not valid in this state: EPROTO */
	SDRP_CLOSE_MALFORMED	= 11,	/* header or layout invalid: EPROTO */
	SDRP_CLOSE_TIMEOUT	= 12,	/* receive timer expired: ETIMEDOUT */
	SDRP_CLOSE_RETRIES	= 13,	/* RESEND LASTs exhausted: ETIMEDOUT */
	SDRP_CLOSE_TRANSPORT	= 14,	/* TCP reset or EOF mid-session: ECONNRESET */
	SDRP_CLOSE_AUTH		= 15,	/* handshake authentication failed */
	SDRP_CLOSE_INTERNAL	= 16,	/* local resource failure: ENOMEM etc. */
	SDRP_CLOSE_REASON_MAX	= SDRP_CLOSE_INTERNAL,
};

struct sdrp_info {
	__u8	state;			/* enum sdrp_state */
	__u8	role;			/* enum sdrp_role */
	__u8	close_reason;		/* enum sdrp_close_reason */
	__u8	reserved;
	__s32	close_errno;		/* errno calls return after close */
	__u32	epoch;
	__u32	responses_in_epoch;	/* acknowledged DATA RESPONSEs */
	__u64	records_tx;
	__u64	records_rx;
	__u64	bytes_tx;		/* application bytes */
	__u64	bytes_rx;
	__u64	rekeys;
	__u64	resends;		/* RESEND LASTs sent */
};

#define SDRP_IDENTITY_MAX	255

/*
 * SDRP_HANDSHAKE: run the initial handshake through sdrpd.  The call
 * blocks until the session is established (0) or failed (its errno), at
 * most timeout_ms.  SDRP_PEER_IDENTITY then reads the identity sdrpd
 * verified (NUL-terminated, at most SDRP_IDENTITY_MAX + 1 bytes).
 */
struct sdrp_handshake {
	__u8	role;				/* enum sdrp_role */
	__u8	reserved[3];
	__u32	timeout_ms;			/* 0: the sysctl default */
	char	peer[SDRP_IDENTITY_MAX + 1];	/* expected peer identity */
};

#endif /* _UAPI_LINUX_SDRP_H */
