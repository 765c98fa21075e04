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
 *   sdrp_hs_tool fakedaemon listen|hold|done-after FILE
 *       listen: join the sdrpd group and never ACCEPT; hold: ACCEPT one
 *       request and keep it; done-after: ACCEPT one, wait for FILE, then
 *       DONE it and report the kernel's answer.  Prints "accepted N".
 *   sdrp_hs_tool nlcmd accept|done|join    one command as user nobody:
 *       prints the errno name of the kernel's answer (join: to the
 *       "sdrpd" multicast group)
 *
 * Exit status 0 when everything went as asked; messages on stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/sdrp.h>
#include <linux/sdrp_netlink.h>

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

static int conns = 1, exchanges = 10, timeout_ms, pause_ms, expect_errno;

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

static int run_client(int id, const struct addrinfo *ai, const char *peer)
{
	static unsigned char req[4096], resp[4096];
	char got[SDRP_IDENTITY_MAX + 1];
	socklen_t glen = sizeof(got);
	int fd, err, i;
	ssize_t n;
	size_t len;

	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		printf("client %d: connect: %s\n", id, strerror(errno));
		return 1;
	}
	err = handshake(fd, SDRP_ROLE_CLIENT, peer);
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

static int cmd_server(const char *port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(atoi(port)) };
	int lfd, fd, one = 1, i;

	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 1024)) {
		perror("server: listen");
		return 1;
	}
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

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int opt;

	if (!strcmp(cmd, "fakedaemon") && argc == 4)
		return cmd_fakedaemon(argv[2], argv[3]);
	if (!strcmp(cmd, "nlcmd") && argc == 3)
		return cmd_nlcmd(argv[2]);
	optind = 2;
	while ((opt = getopt(argc, argv, "c:n:t:s:e:")) != -1) {
		switch (opt) {
		case 'c': conns = atoi(optarg); break;
		case 'n': exchanges = atoi(optarg); break;
		case 't': timeout_ms = atoi(optarg); break;
		case 's': pause_ms = atoi(optarg); break;
		case 'e': expect_errno = errno_of(optarg); break;
		default: return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "server") && argc - optind == 1)
		return cmd_server(argv[optind]);
	if (!strcmp(cmd, "client") && argc - optind == 3)
		return cmd_client(argv[optind], argv[optind + 1],
				  argv[optind + 2]);
	fprintf(stderr, "usage: see the comment at the top of %s\n", __FILE__);
	return 2;
}
