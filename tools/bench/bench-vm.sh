#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# The benchmark inside the test VM (run by tools/bench/run.sh through the
# VM runner), after lib/bench_hosts.sh's setup: the crypto modules, and
# two hosts with an sdrpd each for the handshakes.  Kernel command line
# parameters (the guest's init hands them to us as variables):
#
#   sdrp_bench_args=--reps+1   sdrp-bench's options, '+' for spaces
#   sdrp_bench_perf=1          make bench-profile: sdrp-bench under
#                              perf record over the whole guest
#                              (cpu-clock, the only event TCG offers; call
#                              graphs), then perf report
#
# make bench: sdrp-bench's raw results between SDRP-BENCH-BEGIN and
# SDRP-BENCH-END on the TAP channel, where the host picks them up, and one
# TAP result for the run.  make bench-profile: perf's report there.
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/two_hosts.sh"
. "$(dirname "$0")/lib/sdrpd_hosts.sh"
. "$(dirname "$0")/lib/bench_hosts.sh"

bench_guest_modules
bench_hosts_setup ||
	echo "# the two hosts with sdrpd are not set up: the daemon handshake fails"
args="$(echo "${sdrp_bench_args:-}" | tr + ' ') $BENCH_HS_ARGS"

if [ -z "${sdrp_bench_perf:-}" ]; then
	# shellcheck disable=SC2086 # options, split on purpose
	if sdrp-bench $args; then
		tap_ok "sdrp-bench full run"
	else
		tap_fail "sdrp-bench full run (exit status $?)"
	fi
	tap_done
	exit 0
fi

# kernel symbols for perf, the module's included
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
# shellcheck disable=SC2086 # options, split on purpose
if ! perf record -q -a -g -e cpu-clock -F 2000 -o /tmp/perf.data -- \
	sdrp-bench $args; then
	tap_fail "perf record sdrp-bench $args"
	tap_done
	exit 0
fi
report() {
	perf report -i /tmp/perf.data --stdio "$@" 2>/dev/null | grep '%'
}
echo "== exclusive, per symbol"
report --no-children --sort sym -g none --percent-limit 0.5 | head -n 60
echo "== inclusive, per symbol"
report --children --sort sym -g none --percent-limit 1 | head -n 120
echo "== per command"
report --no-children --sort comm -g none --percent-limit 0.5 | head -n 20
echo "== per command and object (libcrypto: RSA; libsodium: X25519)"
report --no-children --sort comm,dso -g none --percent-limit 0.5 | head -n 30
tap_ok "profile: sdrp-bench $args"
tap_done
