// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Units of sdrpctl that need no kernel and no files: the session and
 * status printing (fed plain structures, as the netlink backend would),
 * and the parsing of numbers, times and validity options.  TAP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <sdrp/sdrp.h>

#include "nl_sockaddr.h"
#include "sdrpctl.h"
#include "session.h"
#include "util.h"		/* libsdrp's test helpers (TAP) */

/* Run a printer into a string; the caller frees it. */
#define CAPTURE(buf, call)						\
	do {								\
		size_t len_;						\
		FILE *f_ = open_memstream(&(buf), &len_);		\
		if (!f_)						\
			abort();					\
		call;							\
		fclose(f_);						\
	} while (0)
#define OUT f_

static void set_v4(struct sockaddr_storage *ss, const char *a, uint16_t port)
{
	struct sockaddr_in *sin = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	inet_pton(AF_INET, a, &sin->sin_addr);
}

static void set_v6(struct sockaddr_storage *ss, const char *a, uint16_t port,
		   uint32_t scope)
{
	struct sockaddr_in6 *sin6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_scope_id = scope;
	inet_pton(AF_INET6, a, &sin6->sin6_addr);
}

static void test_addr(void)
{
	struct sockaddr_storage ss;
	char buf[SDRP_SOCKADDR_STRLEN];

	set_v4(&ss, "192.0.2.7", 7000);
	sdrp_sockaddr_format(&ss, buf, sizeof(buf));
	OK(!strcmp(buf, "192.0.2.7:7000"), "IPv4 address: %s", buf);
	set_v6(&ss, "2001:db8::1", 443, 0);
	sdrp_sockaddr_format(&ss, buf, sizeof(buf));
	OK(!strcmp(buf, "[2001:db8::1]:443"), "IPv6 address: %s", buf);
	set_v6(&ss, "fe80::2", 80, 3);
	sdrp_sockaddr_format(&ss, buf, sizeof(buf));
	OK(!strcmp(buf, "[fe80::2%3]:80"), "IPv6 link-local with scope: %s",
	   buf);
	memset(&ss, 0, sizeof(ss));
	sdrp_sockaddr_format(&ss, buf, sizeof(buf));
	OK(!strcmp(buf, "-"), "unset address: %s", buf);
}

static void fill_sessions(struct sdrpctl_session s[3])
{
	memset(s, 0, 3 * sizeof(*s));
	s[0].role = SDRP_ROLE_CLIENT;
	s[0].state = SDRP_STATE_ESTABLISHED;
	set_v4(&s[0].local, "10.0.0.1", 40000);
	set_v4(&s[0].remote, "10.0.0.2", 7000);
	strcpy(s[0].peer_identity, "sensor-1");
	s[0].epoch = 3;
	s[0].rekeys = 3;
	s[0].records_tx = 41;
	s[0].records_rx = 40;
	s[0].bytes_tx = 1200;
	s[0].bytes_rx = 3400;

	s[1].role = SDRP_ROLE_SERVER;
	s[1].state = SDRP_STATE_CLOSED;
	set_v6(&s[1].local, "fd00::2", 7000, 0);
	set_v6(&s[1].remote, "fd00::1", 53000, 0);
	s[1].close_reason = SDRP_CLOSE_BAD_MAC;
	s[1].close_errno = EBADMSG;

	s[2].role = SDRP_ROLE_SERVER;
	s[2].state = SDRP_STATE_HANDSHAKE;
	set_v4(&s[2].local, "10.0.0.2", 7000);
	set_v4(&s[2].remote, "10.0.0.3", 41000);
	s[2].handle = 9;
}

static void test_sessions(void)
{
	struct sdrpctl_session s[3];
	char *text = NULL;
	char *line[5] = { NULL };
	char *save, *p;
	int i = 0;

	fill_sessions(s);
	CAPTURE(text, sdrpctl_print_sessions(OUT, s, 3));
	for (p = strtok_r(text, "\n", &save); p && i < 5;
	     p = strtok_r(NULL, "\n", &save))
		line[i++] = p;
	OK(i == 4, "sessions: a header and one line per session (%d)", i);
	OK(line[0] && !strncmp(line[0], "State ", 6) &&
	   strstr(line[0], "Remote") && strstr(line[0], "Peer") &&
	   strstr(line[0], "Epoch"), "sessions: header names the columns");
	OK(line[1] && !strncmp(line[1], "established client 10.0.0.1:40000 ", 34) &&
	   strstr(line[1], " 10.0.0.2:7000 ") && strstr(line[1], " sensor-1 ") &&
	   strstr(line[1], " 3 ") && strstr(line[1], "41/40") &&
	   strstr(line[1], "1200/3400"),
	   "sessions: established client line: %s", line[1] ? line[1] : "");
	OK(line[1] && !strstr(line[1], "reason"),
	   "sessions: no close reason while open");
	OK(line[2] && !strncmp(line[2], "closed      server [fd00::2]:7000 ", 34) &&
	   strstr(line[2], "[fd00::1]:53000") &&
	   strstr(line[2], "reason:bad-mac errno:EBADMSG"),
	   "sessions: closed server line with reason and errno: %s",
	   line[2] ? line[2] : "");
	OK(line[3] && !strncmp(line[3], "handshake   server ", 19) &&
	   strstr(line[3], " - "),
	   "sessions: no peer identity before the handshake ends: %s",
	   line[3] ? line[3] : "");
	free(text);

	text = NULL;
	CAPTURE(text, sdrpctl_print_sessions(OUT, NULL, 0));
	OK(text && !strncmp(text, "State ", 6) && !strchr(text, '\n')[1],
	   "sessions: none is just the header");
	free(text);
}

static void test_status(void)
{
	struct sdrpctl_kernel k = { .family_id = 31, .family_version = 1 };
	struct sdrpctl_session s[3];
	char *text = NULL;

	fill_sessions(s);
	CAPTURE(text, sdrpctl_print_status(OUT, &k, true, s, 3));
	OK(text && strstr(text, "id 31, version 1") &&
	   strstr(text, "\nsessions: 3 (handshake 1, established 1, closed 1)\n"),
	   "status: family and sessions by state");
	free(text);

	text = NULL;
	CAPTURE(text, sdrpctl_print_status(OUT, &k, true, NULL, 0));
	OK(text && strstr(text, "\nsessions: 0\n"), "status: no session");
	free(text);

	text = NULL;
	CAPTURE(text, sdrpctl_print_status(OUT, &k, false, NULL, 0));
	OK(text && !strstr(text, "sessions"),
	   "status: no session line when the list is unavailable");
	free(text);

	s[0].state = 77;
	text = NULL;
	CAPTURE(text, sdrpctl_print_status(OUT, &k, true, s, 1));
	OK(text && strstr(text, "sessions: 1 (unknown 1)"),
	   "status: a state this sdrpctl does not know is counted as unknown");
	free(text);
	OK(!strcmp(sdrpctl_role_name(SDRP_ROLE_CLIENT), "client") &&
	   !strcmp(sdrpctl_role_name(0), "?") &&
	   !strcmp(sdrpctl_state_name(SDRP_STATE_REKEY), "rekey") &&
	   !strcmp(sdrpctl_state_name(6), "?"), "role and state names");
}

static void test_numbers(void)
{
	unsigned int u;
	uint64_t v;

	OK(!sdrpctl_parse_u64("4660", &v) && v == 4660, "u64: decimal");
	OK(!sdrpctl_parse_u64("0x1234", &v) && v == 0x1234, "u64: hex");
	OK(!sdrpctl_parse_u64("18446744073709551615", &v) && v == UINT64_MAX,
	   "u64: maximum");
	OK(sdrpctl_parse_u64("18446744073709551616", &v) == -ERANGE,
	   "u64: overflow refused");
	OK(sdrpctl_parse_u64("-1", &v) == -EINVAL, "u64: negative refused");
	OK(sdrpctl_parse_u64(" 1", &v) == -EINVAL, "u64: blank refused");
	OK(sdrpctl_parse_u64("12x", &v) == -EINVAL, "u64: trailing junk refused");
	OK(sdrpctl_parse_u64("", &v) == -EINVAL, "u64: empty refused");
	OK(!sdrpctl_parse_uint("36500", 1, 36500, &u) && u == 36500,
	   "uint: upper bound included");
	OK(sdrpctl_parse_uint("0", 1, 10, &u) == -ERANGE, "uint: below range");
	OK(sdrpctl_parse_uint("4294967296", 1, UINT32_MAX, &u) == -ERANGE,
	   "uint: above unsigned int");
}

static void test_time(void)
{
	char buf[SDRPCTL_TIME_LEN];
	uint64_t t;

	OK(!sdrpctl_parse_time("@0", &t) && t == 0, "time: @0");
	OK(!sdrpctl_parse_time("1970-01-01", &t) && t == 0, "time: epoch date");
	OK(!sdrpctl_parse_time("2030-01-02T03:04:05Z", &t) && t == 1893553445,
	   "time: ISO 8601 UTC");
	OK(!sdrpctl_parse_time("2030-01-02 03:04:05", &t) && t == 1893553445,
	   "time: date and time with a space");
	OK(!sdrpctl_parse_time("2024-02-29", &t) && t == 1709164800,
	   "time: leap day");
	OK(sdrpctl_parse_time("2030-13-01", &t) == -EINVAL, "time: month 13");
	OK(sdrpctl_parse_time("2030-01-02T03:04:05+01:00", &t) == -EINVAL,
	   "time: offsets refused (UTC only)");
	OK(sdrpctl_parse_time("yesterday", &t) == -EINVAL, "time: words refused");
	OK(sdrpctl_parse_time("1969-12-31", &t) == -EINVAL,
	   "time: before 1970 refused");
	OK(sdrpctl_parse_time("@-5", &t) == -EINVAL, "time: negative seconds");

	sdrpctl_format_time(1893553445, buf);
	OK(!strcmp(buf, "2030-01-02 03:04:05 UTC"), "format time: %s", buf);
	sdrpctl_format_time(UINT64_MAX, buf);
	OK(!strcmp(buf, "@18446744073709551615"),
	   "format time: out of range as raw seconds: %s", buf);
}

static void test_validity(void)
{
	struct sdrpctl_validity v = { 0 };
	uint64_t nb, na;

	v.not_before = "2030-01-01";
	OK(!sdrpctl_validity_resolve(&v, 365, &nb, &na) && nb == 1893456000 &&
	   na == nb + 365 * 86400ULL, "validity: default days");
	v.days = "2";
	OK(!sdrpctl_validity_resolve(&v, 365, &nb, &na) &&
	   na == nb + 2 * 86400ULL, "validity: --days");
	v.not_after = "2031-01-01";
	OK(sdrpctl_validity_resolve(&v, 365, &nb, &na) == -EINVAL,
	   "validity: --days and --not-after together refused");
	v.days = NULL;
	OK(!sdrpctl_validity_resolve(&v, 365, &nb, &na) && na == 1924992000,
	   "validity: --not-after");
	v.not_after = "2029-12-31";
	OK(sdrpctl_validity_resolve(&v, 365, &nb, &na) == -EINVAL,
	   "validity: end before start refused");
	v.not_after = NULL;
	v.days = "36501";
	OK(sdrpctl_validity_resolve(&v, 365, &nb, &na) == -EINVAL,
	   "validity: more than 100 years refused");
}

int main(void)
{
	test_addr();
	test_sessions();
	test_status();
	test_numbers();
	test_time();
	test_validity();
	return tap_done();
}
