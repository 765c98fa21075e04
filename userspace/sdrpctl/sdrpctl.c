// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * sdrpctl: PKI and inspection tool for sdrp.  The table below is the whole
 * command set; each group lives in its own file and prints its own usage.
 */
#include <errno.h>
#include <string.h>

#include "sdrpctl.h"

static const struct sdrpctl_cmd commands[] = {
	{ "ca",       sdrpctl_ca,       "Create a certificate authority" },
	{ "key",      sdrpctl_key,      "Generate an RSA key, print its public half" },
	{ "cert",     sdrpctl_cert,     "Issue, show and verify certificates" },
	{ "psk",      sdrpctl_psk,      "Generate a pre-shared secret (s0)" },
	{ "sessions", sdrpctl_sessions, "List the kernel's sdrp sessions" },
	{ "status",   sdrpctl_status,   "Show whether the sdrp module is usable" },
};

int main(int argc, char *argv[])
{
	int rc = sdrpctl_dispatch("sdrpctl", commands,
				  SDRPCTL_ARRAY_SIZE(commands), argc, argv);

	/* Output cut short (a full disk, a closed pipe) is a failure. */
	if (fflush(stdout) || ferror(stdout)) {
		sdrpctl_err("cannot write to standard output: %s",
			    strerror(errno));
		if (rc == SDRPCTL_EXIT_OK)
			rc = SDRPCTL_EXIT_FAIL;
	}
	return rc;
}
