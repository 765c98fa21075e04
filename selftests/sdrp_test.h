/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the sdrp kselftests: a connected loopback TCP pair in a
 * network namespace of its own, the ULP attached with directly-set keys,
 * and the counters of /proc/net/sdrp_stat.  Include after
 * kselftest_harness.h.
 */
#ifndef _SDRP_TEST_H
#define _SDRP_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/sdrp.h>

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

#define SDRP_STAT_FILE	"/proc/net/sdrp_stat"
#define SDRP_MAX_BODY	(1 << 20)

static inline void sdrp_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Current value of a counter in /proc/net/sdrp_stat, or -1. */
static inline long sdrp_stat(const char *name)
{
	char key[64];
	long value, found = -1;
	FILE *f = fopen(SDRP_STAT_FILE, "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &value) == 2)
		if (!strcmp(key, name))
			found = value;
	fclose(f);
	return found;
}

/* Poll until the counter reads @want: sockets are released asynchronously. */
static inline long sdrp_stat_wait(const char *name, long want, int ms)
{
	long value = sdrp_stat(name);

	for (; value != want && ms > 0; ms -= 10) {
		sdrp_sleep_ms(10);
		value = sdrp_stat(name);
	}
	return value;
}

/* Every counter of /proc/net/sdrp_stat at one moment. */
#define SDRP_STAT_MAX	64

struct sdrp_stat_snap {
	unsigned int n;
	char name[SDRP_STAT_MAX][40];
	long value[SDRP_STAT_MAX];
};

/* Read all counters into @s; 0 or -errno. */
static inline int sdrp_stat_snap(struct sdrp_stat_snap *s)
{
	FILE *f = fopen(SDRP_STAT_FILE, "r");

	if (!f)
		return -errno;
	s->n = 0;
	while (s->n < SDRP_STAT_MAX &&
	       fscanf(f, "%39s %ld", s->name[s->n], &s->value[s->n]) == 2)
		s->n++;
	fclose(f);
	return 0;
}

/* A counter's value in @s, or -1 if the file has no such line. */
static inline long sdrp_snap_get(const struct sdrp_stat_snap *s,
				 const char *name)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return s->value[i];
	return -1;
}

/* How much a counter grew from @a to @b. */
static inline long sdrp_snap_delta(const struct sdrp_stat_snap *a,
				   const struct sdrp_stat_snap *b,
				   const char *name)
{
	return sdrp_snap_get(b, name) - sdrp_snap_get(a, name);
}

/*
 * The counter a session closed for @reason counts under, by the names of
 * Documentation/sdrp.rst (kept here independently of the module's table).
 */
static inline const char *sdrp_close_stat_name(unsigned int reason)
{
	static const char *const names[SDRP_CLOSE_REASON_MAX + 1] = {
		[SDRP_CLOSE_LOCAL]	= "SdrpCloseLocal",
		[SDRP_CLOSE_PEER]	= "SdrpClosePeer",
		[SDRP_CLOSE_PEER_NO_ACK] = "SdrpClosePeerNoAck",
		[SDRP_CLOSE_NO_ACK]	= "SdrpCloseNoAck",
		[SDRP_CLOSE_BAD_MAC]	= "SdrpCloseBadMac",
		[SDRP_CLOSE_BAD_SEQ]	= "SdrpCloseBadSeq",
		[SDRP_CLOSE_STALE_TTL]	= "SdrpCloseStaleTtl",
		[SDRP_CLOSE_FUTURE_TTL]	= "SdrpCloseFutureTtl",
		[SDRP_CLOSE_OLD_EPOCH]	= "SdrpCloseOldEpoch",
		[SDRP_CLOSE_BAD_TYPE]	= "SdrpCloseBadType",
		[SDRP_CLOSE_MALFORMED]	= "SdrpCloseMalformed",
		[SDRP_CLOSE_TIMEOUT]	= "SdrpCloseTimeout",
		[SDRP_CLOSE_RETRIES]	= "SdrpCloseRetries",
		[SDRP_CLOSE_TRANSPORT]	= "SdrpCloseTransport",
		[SDRP_CLOSE_AUTH]	= "SdrpCloseAuth",
		[SDRP_CLOSE_INTERNAL]	= "SdrpCloseInternal",
	};

	return reason <= SDRP_CLOSE_REASON_MAX && names[reason] ?
	       names[reason] : "none";
}

/*
 * The counters of rejected records that a close for @reason implies
 * (a header the framing refused, or a layout refused after decryption,
 * for MALFORMED); NULL for reasons that are not about a record.
 */
static inline const char *sdrp_reject_stat_name(unsigned int reason,
						 int framing)
{
	switch (reason) {
	case SDRP_CLOSE_BAD_MAC:	return "SdrpRxBadMac";
	case SDRP_CLOSE_BAD_SEQ:	return "SdrpRxBadSeq";
	case SDRP_CLOSE_STALE_TTL:	return "SdrpRxStaleTtl";
	case SDRP_CLOSE_FUTURE_TTL:	return "SdrpRxFutureTtl";
	case SDRP_CLOSE_OLD_EPOCH:	return "SdrpRxOldEpoch";
	case SDRP_CLOSE_BAD_TYPE:	return "SdrpRxBadType";
	case SDRP_CLOSE_MALFORMED:
		return framing ? "SdrpRxBadHeader" : "SdrpRxBadLayout";
	default:			return NULL;
	}
}

/*
 * A new network namespace for the calling thread, with loopback up: the
 * per-netns counters start at zero there.  0 or -errno.
 */
static inline int sdrp_netns_loopback(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, err = 0;

	if (unshare(CLONE_NEWNET))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr))
		err = -errno;
	close(fd);
	return err;
}

/* The loopback address of @family, port 0, in @addr; returns its length. */
static inline socklen_t sdrp_loopback_addr(int family,
					   struct sockaddr_storage *addr)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)addr;
	struct sockaddr_in *sin = (struct sockaddr_in *)addr;

	memset(addr, 0, sizeof(*addr));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = in6addr_loopback;
	return sizeof(*sin6);
}

/*
 * A connected TCP pair of @family in the calling thread's network
 * namespace: *client and its accepted *server.  0 or -errno.
 */
static inline int sdrp_tcp_pair_here(int family, int *client, int *server)
{
	struct sockaddr_storage addr;
	socklen_t len;
	int lfd;

	len = sdrp_loopback_addr(family, &addr);
	lfd = socket(family, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, len) ||
	    listen(lfd, 1) || getsockname(lfd, (struct sockaddr *)&addr, &len))
		return -errno;
	*client = socket(family, SOCK_STREAM, 0);
	if (*client < 0 || connect(*client, (struct sockaddr *)&addr, len))
		return -errno;
	*server = accept(lfd, NULL, NULL);
	if (*server < 0)
		return -errno;
	close(lfd);
	return 0;
}

/* The same in a new network namespace (sdrp_netns_loopback). */
static inline int sdrp_tcp_pair(int family, int *client, int *server)
{
	int err = sdrp_netns_loopback();

	return err ? err : sdrp_tcp_pair_here(family, client, server);
}

static inline int sdrp_attach(int fd)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_ULP, "sdrp", sizeof("sdrp"));
}

/* Random epoch-0 keys and sequence state, as a handshake would leave them. */
static inline void sdrp_random_keys(struct sdrp_keys *k)
{
	memset(k, 0, sizeof(*k));
	if (getrandom(k, sizeof(*k), 0) != sizeof(*k))
		abort();
	memset(k->reserved, 0, sizeof(k->reserved));
	k->epoch = 0;
	k->c2s_counter = 1;	/* the client's ACK used counter 0 */
	k->s2c_counter = 0;
}

static inline int sdrp_set_keys(int fd, const struct sdrp_keys *base,
				int role)
{
	struct sdrp_keys k = *base;
	int ret;

	k.role = role;
	ret = setsockopt(fd, SOL_SDRP, SDRP_KEYS, &k, sizeof(k));
	memset(&k, 0, sizeof(k));
	return ret;
}

static inline int sdrp_set_params(int fd, const struct sdrp_params *p)
{
	return setsockopt(fd, SOL_SDRP, SDRP_PARAMS, p, sizeof(*p));
}

static inline int sdrp_get_info(int fd, struct sdrp_info *info)
{
	socklen_t len = sizeof(*info);

	return getsockopt(fd, SOL_SDRP, SDRP_INFO, info, &len);
}

/* Wait until the socket's session reaches @state; its info in @info. */
static inline int sdrp_wait_state(int fd, int state, int ms,
				  struct sdrp_info *info)
{
	for (;;) {
		if (sdrp_get_info(fd, info))
			return -errno;
		if (info->state == state)
			return 0;
		if (ms <= 0)
			return -ETIMEDOUT;
		sdrp_sleep_ms(10);
		ms -= 10;
	}
}

/* recvmsg() of one call; *eor tells whether MSG_EOR was set. */
static inline ssize_t sdrp_recv(int fd, void *buf, size_t len, int flags,
				int *eor)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(fd, &msg, flags);

	if (eor)
		*eor = !!(msg.msg_flags & MSG_EOR);
	return n;
}

/* Bytes of message @id, so the receiver can check every one of them. */
static inline void sdrp_fill(unsigned char *buf, size_t len, unsigned int id)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(id * 131 + i * 7 + (i >> 8));
}

/* Index of the first byte that differs from sdrp_fill(), or -1. */
static inline long sdrp_check(const unsigned char *buf, size_t len,
			      unsigned int id)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != (unsigned char)(id * 131 + i * 7 + (i >> 8)))
			return i;
	return -1;
}

#endif /* _SDRP_TEST_H */
