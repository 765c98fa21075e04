#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# The benchmark inside the test VM (run by tools/bench/run.sh through the
# VM runner): prints sdrp-bench's raw results between SDRP-BENCH-BEGIN and
# SDRP-BENCH-END on the TAP channel, where the host picks them up, and one
# TAP result for the run.  sdrp_bench_args on the kernel command line
# ('+' for spaces) passes options, e.g. sdrp_bench_args=--reps+1.
. "$(dirname "$0")/lib/tap.sh"

# The accelerated crypto drivers first (as a real machine's boot would load
# them), so that kTLS, sdrp and AF_ALG all get the same gcm(aes); kTLS and
# AF_ALG autoload too, loading them here keeps that out of the first
# measurement.
for m in aesni_intel ghash_clmulni_intel sha512_ssse3 tls algif_aead algif_hash; do
	modprobe "$m" 2>/dev/null || echo "# modprobe $m failed"
done
# AF_ALG builds a 1 MiB request's scatterlists in option memory.
echo 4194304 >/proc/sys/net/core/optmem_max
# Closed connections leave no TIME_WAIT sockets behind, which would
# otherwise expire (and free slab) in the middle of a memory reading.
echo 0 >/proc/sys/net/ipv4/tcp_max_tw_buckets

args=$(echo "${sdrp_bench_args:-}" | tr + ' ')
# shellcheck disable=SC2086 # options, split on purpose
if sdrp-bench $args; then
	tap_ok "sdrp-bench full run"
else
	tap_fail "sdrp-bench full run (exit status $?)"
fi
tap_done
