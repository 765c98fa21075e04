// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of selftests/sdrp_handshake.sh: both ends of sessions set up with
 * setsockopt(SDRP_HANDSHAKE) through sdrpd, and a scripted stand-in for
 * the daemon that drives the request lifecycle step by step.
 *
 *   sdrp_hs_tool server PORT [opts]        accept -c sessions, serve each
 *   sdrp_hs_tool client ADDR PORT PEER [opts]
 *       -c N   sessions at once (forked)           -n N  exchanges each
 *       -t MS  handshake timeout                   -e E  expect the
 *       -s MS  pause after the exchanges, before close    handshake to fail
 *                                                         with errno E
 *       -S HOW client: on SIGUSR1 another thread calls shutdown(HOW: rd,
 *              wr or rdwr) on the socket while SDRP_HANDSHAKE blocks
 *   sdrp_hs_tool backlog PORT
 *       listen on PORT and never accept: a TCP-only peer for many clients
 *   sdrp_hs_tool fakedaemon listen|hold|done-after FILE
 *       listen: join the sdrpd group and never ACCEPT; hold: ACCEPT one
 *       request and keep it; done-after: ACCEPT one, wait for FILE, then
 *       DONE it and report the kernel's answer.  Prints "accepted N".
 *   sdrp_hs_tool nlcmd accept|done|join    one command as user nobody:
 *       prints the errno name of the kernel's answer (join: to the
 *       "sdrpd" multicast group)
 *   sdrp_hs_tool keytap IFACE DUMPS
 *       on an nlmon device, until SIGTERM: every SESSIONS message, raw, to
 *       DUMPS.  Prints "tapping", then at the end "sessions N" (replies)
 *   sdrp_hs_tool keyextract RAW SECRETS
 *       from the messages nltap_preload.so recorded in RAW, every secret a
 *       daemon handed the kernel (SEND's hello MAC keys, DONE's keys and
 *       hello MAC keys) to SECRETS, one "name hex" line each
 *   sdrp_hs_tool keyscan SECRETS FILE...
 *       whether any 8-byte piece of a secret of SECRETS is in a FILE, as
 *       bytes or as hex (either case): prints each leak and exits 1
 *
 * Exit status 0 when everything went as asked; messages on stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/sdrp.h>
#include <linux/sdrp_netlink.h>

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

static int conns = 1, exchanges = 10, timeout_ms, pause_ms, expect_errno;
static int shutdown_how = -1;	/* -S: SHUT_RD, SHUT_WR or SHUT_RDWR */
static int shutdown_err = -1;	/* -S: shutdown()'s errno, once called */

static const char *errno_name(int e)
{
	static const struct { int e; const char *n; } names[] = {
		{ 0, "0" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
		{ ESRCH, "ESRCH" }, { EINTR, "EINTR" }, { EAGAIN, "EAGAIN" },
		{ EINVAL, "EINVAL" }, { EPIPE, "EPIPE" }, { EPROTO, "EPROTO" },
		{ EBADMSG, "EBADMSG" }, { ECONNABORTED, "ECONNABORTED" },
		{ ECONNRESET, "ECONNRESET" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ ECONNREFUSED, "ECONNREFUSED" }, { EALREADY, "EALREADY" },
		{ EKEYREJECTED, "EKEYREJECTED" }, { EKEYEXPIRED, "EKEYEXPIRED" },
		{ ENOKEY, "ENOKEY" }, { ETIME, "ETIME" }, { EISCONN, "EISCONN" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].n;
	return strerror(e);
}

static int errno_of(const char *name)
{
	int e;

	for (e = 0; e < 200; e++)
		if (!strcmp(errno_name(e), name))
			return e;
	return atoi(name);
}

/* Attach sdrp and run the handshake: 0 or the errno. */
static int handshake(int fd, int role, const char *peer)
{
	struct sdrp_handshake hs = { .role = role, .timeout_ms = timeout_ms };

	if (peer)
		snprintf(hs.peer, sizeof(hs.peer), "%s", peer);
	if (setsockopt(fd, SOL_TCP, TCP_ULP, "sdrp", sizeof("sdrp")))
		return errno;
	return setsockopt(fd, SOL_SDRP, SDRP_HANDSHAKE, &hs, sizeof(hs)) ?
	       errno : 0;
}

static void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed * 31 + i * 7);
}

/* The answer to a request: its bytes, each complemented. */
static void answer(unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = ~buf[i];
}

static int session_end(int fd, int id, const char *what, int rc)
{
	struct sdrp_info info;
	socklen_t len = sizeof(info);
	char peer[SDRP_IDENTITY_MAX + 1] = "";
	socklen_t plen = sizeof(peer);

	if (getsockopt(fd, SOL_SDRP, SDRP_INFO, &info, &len))
		memset(&info, 0, sizeof(info));
	if (getsockopt(fd, SOL_SDRP, SDRP_PEER_IDENTITY, peer, &plen))
		snprintf(peer, sizeof(peer), "(%s)", errno_name(errno));
	printf("%s %d: %s: peer %s epoch %u rekeys %llu records %llu/%llu\n",
	       what, id, rc ? "failed" : "ok", peer, info.epoch,
	       (unsigned long long)info.rekeys,
	       (unsigned long long)info.records_tx,
	       (unsigned long long)info.records_rx);
	if (pause_ms)
		usleep(pause_ms * 1000);
	close(fd);
	return rc;
}

/* The handshake ended with @err: as expected (-e) or not. */
static int hs_failed(int fd, int id, const char *what, int err)
{
	printf("%s %d: handshake: %s\n", what, id, errno_name(err));
	if (pause_ms)
		usleep(pause_ms * 1000);
	close(fd);
	return err != expect_errno;
}

/*
 * -S: the thread that waits for SIGUSR1 (blocked in every thread, so
 * that it never interrupts SDRP_HANDSHAKE) and then shuts the socket
 * down under the handshake.
 */
static void *shutdown_main(void *arg)
{
	int fd = *(int *)arg, sig;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (!sigwait(&set, &sig))
		shutdown_err = shutdown(fd, shutdown_how) ? errno : 0;
	return NULL;
}

/*
 * -S, the handshake over: "shutdown: ERRNO" once the thread's call
 * returned (a shutdown() that ended the handshake returns at once), or
 * "shutdown: not called" if no SIGUSR1 came within 5 s.
 */
static void shutdown_report(pthread_t th)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	if (pthread_timedjoin_np(th, NULL, &until))
		printf("shutdown: not called\n");
	else
		printf("shutdown: %s\n", errno_name(shutdown_err));
}

static int run_client(int id, const struct addrinfo *ai, const char *peer)
{
	static unsigned char req[4096], resp[4096];
	char got[SDRP_IDENTITY_MAX + 1];
	socklen_t glen = sizeof(got);
	static int fd;
	pthread_t th;
	int err, i;
	ssize_t n;
	size_t len;

	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		printf("client %d: connect: %s\n", id, strerror(errno));
		return 1;
	}
	if (shutdown_how >= 0 &&
	    pthread_create(&th, NULL, shutdown_main, &fd)) {
		printf("client %d: no shutdown thread\n", id);
		return 1;
	}
	err = handshake(fd, SDRP_ROLE_CLIENT, peer);
	if (shutdown_how >= 0)
		shutdown_report(th);
	if (expect_errno || err)
		return hs_failed(fd, id, "client", err);
	if (getsockopt(fd, SOL_SDRP, SDRP_PEER_IDENTITY, got, &glen) ||
	    strcmp(got, peer)) {
		printf("client %d: peer identity not %s\n", id, peer);
		return session_end(fd, id, "client", 1);
	}
	for (i = 0; i < exchanges; i++) {
		len = 1 + (i * 131 + id) % sizeof(req);
		fill(req, len, i + id);
		if (send(fd, req, len, 0) != (ssize_t)len) {
			printf("client %d: send %d: %s\n", id, i,
			       strerror(errno));
			return session_end(fd, id, "client", 1);
		}
		n = recv(fd, resp, sizeof(resp), 0);
		answer(req, len);
		if (n != (ssize_t)len || memcmp(req, resp, len)) {
			printf("client %d: response %d: %zd bytes%s %s\n", id,
			       i, n, n < 0 ? ":" : ", wrong",
			       n < 0 ? strerror(errno) : "");
			return session_end(fd, id, "client", 1);
		}
	}
	return session_end(fd, id, "client", 0);
}

static int serve(int id, int fd)
{
	static unsigned char buf[8192];
	int err, i;
	ssize_t n;

	err = handshake(fd, SDRP_ROLE_SERVER, NULL);
	if (expect_errno || err)
		return hs_failed(fd, id, "server", err);
	for (i = 0; i < exchanges; i++) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			printf("server %d: request %d: %s\n", id, i,
			       n ? strerror(errno) : "end of file");
			return session_end(fd, id, "server", 1);
		}
		answer(buf, n);
		if (send(fd, buf, n, 0) != n) {
			printf("server %d: send: %s\n", id, strerror(errno));
			return session_end(fd, id, "server", 1);
		}
	}
	/* The client closes: end of file. */
	n = recv(fd, buf, sizeof(buf), 0);
	if (n) {
		printf("server %d: no end of file: %zd\n", id, n);
		return session_end(fd, id, "server", 1);
	}
	return session_end(fd, id, "server", 0);
}

/* Run @conns children of @fn; 0 if all of them succeeded. */
static int wait_children(int n)
{
	int status, failed = 0;

	while (n--) {
		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed++;
	}
	printf("%d of %d sessions failed\n", failed, conns);
	return !!failed;
}

/* A listening socket on @port, room for 1024 connections not accepted. */
static int listen_on(const char *port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(atoi(port)) };
	int lfd, one = 1;

	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 1024)) {
		perror("listen");
		return -1;
	}
	return lfd;
}

/*
 * A peer that is TCP only: connections complete in the listen backlog and
 * stay there, never accepted, until SIGTERM.
 */
static int cmd_backlog(const char *port)
{
	if (listen_on(port) < 0)
		return 1;
	printf("listening\n");
	fflush(stdout);
	pause();
	return 0;
}

static int cmd_server(const char *port)
{
	int lfd, fd, i;

	lfd = listen_on(port);
	if (lfd < 0)
		return 1;
	for (i = 0; i < conns; i++) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			perror("server: accept");
			return 1;
		}
		/* One session in this process: a signal to it reaches it. */
		if (conns == 1) {
			close(lfd);
			return serve(i, fd);
		}
		if (!fork()) {
			close(lfd);
			exit(serve(i, fd));
		}
		close(fd);
	}
	close(lfd);
	return wait_children(conns);
}

static int cmd_client(const char *addr, const char *port, const char *peer)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int i;

	if (getaddrinfo(addr, port, &hints, &ai)) {
		printf("client: bad address %s\n", addr);
		return 1;
	}
	if (conns == 1)
		return run_client(0, ai, peer);
	for (i = 0; i < conns; i++)
		if (!fork())
			exit(run_client(i, ai, peer));
	return wait_children(conns);
}

/* ---- netlink --------------------------------------------------------- */

struct nl {
	struct nl_sock *sk;
	int family;
	int error;
	unsigned int handle;
};

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nl *nl = arg;

	(void)nla;
	nl->error = -e->error;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_STOP;
}

static int on_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[SDRP_A_ACCEPT_MAX + 1];
	struct nl *nl = arg;

	if (!genlmsg_parse(nlmsg_hdr(msg), 0, tb, SDRP_A_ACCEPT_MAX, NULL) &&
	    tb[SDRP_A_ACCEPT_HANDLE])
		nl->handle = nla_get_u32(tb[SDRP_A_ACCEPT_HANDLE]);
	return NL_OK;
}

static int nl_open(struct nl *nl)
{
	nl->sk = nl_socket_alloc();
	if (!nl->sk || genl_connect(nl->sk))
		return -1;
	/* Else libnl asks an ACK of every command, and one left unread
	 * after ACCEPT's reply would pass for the next command's answer.
	 */
	nl_socket_disable_auto_ack(nl->sk);
	nl->family = genl_ctrl_resolve(nl->sk, SDRP_FAMILY_NAME);
	return nl->family < 0 ? -1 : 0;
}

/* One command; the kernel's errno in nl->error (0: success). */
static int nl_cmd(struct nl *nl, int cmd, unsigned int handle, int status)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	nl->error = 0;
	/* ACCEPT answers with its reply alone, as sdrpd asks for it. */
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
		    cmd == SDRP_CMD_ACCEPT ? 0 : NLM_F_ACK, cmd,
		    SDRP_FAMILY_VERSION);
	if (cmd == SDRP_CMD_DONE) {
		nla_put_u32(msg, SDRP_A_DONE_HANDLE, handle);
		nla_put_u32(msg, SDRP_A_DONE_STATUS, status);
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, nl);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, nl);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, nl);
	if (nl_send_auto(nl->sk, msg) < 0 || nl_recvmsgs(nl->sk, cb) < 0) {
		if (!nl->error)
			nl->error = EIO;
	}
	nl_cb_put(cb);
	nlmsg_free(msg);
	return nl->error;
}

static int cmd_fakedaemon(const char *mode, const char *file)
{
	struct nl nl = { 0 }, evt = { 0 };
	int grp, i;

	if (nl_open(&nl) || nl_open(&evt)) {
		printf("fakedaemon: no sdrp family\n");
		return 1;
	}
	grp = genl_ctrl_resolve_grp(evt.sk, SDRP_FAMILY_NAME,
				    SDRP_MCGRP_SDRPD);
	if (grp < 0 || nl_socket_add_membership(evt.sk, grp)) {
		printf("fakedaemon: cannot join the group\n");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	if (!strcmp(mode, "listen"))
		for (;;)
			pause();
	/* ACCEPT until a request is there (READY is only a hint). */
	for (i = 0; i < 3000; i++) {
		if (!nl_cmd(&nl, SDRP_CMD_ACCEPT, 0, 0) && nl.handle)
			break;
		usleep(10000);
	}
	if (!nl.handle) {
		printf("fakedaemon: nothing to accept: %s\n",
		       errno_name(nl.error));
		return 1;
	}
	printf("accepted %u\n", nl.handle);
	fflush(stdout);
	if (!strcmp(mode, "hold"))
		for (;;)
			pause();
	while (access(file, F_OK))
		usleep(10000);
	nl_cmd(&nl, SDRP_CMD_DONE, nl.handle, EIO);
	printf("done: %s\n", errno_name(nl.error));
	return 0;
}

static int cmd_nlcmd(const char *what)
{
	struct nl nl = { 0 };

	/* Unprivileged: the kernel checks the socket opener and the sender. */
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)) {
		perror("setresuid");
		return 1;
	}
	if (nl_open(&nl)) {
		printf("nlcmd: no sdrp family\n");
		return 1;
	}
	if (!strcmp(what, "join")) {
		int grp = genl_ctrl_resolve_grp(nl.sk, SDRP_FAMILY_NAME,
						SDRP_MCGRP_SDRPD);
		int err = ENOENT;

		/* Straight to the socket: libnl would map the errno. */
		if (grp >= 0)
			err = setsockopt(nl_socket_get_fd(nl.sk), SOL_NETLINK,
					 NETLINK_ADD_MEMBERSHIP, &grp,
					 sizeof(grp)) ? errno : 0;
		printf("%s\n", errno_name(err));
		return 0;
	}
	nl_cmd(&nl, !strcmp(what, "done") ? SDRP_CMD_DONE : SDRP_CMD_ACCEPT,
	       1, EIO);
	printf("%s\n", errno_name(nl.error));
	return 0;
}

/*
 * keytap and keyextract: netlink messages of the sdrp family.  keytap
 * reads them from an nlmon device (each frame a netlink message as
 * sent) and keeps the SESSIONS ones; keyextract reads what the
 * nltap_preload.so shim recorded of a daemon's messages and keeps the
 * attributes the uapi marks secret.
 */
static volatile sig_atomic_t tap_stop;

static void on_term(int sig)
{
	(void)sig;
	tap_stop = 1;
}

static void put_secret(FILE *f, const char *name, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	fprintf(f, "%s ", name);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", b[i]);
	fputc('\n', f);
}

/* The secrets of one SEND or DONE request; returns how many. */
static int put_request_secrets(FILE *out, const struct genlmsghdr *g,
			       size_t len)
{
	const struct nlattr *a = (const void *)((const char *)g + GENL_HDRLEN);
	int mac_c2s, mac_s2c, found = 0;
	struct sdrp_keys k;

	mac_c2s = g->cmd == SDRP_CMD_SEND ? SDRP_A_SEND_HELLO_MAC_C2S :
					    SDRP_A_DONE_HELLO_MAC_C2S;
	mac_s2c = g->cmd == SDRP_CMD_SEND ? SDRP_A_SEND_HELLO_MAC_S2C :
					    SDRP_A_DONE_HELLO_MAC_S2C;
	len -= GENL_HDRLEN;
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		const void *v = (const char *)a + NLA_HDRLEN;
		size_t vlen = a->nla_len - NLA_HDRLEN;
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type == mac_c2s || type == mac_s2c) {
			put_secret(out, type == mac_c2s ? "hello-mac-c2s" :
				   "hello-mac-s2c", v, vlen);
			found++;
		} else if (g->cmd == SDRP_CMD_DONE &&
			   type == SDRP_A_DONE_KEYS && vlen == sizeof(k)) {
			memcpy(&k, v, sizeof(k));
			put_secret(out, "c2s-key", k.c2s.key, sizeof(k.c2s.key));
			put_secret(out, "c2s-iv", k.c2s.iv, sizeof(k.c2s.iv));
			put_secret(out, "c2s-mac", k.c2s.mac, sizeof(k.c2s.mac));
			put_secret(out, "s2c-key", k.s2c.key, sizeof(k.s2c.key));
			put_secret(out, "s2c-iv", k.s2c.iv, sizeof(k.s2c.iv));
			put_secret(out, "s2c-mac", k.s2c.mac, sizeof(k.s2c.mac));
			put_secret(out, "chain-key", k.chain_key,
				   sizeof(k.chain_key));
			memset(&k, 0, sizeof(k));
			found++;
		}
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return found;
}

/* The sdrp family's id, from the kernel; -1 without it. */
static int sdrp_family_id(void)
{
	struct nl nl = { 0 };
	int family;

	if (nl_open(&nl))
		return -1;
	family = nl.family;
	nl_socket_free(nl.sk);
	return family;
}

static int cmd_keytap(const char *iface, const char *dumps)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	struct sigaction sa = { .sa_handler = on_term };
	struct timeval tv = { .tv_usec = 200000 };
	static unsigned char frame[65536];
	int fd, family, nsessions = 0;
	FILE *dump;

	family = sdrp_family_id();
	sll.sll_ifindex = if_nametoindex(iface);
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	dump = fopen(dumps, "w");
	if (family < 0 || !sll.sll_ifindex || fd < 0 || !dump ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		perror("keytap");
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	printf("tapping\n");
	fflush(stdout);
	while (!tap_stop) {
		ssize_t n = recv(fd, frame, sizeof(frame), 0);
		const struct nlmsghdr *h = (const void *)frame;
		size_t left = n > 0 ? (size_t)n : 0;

		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			const struct genlmsghdr *g = NLMSG_DATA(h);

			if (h->nlmsg_type != family ||
			    h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
			    g->cmd != SDRP_CMD_SESSIONS)
				continue;
			fwrite(h, 1, h->nlmsg_len, dump);
			/* the dump request has no attributes */
			nsessions += h->nlmsg_len > NLMSG_LENGTH(GENL_HDRLEN);
		}
	}
	fclose(dump);
	close(fd);
	printf("sessions %d\n", nsessions);
	return 0;
}

static int cmd_keyextract(const char *raw, const char *secrets)
{
	static unsigned char buf[1 << 16];
	int family = sdrp_family_id(), nsecrets = 0;
	FILE *in = fopen(raw, "r"), *out = fopen(secrets, "w");
	uint32_t len;

	if (family < 0 || !in || !out) {
		perror("keyextract");
		return 1;
	}
	while (fread(&len, sizeof(len), 1, in) == 1 && len <= sizeof(buf) &&
	       fread(buf, 1, len, in) == len) {
		const struct nlmsghdr *h = (const void *)buf;
		size_t left = len;

		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			const struct genlmsghdr *g = NLMSG_DATA(h);

			if (h->nlmsg_type == family &&
			    h->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN) &&
			    (g->cmd == SDRP_CMD_SEND ||
			     g->cmd == SDRP_CMD_DONE))
				nsecrets += put_request_secrets(out, g,
					h->nlmsg_len - NLMSG_HDRLEN);
		}
	}
	memset(buf, 0, sizeof(buf));
	fclose(in);
	fclose(out);
	printf("secrets %d\n", nsecrets);
	return nsecrets ? 0 : 1;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Is @p (8 bytes) in @buf, raw or as hex in either case? */
static bool piece_in(const char *buf, size_t len, const unsigned char *p)
{
	static const char *const fmt[2] = { "%02x", "%02X" };
	char hex[17];
	int f, b;

	if (memmem(buf, len, p, 8))
		return true;
	for (f = 0; f < 2; f++) {
		for (b = 0; b < 8; b++)
			snprintf(hex + 2 * b, 3, fmt[f], p[b]);
		if (memmem(buf, len, hex, 16))
			return true;
	}
	return false;
}

static int cmd_keyscan(const char *secrets, char **files, int nfiles)
{
	char name[64], hex[1024];
	unsigned char key[512];
	int i, leaks = 0, nsecrets = 0;
	FILE *in = fopen(secrets, "r");

	if (!in) {
		perror(secrets);
		return 2;
	}
	while (fscanf(in, "%63s %1023s", name, hex) == 2) {
		size_t len = strlen(hex) / 2, j, off;

		for (j = 0; j < len; j++)
			key[j] = hex_value(hex[2 * j]) << 4 |
				 hex_value(hex[2 * j + 1]);
		nsecrets++;
		for (i = 0; i < nfiles; i++) {
			static char buf[4 << 20];
			FILE *f = fopen(files[i], "r");
			size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;

			if (!f) {
				perror(files[i]);
				return 2;
			}
			fclose(f);
			/* every aligned piece, and the tail's */
			for (off = 0; len >= 8 && off < len; off += 8) {
				size_t at = off + 8 <= len ? off : len - 8;

				if (piece_in(buf, n, key + at)) {
					printf("leak: %s (bytes %zu..%zu) in %s\n",
					       name, at, at + 7, files[i]);
					leaks++;
					break;
				}
			}
		}
	}
	fclose(in);
	memset(key, 0, sizeof(key));
	memset(hex, 0, sizeof(hex));
	printf("keyscan: %d secrets, %d files, %d leaks\n", nsecrets, nfiles,
	       leaks);
	return leaks || !nsecrets ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int opt;

	if (!strcmp(cmd, "backlog") && argc == 3)
		return cmd_backlog(argv[2]);
	if (!strcmp(cmd, "fakedaemon") && argc == 4)
		return cmd_fakedaemon(argv[2], argv[3]);
	if (!strcmp(cmd, "nlcmd") && argc == 3)
		return cmd_nlcmd(argv[2]);
	if (!strcmp(cmd, "keytap") && argc == 4)
		return cmd_keytap(argv[2], argv[3]);
	if (!strcmp(cmd, "keyextract") && argc == 4)
		return cmd_keyextract(argv[2], argv[3]);
	if (!strcmp(cmd, "keyscan") && argc >= 4)
		return cmd_keyscan(argv[2], argv + 3, argc - 3);
	optind = 2;
	while ((opt = getopt(argc, argv, "c:n:t:s:e:S:")) != -1) {
		switch (opt) {
		case 'c': conns = atoi(optarg); break;
		case 'n': exchanges = atoi(optarg); break;
		case 't': timeout_ms = atoi(optarg); break;
		case 's': pause_ms = atoi(optarg); break;
		case 'e': expect_errno = errno_of(optarg); break;
		case 'S':
			shutdown_how = !strcmp(optarg, "rd") ? SHUT_RD :
				       !strcmp(optarg, "wr") ? SHUT_WR :
				       !strcmp(optarg, "rdwr") ? SHUT_RDWR : -1;
			if (shutdown_how < 0)
				return 2;
			break;
		default: return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* -S: SIGUSR1 goes to the shutdown thread (sigwait) alone. */
	if (shutdown_how >= 0) {
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
	}
	if (!strcmp(cmd, "server") && argc - optind == 1)
		return cmd_server(argv[optind]);
	if (!strcmp(cmd, "client") && argc - optind == 3)
		return cmd_client(argv[optind], argv[optind + 1],
				  argv[optind + 2]);
	fprintf(stderr, "usage: see the comment at the top of %s\n", __FILE__);
	return 2;
}
