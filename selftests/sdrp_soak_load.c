// SPDX-License-Identifier: GPL-2.0
/*
 * The load of selftests/sdrp_soak.sh: many concurrent sdrp sessions over
 * TCP between two network namespaces, kernel client against kernel
 * server, every byte of every response checked.  Not a test on its own.
 *
 *   sdrp_soak_load server PORT SECRET [noreset]  (runs until killed)
 *   sdrp_soak_load client ADDR PORT SECRET SESSIONS SECONDS
 *
 * Keys: each session's epoch-0 keys come from SECRET and a session id
 * that the client sends in clear before both ends attach the ULP (test
 * keys, never secret).  The client keeps SESSIONS sessions open at all
 * times until SECONDS pass, opening a new one when one fails; then it
 * closes the live ones (CLOSE / CLOSE ACK).
 *
 * Requests: request n of session s is a header (session id, n) and a body
 * of a length and content that follow from (s, n).  The server answers
 * each with a response that follows from the request it received; the
 * client checks that response n is exactly the one for its request n.
 *
 * The server also resets connections on the path (unless "noreset": a
 * kernel without sock_diag): every 100-400 ms it aborts a random live TCP
 * connection with SOCK_DESTROY (as `ss -K` does): its end fails with
 * ECONNABORTED, the client's end gets an RST.
 *
 * Every failure must reach the application as the errno documented for
 * the close reason SDRP_INFO reports; a session must end closed on both
 * sides.  Each side prints one summary line, "key=value ...", last.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/sdrp.h>

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

#define MAX_BODY	8192
#define HDR		16	/* session id, request number */
#define REKEY_INTERVAL	3

static uint64_t secret;

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void session_keys(uint64_t id, struct sdrp_keys *k)
{
	uint8_t *p = (uint8_t *)k;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		p[i] = (uint8_t)mix(secret ^ (id << 16) ^ i);
	memset(k->reserved, 0, sizeof(k->reserved));
	k->epoch = 0;
	k->c2s_counter = 1;
	k->s2c_counter = 0;
}

static size_t body_len(uint64_t id, uint64_t n, int response)
{
	return mix(id * 31 + n * 2 + response) % MAX_BODY;
}

static uint8_t body_byte(uint64_t id, uint64_t n, int response, size_t i)
{
	return (uint8_t)(mix(id ^ (n << 20) ^ ((uint64_t)response << 62)) >>
			 (8 * (i % 8))) ^ (uint8_t)(i / 8);
}

/* Message n of session id (request or response) into @buf; its length. */
static size_t build(uint8_t *buf, uint64_t id, uint64_t n, int response)
{
	size_t len = body_len(id, n, response), i;

	memcpy(buf, &id, 8);
	memcpy(buf + 8, &n, 8);
	for (i = 0; i < len; i++)
		buf[HDR + i] = body_byte(id, n, response, i);
	return HDR + len;
}

static bool matches(const uint8_t *buf, size_t len, uint64_t id, uint64_t n,
		    int response)
{
	uint64_t got_id, got_n;
	size_t i;

	if (len < HDR)
		return false;
	memcpy(&got_id, buf, 8);
	memcpy(&got_n, buf + 8, 8);
	if (got_id != id || got_n != n ||
	    len != HDR + body_len(id, n, response))
		return false;
	for (i = 0; i < len - HDR; i++)
		if (buf[HDR + i] != body_byte(id, n, response, i))
			return false;
	return true;
}

/* The errno of Documentation/sdrp.rst for each close reason. */
static int reason_errno(unsigned int reason)
{
	switch (reason) {
	case SDRP_CLOSE_LOCAL:		return EPIPE;
	case SDRP_CLOSE_PEER:		return EPIPE;	/* after the EOF */
	case SDRP_CLOSE_PEER_NO_ACK:	return ECONNRESET;
	case SDRP_CLOSE_NO_ACK:		return ETIMEDOUT;
	case SDRP_CLOSE_BAD_MAC:	return EBADMSG;
	case SDRP_CLOSE_BAD_SEQ:
	case SDRP_CLOSE_OLD_EPOCH:
	case SDRP_CLOSE_BAD_TYPE:
	case SDRP_CLOSE_MALFORMED:	return EPROTO;
	case SDRP_CLOSE_STALE_TTL:
	case SDRP_CLOSE_FUTURE_TTL:	return ETIME;
	case SDRP_CLOSE_TIMEOUT:
	case SDRP_CLOSE_RETRIES:	return ETIMEDOUT;
	case SDRP_CLOSE_TRANSPORT:	return ECONNRESET;
	default:			return -1;
	}
}

/* Outcomes of one side, printed as its summary line. */
static struct {
	atomic_ulong sessions;		/* established */
	atomic_ulong exchanges;		/* responses checked (client) or sent */
	atomic_ulong failed;		/* sessions that ended in a failure */
	atomic_ulong closed_clean;	/* CLOSE / CLOSE ACK at the end */
	atomic_ulong wrong_response;	/* a response not its request's */
	atomic_ulong wrong_errno;	/* errno not the reason's */
	atomic_ulong half_open;		/* not CLOSED when we let go */
	atomic_ulong resets;		/* connections aborted (server) */
	atomic_ulong rekeys;		/* epochs reached, added up */
	atomic_ulong by_reason[SDRP_CLOSE_REASON_MAX + 1];
} st;

static void summary(const char *side)
{
	unsigned int r;

	printf("# %s close reasons:", side);
	for (r = 1; r <= SDRP_CLOSE_REASON_MAX; r++)
		if (st.by_reason[r])
			printf(" %u=%lu", r, (unsigned long)st.by_reason[r]);
	printf("\n%s sessions=%lu exchanges=%lu failed=%lu closed_clean=%lu "
	       "wrong_response=%lu wrong_errno=%lu half_open=%lu resets=%lu "
	       "rekeys=%lu\n", side, (unsigned long)st.sessions,
	       (unsigned long)st.exchanges, (unsigned long)st.failed,
	       (unsigned long)st.closed_clean,
	       (unsigned long)st.wrong_response,
	       (unsigned long)st.wrong_errno, (unsigned long)st.half_open,
	       (unsigned long)st.resets, (unsigned long)st.rekeys);
	fflush(stdout);
}

static int get_info(int fd, struct sdrp_info *info)
{
	socklen_t len = sizeof(*info);

	return getsockopt(fd, SOL_SDRP, SDRP_INFO, info, &len);
}

/* Wait (up to 60 s: netem's delays, a lost RST) for CLOSED. */
static void wait_closed(int fd, struct sdrp_info *info)
{
	int i;

	for (i = 0; i < 6000; i++) {
		if (get_info(fd, info) || info->state == SDRP_STATE_CLOSED)
			return;
		usleep(10000);
	}
}

/*
 * The session ended: @err is the errno of the call that failed (0: end
 * of file or our own close).  It must be the reason's, and the session
 * closed on this side.
 */
static void session_end(int fd, int err, bool local_close)
{
	struct sdrp_info info = { 0 };

	wait_closed(fd, &info);
	if (info.state != SDRP_STATE_CLOSED) {
		st.half_open++;
		fprintf(stderr, "session not closed: state %u\n", info.state);
	}
	if (info.close_reason <= SDRP_CLOSE_REASON_MAX)
		st.by_reason[info.close_reason]++;
	st.rekeys += info.epoch;
	if (local_close || (!err && info.close_reason == SDRP_CLOSE_PEER)) {
		st.closed_clean++;
		return;
	}
	st.failed++;
	if (err != reason_errno(info.close_reason) ||
	    info.close_errno != reason_errno(info.close_reason)) {
		st.wrong_errno++;
		fprintf(stderr, "errno %d (%s), SDRP_INFO errno %d, reason %u\n",
			err, strerror(err), info.close_errno,
			info.close_reason);
	}
}

static int start_session(int fd, uint64_t id, int role)
{
	struct sdrp_params p = {
		.rekey_interval = REKEY_INTERVAL,
		.recv_timeout_ms = 10000,
		.close_timeout_ms = 5000,
	};
	struct sdrp_keys k;
	int one = 1, err = 0;

	session_keys(id, &k);
	k.role = role;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_ULP, "sdrp", sizeof("sdrp")) ||
	    setsockopt(fd, SOL_SDRP, SDRP_PARAMS, &p, sizeof(p)) ||
	    setsockopt(fd, SOL_SDRP, SDRP_KEYS, &k, sizeof(k)))
		err = errno;
	memset(&k, 0, sizeof(k));
	if (!err)
		st.sessions++;
	return err;
}

/* ---- server ---------------------------------------------------------- */

#define MAX_CONNS	1024

static struct {
	pthread_mutex_t lock;
	int fd[MAX_CONNS];
	unsigned int n;
} live = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void live_add(int fd)
{
	pthread_mutex_lock(&live.lock);
	if (live.n < MAX_CONNS)
		live.fd[live.n++] = fd;
	pthread_mutex_unlock(&live.lock);
}

static void live_del(int fd)
{
	unsigned int i;

	pthread_mutex_lock(&live.lock);
	for (i = 0; i < live.n; i++)
		if (live.fd[i] == fd)
			live.fd[i] = live.fd[--live.n];
	pthread_mutex_unlock(&live.lock);
}

/* Abort one TCP connection by its addresses (SOCK_DESTROY). */
static int destroy(int fd)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = {
			.nlmsg_len = sizeof(msg),
			.nlmsg_type = SOCK_DESTROY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		},
		.req = {
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = ~0u,
		},
	};
	struct sockaddr_storage l, r;
	socklen_t ll = sizeof(l), rl = sizeof(r);
	char ack[512];
	int nl, ret = -1;

	if (getsockname(fd, (struct sockaddr *)&l, &ll) ||
	    getpeername(fd, (struct sockaddr *)&r, &rl))
		return -1;
	msg.req.sdiag_family = l.ss_family;
	msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (l.ss_family == AF_INET) {
		const struct sockaddr_in *a = (void *)&l, *b = (void *)&r;

		msg.req.id.idiag_sport = a->sin_port;
		msg.req.id.idiag_dport = b->sin_port;
		memcpy(msg.req.id.idiag_src, &a->sin_addr, 4);
		memcpy(msg.req.id.idiag_dst, &b->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *a = (void *)&l, *b = (void *)&r;

		msg.req.id.idiag_sport = a->sin6_port;
		msg.req.id.idiag_dport = b->sin6_port;
		memcpy(msg.req.id.idiag_src, &a->sin6_addr, 16);
		memcpy(msg.req.id.idiag_dst, &b->sin6_addr, 16);
	}
	nl = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -1;
	if (send(nl, &msg, sizeof(msg), 0) == sizeof(msg) &&
	    recv(nl, ack, sizeof(ack), 0) >= (ssize_t)sizeof(struct nlmsghdr)) {
		struct nlmsgerr *e = NLMSG_DATA((struct nlmsghdr *)ack);

		ret = ((struct nlmsghdr *)ack)->nlmsg_type == NLMSG_ERROR ?
		      e->error : 0;
	}
	close(nl);
	return ret;
}

static void *reset_main(void *arg)
{
	uint64_t r = (uintptr_t)arg;

	for (;;) {
		int fd = -1;

		usleep(100000 + mix(++r) % 300000);
		pthread_mutex_lock(&live.lock);
		if (live.n)
			fd = live.fd[mix(++r) % live.n];
		/* under the lock: the fd cannot be closed and reused */
		if (fd >= 0) {
			int err = destroy(fd);

			if (!err)
				st.resets++;
			else if (!st.resets && err != -ENOENT)
				fprintf(stderr, "SOCK_DESTROY: %s\n",
					strerror(-err));
		}
		pthread_mutex_unlock(&live.lock);
	}
	return NULL;
}

static void *serve_main(void *arg)
{
	int fd = (int)(intptr_t)arg, err = 0, eor;
	uint8_t *req = malloc(HDR + MAX_BODY), *resp = malloc(HDR + MAX_BODY);
	struct iovec iov;
	struct msghdr m;
	uint64_t id, n;
	ssize_t got;
	size_t len;

	if (!req || !resp || recv(fd, &id, sizeof(id), MSG_WAITALL) !=
			     sizeof(id) || start_session(fd, id,
							 SDRP_ROLE_SERVER)) {
		close(fd);
		free(req);
		free(resp);
		return NULL;
	}
	live_add(fd);
	for (;;) {
		iov = (struct iovec){ .iov_base = req,
				      .iov_len = HDR + MAX_BODY };
		m = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
		got = recvmsg(fd, &m, 0);
		eor = !!(m.msg_flags & MSG_EOR);
		if (got < 0) {
			err = errno;
			break;
		}
		if (got == 0 && !eor)
			break;		/* end of file: the client closed */
		memcpy(&n, req + 8, 8);
		if (!matches(req, (size_t)got, id, n, 0))
			st.wrong_response++;
		len = build(resp, id, n, 1);
		if (send(fd, resp, len, MSG_NOSIGNAL) < 0) {
			err = errno;
			break;
		}
		st.exchanges++;
	}
	live_del(fd);
	session_end(fd, err, false);
	close(fd);
	free(req);
	free(resp);
	return NULL;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int server(const char *port, bool resets)
{
	struct sockaddr_in6 a = {
		.sin6_family = AF_INET6,
		.sin6_port = htons((uint16_t)atoi(port)),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	struct sigaction sa = { .sa_handler = on_term };
	pthread_attr_t attr;
	pthread_t th;
	int lfd, fd, one = 1;

	sigaction(SIGTERM, &sa, NULL);
	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one,
				  sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 512)) {
		perror("listen");
		return 1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 << 10);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (resets)
		pthread_create(&th, &attr, reset_main,
			       (void *)(uintptr_t)secret);
	while (!stop) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (pthread_create(&th, &attr, serve_main,
				   (void *)(intptr_t)fd))
			close(fd);
	}
	/* SIGTERM: the sessions are over; report */
	summary("server");
	return 0;
}

/* ---- client ---------------------------------------------------------- */

static struct sockaddr_storage srv_addr;
static socklen_t srv_len;
static struct timespec deadline;
static atomic_ulong next_id;

static bool past_deadline(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline.tv_sec ||
	       (now.tv_sec == deadline.tv_sec &&
		now.tv_nsec >= deadline.tv_nsec);
}

/* One session until it fails or the time is up; false if none started. */
static bool client_session(uint8_t *req, uint8_t *resp)
{
	struct timeval tv = { .tv_sec = 60 };
	uint64_t id = ++next_id, n;
	int fd, err = 0, eor;
	struct iovec iov;
	struct msghdr m;
	ssize_t got;
	size_t len;

	fd = socket(srv_addr.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return false;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&srv_addr, srv_len) ||
	    send(fd, &id, sizeof(id), MSG_NOSIGNAL) != sizeof(id) ||
	    start_session(fd, id, SDRP_ROLE_CLIENT)) {
		/* reset before the session started: not a session */
		close(fd);
		usleep(10000);
		return false;
	}
	for (n = 0; !past_deadline(); n++) {
		len = build(req, id, n, 0);
		if (send(fd, req, len, MSG_NOSIGNAL) < 0) {
			err = errno;
			break;
		}
		iov = (struct iovec){ .iov_base = resp,
				      .iov_len = HDR + MAX_BODY };
		m = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
		got = recvmsg(fd, &m, 0);
		eor = !!(m.msg_flags & MSG_EOR);
		if (got < 0) {
			err = errno;
			break;
		}
		if (got == 0 && !eor)
			break;		/* the server closed: not expected */
		if (!matches(resp, (size_t)got, id, n, 1) || !eor) {
			st.wrong_response++;
			fprintf(stderr, "session %llu: response %llu wrong\n",
				(unsigned long long)id, (unsigned long long)n);
		}
		st.exchanges++;
	}
	if (past_deadline() && !err) {
		/* time is up: CLOSE, CLOSE ACK */
		shutdown(fd, SHUT_RDWR);
		session_end(fd, 0, true);
	} else {
		session_end(fd, err, false);
	}
	close(fd);
	return true;
}

static void *slot_main(void *arg)
{
	uint8_t *req = malloc(HDR + MAX_BODY), *resp = malloc(HDR + MAX_BODY);

	(void)arg;
	while (req && resp && !past_deadline())
		client_session(req, resp);
	free(req);
	free(resp);
	return NULL;
}

static int client(char **argv)
{
	unsigned int sessions = (unsigned int)atoi(argv[4]), i;
	pthread_t *th = calloc(sessions, sizeof(*th));
	pthread_attr_t attr;

	memset(&srv_addr, 0, sizeof(srv_addr));
	if (inet_pton(AF_INET, argv[1],
		      &((struct sockaddr_in *)&srv_addr)->sin_addr) == 1) {
		((struct sockaddr_in *)&srv_addr)->sin_family = AF_INET;
		((struct sockaddr_in *)&srv_addr)->sin_port =
			htons((uint16_t)atoi(argv[2]));
		srv_len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, argv[1],
			     &((struct sockaddr_in6 *)&srv_addr)->sin6_addr) ==
		   1) {
		((struct sockaddr_in6 *)&srv_addr)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&srv_addr)->sin6_port =
			htons((uint16_t)atoi(argv[2]));
		srv_len = sizeof(struct sockaddr_in6);
	} else {
		fprintf(stderr, "bad address %s\n", argv[1]);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += atoi(argv[5]);
	/* ids of different runs and sides never meet */
	next_id = mix(secret) & 0xffffffff00000000ULL;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 << 10);
	for (i = 0; i < sessions; i++)
		if (pthread_create(&th[i], &attr, slot_main, NULL))
			return 1;
	for (i = 0; i < sessions; i++)
		pthread_join(th[i], NULL);
	summary("client");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((argc == 4 || (argc == 5 && !strcmp(argv[4], "noreset"))) &&
	    !strcmp(argv[1], "server")) {
		secret = strtoull(argv[3], NULL, 0);
		return server(argv[2], argc == 4);
	}
	if (argc == 7 && !strcmp(argv[1], "client")) {
		secret = strtoull(argv[4], NULL, 0);
		return client(argv + 1);
	}
	fprintf(stderr, "usage: %s server PORT SECRET [noreset]\n"
		"       %s client ADDR PORT SECRET SESSIONS SECONDS\n",
		argv[0], argv[0]);
	return 2;
}
