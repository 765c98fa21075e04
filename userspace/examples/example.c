// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Plumbing shared by the examples; see example.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sdrp/peer.h>

#include "example.h"

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

int ex_attach(int fd)
{
	return setsockopt(fd, SOL_TCP, TCP_ULP, "sdrp", sizeof("sdrp"));
}

void ex_info(int fd, struct sdrp_info *info)
{
	socklen_t len = sizeof(*info);

	if (getsockopt(fd, SOL_SDRP, SDRP_INFO, info, &len) < 0) {
		ex_perror("sdrp", "getsockopt(SDRP_INFO)");
		memset(info, 0, sizeof(*info));
	}
}

void ex_peer_identity(int fd, char *buf, size_t size)
{
	socklen_t len = (socklen_t)size;

	if (getsockopt(fd, SOL_SDRP, SDRP_PEER_IDENTITY, buf, &len) < 0 ||
	    !len || buf[len - 1] != '\0')
		snprintf(buf, size, "?");
}

unsigned int ex_rekey_interval(int fd)
{
	struct sdrp_params p;
	socklen_t len = sizeof(p);

	if (getsockopt(fd, SOL_SDRP, SDRP_PARAMS, &p, &len) < 0)
		return 0;
	return p.rekey_interval;
}

const char *ex_close_reason_name(unsigned int reason)
{
	return sdrp_close_reason_name((enum sdrp_close_reason)reason);
}

void ex_perror(const char *prog, const char *fmt, ...)
{
	int err = errno;
	const char *name = strerrorname_np(err);
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s (%s)\n", strerror(err), name ? name : "?");
	if (err == ENOENT && strstr(fmt, "TCP_ULP"))
		fprintf(stderr, "%s: is the sdrp module available (modprobe sdrp)?\n",
			prog);
	else if (err == ESRCH)
		fprintf(stderr, "%s: no sdrpd runs in this network namespace\n",
			prog);
	errno = err;
}

unsigned long ex_parse_ul(const char *prog, const char *s, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "%s: %s: not a number: %s\n", prog, what, s);
		exit(2);
	}
	return v;
}

static struct addrinfo *resolve(const char *prog, const char *host,
				const char *port, int passive)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = passive ? AI_PASSIVE : 0,
	}, *res;
	int rc = getaddrinfo(host, port, &hints, &res);

	if (rc) {
		fprintf(stderr, "%s: %s port %s: %s\n", prog, host, port,
			gai_strerror(rc));
		return NULL;
	}
	return res;
}

int ex_listen(const char *prog, const char *addr, const char *port)
{
	struct addrinfo *res = resolve(prog, addr, port, 1);
	int fd, one = 1;

	if (!res)
		return -1;
	fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 16) < 0) {
		ex_perror(prog, "listen on %s port %s", addr, port);
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int ex_accept(int lfd, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";
	int fd = accept(lfd, (struct sockaddr *)&ss, &len);

	if (fd < 0)
		return -1;
	getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port,
		    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV);
	/* an IPv4 client of an IPv6 listener: show its IPv4 address */
	if (ss.ss_family == AF_INET6 && !strncmp(host, "::ffff:", 7) &&
	    strchr(host, '.'))
		memmove(host, host + 7, strlen(host + 7) + 1);
	snprintf(buf, size, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host,
		 port);
	return fd;
}

int ex_connect(const char *prog, const char *host, const char *port)
{
	struct addrinfo *res = resolve(prog, host, port, 0);
	int fd;

	if (!res)
		return -1;
	fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
		ex_perror(prog, "connect to %s port %s", host, port);
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}
