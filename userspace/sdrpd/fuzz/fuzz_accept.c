// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * libFuzzer: an ACCEPT reply whose attributes are arbitrary bytes, as a
 * broken or hostile kernel could send them, through the daemon's parser.
 */
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <linux/sdrp_netlink.h>

#include "sdrpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdrpd_request r;
	struct nl_msg *m;

	memset(&r, 0, sizeof(r));
	if (size > 65536)
		return 0;
	m = nlmsg_alloc_size(size + 256);
	if (!m)
		return 0;
	if (genlmsg_put(m, 0, 1, 0x42, 0, 0, SDRP_CMD_ACCEPT,
			SDRP_FAMILY_VERSION) &&
	    !nlmsg_append(m, (void *)data, size, 0) &&
	    !sdrpd_nl_parse_accept(m, &r)) {
		/* What the parser promises: a valid identity, a record. */
		if ((r.has_peer_identity &&
		     !sdrp_identity_valid(r.peer_identity)) ||
		    (r.record_len && !r.record) ||
		    r.record_len > SDRP_HELLO_RECORD_MAX)
			abort();
	}
	free(r.record);
	nlmsg_free(m);
	return 0;
}
