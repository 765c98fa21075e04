// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * sdrp-collector: an example sdrp client.  It connects to an sdrp-sensor,
 *
 *   1. setsockopt(TCP_ULP, "sdrp")       the kernel takes over the socket
 *   2. setsockopt(SDRP_HANDSHAKE)        sdrpd authenticates the sensor:
 *                                        its certificate must be for the
 *                                        identity given here (-s)
 *   3. send() a request, recv() the response, N times at an interval;
 *      getsockopt(SDRP_INFO) shows the key epoch, so the rekeys the
 *      kernel runs every rekey-interval responses are visible
 *   4. shutdown() runs the CLOSE exchange; close() releases the socket.
 *
 * No key, certificate or secret appears here: they stay in sdrpd.
 *
 *   sdrp-collector -s SENSOR_ID [-n COUNT] [-i MS] [-t MS] HOST [PORT]
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/sdrp.h>

#include "example.h"

#define PROG "sdrp-collector"

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Print a line when the epoch moved since the last call. */
static void show_rekeys(int fd, unsigned int *epoch)
{
	struct sdrp_info info;

	ex_info(fd, &info);
	for (; *epoch < info.epoch; (*epoch)++)
		printf("%s: rekey: epoch %u -> %u (fresh X25519 keys, old keys wiped)\n",
		       PROG, *epoch, *epoch + 1);
}

/*
 * After the response that completes an epoch the sensor starts a rekey
 * on its own.  Wait (briefly) for it to finish: then the epoch read next
 * is the one the next request and its response travel under (a request
 * sent meanwhile would be held by the kernel until the rekey is done).
 */
static void wait_pending_rekey(int fd, unsigned int interval,
			       unsigned int *epoch)
{
	struct sdrp_info info;
	int i;

	show_rekeys(fd, epoch);
	ex_info(fd, &info);
	if (!interval || info.responses_in_epoch < interval)
		return;
	for (i = 0; i < 200 && info.epoch == *epoch &&
		    info.state != SDRP_STATE_CLOSED; i++) {
		sleep_ms(10);
		ex_info(fd, &info);
	}
	show_rekeys(fd, epoch);
}

/*
 * shutdown() sends CLOSE; the session is CLOSED (POLLHUP) when the
 * sensor's CLOSE ACK arrived, or when the close timer gave up.
 */
static int close_session(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct sdrp_info info;

	if (shutdown(fd, SHUT_RDWR) < 0) {
		ex_perror(PROG, "shutdown");
		return -1;
	}
	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	ex_info(fd, &info);
	if (info.state != SDRP_STATE_CLOSED ||
	    info.close_reason != SDRP_CLOSE_LOCAL) {
		fprintf(stderr, "%s: close: state %u, reason %s\n", PROG,
			info.state, ex_close_reason_name(info.close_reason));
		return -1;
	}
	printf("%s: closed: CLOSE acknowledged by the sensor (reason %s); %llu records sent, %llu received\n",
	       PROG, ex_close_reason_name(info.close_reason),
	       (unsigned long long)info.records_tx,
	       (unsigned long long)info.records_rx);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: %s -s SENSOR_ID [-n COUNT] [-i MS] [-t MS] HOST [PORT]\n"
"  -s ID     identity the sensor's certificate must carry (required)\n"
"  -n COUNT  requests to make (default 10)\n"
"  -i MS     pause between requests (default 1000)\n"
"  -t MS     handshake timeout (default: sysctl net.sdrp)\n"
"  PORT      default %s\n"
"sdrpd must run in this network namespace, with a [peer] section that\n"
"lists the sensor's identity.\n",
		PROG, EX_DEFAULT_PORT);
}

int main(int argc, char **argv)
{
	struct sdrp_handshake hs = { .role = SDRP_ROLE_CLIENT };
	unsigned long count = 10, interval_ms = 1000, i;
	char peer[SDRP_IDENTITY_MAX + 1], response[4096];
	const char *sensor = NULL, *host, *port = EX_DEFAULT_PORT;
	static const char request[] = "readings";
	unsigned int epoch = 0, rekey_interval;
	struct sdrp_info info;
	int fd, opt;
	ssize_t n;

	while ((opt = getopt(argc, argv, "s:n:i:t:h")) != -1) {
		switch (opt) {
		case 's': sensor = optarg; break;
		case 'n': count = ex_parse_ul(PROG, optarg, "-n"); break;
		case 'i': interval_ms = ex_parse_ul(PROG, optarg, "-i"); break;
		case 't': hs.timeout_ms = (unsigned int)ex_parse_ul(PROG, optarg, "-t"); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!sensor || optind >= argc || argc - optind > 2 ||
	    strlen(sensor) > SDRP_IDENTITY_MAX) {
		usage(stderr);
		return 2;
	}
	host = argv[optind];
	if (argc - optind == 2)
		port = argv[optind + 1];
	setvbuf(stdout, NULL, _IOLBF, 0);

	fd = ex_connect(PROG, host, port);
	if (fd < 0)
		return 1;
	printf("%s: connected to %s port %s\n", PROG, host, port);
	if (ex_attach(fd) < 0) {
		ex_perror(PROG, "setsockopt(TCP_ULP, \"sdrp\")");
		return 1;
	}
	/* Blocks until sdrpd verified the sensor (certificate issued by our
	 * CA for exactly this identity, HELLO ACK signed and MACed under the
	 * s0 we share) and the kernel sent the ACK. */
	snprintf(hs.peer, sizeof(hs.peer), "%s", sensor);
	printf("%s: handshake: expecting sensor \"%s\"\n", PROG, sensor);
	if (setsockopt(fd, SOL_SDRP, SDRP_HANDSHAKE, &hs, sizeof(hs)) < 0) {
		ex_perror(PROG, "handshake with \"%s\"", sensor);
		return 1;
	}
	ex_peer_identity(fd, peer, sizeof(peer));
	ex_info(fd, &info);
	epoch = info.epoch;
	rekey_interval = ex_rekey_interval(fd);
	printf("%s: handshake: authenticated sensor \"%s\" (epoch %u, rekey every %u responses)\n",
	       PROG, peer, epoch, rekey_interval);

	for (i = 1; i <= count; i++) {
		if (i > 1)
			sleep_ms(interval_ms);
		wait_pending_rekey(fd, rekey_interval, &epoch);
		/* One send() is one DATA REQUEST ... */
		if (send(fd, request, sizeof(request) - 1, MSG_NOSIGNAL) < 0) {
			ex_perror(PROG, "request %lu", i);
			return 1;
		}
		/* ... and one recv() its DATA RESPONSE; the kernel sends the
		 * DATA ACK, and answers the sensor's rekey by itself. */
		n = recv(fd, response, sizeof(response) - 1, 0);
		if (n <= 0) {
			if (n == 0)
				errno = EPIPE;
			ex_perror(PROG, "response %lu", i);
			return 1;
		}
		response[n] = '\0';
		printf("%s: #%02lu epoch %u: %s\n", PROG, i, epoch, response);
	}
	wait_pending_rekey(fd, rekey_interval, &epoch);
	if (close_session(fd))
		return 1;
	close(fd);
	return 0;
}
