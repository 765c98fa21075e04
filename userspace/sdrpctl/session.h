/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * What "sdrpctl sessions" and "sdrpctl status" know about the kernel: plain
 * data filled in by the netlink backend (netlink.c) and printed by
 * session_fmt.c, so that the printing is testable without a kernel.  The
 * fields follow the "session" attribute set of the generic netlink family
 * (Documentation/netlink/specs/sdrp.yaml); no field ever holds a key.
 */
#ifndef SDRPCTL_SESSION_H
#define SDRPCTL_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <linux/sdrp.h>
#include <linux/sdrp_netlink.h>

struct sdrpctl_session {
	uint64_t inode;				/* socket inode, as in ss */
	uint32_t role;				/* enum sdrp_role */
	uint32_t state;				/* enum sdrp_state */
	struct sockaddr_storage local;		/* AF_INET / AF_INET6 */
	struct sockaddr_storage remote;
	char peer_identity[SDRP_IDENTITY_MAX + 1]; /* "" until verified */
	uint32_t epoch;
	uint32_t responses_in_epoch;
	uint32_t rekey_interval;
	uint64_t records_tx;
	uint64_t records_rx;
	uint64_t bytes_tx;			/* application bytes */
	uint64_t bytes_rx;
	uint64_t rekeys;
	uint64_t resends;			/* RESEND LASTs sent */
	uint32_t close_reason;			/* enum sdrp_close_reason */
	uint32_t close_errno;			/* positive errno */
	uint32_t handle;			/* handshake request, 0: none */
};

/* The module as seen through its generic netlink family. */
struct sdrpctl_kernel {
	uint16_t family_id;
	uint32_t family_version;
};

/* ---- netlink.c ---- */

struct sdrpctl_nl;

/**
 * sdrpctl_nl_open() - connect to generic netlink, resolve the sdrp family
 * @out:	the connection, closed with sdrpctl_nl_close()
 * @k:		filled in with the family's id and version
 *
 * Return: 0; -ENOENT if the family is not registered (module not
 * loaded); -ENOMEM; -EIO if generic netlink itself failed.
 */
int sdrpctl_nl_open(struct sdrpctl_nl **out, struct sdrpctl_kernel *k);

/**
 * sdrpctl_nl_sessions() - dump the sessions of this network namespace
 * @nl:		connection
 * @v:		set to a malloc'd array (free()), NULL if none
 * @n:		set to its length
 *
 * Return: 0; -EPROTO if a session is malformed; -EOPNOTSUPP if the
 * kernel has no such dump; -EPERM; -ENOMEM; -EIO.
 */
int sdrpctl_nl_sessions(struct sdrpctl_nl *nl, struct sdrpctl_session **v,
			size_t *n);

void sdrpctl_nl_close(struct sdrpctl_nl *nl);

struct nlmsghdr;

/**
 * sdrpctl_nl_parse_session() - decode one message of the session dump
 * @nlh:	generic netlink message (SDRP_CMD_SESSIONS reply)
 * @s:		filled in
 *
 * Return: 0; -EPROTO if an attribute is malformed, role or state is
 * missing, or an address has not exactly one of IPv4 and IPv6 or no port.
 */
int sdrpctl_nl_parse_session(struct nlmsghdr *nlh, struct sdrpctl_session *s);

/* ---- session_fmt.c ---- */

/* "client", "server"; "?" for an unknown value. */
const char *sdrpctl_role_name(uint32_t role);
/* "none", "handshake", "established", "rekey", "closing", "closed". */
const char *sdrpctl_state_name(uint32_t state);

/* A header line and one line per session, like ss. */
void sdrpctl_print_sessions(FILE *out, const struct sdrpctl_session *v,
			    size_t n);

/* The module line and, if @listed, the sessions by state. */
void sdrpctl_print_status(FILE *out, const struct sdrpctl_kernel *k,
			  bool listed, const struct sdrpctl_session *v,
			  size_t n);

#endif /* SDRPCTL_SESSION_H */
