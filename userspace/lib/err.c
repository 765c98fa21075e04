// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Refusal reasons, their errnos and close reasons; library init, clock,
 * randomness and the secret-handling primitives.
 */
#include <pthread.h>
#include <time.h>

#include "internal.h"

struct err_info {
	const char *name;
	int err;			/* positive errno */
	enum sdrp_close_reason reason;
};

#define E(id, n, e, r) [SDRP_ERR_##id] = { n, e, SDRP_CLOSE_##r }
static const struct err_info err_table[SDRP_ERR_MAX + 1] = {
	E(NONE,			"none",			0,	     NONE),
	E(SHORT_HEADER,		"short-header",		EPROTO,	     MALFORMED),
	E(BAD_VERSION,		"bad-version",		EPROTO,	     MALFORMED),
	E(BAD_TYPE,		"bad-type",		EPROTO,	     MALFORMED),
	E(BAD_RESERVED,		"bad-reserved",		EPROTO,	     MALFORMED),
	E(BAD_CLEAR,		"bad-clear",		EPROTO,	     MALFORMED),
	E(LEN_TOO_SHORT,	"len-too-short",	EPROTO,	     MALFORMED),
	E(LEN_TOO_LONG,		"len-too-long",		EPROTO,	     MALFORMED),
	E(TRUNCATED,		"truncated",		EPROTO,	     MALFORMED),
	E(TRAILING,		"trailing",		EPROTO,	     MALFORMED),
	E(CLEAR_MISMATCH,	"clear-mismatch",	EPROTO,	     MALFORMED),
	E(BAD_EPOCH,		"bad-epoch",		EPROTO,	     OLD_EPOCH),
	E(BAD_MAC,		"bad-mac",		EBADMSG,     BAD_MAC),
	E(BAD_TAG,		"bad-tag",		EBADMSG,     BAD_MAC),
	E(INNER_SHORT,		"inner-short",		EPROTO,	     MALFORMED),
	E(INNER_EXTRA,		"inner-extra",		EPROTO,	     MALFORMED),
	E(DATA_TOO_LONG,	"data-too-long",	EPROTO,	     MALFORMED),
	E(ZERO_NONCE,		"zero-nonce",		EPROTO,	     MALFORMED),
	E(HELLO_SHORT,		"hello-short",		EPROTO,	     MALFORMED),
	E(HELLO_CERT_LEN,	"hello-cert-len",	EPROTO,	     MALFORMED),
	E(HELLO_SIG_LEN,	"hello-sig-len",	EPROTO,	     MALFORMED),
	E(HELLO_TRAILING,	"hello-trailing",	EPROTO,	     MALFORMED),
	E(HELLO_INTERVAL,	"hello-interval",	EPROTO,	     MALFORMED),
	E(REKEY_LEN,		"rekey-len",		EPROTO,	     MALFORMED),
	E(REKEY_WEAK_DH,	"rekey-weak-dh",	EPROTO,	     MALFORMED),
	E(CERT_SHORT,		"cert-short",		EPROTO,	     MALFORMED),
	E(CERT_MAGIC,		"cert-magic",		EPROTO,	     MALFORMED),
	E(CERT_VERSION,		"cert-version",		EPROTO,	     MALFORMED),
	E(CERT_KEY_TYPE,	"cert-key-type",	EPROTO,	     MALFORMED),
	E(CERT_RESERVED,	"cert-reserved",	EPROTO,	     MALFORMED),
	E(CERT_IDENTITY,	"cert-identity",	EPROTO,	     MALFORMED),
	E(CERT_KEY,		"cert-key",		EPROTO,	     MALFORMED),
	E(CERT_SIG_LEN,		"cert-sig-len",		EPROTO,	     MALFORMED),
	E(CERT_VALIDITY,	"cert-validity",	EPROTO,	     MALFORMED),
	E(CERT_TRAILING,	"cert-trailing",	EPROTO,	     MALFORMED),
	E(CERT_ARMOR,		"cert-armor",		EPROTO,	     MALFORMED),
	E(UNKNOWN_CA,		"unknown-ca",		EKEYREJECTED, AUTH),
	E(CERT_SIGNATURE,	"cert-signature",	EKEYREJECTED, AUTH),
	E(CERT_EXPIRED,		"cert-expired",		EKEYEXPIRED, AUTH),
	E(CERT_NOT_YET_VALID,	"cert-not-yet-valid",	EKEYEXPIRED, AUTH),
	E(IDENTITY,		"identity",		EKEYREJECTED, AUTH),
	E(HELLO_SIGNATURE,	"hello-signature",	EBADMSG,     AUTH),
	E(WEAK_DH,		"weak-dh",		EKEYREJECTED, AUTH),
	E(BAD_SEQ,		"bad-seq",		EPROTO,	     BAD_SEQ),
	E(STALE_TTL,		"stale-ttl",		ETIME,	     STALE_TTL),
	E(FUTURE_TTL,		"future-ttl",		ETIME,	     FUTURE_TTL),
	E(UNEXPECTED_TYPE,	"unexpected-type",	EPROTO,	     BAD_TYPE),
};
#undef E

static const struct err_info *err_lookup(enum sdrp_err err)
{
	if ((unsigned int)err > SDRP_ERR_MAX)
		return NULL;
	return &err_table[err];
}

int sdrp_err_errno(enum sdrp_err err)
{
	const struct err_info *e = err_lookup(err);

	return e ? e->err : EINVAL;
}

enum sdrp_close_reason sdrp_err_close_reason(enum sdrp_err err)
{
	const struct err_info *e = err_lookup(err);

	return e ? e->reason : SDRP_CLOSE_MALFORMED;
}

const char *sdrp_err_name(enum sdrp_err err)
{
	const struct err_info *e = err_lookup(err);

	return e ? e->name : "unknown";
}

static int init_result = -EIO;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_run(void)
{
	if (sodium_init() < 0)
		init_result = -EIO;
	else if (!crypto_aead_aes256gcm_is_available())
		init_result = -ENOSYS;
	else
		init_result = 0;
}

int sdrp_init(void)
{
	pthread_once(&init_once, init_run);
	return init_result;
}

uint64_t sdrp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t sdrp_random_seq(void)
{
	uint64_t v;

	sdrp_init();
	randombytes_buf(&v, sizeof(v));
	return v;
}

uint64_t sdrp_random_nonce(void)
{
	uint64_t v;

	sdrp_init();
	do
		randombytes_buf(&v, sizeof(v));
	while (!v);
	return v;
}

void sdrp_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}

int sdrp_memeq(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}
