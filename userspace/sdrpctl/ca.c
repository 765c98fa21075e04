// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * sdrpctl ca init: a CA key and its self-signed certificate.  Both files
 * appear together or not at all.
 */
#include <getopt.h>
#include <string.h>

#include <sdrp/sdrp.h>

#include "sdrpctl.h"

/* A CA outlives the certificates it issues (365 days by default). */
#define CA_DEFAULT_DAYS		3650

static const char ca_init_usage[] =
	"--name ID [--bits BITS] [--days N | --not-after TIME] [--not-before TIME]\n"
	"       [--serial N] [--force] --key FILE --cert FILE";

static int ca_init(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "name",       required_argument, NULL, 'n' },
		{ "bits",       required_argument, NULL, 'b' },
		{ "days",       required_argument, NULL, 'd' },
		{ "not-before", required_argument, NULL, 'B' },
		{ "not-after",  required_argument, NULL, 'A' },
		{ "serial",     required_argument, NULL, 's' },
		{ "key",        required_argument, NULL, 'k' },
		{ "cert",       required_argument, NULL, 'c' },
		{ "force",      no_argument,       NULL, 'f' },
		{ "help",       no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sdrpctl_out key_out = { 0 }, cert_out = { 0 };
	struct sdrpctl_validity validity = { 0 };
	struct sdrp_cert_template t = { 0 };
	const char *bits = NULL, *serial = NULL;
	struct sdrp_privkey *k = NULL;
	struct sdrp_cert *c = NULL;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			t.subject = optarg;
			break;
		case 'b':
			bits = optarg;
			break;
		case 'd':
			validity.days = optarg;
			break;
		case 'B':
			validity.not_before = optarg;
			break;
		case 'A':
			validity.not_after = optarg;
			break;
		case 's':
			serial = optarg;
			break;
		case 'k':
			key_out.path = optarg;
			break;
		case 'c':
			cert_out.path = optarg;
			break;
		case 'f':
			key_out.force = cert_out.force = true;
			break;
		case 'h':
			return sdrpctl_usage(stdout, argv[0], ca_init_usage);
		default:
			return sdrpctl_usage(stderr, argv[0], ca_init_usage);
		}
	}
	if (optind != argc || !t.subject || !key_out.path || !cert_out.path)
		return sdrpctl_usage(stderr, argv[0], ca_init_usage);
	if (!sdrp_identity_valid(t.subject)) {
		sdrpctl_err("invalid --name '%s': 1..255 printable ASCII characters, no spaces",
			    t.subject);
		return SDRPCTL_EXIT_USAGE;
	}
	if (!strcmp(key_out.path, cert_out.path)) {
		sdrpctl_err("--key and --cert name the same file");
		return SDRPCTL_EXIT_USAGE;
	}
	t.issuer = t.subject;
	if (sdrpctl_validity_resolve(&validity, CA_DEFAULT_DAYS,
				     &t.not_before, &t.not_after) ||
	    sdrpctl_serial_resolve(serial, &t.serial))
		return SDRPCTL_EXIT_USAGE;
	if (sdrpctl_out_check(&key_out) || sdrpctl_out_check(&cert_out))
		return SDRPCTL_EXIT_FAIL;

	rc = sdrpctl_privkey_generate(bits, &k);
	if (rc)
		return rc;
	rc = sdrp_cert_create(&t, k, k, &c);
	if (rc) {
		sdrpctl_err("cannot create the CA certificate: %s",
			    strerror(-rc));
		goto out;
	}
	rc = -1;
	if (sdrpctl_out_stage(&key_out, &sdrpctl_save_privkey, k) ||
	    sdrpctl_out_stage(&cert_out, &sdrpctl_save_cert, c) ||
	    sdrpctl_out_place(&key_out) || sdrpctl_out_place(&cert_out))
		goto out;
	sdrpctl_warn_if_exposed(key_out.path);
	rc = 0;
out:
	/* A key without its certificate would only confuse: remove both. */
	sdrpctl_out_discard(&cert_out, rc != 0);
	sdrpctl_out_discard(&key_out, rc != 0);
	sdrp_cert_free(c);
	sdrp_privkey_free(k);
	return rc ? SDRPCTL_EXIT_FAIL : SDRPCTL_EXIT_OK;
}

static const struct sdrpctl_cmd ca_cmds[] = {
	{ "init", ca_init, "Create a CA key and its self-signed certificate" },
};

int sdrpctl_ca(int argc, char *argv[])
{
	return sdrpctl_dispatch(argv[0], ca_cmds, SDRPCTL_ARRAY_SIZE(ca_cmds),
				argc, argv);
}
