// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * sdrpctl cert issue | show | verify.  Parsing, signing and checking are
 * libsdrp's; this file turns options into calls and results into text.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <time.h>

#include <sdrp/sdrp.h>

#include "sdrpctl.h"

#define CERT_DEFAULT_DAYS	365
/* A reason quoting two identities and a date. */
#define WHY_LEN			(2 * SDRP_IDENTITY_MAX + 128)

struct sdrp_cert *sdrpctl_cert_load(const char *path, const char *what)
{
	enum sdrp_err err = SDRP_ERR_NONE;
	struct sdrp_cert *c;
	int rc;

	rc = sdrp_cert_load(path, &c, &err);
	if (!rc)
		return c;
	if (err != SDRP_ERR_NONE)
		sdrpctl_err("%s '%s' is not a valid sdrp certificate (%s)",
			    what, path, sdrp_err_name(err));
	else
		sdrpctl_err("cannot read %s '%s': %s", what, path,
			    strerror(-rc));
	return NULL;
}

/* Why sdrp_cert_verify() refused @c, in the user's words. */
static void explain(enum sdrp_err err, const struct sdrp_cert *c,
		    const struct sdrp_cert *ca, const char *name,
		    char *buf, size_t size)
{
	char when[SDRPCTL_TIME_LEN];

	switch (err) {
	case SDRP_ERR_UNKNOWN_CA:
		snprintf(buf, size, "wrong CA: issued by '%s', not by '%s'",
			 c->issuer, ca->subject);
		break;
	case SDRP_ERR_CERT_SIGNATURE:
		snprintf(buf, size,
			 "bad signature: not signed by the key of CA '%s' (forged or altered)",
			 ca->subject);
		break;
	case SDRP_ERR_CERT_EXPIRED:
		sdrpctl_format_time(c->not_after, when);
		snprintf(buf, size, "expired: not after %s", when);
		break;
	case SDRP_ERR_CERT_NOT_YET_VALID:
		sdrpctl_format_time(c->not_before, when);
		snprintf(buf, size, "not yet valid: not before %s", when);
		break;
	case SDRP_ERR_IDENTITY:
		snprintf(buf, size, "wrong identity: '%s', expected '%s'",
			 c->subject, name ? name : "");
		break;
	default:
		snprintf(buf, size, "rejected (%s)", sdrp_err_name(err));
		break;
	}
}

/*
 * A CA certificate vouches for nothing unless it is self-signed by its own
 * key and valid at @at.
 */
static int ca_check(const struct sdrp_cert *ca, const char *path, uint64_t at)
{
	enum sdrp_err err = SDRP_ERR_NONE;
	char why[WHY_LEN];

	if (!sdrp_cert_verify(ca, ca, NULL, at, &err))
		return 0;
	if (err == SDRP_ERR_UNKNOWN_CA)
		snprintf(why, sizeof(why), "not self-signed (issued by '%s')",
			 ca->issuer);
	else
		explain(err, ca, ca, NULL, why, sizeof(why));
	sdrpctl_err("CA certificate '%s' is not a valid CA: %s", path, why);
	return -1;
}

/* ---- issue ------------------------------------------------------------- */

static const char cert_issue_usage[] =
	"--ca-key FILE --ca-cert FILE --name ID (--key FILE | --pubkey-from FILE)\n"
	"       [--days N | --not-after TIME] [--not-before TIME] [--serial N]\n"
	"       [--force] --out FILE";

struct issue_args {
	const char *ca_key, *ca_cert, *key, *pubkey_from, *serial;
	struct sdrpctl_validity validity;
	struct sdrp_cert_template t;
	struct sdrpctl_out out;
};

/*
 * The issuing CA: a self-signed certificate, and the key it certifies.
 */
static int load_ca(const struct issue_args *a, struct sdrp_privkey **key,
		   struct sdrp_cert **cert)
{
	*cert = sdrpctl_cert_load(a->ca_cert, "CA certificate");
	if (!*cert)
		return -1;
	/* Signature and self-issue, at its own start: whether the CA still
	 * covers the new certificate's validity is a warning below. */
	if (ca_check(*cert, a->ca_cert, (*cert)->not_before))
		return -1;
	if (sdrp_file_is_private(a->ca_key) == 0)
		sdrpctl_warn("CA key '%s' is readable by group or others",
			     a->ca_key);
	*key = sdrpctl_privkey_load(a->ca_key, "CA key");
	if (!*key)
		return -1;
	if (!sdrp_cert_matches_key(*cert, *key)) {
		sdrpctl_err("CA key '%s' is not the key of CA certificate '%s'",
			    a->ca_key, a->ca_cert);
		return -1;
	}
	return 0;
}

static int issue(struct issue_args *a)
{
	struct sdrp_privkey *ca_key = NULL, *subject_key = NULL;
	struct sdrp_cert *ca = NULL, *c = NULL;
	struct sdrp_pubkey *subject_pub = NULL;
	char when[SDRPCTL_TIME_LEN];
	int rc = -1;

	if (load_ca(a, &ca_key, &ca))
		goto out;
	/* Subject == issuer is how a CA certificate is recognised. */
	if (!strcmp(a->t.subject, ca->subject)) {
		sdrpctl_err("--name '%s' is the CA's own identity", a->t.subject);
		goto out;
	}
	a->t.issuer = ca->subject;
	if (a->t.not_after > ca->not_after) {
		sdrpctl_format_time(ca->not_after, when);
		sdrpctl_warn("the certificate outlives its CA (CA not after %s)",
			     when);
	}
	if (a->key) {
		subject_key = sdrpctl_privkey_load(a->key, "key");
		if (!subject_key)
			goto out;
		rc = sdrp_cert_create(&a->t, subject_key, ca_key, &c);
	} else {
		rc = sdrp_pubkey_load(a->pubkey_from, &subject_pub);
		if (rc) {
			sdrpctl_err("cannot read a public key from '%s': %s",
				    a->pubkey_from, rc == -EINVAL ?
				    "not an RSA public key (PEM) or sdrp certificate of an allowed size" :
				    strerror(-rc));
			goto out;
		}
		rc = sdrp_cert_create_pub(&a->t, subject_pub, ca_key, &c);
	}
	if (rc) {
		sdrpctl_err("cannot create the certificate: %s", strerror(-rc));
		goto out;
	}
	rc = sdrpctl_out_stage(&a->out, &sdrpctl_save_cert, c);
	if (!rc)
		rc = sdrpctl_out_place(&a->out);
out:
	sdrpctl_out_discard(&a->out, false);
	sdrp_cert_free(c);
	sdrp_pubkey_free(subject_pub);
	sdrp_privkey_free(subject_key);
	sdrp_cert_free(ca);
	sdrp_privkey_free(ca_key);
	return rc ? SDRPCTL_EXIT_FAIL : SDRPCTL_EXIT_OK;
}

static int cert_issue(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "ca-key",      required_argument, NULL, 'K' },
		{ "ca-cert",     required_argument, NULL, 'C' },
		{ "name",        required_argument, NULL, 'n' },
		{ "key",         required_argument, NULL, 'k' },
		{ "pubkey-from", required_argument, NULL, 'p' },
		{ "days",        required_argument, NULL, 'd' },
		{ "not-before",  required_argument, NULL, 'B' },
		{ "not-after",   required_argument, NULL, 'A' },
		{ "serial",      required_argument, NULL, 's' },
		{ "out",         required_argument, NULL, 'o' },
		{ "force",       no_argument,       NULL, 'f' },
		{ "help",        no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct issue_args a = { 0 };
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'K':
			a.ca_key = optarg;
			break;
		case 'C':
			a.ca_cert = optarg;
			break;
		case 'n':
			a.t.subject = optarg;
			break;
		case 'k':
			a.key = optarg;
			break;
		case 'p':
			a.pubkey_from = optarg;
			break;
		case 'd':
			a.validity.days = optarg;
			break;
		case 'B':
			a.validity.not_before = optarg;
			break;
		case 'A':
			a.validity.not_after = optarg;
			break;
		case 's':
			a.serial = optarg;
			break;
		case 'o':
			a.out.path = optarg;
			break;
		case 'f':
			a.out.force = true;
			break;
		case 'h':
			return sdrpctl_usage(stdout, argv[0], cert_issue_usage);
		default:
			return sdrpctl_usage(stderr, argv[0], cert_issue_usage);
		}
	}
	if (optind != argc || !a.ca_key || !a.ca_cert || !a.t.subject ||
	    !a.out.path || !a.key == !a.pubkey_from)
		return sdrpctl_usage(stderr, argv[0], cert_issue_usage);
	if (!sdrp_identity_valid(a.t.subject)) {
		sdrpctl_err("invalid --name '%s': 1..255 printable ASCII characters, no spaces",
			    a.t.subject);
		return SDRPCTL_EXIT_USAGE;
	}
	if (sdrpctl_validity_resolve(&a.validity, CERT_DEFAULT_DAYS,
				     &a.t.not_before, &a.t.not_after) ||
	    sdrpctl_serial_resolve(a.serial, &a.t.serial))
		return SDRPCTL_EXIT_USAGE;
	if (sdrpctl_out_check(&a.out))
		return SDRPCTL_EXIT_FAIL;
	return issue(&a);
}

/* ---- show -------------------------------------------------------------- */

static const char cert_show_usage[] = "FILE...";

static void show(FILE *out, const char *path, const struct sdrp_cert *c)
{
	uint8_t fp[SDRP_CERT_FINGERPRINT_LEN];
	char when[SDRPCTL_TIME_LEN];
	size_t i;

	fprintf(out, "file:        %s\n", path);
	fprintf(out, "subject:     %s\n", c->subject);
	fprintf(out, "issuer:      %s%s\n", c->issuer,
		strcmp(c->subject, c->issuer) ? "" : " (self-signed)");
	fprintf(out, "serial:      %llu (0x%016llx)\n",
		(unsigned long long)c->serial, (unsigned long long)c->serial);
	sdrpctl_format_time(c->not_before, when);
	fprintf(out, "not before:  %s\n", when);
	sdrpctl_format_time(c->not_after, when);
	fprintf(out, "not after:   %s\n", when);
	fprintf(out, "key:         RSA %u bits\n", sdrp_cert_key_bits(c));
	sdrp_cert_fingerprint(c, fp);
	fprintf(out, "fingerprint: ");
	for (i = 0; i < sizeof(fp); i++)
		fprintf(out, "%02x", fp[i]);
	fprintf(out, "\n");
}

static int cert_show(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt, i, rc = SDRPCTL_EXIT_OK;
	struct sdrp_cert *c;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			return sdrpctl_usage(stdout, argv[0], cert_show_usage);
		return sdrpctl_usage(stderr, argv[0], cert_show_usage);
	}
	if (optind == argc)
		return sdrpctl_usage(stderr, argv[0], cert_show_usage);
	for (i = optind; i < argc; i++) {
		c = sdrpctl_cert_load(argv[i], "certificate");
		if (!c) {
			rc = SDRPCTL_EXIT_FAIL;
			continue;
		}
		if (i > optind)
			fputc('\n', stdout);
		show(stdout, argv[i], c);
		sdrp_cert_free(c);
	}
	return rc;
}

/* ---- verify ------------------------------------------------------------ */

static const char cert_verify_usage[] =
	"--ca FILE [--name ID] [--at TIME] FILE";

static int verify(const char *ca_path, const char *path, const char *name,
		  uint64_t at)
{
	struct sdrp_cert *ca = NULL, *c = NULL;
	enum sdrp_err err = SDRP_ERR_NONE;
	char when[SDRPCTL_TIME_LEN];
	int rc = SDRPCTL_EXIT_FAIL;
	char why[WHY_LEN];

	ca = sdrpctl_cert_load(ca_path, "CA certificate");
	if (!ca || ca_check(ca, ca_path, at))
		goto out;
	c = sdrpctl_cert_load(path, "certificate");
	if (!c)
		goto out;
	if (sdrp_cert_verify(c, ca, name, at, &err)) {
		explain(err, c, ca, name, why, sizeof(why));
		sdrpctl_err("%s: %s", path, why);
		goto out;
	}
	sdrpctl_format_time(c->not_after, when);
	printf("%s: valid: '%s' issued by '%s', not after %s\n", path,
	       c->subject, c->issuer, when);
	rc = SDRPCTL_EXIT_OK;
out:
	sdrp_cert_free(c);
	sdrp_cert_free(ca);
	return rc;
}

static int cert_verify(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "ca",   required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "at",   required_argument, NULL, 'a' },
		{ "help", no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *ca = NULL, *name = NULL, *at_s = NULL;
	uint64_t at;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			ca = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'a':
			at_s = optarg;
			break;
		case 'h':
			return sdrpctl_usage(stdout, argv[0], cert_verify_usage);
		default:
			return sdrpctl_usage(stderr, argv[0], cert_verify_usage);
		}
	}
	if (!ca || argc - optind != 1)
		return sdrpctl_usage(stderr, argv[0], cert_verify_usage);
	if (name && !sdrp_identity_valid(name)) {
		sdrpctl_err("invalid --name '%s': 1..255 printable ASCII characters, no spaces",
			    name);
		return SDRPCTL_EXIT_USAGE;
	}
	at = (uint64_t)time(NULL);
	if (at_s && sdrpctl_parse_time(at_s, &at)) {
		sdrpctl_err("invalid --at '%s' (YYYY-MM-DD[THH:MM:SS] UTC or @SECONDS)",
			    at_s);
		return SDRPCTL_EXIT_USAGE;
	}
	return verify(ca, argv[optind], name, at);
}

static const struct sdrpctl_cmd cert_cmds[] = {
	{ "issue",  cert_issue,  "Issue a certificate signed by a CA" },
	{ "show",   cert_show,   "Print certificates in readable form" },
	{ "verify", cert_verify, "Check a certificate against a CA" },
};

int sdrpctl_cert(int argc, char *argv[])
{
	return sdrpctl_dispatch(argv[0], cert_cmds,
				SDRPCTL_ARRAY_SIZE(cert_cmds), argc, argv);
}
