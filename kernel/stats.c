// SPDX-License-Identifier: GPL-2.0
/*
 * Per-network-namespace counters, shown in /proc/net/sdrp_stat.
 *
 * Counters are per-CPU so the data path never bounces a shared cache line;
 * a reader sums them.  Gauges such as the current session count are
 * incremented and decremented on whichever CPU runs, so a single CPU's
 * value may be negative: only the sum is meaningful.
 *
 * The orphan gauge is the exception: close() must compare it with
 * net.sdrp.max_orphans and take a slot in one step, so it is one atomic
 * per namespace (orphans are few and short-lived; no hot path reads it).
 */
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "sdrp.h"

struct sdrp_mib {
	long items[SDRP_STAT_NUM];
};

struct sdrp_net {
	struct sdrp_mib __percpu *mib;
	atomic_t orphans;	/* SdrpCurrOrphans */
};

static unsigned int sdrp_net_id __read_mostly;

static const char *const sdrp_stat_names[SDRP_STAT_NUM] = {
	[SDRP_STAT_CURR_SESSIONS]	= "SdrpCurrSessions",
	[SDRP_STAT_CURR_ORPHANS]	= "SdrpCurrOrphans",
	[SDRP_STAT_ESTABLISHED]		= "SdrpEstablished",
	[SDRP_STAT_RECORDS_IN]		= "SdrpRecordsIn",
	[SDRP_STAT_RECORDS_OUT]		= "SdrpRecordsOut",
	[SDRP_STAT_REKEYS]		= "SdrpRekeys",
	[SDRP_STAT_RESEND_OUT]		= "SdrpResendLastOut",
	[SDRP_STAT_RESEND_IN]		= "SdrpResendLastIn",
	[SDRP_STAT_ORPHANS_REFUSED]	= "SdrpOrphansRefused",
	/* one per close reason, in enum sdrp_close_reason order */
	[SDRP_STAT_CLOSE_FIRST + 0]	= "SdrpCloseLocal",
	[SDRP_STAT_CLOSE_FIRST + 1]	= "SdrpClosePeer",
	[SDRP_STAT_CLOSE_FIRST + 2]	= "SdrpClosePeerNoAck",
	[SDRP_STAT_CLOSE_FIRST + 3]	= "SdrpCloseNoAck",
	[SDRP_STAT_CLOSE_FIRST + 4]	= "SdrpCloseBadMac",
	[SDRP_STAT_CLOSE_FIRST + 5]	= "SdrpCloseBadSeq",
	[SDRP_STAT_CLOSE_FIRST + 6]	= "SdrpCloseStaleTtl",
	[SDRP_STAT_CLOSE_FIRST + 7]	= "SdrpCloseFutureTtl",
	[SDRP_STAT_CLOSE_FIRST + 8]	= "SdrpCloseOldEpoch",
	[SDRP_STAT_CLOSE_FIRST + 9]	= "SdrpCloseBadType",
	[SDRP_STAT_CLOSE_FIRST + 10]	= "SdrpCloseMalformed",
	[SDRP_STAT_CLOSE_FIRST + 11]	= "SdrpCloseTimeout",
	[SDRP_STAT_CLOSE_FIRST + 12]	= "SdrpCloseRetries",
	[SDRP_STAT_CLOSE_FIRST + 13]	= "SdrpCloseTransport",
	[SDRP_STAT_CLOSE_FIRST + 14]	= "SdrpCloseAuth",
	[SDRP_STAT_CLOSE_FIRST + 15]	= "SdrpCloseInternal",
	[SDRP_STAT_RX_BAD_HEADER]	= "SdrpRxBadHeader",
	[SDRP_STAT_RX_OLD_EPOCH]	= "SdrpRxOldEpoch",
	[SDRP_STAT_RX_BAD_MAC]		= "SdrpRxBadMac",
	[SDRP_STAT_RX_BAD_LAYOUT]	= "SdrpRxBadLayout",
	[SDRP_STAT_RX_BAD_TYPE]		= "SdrpRxBadType",
	[SDRP_STAT_RX_BAD_SEQ]		= "SdrpRxBadSeq",
	[SDRP_STAT_RX_STALE_TTL]	= "SdrpRxStaleTtl",
	[SDRP_STAT_RX_FUTURE_TTL]	= "SdrpRxFutureTtl",
	[SDRP_STAT_HS_STARTED]		= "SdrpHsStarted",
	[SDRP_STAT_HS_DONE]		= "SdrpHsDone",
	[SDRP_STAT_HS_NO_DAEMON]	= "SdrpHsNoDaemon",
	[SDRP_STAT_HS_BAD_ANSWER]	= "SdrpHsBadAnswer",
	[SDRP_STAT_HS_CANCELLED]	= "SdrpHsCancelled",
	/* one per handshake failure, in enum sdrp_hs_error order */
	[SDRP_STAT_HS_ERR_FIRST + 0]	= "SdrpHsErrMalformed",
	[SDRP_STAT_HS_ERR_FIRST + 1]	= "SdrpHsErrBadMac",
	[SDRP_STAT_HS_ERR_FIRST + 2]	= "SdrpHsErrUnknownCa",
	[SDRP_STAT_HS_ERR_FIRST + 3]	= "SdrpHsErrCertSignature",
	[SDRP_STAT_HS_ERR_FIRST + 4]	= "SdrpHsErrCertExpired",
	[SDRP_STAT_HS_ERR_FIRST + 5]	= "SdrpHsErrCertNotYetValid",
	[SDRP_STAT_HS_ERR_FIRST + 6]	= "SdrpHsErrIdentity",
	[SDRP_STAT_HS_ERR_FIRST + 7]	= "SdrpHsErrHelloSignature",
	[SDRP_STAT_HS_ERR_FIRST + 8]	= "SdrpHsErrWeakDh",
	[SDRP_STAT_HS_ERR_FIRST + 9]	= "SdrpHsErrStaleTtl",
	[SDRP_STAT_HS_ERR_FIRST + 10]	= "SdrpHsErrFutureTtl",
	[SDRP_STAT_HS_ERR_FIRST + 11]	= "SdrpHsErrBadSeq",
	[SDRP_STAT_HS_ERR_FIRST + 12]	= "SdrpHsErrReplay",
	[SDRP_STAT_HS_ERR_FIRST + 13]	= "SdrpHsErrNoCredentials",
	[SDRP_STAT_HS_ERR_FIRST + 14]	= "SdrpHsErrPeerRefused",
	[SDRP_STAT_HS_ERR_FIRST + 15]	= "SdrpHsErrLostState",
	[SDRP_STAT_HS_ERR_FIRST + 16]	= "SdrpHsErrTimeout",
	[SDRP_STAT_HS_ERR_FIRST + 17]	= "SdrpHsErrInternal",
};

static struct sdrp_net *sdrp_net(struct net *net)
{
	return net_generic(net, sdrp_net_id);
}

void sdrp_stats_inc(struct net *net, enum sdrp_stat_item item)
{
	this_cpu_inc(sdrp_net(net)->mib->items[item]);
}

void sdrp_stats_dec(struct net *net, enum sdrp_stat_item item)
{
	this_cpu_dec(sdrp_net(net)->mib->items[item]);
}

/*
 * Take an orphan slot in @net unless it holds net.sdrp.max_orphans of them
 * already (a lowered limit refuses until enough orphans ended).
 */
bool sdrp_orphans_charge(struct net *net)
{
	atomic_t *orphans = &sdrp_net(net)->orphans;
	unsigned int max = sdrp_max_orphans(net);
	int cur = atomic_read(orphans);

	do {
		if ((unsigned int)cur >= max)
			return false;
	} while (!atomic_try_cmpxchg(orphans, &cur, cur + 1));
	return true;
}

void sdrp_orphans_uncharge(struct net *net)
{
	atomic_dec(&sdrp_net(net)->orphans);
}

static_assert(SDRP_CLOSE_LOCAL == 1 && SDRP_CLOSE_INTERNAL == 16);
static_assert(SDRP_HS_ERROR_MALFORMED == 1 && SDRP_HS_ERROR_INTERNAL == 18);

static int sdrp_stat_show(struct seq_file *seq, void *v)
{
	struct sdrp_net *sn = sdrp_net(seq_file_single_net(seq));
	long sum[SDRP_STAT_NUM] = {};
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct sdrp_mib *mib = per_cpu_ptr(sn->mib, cpu);

		for (i = 0; i < SDRP_STAT_NUM; i++)
			sum[i] += READ_ONCE(mib->items[i]);
	}
	sum[SDRP_STAT_CURR_ORPHANS] = atomic_read(&sn->orphans);
	for (i = 0; i < SDRP_STAT_NUM; i++)
		seq_printf(seq, "%-32s\t%ld\n", sdrp_stat_names[i], sum[i]);
	return 0;
}

static int __net_init sdrp_net_init(struct net *net)
{
	struct sdrp_net *sn = sdrp_net(net);

	sn->mib = alloc_percpu(struct sdrp_mib);
	if (!sn->mib)
		return -ENOMEM;

	if (!proc_create_net_single("sdrp_stat", 0444, net->proc_net,
				    sdrp_stat_show, NULL)) {
		free_percpu(sn->mib);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit sdrp_net_exit(struct net *net)
{
	remove_proc_entry("sdrp_stat", net->proc_net);
	free_percpu(sdrp_net(net)->mib);
}

static struct pernet_operations sdrp_net_ops = {
	.init	= sdrp_net_init,
	.exit	= sdrp_net_exit,
	.id	= &sdrp_net_id,
	.size	= sizeof(struct sdrp_net),
};

int sdrp_stats_init(void)
{
	return register_pernet_subsys(&sdrp_net_ops);
}

void sdrp_stats_exit(void)
{
	unregister_pernet_subsys(&sdrp_net_ops);
}
