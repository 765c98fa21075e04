#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# make bench and make bench-profile: sdrp-bench in the test VM.
#
# usage: run.sh bench|profile KVER SDRP_BENCH "VM_PROGS" "VM_KMODS" "BENCH_ARGS"
#
# bench:
#   1. the host's native per-record crypto costs (make -C userspace bench),
#   2. sdrp.ko for KVER, one VM boot running tools/bench/bench-vm.sh,
#   3. the raw results block out of the VM's TAP channel,
#   4. report.py: Documentation/performance.rst and performance.png.
#   Everything raw is kept in build/bench/.  Bounded to VM_TIMEOUT (1500 s).
# profile:
#   the same VM boot with BENCH_ARGS run under perf (bench-vm.sh,
#   sdrp_bench_perf=1); prints perf's report: exclusive and inclusive
#   shares per symbol and per command, over the whole guest (both vCPUs;
#   idle is the swapper), also in build/bench/profile-KVER.txt.  Bounded
#   to VM_TIMEOUT (900 s).
set -euo pipefail

mode=$1 kver=$2 prog=$3 progs=$4 kmods=$5 bench_args=${6:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# relative: the VM runner installs it as /usr/bin/sdrp-bench, on the PATH
prog=$(realpath --relative-to="$top" "$prog")
out=build/bench
mkdir -p "$out"

case $mode in
bench)
	vmout=build/vm/bench-$kver vmlog=$out/vm.log
	vm_timeout=${VM_TIMEOUT:-1500} test_timeout=${VM_TEST_TIMEOUT:-1400}
	;;
profile)
	vmout=$out/profile-$kver vmlog=$out/profile-$kver.log
	vm_timeout=${VM_TIMEOUT:-900} test_timeout=${VM_TEST_TIMEOUT:-800}
	;;
*)
	echo "usage: $0 bench|profile KVER SDRP_BENCH VM_PROGS VM_KMODS [BENCH_ARGS]" >&2
	exit 2
	;;
esac

if [ "$mode" = bench ]; then
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
fi

echo "== bench: sdrp.ko for $kver"
scripts/build-kmod.sh "/lib/modules/$kver/build"

# sdrp-bench, the programs of the two hosts (ip, sdrpd, sdrpctl: VM_PROGS)
# and perf for a profile; the accelerated crypto drivers as a real boot
# would load them
vmargs=(-b "$prog")
for p in $progs; do
	vmargs+=(-b "$p")
done
[ "$mode" = bench ] || vmargs+=(-b "$(command -v perf)")
for m in $kmods aesni_intel ghash_clmulni_intel sha512_ssse3 algif_aead algif_hash; do
	vmargs+=(-M "$m")
done
cmdline=${SDRP_VM_CMDLINE:-}
[ -z "$bench_args" ] || cmdline+=" sdrp_bench_args=$(echo "$bench_args" | tr ' ' +)"
[ "$mode" = bench ] || cmdline+=" sdrp_bench_perf=1"

echo "== bench: VM run ($kver, $mode)"
rc=0
SDRP_VM_CMDLINE=$cmdline selftests/vm/run.sh -k "$kver" \
	-m "build/kmod/$kver/sdrp.ko" -o "$vmout" -T "$vm_timeout" \
	-P "$test_timeout" -t tools/bench/bench-vm.sh "${vmargs[@]}" \
	>"$vmlog" 2>&1 || rc=$?

if [ "$mode" = profile ]; then
	tr -d '\r' <"$vmout/tap.log" | grep -v -e '^SDRP-VM' -e '^# test ' |
		tee "$vmout.txt"
	echo "profile: $vmout.txt (VM log $vmlog)"
	exit "$rc"
fi

grep -E '^(not ok|ok|# vm|unavailable|progress)' "$vmlog" | tr -d '\r' || true
# the guest's TAP channel, as the runner received it
tr -d '\r' <"$vmout/tap.log" | sed -n '/^SDRP-BENCH-BEGIN/,/^SDRP-BENCH-END/p' \
	>"$out/results.txt"
if ! grep -q '^SDRP-BENCH-END' "$out/results.txt"; then
	echo "bench: the VM run produced no complete results (see $vmlog)" >&2
	exit 1
fi

echo "== bench: report"
python3 tools/bench/report.py --results "$out/results.txt" \
	--native "$out/native.txt" --host "$out/host.txt" \
	--rst Documentation/performance.rst --png Documentation/performance.png \
	--plot-data "$out/plot.dat" --analysis tools/bench/analysis.rst
exit "$rc"
