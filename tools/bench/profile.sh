#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# make bench-profile: where the time of one benchmark case goes.  Boots the
# test VM once, runs sdrp-bench with BENCH_ARGS under perf (profile-vm.sh)
# and prints perf's report: exclusive and inclusive shares per symbol and
# per command, over the whole guest (both vCPUs; idle is the swapper).
#
# usage: profile.sh KVER SDRP_BENCH "VM_KMODS" "BENCH_ARGS"
#   e.g. BENCH_ARGS="--reps 1 --only rr --sizes 1024 --sessions 1
#                    --transports sdrp-kernel-rmax"
set -euo pipefail

kver=$1 prog=$2 kmods=$3 bench_args=${4:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
prog=$(realpath --relative-to="$top" "$prog")
out=build/bench/profile-$kver
mkdir -p build/bench

scripts/build-kmod.sh "/lib/modules/$kver/build"
modargs=()
for m in $kmods aesni_intel ghash_clmulni_intel sha512_ssse3 algif_aead algif_hash; do
	modargs+=(-M "$m")
done
cmdline=${SDRP_VM_CMDLINE:-}
[ -z "$bench_args" ] || cmdline+=" sdrp_bench_args=$(echo "$bench_args" | tr ' ' +)"

rc=0
SDRP_VM_CMDLINE=$cmdline selftests/vm/run.sh -k "$kver" \
	-m "build/kmod/$kver/sdrp.ko" -o "$out" -T "${VM_TIMEOUT:-900}" \
	-P "${VM_TEST_TIMEOUT:-800}" -t tools/bench/profile-vm.sh -b "$prog" \
	-b "$(command -v perf)" "${modargs[@]}" >"$out.log" 2>&1 || rc=$?
tr -d '\r' <"$out/tap.log" | grep -v -e '^SDRP-VM' -e '^# test ' | tee "$out.txt"
echo "profile: $out.txt (VM log $out.log)"
exit "$rc"
