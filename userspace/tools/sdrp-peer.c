// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * sdrp-peer: a command-line sdrp endpoint on libsdrp's userspace peer, for
 * tests (including against the kernel module inside the VM).
 *
 *   sdrp-peer --role client --connect ADDR:PORT ...
 *   sdrp-peer --role server --listen ADDR:PORT ...
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
"                 [--save-hello FILE]\n"
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
	if (sdrp_init())
		die("libsodium / AES-256-GCM unavailable");
	buf = malloc(SDRP_MAX_DATA);
	scratch = malloc(SDRP_MAX_DATA);
	if (!buf || !scratch)
		die("out of memory");

	if (o.keys_file)
		load_keys(o.keys_file, &keys);
	else
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

	if (o.expect) {
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
