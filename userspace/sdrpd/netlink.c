// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The netlink loop.
 *
 * Threading model: this thread alone talks to the kernel.  It polls three
 * descriptors and nothing else, and no signal handler runs anywhere
 * (signals are blocked in every thread and read from a signalfd):
 *
 *   event socket   subscribed to the "sdrpd" group: READY notifications.
 *                  A READY, or an overrun (ENOBUFS: notifications lost),
 *                  only means "drain": ACCEPT until EAGAIN.
 *   signalfd       SIGHUP reloads the configuration; SIGTERM and SIGINT
 *                  exit, failing the requests this daemon holds.
 *   eventfd        a worker finished a turn: send its SEND or DONE.
 *
 * Commands go over a second socket, so that notifications never
 * interleave with the replies of ACCEPT / SEND / DONE.  That socket's port
 * owns every turn it accepts (the kernel fails them with ECONNABORTED if
 * the socket goes away), which is why it is never shared or reopened.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <linux/sdrp_netlink.h>

#include "sdrpd.h"

/* ACCEPTs per pass before answers and signals get a turn. */
#define ACCEPT_BATCH	64
#define MSG_SIZE	(SDRP_HELLO_RECORD_MAX + 1024)
/* Longest wait for the kernel's answer to one command. */
#define CMD_TIMEOUT_S	5

struct loop {
	struct sdrpd_ctx *ctx;
	struct nl_sock *cmd;
	struct nl_sock *evt;
	int family;
	int sig_fd;
	int ev_fd;
	bool drain;
	bool stop;
	int fatal;		/* why the loop stopped, 0 for a signal */
};

/* Outcome of one command: the kernel's errno, and the parsed reply. */
struct transaction {
	int error;
	struct sdrpd_request *req;
	bool got_reply;
	uint32_t seq;			/* of the command sent */
};

/*
 * Only the answer to this command counts: a late answer to an earlier
 * command that timed out (CMD_TIMEOUT_S) is skipped, not taken for this
 * one's.
 */
static int on_seq(struct nl_msg *msg, void *arg)
{
	struct transaction *t = arg;

	if (nlmsg_hdr(msg)->nlmsg_seq == t->seq)
		return NL_OK;
	sdrpd_log(LOG_WARNING, "netlink: skipped a late answer (seq %u)",
		  nlmsg_hdr(msg)->nlmsg_seq);
	return NL_SKIP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct transaction *t = arg;

	(void)nla;
	t->error = e->error;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_STOP;
}

static int on_accept_reply(struct nl_msg *msg, void *arg)
{
	struct transaction *t = arg;

	t->got_reply = true;
	t->error = sdrpd_nl_parse_accept(msg, t->req);
	return NL_STOP;
}

static int transact(struct loop *l, struct nl_msg *msg, struct transaction *t)
{
	struct nl_cb *cb;
	int rc;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, t);
	if (t->req)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_accept_reply, t);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_seq, t);
	rc = nl_send_auto(l->cmd, msg);
	t->seq = nlmsg_hdr(msg)->nlmsg_seq;
	if (rc >= 0)
		rc = nl_recvmsgs(l->cmd, cb);
	nl_cb_put(cb);
	if (rc < 0 && !t->error) {
		/* Not the kernel's answer: the socket itself failed. */
		sdrpd_log(LOG_ERR, "netlink: %s", nl_geterror(rc));
		t->error = -EIO;
	}
	return t->error;
}

static struct nl_msg *new_msg(struct loop *l, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(MSG_SIZE);

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, l->family, 0,
				flags, cmd, SDRP_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* Messages carrying keys are wiped before they are freed. */
static void free_msg_wiped(struct nl_msg *msg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);

	sdrp_wipe(h, h->nlmsg_len);
	nlmsg_free(msg);
}

/* One ACCEPT.  Return: 0 (request submitted), -EAGAIN (none), -errno. */
static int accept_one(struct loop *l)
{
	struct transaction t = { 0 };
	struct nl_msg *msg;
	int rc;

	t.req = calloc(1, sizeof(*t.req));
	msg = new_msg(l, SDRP_CMD_ACCEPT, 0);
	if (!t.req || !msg) {
		free(t.req);
		if (msg)
			nlmsg_free(msg);
		return -ENOMEM;
	}
	rc = transact(l, msg, &t);
	nlmsg_free(msg);
	if (!rc && !t.got_reply)
		rc = -EIO;
	if (rc) {
		sdrpd_request_free(t.req);
		return rc;
	}
	rc = sdrpd_workers_submit(l->ctx->workers, t.req, l->ctx->config);
	if (rc) {
		/* The kernel fails it at its timeout. */
		sdrpd_log(LOG_ERR, "handshake %u: dropped: %s", t.req->handle,
			  strerror(-rc));
		sdrpd_request_free(t.req);
	}
	return rc;
}

static void drain(struct loop *l)
{
	int i, rc = 0;

	l->drain = false;
	for (i = 0; i < ACCEPT_BATCH; i++) {
		rc = accept_one(l);
		if (rc)
			break;
	}
	if (!rc) {
		l->drain = true;	/* more may wait: after the answers */
		return;
	}
	if (rc == -EAGAIN)
		return;
	if (rc == -EPERM) {
		sdrpd_log(LOG_ERR, "ACCEPT refused: %s: sdrpd needs CAP_NET_ADMIN in this network namespace",
			  strerror(-rc));
		l->stop = true;
		l->fatal = rc;
		return;
	}
	sdrpd_log(LOG_ERR, "ACCEPT failed: %s", strerror(-rc));
}

static void send_answer(struct loop *l, struct sdrpd_answer *ans)
{
	struct transaction t = { 0 };
	struct nl_msg *msg;
	int rc = -ENOMEM;

	msg = new_msg(l, ans->cmd, NLM_F_ACK);
	if (msg) {
		rc = sdrpd_nl_put_answer(msg, ans);
		if (!rc)
			rc = transact(l, msg, &t);
		free_msg_wiped(msg);
	}
	if (rc) {
		/* ENOENT: the kernel ended the request (timeout, close). */
		sdrpd_log(rc == -ENOENT ? LOG_INFO : LOG_ERR,
			  "handshake %u: kernel refused %s: %s", ans->handle,
			  ans->cmd == SDRP_CMD_SEND ? "SEND" : "DONE",
			  strerror(-rc));
		if (ans->cmd == SDRP_CMD_SEND)
			sdrpd_hs_forget(l->ctx->engine, ans->handle);
	}
}

static void answers(struct loop *l)
{
	struct sdrpd_answer *ans;

	while ((ans = sdrpd_workers_collect(l->ctx->workers))) {
		if (l->stop && ans->cmd == SDRP_CMD_SEND) {
			/* No one will finish it: fail it now. */
			sdrpd_hs_forget(l->ctx->engine, ans->handle);
			sdrpd_answer_clear(ans);
			ans->cmd = SDRP_CMD_DONE;
			ans->status = ECONNABORTED;
			ans->close_reason = SDRP_CLOSE_INTERNAL;
		}
		send_answer(l, ans);
		sdrpd_answer_clear(ans);
		free(ans);
	}
}

static void on_signal(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			sdrpd_config_reload(&l->ctx->config, l->ctx->config_path);
		} else {
			sdrpd_log(LOG_INFO, "signal %u: exiting", si.ssi_signo);
			l->stop = true;
		}
	}
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct loop *l = arg;
	struct genlmsghdr *g = genlmsg_hdr(nlmsg_hdr(msg));

	if (g->cmd == SDRP_CMD_READY)
		l->drain = true;
	return NL_OK;
}

static void on_event_socket(struct loop *l)
{
	int rc = nl_recvmsgs_default(l->evt);

	/* Lost notifications (ENOBUFS) are harmless: drain anyway. */
	if (rc < 0 && rc != -NLE_AGAIN) {
		sdrpd_log(LOG_DEBUG, "event socket: %s: draining", nl_geterror(rc));
		l->drain = true;
	}
}

static void fail_pending(uint32_t handle, void *arg)
{
	struct loop *l = arg;
	struct sdrpd_answer *ans = calloc(1, sizeof(*ans));

	if (!ans)
		return;
	ans->cmd = SDRP_CMD_DONE;
	ans->handle = handle;
	ans->status = ECONNABORTED;
	ans->close_reason = SDRP_CLOSE_INTERNAL;
	send_answer(l, ans);
	free(ans);
}

static int setup(struct loop *l)
{
	sigset_t mask;
	int grp, rc;

	l->cmd = nl_socket_alloc();
	l->evt = nl_socket_alloc();
	if (!l->cmd || !l->evt)
		return -ENOMEM;
	nl_socket_disable_auto_ack(l->cmd);
	nl_socket_enable_msg_peek(l->cmd);
	nl_socket_disable_seq_check(l->evt);
	rc = genl_connect(l->cmd);
	if (!rc)
		rc = genl_connect(l->evt);
	if (rc) {
		sdrpd_log(LOG_ERR, "generic netlink: %s", nl_geterror(rc));
		return -EIO;
	}
	/* A kernel that never answers must not hang the loop. */
	if (setsockopt(nl_socket_get_fd(l->cmd), SOL_SOCKET, SO_RCVTIMEO,
		       &(struct timeval){ .tv_sec = CMD_TIMEOUT_S },
		       sizeof(struct timeval)))
		return -errno;
	l->family = genl_ctrl_resolve(l->cmd, SDRP_FAMILY_NAME);
	grp = genl_ctrl_resolve_grp(l->cmd, SDRP_FAMILY_NAME, SDRP_MCGRP_SDRPD);
	if (l->family < 0 || grp < 0) {
		sdrpd_log(LOG_ERR, "generic netlink family \"%s\" not found: is the sdrp module loaded?",
			  SDRP_FAMILY_NAME);
		return -ENOENT;
	}
	rc = nl_socket_add_membership(l->evt, grp);
	/*
	 * SDRP_HANDSHAKE's ESRCH check is a READY multicast that must reach
	 * a daemon: without this flag, a READY that finds this socket's
	 * queue full fails with ESRCH as if no daemon listened, and every
	 * handshake started before the queue is drained would be refused.
	 * With it the multicast fails with ENOBUFS: a daemon, only busy.
	 */
	if (!rc && setsockopt(nl_socket_get_fd(l->evt), SOL_NETLINK,
			      NETLINK_BROADCAST_ERROR, &(int){ 1 }, sizeof(int)))
		rc = -nl_syserr2nlerr(errno);
	if (!rc)
		rc = nl_socket_set_nonblocking(l->evt);
	if (!rc)
		rc = nl_socket_modify_cb(l->evt, NL_CB_VALID, NL_CB_CUSTOM,
					 on_event, l);
	if (rc) {
		sdrpd_log(LOG_ERR, "joining group \"%s\": %s", SDRP_MCGRP_SDRPD,
			  nl_geterror(rc));
		return -EIO;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	l->sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sig_fd < 0)
		return -errno;
	return 0;
}

int sdrpd_netlink_run(struct sdrpd_ctx *ctx)
{
	struct loop l = { .ctx = ctx, .sig_fd = -1, .ev_fd = -1 };
	struct pollfd pfd[3];
	uint64_t n;
	size_t failed;
	int rc;

	l.ev_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l.ev_fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = setup(&l);
	if (rc)
		goto out;
	rc = sdrpd_workers_start(&ctx->workers, ctx->config->workers,
				 ctx->engine, l.ev_fd);
	if (rc)
		goto out;
	sdrpd_log(LOG_INFO, "ready: identity \"%s\", %zu peers, %u workers",
		  ctx->config->identity, ctx->config->n_peers,
		  ctx->config->workers);

	/* Requests may have queued before we joined the group. */
	l.drain = true;
	while (!l.stop) {
		if (l.drain)
			drain(&l);
		if (l.stop)
			break;
		pfd[0] = (struct pollfd){ .fd = nl_socket_get_fd(l.evt),
					  .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = l.sig_fd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = l.ev_fd, .events = POLLIN };
		if (poll(pfd, 3, l.drain ? 0 : -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			sdrpd_log(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents)
			on_signal(&l);
		if (pfd[0].revents)
			on_event_socket(&l);
		if (pfd[2].revents && read(l.ev_fd, &n, sizeof(n)) < 0 &&
		    errno != EAGAIN)
			sdrpd_log(LOG_ERR, "eventfd: %s", strerror(errno));
		answers(&l);
	}

	/* Clean exit: finish running turns, fail the rest. */
	l.stop = true;
	if (!rc)
		rc = l.fatal;
	sdrpd_workers_stop(ctx->workers, ECONNABORTED);
	answers(&l);
	failed = sdrpd_hs_drain(ctx->engine, fail_pending, &l);
	if (failed)
		sdrpd_log(LOG_INFO, "failed %zu client handshakes waiting for their HELLO ACK",
			  failed);
out:
	if (ctx->workers) {
		sdrpd_workers_stop(ctx->workers, ECONNABORTED);
		sdrpd_workers_free(ctx->workers);
		ctx->workers = NULL;
	}
	if (l.sig_fd >= 0)
		close(l.sig_fd);
	nl_socket_free(l.evt);
	nl_socket_free(l.cmd);
	if (l.ev_fd >= 0)
		close(l.ev_fd);
	return rc;
}
