// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The generic netlink backend of "sdrpctl sessions" and "sdrpctl status"
 * (libnl-genl-3).  It resolves the family "sdrp" of the kernel module and
 * fills the plain structures of session.h; printing is session_fmt.c's.
 */
#include <errno.h>
#include <stdlib.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>

#include "session.h"

struct sdrpctl_nl {
	struct nl_sock *sock;
	int family;
};

int sdrpctl_nl_open(struct sdrpctl_nl **out, struct sdrpctl_kernel *k)
{
	struct nl_cache *cache = NULL;
	struct genl_family *fam;
	struct sdrpctl_nl *nl;
	int id, rc;

	*out = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->sock = nl_socket_alloc();
	if (!nl->sock) {
		rc = -ENOMEM;
		goto err;
	}
	rc = genl_connect(nl->sock);
	if (rc < 0) {
		rc = -EIO;
		goto err;
	}
	id = genl_ctrl_resolve(nl->sock, SDRPCTL_GENL_NAME);
	if (id < 0) {
		rc = id == -NLE_OBJ_NOTFOUND ? -ENOENT : -EIO;
		goto err;
	}
	nl->family = id;
	k->family_id = (uint16_t)id;
	/* The version only informs: a family without one still works. */
	k->family_version = 0;
	if (!genl_ctrl_alloc_cache(nl->sock, &cache)) {
		fam = genl_ctrl_search_by_name(cache, SDRPCTL_GENL_NAME);
		if (fam) {
			k->family_version =
				(uint32_t)genl_family_get_version(fam);
			genl_family_put(fam);
		}
		nl_cache_free(cache);
	}
	*out = nl;
	return 0;
err:
	sdrpctl_nl_close(nl);
	return rc;
}

int sdrpctl_nl_sessions(struct sdrpctl_nl *nl, struct sdrpctl_session **v,
			size_t *n)
{
	(void)nl;
	*v = NULL;
	*n = 0;
	/*
	 * The session dump's command and attribute numbers belong to
	 * <linux/sdrp_netlink.h>, generated from the family's YNL spec, which
	 * the kernel side has not published yet.  Until this file decodes
	 * that dump, a kernel that has the family is reported as not
	 * understood: sdrpctl never invents sessions.
	 */
	return -EOPNOTSUPP;
}

void sdrpctl_nl_close(struct sdrpctl_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sock);
	free(nl);
}
