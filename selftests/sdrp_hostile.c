// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile peer: libsdrp's userspace peer, keys set directly on both
 * ends (SDRP_KEYS), runs ordinary exchanges with the kernel socket and
 * turns one message of the session into a mutated record: a field changed
 * and the record sealed again (sequence number, ttl, type, nonce, data,
 * inner layout), or the sealed record changed on the wire (MAC, body,
 * version, type, flags, reserved byte, epoch, length, truncation, garbage,
 * duplication).  Session after session, for a bounded time, in both
 * kernel roles.
 *
 * After each session the kernel must have
 *   - closed with a reason the mutation explains (or carried on, for a
 *     mutation that leaves the record valid),
 *   - given the application the errno documented for that reason,
 *   - counted the close, and the rejected record, in /proc/net/sdrp_stat,
 *   - released the session (SdrpCurrSessions back to 0).
 * Oopses, KASAN reports and leaks are the VM runner's and check-debug's
 * to catch.
 *
 *   SEED=N            repeat a run (the seed is printed)
 *   SDRP_HOSTILE_SECONDS=N  budget per kernel role (default 10)
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sdrp_test.h"

#include <sdrp/peer.h>
#include <sdrp/wire.h>

/* xorshift64*: a seed and a session number give the same session again. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static unsigned int rnd_below(uint64_t *s, unsigned int n)
{
	return (unsigned int)(rnd(s) % n);
}

/* What a mutation does. */
enum op {
	/* fields changed, record sealed again */
	OP_SEQ,
	OP_TTL_STALE,
	OP_TTL_FUTURE,
	OP_TTL_INSIDE,		/* a ttl still inside the window: valid */
	OP_TYPE,
	OP_NONCE,		/* another non-zero nonce: valid, seq moves */
	OP_DATA,
	/* inner plaintext changed, sealed as it is */
	OP_INNER_EXTRA,		/* bytes after the fixed fields */
	OP_INNER_NONCE_ZERO,
	OP_INNER_SHORT,		/* shorter than the type's fixed fields */
	/* sealed record changed on the wire */
	OP_WIRE_MAC,
	OP_WIRE_BODY,
	OP_WIRE_VERSION,
	OP_WIRE_TYPE,
	OP_WIRE_FLAGS,
	OP_WIRE_RESERVED,
	OP_WIRE_EPOCH,
	OP_WIRE_LENGTH,
	OP_WIRE_TRUNCATE,
	OP_WIRE_GARBAGE,
	OP_WIRE_DUPLICATE,
	OP_NUM,
};

static const char *const op_names[OP_NUM] = {
	"seq", "ttl-stale", "ttl-future", "ttl-inside", "type", "nonce",
	"data", "inner-extra", "inner-nonce-zero", "inner-short", "wire-mac",
	"wire-body", "wire-version", "wire-type", "wire-flags",
	"wire-reserved", "wire-epoch", "wire-length", "wire-truncate",
	"wire-garbage", "wire-duplicate",
};

/* Outcomes, as a mask of close reasons; bit 0: the session carried on. */
#define R(reason)	(1u << (reason))
#define CARRY_ON	R(SDRP_CLOSE_NONE)
/* The mutation leaves the framing to chance: any reason about input. */
#define ANY_INPUT	(R(SDRP_CLOSE_BAD_MAC) | R(SDRP_CLOSE_BAD_SEQ) |   \
			 R(SDRP_CLOSE_STALE_TTL) | R(SDRP_CLOSE_FUTURE_TTL) | \
			 R(SDRP_CLOSE_OLD_EPOCH) | R(SDRP_CLOSE_BAD_TYPE) |  \
			 R(SDRP_CLOSE_MALFORMED) | R(SDRP_CLOSE_TIMEOUT) |  \
			 R(SDRP_CLOSE_TRANSPORT) | R(SDRP_CLOSE_PEER) |     \
			 R(SDRP_CLOSE_PEER_NO_ACK))

/* The mutator's state, shared with the peer's thread. */
struct mutation {
	uint64_t rng;
	enum op op;
	unsigned int target;	/* which flow message (1-based) */
	unsigned int seen;	/* flow messages sealed so far */
	bool active;		/* the message being sealed is the target */
	bool done;		/* the mutated record was written */
	uint8_t base_type;
	unsigned int expect;	/* mask of acceptable outcomes */
	uint8_t data[256];
};

static bool flow_type(unsigned int type)
{
	return type == SDRP_MSG_ACK || type == SDRP_MSG_DATA_REQUEST ||
	       type == SDRP_MSG_DATA_RESPONSE || type == SDRP_MSG_DATA_ACK ||
	       type == SDRP_MSG_HELLO || type == SDRP_MSG_HELLO_ACK;
}

static void fill_random(struct mutation *mu, uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)rnd(&mu->rng);
}

/* Outcome of a header the receiver's framing sees (wire ops). */
static unsigned int header_outcome(const struct sdrp_hdr *h, uint32_t epoch)
{
	if (sdrp_hdr_check(h) != SDRP_HDR_OK)
		return R(SDRP_CLOSE_MALFORMED);
	if (h->flags & SDRP_HDR_F_CLEAR)
		return R(SDRP_CLOSE_BAD_TYPE);
	if (sdrp_get_be32(h->epoch) != epoch)
		return R(SDRP_CLOSE_OLD_EPOCH);
	return R(SDRP_CLOSE_BAD_MAC);
}

static void mutate_type(struct mutation *mu, struct sdrp_msg *w)
{
	unsigned int t;

	do {
		t = 1 + rnd_below(&mu->rng, SDRP_MSG_TYPE_MAX);
	} while (t == w->type);
	w->type = t;
	if (t == SDRP_MSG_HELLO || t == SDRP_MSG_HELLO_ACK) {
		fill_random(mu, mu->data, SDRP_X25519_LEN);
		w->data = mu->data;
		w->data_len = SDRP_X25519_LEN;
	} else if (!sdrp_type_has_data(t)) {
		w->data = NULL;
		w->data_len = 0;
	}
	if (sdrp_type_has_nonce(t) && !w->nonce)
		w->nonce = rnd(&mu->rng) | 1;
	if (sdrp_type_has_ttl(t) && !w->ttl)
		w->ttl = sdrp_now_ms() + SDRP_DEFAULT_TTL_MS;
	if (t == SDRP_MSG_CLOSE)
		mu->expect = R(SDRP_CLOSE_PEER);
	else if (t == SDRP_MSG_CLOSED_NO_ACK)
		mu->expect = R(SDRP_CLOSE_PEER_NO_ACK);
	else if (t == SDRP_MSG_RESEND_LAST)
		/*
		 * The kernel repeats its retransmission set, which the peer
		 * finds stale; or the set is empty (a rekey message was
		 * lost, as far as it knows) and it sends nothing: its
		 * receive timer, or the peer's, ends the wait (a peer that
		 * meant to send a rekey HELLO ACK has switched keys: its
		 * CLOSE comes under the next epoch).
		 */
		mu->expect = R(SDRP_CLOSE_BAD_TYPE) | R(SDRP_CLOSE_PEER) |
			     R(SDRP_CLOSE_BAD_SEQ) | R(SDRP_CLOSE_TIMEOUT) |
			     R(SDRP_CLOSE_OLD_EPOCH) | CARRY_ON;
	else
		mu->expect = R(SDRP_CLOSE_BAD_TYPE);
}

/* Before encoding: the field operations. */
static void on_message(void *ctx, struct sdrp_msg *w)
{
	struct mutation *mu = ctx;

	mu->active = false;
	if (mu->done || !flow_type(w->type) || ++mu->seen != mu->target)
		return;
	mu->active = true;
	mu->base_type = w->type;
	switch (mu->op) {
	case OP_SEQ:
		w->seq += 1 + rnd_below(&mu->rng, 1000);
		mu->expect = R(SDRP_CLOSE_BAD_SEQ);
		break;
	case OP_TTL_STALE:
		w->ttl = sdrp_now_ms() - 1 - rnd_below(&mu->rng, 100000);
		mu->expect = R(SDRP_CLOSE_STALE_TTL);
		break;
	case OP_TTL_FUTURE:
		w->ttl = sdrp_now_ms() + SDRP_DEFAULT_TTL_MS +
			 SDRP_DEFAULT_CLOCK_SKEW_MS + 1000 +
			 rnd_below(&mu->rng, 1000000);
		mu->expect = R(SDRP_CLOSE_FUTURE_TTL);
		break;
	case OP_TTL_INSIDE:
		w->ttl = sdrp_now_ms() + SDRP_DEFAULT_TTL_MS / 2 +
			 rnd_below(&mu->rng, SDRP_DEFAULT_TTL_MS / 2);
		mu->expect = CARRY_ON;
		break;
	case OP_TYPE:
		mutate_type(mu, w);
		break;
	case OP_NONCE:
		if (!sdrp_type_has_nonce(w->type)) {
			mu->op = OP_SEQ;
			w->seq -= 1 + rnd_below(&mu->rng, 1000);
			mu->expect = R(SDRP_CLOSE_BAD_SEQ);
			break;
		}
		/* accepted: the kernel's next expected seq is not the peer's */
		w->nonce = (w->nonce + 1 + rnd_below(&mu->rng, 1000)) | 1;
		mu->expect = R(SDRP_CLOSE_BAD_SEQ) | CARRY_ON;
		break;
	case OP_DATA:
		if (w->type == SDRP_MSG_HELLO || w->type == SDRP_MSG_HELLO_ACK) {
			/* another public key: the two ends derive other keys */
			fill_random(mu, mu->data, SDRP_X25519_LEN);
			w->data = mu->data;
			mu->expect = R(SDRP_CLOSE_BAD_MAC) |
				     R(SDRP_CLOSE_MALFORMED) |
				     R(SDRP_CLOSE_NO_ACK);
		} else if (sdrp_type_has_data(w->type)) {
			w->data_len = rnd_below(&mu->rng, sizeof(mu->data));
			fill_random(mu, mu->data, w->data_len);
			w->data = mu->data;
			mu->expect = CARRY_ON;
		} else {
			mu->op = OP_TTL_STALE;
			w->ttl = sdrp_now_ms() - 1000;
			mu->expect = R(SDRP_CLOSE_STALE_TTL);
		}
		break;
	default:
		break;
	}
}

/* The encoded inner plaintext: the layout operations. */
static size_t on_inner(void *ctx, unsigned int type, uint8_t *inner,
		       size_t len, size_t cap)
{
	struct mutation *mu = ctx;
	size_t fixed = sdrp_inner_fixed_len(type), extra;

	if (!mu->active)
		return len;
	switch (mu->op) {
	case OP_INNER_EXTRA:
		extra = 1 + rnd_below(&mu->rng, 64);
		if (len + extra > cap)
			return len;
		fill_random(mu, inner + len, extra);
		/* more data for a data message: valid unless a rekey key */
		if (type == SDRP_MSG_DATA_REQUEST ||
		    type == SDRP_MSG_DATA_RESPONSE)
			mu->expect = CARRY_ON;
		else
			mu->expect = R(SDRP_CLOSE_MALFORMED);
		return len + extra;
	case OP_INNER_NONCE_ZERO:
		if (sdrp_type_has_nonce(type)) {
			memset(inner + SDRP_SEQ_LEN + SDRP_TTL_LEN, 0,
			       SDRP_NONCE_LEN);
			mu->expect = R(SDRP_CLOSE_MALFORMED);
			return len;
		}
		/* no nonce here: a rekey key of the wrong size instead */
		mu->expect = R(SDRP_CLOSE_MALFORMED);
		if (type == SDRP_MSG_HELLO || type == SDRP_MSG_HELLO_ACK)
			return len - 1;
		if (sdrp_type_has_data(type)) {
			mu->expect = CARRY_ON;	/* a shorter body */
			return len > fixed ? len - 1 : len;
		}
		return len + 1;
	case OP_INNER_SHORT:
		/* the header's length is below the type's minimum */
		mu->expect = R(SDRP_CLOSE_MALFORMED);
		return rnd_below(&mu->rng, (unsigned int)fixed);
	default:
		return len;
	}
}

/* The sealed record: the wire operations. */
static size_t on_wire(void *ctx, uint8_t *rec, size_t len, size_t cap)
{
	struct mutation *mu = ctx;
	struct sdrp_hdr *h = (struct sdrp_hdr *)rec;
	uint32_t epoch = sdrp_get_be32(h->epoch), l;
	size_t n;

	if (!mu->active)
		return len;
	mu->active = false;
	mu->done = true;
	switch (mu->op) {
	case OP_WIRE_MAC:
		rec[len - 1 - rnd_below(&mu->rng, SDRP_MAC_LEN)] ^=
			1 << rnd_below(&mu->rng, 8);
		mu->expect = R(SDRP_CLOSE_BAD_MAC);
		break;
	case OP_WIRE_BODY:
		rec[SDRP_HDR_LEN + rnd_below(&mu->rng, (unsigned int)
			(len - SDRP_HDR_LEN - SDRP_MAC_LEN))] ^=
			1 << rnd_below(&mu->rng, 8);
		mu->expect = R(SDRP_CLOSE_BAD_MAC);
		break;
	case OP_WIRE_VERSION:
		h->version = SDRP_VERSION + 1 + rnd_below(&mu->rng, 254);
		mu->expect = header_outcome(h, epoch);
		break;
	case OP_WIRE_TYPE:
		do {
			h->type = (uint8_t)rnd(&mu->rng);
		} while (h->type == mu->base_type);
		if (rnd_below(&mu->rng, 2))
			h->type = 1 + h->type % SDRP_MSG_TYPE_MAX;
		if (h->type == mu->base_type)
			h->type = 0;
		mu->expect = header_outcome(h, epoch);
		break;
	case OP_WIRE_FLAGS:
		h->flags = 1 + rnd_below(&mu->rng, 255);
		mu->expect = header_outcome(h, epoch);
		break;
	case OP_WIRE_RESERVED:
		h->reserved = 1 + rnd_below(&mu->rng, 255);
		mu->expect = header_outcome(h, epoch);
		break;
	case OP_WIRE_EPOCH:
		sdrp_put_be32(h->epoch, epoch + 1 + rnd_below(&mu->rng, 5));
		mu->expect = header_outcome(h, epoch);
		break;
	case OP_WIRE_LENGTH:
		l = sdrp_get_be32(h->length);
		n = rnd_below(&mu->rng, 2) ? l + 1 + rnd_below(&mu->rng, 300) :
			l - 1 - rnd_below(&mu->rng, l);
		sdrp_put_be32(h->length, (uint32_t)n);
		/*
		 * Shorter: refused as it is (a bad header, or a MAC over
		 * the wrong bytes).  Longer: a length that keeps the framing
		 * (even under a bad header) makes the receiver wait for
		 * bytes that are the peer's next records, or never come.
		 */
		mu->expect = n < l ? header_outcome(h, epoch) : ANY_INPUT;
		break;
	case OP_WIRE_TRUNCATE:
		mu->expect = ANY_INPUT;
		return rnd_below(&mu->rng, (unsigned int)len);
	case OP_WIRE_GARBAGE:
		n = 1 + rnd_below(&mu->rng, 300);
		fill_random(mu, rec, n);
		mu->expect = ANY_INPUT;
		return n;
	case OP_WIRE_DUPLICATE:
		if (2 * len > cap)
			break;
		memcpy(rec + len, rec, len);
		/* the copy fails the record counter, or is a past epoch's */
		mu->expect = R(SDRP_CLOSE_BAD_MAC) | R(SDRP_CLOSE_OLD_EPOCH);
		return 2 * len;
	default:
		break;
	}
	return len;
}

struct session {
	int kfd, pfd;
	int kernel_role;
	struct sdrp_keys keys;
	struct sdrp_params params;
	unsigned int exchanges;
	struct mutation mu;
	int peer_ret;
};

static size_t body_size(unsigned int i)
{
	return (i * 37) % 200;
}

/* The peer's thread: exchanges as the peer role, the mutator armed. */
static void *peer_main(void *arg)
{
	struct session *s = arg;
	struct sdrp_peer_mutator hooks = {
		.message = on_message, .inner = on_inner, .wire = on_wire,
		.ctx = &s->mu,
	};
	struct sdrp_params pp = s->params;
	struct sdrp_keys keys = s->keys;
	int role = s->kernel_role == SDRP_ROLE_CLIENT ? SDRP_ROLE_SERVER :
							SDRP_ROLE_CLIENT;
	unsigned char buf[256];
	struct sdrp_peer *peer;
	const uint8_t *data;
	unsigned int i;
	size_t len;
	int ret = 0;

	/*
	 * The peer's receive timer also pushes a session on whose record
	 * the kernel still waits for (a length that grew, a truncation):
	 * short, but far above an exchange's time on a loaded machine.
	 */
	pp.recv_timeout_ms = 3000;
	pp.close_timeout_ms = 300;
	keys.role = role;
	if (sdrp_peer_new(s->pfd, role, &pp, &peer)) {
		s->peer_ret = -ENOMEM;
		return NULL;
	}
	ret = sdrp_peer_start_keys(peer, &keys);
	sdrp_wipe(&keys, sizeof(keys));
	sdrp_peer_set_mutator(peer, &hooks);
	for (i = 0; !ret && i < s->exchanges; i++) {
		sdrp_fill(buf, body_size(i), i);
		/* 1: a request or response; 0: the kernel closed (EOF) */
		if (role == SDRP_ROLE_CLIENT)
			ret = sdrp_peer_request(peer, buf, body_size(i),
						&data, &len);
		else
			ret = sdrp_peer_next_request(peer, &data, &len);
		ret = ret > 0 ? 0 : ret ? ret : -EPIPE;
		if (!ret && role == SDRP_ROLE_SERVER)
			ret = sdrp_peer_respond(peer, buf, body_size(i));
	}
	if (!ret && role == SDRP_ROLE_CLIENT)
		ret = sdrp_peer_close(peer);
	else if (!ret)
		ret = sdrp_peer_next_request(peer, &data, &len);
	/* answer what the kernel still says (CLOSE ACK), then leave */
	sdrp_peer_process(peer, 300);
	sdrp_peer_free(peer);
	shutdown(s->pfd, SHUT_RDWR);
	s->peer_ret = ret;
	return NULL;
}

/*
 * The application on the kernel socket.  Returns the errno of the call
 * that failed, 0 if the session ended in a clean close.
 */
static int kernel_app(struct session *s, unsigned int *done)
{
	unsigned char buf[4096];
	ssize_t n;
	int eor;

	for (*done = 0; *done < s->exchanges; (*done)++) {
		if (s->kernel_role == SDRP_ROLE_CLIENT) {
			sdrp_fill(buf, body_size(*done), *done);
			if (send(s->kfd, buf, body_size(*done),
				 MSG_NOSIGNAL) < 0)
				return errno;
		}
		n = sdrp_recv(s->kfd, buf, sizeof(buf), 0, &eor);
		if (n < 0)
			return errno;
		if (n == 0 && !eor)
			return 0;	/* end of file: the peer closed */
		if (s->kernel_role == SDRP_ROLE_SERVER) {
			if (send(s->kfd, buf, body_size(*done),
				 MSG_NOSIGNAL) < 0)
				return errno;
		}
	}
	if (s->kernel_role == SDRP_ROLE_CLIENT)
		shutdown(s->kfd, SHUT_RDWR);
	else if (sdrp_recv(s->kfd, buf, sizeof(buf), 0, &eor) < 0)
		return errno;
	return 0;
}

/* A listening socket in a network namespace of this process's own. */
struct worker {
	int lfd;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	int kernel_role;
	unsigned long seed;
	unsigned int index;
};

static int worker_listen(struct worker *w)
{
	int err = sdrp_netns_loopback();

	if (err)
		return err;
	w->addr_len = sdrp_loopback_addr(AF_INET, &w->addr);
	w->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (w->lfd < 0 ||
	    bind(w->lfd, (struct sockaddr *)&w->addr, w->addr_len) ||
	    listen(w->lfd, 8) ||
	    getsockname(w->lfd, (struct sockaddr *)&w->addr, &w->addr_len))
		return -errno;
	return 0;
}

static int connect_pair(const struct worker *w, int *kfd, int *pfd)
{
	int c, a;

	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (const struct sockaddr *)&w->addr,
			     w->addr_len))
		return -errno;
	a = accept(w->lfd, NULL, NULL);
	if (a < 0)
		return -errno;
	*kfd = w->kernel_role == SDRP_ROLE_CLIENT ? c : a;
	*pfd = w->kernel_role == SDRP_ROLE_CLIENT ? a : c;
	return 0;
}

static unsigned long env_ulong(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

/* What one worker did, added up by the test in shared memory. */
struct totals {
	unsigned long sessions;
	unsigned long tried;
	unsigned long carried;
	unsigned long failures;
	unsigned long by_reason[SDRP_CLOSE_REASON_MAX + 1];
};

static void report(const struct worker *w, unsigned int i,
		   const struct session *s, const char *what,
		   unsigned int reason, int err)
{
	ksft_print_msg("worker %u session %u (SEED=%lu): %s: op %s on %s (#%u), reason %s, errno %d, expected mask %#x\n",
		       w->index, i, w->seed, what, op_names[s->mu.op],
		       sdrp_msg_type_name(s->mu.base_type), s->mu.target,
		       sdrp_close_reason_name(reason), err, s->mu.expect);
}

/* Check how session @i of worker @w ended; returns the failures found. */
static unsigned int judge(const struct worker *w, unsigned int i,
			  const struct session *s, int err, unsigned int done,
			  const struct sdrp_info *info,
			  const struct sdrp_stat_snap *before,
			  const struct sdrp_stat_snap *after,
			  struct totals *t)
{
	unsigned int reason = info->close_reason, bad = 0;
	const char *stat;

#define FAIL(what, e) do { report(w, i, s, what, reason, e); bad++; } while (0)
	if (info->state != SDRP_STATE_CLOSED)
		FAIL("not closed", err);
	if (err == EAGAIN)
		FAIL("application stalled", err);
	if (reason == SDRP_CLOSE_NONE || reason > SDRP_CLOSE_REASON_MAX)
		FAIL("no reason", err);
	else
		t->by_reason[reason]++;
	/* A clean end is what carrying on looks like. */
	if (reason == (w->kernel_role == SDRP_ROLE_CLIENT ?
		       SDRP_CLOSE_LOCAL : SDRP_CLOSE_PEER) &&
	    done == s->exchanges && !err) {
		t->carried += s->mu.done;
		if (s->mu.done && !(s->mu.expect & CARRY_ON))
			FAIL("mutated record accepted", err);
	} else if (!s->mu.done) {
		FAIL("clean session failed", err);
	} else if (!(s->mu.expect & R(reason))) {
		FAIL("unexpected reason", err);
	}
	/* The application's errno is the reason's, as documented. */
	if (err && err != sdrp_close_reason_errno(reason) &&
	    !(reason == SDRP_CLOSE_PEER && err == EPIPE))
		FAIL("wrong errno", err);
	if (info->close_errno != sdrp_close_reason_errno(reason))
		FAIL("wrong SDRP_INFO errno", info->close_errno);
	/* Counted: the close once, the rejected record at least once. */
	if (sdrp_snap_delta(before, after, sdrp_close_stat_name(reason)) != 1)
		FAIL("close not counted", err);
	stat = sdrp_reject_stat_name(reason, 0);
	if (stat && sdrp_snap_delta(before, after, stat) < 1 &&
	    (reason != SDRP_CLOSE_MALFORMED ||
	     sdrp_snap_delta(before, after,
			     sdrp_reject_stat_name(reason, 1)) < 1))
		FAIL("rejected record not counted", err);
#undef FAIL
	return bad;
}

/* One session: connect, keys on both ends, exchanges, the mutation. */
static int run_session(const struct worker *w, unsigned int i,
		       struct totals *t)
{
	struct timeval tv = { .tv_sec = 10 };
	struct sdrp_stat_snap before, after;
	struct session s = { .kernel_role = w->kernel_role };
	struct timespec deadline;
	struct sdrp_info info;
	unsigned int done;
	pthread_t th;
	int err;

	s.mu.rng = (w->seed * 0x9e3779b97f4a7c15ULL) ^
		   ((uint64_t)w->index << 40) ^ (i + 1) * 0xbf58476d1ce4e5b9ULL;
	rnd(&s.mu.rng);
	s.mu.op = rnd_below(&s.mu.rng, OP_NUM);
	s.mu.target = 1 + rnd_below(&s.mu.rng, 12);
	s.exchanges = s.mu.target + 2;
	s.params.rekey_interval = 2 + rnd_below(&s.mu.rng, 4);
	s.params.policy = SDRP_POLICY_CLOSE;
	s.params.recv_timeout_ms = 5000;
	s.params.close_timeout_ms = 300;

	if (connect_pair(w, &s.kfd, &s.pfd) ||
	    setsockopt(s.kfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    sdrp_attach(s.kfd) || sdrp_set_params(s.kfd, &s.params))
		return -errno;
	sdrp_random_keys(&s.keys);
	if (sdrp_set_keys(s.kfd, &s.keys, w->kernel_role) ||
	    sdrp_stat_snap(&before))
		return -errno;
	if (pthread_create(&th, NULL, peer_main, &s))
		return -EAGAIN;
	err = kernel_app(&s, &done);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 5;
	if (pthread_timedjoin_np(th, NULL, &deadline)) {
		/*
		 * The peer still waits.  Fine if the kernel closed without
		 * a word (it must not answer a CLOSED WITHOUT ACK, and the
		 * peer's server has no receive timer while idle); if the
		 * kernel's session is still open, both ends wait for each
		 * other: a hang.
		 */
		if (sdrp_get_info(s.kfd, &info) ||
		    info.state != SDRP_STATE_CLOSED) {
			report(w, i, &s, "both ends wait", info.close_reason,
			       err);
			t->failures++;
		}
		shutdown(s.pfd, SHUT_RDWR);
		pthread_join(th, NULL);
	}
	sdrp_wipe(&s.keys, sizeof(s.keys));

	/* Every session ends: CLOSE ACK, CLOSED WITHOUT ACK or TCP. */
	sdrp_wait_state(s.kfd, SDRP_STATE_CLOSED, 5000, &info);
	if (sdrp_stat_snap(&after))
		return -errno;
	t->sessions++;
	t->tried += s.mu.done;
	t->failures += judge(w, i, &s, err, done, &info, &before, &after, t);
	close(s.kfd);
	close(s.pfd);
	if (sdrp_stat_wait("SdrpCurrSessions", 0, 5000)) {
		report(w, i, &s, "session not released", info.close_reason,
		       err);
		t->failures++;
	}
	return 0;
}

/* A worker process: sessions until the budget is spent. */
static void worker_main(struct worker *w, unsigned long budget,
			struct totals *t)
{
	struct timespec start, now;
	unsigned int i;
	int err;

	err = worker_listen(w);
	if (err) {
		ksft_print_msg("worker %u: no listener: %s\n", w->index,
			       strerror(-err));
		t->failures++;
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; t->failures < 20; i++) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((unsigned long)(now.tv_sec - start.tv_sec) >= budget)
			break;
		err = run_session(w, i, t);
		if (err) {
			ksft_print_msg("worker %u session %u: setup: %s\n",
				       w->index, i, strerror(-err));
			t->failures++;
			break;
		}
	}
	close(w->lfd);
}

/* Sessions run in parallel: most of a session's time is spent waiting. */
#define WORKERS	4

FIXTURE(hostile) {
	struct totals *t;	/* WORKERS of them, shared */
};

FIXTURE_VARIANT(hostile) {
	int kernel_role;
};

FIXTURE_VARIANT_ADD(hostile, kernel_server) {
	.kernel_role = SDRP_ROLE_SERVER,
};

FIXTURE_VARIANT_ADD(hostile, kernel_client) {
	.kernel_role = SDRP_ROLE_CLIENT,
};

FIXTURE_SETUP(hostile)
{
	self->t = mmap(NULL, WORKERS * sizeof(*self->t),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	ASSERT_NE(self->t, MAP_FAILED);
}

FIXTURE_TEARDOWN(hostile)
{
	munmap(self->t, WORKERS * sizeof(*self->t));
}

TEST_F_TIMEOUT(hostile, mutated_records, 300)
{
	unsigned long seed = env_ulong("SEED", 0);
	unsigned long budget = env_ulong("SDRP_HOSTILE_SECONDS", 10);
	struct totals sum = { 0 };
	unsigned int k, r;
	pid_t pid[WORKERS];
	int status;

	if (!seed)
		seed = (unsigned long)time(NULL) ^ (unsigned long)getpid();
	ksft_print_msg("seed %lu (SEED=%lu repeats the sessions), %u workers, %lu s\n",
		       seed, seed, WORKERS, budget);
	for (k = 0; k < WORKERS; k++) {
		pid[k] = fork();
		ASSERT_GE(pid[k], 0);
		if (!pid[k]) {
			struct worker w = {
				.kernel_role = variant->kernel_role,
				.seed = seed, .index = k,
			};

			worker_main(&w, budget, &self->t[k]);
			_exit(0);
		}
	}
	for (k = 0; k < WORKERS; k++) {
		ASSERT_EQ(waitpid(pid[k], &status, 0), pid[k]);
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
		sum.sessions += self->t[k].sessions;
		sum.tried += self->t[k].tried;
		sum.carried += self->t[k].carried;
		sum.failures += self->t[k].failures;
		for (r = 0; r <= SDRP_CLOSE_REASON_MAX; r++)
			sum.by_reason[r] += self->t[k].by_reason[r];
	}
	ksft_print_msg("%s: %lu sessions, %lu mutated records tried, %lu carried on, %lu failures\n",
		       variant->kernel_role == SDRP_ROLE_CLIENT ?
		       "kernel client" : "kernel server", sum.sessions,
		       sum.tried, sum.carried, sum.failures);
	for (r = 1; r <= SDRP_CLOSE_REASON_MAX; r++)
		if (sum.by_reason[r])
			ksft_print_msg("  closed %-14s %lu\n",
				       sdrp_close_reason_name(r),
				       sum.by_reason[r]);
	EXPECT_EQ(sum.failures, 0);
	EXPECT_GT(sum.tried, 0);
}

TEST_HARNESS_MAIN
