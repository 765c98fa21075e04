/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * sdrpd: the sdrp handshake daemon.  It answers the kernel's handshake
 * upcalls (generic netlink family "sdrp", Documentation/netlink/specs/
 * sdrp.yaml) with the long-term secrets it alone holds: the RSA private
 * key, the CA certificate and each peer's s0.
 *
 *   main.c       options, init chain, teardown
 *   instance.c   one daemon per network namespace
 *   log.c        stderr or syslog
 *   config.c     the INI configuration and the credentials it names
 *   handshake.c  one turn of a request: CPU only, thread safe, no I/O
 *   replay.c     cache of recently accepted client HELLOs
 *   workers.c    thread pool running turns off the netlink loop
 *   nlmsg.c      building and parsing the family's messages (libnl)
 *   netlink.c    the poll loop: netlink sockets, signalfd, workers
 */
#ifndef _SDRPD_H
#define _SDRPD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>
#include <sys/socket.h>
#include <sdrp/sdrp.h>

#define SDRPD_DEFAULT_CONFIG	"/etc/sdrp/sdrpd.conf"
#define SDRPD_DEFAULT_WORKERS	2
#define SDRPD_MAX_WORKERS	64
#define SDRPD_DEFAULT_REPLAY_MAX 65536

/* ------------------------------------------------------------------ */
/* log.c                                                               */
/* ------------------------------------------------------------------ */

void sdrpd_log_init(bool use_syslog, bool debug);
void sdrpd_log_close(void);
void sdrpd_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ */
/* instance.c                                                          */
/* ------------------------------------------------------------------ */

/*
 * Claim this network namespace: the bound socket's descriptor, held
 * until exit; -EADDRINUSE if another sdrpd runs in it (logged).
 */
int sdrpd_instance_lock(void);

/* ------------------------------------------------------------------ */
/* config.c                                                            */
/* ------------------------------------------------------------------ */

/* A [peer NAME] section: one s0 and the identities that may use it. */
struct sdrpd_peer {
	char *name;
	char *s0_file;
	uint8_t s0[SDRP_S0_LEN];
	char **identities;
	size_t n_identities;
};

/*
 * A loaded configuration.  Immutable once loaded and shared by reference:
 * a reload builds a new one and swaps it in, so a handshake keeps the
 * configuration (and the credentials) it started with.
 */
struct sdrpd_config {
	int refs;			/* atomic */
	char *path;
	char *identity;
	char *key_file;
	char *cert_file;
	char *ca_file;
	uint32_t rekey_interval;	/* 0: the socket's */
	unsigned int workers;
	size_t replay_max;
	struct sdrpd_peer *peers;
	size_t n_peers;
	/* loaded credentials */
	struct sdrp_privkey *key;
	struct sdrp_cert *cert;
	struct sdrp_cert *ca;
	struct sdrp_psk *psks;		/* one per peer, for a server */
};

/*
 * Parse configuration text only (no file is opened).  On failure *errmsg
 * (malloc'd) says which line and why.
 */
int sdrpd_config_parse(const char *text, size_t len, const char *path,
		       struct sdrpd_config **out, char **errmsg);

/*
 * Read, parse and load everything the file names: private key and s0
 * files must not be readable by group or others (-EACCES), the key must
 * match the certificate, the certificate must verify under the CA.
 */
int sdrpd_config_load(const char *path, struct sdrpd_config **out,
		      char **errmsg);

/*
 * SIGHUP: load @path and swap it into *@current only if it loaded
 * completely; otherwise log why and keep the old one.  Return: 0 or the
 * load error.
 */
int sdrpd_config_reload(struct sdrpd_config **current, const char *path);

struct sdrpd_config *sdrpd_config_get(struct sdrpd_config *c);
void sdrpd_config_put(struct sdrpd_config *c);

/* The peer section listing @identity, or NULL. */
const struct sdrpd_peer *sdrpd_config_peer(const struct sdrpd_config *c,
					   const char *identity);

/* ------------------------------------------------------------------ */
/* The messages of the family, as C structures (nlmsg.c)               */
/* ------------------------------------------------------------------ */

/* An accepted turn (SDRP_CMD_ACCEPT reply). */
struct sdrpd_request {
	uint32_t handle;
	uint32_t turn;			/* enum sdrp_turn */
	uint32_t role;			/* enum sdrp_role */
	bool has_peer_identity;
	char peer_identity[SDRP_IDENTITY_MAX + 1];
	struct sockaddr_storage local;	/* family 0 if the kernel sent none */
	struct sockaddr_storage remote;
	uint32_t timeout_ms;
	uint32_t rekey_interval;
	uint32_t ttl_ms;
	uint32_t clock_skew_ms;
	uint8_t *record;		/* malloc'd, NULL if absent */
	size_t record_len;
	uint64_t received_ms;		/* sdrp_now_ms() at accept */
};

/* What the daemon answers: SDRP_CMD_SEND or SDRP_CMD_DONE. */
struct sdrpd_answer {
	uint8_t cmd;			/* SDRP_CMD_SEND / SDRP_CMD_DONE */
	uint32_t handle;
	uint32_t status;		/* DONE: 0 or positive errno */
	uint32_t close_reason;		/* DONE failure, 0: absent */
	uint32_t error;			/* DONE failure: enum sdrp_hs_error */
	/* DONE success: secrets, wiped by sdrpd_answer_clear() */
	bool has_keys;
	struct sdrp_keys keys;
	/* SEND, DONE success, or DONE failure with a CLOSE: the close
	 * exchange needs them (secrets too) */
	bool has_hello_keys;
	uint8_t hello_mac_c2s[SDRP_MAC_KEY_LEN];
	uint8_t hello_mac_s2c[SDRP_MAC_KEY_LEN];
	char peer_identity[SDRP_IDENTITY_MAX + 1];
	uint32_t rekey_interval;
	/* SEND: the HELLO; DONE: HELLO ACK or clear CLOSE; 0 length: none */
	uint8_t record[SDRP_HDR_LEN + SDRP_SEQ_LEN + SDRP_TTL_LEN +
		       SDRP_MAX_HELLO_DATA + SDRP_MAC_LEN];
	size_t record_len;
	/* for the log line, not sent */
	const char *reason;		/* sdrp_err_name() or a static text */
};

void sdrpd_request_free(struct sdrpd_request *r);
void sdrpd_answer_clear(struct sdrpd_answer *a);

struct nl_msg;

/*
 * Parse an SDRP_CMD_ACCEPT reply.  Return: 0; -EPROTO if a required
 * attribute is missing or malformed; -ENOMEM.
 */
int sdrpd_nl_parse_accept(struct nl_msg *msg, struct sdrpd_request *r);
/* Append the attributes of an answer to a message (header already put). */
int sdrpd_nl_put_answer(struct nl_msg *msg, const struct sdrpd_answer *a);

/* ------------------------------------------------------------------ */
/* replay.c                                                            */
/* ------------------------------------------------------------------ */

struct sdrpd_replay;

int sdrpd_replay_new(struct sdrpd_replay **out, size_t max_entries);
void sdrpd_replay_free(struct sdrpd_replay *rc);
/*
 * Claim a HELLO by its HMAC tag until @expires_ms.  Return: 0 if new;
 * -EALREADY if seen and not expired; -ENOSPC if full of live entries.
 */
int sdrpd_replay_claim(struct sdrpd_replay *rc,
		       const uint8_t tag[SDRP_MAC_LEN], uint64_t expires_ms,
		       uint64_t now_ms);
/* Drop a claim (the HELLO failed its checks: let a genuine copy pass). */
void sdrpd_replay_release(struct sdrpd_replay *rc,
			  const uint8_t tag[SDRP_MAC_LEN]);
size_t sdrpd_replay_count(struct sdrpd_replay *rc);

/* ------------------------------------------------------------------ */
/* handshake.c                                                         */
/* ------------------------------------------------------------------ */

/*
 * The handshake engine: client handshakes waiting for their HELLO ACK
 * (keyed by handle) and the replay cache.  All functions are thread safe.
 */
struct sdrpd_engine;

int sdrpd_engine_new(struct sdrpd_engine **out, size_t replay_max);
void sdrpd_engine_free(struct sdrpd_engine *e);

/*
 * Run one turn: @req with @cfg gives @ans (SEND or DONE).  Never fails:
 * every problem becomes a DONE with a status, and is logged with the peer
 * and the reason.  @now_ms is the clock of ttl checks.
 */
void sdrpd_hs_turn(struct sdrpd_engine *e, struct sdrpd_config *cfg,
		   const struct sdrpd_request *req, uint64_t now_ms,
		   struct sdrpd_answer *ans);

/*
 * Forget a client handshake (the kernel refused our SEND, or it was
 * failed).  Return: true if it was known.
 */
bool sdrpd_hs_forget(struct sdrpd_engine *e, uint32_t handle);

/*
 * Take every waiting client handshake out of the engine, for a clean
 * exit: @cb is called with each handle.  Return: how many.
 */
size_t sdrpd_hs_drain(struct sdrpd_engine *e,
		      void (*cb)(uint32_t handle, void *arg), void *arg);

/* Positive errno for a library refusal reason (or return code). */
uint32_t sdrpd_status_of(int rc, enum sdrp_err err);
/* enum sdrp_hs_error for a library refusal reason. */
uint32_t sdrpd_hs_error_of(enum sdrp_err err);

/* ------------------------------------------------------------------ */
/* workers.c                                                           */
/* ------------------------------------------------------------------ */

struct sdrpd_workers;

/*
 * Start @n threads running turns.  Finished answers are queued and
 * @notify_fd (an eventfd) is written so that the poll loop collects them
 * with sdrpd_workers_collect().
 */
int sdrpd_workers_start(struct sdrpd_workers **out, unsigned int n,
			struct sdrpd_engine *e, int notify_fd);
/* Queue a request (ownership passes) to run with @cfg (a ref is taken). */
int sdrpd_workers_submit(struct sdrpd_workers *w, struct sdrpd_request *req,
			 struct sdrpd_config *cfg);
/* Take one finished answer (malloc'd), NULL if none. */
struct sdrpd_answer *sdrpd_workers_collect(struct sdrpd_workers *w);
/* Requests queued or running. */
size_t sdrpd_workers_busy(struct sdrpd_workers *w);
/*
 * Stop the threads.  Requests not yet started are answered (collectable
 * afterwards) with DONE @status instead of being run.
 */
void sdrpd_workers_stop(struct sdrpd_workers *w, uint32_t status);
void sdrpd_workers_free(struct sdrpd_workers *w);

/* ------------------------------------------------------------------ */
/* netlink.c                                                           */
/* ------------------------------------------------------------------ */

struct sdrpd_ctx {
	const char *config_path;
	struct sdrpd_config *config;	/* current; swapped on SIGHUP */
	struct sdrpd_engine *engine;
	struct sdrpd_workers *workers;
};

int sdrpd_netlink_run(struct sdrpd_ctx *ctx);

#endif /* _SDRPD_H */
