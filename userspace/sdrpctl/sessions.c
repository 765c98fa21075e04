// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * sdrpctl sessions | status: what the kernel module reports through its
 * generic netlink family.  Without the module both fail with one clear
 * line; nothing here is ever made up.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sdrpctl.h"
#include "session.h"

static int open_family(struct sdrpctl_nl **nl, struct sdrpctl_kernel *k)
{
	int rc = sdrpctl_nl_open(nl, k);

	if (rc == -ENOENT)
		sdrpctl_err("sdrp generic netlink family not available: is the module loaded?");
	else if (rc == -EIO)
		sdrpctl_err("cannot query generic netlink (is netlink usable here?)");
	else if (rc)
		sdrpctl_err("cannot query generic netlink: %s", strerror(-rc));
	return rc;
}

static int list_sessions(struct sdrpctl_nl *nl, struct sdrpctl_session **v,
			 size_t *n)
{
	int rc = sdrpctl_nl_sessions(nl, v, n);

	if (rc == -EOPNOTSUPP)
		sdrpctl_err("the kernel's sdrp module does not list sessions (older module?)");
	else if (rc == -EPROTO)
		sdrpctl_err("the kernel sent a session this sdrpctl cannot decode");
	else if (rc)
		sdrpctl_err("cannot list sdrp sessions: %s", strerror(-rc));
	return rc;
}

/* Both commands take no argument but --help. */
static int no_args(int argc, char *argv[], const char *synopsis)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h') {
			sdrpctl_usage(stdout, argv[0], synopsis);
			return SDRPCTL_EXIT_OK;
		}
		return sdrpctl_usage(stderr, argv[0], synopsis);
	}
	if (optind != argc)
		return sdrpctl_usage(stderr, argv[0], synopsis);
	return -1;	/* go on */
}

int sdrpctl_sessions(int argc, char *argv[])
{
	struct sdrpctl_session *v = NULL;
	struct sdrpctl_nl *nl = NULL;
	struct sdrpctl_kernel k;
	size_t n = 0;
	int rc;

	rc = no_args(argc, argv, "[--help]");
	if (rc >= 0)
		return rc;
	rc = SDRPCTL_EXIT_FAIL;
	if (!open_family(&nl, &k) && !list_sessions(nl, &v, &n)) {
		sdrpctl_print_sessions(stdout, v, n);
		rc = SDRPCTL_EXIT_OK;
	}
	free(v);
	sdrpctl_nl_close(nl);
	return rc;
}

int sdrpctl_status(int argc, char *argv[])
{
	struct sdrpctl_session *v = NULL;
	struct sdrpctl_nl *nl = NULL;
	struct sdrpctl_kernel k;
	bool listed;
	size_t n = 0;
	int rc;

	rc = no_args(argc, argv, "[--help]");
	if (rc >= 0)
		return rc;
	if (open_family(&nl, &k))
		return SDRPCTL_EXIT_FAIL;
	listed = !list_sessions(nl, &v, &n);
	sdrpctl_print_status(stdout, &k, listed, v, n);
	free(v);
	sdrpctl_nl_close(nl);
	return listed ? SDRPCTL_EXIT_OK : SDRPCTL_EXIT_FAIL;
}
