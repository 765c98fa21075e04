// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Replay cache of client HELLOs.
 *
 * The ttl check alone lets a captured HELLO be replayed to the server for
 * as long as its ttl lies ahead (ttl window plus clock skew, 30 s by
 * default): the server would answer, and a session would stall until its
 * receive timer fired, since the attacker cannot finish it.  The cache
 * remembers each HELLO whose MAC verified until its ttl passes, after which
 * the ttl check refuses it anyway, so a replay is refused at once.
 *
 * A HELLO is known by its HMAC-SHA512 tag: a MAC under a key only the two
 * peers hold, over the whole record, so two different HELLOs do not share
 * one and an attacker cannot make one collide with a HELLO yet to come.
 * The cache is bounded: when every entry is still live a new HELLO is
 * refused (-ENOSPC) rather than an entry dropped, which would reopen the
 * replay window.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sdrpd.h"

struct entry {
	struct entry *next;
	uint64_t expires_ms;
	uint8_t tag[SDRP_MAC_LEN];
};

struct sdrpd_replay {
	pthread_mutex_t lock;
	struct entry **buckets;
	size_t n_buckets;		/* power of two */
	size_t count;
	size_t max;
};

int sdrpd_replay_new(struct sdrpd_replay **out, size_t max_entries)
{
	struct sdrpd_replay *rc;
	size_t n = 16;

	while (n < max_entries / 4)
		n <<= 1;
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return -ENOMEM;
	rc->buckets = calloc(n, sizeof(*rc->buckets));
	if (!rc->buckets) {
		free(rc);
		return -ENOMEM;
	}
	pthread_mutex_init(&rc->lock, NULL);
	rc->n_buckets = n;
	rc->max = max_entries;
	*out = rc;
	return 0;
}

void sdrpd_replay_free(struct sdrpd_replay *rc)
{
	struct entry *e, *next;
	size_t i;

	if (!rc)
		return;
	for (i = 0; i < rc->n_buckets; i++)
		for (e = rc->buckets[i]; e; e = next) {
			next = e->next;
			free(e);
		}
	free(rc->buckets);
	pthread_mutex_destroy(&rc->lock);
	free(rc);
}

/* The tag is a MAC: its first bytes are already uniformly distributed. */
static struct entry **bucket(struct sdrpd_replay *rc,
			     const uint8_t tag[SDRP_MAC_LEN])
{
	uint64_t h;

	memcpy(&h, tag, sizeof(h));
	return &rc->buckets[h & (rc->n_buckets - 1)];
}

/* Drop expired entries of one chain. */
static void prune(struct sdrpd_replay *rc, struct entry **pp, uint64_t now_ms)
{
	struct entry *e;

	while ((e = *pp)) {
		if (e->expires_ms < now_ms) {
			*pp = e->next;
			free(e);
			rc->count--;
		} else {
			pp = &e->next;
		}
	}
}

int sdrpd_replay_claim(struct sdrpd_replay *rc,
		       const uint8_t tag[SDRP_MAC_LEN], uint64_t expires_ms,
		       uint64_t now_ms)
{
	struct entry **head, *e;
	size_t i;
	int ret = 0;

	pthread_mutex_lock(&rc->lock);
	head = bucket(rc, tag);
	prune(rc, head, now_ms);
	for (e = *head; e; e = e->next)
		if (!memcmp(e->tag, tag, SDRP_MAC_LEN)) {
			ret = -EALREADY;
			goto out;
		}
	if (rc->count >= rc->max)
		for (i = 0; i < rc->n_buckets; i++)
			prune(rc, &rc->buckets[i], now_ms);
	if (rc->count >= rc->max) {
		ret = -ENOSPC;
		goto out;
	}
	e = malloc(sizeof(*e));
	if (!e) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(e->tag, tag, SDRP_MAC_LEN);
	e->expires_ms = expires_ms;
	e->next = *head;
	*head = e;
	rc->count++;
out:
	pthread_mutex_unlock(&rc->lock);
	return ret;
}

void sdrpd_replay_release(struct sdrpd_replay *rc,
			  const uint8_t tag[SDRP_MAC_LEN])
{
	struct entry **pp, *e;

	pthread_mutex_lock(&rc->lock);
	for (pp = bucket(rc, tag); (e = *pp); pp = &e->next)
		if (!memcmp(e->tag, tag, SDRP_MAC_LEN)) {
			*pp = e->next;
			free(e);
			rc->count--;
			break;
		}
	pthread_mutex_unlock(&rc->lock);
}

size_t sdrpd_replay_count(struct sdrpd_replay *rc)
{
	size_t n;

	pthread_mutex_lock(&rc->lock);
	n = rc->count;
	pthread_mutex_unlock(&rc->lock);
	return n;
}
