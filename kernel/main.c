// SPDX-License-Identifier: GPL-2.0
/*
 * sdrp: Secure Data Request Protocol as a TCP upper-layer protocol.
 *
 * Module init and exit only: each step is undone in reverse order.
 */
#include <linux/module.h>
#include <linux/workqueue.h>

#include "sdrp.h"

struct workqueue_struct *sdrp_wq;

static bool selftest;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest,
		 "Check the key schedule and record test vectors at load");

static int __init sdrp_init(void)
{
	int err;

	err = sdrp_crypto_init();
	if (err)
		return err;

	if (selftest) {
		err = sdrp_selftest();
		if (err)
			goto err_crypto;
	}

	/*
	 * Session work: crypto and TCP sends under lock_sock, may sleep.
	 * Per-CPU, so that a record is processed on the CPU that received it.
	 */
	sdrp_wq = alloc_workqueue("sdrp", WQ_MEM_RECLAIM, 0);
	if (!sdrp_wq) {
		err = -ENOMEM;
		goto err_crypto;
	}

	err = sdrp_sysctl_init();
	if (err)
		goto err_wq;

	/* Per-netns state first: an attached socket counts itself in it. */
	err = sdrp_stats_init();
	if (err)
		goto err_sysctl;

	err = sdrp_hs_init();
	if (err)
		goto err_stats;

	/* The family last: its handlers use the namespaces' state above. */
	err = sdrp_nl_init();
	if (err)
		goto err_hs;

	err = sdrp_ulp_init();
	if (err)
		goto err_nl;

	return 0;

err_nl:
	sdrp_nl_exit();
err_hs:
	sdrp_hs_exit();
err_stats:
	sdrp_stats_exit();
err_sysctl:
	sdrp_sysctl_exit();
err_wq:
	destroy_workqueue(sdrp_wq);
err_crypto:
	sdrp_crypto_exit();
	return err;
}

static void __exit sdrp_exit(void)
{
	/*
	 * No socket holds the ULP here: each one pins the module through
	 * tcp_ulp_ops.owner until it is destroyed, and its teardown
	 * cancelled its work.  An orphan's last work item (ulp.c) may still
	 * be on its way out of TCP's close, which can drop that pin: wait
	 * for it before anything it could touch goes away.
	 */
	sdrp_ulp_exit();
	drain_workqueue(sdrp_wq);
	/* After the orphans: their release leaves the SESSIONS list. */
	sdrp_nl_exit();
	sdrp_hs_exit();
	sdrp_stats_exit();
	sdrp_sysctl_exit();
	destroy_workqueue(sdrp_wq);
	sdrp_crypto_exit();
}

module_init(sdrp_init);
module_exit(sdrp_exit);

MODULE_DESCRIPTION("sdrp: Secure Data Request Protocol TCP ULP");
MODULE_LICENSE("GPL");
/* Loaded by name through the crypto API, so not found by depmod. */
MODULE_SOFTDEP("pre: gcm ctr ghash-generic hmac sha512");
