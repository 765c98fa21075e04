#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# make bench: run sdrp-bench in the test VM and write the report.
#
# usage: run.sh KVER SDRP_BENCH "VM_KMODS" "BENCH_ARGS"
#
#   1. the host's native per-record crypto costs (make -C userspace bench),
#   2. sdrp.ko for KVER, one VM boot running tools/bench/bench-vm.sh,
#   3. the raw results block out of the VM's TAP channel,
#   4. report.py: Documentation/performance.rst and performance.png.
#
# Everything raw is kept in build/bench/.  Bounded to VM_TIMEOUT (1500 s).
set -euo pipefail

kver=$1 prog=$2 kmods=$3 bench_args=${4:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# relative: the VM runner installs it as /usr/bin/sdrp-bench, on the PATH
prog=$(realpath --relative-to="$top" "$prog")
out=build/bench
vmout=build/vm/bench-$kver
mkdir -p "$out"

echo "== bench: host native record costs (make -C userspace bench)"
make --no-print-directory -C userspace bench 2>&1 |
	grep -v -e '^make' -e '^cc ' -e '^ar ' | tee "$out/native.txt"
{
	echo "cpu $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "cpus $(nproc)"
	echo "kernel $(uname -r)"
	echo "qemu $(qemu-system-x86_64 --version | head -n 1)"
	echo "openssl $(openssl version)"
	echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
} >"$out/host.txt"

echo "== bench: sdrp.ko for $kver"
scripts/build-kmod.sh "/lib/modules/$kver/build"

modargs=()
for m in $kmods aesni_intel ghash_clmulni_intel sha512_ssse3 algif_aead algif_hash; do
	modargs+=(-M "$m")
done
cmdline=${SDRP_VM_CMDLINE:-}
[ -z "$bench_args" ] || cmdline+=" sdrp_bench_args=$(echo "$bench_args" | tr ' ' +)"

echo "== bench: VM run ($kver), about 15 minutes"
rc=0
SDRP_VM_CMDLINE=$cmdline selftests/vm/run.sh -k "$kver" \
	-m "build/kmod/$kver/sdrp.ko" -o "$vmout" -T "${VM_TIMEOUT:-1500}" \
	-P "${VM_TEST_TIMEOUT:-1400}" -t tools/bench/bench-vm.sh -b "$prog" \
	"${modargs[@]}" >"$out/vm.log" 2>&1 || rc=$?
grep -E '^(not ok|ok|# vm|unavailable|progress)' "$out/vm.log" | tr -d '\r' || true

# the guest's TAP channel, as the runner received it
tr -d '\r' <"$vmout/tap.log" | sed -n '/^SDRP-BENCH-BEGIN/,/^SDRP-BENCH-END/p' \
	>"$out/results.txt"
if ! grep -q '^SDRP-BENCH-END' "$out/results.txt"; then
	echo "bench: the VM run produced no complete results (see $out/vm.log)" >&2
	exit 1
fi

echo "== bench: report"
python3 tools/bench/report.py --results "$out/results.txt" \
	--native "$out/native.txt" --host "$out/host.txt" \
	--rst Documentation/performance.rst --png Documentation/performance.png \
	--plot-data "$out/plot.dat" --analysis tools/bench/analysis.rst
exit "$rc"
