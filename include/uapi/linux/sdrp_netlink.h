/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * Generic netlink family "sdrp": the handshake upcall to sdrpd and the list
 * of live sessions.
 *
 * Written by hand to match Documentation/netlink/specs/sdrp.yaml, the
 * single source of truth (userspace/sdrpd/tests/check_uapi.py checks every
 * name and value against it).  Documentation/netlink/handshake.rst explains
 * the protocol.
 */
#ifndef _UAPI_LINUX_SDRP_NETLINK_H
#define _UAPI_LINUX_SDRP_NETLINK_H

#define SDRP_FAMILY_NAME	"sdrp"
#define SDRP_FAMILY_VERSION	1

/* Longest record attribute: an initial HELLO / HELLO ACK, 12+8+8+8192+64. */
#define SDRP_HELLO_RECORD_MAX	8284
/* sizeof(struct sdrp_keys) of <linux/sdrp.h>. */
#define SDRP_KEYS_LEN		320
/* A hello MAC key (HMAC-SHA512). */
#define SDRP_HELLO_MAC_LEN	64

/**
 * enum sdrp_turn - what the daemon is asked to do with a request
 * @SDRP_TURN_CLIENT_HELLO: client, nothing received yet: answer with
 *   SDRP_CMD_SEND (the HELLO record)
 * @SDRP_TURN_SERVER_HELLO: server, the HELLO received: answer with
 *   SDRP_CMD_DONE (the HELLO ACK and the keys, or a failure status)
 * @SDRP_TURN_CLIENT_FINISH: client, the HELLO ACK received: answer with
 *   SDRP_CMD_DONE (the keys, or a failure status)
 */
enum sdrp_turn {
	SDRP_TURN_CLIENT_HELLO = 1,
	SDRP_TURN_SERVER_HELLO,
	SDRP_TURN_CLIENT_FINISH,
};

/**
 * enum sdrp_hs_error - why a handshake failed (SDRP_A_DONE_ERROR)
 * @SDRP_HS_ERROR_NONE: no failure
 * @SDRP_HS_ERROR_MALFORMED: record, payload or certificate encoding (EPROTO)
 * @SDRP_HS_ERROR_BAD_MAC: hello MAC: s0 mismatch or tampering (EBADMSG)
 * @SDRP_HS_ERROR_UNKNOWN_CA: certificate not issued by the CA (EKEYREJECTED)
 * @SDRP_HS_ERROR_CERT_SIGNATURE: CA signature invalid (EKEYREJECTED)
 * @SDRP_HS_ERROR_CERT_EXPIRED: certificate past its validity (EKEYEXPIRED)
 * @SDRP_HS_ERROR_CERT_NOT_YET_VALID: before its validity (EKEYEXPIRED)
 * @SDRP_HS_ERROR_IDENTITY: identity not expected or not allowed
 *   (EKEYREJECTED)
 * @SDRP_HS_ERROR_HELLO_SIGNATURE: HELLO / HELLO ACK signature (EBADMSG)
 * @SDRP_HS_ERROR_WEAK_DH: X25519 result all zero (EKEYREJECTED)
 * @SDRP_HS_ERROR_STALE_TTL: ttl in the past (ETIME)
 * @SDRP_HS_ERROR_FUTURE_TTL: ttl too far ahead (ETIME)
 * @SDRP_HS_ERROR_BAD_SEQ: seq or interval of the HELLO ACK (EPROTO)
 * @SDRP_HS_ERROR_REPLAY: HELLO already accepted within its ttl (EALREADY)
 * @SDRP_HS_ERROR_NO_CREDENTIALS: no s0 for the identity (ENOKEY)
 * @SDRP_HS_ERROR_PEER_REFUSED: the peer's CLOSE came instead (ECONNREFUSED)
 * @SDRP_HS_ERROR_LOST_STATE: the daemon lost the request (ECONNABORTED)
 * @SDRP_HS_ERROR_TIMEOUT: out of time (ETIMEDOUT)
 * @SDRP_HS_ERROR_INTERNAL: local failure in the daemon
 */
enum sdrp_hs_error {
	SDRP_HS_ERROR_NONE,
	SDRP_HS_ERROR_MALFORMED,
	SDRP_HS_ERROR_BAD_MAC,
	SDRP_HS_ERROR_UNKNOWN_CA,
	SDRP_HS_ERROR_CERT_SIGNATURE,
	SDRP_HS_ERROR_CERT_EXPIRED,
	SDRP_HS_ERROR_CERT_NOT_YET_VALID,
	SDRP_HS_ERROR_IDENTITY,
	SDRP_HS_ERROR_HELLO_SIGNATURE,
	SDRP_HS_ERROR_WEAK_DH,
	SDRP_HS_ERROR_STALE_TTL,
	SDRP_HS_ERROR_FUTURE_TTL,
	SDRP_HS_ERROR_BAD_SEQ,
	SDRP_HS_ERROR_REPLAY,
	SDRP_HS_ERROR_NO_CREDENTIALS,
	SDRP_HS_ERROR_PEER_REFUSED,
	SDRP_HS_ERROR_LOST_STATE,
	SDRP_HS_ERROR_TIMEOUT,
	SDRP_HS_ERROR_INTERNAL,
};

/* One end of a TCP connection (nested): exactly one of IPV4 and IPV6. */
enum {
	SDRP_A_SOCKADDR_IPV4 = 1,	/* u32, network byte order */
	SDRP_A_SOCKADDR_IPV6,		/* 16 bytes */
	SDRP_A_SOCKADDR_PORT,		/* u16, network byte order */
	SDRP_A_SOCKADDR_SCOPE_ID,	/* u32, IPv6 link-local only */

	__SDRP_A_SOCKADDR_MAX,
	SDRP_A_SOCKADDR_MAX = (__SDRP_A_SOCKADDR_MAX - 1)
};

/* SDRP_CMD_READY notification. */
enum {
	SDRP_A_READY_PENDING = 1,	/* u32: requests queued */

	__SDRP_A_READY_MAX,
	SDRP_A_READY_MAX = (__SDRP_A_READY_MAX - 1)
};

/* SDRP_CMD_ACCEPT reply. */
enum {
	SDRP_A_ACCEPT_HANDLE = 1,	/* u32, >= 1 */
	SDRP_A_ACCEPT_TURN,		/* u32, enum sdrp_turn */
	SDRP_A_ACCEPT_ROLE,		/* u32, enum sdrp_role */
	SDRP_A_ACCEPT_PEER_IDENTITY,	/* string: identity asked for */
	SDRP_A_ACCEPT_LOCAL,		/* nest, SDRP_A_SOCKADDR_* */
	SDRP_A_ACCEPT_REMOTE,		/* nest, SDRP_A_SOCKADDR_* */
	SDRP_A_ACCEPT_TIMEOUT,		/* u32, ms left */
	SDRP_A_ACCEPT_REKEY_INTERVAL,	/* u32, socket's proposal/maximum */
	SDRP_A_ACCEPT_TTL,		/* u32, ms */
	SDRP_A_ACCEPT_CLOCK_SKEW,	/* u32, ms */
	SDRP_A_ACCEPT_RECORD,		/* binary: HELLO or HELLO ACK received */

	__SDRP_A_ACCEPT_MAX,
	SDRP_A_ACCEPT_MAX = (__SDRP_A_ACCEPT_MAX - 1)
};

/* SDRP_CMD_SEND request. */
enum {
	SDRP_A_SEND_HANDLE = 1,		/* u32 */
	SDRP_A_SEND_RECORD,		/* binary: HELLO to send */
	SDRP_A_SEND_HELLO_MAC_C2S,	/* 64 bytes: secret */
	SDRP_A_SEND_HELLO_MAC_S2C,	/* 64 bytes: secret */

	__SDRP_A_SEND_MAX,
	SDRP_A_SEND_MAX = (__SDRP_A_SEND_MAX - 1)
};

/* SDRP_CMD_DONE request. */
enum {
	SDRP_A_DONE_HANDLE = 1,		/* u32 */
	SDRP_A_DONE_STATUS,		/* u32: 0 or a positive errno */
	SDRP_A_DONE_CLOSE_REASON,	/* u32, enum sdrp_close_reason */
	SDRP_A_DONE_KEYS,		/* struct sdrp_keys, epoch 0: secret */
	SDRP_A_DONE_HELLO_MAC_C2S,	/* 64 bytes: secret */
	SDRP_A_DONE_HELLO_MAC_S2C,	/* 64 bytes: secret */
	SDRP_A_DONE_PEER_IDENTITY,	/* string: verified peer identity */
	SDRP_A_DONE_REKEY_INTERVAL,	/* u32: agreed */
	SDRP_A_DONE_RECORD,		/* binary: HELLO ACK, or clear CLOSE */
	SDRP_A_DONE_ERROR,		/* u32, enum sdrp_hs_error */

	__SDRP_A_DONE_MAX,
	SDRP_A_DONE_MAX = (__SDRP_A_DONE_MAX - 1)
};

/* SDRP_CMD_SESSIONS dump reply, one message per socket; never a key. */
enum {
	SDRP_A_SESSION_PAD = 1,
	SDRP_A_SESSION_INODE,		/* u64 */
	SDRP_A_SESSION_ROLE,		/* u32, enum sdrp_role */
	SDRP_A_SESSION_STATE,		/* u32, enum sdrp_state */
	SDRP_A_SESSION_LOCAL,		/* nest, SDRP_A_SOCKADDR_* */
	SDRP_A_SESSION_REMOTE,		/* nest, SDRP_A_SOCKADDR_* */
	SDRP_A_SESSION_PEER_IDENTITY,	/* string */
	SDRP_A_SESSION_EPOCH,		/* u32 */
	SDRP_A_SESSION_RESPONSES_IN_EPOCH, /* u32 */
	SDRP_A_SESSION_REKEY_INTERVAL,	/* u32 */
	SDRP_A_SESSION_RECORDS_TX,	/* u64 */
	SDRP_A_SESSION_RECORDS_RX,	/* u64 */
	SDRP_A_SESSION_BYTES_TX,	/* u64, application bytes */
	SDRP_A_SESSION_BYTES_RX,	/* u64 */
	SDRP_A_SESSION_REKEYS,		/* u64 */
	SDRP_A_SESSION_RESENDS,		/* u64, RESEND LASTs sent */
	SDRP_A_SESSION_CLOSE_REASON,	/* u32, enum sdrp_close_reason */
	SDRP_A_SESSION_CLOSE_ERRNO,	/* u32, positive errno */
	SDRP_A_SESSION_HANDLE,		/* u32: handshake request, if any */

	__SDRP_A_SESSION_MAX,
	SDRP_A_SESSION_MAX = (__SDRP_A_SESSION_MAX - 1)
};

enum {
	SDRP_CMD_READY = 1,		/* notification, group "sdrpd" */
	SDRP_CMD_ACCEPT,		/* do, CAP_NET_ADMIN */
	SDRP_CMD_SEND,			/* do, CAP_NET_ADMIN */
	SDRP_CMD_DONE,			/* do, CAP_NET_ADMIN */
	SDRP_CMD_SESSIONS,		/* dump */

	__SDRP_CMD_MAX,
	SDRP_CMD_MAX = (__SDRP_CMD_MAX - 1)
};

#define SDRP_MCGRP_SDRPD	"sdrpd"

#endif /* _UAPI_LINUX_SDRP_NETLINK_H */
