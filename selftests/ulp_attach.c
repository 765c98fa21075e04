// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching the "sdrp" TCP ULP: the rules users know from kTLS.
 *
 *   - attach works on an ESTABLISHED socket, client or accepted side;
 *   - a listening or unconnected socket is refused with ENOTCONN;
 *   - a second attach on the same socket fails with EEXIST;
 *   - every attached socket counts in its namespace's /proc/net/sdrp_stat
 *     until destroyed;
 *   - while a socket holds the ULP the module cannot be removed; once the
 *     sockets are gone it can, and the next attach loads it again.
 *
 * Each test runs on IPv4 and IPv6 loopback.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sdrp_test.h"

#define MODULE_DIR	"/sys/module/sdrp"
#define WAIT_MS		10000

static int module_loaded(void)
{
	struct stat st;

	return stat(MODULE_DIR, &st) == 0;
}

FIXTURE(conn) {
	struct sockaddr_storage addr;	/* the listener's */
	socklen_t addr_len;
	int listener;
	int client;
	int server;
};

FIXTURE_VARIANT(conn) {
	int family;
};

FIXTURE_VARIANT_ADD(conn, ipv4) {
	.family = AF_INET,
};

FIXTURE_VARIANT_ADD(conn, ipv6) {
	.family = AF_INET6,
};

/*
 * Each test runs in a network namespace of its own: the per-netns counters
 * then start at zero, and sockets that earlier tests left closing do not
 * count.  Then a connected loopback pair: self->client and its accepted
 * self->server.
 */
FIXTURE_SETUP(conn)
{
	struct sockaddr_storage addr;
	socklen_t len;

	ASSERT_EQ(sdrp_netns_loopback(), 0);
	len = sdrp_loopback_addr(variant->family, &addr);

	self->listener = socket(variant->family, SOCK_STREAM, 0);
	ASSERT_GE(self->listener, 0);
	ASSERT_EQ(bind(self->listener, (struct sockaddr *)&addr, len), 0);
	ASSERT_EQ(listen(self->listener, 1), 0);
	ASSERT_EQ(getsockname(self->listener, (struct sockaddr *)&addr, &len), 0);
	self->addr = addr;
	self->addr_len = len;

	self->client = socket(variant->family, SOCK_STREAM, 0);
	ASSERT_GE(self->client, 0);
	ASSERT_EQ(connect(self->client, (struct sockaddr *)&addr, len), 0);
	self->server = accept(self->listener, NULL, NULL);
	ASSERT_GE(self->server, 0);
}

FIXTURE_TEARDOWN(conn)
{
	close(self->client);
	close(self->server);
	close(self->listener);
}

TEST_F(conn, attach_established_client)
{
	char name[16] = {};
	socklen_t len = sizeof(name);

	ASSERT_EQ(sdrp_attach(self->client), 0);
	ASSERT_EQ(getsockopt(self->client, IPPROTO_TCP, TCP_ULP, name, &len), 0);
	EXPECT_STREQ(name, "sdrp");
}

TEST_F(conn, attach_established_server)
{
	char name[16] = {};
	socklen_t len = sizeof(name);

	ASSERT_EQ(sdrp_attach(self->server), 0);
	ASSERT_EQ(getsockopt(self->server, IPPROTO_TCP, TCP_ULP, name, &len), 0);
	EXPECT_STREQ(name, "sdrp");
}

TEST_F(conn, attach_listening_enotconn)
{
	EXPECT_EQ(sdrp_attach(self->listener), -1);
	EXPECT_EQ(errno, ENOTCONN);
}

TEST_F(conn, attach_unconnected_enotconn)
{
	int fd = socket(variant->family, SOCK_STREAM, 0);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(sdrp_attach(fd), -1);
	EXPECT_EQ(errno, ENOTCONN);
	close(fd);
}

TEST_F(conn, second_attach_eexist)
{
	ASSERT_EQ(sdrp_attach(self->client), 0);
	EXPECT_EQ(sdrp_attach(self->client), -1);
	EXPECT_EQ(errno, EEXIST);
}

/* A refused attach leaves no trace: both sockets still work as plain TCP. */
TEST_F(conn, refused_attach_leaves_socket_usable)
{
	char buf[4] = {};
	int fd, peer;

	fd = socket(variant->family, SOCK_STREAM, 0);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(sdrp_attach(fd), -1);
	ASSERT_EQ(sdrp_attach(self->listener), -1);

	ASSERT_EQ(connect(fd, (struct sockaddr *)&self->addr, self->addr_len), 0);
	peer = accept(self->listener, NULL, NULL);
	ASSERT_GE(peer, 0);
	EXPECT_EQ(write(fd, "ping", 4), 4);
	EXPECT_EQ(read(peer, buf, sizeof(buf)), 4);
	EXPECT_EQ(memcmp(buf, "ping", 4), 0);
	close(peer);
	close(fd);
}

TEST_F(conn, session_counter)
{
	ASSERT_EQ(sdrp_attach(self->client), 0);	/* loads the module if needed */
	EXPECT_EQ(sdrp_stat("SdrpCurrSessions"), 1);

	ASSERT_EQ(sdrp_attach(self->server), 0);
	EXPECT_EQ(sdrp_stat("SdrpCurrSessions"), 2);

	close(self->client);
	close(self->server);
	self->client = -1;
	self->server = -1;
	EXPECT_EQ(sdrp_stat_wait("SdrpCurrSessions", 0, WAIT_MS), 0);
}

/* Runs last: it unloads the module, and the next attach must reload it. */
TEST_F(conn, rmmod_refused_while_attached)
{
	int err = 0, waited, fd;

	ASSERT_EQ(sdrp_attach(self->client), 0);
	ASSERT_TRUE(module_loaded());

	EXPECT_EQ(syscall(SYS_delete_module, "sdrp", O_NONBLOCK), -1);
	EXPECT_EQ(errno, EWOULDBLOCK);
	EXPECT_TRUE(module_loaded());

	close(self->client);
	close(self->server);
	self->client = -1;
	self->server = -1;

	/* The last reference goes when TCP destroys the closed socket. */
	for (waited = 0; waited < WAIT_MS; waited += 10) {
		err = syscall(SYS_delete_module, "sdrp", O_NONBLOCK) ? errno : 0;
		if (err != EWOULDBLOCK)
			break;
		sdrp_sleep_ms(10);
	}
	ASSERT_EQ(err, 0) TH_LOG("rmmod after close: %s", strerror(err));
	EXPECT_FALSE(module_loaded());

	/* setsockopt(TCP_ULP) autoloads the module through its alias. */
	fd = socket(variant->family, SOCK_STREAM, 0);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(sdrp_attach(fd), -1);
	EXPECT_EQ(errno, ENOTCONN);
	close(fd);
	EXPECT_TRUE(module_loaded());
}

TEST_HARNESS_MAIN
