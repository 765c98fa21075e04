// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Names of the peer's enums and the close reason -> errno mapping of the
 * socket API (DECISIONS / Documentation/sdrp.rst), shared by the peer, its
 * tests and the sdrp-peer tool.
 */
#include <errno.h>
#include <string.h>

#include <sdrp/sdrp.h>
#include <sdrp/peer.h>

static const char *const reason_names[SDRP_CLOSE_REASON_MAX + 1] = {
	[SDRP_CLOSE_NONE]	 = "none",
	[SDRP_CLOSE_LOCAL]	 = "local",
	[SDRP_CLOSE_PEER]	 = "peer",
	[SDRP_CLOSE_PEER_NO_ACK] = "peer-no-ack",
	[SDRP_CLOSE_NO_ACK]	 = "no-ack",
	[SDRP_CLOSE_BAD_MAC]	 = "bad-mac",
	[SDRP_CLOSE_BAD_SEQ]	 = "bad-seq",
	[SDRP_CLOSE_STALE_TTL]	 = "stale-ttl",
	[SDRP_CLOSE_FUTURE_TTL]	 = "future-ttl",
	[SDRP_CLOSE_OLD_EPOCH]	 = "old-epoch",
	[SDRP_CLOSE_BAD_TYPE]	 = "bad-type",
	[SDRP_CLOSE_MALFORMED]	 = "malformed",
	[SDRP_CLOSE_TIMEOUT]	 = "timeout",
	[SDRP_CLOSE_RETRIES]	 = "retries",
	[SDRP_CLOSE_TRANSPORT]	 = "transport",
	[SDRP_CLOSE_AUTH]	 = "auth",
	[SDRP_CLOSE_INTERNAL]	 = "internal",
};

/* Errno each reason leaves for later calls; PEER reads as end of file. */
static const int reason_errnos[SDRP_CLOSE_REASON_MAX + 1] = {
	[SDRP_CLOSE_NONE]	 = 0,
	[SDRP_CLOSE_LOCAL]	 = EPIPE,
	[SDRP_CLOSE_PEER]	 = 0,
	[SDRP_CLOSE_PEER_NO_ACK] = ECONNRESET,
	[SDRP_CLOSE_NO_ACK]	 = ETIMEDOUT,
	[SDRP_CLOSE_BAD_MAC]	 = EBADMSG,
	[SDRP_CLOSE_BAD_SEQ]	 = EPROTO,
	[SDRP_CLOSE_STALE_TTL]	 = ETIME,
	[SDRP_CLOSE_FUTURE_TTL]	 = ETIME,
	[SDRP_CLOSE_OLD_EPOCH]	 = EPROTO,
	[SDRP_CLOSE_BAD_TYPE]	 = EPROTO,
	[SDRP_CLOSE_MALFORMED]	 = EPROTO,
	[SDRP_CLOSE_TIMEOUT]	 = ETIMEDOUT,
	[SDRP_CLOSE_RETRIES]	 = ETIMEDOUT,
	[SDRP_CLOSE_TRANSPORT]	 = ECONNRESET,
	[SDRP_CLOSE_AUTH]	 = EKEYREJECTED,
	[SDRP_CLOSE_INTERNAL]	 = EIO,
};

static const char *const fault_names[SDRP_FAULT_KIND_MAX + 1] = {
	[SDRP_FAULT_NONE]	   = "none",
	[SDRP_FAULT_BAD_MAC]	   = "bad-mac",
	[SDRP_FAULT_BAD_SEQ]	   = "bad-seq",
	[SDRP_FAULT_REPLAY_SEQ]	   = "replay-seq",
	[SDRP_FAULT_STALE_TTL]	   = "stale-ttl",
	[SDRP_FAULT_FUTURE_TTL]	   = "future-ttl",
	[SDRP_FAULT_OLD_EPOCH]	   = "old-epoch",
	[SDRP_FAULT_WRONG_TYPE]	   = "wrong-type",
	[SDRP_FAULT_OUT_OF_ORDER]  = "out-of-order",
	[SDRP_FAULT_CORRUPT]	   = "corrupt",
	[SDRP_FAULT_SILENCE]	   = "silence",
	[SDRP_FAULT_NO_CLOSE_ACK]  = "no-close-ack",
	[SDRP_FAULT_NO_ACK]	   = "no-ack",
	[SDRP_FAULT_NO_HELLO_REPLY] = "no-hello-reply",
	[SDRP_FAULT_BAD_SIGNATURE] = "bad-signature",
	[SDRP_FAULT_TAMPER]	   = "tamper",
};

static const char *const type_names[SDRP_MSG_TYPE_MAX + 1] = {
	[0]			 = "unknown",
	[SDRP_MSG_HELLO]	 = "hello",
	[SDRP_MSG_HELLO_ACK]	 = "hello-ack",
	[SDRP_MSG_ACK]		 = "ack",
	[SDRP_MSG_DATA_REQUEST]	 = "data-request",
	[SDRP_MSG_DATA_RESPONSE] = "data-response",
	[SDRP_MSG_DATA_ACK]	 = "data-ack",
	[SDRP_MSG_RESEND_LAST]	 = "resend-last",
	[SDRP_MSG_CLOSE]	 = "close",
	[SDRP_MSG_CLOSE_ACK]	 = "close-ack",
	[SDRP_MSG_CLOSED_NO_ACK] = "closed-without-ack",
};

const char *sdrp_close_reason_name(enum sdrp_close_reason reason)
{
	if ((unsigned int)reason > SDRP_CLOSE_REASON_MAX)
		return "unknown";
	return reason_names[reason];
}

int sdrp_close_reason_errno(enum sdrp_close_reason reason)
{
	if ((unsigned int)reason > SDRP_CLOSE_REASON_MAX)
		return EIO;
	return reason_errnos[reason];
}

const char *sdrp_fault_name(enum sdrp_fault_kind kind)
{
	if ((unsigned int)kind > SDRP_FAULT_KIND_MAX)
		return "unknown";
	return fault_names[kind];
}

int sdrp_fault_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i <= SDRP_FAULT_KIND_MAX; i++)
		if (!strcmp(name, fault_names[i]))
			return (int)i;
	return -EINVAL;
}

const char *sdrp_msg_type_name(unsigned int type)
{
	if (type > SDRP_MSG_TYPE_MAX)
		return "unknown";
	return type_names[type];
}
