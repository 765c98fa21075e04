// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel socket against libsdrp's userspace peer, an independent
 * implementation of the protocol, over loopback TCP with directly-set
 * keys.  The peer runs in a child process; what it saw comes back in its
 * exit status.
 *
 *   interop: 1000 exchanges (100 rekeys) in both role assignments, every
 *            byte checked, ending in CLOSE / CLOSE ACK.
 *   fault:   the paper's test cases (IV.B) with the peer misbehaving on
 *            purpose: the kernel answers on the wire with CLOSE (or
 *            CLOSED WITHOUT ACK), and the application gets the documented
 *            errno; under the RESEND policy one bad message is repeated
 *            after RESEND LAST and the session goes on.
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sdrp_test.h"

#include <sdrp/peer.h>

/* Child exit status bits: what the peer saw. */
enum {
	PEER_OK		= 0,
	PEER_SAW_CLOSE	= 1 << 0,	/* received CLOSE */
	PEER_SAW_CWA	= 1 << 1,	/* received CLOSED WITHOUT ACK */
	PEER_SAW_RESEND	= 1 << 2,	/* received RESEND LAST */
	PEER_BAD_DATA	= 1 << 3,	/* a body differed */
	PEER_FAILED	= 1 << 4,	/* a call failed unexpectedly */
};

static int peer_seen;

static void observe(void *ctx, const struct sdrp_record_event *ev)
{
	(void)ctx;
	if (ev->dir != SDRP_PEER_RX || ev->verdict != SDRP_CLOSE_NONE)
		return;
	if (ev->type == SDRP_MSG_CLOSE)
		peer_seen |= PEER_SAW_CLOSE;
	else if (ev->type == SDRP_MSG_CLOSED_NO_ACK)
		peer_seen |= PEER_SAW_CWA;
	else if (ev->type == SDRP_MSG_RESEND_LAST)
		peer_seen |= PEER_SAW_RESEND;
}

static size_t body_len(unsigned int i)
{
	static const size_t sizes[] = { 0, 1, 1024, 65536 };

	return i % 100 == 99 ? SDRP_MAX_BODY : sizes[i % 4];
}

/*
 * The peer's side: @n exchanges as @role (or until the session ends),
 * then close if it is the client.  Returns the exit status bits.
 */
static int run_peer(int fd, int role, const struct sdrp_keys *base,
		    const struct sdrp_params *params,
		    const struct sdrp_fault *fault, unsigned int n)
{
	unsigned char *buf = malloc(SDRP_MAX_BODY);
	struct sdrp_keys keys = *base;
	struct sdrp_peer *peer;
	const uint8_t *data;
	unsigned int i;
	size_t len;
	int ret;

	keys.role = role;
	if (!buf || sdrp_peer_new(fd, role, params, &peer) ||
	    sdrp_peer_start_keys(peer, &keys))
		return PEER_FAILED;
	sdrp_peer_set_observer(peer, observe, NULL);
	if (fault && sdrp_peer_set_fault(peer, fault))
		return PEER_FAILED;
	if (!n) {
		/* Only answer what the kernel sends. */
		sdrp_peer_process(peer, 5000);
		sdrp_peer_free(peer);
		free(buf);
		return peer_seen;
	}

	for (i = 0; i < n; i++) {
		if (role == SDRP_ROLE_CLIENT) {
			sdrp_fill(buf, body_len(i), 2 * i);
			ret = sdrp_peer_request(peer, buf, body_len(i),
						&data, &len);
			if (ret <= 0)
				break;
			if (len != body_len(i + 1) ||
			    sdrp_check(data, len, 2 * i + 1) != -1)
				peer_seen |= PEER_BAD_DATA;
		} else {
			ret = sdrp_peer_next_request(peer, &data, &len);
			if (ret <= 0)
				break;
			if (len != body_len(i) ||
			    sdrp_check(data, len, 2 * i) != -1)
				peer_seen |= PEER_BAD_DATA;
			sdrp_fill(buf, body_len(i + 1), 2 * i + 1);
			if (sdrp_peer_respond(peer, buf, body_len(i + 1)))
				break;
		}
	}
	if (i == n) {
		if (role == SDRP_ROLE_CLIENT) {
			if (sdrp_peer_close(peer))
				peer_seen |= PEER_FAILED;
		} else if (sdrp_peer_next_request(peer, &data, &len) != 0) {
			/* The kernel client closes: end of file. */
			peer_seen |= PEER_FAILED;
		}
	} else if (!fault) {
		peer_seen |= PEER_FAILED;
	} else {
		/* Answer whatever the kernel still sends (CLOSE ACK etc.). */
		sdrp_peer_process(peer, 2000);
	}
	sdrp_peer_free(peer);
	memset(&keys, 0, sizeof(keys));
	free(buf);
	return peer_seen;
}

/*
 * The kernel's side of @n exchanges.  Returns the number completed; *err
 * is the errno of the call that failed, 0 if none did.
 */
static unsigned int run_kernel(int fd, int role, unsigned char *buf,
			       unsigned int n, int *err, int *bad)
{
	unsigned int i;
	ssize_t got;
	int eor;

	/* errno is read right after the call that failed: EOF reads as 0. */
	*err = 0;
	for (i = 0; i < n; i++) {
		if (role == SDRP_ROLE_CLIENT) {
			sdrp_fill(buf, body_len(i), 2 * i);
			if (send(fd, buf, body_len(i), MSG_NOSIGNAL) < 0)
				goto failed;
			got = sdrp_recv(fd, buf, SDRP_MAX_BODY, 0, &eor);
			if (got < 0)
				goto failed;
			if ((size_t)got != body_len(i + 1) || !eor ||
			    sdrp_check(buf, got, 2 * i + 1) != -1)
				(*bad)++;
		} else {
			got = sdrp_recv(fd, buf, SDRP_MAX_BODY, 0, &eor);
			if (got < 0)
				goto failed;
			if (got == 0 && !eor)
				return i;	/* end of file */
			if ((size_t)got != body_len(i) ||
			    sdrp_check(buf, got, 2 * i) != -1)
				(*bad)++;
			sdrp_fill(buf, body_len(i + 1), 2 * i + 1);
			if (send(fd, buf, body_len(i + 1), MSG_NOSIGNAL) < 0)
				goto failed;
		}
	}
	return i;
failed:
	*err = errno;
	return i;
}

FIXTURE(interop) {
	int kfd;
	int pfd;
	struct sdrp_keys keys;
	unsigned char *buf;
};

FIXTURE_VARIANT(interop) {
	int kernel_role;
};

FIXTURE_VARIANT_ADD(interop, kernel_client) {
	.kernel_role = SDRP_ROLE_CLIENT,
};

FIXTURE_VARIANT_ADD(interop, kernel_server) {
	.kernel_role = SDRP_ROLE_SERVER,
};

FIXTURE_SETUP(interop)
{
	ASSERT_EQ(sdrp_tcp_pair(AF_INET6, &self->kfd, &self->pfd), 0);
	ASSERT_EQ(sdrp_attach(self->kfd), 0);
	sdrp_random_keys(&self->keys);
	ASSERT_EQ(sdrp_set_keys(self->kfd, &self->keys, variant->kernel_role),
		  0);
	self->buf = malloc(SDRP_MAX_BODY);
	ASSERT_NE(self->buf, NULL);
}

FIXTURE_TEARDOWN(interop)
{
	close(self->kfd);
	close(self->pfd);
	free(self->buf);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, 10000), 0);
}

static int peer_role(int kernel_role)
{
	return kernel_role == SDRP_ROLE_CLIENT ? SDRP_ROLE_SERVER :
						 SDRP_ROLE_CLIENT;
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F_TIMEOUT(interop, exchange_1000_with_rekeys, 600)
{
	struct sdrp_info info;
	unsigned int done;
	int err, bad = 0;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		close(self->kfd);
		_exit(run_peer(self->pfd, peer_role(variant->kernel_role),
			       &self->keys, NULL, NULL, 1000));
	}
	done = run_kernel(self->kfd, variant->kernel_role, self->buf, 1000,
			  &err, &bad);
	EXPECT_EQ(done, 1000);
	EXPECT_EQ(bad, 0);
	if (variant->kernel_role == SDRP_ROLE_CLIENT) {
		/* CLOSE from the kernel, CLOSE ACK from the peer. */
		ASSERT_EQ(shutdown(self->kfd, SHUT_RDWR), 0);
		ASSERT_EQ(sdrp_wait_state(self->kfd, SDRP_STATE_CLOSED, 10000,
					  &info), 0);
		EXPECT_EQ(info.close_reason, SDRP_CLOSE_LOCAL);
	} else {
		/* The peer closed: end of file, then the reason. */
		EXPECT_EQ(recv(self->kfd, self->buf, 1, 0), 0);
		ASSERT_EQ(sdrp_get_info(self->kfd, &info), 0);
		EXPECT_EQ(info.close_reason, SDRP_CLOSE_PEER);
	}
	/*
	 * The 1000th DATA ACK starts the 100th rekey, which the close may
	 * overtake: the peer answers one step at a time.
	 */
	EXPECT_GE(info.epoch, 99);
	/* The kernel client's CLOSE is what the peer should see. */
	EXPECT_EQ(wait_child(pid) & ~PEER_SAW_CLOSE, PEER_OK);
}

/*
 * One of the paper's test cases: the peer sends a bad message, the kernel
 * must answer with the expected close reason and errno.
 */
FIXTURE(fault) {
	int kfd;
	int pfd;
	struct sdrp_keys keys;
	unsigned char *buf;
};

FIXTURE_VARIANT(fault) {
	int kernel_role;
	unsigned int policy;
	struct sdrp_fault fault;
	int reason;		/* expected close reason, NONE: survives */
	int err;		/* expected errno at the kernel socket */
	int peer_sees;		/* PEER_SAW_* the peer must have seen */
};

#define FAULT_CLIENT(name, kind, type, n, why, errnum)			\
	FIXTURE_VARIANT_ADD(fault, name) {				\
		.kernel_role = SDRP_ROLE_SERVER,			\
		.policy = SDRP_POLICY_CLOSE,				\
		.fault = { kind, type, n, 1 },				\
		.reason = why, .err = errnum,				\
		.peer_sees = PEER_SAW_CLOSE,				\
	}

FAULT_CLIENT(bad_mac, SDRP_FAULT_BAD_MAC, SDRP_MSG_DATA_REQUEST, 2,
	     SDRP_CLOSE_BAD_MAC, EBADMSG);
FAULT_CLIENT(corrupt_ciphertext, SDRP_FAULT_CORRUPT, SDRP_MSG_DATA_REQUEST, 2,
	     SDRP_CLOSE_BAD_MAC, EBADMSG);
FAULT_CLIENT(bad_seq, SDRP_FAULT_BAD_SEQ, SDRP_MSG_DATA_REQUEST, 2,
	     SDRP_CLOSE_BAD_SEQ, EPROTO);
FAULT_CLIENT(replayed_seq, SDRP_FAULT_REPLAY_SEQ, SDRP_MSG_DATA_REQUEST, 3,
	     SDRP_CLOSE_BAD_SEQ, EPROTO);
FAULT_CLIENT(stale_ttl, SDRP_FAULT_STALE_TTL, SDRP_MSG_DATA_REQUEST, 2,
	     SDRP_CLOSE_STALE_TTL, ETIME);
FAULT_CLIENT(future_ttl, SDRP_FAULT_FUTURE_TTL, SDRP_MSG_DATA_REQUEST, 2,
	     SDRP_CLOSE_FUTURE_TTL, ETIME);
FAULT_CLIENT(old_epoch, SDRP_FAULT_OLD_EPOCH, SDRP_MSG_DATA_REQUEST, 12,
	     SDRP_CLOSE_OLD_EPOCH, EPROTO);
FAULT_CLIENT(wrong_type, SDRP_FAULT_WRONG_TYPE, SDRP_MSG_DATA_REQUEST, 2,
	     SDRP_CLOSE_BAD_TYPE, EPROTO);
FAULT_CLIENT(out_of_order, SDRP_FAULT_OUT_OF_ORDER, 0, 1,
	     SDRP_CLOSE_BAD_TYPE, EPROTO);

/* A response that never comes: the kernel client's receive timer. */
FIXTURE_VARIANT_ADD(fault, silent_response) {
	.kernel_role = SDRP_ROLE_CLIENT,
	.policy = SDRP_POLICY_CLOSE,
	.fault = { SDRP_FAULT_SILENCE, SDRP_MSG_DATA_RESPONSE, 2, 1 },
	.reason = SDRP_CLOSE_TIMEOUT, .err = ETIMEDOUT,
	.peer_sees = PEER_SAW_CLOSE,
};

/* A bad response to the kernel client. */
FIXTURE_VARIANT_ADD(fault, server_bad_mac) {
	.kernel_role = SDRP_ROLE_CLIENT,
	.policy = SDRP_POLICY_CLOSE,
	.fault = { SDRP_FAULT_BAD_MAC, SDRP_MSG_DATA_RESPONSE, 3, 1 },
	.reason = SDRP_CLOSE_BAD_MAC, .err = EBADMSG,
	.peer_sees = PEER_SAW_CLOSE,
};

/* An early rekey HELLO from the server, before the interval. */
FIXTURE_VARIANT_ADD(fault, server_out_of_order) {
	.kernel_role = SDRP_ROLE_CLIENT,
	.policy = SDRP_POLICY_CLOSE,
	.fault = { SDRP_FAULT_OUT_OF_ORDER, 0, 1, 1 },
	.reason = SDRP_CLOSE_BAD_TYPE, .err = EPROTO,
	.peer_sees = PEER_SAW_CLOSE,
};

/* RESEND LAST: one bad message is repeated and the session goes on. */
FIXTURE_VARIANT_ADD(fault, resend_bad_mac) {
	.kernel_role = SDRP_ROLE_SERVER,
	.policy = SDRP_POLICY_RESEND,
	.fault = { SDRP_FAULT_BAD_MAC, SDRP_MSG_DATA_REQUEST, 2, 1 },
	.reason = SDRP_CLOSE_NONE,
	.peer_sees = PEER_SAW_RESEND,
};

FIXTURE_VARIANT_ADD(fault, resend_silent_response) {
	.kernel_role = SDRP_ROLE_CLIENT,
	.policy = SDRP_POLICY_RESEND,
	.fault = { SDRP_FAULT_SILENCE, SDRP_MSG_DATA_RESPONSE, 2, 1 },
	.reason = SDRP_CLOSE_NONE,
	.peer_sees = PEER_SAW_RESEND,
};

/* RESEND LAST until the retries run out: the first reason is kept. */
FIXTURE_VARIANT_ADD(fault, resend_retries_exhausted) {
	.kernel_role = SDRP_ROLE_SERVER,
	.policy = SDRP_POLICY_RESEND,
	.fault = { SDRP_FAULT_BAD_MAC, SDRP_MSG_DATA_REQUEST, 2, 10 },
	.reason = SDRP_CLOSE_BAD_MAC, .err = EBADMSG,
	.peer_sees = PEER_SAW_RESEND | PEER_SAW_CLOSE,
};

/* The kernel end with short timers and its keys; the peer's fd. */
static void fault_open(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, int kernel_role,
		       unsigned int policy)
{
	struct sdrp_params p = {
		.policy = policy,
		.rekey_interval = 10,
		.recv_timeout_ms = 500,
		.close_timeout_ms = 300,
	};

	ASSERT_EQ(sdrp_tcp_pair(AF_INET, &self->kfd, &self->pfd), 0);
	ASSERT_EQ(sdrp_attach(self->kfd), 0);
	ASSERT_EQ(sdrp_set_params(self->kfd, &p), 0);
	sdrp_random_keys(&self->keys);
	ASSERT_EQ(sdrp_set_keys(self->kfd, &self->keys, kernel_role), 0);
	self->buf = malloc(SDRP_MAX_BODY);
	ASSERT_NE(self->buf, NULL);
}

static void fault_close(struct __test_metadata *_metadata,
			FIXTURE_DATA(fault) *self)
{
	close(self->kfd);
	close(self->pfd);
	free(self->buf);
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, 10000), 0);
}

FIXTURE_SETUP(fault)
{
	fault_open(_metadata, self, variant->kernel_role, variant->policy);
}

FIXTURE_TEARDOWN(fault)
{
	fault_close(_metadata, self);
}

TEST_F_TIMEOUT(fault, kernel_answer, 60)
{
	struct sdrp_params pp = {
		.policy = variant->policy,
		.rekey_interval = 10,
		.recv_timeout_ms = 2000,
		.close_timeout_ms = 300,
	};
	struct sdrp_info info;
	int err, bad = 0, seen;
	unsigned int done;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		close(self->kfd);
		_exit(run_peer(self->pfd, peer_role(variant->kernel_role),
			       &self->keys, &pp, &variant->fault, 20));
	}
	done = run_kernel(self->kfd, variant->kernel_role, self->buf, 20,
			  &err, &bad);
	EXPECT_EQ(bad, 0);
	ASSERT_EQ(sdrp_get_info(self->kfd, &info), 0);
	if (variant->reason == SDRP_CLOSE_NONE) {
		EXPECT_EQ(done, 20);
		/* A peer client closes once done: that may come first. */
		EXPECT_TRUE(info.close_reason == SDRP_CLOSE_NONE ||
			    info.close_reason == SDRP_CLOSE_PEER);
		EXPECT_GE(info.resends, 1);
		if (variant->kernel_role == SDRP_ROLE_CLIENT)
			shutdown(self->kfd, SHUT_RDWR);
	} else {
		EXPECT_LT(done, 20);
		EXPECT_EQ(err, variant->err);
		EXPECT_EQ(info.close_reason, variant->reason);
		EXPECT_EQ(info.close_errno, variant->err);
	}
	seen = wait_child(pid);
	ASSERT_GE(seen, 0);
	EXPECT_EQ(seen & PEER_FAILED, 0);
	EXPECT_EQ(seen & variant->peer_sees, variant->peer_sees);
}

/* A kernel server under policy CLOSE, its peer silent but for the fault. */
FIXTURE(no_ack) {
	FIXTURE_DATA(fault) f;
};

FIXTURE_SETUP(no_ack)
{
	fault_open(_metadata, &self->f, SDRP_ROLE_SERVER, SDRP_POLICY_CLOSE);
}

FIXTURE_TEARDOWN(no_ack)
{
	fault_close(_metadata, &self->f);
}

/* The peer never answers CLOSE: CLOSE three times, then CLOSED WITHOUT ACK. */
TEST_F_TIMEOUT(no_ack, no_close_ack, 60)
{
	struct sdrp_fault f = { SDRP_FAULT_NO_CLOSE_ACK, 0, 1, 1 };
	struct sdrp_info info;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		close(self->f.kfd);
		_exit(run_peer(self->f.pfd, SDRP_ROLE_CLIENT, &self->f.keys,
			       NULL, &f, 0) & PEER_FAILED);
	}
	ASSERT_EQ(shutdown(self->f.kfd, SHUT_RDWR), 0);
	ASSERT_EQ(sdrp_wait_state(self->f.kfd, SDRP_STATE_CLOSED, 10000, &info),
		  0);
	EXPECT_EQ(info.close_reason, SDRP_CLOSE_NO_ACK);
	EXPECT_EQ(info.close_errno, ETIMEDOUT);
	EXPECT_EQ(sdrp_stat("SdrpCloseNoAck"), 1);
	kill(pid, SIGKILL);
	wait_child(pid);
}

TEST_HARNESS_MAIN
