// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * libFuzzer: the configuration parser on arbitrary text.  It must accept
 * or refuse with a message, never read out of bounds or leak.
 */
#include <errno.h>
#include <stdlib.h>

#include "sdrpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdrpd_config *c = NULL;
	char *err = NULL;
	int rc;

	rc = sdrpd_config_parse((const char *)data, size, "fuzz.conf", &c,
				&err);
	if ((rc == 0) != (c != NULL) || (rc && rc != -ENOMEM && !err))
		abort();
	sdrpd_config_put(c);
	free(err);
	return 0;
}
