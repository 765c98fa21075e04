// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Text output of "sdrpctl sessions" and "sdrpctl status", from plain data
 * (session.h); no netlink socket here, so tests feed it directly.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include <sdrp/sdrp.h>
#include <sdrp/peer.h>

#include "nl_sockaddr.h"
#include "sdrpctl.h"
#include "session.h"

static const char *const role_names[] = {
	[SDRP_ROLE_CLIENT] = "client",
	[SDRP_ROLE_SERVER] = "server",
};

static const char *const state_names[] = {
	[SDRP_STATE_NONE]	 = "none",
	[SDRP_STATE_HANDSHAKE]	 = "handshake",
	[SDRP_STATE_ESTABLISHED] = "established",
	[SDRP_STATE_REKEY]	 = "rekey",
	[SDRP_STATE_CLOSING]	 = "closing",
	[SDRP_STATE_CLOSED]	 = "closed",
};

const char *sdrpctl_role_name(uint32_t role)
{
	if (role >= SDRPCTL_ARRAY_SIZE(role_names) || !role_names[role])
		return "?";
	return role_names[role];
}

const char *sdrpctl_state_name(uint32_t state)
{
	if (state >= SDRPCTL_ARRAY_SIZE(state_names))
		return "?";
	return state_names[state];
}

void sdrpctl_print_sessions(FILE *out, const struct sdrpctl_session *v,
			    size_t n)
{
	char local[SDRP_SOCKADDR_STRLEN], remote[SDRP_SOCKADDR_STRLEN];
	const struct sdrpctl_session *s;
	size_t i;

	fprintf(out, "%-11s %-6s %-24s %-24s %-16s %5s %6s %19s %23s\n",
		"State", "Role", "Local", "Remote", "Peer", "Epoch", "Rekeys",
		"Records tx/rx", "Bytes tx/rx");
	for (i = 0; i < n; i++) {
		s = &v[i];
		sdrp_sockaddr_format(&s->local, local, sizeof(local));
		sdrp_sockaddr_format(&s->remote, remote, sizeof(remote));
		fprintf(out, "%-11s %-6s %-24s %-24s %-16s %5u %6llu %9llu/%-9llu %11llu/%-11llu",
			sdrpctl_state_name(s->state),
			sdrpctl_role_name(s->role), local, remote,
			s->peer_identity[0] ? s->peer_identity : "-",
			s->epoch, (unsigned long long)s->rekeys,
			(unsigned long long)s->records_tx,
			(unsigned long long)s->records_rx,
			(unsigned long long)s->bytes_tx,
			(unsigned long long)s->bytes_rx);
		/* Why it ended, and what the application's calls return. */
		if (s->close_reason != SDRP_CLOSE_NONE)
			fprintf(out, " reason:%s errno:%s",
				sdrp_close_reason_name(s->close_reason),
				s->close_errno ?
				strerrorname_np((int)s->close_errno) : "0");
		fputc('\n', out);
	}
}

void sdrpctl_print_status(FILE *out, const struct sdrpctl_kernel *k,
			  bool listed, const struct sdrpctl_session *v,
			  size_t n)
{
	/* One counter per known state, the last for values not known. */
	size_t by_state[SDRPCTL_ARRAY_SIZE(state_names) + 1] = { 0 };
	const size_t unknown = SDRPCTL_ARRAY_SIZE(state_names);
	const char *sep = " (";
	size_t i;

	fprintf(out, "module:   loaded (generic netlink family \"%s\", id %u, version %u)\n",
		SDRP_FAMILY_NAME, k->family_id, k->family_version);
	if (!listed)
		return;
	for (i = 0; i < n; i++)
		by_state[v[i].state < unknown ? v[i].state : unknown]++;
	fprintf(out, "sessions: %zu", n);
	for (i = 0; i <= unknown; i++) {
		if (!by_state[i])
			continue;
		fprintf(out, "%s%s %zu", sep,
			i < unknown ? state_names[i] : "unknown", by_state[i]);
		sep = ", ";
	}
	fprintf(out, "%s\n", n ? ")" : "");
}
