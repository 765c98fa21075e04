/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * Plumbing shared by the two examples (sdrp-sensor, sdrp-collector): TCP
 * setup, the sdrp socket options they read, and error messages.  The
 * sdrp-specific steps (TCP_ULP, SDRP_HANDSHAKE, send/recv) are in the
 * examples themselves, where a reader looks for them.
 */
#ifndef SDRP_EXAMPLE_H
#define SDRP_EXAMPLE_H

#include <stddef.h>
#include <linux/sdrp.h>

#define EX_DEFAULT_PORT	"7000"
#define EX_ADDR_STRLEN	64	/* "[v6 address]:port" */

/* setsockopt(SOL_TCP, TCP_ULP, "sdrp"): 0 or -1 with errno */
int ex_attach(int fd);

/* SDRP_INFO; on failure *info is zeroed and a warning printed */
void ex_info(int fd, struct sdrp_info *info);

/* The verified peer identity (SDRP_PEER_IDENTITY), or "?" */
void ex_peer_identity(int fd, char *buf, size_t size);

/* The rekey interval in force (SDRP_PARAMS): the agreed one after the
 * handshake */
unsigned int ex_rekey_interval(int fd);

/* "local", "peer", ... (libsdrp's names, as sdrpctl prints them) */
const char *ex_close_reason_name(unsigned int reason);

/* "PROG: WHAT: strerror (ENAME)" on stderr, WHAT printf-style */
void ex_perror(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A number argument; exits 2 with a message if it is not one */
unsigned long ex_parse_ul(const char *prog, const char *s, const char *what);

/* TCP listener on ADDR PORT (IPv4 or IPv6); -1 after a message */
int ex_listen(const char *prog, const char *addr, const char *port);

/* accept(); "ADDR:PORT" of the peer in buf */
int ex_accept(int lfd, char *buf, size_t size);

/* TCP connection to HOST PORT; -1 after a message */
int ex_connect(const char *prog, const char *host, const char *port);

#endif /* SDRP_EXAMPLE_H */
