// SPDX-License-Identifier: GPL-2.0
/*
 * The data path between a kernel client and a kernel server: both ends of
 * a loopback TCP connection get the ULP and the same random epoch-0 keys
 * (SDRP_KEYS), one as client, one as server.
 *
 * Every sess test runs on IPv4 and IPv6 and under both receive policies;
 * long_sess runs its long exchange once.
 */
#include "kselftest_harness.h"
#include "sdrp_test.h"

FIXTURE(sess) {
	int client;
	int server;
	unsigned char *buf;
	unsigned char *rbuf;
};

FIXTURE_VARIANT(sess) {
	int family;
	unsigned int policy;
};

FIXTURE_VARIANT_ADD(sess, ipv4_close) {
	.family = AF_INET, .policy = SDRP_POLICY_CLOSE,
};

FIXTURE_VARIANT_ADD(sess, ipv6_close) {
	.family = AF_INET6, .policy = SDRP_POLICY_CLOSE,
};

FIXTURE_VARIANT_ADD(sess, ipv4_resend) {
	.family = AF_INET, .policy = SDRP_POLICY_RESEND,
};

FIXTURE_VARIANT_ADD(sess, ipv6_resend) {
	.family = AF_INET6, .policy = SDRP_POLICY_RESEND,
};

/* A connected pair with the ULP and the same keys: client and server. */
static void sess_open(struct __test_metadata *_metadata,
		      FIXTURE_DATA(sess) *self, int family, unsigned int policy)
{
	struct sdrp_params p = { .policy = policy };
	struct sdrp_keys keys;

	ASSERT_EQ(sdrp_tcp_pair(family, &self->client, &self->server), 0);
	ASSERT_EQ(sdrp_attach(self->client), 0);
	ASSERT_EQ(sdrp_attach(self->server), 0);
	ASSERT_EQ(sdrp_set_params(self->client, &p), 0);
	ASSERT_EQ(sdrp_set_params(self->server, &p), 0);
	sdrp_random_keys(&keys);
	ASSERT_EQ(sdrp_set_keys(self->client, &keys, SDRP_ROLE_CLIENT), 0);
	ASSERT_EQ(sdrp_set_keys(self->server, &keys, SDRP_ROLE_SERVER), 0);
	memset(&keys, 0, sizeof(keys));
	self->buf = malloc(SDRP_MAX_BODY + 1);
	self->rbuf = malloc(SDRP_MAX_BODY + 1);
	ASSERT_NE(self->buf, NULL);
	ASSERT_NE(self->rbuf, NULL);
}

static void sess_close(struct __test_metadata *_metadata,
		       FIXTURE_DATA(sess) *self)
{
	close(self->client);
	close(self->server);
	free(self->buf);
	free(self->rbuf);
	/* No session outlives its sockets. */
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, 10000), 0);
}

FIXTURE_SETUP(sess)
{
	sess_open(_metadata, self, variant->family, variant->policy);
}

FIXTURE_TEARDOWN(sess)
{
	sess_close(_metadata, self);
}

/* Send message @id of @len bytes on @from, receive and check it on @to. */
static void pass(struct __test_metadata *_metadata, FIXTURE_DATA(sess) *self,
		 int from, int to, size_t len, unsigned int id)
{
	int eor = 0;

	sdrp_fill(self->buf, len, id);
	ASSERT_EQ(send(from, self->buf, len, 0), (ssize_t)len);
	memset(self->rbuf, 0, len);
	ASSERT_EQ(sdrp_recv(to, self->rbuf, SDRP_MAX_BODY + 1, 0, &eor),
		  (ssize_t)len);
	ASSERT_TRUE(eor);
	ASSERT_EQ(sdrp_check(self->rbuf, len, id), -1);
}

static void exchange(struct __test_metadata *_metadata,
		     FIXTURE_DATA(sess) *self, size_t req, size_t resp,
		     unsigned int id)
{
	pass(_metadata, self, self->client, self->server, req, 2 * id);
	pass(_metadata, self, self->server, self->client, resp, 2 * id + 1);
}

/* An empty request reads as 0 bytes with MSG_EOR; end of file without. */
TEST_F(sess, empty_message_is_not_eof)
{
	int eor = 0;

	ASSERT_EQ(send(self->client, "", 0, 0), 0);
	EXPECT_EQ(sdrp_recv(self->server, self->rbuf, 16, 0, &eor), 0);
	EXPECT_TRUE(eor);
	ASSERT_EQ(send(self->server, "", 0, 0), 0);
	EXPECT_EQ(sdrp_recv(self->client, self->rbuf, 16, 0, &eor), 0);
	EXPECT_TRUE(eor);
}

/* A record larger than the buffer continues at the next recv(). */
TEST_F(sess, recv_partial)
{
	size_t len = 10000, got = 0;
	int eor = 0;
	ssize_t n;

	sdrp_fill(self->buf, len, 7);
	ASSERT_EQ(send(self->client, self->buf, len, 0), (ssize_t)len);
	while (got < len) {
		n = sdrp_recv(self->server, self->rbuf + got, 3000, 0, &eor);
		ASSERT_GT(n, 0);
		got += n;
		EXPECT_EQ(eor, got == len);
	}
	EXPECT_EQ(sdrp_check(self->rbuf, len, 7), -1);
	/* The request was read: the server's turn to send. */
	EXPECT_EQ(send(self->server, "ok", 2, 0), 2);
}

/* MSG_PEEK returns the data without consuming it. */
TEST_F(sess, recv_peek)
{
	char b[8] = {};
	int eor = 0;

	ASSERT_EQ(send(self->client, "abcdef", 6, 0), 6);
	EXPECT_EQ(sdrp_recv(self->server, b, 3, MSG_PEEK, &eor), 3);
	EXPECT_FALSE(eor);
	EXPECT_EQ(memcmp(b, "abc", 3), 0);
	EXPECT_EQ(sdrp_recv(self->server, b, 8, MSG_PEEK, &eor), 6);
	EXPECT_TRUE(eor);
	memset(b, 0, sizeof(b));
	EXPECT_EQ(sdrp_recv(self->server, b, 8, 0, &eor), 6);
	EXPECT_TRUE(eor);
	EXPECT_EQ(memcmp(b, "abcdef", 6), 0);
}

TEST_F(sess, send_over_max_emsgsize)
{
	EXPECT_EQ(send(self->client, self->buf, SDRP_MAX_BODY + 1, 0), -1);
	EXPECT_EQ(errno, EMSGSIZE);
	/* Nothing was sent: the session goes on. */
	exchange(_metadata, self, SDRP_MAX_BODY, 5, 1);
}

/* Calls out of turn fail with EALREADY and change nothing. */
TEST_F(sess, out_of_turn_ealready)
{
	char b[4];

	/* Server: no request to answer; nothing it could wait for yet. */
	EXPECT_EQ(send(self->server, "r", 1, 0), -1);
	EXPECT_EQ(errno, EALREADY);
	/* Client: nothing asked, so no response is owed to it. */
	EXPECT_EQ(recv(self->client, b, sizeof(b), 0), -1);
	EXPECT_EQ(errno, EALREADY);

	ASSERT_EQ(send(self->client, "q", 1, 0), 1);
	/* A second request before the response. */
	EXPECT_EQ(send(self->client, "q", 1, 0), -1);
	EXPECT_EQ(errno, EALREADY);
	ASSERT_EQ(recv(self->server, b, sizeof(b), 0), 1);
	/* The server has its request: no second one is coming. */
	EXPECT_EQ(recv(self->server, b, sizeof(b), MSG_DONTWAIT), -1);
	EXPECT_EQ(errno, EALREADY);
	ASSERT_EQ(send(self->server, "r", 1, 0), 1);
	EXPECT_EQ(send(self->server, "r", 1, 0), -1);
	EXPECT_EQ(errno, EALREADY);
	ASSERT_EQ(recv(self->client, b, sizeof(b), 0), 1);
	/* And the session is intact. */
	exchange(_metadata, self, 3, 4, 9);
}

/* Non-blocking calls and poll(): POLLIN only for a complete record. */
TEST_F(sess, nonblocking_and_poll)
{
	struct pollfd pfd = { .events = POLLIN | POLLOUT };
	char b[4];

	pfd.fd = self->server;
	EXPECT_EQ(poll(&pfd, 1, 0), 0);
	EXPECT_EQ(recv(self->server, b, sizeof(b), MSG_DONTWAIT), -1);
	EXPECT_EQ(errno, EAGAIN);

	pfd.fd = self->client;
	ASSERT_EQ(poll(&pfd, 1, 0), 1);
	EXPECT_EQ(pfd.revents, POLLOUT);
	ASSERT_EQ(send(self->client, "q", 1, MSG_DONTWAIT), 1);
	/* The request is out: no POLLOUT, and no POLLIN until the response. */
	EXPECT_EQ(poll(&pfd, 1, 0), 0);

	pfd.fd = self->server;
	ASSERT_EQ(poll(&pfd, 1, 5000), 1);
	EXPECT_EQ(pfd.revents, POLLIN);
	ASSERT_EQ(recv(self->server, b, sizeof(b), MSG_DONTWAIT), 1);
	ASSERT_EQ(poll(&pfd, 1, 0), 1);
	EXPECT_EQ(pfd.revents, POLLOUT);
	ASSERT_EQ(send(self->server, "r", 1, MSG_DONTWAIT), 1);

	pfd.fd = self->client;
	pfd.events = POLLIN;
	ASSERT_EQ(poll(&pfd, 1, 5000), 1);
	EXPECT_EQ(pfd.revents, POLLIN);
	ASSERT_EQ(recv(self->client, b, sizeof(b), MSG_DONTWAIT), 1);
}

/* SO_RCVTIMEO bounds a blocking recv(). */
TEST_F(sess, recv_timeout_sockopt)
{
	struct timeval tv = { .tv_usec = 200000 };
	char b[4];

	ASSERT_EQ(setsockopt(self->server, SOL_SOCKET, SO_RCVTIMEO, &tv,
			     sizeof(tv)), 0);
	EXPECT_EQ(recv(self->server, b, sizeof(b), 0), -1);
	EXPECT_EQ(errno, EAGAIN);
}

/* The peer's receive timer: a server that never answers. */
TEST_F(sess, server_silent_receive_timer)
{
	struct sdrp_params p = { .recv_timeout_ms = 200 };
	struct sdrp_info ci, si;
	char b[4];
	ssize_t n;

	ASSERT_EQ(sdrp_set_params(self->client, &p), 0);
	ASSERT_EQ(send(self->client, "q", 1, 0), 1);
	ASSERT_EQ(recv(self->server, b, sizeof(b), 0), 1);
	/* No answer: the client's timer closes the session. */
	n = recv(self->client, b, sizeof(b), 0);
	ASSERT_EQ(sdrp_get_info(self->client, &ci), 0);
	if (variant->policy == SDRP_POLICY_CLOSE) {
		EXPECT_EQ(n, -1);
		EXPECT_EQ(errno, ETIMEDOUT);
		EXPECT_EQ(ci.close_reason, SDRP_CLOSE_TIMEOUT);
	} else {
		/*
		 * RESEND LAST first: the server has sent nothing it could
		 * repeat, which is a BAD_TYPE for it; either side may end it
		 * (end of file if the server's CLOSE came first).
		 */
		EXPECT_LE(n, 0);
		EXPECT_NE(ci.close_reason, SDRP_CLOSE_NONE);
	}
	ASSERT_EQ(sdrp_wait_state(self->server, SDRP_STATE_CLOSED, 5000,
				  &si), 0);
}

/* close() in the middle of an exchange: the peer sees the CLOSE. */
TEST_F(sess, close_during_traffic)
{
	struct pollfd pfd = { .fd = self->server, .events = POLLIN | POLLRDHUP };
	struct sdrp_info si;
	char b[4];
	int eor = 1;

	ASSERT_EQ(send(self->client, "q", 1, 0), 1);
	close(self->client);
	self->client = -1;
	/* The request arrived before the CLOSE: it is still read first. */
	EXPECT_EQ(sdrp_recv(self->server, b, sizeof(b), 0, &eor), 1);
	/* Until the CLOSE is in, a second recv() would be out of turn. */
	ASSERT_EQ(poll(&pfd, 1, 5000), 1);
	EXPECT_EQ(pfd.revents & (POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
	EXPECT_EQ(sdrp_recv(self->server, b, sizeof(b), 0, &eor), 0);
	EXPECT_FALSE(eor);
	EXPECT_EQ(send(self->server, "r", 1, MSG_NOSIGNAL), -1);
	EXPECT_EQ(errno, EPIPE);
	ASSERT_EQ(sdrp_get_info(self->server, &si), 0);
	EXPECT_EQ(si.close_reason, SDRP_CLOSE_PEER);
}

/*
 * A message delayed beyond its ttl: netem holds every packet on loopback
 * 300 ms, the client's ttl window is 100 ms.  The server refuses the
 * request as STALE_TTL (after RESEND LASTs under that policy: the resent
 * request is just as late) and its recv() fails with ETIME.
 */
TEST_F(sess, stale_ttl_netem_delay)
{
	/* The skew keeps the server's 25 s ttls acceptable to the client. */
	struct sdrp_params p = { .ttl_ms = 100, .clock_skew_ms = 60000 };
	struct timeval tv = { .tv_sec = 10 };
	struct sdrp_info si;
	char b[4];

	if (system("tc qdisc add dev lo root netem delay 300ms 2>/dev/null"))
		SKIP(return, "tc or sch_netem not available");
	ASSERT_EQ(sdrp_set_params(self->client, &p), 0);
	ASSERT_EQ(setsockopt(self->server, SOL_SOCKET, SO_RCVTIMEO, &tv,
			     sizeof(tv)), 0);
	ASSERT_EQ(send(self->client, "q", 1, 0), 1);
	EXPECT_EQ(recv(self->server, b, sizeof(b), 0), -1);
	EXPECT_EQ(errno, ETIME);
	ASSERT_EQ(sdrp_get_info(self->server, &si), 0);
	EXPECT_EQ(si.close_reason, SDRP_CLOSE_STALE_TTL);
	if (variant->policy == SDRP_POLICY_RESEND)
		EXPECT_EQ(si.resends, 3);
	EXPECT_GE(sdrp_stat("SdrpRxStaleTtl"), 1);
	/* A session counts under its close reason once it is CLOSED. */
	ASSERT_EQ(sdrp_wait_state(self->server, SDRP_STATE_CLOSED, 5000,
				  &si), 0);
	EXPECT_EQ(sdrp_stat("SdrpCloseStaleTtl"), 1);
	EXPECT_EQ(system("tc qdisc del dev lo root"), 0);
}

FIXTURE(long_sess) {
	FIXTURE_DATA(sess) s;
};

FIXTURE_SETUP(long_sess)
{
	sess_open(_metadata, &self->s, AF_INET, SDRP_POLICY_CLOSE);
}

FIXTURE_TEARDOWN(long_sess)
{
	sess_close(_metadata, &self->s);
}

/*
 * 1000 exchanges, about 100 rekeys at the default interval of 10, with
 * bodies of 0 B, 1 B, 1 KiB and 64 KiB in turn and the maximum (1 MiB)
 * in every 100th, each byte checked; then CLOSE / CLOSE ACK.  Once, over
 * IPv4 under policy CLOSE: the policy only matters when something fails,
 * and sdrp_interop runs 1000 exchanges over IPv6.
 */
TEST_F_TIMEOUT(long_sess, exchange_1000_with_rekeys, 600)
{
	static const size_t sizes[] = { 0, 1, 1024, 65536 };
	struct sdrp_info ci, si;
	struct pollfd pfd;
	unsigned int i;
	int eor = 1;

	for (i = 0; i < 1000; i++) {
		size_t req = sizes[i % 4], resp = sizes[(i + 1) % 4];

		if (i % 100 == 99) {
			req = resp = SDRP_MAX_BODY;
			ksft_print_msg("%u exchanges\n", i + 1);
		}
		exchange(_metadata, &self->s, req, resp, i);
	}
	/* The 100th rekey follows the last DATA ACK without any call. */
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(sdrp_get_info(self->s.client, &ci), 0);
		ASSERT_EQ(sdrp_get_info(self->s.server, &si), 0);
		if (ci.epoch == 100 && si.epoch == 100 &&
		    ci.state == SDRP_STATE_ESTABLISHED)
			break;
		sdrp_sleep_ms(10);
	}
	EXPECT_EQ(ci.epoch, 100);
	EXPECT_EQ(si.epoch, 100);
	EXPECT_EQ(ci.rekeys, 100);
	EXPECT_EQ(si.rekeys, 100);
	EXPECT_EQ(ci.state, SDRP_STATE_ESTABLISHED);

	/* CLOSE from the client, CLOSE ACK from the server. */
	ASSERT_EQ(shutdown(self->s.client, SHUT_RDWR), 0);
	pfd = (struct pollfd){ .fd = self->s.client, .events = POLLIN };
	ASSERT_EQ(poll(&pfd, 1, 10000), 1);
	EXPECT_TRUE(pfd.revents & POLLHUP);
	ASSERT_EQ(sdrp_wait_state(self->s.client, SDRP_STATE_CLOSED, 5000,
				  &ci), 0);
	EXPECT_EQ(ci.close_reason, SDRP_CLOSE_LOCAL);
	/* The server reads end of file: 0 bytes without MSG_EOR. */
	EXPECT_EQ(sdrp_recv(self->s.server, self->s.rbuf, 16, 0, &eor), 0);
	EXPECT_FALSE(eor);
	ASSERT_EQ(sdrp_get_info(self->s.server, &si), 0);
	EXPECT_EQ(si.state, SDRP_STATE_CLOSED);
	EXPECT_EQ(si.close_reason, SDRP_CLOSE_PEER);
	EXPECT_EQ(send(self->s.server, "x", 1, MSG_NOSIGNAL), -1);
	EXPECT_EQ(errno, EPIPE);
	EXPECT_EQ(send(self->s.client, "x", 1, MSG_NOSIGNAL), -1);
	EXPECT_EQ(errno, EPIPE);
}

TEST_HARNESS_MAIN
