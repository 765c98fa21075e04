// SPDX-License-Identifier: GPL-2.0
/*
 * sdrp: Secure Data Request Protocol as a TCP upper-layer protocol.
 *
 * Module init and exit only: each step is undone in reverse order.
 */
#include <linux/module.h>

#include "sdrp.h"

static int __init sdrp_init(void)
{
	int err;

	/* Per-netns state first: an attached socket counts itself in it. */
	err = sdrp_stats_init();
	if (err)
		return err;

	err = sdrp_ulp_init();
	if (err)
		goto err_stats;

	return 0;

err_stats:
	sdrp_stats_exit();
	return err;
}

static void __exit sdrp_exit(void)
{
	/*
	 * No socket holds the ULP here: each one pins the module through
	 * tcp_ulp_ops.owner until it is destroyed.
	 */
	sdrp_ulp_exit();
	sdrp_stats_exit();
}

module_init(sdrp_init);
module_exit(sdrp_exit);

MODULE_DESCRIPTION("sdrp: Secure Data Request Protocol TCP ULP");
MODULE_LICENSE("GPL");
