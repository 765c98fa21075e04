// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * sdrpctl psk gen: a fresh pre-shared secret s0 in an s0 file (64 hex
 * digits and a newline), mode 0600.
 */
#include <getopt.h>
#include <string.h>

#include <sdrp/sdrp.h>

#include "sdrpctl.h"

static const char psk_gen_usage[] = "[--force] FILE";

static int psk_gen(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help",  no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sdrpctl_out out = { 0 };
	uint8_t s0[SDRP_S0_LEN];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			out.force = true;
			break;
		case 'h':
			return sdrpctl_usage(stdout, argv[0], psk_gen_usage);
		default:
			return sdrpctl_usage(stderr, argv[0], psk_gen_usage);
		}
	}
	if (argc - optind != 1)
		return sdrpctl_usage(stderr, argv[0], psk_gen_usage);
	out.path = argv[optind];

	if (sdrpctl_out_check(&out))
		return SDRPCTL_EXIT_FAIL;
	rc = sdrp_s0_generate(s0);
	if (rc) {
		sdrpctl_err("cannot generate s0: %s", strerror(-rc));
		return SDRPCTL_EXIT_FAIL;
	}
	rc = SDRPCTL_EXIT_FAIL;
	if (!sdrpctl_out_stage(&out, &sdrpctl_save_s0, s0) &&
	    !sdrpctl_out_place(&out)) {
		sdrpctl_warn_if_exposed(out.path);
		rc = SDRPCTL_EXIT_OK;
	}
	sdrpctl_out_discard(&out, false);
	sdrp_wipe(s0, sizeof(s0));
	return rc;
}

static const struct sdrpctl_cmd psk_cmds[] = {
	{ "gen", psk_gen, "Generate a pre-shared secret s0 (mode 0600)" },
};

int sdrpctl_psk(int argc, char *argv[])
{
	return sdrpctl_dispatch(argv[0], psk_cmds,
				SDRPCTL_ARRAY_SIZE(psk_cmds), argc, argv);
}
