// SPDX-License-Identifier: GPL-2.0
/*
 * net.sdrp.*: the defaults of struct sdrp_params, per network namespace.
 * A socket copies its namespace's values when the ULP attaches and may
 * change its own with SDRP_PARAMS.  One more, max_orphans, is a limit of
 * the namespace itself (ulp.c, sdrp_close()).
 *
 * Every namespace starts at the paper's values, the one in which the
 * module loads as much as one created later: a container's defaults do
 * not depend on how the host happened to be tuned when it was created
 * (as for most net.ipv4.tcp_* settings).  Documentation/sdrp.rst says so.
 */
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "compat.h"
#include "sdrp.h"

/* Upper bounds (Documentation/protocol.rst, "Parameters"). */
#define SDRP_MAX_INTERVAL	1000000
#define SDRP_MAX_MS		3600000
#define SDRP_MAX_RETRIES	100

/*
 * How many closed sessions may finish their CLOSE exchange in the
 * background at once, per namespace.  Each holds its TCP socket, its
 * session and its epoch's crypto transforms for up to close_timeout_ms x
 * max_retries (135 s with the defaults), uncounted by tcp_max_orphans; a
 * peer that answers its CLOSE ACKs leaves far fewer (each lasts a round
 * trip), so 1024 only binds when peers stop answering.
 */
#define SDRP_DEFAULT_MAX_ORPHANS	1024

/*
 * One slot per sysctl: those of struct sdrp_params in its order, then the
 * namespace's own limits.
 */
enum {
	SDRP_D_INTERVAL, SDRP_D_TTL, SDRP_D_SKEW, SDRP_D_RECV, SDRP_D_CLOSE,
	SDRP_D_RETRIES, SDRP_D_POLICY, SDRP_D_MAX_ORPHANS, SDRP_D_NUM,
};

/* The paper's values (and the default limits): every namespace's start. */
static const unsigned int sdrp_paper_defaults[SDRP_D_NUM] = {
	[SDRP_D_INTERVAL]	= 10,
	[SDRP_D_TTL]		= 25000,
	[SDRP_D_SKEW]		= 5000,
	[SDRP_D_RECV]		= 45000,
	[SDRP_D_CLOSE]		= 45000,
	[SDRP_D_RETRIES]	= 3,
	[SDRP_D_POLICY]		= SDRP_POLICY_CLOSE,
	[SDRP_D_MAX_ORPHANS]	= SDRP_DEFAULT_MAX_ORPHANS,
};

struct sdrp_sysctl_net {
	unsigned int defaults[SDRP_D_NUM];
	struct ctl_table *table;
	struct ctl_table_header *header;
};

static unsigned int sdrp_sysctl_net_id __read_mostly;

static unsigned int one = 1;
static unsigned int zero;
static unsigned int max_interval = SDRP_MAX_INTERVAL;
static unsigned int max_ms = SDRP_MAX_MS;
static unsigned int max_retries = SDRP_MAX_RETRIES;
static unsigned int policy_min = SDRP_POLICY_CLOSE;
static unsigned int policy_max = SDRP_POLICY_RESEND;
/* The orphan count is an atomic_t (stats.c). */
static unsigned int max_orphans = INT_MAX;

/* Each namespace's copy of the table points .data at its own slot. */
#define SDRP_SYSCTL(_name, _min, _max) {			\
	.procname	= _name,				\
	.maxlen		= sizeof(unsigned int),			\
	.mode		= 0644,					\
	.proc_handler	= proc_douintvec_minmax,		\
	.extra1		= _min,					\
	.extra2		= _max,					\
}

/* In slot order (enum above): sdrp_sysctl_net_init relies on it. */
static const struct ctl_table sdrp_sysctl_template[] = {
	SDRP_SYSCTL("rekey_interval", &one, &max_interval),
	SDRP_SYSCTL("ttl_ms", &one, &max_ms),
	SDRP_SYSCTL("clock_skew_ms", &zero, &max_ms),
	SDRP_SYSCTL("recv_timeout_ms", &one, &max_ms),
	SDRP_SYSCTL("close_timeout_ms", &one, &max_ms),
	SDRP_SYSCTL("max_retries", &one, &max_retries),
	SDRP_SYSCTL("policy", &policy_min, &policy_max),
	SDRP_SYSCTL("max_orphans", &zero, &max_orphans),
	SDRP_SYSCTL_END
};

static struct sdrp_sysctl_net *sdrp_sysctl_net(const struct net *net)
{
	return net_generic(net, sdrp_sysctl_net_id);
}

/* The defaults of a socket attaching in @net. */
void sdrp_params_default(const struct net *net, struct sdrp_params *p)
{
	const unsigned int *d = sdrp_sysctl_net(net)->defaults;

	p->rekey_interval = READ_ONCE(d[SDRP_D_INTERVAL]);
	p->ttl_ms = READ_ONCE(d[SDRP_D_TTL]);
	p->clock_skew_ms = READ_ONCE(d[SDRP_D_SKEW]);
	p->recv_timeout_ms = READ_ONCE(d[SDRP_D_RECV]);
	p->close_timeout_ms = READ_ONCE(d[SDRP_D_CLOSE]);
	p->max_retries = READ_ONCE(d[SDRP_D_RETRIES]);
	p->policy = READ_ONCE(d[SDRP_D_POLICY]);
	p->reserved = 0;
}

/* How many orphans @net may hold (0: every close() aborts). */
unsigned int sdrp_max_orphans(const struct net *net)
{
	return READ_ONCE(sdrp_sysctl_net(net)->defaults[SDRP_D_MAX_ORPHANS]);
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

static int __net_init sdrp_sysctl_net_init(struct net *net)
{
	struct sdrp_sysctl_net *sn = sdrp_sysctl_net(net);
	size_t i;

	memcpy(sn->defaults, sdrp_paper_defaults, sizeof(sn->defaults));
	sn->table = kmemdup(sdrp_sysctl_template,
			    sizeof(sdrp_sysctl_template), GFP_KERNEL);
	if (!sn->table)
		return -ENOMEM;
	for (i = 0; i < SDRP_D_NUM; i++)
		sn->table[i].data = &sn->defaults[i];

	sn->header = sdrp_register_net_sysctl(net, "net/sdrp", sn->table,
					      SDRP_D_NUM);
	if (!sn->header) {
		kfree(sn->table);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit sdrp_sysctl_net_exit(struct net *net)
{
	struct sdrp_sysctl_net *sn = sdrp_sysctl_net(net);

	unregister_net_sysctl_table(sn->header);
	kfree(sn->table);
}

static struct pernet_operations sdrp_sysctl_net_ops = {
	.init	= sdrp_sysctl_net_init,
	.exit	= sdrp_sysctl_net_exit,
	.id	= &sdrp_sysctl_net_id,
	.size	= sizeof(struct sdrp_sysctl_net),
};

int sdrp_sysctl_init(void)
{
	BUILD_BUG_ON(ARRAY_SIZE(sdrp_sysctl_template) < SDRP_D_NUM);
	return register_pernet_subsys(&sdrp_sysctl_net_ops);
}

void sdrp_sysctl_exit(void)
{
	unregister_pernet_subsys(&sdrp_sysctl_net_ops);
}
