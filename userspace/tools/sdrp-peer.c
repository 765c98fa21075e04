// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * sdrp-peer: a command-line sdrp endpoint on libsdrp's userspace peer, for
 * tests (including against the kernel module inside the VM).  With
 * --kernel the same session runs on a kernel sdrp socket instead (TCP_ULP,
 * then SDRP_HANDSHAKE through sdrpd, or SDRP_KEYS), with the same bodies,
 * checks and result line, so that a test can pair any two endpoints.
 *
 *   sdrp-peer --role client --connect ADDR:PORT ...
 *   sdrp-peer --role server --listen ADDR:PORT ...
 *   sdrp-peer --kernel --role client --connect ADDR:PORT --peer ID ...
 *   sdrp-peer --gen-keys FILE
 *
 * It prints one line per record sent or received and a result line, and
 * exits 0 only when the expected outcome happened (see usage()).
 *
 * Bodies are deterministic so that any other program (a kernel socket
 * test) can produce and check the same bytes: the body of request i
 * (0-based) is body_fill(size, 2i), of response i body_fill(size, 2i + 1),
 * where byte k of body_fill(size, id) is (id * 131 + k * 7 + k / 256)
 * mod 256: the pattern of sdrp_fill() in selftests/sdrp_test.h, so that
 * a kselftest program and this tool check each other's bodies.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <sdrp/sdrp.h>
#include <sdrp/peer.h>

#define MAX_SIZES	64

struct opts {
	enum sdrp_role role;
	const char *connect_to, *listen_on;
	const char *keys_file;
	const char *ca, *cert, *key, *s0, *peer_id;
	unsigned long count;
	size_t sizes[MAX_SIZES];
	size_t n_sizes;
	bool verify;
	bool no_close;
	bool quiet;
	const char *save_hello;	/* file for the initial HELLO / HELLO ACK */
	bool hello_saved;
	bool kernel;		/* run the session on a kernel socket */
	unsigned long hs_timeout_ms;
	const char *expect_errno;	/* "EKEYREJECTED": the handshake fails so */
	struct sdrp_fault fault;
	struct sdrp_params params;
	const char *expect;	/* close reason name, NULL: a clean end */
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: sdrp-peer --role client|server (--connect|--listen) ADDR:PORT\n"
"                 (--keys FILE | --ca F --cert F --key F --s0 F --peer ID)\n"
"                 [--count N] [--size N | --sizes N,N,...] [--verify]\n"
"                 [--fault NAME[@N][:TYPE]] [--fault-count K]\n"
"                 [--params rekey=N,ttl=MS,skew=MS,recv=MS,close=MS,\n"
"                           retries=N,policy=close|resend]\n"
"                 [--expect REASON] [--no-close] [--quiet]\n"
"                 [--save-hello FILE] [--expect-errno NAME]\n"
"       sdrp-peer --kernel --role client|server (--connect|--listen) ADDR:PORT\n"
"                 (--peer ID | --keys FILE) [--hs-timeout MS] [--count N]\n"
"                 [--size N | --sizes N,...] [--verify] [--params ...]\n"
"                 [--expect REASON] [--expect-errno NAME] [--quiet]\n"
"       sdrp-peer --gen-keys FILE\n"
"\n"
"ADDR:PORT  IPv4 (127.0.0.1:4000) or IPv6 in brackets ([::1]:4000); a\n"
"           server with port 0 picks one and prints 'listening ADDR:PORT'.\n"
"--keys     raw struct sdrp_keys (as for SDRP_KEYS), e.g. from --gen-keys;\n"
"           its role byte is ignored: this peer uses --role.\n"
"--ca/--cert/--key/--s0/--peer  initial handshake credentials; --peer is\n"
"           the server identity a client expects, or the client identity\n"
"           a server allows.\n"
"--count    client: requests to make (default 10); server: close after N\n"
"           exchanges (default 0: answer until the client closes).\n"
"--size/--sizes  body size of request i and response i: sizes[i %% n]\n"
"           (default 64).\n"
"--verify   check every received body byte for byte.\n"
"--fault    inject NAME (see below) into the Nth outgoing message (of\n"
"           TYPE, e.g. data-request; default any type); --fault-count K\n"
"           for K consecutive ones.\n"
"--expect   exit 0 only if the session closed with this reason\n"
"           (local, peer, bad-mac, ...); without it, 0 only for a clean\n"
"           end: all exchanges done and verified, then CLOSE / CLOSE ACK.\n"
"--no-close client: do not close after the requests, keep answering\n"
"           the server (rekey, RESEND LAST, CLOSE) until it closes; with\n"
"           --count 0 the client only does the handshake, then waits.\n"
"--kernel   the session on a kernel socket: TCP_ULP \"sdrp\", --params as\n"
"           SDRP_PARAMS, then SDRP_HANDSHAKE through this namespace's\n"
"           sdrpd (--peer: the server identity a client asks for; on a\n"
"           server the one client allowed, optional) or SDRP_KEYS\n"
"           (--keys).  No tx/rx lines (the kernel runs the records);\n"
"           --fault and --save-hello are not available.\n"
"--hs-timeout  SDRP_HANDSHAKE's timeout_ms (default 0: the sysctl).\n"
"--expect-errno  exit 0 only if the handshake failed with this errno\n"
"           (its name, e.g. EKEYREJECTED); prints 'handshake failed'.\n"
"--save-hello  write the initial HELLO (client) or HELLO ACK (server)\n"
"           record this peer sent, byte for byte, to FILE (for replays).\n"
"At the end the tool waits for the other end to hang up; with --fault it\n"
"keeps its own side open until then (no FIN), so that the other end's\n"
"timers play out.\n"
"\n"
"--gen-keys FILE  writes a random keys blob (mode 0600): epoch 0, random\n"
"           keys, chain key and sequence numbers, counters 0, role byte 0.\n"
"           Give the same file to both ends: sdrp-peer sets its role; a\n"
"           kernel test sets keys.role to its socket's role before\n"
"           setsockopt(SOL_SDRP, SDRP_KEYS).  The blob carries no rekey\n"
"           interval: both ends must use the same (--params rekey=N here,\n"
"           SDRP_PARAMS or net.sdrp.rekey_interval on a socket; 10 by\n"
"           default on both).\n"
"\n"
"faults:");
	for (int k = 1; k <= SDRP_FAULT_KIND_MAX; k++)
		fprintf(f, " %s", sdrp_fault_name(k));
	fprintf(f, "\n\nexit status: 0 if the expected outcome happened, 1 if not, 2 for\n"
"a usage or setup error.\n"
"\noutput lines:\n"
"  tx|rx TYPE epoch=E seq=S len=L [clear] [fault=F] [refused=REASON]\n"
"  handshake ok peer=ID | handshake failed errno=N (NAME)\n"
"  exchange I req=N resp=N ok|mismatch\n"
"  result reason=R errno=N exchanges=N rekeys=N epoch=N resends=N\n");
}

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sdrp-peer: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static void body_fill(uint8_t *p, size_t len, uint64_t id)
{
	size_t k;

	for (k = 0; k < len; k++)
		p[k] = (uint8_t)(id * 131 + k * 7 + (k >> 8));
}

static bool body_ok(const uint8_t *p, size_t len, size_t want, uint64_t seed,
		    uint8_t *scratch)
{
	if (len != want)
		return false;
	body_fill(scratch, len, seed);
	return !len || !memcmp(scratch, p, len);
}

static unsigned long parse_ul(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end)
		die("bad %s: %s", what, s);
	return v;
}

static int parse_type(const char *s)
{
	for (unsigned int t = 1; t <= SDRP_MSG_TYPE_MAX; t++)
		if (!strcmp(s, sdrp_msg_type_name(t)))
			return (int)t;
	return -1;
}

/* NAME[@N][:TYPE] */
static void parse_fault(struct sdrp_fault *f, char *spec)
{
	char *type = strchr(spec, ':'), *at;
	int k;

	if (type) {
		*type++ = '\0';
		k = parse_type(type);
		if (k < 0)
			die("unknown message type: %s", type);
		f->msg_type = (uint8_t)k;
	}
	at = strchr(spec, '@');
	if (at) {
		*at++ = '\0';
		f->nth = (uint32_t)parse_ul(at, "fault position");
	}
	k = sdrp_fault_parse(spec);
	if (k <= 0)
		die("unknown fault: %s", spec);
	f->kind = (enum sdrp_fault_kind)k;
}

static void parse_params(struct sdrp_params *p, char *spec)
{
	char *save = NULL, *kv;

	for (kv = strtok_r(spec, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *v = strchr(kv, '=');

		if (!v)
			die("bad --params item: %s", kv);
		*v++ = '\0';
		if (!strcmp(kv, "policy")) {
			if (!strcmp(v, "close"))
				p->policy = SDRP_POLICY_CLOSE;
			else if (!strcmp(v, "resend"))
				p->policy = SDRP_POLICY_RESEND;
			else
				die("bad policy: %s", v);
		} else if (!strcmp(kv, "rekey")) {
			p->rekey_interval = (uint32_t)parse_ul(v, kv);
		} else if (!strcmp(kv, "ttl")) {
			p->ttl_ms = (uint32_t)parse_ul(v, kv);
		} else if (!strcmp(kv, "skew")) {
			p->clock_skew_ms = (uint32_t)parse_ul(v, kv);
		} else if (!strcmp(kv, "recv")) {
			p->recv_timeout_ms = (uint32_t)parse_ul(v, kv);
		} else if (!strcmp(kv, "close")) {
			p->close_timeout_ms = (uint32_t)parse_ul(v, kv);
		} else if (!strcmp(kv, "retries")) {
			p->max_retries = (uint32_t)parse_ul(v, kv);
		} else {
			die("unknown --params key: %s", kv);
		}
	}
}

static void parse_sizes(struct opts *o, char *spec)
{
	char *save = NULL, *s;

	o->n_sizes = 0;
	for (s = strtok_r(spec, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		if (o->n_sizes == MAX_SIZES)
			die("at most %d sizes", MAX_SIZES);
		o->sizes[o->n_sizes] = parse_ul(s, "size");
		if (o->sizes[o->n_sizes] > SDRP_MAX_DATA)
			die("size above %d: %s", SDRP_MAX_DATA, s);
		o->n_sizes++;
	}
	if (!o->n_sizes)
		die("empty size list");
}

/* "ADDR:PORT" or "[ADDR]:PORT" */
static struct addrinfo *resolve(const char *spec, bool passive)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV |
			    (passive ? AI_PASSIVE : 0),
	};
	char host[128], *port;
	struct addrinfo *ai;
	int rc;

	if (strlen(spec) >= sizeof(host))
		die("address too long: %s", spec);
	strcpy(host, spec);
	if (host[0] == '[') {
		char *end = strchr(host, ']');

		if (!end || end[1] != ':')
			die("bad address: %s", spec);
		*end = '\0';
		port = end + 2;
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else {
		port = strrchr(host, ':');
		if (!port)
			die("bad address (ADDR:PORT): %s", spec);
		*port++ = '\0';
	}
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc)
		die("%s: %s", spec, gai_strerror(rc));
	return ai;
}

static int open_connection(const struct opts *o)
{
	struct addrinfo *ai = resolve(o->connect_to ? o->connect_to :
				      o->listen_on, !o->connect_to);
	int fd, lfd, one = 1;

	if (o->connect_to) {
		fd = socket(ai->ai_family, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen))
			die("connect %s: %s", o->connect_to, strerror(errno));
		freeaddrinfo(ai);
		return fd;
	}
	lfd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, ai->ai_addr, ai->ai_addrlen) || listen(lfd, 1))
		die("listen %s: %s", o->listen_on, strerror(errno));
	{
		struct sockaddr_storage ss = { 0 };
		socklen_t sl = sizeof(ss);
		char h[64], p[16];

		if (getsockname(lfd, (struct sockaddr *)&ss, &sl) ||
		    getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p,
				sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV))
			die("listen %s: no local address", o->listen_on);
		printf(ss.ss_family == AF_INET6 ? "listening [%s]:%s\n" :
		       "listening %s:%s\n", h, p);
		fflush(stdout);
	}
	freeaddrinfo(ai);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept: %s", strerror(errno));
	close(lfd);
	return fd;
}

/* --save-hello: the record as it went on the wire (after any fault) */
static void save_hello(struct opts *o, const struct sdrp_record_event *ev)
{
	size_t len = (size_t)ev->length + SDRP_HDR_LEN;
	int fd;

	o->hello_saved = true;
	fd = open(o->save_hello, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, ev->record, len) != (ssize_t)len || close(fd))
		die("%s: %s", o->save_hello, strerror(errno));
}

static void observer(void *ctx, const struct sdrp_record_event *ev)
{
	struct opts *o = ctx;

	if (o->save_hello && !o->hello_saved && ev->dir == SDRP_PEER_TX &&
	    (ev->flags & SDRP_HDR_F_CLEAR) &&
	    ev->type == (o->role == SDRP_ROLE_CLIENT ? SDRP_MSG_HELLO :
			 SDRP_MSG_HELLO_ACK))
		save_hello(o, ev);
	if (o->quiet)
		return;
	printf("%s %s epoch=%u seq=%llu len=%u%s", ev->dir == SDRP_PEER_TX ?
	       "tx" : "rx", sdrp_msg_type_name(ev->type), ev->epoch,
	       (unsigned long long)ev->seq, ev->data_len,
	       ev->flags & SDRP_HDR_F_CLEAR ? " clear" : "");
	if (ev->fault)
		printf(" fault=%s", sdrp_fault_name(ev->fault));
	if (ev->verdict)
		printf(" refused=%s", sdrp_close_reason_name(ev->verdict));
	printf("\n");
}

static int gen_keys(const char *path)
{
	struct sdrp_keys k;
	ssize_t n;
	int fd;

	if (sdrp_init())
		die("libsodium / AES-256-GCM unavailable");
	memset(&k, 0, sizeof(k));
	k.c2s_seq = sdrp_random_seq();
	k.s2c_seq = sdrp_random_seq();
	randombytes_buf(&k.c2s, sizeof(k.c2s));
	randombytes_buf(&k.s2c, sizeof(k.s2c));
	randombytes_buf(k.chain_key, sizeof(k.chain_key));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	fchmod(fd, 0600);
	n = write(fd, &k, sizeof(k));
	sdrp_wipe(&k, sizeof(k));
	if (n != (ssize_t)sizeof(k) || close(fd))
		die("%s: write failed", path);
	return 0;
}

static void load_keys(const char *path, struct sdrp_keys *k)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	n = read(fd, k, sizeof(*k));
	if (n != (ssize_t)sizeof(*k) || read(fd, &n, 1) != 0)
		die("%s: not a struct sdrp_keys (%zu bytes)", path, sizeof(*k));
	close(fd);
}

/* Credentials for the handshake; everything is freed by free_hs(). */
struct hs_creds {
	struct sdrp_privkey *key;
	struct sdrp_cert *cert, *ca;
	uint8_t s0[SDRP_S0_LEN];
	const char *ids[1];
	struct sdrp_psk psk;
	struct sdrp_hs_config cfg;
};

static void load_hs(const struct opts *o, struct hs_creds *h)
{
	int rc;

	memset(h, 0, sizeof(*h));
	if (!o->ca || !o->cert || !o->key || !o->s0 || !o->peer_id)
		die("the handshake needs --ca, --cert, --key, --s0 and --peer");
	rc = sdrp_privkey_load(o->key, &h->key);
	if (rc)
		die("%s: %s", o->key, strerror(-rc));
	rc = sdrp_cert_load(o->cert, &h->cert, NULL);
	if (!rc)
		rc = sdrp_cert_load(o->ca, &h->ca, NULL);
	if (rc)
		die("certificates: %s", strerror(-rc));
	rc = sdrp_s0_load(o->s0, h->s0);
	if (rc)
		die("%s: %s", o->s0, strerror(-rc));
	h->cfg.role = o->role;
	h->cfg.key = h->key;
	h->cfg.cert = h->cert;
	h->cfg.ca = h->ca;
	if (o->role == SDRP_ROLE_CLIENT) {
		h->cfg.s0 = h->s0;
		h->cfg.server_identity = o->peer_id;
	} else {
		h->ids[0] = o->peer_id;
		memcpy(h->psk.s0, h->s0, sizeof(h->s0));
		h->psk.identities = h->ids;
		h->psk.n_identities = 1;
		h->cfg.psks = &h->psk;
		h->cfg.n_psks = 1;
	}
}

static void free_hs(struct hs_creds *h)
{
	sdrp_privkey_free(h->key);
	sdrp_cert_free(h->cert);
	sdrp_cert_free(h->ca);
	sdrp_wipe(h->s0, sizeof(h->s0));
	sdrp_wipe(&h->psk, sizeof(h->psk));
}

static size_t size_of(const struct opts *o, unsigned long i)
{
	return o->sizes[i % o->n_sizes];
}

/* Run the client's exchanges; returns the number completed. */
static unsigned long run_client(const struct opts *o, struct sdrp_peer *p,
				uint8_t *buf, uint8_t *scratch, bool *all_ok,
				int *rc_out)
{
	unsigned long i;
	int rc = 1;

	for (i = 0; i < o->count; i++) {
		const uint8_t *resp;
		size_t len;
		bool ok = true;

		body_fill(buf, size_of(o, i), 2 * (uint64_t)i);
		rc = sdrp_peer_request(p, buf, size_of(o, i), &resp, &len);
		if (rc != 1)
			break;
		if (o->verify)
			ok = body_ok(resp, len, size_of(o, i),
				     2 * (uint64_t)i + 1, scratch);
		if (!ok)
			*all_ok = false;
		if (!o->quiet || !ok)
			printf("exchange %lu req=%zu resp=%zu %s\n", i,
			       size_of(o, i), len, ok ? "ok" : "mismatch");
	}
	*rc_out = rc;
	return i;
}

static unsigned long run_server(const struct opts *o, struct sdrp_peer *p,
				uint8_t *buf, uint8_t *scratch, bool *all_ok,
				int *rc_out)
{
	unsigned long i;
	int rc = 1;

	for (i = 0; !o->count || i < o->count; i++) {
		const uint8_t *req;
		size_t len;
		bool ok = true;

		rc = sdrp_peer_next_request(p, &req, &len);
		if (rc != 1)
			break;
		if (o->verify)
			ok = body_ok(req, len, size_of(o, i), 2 * (uint64_t)i,
				     scratch);
		if (!ok)
			*all_ok = false;
		body_fill(buf, size_of(o, i), 2 * (uint64_t)i + 1);
		rc = sdrp_peer_respond(p, buf, size_of(o, i));
		if (!o->quiet || !ok)
			printf("exchange %lu req=%zu resp=%zu %s\n", i, len,
			       size_of(o, i), ok ? "ok" : "mismatch");
		if (rc)
			break;
		rc = 1;
	}
	*rc_out = rc;
	return i;
}

/* ------------------------------------------------------------------ */
/* --kernel: the same session on a kernel sdrp socket                  */
/* ------------------------------------------------------------------ */

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

static void k_info(int fd, struct sdrp_info *info)
{
	socklen_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (getsockopt(fd, SOL_SDRP, SDRP_INFO, info, &len))
		fprintf(stderr, "sdrp-peer: SDRP_INFO: %s\n", strerror(errno));
}

/* "handshake failed errno=N (NAME)"; the errno as the kernel gave it */
static void print_hs_failure(int err)
{
	const char *name = strerrorname_np(err);

	printf("handshake failed errno=%d (%s) %s\n", err, name ? name : "?",
	       strerror(err));
}

/* Attach, parameters, then the handshake (or keys).  Returns 0 or errno. */
static int k_start(const struct opts *o, int fd, const struct sdrp_keys *keys)
{
	static const struct sdrp_params zero;
	struct sdrp_handshake hs = {
		.role = (uint8_t)o->role,
		.timeout_ms = (uint32_t)o->hs_timeout_ms,
	};
	char peer[SDRP_IDENTITY_MAX + 1];
	socklen_t len = sizeof(peer);

	if (setsockopt(fd, SOL_TCP, TCP_ULP, "sdrp", sizeof("sdrp")))
		die("TCP_ULP \"sdrp\": %s", strerror(errno));
	if (memcmp(&o->params, &zero, sizeof(zero)) &&
	    setsockopt(fd, SOL_SDRP, SDRP_PARAMS, &o->params, sizeof(o->params)))
		die("SDRP_PARAMS: %s", strerror(errno));
	if (keys) {
		struct sdrp_keys k = *keys;
		int rc;

		k.role = (uint8_t)o->role;
		rc = setsockopt(fd, SOL_SDRP, SDRP_KEYS, &k, sizeof(k));
		sdrp_wipe(&k, sizeof(k));
		if (rc)
			die("SDRP_KEYS: %s", strerror(errno));
		return 0;
	}
	if (o->peer_id)
		snprintf(hs.peer, sizeof(hs.peer), "%s", o->peer_id);
	if (setsockopt(fd, SOL_SDRP, SDRP_HANDSHAKE, &hs, sizeof(hs))) {
		int err = errno;

		print_hs_failure(err);
		return err;
	}
	if (getsockopt(fd, SOL_SDRP, SDRP_PEER_IDENTITY, peer, &len))
		die("SDRP_PEER_IDENTITY: %s", strerror(errno));
	printf("handshake ok peer=%s\n", peer);
	return 0;
}

/* One whole message into @buf (up to SDRP_MAX_DATA): its length, 0 at
 * end of file, -1 with errno. */
static ssize_t k_recv(int fd, uint8_t *buf, bool *eof)
{
	struct iovec iov = { .iov_base = buf, .iov_len = SDRP_MAX_DATA };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(fd, &msg, 0);

	*eof = n == 0 && !(msg.msg_flags & MSG_EOR);
	if (n >= 0 && !*eof && !(msg.msg_flags & MSG_EOR)) {
		errno = EMSGSIZE;	/* a message larger than the maximum */
		return -1;
	}
	return n;
}

static unsigned long k_run(const struct opts *o, int fd, uint8_t *buf,
			   uint8_t *scratch, bool *all_ok, bool *peer_closed)
{
	unsigned long i;
	bool eof = false;
	ssize_t n;

	for (i = 0; o->role == SDRP_ROLE_SERVER ? !o->count || i < o->count :
						i < o->count; i++) {
		uint64_t id_in = o->role == SDRP_ROLE_CLIENT ? 2 * i + 1 : 2 * i;
		size_t sz = size_of(o, i);
		bool ok = true;

		if (o->role == SDRP_ROLE_CLIENT) {
			body_fill(buf, sz, 2 * (uint64_t)i);
			if (send(fd, buf, sz, MSG_NOSIGNAL) != (ssize_t)sz)
				break;
		}
		n = k_recv(fd, buf, &eof);
		if (n < 0 || eof)
			break;
		if (o->verify)
			ok = body_ok(buf, (size_t)n, sz, id_in, scratch);
		if (!ok)
			*all_ok = false;
		if (o->role == SDRP_ROLE_SERVER) {
			body_fill(buf, sz, 2 * (uint64_t)i + 1);
			if (send(fd, buf, sz, MSG_NOSIGNAL) != (ssize_t)sz)
				break;
		}
		if (!o->quiet || !ok)
			printf("exchange %lu req=%zu resp=%zu %s\n", i,
			       o->role == SDRP_ROLE_CLIENT ? sz : (size_t)n,
			       o->role == SDRP_ROLE_CLIENT ? (size_t)n : sz,
			       ok ? "ok" : "mismatch");
	}
	/* the end of file that ends a server answering until the client
	 * closes: the client's CLOSE arrived */
	*peer_closed = eof;
	return i;
}

/* The CLOSE exchange: CLOSED (POLLHUP) after the CLOSE ACK or the close
 * timer's last try. */
static void k_close(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct sdrp_info info;
	int i;

	if (shutdown(fd, SHUT_RDWR))
		return;
	for (i = 0; i < 6000; i++) {
		k_info(fd, &info);
		if (info.state == SDRP_STATE_CLOSED)
			return;
		poll(&pfd, 1, 50);
	}
}

static int run_kernel(const struct opts *o, const struct sdrp_keys *keys,
		      uint8_t *buf, uint8_t *scratch)
{
	bool all_ok = true, peer_closed = false, success;
	struct sdrp_info info;
	unsigned long done = 0;
	int fd = open_connection(o), hs_err;
	const char *name;

	hs_err = k_start(o, fd, keys);
	if (!hs_err) {
		done = k_run(o, fd, buf, scratch, &all_ok, &peer_closed);
		if (!peer_closed)
			k_close(fd);
	}
	k_info(fd, &info);
	printf("result reason=%s errno=%d (%s) exchanges=%lu rekeys=%llu "
	       "epoch=%u resends=%llu\n",
	       sdrp_close_reason_name(info.close_reason), info.close_errno,
	       strerror(info.close_errno), done,
	       (unsigned long long)info.rekeys, info.epoch,
	       (unsigned long long)info.resends);
	close(fd);

	name = hs_err ? strerrorname_np(hs_err) : NULL;
	if (o->expect_errno)
		success = name && !strcmp(name, o->expect_errno);
	else if (o->expect)
		success = !hs_err && !strcmp(o->expect,
				sdrp_close_reason_name(info.close_reason));
	else
		success = !hs_err && all_ok &&
			  (o->role == SDRP_ROLE_CLIENT || o->count ?
			   done == o->count &&
			   info.close_reason == SDRP_CLOSE_LOCAL :
			   info.close_reason == SDRP_CLOSE_PEER);
	return success ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "connect", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "keys", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'A' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' },
		{ "s0", required_argument, NULL, 'S' },
		{ "peer", required_argument, NULL, 'P' },
		{ "count", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "sizes", required_argument, NULL, 's' },
		{ "verify", no_argument, NULL, 'v' },
		{ "fault", required_argument, NULL, 'f' },
		{ "fault-count", required_argument, NULL, 'F' },
		{ "params", required_argument, NULL, 'p' },
		{ "expect", required_argument, NULL, 'e' },
		{ "no-close", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "save-hello", required_argument, NULL, 'H' },
		{ "kernel", no_argument, NULL, 'X' },
		{ "hs-timeout", required_argument, NULL, 'T' },
		{ "expect-errno", required_argument, NULL, 'E' },
		{ "gen-keys", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .count = 10, .sizes = { 64 }, .n_sizes = 1 };
	bool count_given = false, all_ok = true, success;
	struct sdrp_keys keys;
	struct hs_creds hs = { 0 };
	struct sdrp_peer *p;
	struct sdrp_info info;
	enum sdrp_close_reason reason;
	uint8_t *buf, *scratch;
	unsigned long done;
	int c, fd, rc, app_rc = 0, close_rc = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!strcmp(optarg, "client"))
				o.role = SDRP_ROLE_CLIENT;
			else if (!strcmp(optarg, "server"))
				o.role = SDRP_ROLE_SERVER;
			else
				die("bad role: %s", optarg);
			break;
		case 'c': o.connect_to = optarg; break;
		case 'l': o.listen_on = optarg; break;
		case 'k': o.keys_file = optarg; break;
		case 'A': o.ca = optarg; break;
		case 'C': o.cert = optarg; break;
		case 'K': o.key = optarg; break;
		case 'S': o.s0 = optarg; break;
		case 'P': o.peer_id = optarg; break;
		case 'n':
			o.count = parse_ul(optarg, "count");
			count_given = true;
			break;
		case 's': parse_sizes(&o, optarg); break;
		case 'v': o.verify = true; break;
		case 'f': parse_fault(&o.fault, optarg); break;
		case 'F': o.fault.count = (uint32_t)parse_ul(optarg, "fault count"); break;
		case 'p': parse_params(&o.params, optarg); break;
		case 'e':
			o.expect = optarg;
			break;
		case 'N': o.no_close = true; break;
		case 'q': o.quiet = true; break;
		case 'H': o.save_hello = optarg; break;
		case 'X': o.kernel = true; break;
		case 'T': o.hs_timeout_ms = parse_ul(optarg, "hs-timeout"); break;
		case 'E': o.expect_errno = optarg; break;
		case 'g': return gen_keys(optarg);
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !o.role || !o.connect_to == !o.listen_on) {
		usage(stderr);
		return 2;
	}
	if (o.expect) {
		bool known = false;

		for (int r = 0; r <= SDRP_CLOSE_REASON_MAX; r++)
			known |= !strcmp(o.expect, sdrp_close_reason_name(r));
		if (!known)
			die("unknown close reason: %s", o.expect);
	}
	if (o.role == SDRP_ROLE_SERVER && !count_given)
		o.count = 0;
	if (o.kernel && (o.fault.kind || o.save_hello))
		die("--fault and --save-hello need the libsdrp peer, not --kernel");
	if (o.kernel && !o.keys_file && !o.peer_id && o.role == SDRP_ROLE_CLIENT)
		die("--kernel client: --peer (server identity) or --keys");
	if (sdrp_init())
		die("libsodium / AES-256-GCM unavailable");
	buf = malloc(SDRP_MAX_DATA);
	scratch = malloc(SDRP_MAX_DATA);
	if (!buf || !scratch)
		die("out of memory");

	if (o.keys_file)
		load_keys(o.keys_file, &keys);
	if (o.kernel) {
		rc = run_kernel(&o, o.keys_file ? &keys : NULL, buf, scratch);
		sdrp_wipe(&keys, sizeof(keys));
		free(buf);
		free(scratch);
		return rc;
	}
	if (!o.keys_file)
		load_hs(&o, &hs);
	fd = open_connection(&o);
	rc = sdrp_peer_new(fd, o.role, &o.params, &p);
	if (rc)
		die("sdrp_peer_new: %s", strerror(-rc));
	sdrp_peer_set_observer(p, observer, &o);
	if (o.fault.kind)
		sdrp_peer_set_fault(p, &o.fault);
	if (o.keys_file) {
		keys.role = (uint8_t)o.role;
		rc = sdrp_peer_start_keys(p, &keys);
		sdrp_wipe(&keys, sizeof(keys));
		if (rc)
			die("keys refused: %s", strerror(-rc));
	} else {
		rc = sdrp_peer_start_handshake(p, &hs.cfg);
		free_hs(&hs);
		if (rc)
			print_hs_failure(-rc);
		else
			printf("handshake ok peer=%s\n", o.peer_id);
	}
	done = 0;
	if (!rc) {
		if (o.role == SDRP_ROLE_CLIENT)
			done = run_client(&o, p, buf, scratch, &all_ok, &app_rc);
		else
			done = run_server(&o, p, buf, scratch, &all_ok, &app_rc);
		if (app_rc == 1 && !o.no_close)
			close_rc = sdrp_peer_close(p);
		else if (app_rc == 1)
			app_rc = sdrp_peer_process(p, -1);
	}
	reason = sdrp_peer_close_reason(p);
	sdrp_peer_get_info(p, &info);
	printf("result reason=%s errno=%d (%s) exchanges=%lu rekeys=%llu "
	       "epoch=%u resends=%llu\n", sdrp_close_reason_name(reason),
	       sdrp_peer_errno(p), strerror(sdrp_peer_errno(p)), done,
	       (unsigned long long)info.rekeys, info.epoch,
	       (unsigned long long)info.resends);
	sdrp_peer_free(p);
	/*
	 * Let the other end read everything before our FIN.  A misbehaving
	 * peer (--fault) sends no FIN at all but waits for the other end to
	 * hang up: an end of file would cut short the other end's timers
	 * (its CLOSE retries, CLOSED WITHOUT ACK) that a test looks for.
	 */
	if (!o.fault.kind)
		shutdown(fd, SHUT_WR);
	while (read(fd, buf, SDRP_MAX_DATA) > 0)
		;
	close(fd);
	free(buf);
	free(scratch);

	if (o.expect_errno) {
		const char *name = rc < 0 ? strerrorname_np(-rc) : NULL;

		success = name && !strcmp(name, o.expect_errno);
	} else if (o.expect) {
		success = !strcmp(o.expect, sdrp_close_reason_name(reason));
	} else if (o.role == SDRP_ROLE_CLIENT) {
		success = !rc && all_ok && done == o.count &&
			  (o.no_close ? reason == SDRP_CLOSE_PEER :
			   !close_rc && reason == SDRP_CLOSE_LOCAL);
	} else {
		success = !rc && all_ok && (o.count ? done == o.count &&
			  !close_rc && reason == SDRP_CLOSE_LOCAL :
			  reason == SDRP_CLOSE_PEER);
	}
	return success ? 0 : 1;
}
