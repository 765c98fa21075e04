// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test at module load (module parameter selftest=1).
 */
#include "sdrp.h"

int sdrp_selftest(void)
{
	return 0;
}
