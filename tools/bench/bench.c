// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * sdrp-bench: what sdrp costs next to plain TCP and kTLS, measured in one
 * run of one machine (the test VM).  See tools/bench/README.rst.
 *
 *   sdrp-bench [--reps N] [--window S] [--bulk-window S] [--alg-window S]
 *              [--mem-sessions N] [--mem-reps N] [--hs N] [--hs-parallel N]
 *              [--only rr,bulk,crypto,mem,hs] [--transports NAME,...]
 *              [--sizes 64,1024,...] [--sessions 1,16]
 *              [--handshakes NAME,...] [HOSTS]
 *       every measurement, raw: one line per repetition between
 *       SDRP-BENCH-BEGIN and SDRP-BENCH-END, for report.py
 *   sdrp-bench --smoke [HOSTS]
 *       a few hundred milliseconds per transport, TAP: proves the tool
 *       and each transport work (make check)
 *   sdrp-bench --write-keys DIR
 *       the compiled-in RSA-3072 credentials as files, for sdrpd
 *
 * HOSTS: --hs-netns CLIENT_NS,SERVER_NS --hs-addr SERVER_IPV4
 *        --hs-ids CLIENT_ID,SERVER_ID: the handshakes run between two
 *        network namespaces with an sdrpd each (hs.c)
 *
 * A transport that cannot run (module missing, kernel feature not there
 * yet, an error mid-run) is reported as "unavailable" with the reason and
 * left out from then on; no figure is ever made up for it.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <sdrp/sdrp.h>

#include "bench.h"

#define KIB	1024u
#define MIB	(1024u * 1024u)

static const size_t rr_sizes[] = { 64, KIB, 16 * KIB, 64 * KIB };
static const unsigned int rr_sessions[] = { 1, 16 };
#define BULK_SIZE	MIB
/* sdrp's largest interval, the "no rekey in the window" case */
#define REKEY_LARGE	1000000

static struct bench_transport transports[] = {
	{ "tcp", BENCH_TCP, 0 },
	{ "ktls", BENCH_KTLS, 0 },
	{ "sdrp-kernel-r10", BENCH_SDRP_KERNEL, 10 },
	{ "sdrp-kernel-rmax", BENCH_SDRP_KERNEL, REKEY_LARGE },
	{ "sdrp-peer-r10", BENCH_SDRP_PEER, 10 },
	{ "sdrp-peer-rmax", BENCH_SDRP_PEER, REKEY_LARGE },
};
#define N_TRANSPORTS	(sizeof(transports) / sizeof(transports[0]))

struct options {
	unsigned int reps;
	double window, bulk_window, alg_window;
	unsigned int mem_sessions, mem_reps;
	unsigned int hs_per_rep;
	const char *only;		/* sections */
	const char *transports;		/* transport names */
	const char *sizes, *sessions;	/* request-rate points */
	const char *handshakes;		/* handshake kind names */
	unsigned int hs_parallel;	/* workers of the parallel rate */
	char *hs_netns, *hs_ids;	/* "A,B", split by hs_hosts() */
	struct bench_hs_hosts hosts;
	const char *write_keys;
	bool smoke;
};

bool bench_pin_single = true;

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void bench_fill_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("sdrp-bench: getrandom");
			exit(1);
		}
		p += n;
		len -= (size_t)n;
	}
}

void bench_set_error(struct bench_error *e, int err, const char *fmt, ...)
{
	va_list ap;

	e->err = err ? err : EIO;
	e->unsupported = false;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
}

/* Whether a comma-separated list names `name`; no list names everything. */
static bool listed(const char *list, const char *name)
{
	const char *p = list;
	size_t len = strlen(name);

	if (!list)
		return true;
	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') &&
		    (p[len] == ',' || p[len] == '\0'))
			return true;
		p += len;
	}
	return false;
}

static bool section(const struct options *o, const char *name)
{
	return listed(o->only, name);
}

static bool transport_wanted(const struct options *o, unsigned int ti)
{
	return listed(o->transports, transports[ti].name);
}

static bool rr_point_wanted(const struct options *o, size_t size,
			    unsigned int sessions)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%zu", size);
	if (!listed(o->sizes, buf))
		return false;
	snprintf(buf, sizeof(buf), "%u", sessions);
	return listed(o->sessions, buf);
}

/* ---- full run: raw lines for report.py --------------------------------- */

enum section_id { SEC_BULK, SEC_MEM, SEC_COUNT };

/*
 * The first failure of a transport in a section, which leaves it out of
 * that section from then on (a failure with 16 sessions says nothing of
 * the memory an idle session takes).
 */
static struct bench_error dead[SEC_COUNT][N_TRANSPORTS];
/* request rate: a failure with 16 sessions leaves 1 session measurable */
static struct bench_error rr_dead[N_TRANSPORTS][2];

static void mark_dead(struct bench_error *slot, unsigned int ti,
		      const char *what, const struct bench_error *e)
{
	*slot = *e;
	printf("unavailable %s %s %s%s\n", transports[ti].name, what,
	       e->unsupported ? "not supported by this kernel: " : "",
	       e->reason);
	fflush(stdout);
}

static void full_rr(const struct options *o, unsigned int rep)
{
	struct bench_rr_result r;
	struct bench_error e;
	unsigned int si, ci, ti;
	char what[64];

	for (si = 0; si < sizeof(rr_sizes) / sizeof(rr_sizes[0]); si++)
		for (ci = 0; ci < 2; ci++)
			for (ti = 0; ti < N_TRANSPORTS; ti++) {
				if (rr_dead[ti][ci].err ||
				    !transport_wanted(o, ti) ||
				    !rr_point_wanted(o, rr_sizes[si],
						     rr_sessions[ci]))
					continue;
				if (bench_rr_run(&transports[ti], rr_sizes[si],
						 rr_sessions[ci], o->window,
						 false, &r, &e)) {
					snprintf(what, sizeof(what),
						 "rr/%zu/%u", rr_sizes[si],
						 rr_sessions[ci]);
					mark_dead(&rr_dead[ti][ci], ti, what,
						  &e);
					continue;
				}
				printf("rr %s %zu %u %u %.2f\n",
				       transports[ti].name, rr_sizes[si],
				       rr_sessions[ci], rep, r.rate);
				fflush(stdout);
			}
}

static void full_bulk(const struct options *o, unsigned int rep)
{
	struct bench_rr_result r;
	struct bench_error e;
	unsigned int ti;

	for (ti = 0; ti < N_TRANSPORTS; ti++) {
		if (dead[SEC_BULK][ti].err || !transport_wanted(o, ti))
			continue;
		if (bench_rr_run(&transports[ti], BULK_SIZE, 1, o->bulk_window,
				 false, &r, &e)) {
			mark_dead(&dead[SEC_BULK][ti], ti, "bulk", &e);
			continue;
		}
		printf("bulk %s %u %u %.0f\n", transports[ti].name, BULK_SIZE,
		       rep, r.bytes_per_s);
		fflush(stdout);
	}
}

static bool alg_dead[2];

static void full_crypto(const struct options *o, unsigned int rep)
{
	static const size_t sizes[] = { 64, KIB, 16 * KIB, 64 * KIB, MIB };
	struct bench_error e;
	char driver[128];
	unsigned int si, ai;
	double bps;
	int err;

	for (ai = 0; ai < 2; ai++)
		for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
			if (alg_dead[ai])
				continue;
			err = ai ? bench_alg_hmac(sizes[si], o->alg_window, &bps,
						  driver, sizeof(driver), &e) :
				   bench_alg_gcm(sizes[si], o->alg_window, &bps,
						 driver, sizeof(driver), &e);
			if (err) {
				alg_dead[ai] = true;
				printf("unavailable %s crypto %s\n",
				       ai ? "hmac(sha512)" : "gcm(aes)",
				       e.reason);
				continue;
			}
			printf("crypto %s %s %zu %u %.0f\n",
			       ai ? "hmac(sha512)" : "gcm(aes)", driver,
			       sizes[si], rep, bps);
			fflush(stdout);
		}
}

static void full_mem(const struct options *o, unsigned int rep)
{
	struct bench_error e;
	unsigned int ti;
	double bytes;

	/* 1000 sdrp sessions take a minute to set up under TCG */
	if (rep >= o->mem_reps)
		return;
	for (ti = 0; ti < N_TRANSPORTS; ti++) {
		/* one sdrp row: the rekey interval changes no idle state */
		if (dead[SEC_MEM][ti].err || !transport_wanted(o, ti) ||
		    transports[ti].kind == BENCH_SDRP_PEER ||
		    transports[ti].rekey_interval == REKEY_LARGE)
			continue;
		if (bench_mem_run(&transports[ti], o->mem_sessions, &bytes,
				  &e)) {
			mark_dead(&dead[SEC_MEM][ti], ti, "mem", &e);
			continue;
		}
		printf("mem %s %u %u %.0f\n", transports[ti].name,
		       o->mem_sessions, rep, bytes);
		fflush(stdout);
	}
}

static bool hs_dead[BENCH_HS_KINDS];
/* computation-alone measurements per repetition and kind */
#define HS_CPU_PER_REP	3

/*
 * Per repetition and kind: hs_per_rep handshakes one after the other (the
 * latency of each, and the sequential rate), then hs_parallel workers
 * doing hs_per_rep / 2 each at once (the rate with several in flight).
 */
static void full_hs(const struct options *o, unsigned int rep)
{
	unsigned int k, i, per_worker = o->hs_per_rep / 2 ?: 1;
	double lat[o->hs_per_rep], rate, cpu;
	struct bench_error e;

	for (k = 0; k < BENCH_HS_KINDS; k++) {
		if (hs_dead[k] || !listed(o->handshakes, bench_hs_name(k)))
			continue;
		if (bench_hs_run(k, 1, o->hs_per_rep, &rate, lat, &e)) {
			hs_dead[k] = true;
			printf("unavailable %s hs %s%s\n", bench_hs_name(k),
			       e.unsupported ? "not set up: " : "", e.reason);
			continue;
		}
		/* a few: noise from elsewhere only ever adds time */
		for (i = 0; i < HS_CPU_PER_REP; i++) {
			if (bench_hs_cpu(k, &cpu, &e)) {
				printf("warning %s: its computation alone: %s\n",
				       bench_hs_name(k), e.reason);
				break;
			}
			printf("hs-cpu %s %u %.6f\n", bench_hs_name(k), rep,
			       cpu);
		}
		for (i = 0; i < o->hs_per_rep; i++)
			printf("hs-latency %s %u %.6f\n", bench_hs_name(k), rep,
			       lat[i]);
		printf("hs-rate %s 1 %u %.3f\n", bench_hs_name(k), rep, rate);
		fflush(stdout);
		if (o->hs_parallel < 2)
			continue;
		if (bench_hs_run(k, o->hs_parallel, per_worker, &rate, NULL,
				 &e)) {
			hs_dead[k] = true;
			printf("unavailable %s hs-rate %s\n", bench_hs_name(k),
			       e.reason);
			continue;
		}
		printf("hs-rate %s %u %u %.3f\n", bench_hs_name(k),
		       o->hs_parallel, rep, rate);
		fflush(stdout);
	}
}

static void print_meta(const struct options *o)
{
	struct utsname u;
	char line[256], model[200] = "?";
	FILE *f = fopen("/proc/cpuinfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "model name : %199[^\n]", model) == 1)
			break;
	if (f)
		fclose(f);
	uname(&u);
	printf("meta kernel %s\n", u.release);
	printf("meta cpus %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	printf("meta cpu %s\n", model);
	printf("meta mem_mib %ld\n",
	       (long)(sysconf(_SC_PHYS_PAGES) / 1024 * sysconf(_SC_PAGESIZE) /
		      1024));
	printf("meta reps %u\n", o->reps);
	printf("meta window_s %.3f\n", o->window);
	printf("meta bulk_window_s %.3f\n", o->bulk_window);
	printf("meta alg_window_s %.3f\n", o->alg_window);
	printf("meta mem_sessions %u\n", o->mem_sessions);
	printf("meta mem_reps %u\n", o->mem_reps < o->reps ? o->mem_reps :
					     o->reps);
	printf("meta req_len %u\n", BENCH_REQ_LEN);
	printf("meta rekey_large %u\n", REKEY_LARGE);
	printf("meta pin_single %d\n", bench_pin_single);
	printf("meta hs_per_rep %u\n", o->hs_per_rep);
	printf("meta hs_parallel %u\n", o->hs_parallel);
	printf("meta hs_hosts %s\n", o->hosts.client_netns ?
	       "two" : "loopback");
}

static int run_full(const struct options *o)
{
	struct bench_error e;
	bool hs_ok = false;
	unsigned int rep;
	double t0 = bench_now();

	if (section(o, "hs")) {
		hs_ok = !bench_hs_init(&o->hosts, &e);
		if (!hs_ok)
			fprintf(stderr, "sdrp-bench: handshake setup: %s\n",
				e.reason);
	}
	printf("SDRP-BENCH-BEGIN\n");
	print_meta(o);
	if (section(o, "hs") && !hs_ok)
		printf("unavailable all hs %s\n", e.reason);
	/* repetitions outermost: drift and noise spread over all transports */
	for (rep = 0; rep < o->reps; rep++) {
		static const struct {
			const char *name;
			void (*run)(const struct options *o, unsigned int rep);
		} sections[] = {
			{ "rr", full_rr }, { "bulk", full_bulk },
			{ "crypto", full_crypto }, { "mem", full_mem },
			{ "hs", full_hs },
		};
		unsigned int i;

		for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
			double ts = bench_now();

			if (!section(o, sections[i].name) ||
			    (!strcmp(sections[i].name, "hs") && !hs_ok))
				continue;
			sections[i].run(o, rep);
			printf("progress rep %u %s %.1f s\n", rep,
			       sections[i].name, bench_now() - ts);
			fflush(stdout);
		}
	}
	printf("meta duration_s %.1f\n", bench_now() - t0);
	printf("SDRP-BENCH-END\n");
	if (section(o, "hs"))
		bench_hs_exit();	/* also after a partial setup */
	return 0;
}

/* ---- smoke: TAP -------------------------------------------------------- */

static unsigned int tap_n, tap_failed;

static void tap(bool ok, const char *skip, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void tap(bool ok, const char *skip, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok || skip ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (skip)
		printf(" # SKIP %s", skip);
	printf("\n");
	fflush(stdout);
	if (!ok && !skip)
		tap_failed++;
}

/* A kernel without the feature is a skip; anything else a failure. */
static void tap_result(int err, const struct bench_error *e, const char *name,
		       const char *figure)
{
	if (!err)
		tap(true, NULL, "%s: %s", name, figure);
	else if (e->unsupported)
		tap(false, e->reason, "%s unavailable", name);
	else
		tap(false, NULL, "%s: %s", name, e->reason);
}

static int run_smoke(const struct options *o)
{
	static const unsigned int smoke_transports[] = { 0, 1, 2, 4 };
	struct bench_rr_result r = { 0 };
	struct bench_error e, hs_e;
	char figure[256], driver[128];
	unsigned int i;
	double v = 0, lat[2];
	int err, hs_err;

	printf("TAP version 13\n1..%zu\n",
	       sizeof(smoke_transports) / sizeof(smoke_transports[0]) + 2 +
	       2 + BENCH_HS_KINDS + 1);
	/* 2 sessions, 1 KiB responses checked byte by byte, 0.3 s */
	for (i = 0; i < sizeof(smoke_transports) / sizeof(smoke_transports[0]);
	     i++) {
		const struct bench_transport *t =
			&transports[smoke_transports[i]];

		err = bench_rr_run(t, KIB, 2, 0.3, true, &r, &e);
		if (!err && r.rate <= 0) {
			bench_set_error(&e, EIO, "no exchange completed");
			err = -EIO;
		}
		snprintf(figure, sizeof(figure),
			 "%.0f exchanges/s (1 KiB, 2 sessions)", r.rate);
		tap_result(err, &e, t->name, figure);
	}
	err = bench_alg_gcm(KIB, 0.1, &v, driver, sizeof(driver), &e);
	snprintf(figure, sizeof(figure), "%s %.1f MB/s at 1 KiB", driver,
		 v / 1e6);
	tap_result(err, &e, "AF_ALG gcm(aes)", figure);
	err = bench_alg_hmac(KIB, 0.1, &v, driver, sizeof(driver), &e);
	snprintf(figure, sizeof(figure), "%s %.1f MB/s at 1 KiB", driver,
		 v / 1e6);
	tap_result(err, &e, "AF_ALG hmac(sha512)", figure);
	for (i = 0; i < 2; i++) {
		err = bench_mem_run(&transports[i], 20, &v, &e);
		snprintf(figure, sizeof(figure),
			 "%.0f slab bytes per session (20 sessions)", v);
		tap_result(err, &e, i ? "memory ktls" : "memory tcp", figure);
	}
	/* one handshake of each kind, then two through sdrpd at once */
	hs_err = bench_hs_init(&o->hosts, &hs_e);
	for (i = 0; i <= BENCH_HS_KINDS; i++) {
		enum bench_hs_kind k = i < BENCH_HS_KINDS ? i :
				       BENCH_HS_SDRP_DAEMON;
		unsigned int n = i < BENCH_HS_KINDS ? 1 : 2;
		char name[64];

		snprintf(name, sizeof(name), "%s%s", bench_hs_name(k),
			 n > 1 ? ", 2 at once" : "");
		if (hs_err) {
			tap_result(hs_err, &hs_e, name, "");
			continue;
		}
		err = bench_hs_run(k, n, 1, &v, lat, &e);
		if (!err && (lat[0] <= 0 || (n > 1 && lat[1] <= 0))) {
			bench_set_error(&e, EIO, "a handshake took no time");
			err = -EIO;
		}
		if (n > 1)
			snprintf(figure, sizeof(figure),
				 "%.1f ms and %.1f ms, %.2f handshakes/s",
				 lat[0] * 1e3, lat[1] * 1e3, v);
		else
			snprintf(figure, sizeof(figure), "%.1f ms%s",
				 lat[0] * 1e3,
				 k == BENCH_HS_SDRP_DAEMON ?
				 ", identities verified by both sdrpd" : "");
		tap_result(err, &e, name, figure);
	}
	bench_hs_exit();
	printf("# sdrp-bench smoke: %u failed of %u\n", tap_failed, tap_n);
	return tap_failed ? 1 : 0;
}

/* "A,B" into *a and *b (in place); false if not two non-empty names. */
static bool split_pair(char *s, const char **a, const char **b)
{
	char *comma = s ? strchr(s, ',') : NULL;

	if (!comma || comma == s || !comma[1] || strchr(comma + 1, ','))
		return false;
	*comma = '\0';
	*a = s;
	*b = comma + 1;
	return true;
}

/* The HOSTS options: all three or none.  Nonzero if they do not fit. */
static int hs_hosts(struct options *o)
{
	if (!o->hs_netns && !o->hs_ids && !o->hosts.server_addr)
		return 0;
	if (!split_pair(o->hs_netns, &o->hosts.client_netns,
			&o->hosts.server_netns) ||
	    !split_pair(o->hs_ids, &o->hosts.client_id, &o->hosts.server_id) ||
	    !o->hosts.server_addr) {
		fprintf(stderr, "sdrp-bench: --hs-netns A,B --hs-addr ADDR --hs-ids A,B go together\n");
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sdrp-bench [--reps N] [--window S] [--bulk-window S]\n"
		"                  [--alg-window S] [--mem-sessions N] [--mem-reps N]\n"
		"                  [--hs N] [--hs-parallel N] [--no-pin]\n"
		"                  [--only rr,bulk,crypto,mem,hs]\n"
		"                  [--transports NAME,...] [--sizes 64,1024,...]\n"
		"                  [--sessions 1,16] [--handshakes NAME,...] [HOSTS]\n"
		"       sdrp-bench --smoke [HOSTS]\n"
		"       sdrp-bench --write-keys DIR\n"
		"HOSTS: --hs-netns CLIENT_NS,SERVER_NS --hs-addr SERVER_IPV4\n"
		"       --hs-ids CLIENT_ID,SERVER_ID\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "window", required_argument, NULL, 'w' },
		{ "bulk-window", required_argument, NULL, 'b' },
		{ "alg-window", required_argument, NULL, 'a' },
		{ "mem-sessions", required_argument, NULL, 'm' },
		{ "mem-reps", required_argument, NULL, 'M' },
		{ "hs", required_argument, NULL, 'H' },
		{ "only", required_argument, NULL, 'o' },
		{ "transports", required_argument, NULL, 't' },
		{ "sizes", required_argument, NULL, 'z' },
		{ "sessions", required_argument, NULL, 'n' },
		{ "smoke", no_argument, NULL, 's' },
		{ "no-pin", no_argument, NULL, 'P' },
		{ "hs-parallel", required_argument, NULL, 'p' },
		{ "handshakes", required_argument, NULL, 'k' },
		{ "hs-netns", required_argument, NULL, 'N' },
		{ "hs-addr", required_argument, NULL, 'A' },
		{ "hs-ids", required_argument, NULL, 'I' },
		{ "write-keys", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = {
		.reps = 5, .window = 0.8, .bulk_window = 2.0,
		.alg_window = 0.3, .mem_sessions = 1000, .mem_reps = 2,
		.hs_per_rep = 4, .hs_parallel = 4,
	};
	struct rlimit rl = { 65536, 65536 };
	int c;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'r': o.reps = (unsigned int)atoi(optarg); break;
		case 'w': o.window = atof(optarg); break;
		case 'b': o.bulk_window = atof(optarg); break;
		case 'a': o.alg_window = atof(optarg); break;
		case 'm': o.mem_sessions = (unsigned int)atoi(optarg); break;
		case 'M': o.mem_reps = (unsigned int)atoi(optarg); break;
		case 'H': o.hs_per_rep = (unsigned int)atoi(optarg); break;
		case 'o': o.only = optarg; break;
		case 't': o.transports = optarg; break;
		case 'z': o.sizes = optarg; break;
		case 'n': o.sessions = optarg; break;
		case 's': o.smoke = true; break;
		case 'P': bench_pin_single = false; break;
		case 'p': o.hs_parallel = (unsigned int)atoi(optarg); break;
		case 'k': o.handshakes = optarg; break;
		case 'N': o.hs_netns = optarg; break;
		case 'A': o.hosts.server_addr = optarg; break;
		case 'I': o.hs_ids = optarg; break;
		case 'W': o.write_keys = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || !o.reps || o.window <= 0 || o.bulk_window <= 0 ||
	    o.alg_window <= 0 || !o.mem_sessions || !o.mem_reps ||
	    !o.hs_per_rep || o.hs_parallel > 16 ||
	    isnan(o.window) || hs_hosts(&o))
		usage();
	/* 1000 sessions are 2000 sockets in this one process */
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max = 4 * o.mem_sessions + 64;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			perror("sdrp-bench: RLIMIT_NOFILE");
	}
	if (sdrp_init()) {
		fprintf(stderr, "sdrp-bench: sdrp_init failed\n");
		return 1;
	}
	if (o.write_keys) {
		struct bench_error e;

		if (bench_hs_write_keys(o.write_keys, &e)) {
			fprintf(stderr, "sdrp-bench: %s\n", e.reason);
			return 1;
		}
		return 0;
	}
	return o.smoke ? run_smoke(&o) : run_full(&o);
}
