#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# The profiled benchmark inside the test VM (tools/bench/profile.sh):
# perf record over the whole guest (cpu-clock, the only event TCG offers;
# call graphs) while sdrp-bench runs the case given in sdrp_bench_args,
# then perf report on the TAP channel.
. "$(dirname "$0")/lib/tap.sh"

for m in aesni_intel ghash_clmulni_intel sha512_ssse3 tls algif_aead algif_hash; do
	modprobe "$m" 2>/dev/null || echo "# modprobe $m failed"
done
# kernel symbols for perf, the module's included
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid

args=$(echo "${sdrp_bench_args:-}" | tr + ' ')
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
tap_ok "profile: sdrp-bench $args"
tap_done
