// SPDX-License-Identifier: GPL-2.0
/*
 * The load of selftests/sdrp_soak.sh: many concurrent sdrp sessions over
 * TCP between two network namespaces, kernel client against kernel
 * server, every byte of every response checked.  Not a test on its own.
 *
 *   sdrp_soak_load server [-n] [-r MS] [-H PEER] PORT SECRET (until SIGTERM)
 *   sdrp_soak_load client [-H PEER] ADDR PORT SECRET SESSIONS SECONDS
 *
 * The client sends a session id in clear, then both ends attach the ULP.
 * Keys: with -H, the initial handshake through the namespace's sdrpd
 * (SDRP_HANDSHAKE), PEER the identity the other end must prove; without
 * it, epoch-0 keys derived from SECRET and the session id (test keys,
 * never secret) installed with SDRP_KEYS.  The client keeps SESSIONS
 * sessions open at all times until SECONDS pass or SIGTERM comes, opening
 * a new one when one fails (or its handshake does); then it closes the
 * live ones (CLOSE / CLOSE ACK).  SIGUSR1 makes it close a few sessions
 * the same way and open new ones: sdrp_soak.sh sends it while an sdrpd is
 * down, so that handshakes meet the dead daemon.
 *
 * A handshake may fail only as the faults explain (sdrpd restarted, a
 * connection reset, a path slower than the deadline): ESRCH, ECONNABORTED,
 * ECONNRESET, ECONNREFUSED, ETIMEDOUT or ETIME (Documentation/sdrp.rst); the
 * session must then end CLOSED with that errno in SDRP_INFO.  Each side
 * counts its handshakes by outcome and errno.
 *
 * Requests: request n of session s is a header (session id, n) and a body
 * of a length and content that follow from (s, n).  The server answers
 * each with a response that follows from the request it received; the
 * client checks that response n is exactly the one for its request n.
 *
 * The server also resets connections on the path (unless -n: a kernel
 * without sock_diag): every 2-4 s (-r MS: every MS to 2 MS ms) it aborts
 * the TCP connection of a random established session with SOCK_DESTROY
 * (as `ss -K` does): its end fails, the client's end gets an RST.
 *
 * The client also reports how long its sessions lived: exchanges and
 * rekeys per session (min, median, 90th percentile, max), how many
 * sessions reached 1000 exchanges, and how each slot's first session
 * (if its first handshake succeeded) ended: alive at the end of the run (whole_run; their exchanges and
 * rekeys likewise), closed by SIGUSR1, or failed.  Failures other than a reset's (TTL, timeouts under netem) are
 * counted apart (failed_not_reset).
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
#include <semaphore.h>
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
/* a handshake's deadline: sdrpd's queue after a restart, netem's delays */
#define HS_TIMEOUT_MS	60000
/*
 * Client handshakes at once: each costs both daemons an RSA signature,
 * seconds of the emulated CPU; unbounded, 200 of them starved the data
 * path until every session timed out and retried, and so on.
 */
#define HS_IN_FLIGHT	4
/* sessions that SIGUSR1 ends (cleanly), so that new handshakes follow */
#define CHURN_SESSIONS	4
#define ERRNO_MAX	256

static uint64_t secret;
/* -H: the peer's identity; NULL: keys from the secret (SDRP_KEYS) */
static const char *hs_peer;

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
	atomic_ulong hs_ok;		/* SDRP_HANDSHAKE calls that succeeded */
	atomic_ulong hs_failed;		/* ... that failed */
	atomic_ulong hs_errno[ERRNO_MAX];	/* ... by errno */
	atomic_ulong failed_not_reset;	/* failed, reason not TRANSPORT */
	/* each slot's first session (client): how it ended */
	atomic_ulong whole_run;		/* alive when the time was up */
	atomic_ulong first_churned;	/* closed by SIGUSR1 */
	atomic_ulong first_failed;	/* failed */
	/* every session that started (keys or handshake), by close reason */
	atomic_ulong by_reason[SDRP_CLOSE_REASON_MAX + 1];
} st;

/* Exchanges and rekeys of established sessions (client), at their end. */
struct lifetimes {
	pthread_mutex_t lock;
	unsigned long *exchanges, *rekeys;
	size_t n, cap;
};

/* every session; the slots' first sessions that lived the whole run */
static struct lifetimes lives = { .lock = PTHREAD_MUTEX_INITIALIZER },
			whole_lives = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void life_add(struct lifetimes *l, unsigned long exchanges,
		     unsigned long rekeys)
{
	pthread_mutex_lock(&l->lock);
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 1024;
		unsigned long *e = realloc(l->exchanges, cap * sizeof(*e));
		unsigned long *r;

		if (e)
			l->exchanges = e;
		r = realloc(l->rekeys, cap * sizeof(*r));
		if (r)
			l->rekeys = r;
		if (e && r)
			l->cap = cap;
	}
	if (l->n < l->cap) {
		l->exchanges[l->n] = exchanges;
		l->rekeys[l->n] = rekeys;
		l->n++;
	} else {
		/* the summary then says so: lives < sessions */
		fprintf(stderr, "no memory for session records\n");
	}
	pthread_mutex_unlock(&l->lock);
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a,
		      y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

/* The p-th percentile of @v[0..n) (sorted), nearest rank; 0 if empty. */
static unsigned long percentile(const unsigned long *v, size_t n,
				unsigned int p)
{
	size_t rank = (n * p + 99) / 100;

	return n ? v[rank ? rank - 1 : 0] : 0;
}

/* " NAME_min=.. NAME_median=.. NAME_p90=.. NAME_max=.." of @v[0..n) */
static void print_distribution(const char *name, unsigned long *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_ulong);
	printf(" %s_min=%lu %s_median=%lu %s_p90=%lu %s_max=%lu", name,
	       percentile(v, n, 0), name, percentile(v, n, 50), name,
	       percentile(v, n, 90), name, percentile(v, n, 100));
}

/* The client's per-session figures, in its summary line. */
static void print_lives(void)
{
	size_t i, ge1000 = 0;

	for (i = 0; i < lives.n; i++)
		ge1000 += lives.exchanges[i] >= 1000;
	printf(" lives=%zu", lives.n);
	print_distribution("exchanges_per_session", lives.exchanges, lives.n);
	printf(" sessions_1000_exchanges=%zu", ge1000);
	print_distribution("rekeys_per_session", lives.rekeys, lives.n);
	printf(" whole_run=%lu first_churned=%lu first_failed=%lu",
	       (unsigned long)st.whole_run, (unsigned long)st.first_churned,
	       (unsigned long)st.first_failed);
	print_distribution("whole_run_exchanges", whole_lives.exchanges,
			   whole_lives.n);
	print_distribution("whole_run_rekeys", whole_lives.rekeys,
			   whole_lives.n);
}

/*
 * One line per side, "key=value ...": the close reasons (reason_N) and
 * handshake errnos (hs_NAME) that occurred, then the totals (and the
 * client's per-session figures).
 */
static void summary(const char *side)
{
	unsigned int r;
	int e;

	printf("%s", side);
	for (r = 1; r <= SDRP_CLOSE_REASON_MAX; r++)
		if (st.by_reason[r])
			printf(" reason_%u=%lu", r,
			       (unsigned long)st.by_reason[r]);
	for (e = 1; e < ERRNO_MAX; e++)
		if (st.hs_errno[e])
			printf(" hs_%s=%lu", strerrorname_np(e) ?: "E?",
			       (unsigned long)st.hs_errno[e]);
	printf(" sessions=%lu exchanges=%lu failed=%lu closed_clean=%lu "
	       "wrong_response=%lu wrong_errno=%lu half_open=%lu resets=%lu "
	       "rekeys=%lu hs_ok=%lu hs_failed=%lu failed_not_reset=%lu",
	       (unsigned long)st.sessions,
	       (unsigned long)st.exchanges, (unsigned long)st.failed,
	       (unsigned long)st.closed_clean,
	       (unsigned long)st.wrong_response,
	       (unsigned long)st.wrong_errno, (unsigned long)st.half_open,
	       (unsigned long)st.resets, (unsigned long)st.rekeys,
	       (unsigned long)st.hs_ok, (unsigned long)st.hs_failed,
	       (unsigned long)st.failed_not_reset);
	if (!strcmp(side, "client"))
		print_lives();
	printf("\n");
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
 * closed on this side.  Its epoch: the rekeys it did.
 */
static unsigned long session_end(int fd, int err, bool local_close)
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
		return info.epoch;
	}
	st.failed++;
	if (info.close_reason != SDRP_CLOSE_TRANSPORT)
		st.failed_not_reset++;
	if (err != reason_errno(info.close_reason) ||
	    info.close_errno != reason_errno(info.close_reason)) {
		st.wrong_errno++;
		fprintf(stderr, "errno %d (%s), SDRP_INFO errno %d, reason %u\n",
			err, strerror(err), info.close_errno,
			info.close_reason);
	}
	return info.epoch;
}

/*
 * The errnos of SDRP_HANDSHAKE (Documentation/sdrp.rst) that the soak's
 * faults explain: no sdrpd (restarted), sdrpd lost the request (killed
 * holding it, or restarted between the client's two turns), the
 * connection reset, the peer's CLOSE in place of the answer due (its
 * side failed first), out of time, or a HELLO older than its ttl when
 * the peer's daemon got to it (ETIME: the daemon's queue after a
 * restart, in a slow guest).
 */
static bool hs_errno_expected(int err)
{
	return err == ESRCH || err == ECONNABORTED || err == ECONNRESET ||
	       err == ECONNREFUSED || err == ETIMEDOUT || err == ETIME;
}

/*
 * SDRP_HANDSHAKE failed with @err: counted; it must be one of the above,
 * and the session (unless none began: ESRCH) closed with it.
 */
static void handshake_failed(int fd, int err)
{
	struct sdrp_info info = { 0 };

	st.hs_failed++;
	if (err > 0 && err < ERRNO_MAX)
		st.hs_errno[err]++;
	if (!hs_errno_expected(err)) {
		st.wrong_errno++;
		fprintf(stderr, "SDRP_HANDSHAKE: errno %d (%s)\n", err,
			strerror(err));
	}
	if (err == ESRCH)
		return;
	wait_closed(fd, &info);
	if (info.state != SDRP_STATE_CLOSED) {
		st.half_open++;
		fprintf(stderr, "handshake not closed: state %u\n", info.state);
	}
	if (info.close_reason <= SDRP_CLOSE_REASON_MAX)
		st.by_reason[info.close_reason]++;
	if (info.close_errno != err) {
		st.wrong_errno++;
		fprintf(stderr, "SDRP_HANDSHAKE: errno %d (%s), SDRP_INFO errno %d, reason %u\n",
			err, strerror(err), info.close_errno,
			info.close_reason);
	}
}

static int handshake(int fd, int role)
{
	struct sdrp_handshake hs = {
		.role = (__u8)role,
		.timeout_ms = HS_TIMEOUT_MS,
	};
	int err = 0;

	snprintf(hs.peer, sizeof(hs.peer), "%s", hs_peer);
	if (setsockopt(fd, SOL_SDRP, SDRP_HANDSHAKE, &hs, sizeof(hs))) {
		err = errno;
		handshake_failed(fd, err);
	} else {
		st.hs_ok++;
	}
	return err;
}

/*
 * Attach sdrp and establish the session, by handshake (-H) or with keys
 * from the secret; the errno of the step that failed.
 */
static int start_session(int fd, uint64_t id, int role)
{
	struct sdrp_params p = {
		.rekey_interval = REKEY_INTERVAL,
		.recv_timeout_ms = 30000,	/* a starved guest */
		.close_timeout_ms = 5000,
	};
	struct sdrp_keys k;
	int one = 1, err = 0;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_ULP, "sdrp", sizeof("sdrp")) ||
	    setsockopt(fd, SOL_SDRP, SDRP_PARAMS, &p, sizeof(p)))
		return errno;
	if (hs_peer) {
		err = handshake(fd, role);
	} else {
		session_keys(id, &k);
		k.role = (__u8)role;
		if (setsockopt(fd, SOL_SDRP, SDRP_KEYS, &k, sizeof(k)))
			err = errno;
		memset(&k, 0, sizeof(k));
	}
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

/* the resets' interval: RESET_MS to 2 RESET_MS, at random (-r) */
static unsigned long reset_ms = 2000;

static void *reset_main(void *arg)
{
	uint64_t r = (uintptr_t)arg;

	for (;;) {
		int fd = -1;

		usleep((useconds_t)(1000 * (reset_ms + mix(++r) % reset_ms)));
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

	if (!req || !resp ||
	    recv(fd, &id, sizeof(id), MSG_WAITALL) != sizeof(id)) {
		close(fd);
		free(req);
		free(resp);
		return NULL;
	}
	if (start_session(fd, id, SDRP_ROLE_SERVER)) {
		close(fd);
		free(req);
		free(resp);
		return NULL;
	}
	/*
	 * Resets only hit established sessions: a handshake takes seconds
	 * in the emulated guest, so resets of handshakes too would leave
	 * hardly any session up.
	 */
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
/* CLOCK_MONOTONIC, in ns: SECONDS after the start, or SIGTERM */
static _Atomic int64_t deadline_ns;
static atomic_ulong next_id;

static int64_t now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* the client's sessions starting now (HS_IN_FLIGHT at most) */
static sem_t hs_in_flight;
/* sessions still to end early (SIGUSR1) */
static atomic_int churn;

/* True if this session is one that SIGUSR1 asked to end. */
static bool churn_take(void)
{
	int n = atomic_load(&churn);

	while (n > 0)
		if (atomic_compare_exchange_weak(&churn, &n, n - 1))
			return true;
	return false;
}

/*
 * SIGUSR1 and SIGTERM are blocked in every thread; this one takes them:
 * SIGUSR1 ends a few sessions, SIGTERM all (the time is up now).
 */
static void *signal_main(void *arg)
{
	sigset_t *set = arg;
	int sig;

	while (!sigwait(set, &sig)) {
		if (sig == SIGUSR1)
			atomic_fetch_add(&churn, CHURN_SESSIONS);
		else
			atomic_store(&deadline_ns, now_ns());
	}
	return NULL;
}

static bool past_deadline(void)
{
	return now_ns() >= atomic_load(&deadline_ns);
}

/*
 * One session until it fails or the time is up; false if none started.
 * @first: the slot's first session (its end is counted apart).
 */
static bool client_session(uint8_t *req, uint8_t *resp, bool first)
{
	struct timeval tv = { .tv_sec = 60 };
	uint64_t id = ++next_id, n;
	int fd, err = 0, eor;
	bool done = false, churned = false;
	unsigned long rekeys;
	struct iovec iov;
	struct msghdr m;
	ssize_t got;
	size_t len;

	fd = socket(srv_addr.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return false;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* before connect(): the server's handshake starts at once */
	while (sem_wait(&hs_in_flight))
		;
	if (connect(fd, (struct sockaddr *)&srv_addr, srv_len) ||
	    send(fd, &id, sizeof(id), MSG_NOSIGNAL) != sizeof(id) ||
	    start_session(fd, id, SDRP_ROLE_CLIENT)) {
		/* reset, or the handshake failed: not a session */
		sem_post(&hs_in_flight);
		close(fd);
		return false;
	}
	sem_post(&hs_in_flight);
	for (n = 0;; n++) {
		/* time is up, or SIGUSR1 asked (after one exchange at least) */
		if (past_deadline() || (n && (churned = churn_take()))) {
			done = true;
			break;
		}
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
	if (done) {
		/* CLOSE, CLOSE ACK */
		shutdown(fd, SHUT_RDWR);
		rekeys = session_end(fd, 0, true);
	} else {
		rekeys = session_end(fd, err, false);
	}
	close(fd);
	/* n: the exchanges completed (the n-th one did not) */
	life_add(&lives, n, rekeys);
	if (first) {
		if (!done) {
			st.first_failed++;
		} else if (churned) {
			st.first_churned++;
		} else {
			st.whole_run++;
			life_add(&whole_lives, n, rekeys);
		}
	}
	return true;
}

static void *slot_main(void *arg)
{
	uint8_t *req = malloc(HDR + MAX_BODY), *resp = malloc(HDR + MAX_BODY);
	unsigned int fails = 0;
	bool first = true;

	/* slots start 100 ms apart: not every handshake in the same instant */
	usleep(100000 * (useconds_t)(uintptr_t)arg);
	while (req && resp && !past_deadline()) {
		/*
		 * first: the slot's first attempt; one that succeeds only
		 * after failed ones may start too late to tell anything.
		 */
		if (client_session(req, resp, first)) {
			first = false;
			fails = 0;
			continue;
		}
		first = false;
		/*
		 * A pause, twice as long after each failure in a row (0.1 to
		 * 1.6 s): a dead sdrpd is met by a retry now and then, not
		 * by a storm of handshakes that each cost the peer's daemon
		 * an RSA signature.
		 */
		usleep((100000u << (fails < 4 ? fails : 4)) +
		       (useconds_t)(mix(next_id + fails) % 100000));
		fails++;
	}
	free(req);
	free(resp);
	return NULL;
}

static int client(char **argv)
{
	unsigned int sessions = (unsigned int)atoi(argv[4]), i;
	pthread_t *th = calloc(sessions, sizeof(*th)), signal_th;
	pthread_attr_t attr;
	sigset_t sigs;

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
	atomic_store(&deadline_ns, now_ns() + atoi(argv[5]) * 1000000000LL);
	/* ids of different runs and sides never meet */
	next_id = mix(secret) & 0xffffffff00000000ULL;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 << 10);
	sem_init(&hs_in_flight, 0, HS_IN_FLIGHT);
	/* no signal may interrupt a call: only signal_main takes them */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (pthread_create(&signal_th, &attr, signal_main, &sigs))
		return 1;
	for (i = 0; i < sessions; i++)
		if (pthread_create(&th[i], &attr, slot_main,
				   (void *)(uintptr_t)i))
			return 1;
	for (i = 0; i < sessions; i++)
		pthread_join(th[i], NULL);
	summary("client");
	return 0;
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s server [-n] [-r MS] [-H PEER] PORT SECRET\n"
		"       %s client [-H PEER] ADDR PORT SECRET SESSIONS SECONDS\n",
		prog, prog);
	return 2;
}

int main(int argc, char **argv)
{
	const char *prog = argv[0];
	bool resets = true, is_server;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage(argv[0]);
	is_server = !strcmp(argv[1], "server");
	if (!is_server && strcmp(argv[1], "client"))
		return usage(argv[0]);
	optind = 2;
	while ((c = getopt(argc, argv, is_server ? "+nr:H:" : "+H:")) != -1) {
		switch (c) {
		case 'n':
			resets = false;
			break;
		case 'r':
			reset_ms = strtoul(optarg, NULL, 0);
			if (!reset_ms || reset_ms > 3600000)
				return usage(prog);
			break;
		case 'H':
			hs_peer = optarg;
			break;
		default:
			return usage(prog);
		}
	}
	argv += optind - 1;	/* argv[1]: the first operand */
	argc -= optind - 1;
	if (is_server && argc == 3) {
		secret = strtoull(argv[2], NULL, 0);
		return server(argv[1], resets);
	}
	if (!is_server && argc == 6) {
		secret = strtoull(argv[3], NULL, 0);
		return client(argv);
	}
	return usage(prog);
}
