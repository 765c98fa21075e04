#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# VM test: sdrp-bench --smoke, a few hundred milliseconds per transport,
# responses checked byte by byte, one handshake of each kind (the kernel's
# through an sdrpd on each of two hosts, once alone and twice at once); a
# transport whose kernel support is missing is a SKIP with the reason, any
# other failure a "not ok".  Needs sdrp-bench, sdrpd and sdrpctl in the
# guest (VM_PROGS).
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/two_hosts.sh"
. "$(dirname "$0")/lib/sdrpd_hosts.sh"
. "$(dirname "$0")/lib/bench_hosts.sh"

modprobe tls 2>/dev/null
bench_hosts_setup || tap_diag "bench_smoke: the two hosts with sdrpd are not set up"
# shellcheck disable=SC2086 # options, split on purpose
sdrp-bench --smoke $BENCH_HS_ARGS
rc=$?
# the daemons' logs explain a failure (sdrpd_hosts.sh prints them at exit)
[ "$rc" -eq 0 ] || tap_failed=1
exit "$rc"
