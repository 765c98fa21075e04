// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * sdrpctl key gen: a fresh RSA private key in a PKCS#8 PEM file, mode 0600.
 * sdrpctl key pub: its public half, for a CA that certifies it without
 * seeing the private key (cert issue --pubkey-from).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <sdrp/sdrp.h>

#include "sdrpctl.h"

int sdrpctl_privkey_generate(const char *bits, struct sdrp_privkey **k)
{
	unsigned int n = SDRP_DEFAULT_RSA_BITS;
	int rc;

	if (bits && sdrpctl_parse_uint(bits, 1, SDRP_RSA_MAX_BITS, &n))
		n = 0;	/* refused below, with the allowed range */
	rc = n ? sdrp_privkey_generate(n, k) : -EINVAL;
	if (rc == -EINVAL && bits) {
		sdrpctl_err("invalid --bits '%s': RSA keys have %u..%u bits, a multiple of 8",
			    bits, SDRP_RSA_MIN_BITS, SDRP_RSA_MAX_BITS);
		return SDRPCTL_EXIT_USAGE;
	}
	if (rc) {
		sdrpctl_err("cannot generate an RSA key: %s", strerror(-rc));
		return SDRPCTL_EXIT_FAIL;
	}
	return SDRPCTL_EXIT_OK;
}

struct sdrp_privkey *sdrpctl_privkey_load(const char *path, const char *what)
{
	struct sdrp_privkey *k;
	int rc;

	rc = sdrp_privkey_load(path, &k);
	if (rc == -EINVAL)
		sdrpctl_err("%s '%s' is not an unencrypted RSA private key of %u..%u bits",
			    what, path, SDRP_RSA_MIN_BITS, SDRP_RSA_MAX_BITS);
	else if (rc)
		sdrpctl_err("cannot read %s '%s': %s", what, path,
			    strerror(-rc));
	return rc ? NULL : k;
}

static const char key_gen_usage[] = "[--bits BITS] [--force] FILE";

static int key_gen(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "bits",  required_argument, NULL, 'b' },
		{ "force", no_argument,       NULL, 'f' },
		{ "help",  no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sdrpctl_out out = { 0 };
	struct sdrp_privkey *k = NULL;
	const char *bits = NULL;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			bits = optarg;
			break;
		case 'f':
			out.force = true;
			break;
		case 'h':
			return sdrpctl_usage(stdout, argv[0], key_gen_usage);
		default:
			return sdrpctl_usage(stderr, argv[0], key_gen_usage);
		}
	}
	if (argc - optind != 1)
		return sdrpctl_usage(stderr, argv[0], key_gen_usage);
	out.path = argv[optind];

	if (sdrpctl_out_check(&out))
		return SDRPCTL_EXIT_FAIL;
	rc = sdrpctl_privkey_generate(bits, &k);
	if (rc)
		return rc;
	rc = SDRPCTL_EXIT_FAIL;
	if (!sdrpctl_out_stage(&out, &sdrpctl_save_privkey, k) &&
	    !sdrpctl_out_place(&out)) {
		sdrpctl_warn_if_exposed(out.path);
		rc = SDRPCTL_EXIT_OK;
	}
	sdrpctl_out_discard(&out, false);
	sdrp_privkey_free(k);
	return rc;
}

static const char key_pub_usage[] = "FILE";

static int key_pub(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sdrp_privkey *k;
	char *pem;
	size_t len;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			return sdrpctl_usage(stdout, argv[0], key_pub_usage);
		return sdrpctl_usage(stderr, argv[0], key_pub_usage);
	}
	if (argc - optind != 1)
		return sdrpctl_usage(stderr, argv[0], key_pub_usage);
	k = sdrpctl_privkey_load(argv[optind], "key");
	if (!k)
		return SDRPCTL_EXIT_FAIL;
	rc = sdrp_privkey_public_pem(k, &pem, &len);
	sdrp_privkey_free(k);
	if (rc) {
		sdrpctl_err("cannot encode the public key: %s", strerror(-rc));
		return SDRPCTL_EXIT_FAIL;
	}
	rc = fwrite(pem, 1, len, stdout) == len && !fflush(stdout);
	free(pem);
	if (!rc) {
		sdrpctl_err("cannot write the public key: %s", strerror(errno));
		return SDRPCTL_EXIT_FAIL;
	}
	return SDRPCTL_EXIT_OK;
}

static const struct sdrpctl_cmd key_cmds[] = {
	{ "gen", key_gen, "Generate an RSA private key (PKCS#8 PEM, mode 0600)" },
	{ "pub", key_pub, "Print the public key of a private key (PEM)" },
};

int sdrpctl_key(int argc, char *argv[])
{
	return sdrpctl_dispatch(argv[0], key_cmds,
				SDRPCTL_ARRAY_SIZE(key_cmds), argc, argv);
}
