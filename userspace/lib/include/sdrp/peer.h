/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * libsdrp peer: a complete sdrp endpoint (client or server) in userspace,
 * running over an ordinary connected TCP socket.
 *
 * The peer runs the client and server state machines of
 * Documentation/protocol.rst for one session: the initial handshake
 * (or keys installed directly, as with the kernel's SDRP_KEYS option), the
 * data exchange, the automatic rekey, RESEND LAST, the CLOSE exchange and
 * the timers.  It uses the codec, key schedule and record protection of
 * <sdrp/sdrp.h>; it adds no cryptography of its own.
 *
 * Blocking model: every call runs until its result is known, waiting with
 * poll() and the deadlines of struct sdrp_params.  Nothing runs between
 * calls.  A client that stays idle right when a rekey is due (the server's
 * rekey HELLO is on its way) should call sdrp_peer_process() while idle,
 * or the server's receive timer may expire; a client that issues its next
 * request at once needs nothing: the request is held until the new epoch
 * (see sdrp_peer_request()).
 *
 * Errors are negative errnos.  Once a session has closed, every call
 * returns the errno of its close reason (see sdrp_peer_errno()), as the
 * kernel socket does; the mapping is the one of Documentation/sdrp.rst.
 *
 * The file descriptor stays the caller's: the peer never closes it.
 * A peer is not thread safe; use one thread per peer.
 */
#ifndef _SDRP_PEER_H
#define _SDRP_PEER_H

#include <stddef.h>
#include <stdint.h>
#include <linux/sdrp.h>
#include <sdrp/sdrp.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sdrp_peer;

/*
 * Faults the peer can inject into what it sends, for tests.  Each one
 * models a misbehaving or broken peer; none is ever active unless
 * sdrp_peer_set_fault() armed it.
 */
enum sdrp_fault_kind {
	SDRP_FAULT_NONE = 0,
	SDRP_FAULT_BAD_MAC,	/* flip a bit of the HMAC tag */
	SDRP_FAULT_BAD_SEQ,	/* seq advanced wrongly (expected + 1) */
	SDRP_FAULT_REPLAY_SEQ,	/* seq of the previous message (replay) */
	SDRP_FAULT_STALE_TTL,	/* ttl one second in the past */
	SDRP_FAULT_FUTURE_TTL,	/* ttl a minute beyond window + skew */
	SDRP_FAULT_OLD_EPOCH,	/* protected under the previous epoch's keys */
	SDRP_FAULT_WRONG_TYPE,	/* type the sender's role never sends (a
				 * server's initial HELLO ACK: a clear
				 * HELLO, MAC made valid) */
	SDRP_FAULT_OUT_OF_ORDER, /* first send a message before its time:
				  * client a DATA REQUEST, server a rekey
				  * HELLO (needs keys) */
	SDRP_FAULT_CORRUPT,	/* flip a ciphertext bit, HMAC made valid */
	SDRP_FAULT_SILENCE,	/* do not send it; the state and the seq
				 * advance as if (a RESEND LAST gets it
				 * out), the record counter does not */
	SDRP_FAULT_NO_CLOSE_ACK, /* never answer a CLOSE */
	SDRP_FAULT_NO_ACK,	/* client: no ACK after the initial HELLO ACK */
	SDRP_FAULT_NO_HELLO_REPLY, /* server: no HELLO ACK to the initial HELLO */
	SDRP_FAULT_BAD_SIGNATURE, /* initial HELLO / HELLO ACK: flip a bit of
				   * the RSA signature, MAC made valid (a
				   * sender that knows s0, not the key) */
	SDRP_FAULT_TAMPER,	/* flip a bit of the record's body, MAC left
				 * as it was (an on-path change) */
	SDRP_FAULT_KIND_MAX = SDRP_FAULT_TAMPER,
};

/*
 * Which outgoing message a fault hits: the nth message (1-based) of type
 * msg_type sent by this peer (msg_type 0: of any type), and the `count`
 * matching messages from there on (0 counts as 1).  Retransmissions after
 * RESEND LAST count as messages.  NO_CLOSE_ACK, NO_ACK and NO_HELLO_REPLY
 * ignore these fields: they act on the message they name.  BAD_SIGNATURE
 * acts on the initial HELLO (client) or HELLO ACK (server) only, the
 * only signed messages; it ignores the fields too.
 */
struct sdrp_fault {
	enum sdrp_fault_kind kind;
	uint8_t msg_type;	/* enum sdrp_msg_type, 0 = any */
	uint32_t nth;		/* 0 counts as 1 */
	uint32_t count;		/* 0 counts as 1 */
};

/* Direction of a record passed to the observer. */
enum sdrp_peer_dir {
	SDRP_PEER_TX = 1,
	SDRP_PEER_RX = 2,
};

/*
 * Description of one record sent or received, for the observer.  `fault`
 * is the fault applied to an outgoing record (SDRP_FAULT_NONE if none);
 * for the faults that send nothing (SILENCE, NO_CLOSE_ACK, NO_ACK,
 * NO_HELLO_REPLY) the record is reported but was not written.  `verdict` is
 * for received records: SDRP_CLOSE_NONE if the record was accepted (or
 * discarded while closing), else the close reason its check failed with.
 */
struct sdrp_record_event {
	enum sdrp_peer_dir dir;
	uint8_t type;		/* enum sdrp_msg_type */
	uint8_t flags;		/* SDRP_HDR_F_* */
	uint32_t epoch;
	uint32_t length;	/* header's length field */
	uint64_t seq;		/* inner seq (0 if the record was not opened) */
	uint32_t data_len;	/* inner data bytes */
	enum sdrp_fault_kind fault;
	enum sdrp_close_reason verdict;
	/* The whole record, header to MAC (length + 12 bytes): as written
	 * (after the fault) or as received.  Valid during the call only. */
	const uint8_t *record;
};

typedef void (*sdrp_peer_observer_fn)(void *ctx,
				      const struct sdrp_record_event *ev);

/**
 * sdrp_peer_new() - create a peer for one role over a connected socket
 * @fd:		connected stream socket (TCP); stays owned by the caller
 * @role:	SDRP_ROLE_CLIENT or SDRP_ROLE_SERVER
 * @params:	timers, retries, policy and rekey interval; NULL for the
 *		defaults (the paper's values); zero fields take the default
 * @out:	the new peer, to be freed with sdrp_peer_free()
 *
 * The session is not started: call sdrp_peer_start_keys() or
 * sdrp_peer_start_handshake() next.  The peer sets TCP_NODELAY on @fd:
 * records are written whole, and a DATA ACK followed at once by the next
 * DATA REQUEST must not wait for the other side's delayed ACK.
 *
 * Return: 0, -EINVAL for a bad role, fd or parameter, -ENOMEM.
 */
int sdrp_peer_new(int fd, enum sdrp_role role,
		  const struct sdrp_params *params, struct sdrp_peer **out);

/**
 * sdrp_peer_free() - wipe all secrets of a peer and free it
 * @peer:	peer or NULL
 *
 * Sends nothing: close first with sdrp_peer_close() for a clean end.
 * The socket is left open.
 */
void sdrp_peer_free(struct sdrp_peer *peer);

/**
 * sdrp_peer_set_params() - change timers, retries, policy or interval
 * @peer:	peer
 * @params:	new values; a zero field keeps the current value
 *
 * The rekey interval can only be changed before the session starts (the
 * handshake agrees it with the peer).
 *
 * Return: 0, -EINVAL for an out-of-range value, -EBUSY for the interval
 * of a started session.
 */
int sdrp_peer_set_params(struct sdrp_peer *peer,
			 const struct sdrp_params *params);

/**
 * sdrp_peer_get_params() - read the parameters in force
 * @peer:	peer
 * @params:	filled in
 */
void sdrp_peer_get_params(const struct sdrp_peer *peer,
			  struct sdrp_params *params);

/**
 * sdrp_peer_start_keys() - enter ESTABLISHED with one epoch's keys
 * @peer:	peer not yet started
 * @keys:	the blob the kernel takes with SDRP_KEYS; keys->role must be
 *		the peer's role
 *
 * Both ends given the same keys (with their own role) interoperate, so a
 * test can pair this peer with a kernel socket.  The rekey interval is
 * the one of the params (both ends must agree on it).  The keys are
 * copied; the caller wipes its copy.
 *
 * Return: 0, -EINVAL (role mismatch, reserved bytes, started peer),
 * -ENOMEM.
 */
int sdrp_peer_start_keys(struct sdrp_peer *peer, const struct sdrp_keys *keys);

/**
 * sdrp_peer_start_handshake() - run the initial handshake, then ESTABLISHED
 * @peer:	peer not yet started
 * @cfg:	credentials (struct sdrp_hs_config of <sdrp/sdrp.h>); cfg->role
 *		must be the peer's role.  Zero rekey_interval, ttl_ms and
 *		clock_skew_ms take the peer's params.
 *
 * Client: sends HELLO, checks the HELLO ACK, sends ACK.  Server: waits for
 * the HELLO (receive timer running), answers HELLO ACK, waits for ACK.
 * The agreed rekey interval replaces the params' one.  On a refused
 * HELLO / HELLO ACK a CLOSE is sent (in clear: no keys exist yet).
 *
 * Return: 0 once established; -EINVAL (role, started peer, credentials);
 * -ENOMEM; otherwise the negative errno of the close reason, with the
 * specific errno of an authentication failure (-EKEYREJECTED,
 * -EKEYEXPIRED, -EBADMSG), and -ECONNRESET if the peer closed during the
 * handshake.
 */
int sdrp_peer_start_handshake(struct sdrp_peer *peer,
			      const struct sdrp_hs_config *cfg);

/**
 * sdrp_peer_export_keys() - copy the current epoch's keys and counters
 * @peer:	established peer
 * @keys:	filled in as struct sdrp_keys (role = the peer's role)
 *
 * For tests and for handing a session over to a kernel socket.  The
 * caller must wipe the copy.
 *
 * Return: 0, -ENOTCONN if no keys exist, -EBUSY during a rekey.
 */
int sdrp_peer_export_keys(const struct sdrp_peer *peer, struct sdrp_keys *keys);

/**
 * sdrp_peer_request() - client: send one request, wait for its response
 * @peer:	client peer
 * @body:	request body (DATA REQUEST data), may be NULL if @len is 0
 * @len:	0..SDRP_MAX_DATA
 * @resp:	set to the response body, valid until the next call on @peer
 * @resp_len:	set to its length (0 is a valid response)
 *
 * Sends DATA REQUEST, waits for DATA RESPONSE and acknowledges it with
 * DATA ACK.  If a rekey is due (the interval's DATA ACK was sent), the
 * request is held, never dropped: the server's rekey HELLO is answered
 * first, and the request goes out in the new epoch once the server's
 * ACK arrived.  Invalid or missing messages are handled by the receive
 * policy; the call returns only with a response or a closed session.
 *
 * Return: 1 with a response; 0 if the server closed the session (EOF);
 * -EINVAL, -EMSGSIZE for a bad argument (session unchanged); otherwise
 * the negative errno of the close reason.
 */
int sdrp_peer_request(struct sdrp_peer *peer, const void *body, size_t len,
		      const uint8_t **resp, size_t *resp_len);

/**
 * sdrp_peer_next_request() - server: wait for the next request
 * @peer:	server peer
 * @req:	set to the request body, valid until the next call on @peer
 * @req_len:	set to its length (0 is a valid request)
 *
 * Runs the rekey first when it is due.  No receive timer runs while the
 * server waits for a request (an idle client is legitimate).  The request
 * must be answered with sdrp_peer_respond() before the next call.
 *
 * Return: 1 with a request; 0 if the client closed the session (EOF);
 * -EBUSY if a request is still unanswered; otherwise the negative errno
 * of the close reason.
 */
int sdrp_peer_next_request(struct sdrp_peer *peer, const uint8_t **req,
			   size_t *req_len);

/**
 * sdrp_peer_respond() - server: answer the pending request
 * @peer:	server peer
 * @body:	response body, may be NULL if @len is 0
 * @len:	0..SDRP_MAX_DATA
 *
 * Sends DATA RESPONSE and waits for the client's DATA ACK, which counts
 * the response as acknowledged for the rekey interval.  If it was the
 * interval's, the rekey HELLO goes out before the call returns (the rest
 * of the rekey runs in the next call).
 *
 * Return: 0 once acknowledged; -EINVAL, -EMSGSIZE for a bad argument;
 * -EBUSY if no request is pending; otherwise the negative errno of the
 * close reason (-EPIPE if the client closed instead of acknowledging).
 */
int sdrp_peer_respond(struct sdrp_peer *peer, const void *body, size_t len);

/**
 * sdrp_peer_process() - handle what arrives while the application is idle
 * @peer:	started peer
 * @timeout_ms:	how long to wait for records, 0 to only drain what is
 *		buffered, -1 for as long as the session is idle
 *
 * Answers a rekey HELLO (client), RESEND LAST, or CLOSE.  Returns early
 * once the peer owes the application something (a server with a request:
 * the request stays queued for sdrp_peer_next_request()).  A close that
 * a bad record started here may still be under way when @timeout_ms
 * ends (state CLOSING): a later call on the peer completes it.
 *
 * Return: 1 while the session is open (or closing); 0 if the peer closed
 * it (EOF);
 * otherwise the negative errno of the close reason.
 */
int sdrp_peer_process(struct sdrp_peer *peer, int timeout_ms);

/**
 * sdrp_peer_close() - close the session: CLOSE, wait for CLOSE ACK
 * @peer:	peer
 *
 * Sends CLOSE (in clear before the first epoch's keys exist), resends it
 * on each close timeout up to max_retries CLOSEs in all, then sends
 * CLOSED WITHOUT ACK.  A server waiting for the rekey HELLO ACK first
 * completes the rekey, so that its CLOSE goes out under the epoch the
 * client has switched to.  Safe to call on a closed session.
 *
 * Return: 0 if the session ended cleanly (CLOSE ACK received, or the peer
 * closed first); -ETIMEDOUT if the CLOSEs went unanswered; otherwise the
 * negative errno of an earlier failure.
 */
int sdrp_peer_close(struct sdrp_peer *peer);

/**
 * sdrp_peer_state() - enum sdrp_state of the session
 * @peer:	peer
 */
enum sdrp_state sdrp_peer_state(const struct sdrp_peer *peer);

/**
 * sdrp_peer_close_reason() - why the session closed
 * @peer:	peer
 *
 * Return: enum sdrp_close_reason, SDRP_CLOSE_NONE while open.
 */
enum sdrp_close_reason sdrp_peer_close_reason(const struct sdrp_peer *peer);

/**
 * sdrp_peer_errno() - errno the application sees after the close
 * @peer:	peer
 *
 * Return: the positive errno of the close reason (0 while open, and 0 for
 * SDRP_CLOSE_PEER, which reads as end of file).
 */
int sdrp_peer_errno(const struct sdrp_peer *peer);

/**
 * sdrp_close_reason_errno() - errno of a close reason
 * @reason:	enum sdrp_close_reason
 *
 * Return: positive errno (0 for NONE and PEER), as in DECISIONS / the
 * socket API guide.
 */
int sdrp_close_reason_errno(enum sdrp_close_reason reason);

/**
 * sdrp_close_reason_name() - short lower-case name of a close reason
 * @reason:	enum sdrp_close_reason
 *
 * Return: a static string ("local", "bad-mac", ...; "unknown" if out of
 * range).
 */
const char *sdrp_close_reason_name(enum sdrp_close_reason reason);

/**
 * sdrp_peer_get_info() - counters and state, like SDRP_INFO
 * @peer:	peer
 * @info:	filled in
 */
void sdrp_peer_get_info(const struct sdrp_peer *peer, struct sdrp_info *info);

/**
 * sdrp_peer_set_fault() - arm a fault on what the peer sends (tests only)
 * @peer:	peer
 * @fault:	fault to arm, NULL or kind NONE to disarm
 *
 * One fault is armed at a time; arming replaces the previous one.
 *
 * Return: 0, -EINVAL for an unknown kind.
 */
int sdrp_peer_set_fault(struct sdrp_peer *peer, const struct sdrp_fault *fault);

/**
 * sdrp_peer_set_observer() - report every record sent and received
 * @peer:	peer
 * @fn:		callback, NULL to stop
 * @ctx:	passed to @fn
 *
 * The callback sees no key material and no data, only the description of
 * each record; it must not call back into @peer.
 */
void sdrp_peer_set_observer(struct sdrp_peer *peer, sdrp_peer_observer_fn fn,
			    void *ctx);

/*
 * A fuzzer's hook on everything the peer sends once keys exist (tests
 * only).  Each callback may be NULL.  The peer's own state (sequence
 * numbers, retransmission copies, record counters) advances as for the
 * message it meant to send, whatever the hooks make of the copy on the
 * wire, so that a mutation models a broken or hostile sender.
 *
 * @message:	before encoding: may change type, seq, ttl, nonce and data
 *		(data must stay valid until the call returns)
 * @inner:	the encoded inner plaintext of @type (@len bytes, room for
 *		@cap): may rewrite it; returns its new length, which is
 *		then protected (GCM and HMAC) as it is
 * @wire:	the sealed record (@len bytes, room for @cap): may rewrite
 *		it; returns the number of bytes to write (0: none)
 */
struct sdrp_peer_mutator {
	void (*message)(void *ctx, struct sdrp_msg *msg);
	size_t (*inner)(void *ctx, unsigned int type, uint8_t *inner,
			size_t len, size_t cap);
	size_t (*wire)(void *ctx, uint8_t *rec, size_t len, size_t cap);
	void *ctx;
};

/**
 * sdrp_peer_set_mutator() - set or clear the fuzzer's hook (tests only)
 * @peer:	peer
 * @mutator:	hooks (copied), NULL to clear
 */
void sdrp_peer_set_mutator(struct sdrp_peer *peer,
			   const struct sdrp_peer_mutator *mutator);

/**
 * sdrp_fault_name() - name of a fault kind ("bad-mac", ...)
 * @kind:	enum sdrp_fault_kind
 *
 * Return: a static string, "unknown" if out of range.
 */
const char *sdrp_fault_name(enum sdrp_fault_kind kind);

/**
 * sdrp_fault_parse() - fault kind from its name
 * @name:	as returned by sdrp_fault_name()
 *
 * Return: the kind, or -EINVAL.
 */
int sdrp_fault_parse(const char *name);

/**
 * sdrp_msg_type_name() - short name of a message type ("hello-ack", ...)
 * @type:	enum sdrp_msg_type
 *
 * Return: a static string, "unknown" if out of range.
 */
const char *sdrp_msg_type_name(unsigned int type);

#ifdef __cplusplus
}
#endif

#endif /* _SDRP_PEER_H */
