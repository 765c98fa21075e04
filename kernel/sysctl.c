// SPDX-License-Identifier: GPL-2.0
/*
 * net.sdrp.*: the system-wide defaults of struct sdrp_params, which a
 * socket copies when the ULP attaches and may change with SDRP_PARAMS.
 * They start at the paper's values.  Global rather than per network
 * namespace: they are defaults, not policy.
 */
#include <linux/sysctl.h>

#include "compat.h"
#include "sdrp.h"

/* Upper bounds: beyond these a value is surely a mistake. */
#define SDRP_MAX_INTERVAL	1000000
#define SDRP_MAX_MS		(24 * 3600 * 1000)
#define SDRP_MAX_RETRIES	100

static unsigned int sdrp_defaults[] = {
	10,		/* rekey_interval */
	25000,		/* ttl_ms */
	5000,		/* clock_skew_ms */
	45000,		/* recv_timeout_ms */
	45000,		/* close_timeout_ms */
	3,		/* max_retries */
	SDRP_POLICY_CLOSE,
};

enum {
	SDRP_D_INTERVAL, SDRP_D_TTL, SDRP_D_SKEW, SDRP_D_RECV, SDRP_D_CLOSE,
	SDRP_D_RETRIES, SDRP_D_POLICY,
};

static unsigned int one = 1;
static unsigned int zero;
static unsigned int max_interval = SDRP_MAX_INTERVAL;
static unsigned int max_ms = SDRP_MAX_MS;
static unsigned int max_retries = SDRP_MAX_RETRIES;
static unsigned int policy_min = SDRP_POLICY_CLOSE;
static unsigned int policy_max = SDRP_POLICY_RESEND;

#define SDRP_SYSCTL(_name, _idx, _min, _max) {			\
	.procname	= _name,				\
	.data		= &sdrp_defaults[_idx],			\
	.maxlen		= sizeof(unsigned int),			\
	.mode		= 0644,					\
	.proc_handler	= proc_douintvec_minmax,		\
	.extra1		= _min,					\
	.extra2		= _max,					\
}

static struct ctl_table sdrp_sysctl_table[] = {
	SDRP_SYSCTL("rekey_interval", SDRP_D_INTERVAL, &one, &max_interval),
	SDRP_SYSCTL("ttl_ms", SDRP_D_TTL, &one, &max_ms),
	SDRP_SYSCTL("clock_skew_ms", SDRP_D_SKEW, &zero, &max_ms),
	SDRP_SYSCTL("recv_timeout_ms", SDRP_D_RECV, &one, &max_ms),
	SDRP_SYSCTL("close_timeout_ms", SDRP_D_CLOSE, &one, &max_ms),
	SDRP_SYSCTL("max_retries", SDRP_D_RETRIES, &one, &max_retries),
	SDRP_SYSCTL("policy", SDRP_D_POLICY, &policy_min, &policy_max),
	SDRP_SYSCTL_END
};

static struct ctl_table_header *sdrp_sysctl_header;

void sdrp_params_default(struct sdrp_params *p)
{
	p->rekey_interval = READ_ONCE(sdrp_defaults[SDRP_D_INTERVAL]);
	p->ttl_ms = READ_ONCE(sdrp_defaults[SDRP_D_TTL]);
	p->clock_skew_ms = READ_ONCE(sdrp_defaults[SDRP_D_SKEW]);
	p->recv_timeout_ms = READ_ONCE(sdrp_defaults[SDRP_D_RECV]);
	p->close_timeout_ms = READ_ONCE(sdrp_defaults[SDRP_D_CLOSE]);
	p->max_retries = READ_ONCE(sdrp_defaults[SDRP_D_RETRIES]);
	p->policy = READ_ONCE(sdrp_defaults[SDRP_D_POLICY]);
	p->reserved = 0;
}

/* The same bounds as the sysctls. */
int sdrp_params_check(const struct sdrp_params *p)
{
	if (!p->rekey_interval || p->rekey_interval > SDRP_MAX_INTERVAL ||
	    !p->ttl_ms || p->ttl_ms > SDRP_MAX_MS ||
	    p->clock_skew_ms > SDRP_MAX_MS ||
	    !p->recv_timeout_ms || p->recv_timeout_ms > SDRP_MAX_MS ||
	    !p->close_timeout_ms || p->close_timeout_ms > SDRP_MAX_MS ||
	    !p->max_retries || p->max_retries > SDRP_MAX_RETRIES ||
	    (p->policy != SDRP_POLICY_CLOSE &&
	     p->policy != SDRP_POLICY_RESEND))
		return -EINVAL;
	return 0;
}

int sdrp_sysctl_init(void)
{
	sdrp_sysctl_header = register_sysctl("net/sdrp", sdrp_sysctl_table);
	return sdrp_sysctl_header ? 0 : -ENOMEM;
}

void sdrp_sysctl_exit(void)
{
	unregister_sysctl_table(sdrp_sysctl_header);
}
