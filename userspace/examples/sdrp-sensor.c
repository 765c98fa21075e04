// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * sdrp-sensor: an example sdrp server.  It listens on TCP, and for each
 * collector that connects:
 *
 *   1. setsockopt(TCP_ULP, "sdrp")       the kernel takes over the socket
 *   2. setsockopt(SDRP_HANDSHAKE)        sdrpd authenticates the collector
 *                                        (certificate, s0, signature)
 *   3. recv() a request, send() the latest readings, until the collector
 *      closes; the kernel encrypts, authenticates, acknowledges and rekeys.
 *
 * No key, certificate or secret appears here: they stay in sdrpd.  The
 * readings are simulated (a slow daily-like swing plus noise).
 *
 *   sdrp-sensor [-l ADDR] [-p PORT] [-c ID] [-n SESSIONS] [-t MS] [-q]
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/sdrp.h>

#include "example.h"

#define PROG "sdrp-sensor"

/* One reading of the simulated sensor. */
struct reading {
	struct timespec when;
	double temperature_c;
	double humidity_pct;
	double pressure_hpa;
};

/*
 * The sensor's latest values: a 10-minute swing (so that a demo sees
 * them move) plus a little noise, as a real probe would report.
 */
static void sample(struct reading *r)
{
	double t, noise;

	clock_gettime(CLOCK_REALTIME, &r->when);
	t = (double)r->when.tv_sec + r->when.tv_nsec / 1e9;
	noise = (rand() % 100 - 50) / 1000.0;
	r->temperature_c = 21.0 + 3.0 * sin(t * 2 * M_PI / 600) + noise;
	r->humidity_pct = 45.0 - 8.0 * sin(t * 2 * M_PI / 600) + 10 * noise;
	r->pressure_hpa = 1013.25 + 2.0 * cos(t * 2 * M_PI / 3600) + noise;
}

/* The response body: one line of text, so that any client can print it. */
static int format_reading(const struct reading *r, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&r->when.tv_sec, &tm);
	return snprintf(buf, size,
			"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ temperature=%.2fC humidity=%.1f%% pressure=%.2fhPa",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour, tm.tm_min, tm.tm_sec,
			r->when.tv_nsec / 1000000, r->temperature_c,
			r->humidity_pct, r->pressure_hpa);
}

struct options {
	const char *addr, *port;
	const char *client_id;		/* NULL: any client sdrpd allows */
	unsigned long sessions;		/* 0: serve forever */
	unsigned int timeout_ms;	/* handshake; 0: the sysctl default */
	int quiet;
};

/*
 * Serve one session: requests until the collector closes.  Returns 0
 * when the session ended cleanly, -1 otherwise.
 */
static int serve(int fd, const struct options *o, const char *from)
{
	struct sdrp_handshake hs = {
		.role = SDRP_ROLE_SERVER,
		.timeout_ms = o->timeout_ms,
	};
	char request[1024], peer[SDRP_IDENTITY_MAX + 1], body[256];
	unsigned long served = 0;
	struct sdrp_info info;
	struct reading r;
	ssize_t n;
	int len;

	if (o->client_id)
		snprintf(hs.peer, sizeof(hs.peer), "%s", o->client_id);
	if (ex_attach(fd) < 0) {
		ex_perror(PROG, "setsockopt(TCP_ULP, \"sdrp\")");
		return -1;
	}
	/* Blocks until sdrpd has authenticated the collector and the kernel
	 * holds the first epoch's keys, or fails with the reason's errno. */
	if (setsockopt(fd, SOL_SDRP, SDRP_HANDSHAKE, &hs, sizeof(hs)) < 0) {
		ex_perror(PROG, "handshake with %s", from);
		return -1;
	}
	ex_peer_identity(fd, peer, sizeof(peer));
	ex_info(fd, &info);
	printf("%s: %s: authenticated collector \"%s\" (epoch %u, rekey every %u responses)\n",
	       PROG, from, peer, info.epoch, ex_rekey_interval(fd));

	for (;;) {
		/* One recv() is one whole request (up to the buffer's size). */
		n = recv(fd, request, sizeof(request), 0);
		if (n == 0)
			break;			/* the collector closed */
		if (n < 0) {
			ex_perror(PROG, "recv from \"%s\"", peer);
			return -1;
		}
		sample(&r);
		len = format_reading(&r, body, sizeof(body));
		/* One send() is one response. */
		if (send(fd, body, (size_t)len, MSG_NOSIGNAL) < 0) {
			ex_perror(PROG, "send to \"%s\"", peer);
			return -1;
		}
		served++;
		if (!o->quiet) {
			ex_info(fd, &info);
			printf("%s: request %lu (%zd bytes, epoch %u): %s\n",
			       PROG, served, n, info.epoch, body);
		}
	}
	ex_info(fd, &info);
	printf("%s: \"%s\" closed the session: %lu responses, %llu rekeys, last epoch %u, close reason %s\n",
	       PROG, peer, served, (unsigned long long)info.rekeys,
	       info.epoch, ex_close_reason_name(info.close_reason));
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: %s [-l ADDR] [-p PORT] [-c CLIENT_ID] [-n SESSIONS] [-t MS] [-q]\n"
"  -l ADDR      address to listen on (default :: , every address)\n"
"  -p PORT      TCP port (default %s)\n"
"  -c ID        accept only this collector identity (default: any that\n"
"               sdrpd's configuration allows)\n"
"  -n SESSIONS  exit after this many sessions (default: serve forever)\n"
"  -t MS        handshake timeout (default: sysctl net.sdrp)\n"
"  -q           do not print each request\n"
"sdrpd must run in this network namespace, with this host's identity.\n",
		PROG, EX_DEFAULT_PORT);
}

int main(int argc, char **argv)
{
	struct options o = { .addr = "::", .port = EX_DEFAULT_PORT };
	char from[EX_ADDR_STRLEN];
	unsigned long done = 0;
	int lfd, fd, opt, failed = 0;

	while ((opt = getopt(argc, argv, "l:p:c:n:t:qh")) != -1) {
		switch (opt) {
		case 'l': o.addr = optarg; break;
		case 'p': o.port = optarg; break;
		case 'c': o.client_id = optarg; break;
		case 'n': o.sessions = ex_parse_ul(PROG, optarg, "-n"); break;
		case 't': o.timeout_ms = (unsigned int)ex_parse_ul(PROG, optarg, "-t"); break;
		case 'q': o.quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	srand((unsigned int)time(NULL));
	setvbuf(stdout, NULL, _IOLBF, 0);

	lfd = ex_listen(PROG, o.addr, o.port);
	if (lfd < 0)
		return 1;
	printf("%s: listening on %s port %s\n", PROG, o.addr, o.port);
	while (!o.sessions || done < o.sessions) {
		fd = ex_accept(lfd, from, sizeof(from));
		if (fd < 0) {
			ex_perror(PROG, "accept");
			failed = 1;
			break;
		}
		if (serve(fd, &o, from))
			failed = 1;
		/* close() sends CLOSE if the session is still open. */
		close(fd);
		done++;
	}
	close(lfd);
	return failed;
}
