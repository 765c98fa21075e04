// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The smaller parts: the replay cache, one instance per network
 * namespace, the status mapping, and the shipped sample configuration.
 */
#include <sched.h>
#include <sys/wait.h>
#include <linux/sdrp_netlink.h>

#include "tap.h"

static void tag_of(uint8_t tag[SDRP_MAC_LEN], unsigned int n)
{
	memset(tag, 0, SDRP_MAC_LEN);
	memcpy(tag, &n, sizeof(n));
	tag[SDRP_MAC_LEN - 1] = 0x5a;
}

static void test_replay(void)
{
	struct sdrpd_replay *rc;
	uint8_t t[SDRP_MAC_LEN];
	uint64_t now = 1000000;
	unsigned int i;
	int full = 0;

	if (sdrpd_replay_new(&rc, 16))
		tap_bail("replay cache");
	tag_of(t, 1);
	IS(sdrpd_replay_claim(rc, t, now + 100, now), 0, "replay: new HELLO");
	IS(sdrpd_replay_claim(rc, t, now + 100, now), -EALREADY,
	   "replay: same HELLO within its ttl");
	IS(sdrpd_replay_claim(rc, t, now + 100, now + 100), -EALREADY,
	   "replay: still refused at its ttl");
	IS(sdrpd_replay_claim(rc, t, now + 300, now + 101), 0,
	   "replay: after its ttl the entry is gone (the ttl check refuses it)");
	sdrpd_replay_release(rc, t);
	IS(sdrpd_replay_claim(rc, t, now + 100, now), 0,
	   "replay: a released HELLO may be claimed again");
	for (i = 2; i <= 16; i++) {
		tag_of(t, i);
		full |= sdrpd_replay_claim(rc, t, now + 100, now);
	}
	IS(full, 0, "replay: 16 live entries fit");
	IS(sdrpd_replay_count(rc), 16, "replay: count");
	tag_of(t, 17);
	IS(sdrpd_replay_claim(rc, t, now + 100, now), -ENOSPC,
	   "replay: full of live entries: refused, none dropped");
	tag_of(t, 3);
	IS(sdrpd_replay_claim(rc, t, now + 100, now), -EALREADY,
	   "replay: a full cache still knows its entries");
	/* Later, every entry expired: 16 new HELLOs find room. */
	for (full = 0, i = 17; i <= 32; i++) {
		tag_of(t, i);
		full |= sdrpd_replay_claim(rc, t, now + 1000, now + 500);
	}
	IS(full, 0, "replay: expired entries make room for new ones");
	IS(sdrpd_replay_count(rc), 16, "replay: and are gone");
	sdrpd_replay_free(rc);
}

static void test_instance(void)
{
	int a, b, status;
	pid_t pid;

	a = sdrpd_instance_lock();
	if (a == -EADDRINUSE) {
		tap_skip("an sdrpd runs in this namespace", "instance lock");
		return;
	}
	OK(a >= 0, "instance: first daemon in the namespace");
	b = sdrpd_instance_lock();
	IS(b, -EADDRINUSE, "instance: second daemon in the namespace refused");
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNET))
			_exit(77);
		_exit(sdrpd_instance_lock() >= 0 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		tap_skip("unshare(CLONE_NEWNET) not permitted",
			 "instance: a daemon in another namespace");
	else
		OK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "instance: a daemon in another namespace runs meanwhile");
	close(a);
	b = sdrpd_instance_lock();
	OK(b >= 0, "instance: the lock goes with the daemon");
	if (b >= 0)
		close(b);
}

static void test_status(void)
{
	IS(sdrpd_status_of(-EKEYREJECTED, SDRP_ERR_UNKNOWN_CA), EKEYREJECTED,
	   "status: unknown CA");
	IS(sdrpd_status_of(-EKEYEXPIRED, SDRP_ERR_CERT_NOT_YET_VALID),
	   EKEYEXPIRED, "status: certificate not yet valid");
	IS(sdrpd_status_of(-EBADMSG, SDRP_ERR_BAD_MAC), EBADMSG,
	   "status: bad MAC");
	IS(sdrpd_status_of(-ETIME, SDRP_ERR_STALE_TTL), ETIME,
	   "status: stale ttl");
	IS(sdrpd_status_of(-EPROTO, SDRP_ERR_BAD_SEQ), EPROTO,
	   "status: bad seq");
	IS(sdrpd_status_of(-ENOMEM, SDRP_ERR_NONE), ENOMEM,
	   "status: local failure keeps its errno");
	IS(sdrpd_status_of(-100000, SDRP_ERR_NONE), EIO,
	   "status: out-of-range code becomes EIO");
	IS(sdrpd_hs_error_of(SDRP_ERR_CERT_NOT_YET_VALID),
	   SDRP_HS_ERROR_CERT_NOT_YET_VALID, "reason: not yet valid");
	IS(sdrpd_hs_error_of(SDRP_ERR_CERT_SIGNATURE),
	   SDRP_HS_ERROR_CERT_SIGNATURE, "reason: CA signature");
	IS(sdrpd_hs_error_of(SDRP_ERR_WEAK_DH), SDRP_HS_ERROR_WEAK_DH,
	   "reason: weak X25519");
	IS(sdrpd_hs_error_of(SDRP_ERR_FUTURE_TTL), SDRP_HS_ERROR_FUTURE_TTL,
	   "reason: future ttl");
	IS(sdrpd_hs_error_of(SDRP_ERR_HELLO_CERT_LEN), SDRP_HS_ERROR_MALFORMED,
	   "reason: layout errors are malformed");
}

static void test_sample(void)
{
	const char *path = getenv("SDRPD_SAMPLE_CONF");
	struct sdrpd_config *c = NULL;
	char text[8192], *err = NULL;
	size_t n;
	FILE *f;

	if (!path || !(f = fopen(path, "r"))) {
		tap_skip("SDRPD_SAMPLE_CONF not set", "sample configuration");
		return;
	}
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	OK(!sdrpd_config_parse(text, n, path, &c, &err) && c &&
	   !strcmp(c->identity, "sensor-1.example") && c->n_peers == 2 &&
	   c->workers == 2 && c->replay_max == 65536 &&
	   sdrpd_config_peer(c, "collector-2.example"),
	   "the shipped sample configuration parses%s%s", err ? ": " : "",
	   err ? err : "");
	free(err);
	sdrpd_config_put(c);
}

int main(void)
{
	sdrpd_log_init(false, false);
	test_replay();
	test_instance();
	test_status();
	test_sample();
	return tap_done();
}
