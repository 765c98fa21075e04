#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a Debian cloud kernel in qemu (TCG) with a freshly built initramfs,
# run tests in it and report their TAP.
#
# usage: run.sh -k KVER -m sdrp.ko -o OUTDIR [-t TEST]... [-b PROG]...
#               [-M MODULE]... [-s NAME,NAME] [-T TIMEOUT_S] [-P TEST_TIMEOUT_S]
#
#   -t/-b/-M  as for mkinitramfs.sh: tests, host programs, kernel modules
#   -s        run only these tests (comma-separated basenames, no .sh);
#             default: every -t test, in order
#   -T        bound on the whole VM run (default 600 s)
#   -P        bound on each test inside the VM (default 120 s)
#
# Output, all under OUTDIR: console.log (the guest console, also streamed
# to stdout), tap.log (the tests' TAP, from the guest's second serial
# port) and results.tap: tap.log plus the runner's own verdict on the run,
# one TAP result that fails when the guest kernel reported an oops, BUG,
# WARNING, KASAN/UBSAN, hung task... (scan-console.sh), when the completion
# marker did not arrive within the bound, or when qemu failed.
# Exit status: 0 if results.tap has no failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kver='' ko='' outdir='' select='' vm_timeout=600 test_timeout=120
build_args=()

while getopts k:m:o:t:b:M:s:T:P: opt; do
	case $opt in
	k) kver=$OPTARG ;;
	m) ko=$OPTARG ;;
	o) outdir=$OPTARG ;;
	t|b|M) build_args+=("-$opt" "$OPTARG") ;;
	s) select=$OPTARG ;;
	T) vm_timeout=$OPTARG ;;
	P) test_timeout=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ -n "$kver" ] && [ -n "$ko" ] && [ -n "$outdir" ] || {
	echo "usage: $0 -k KVER -m sdrp.ko -o OUTDIR [-t TEST]... [-s NAMES]" >&2
	exit 2
}

# SDRP_VM_KERNEL: a kernel image that is not installed (make check-debug's)
bzimage=${SDRP_VM_KERNEL:-/boot/vmlinuz-$kver}
# TCG with -cpu max: 6.12 crashes at boot when PKU is offered, and qemu
# 7.2's emulated CMPXCHG16B corrupts state under multi-threaded TCG (double
# faults in SLUB's kmem_cache_alloc, ~half of 6.12 boots); without cx16 the
# kernel takes its other path.  SDRP_VM_CPU overrides.
cpu=${SDRP_VM_CPU:-max,-pku,-cx16}
[ -r "$bzimage" ] || { echo "run.sh: no $bzimage (make deps installs it)" >&2; exit 2; }

mkdir -p "$outdir"
# one run per output directory at a time (a shared tree, several users)
exec 9>"$outdir.lock"
flock 9

# Boot the uncompressed vmlinux through PVH when it can be extracted (cached
# next to the results, one per bzImage path); the bzImage otherwise.
kernel=$outdir/vmlinux.$(echo "$bzimage" | cksum | cut -d' ' -f1)
if ! [ "$kernel" -nt "$bzimage" ] &&
	! "$here/extract-vmlinux.sh" "$bzimage" "$kernel"; then
	kernel=$bzimage
fi
initrd=$outdir/initramfs.cpio.gz
console=$outdir/console.log
taplog=$outdir/tap.log
results=$outdir/results.tap
rm -f "$console" "$taplog" "$results"

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

t0=$(date +%s.%N)
"$here/mkinitramfs.sh" -k "$kver" -m "$ko" -o "$initrd" -w "$outdir" "${build_args[@]}"
t1=$(date +%s.%N)

# printk.time: scan-console.sh recognises kernel lines by their timestamp.
# panic=-1 with -no-reboot: a panic (oops=panic makes every oops one) ends
# qemu at once instead of leaving tests to time out.
cmdline="console=ttyS0,115200 printk.time=1 panic=-1 oops=panic"
cmdline+=" random.trust_cpu=on mitigations=off nokaslr"
cmdline+=" sdrp_timeout=$test_timeout"
[ -z "$select" ] || cmdline+=" sdrp_tests=$select"
# extra kernel parameters / qemu options, e.g. for debugging a test:
# SDRP_VM_CMDLINE="initcall_debug", SDRP_VM_QEMU_ARGS="-smp 1"
cmdline+=" ${SDRP_VM_CMDLINE:-}"
read -r -a qemu_extra <<<"${SDRP_VM_QEMU_ARGS:-}"

echo "# vm $kver: initramfs $(du -k "$initrd" | cut -f1) KiB built in" \
	"$(elapsed "$t0" "$t1")s; booting"

qemu_rc=0
timeout --foreground -k 5 "$vm_timeout" \
	qemu-system-x86_64 -accel tcg -cpu "$cpu" -m 1G -smp 2 \
		-nographic -nodefaults -no-reboot -nic none \
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
		-serial stdio -serial "file:$taplog" "${qemu_extra[@]}" </dev/null |
	tee "$console" || qemu_rc=$?
t2=$(date +%s.%N)

tr -d '\r' <"$taplog" >"$results" 2>/dev/null || true

verdict="vm $kver"
fail=
if [ "$qemu_rc" = 124 ]; then
	fail="no completion within ${vm_timeout}s"
elif [ "$qemu_rc" != 0 ]; then
	fail="qemu exited with status $qemu_rc"
elif ! grep -q '^SDRP-VM-DONE ' "$results"; then
	fail="guest stopped before the completion marker"
fi
if ! reports=$("$here/scan-console.sh" "$console"); then
	fail="${fail:+$fail; }kernel reports on the console"
fi

if [ -z "$fail" ]; then
	echo "ok - $verdict: guest finished, console clean" >>"$results"
else
	{
		echo "not ok - $verdict: $fail"
		[ -z "$reports" ] || echo "$reports" | sed 's/^/# /'
	} >>"$results"
fi

# Boot to first test in wall-clock time: the whole run minus the guest
# time from the first test to the marker (power-off is a few ms).
first=$(sed -n 's/^SDRP-VM-FIRST-TEST uptime=\([0-9.]*\)s.*/\1/p' "$results")
done=$(sed -n 's/^SDRP-VM-DONE .*uptime=\([0-9.]*\)s.*/\1/p' "$results")
boot='?'
[ -z "$first" ] || [ -z "$done" ] ||
	boot=$(awk -v w="$(elapsed "$t1" "$t2")" -v f="$first" -v d="$done" \
		'BEGIN { printf "%.1f", w - (d - f) }')
echo "# vm $kver: boot to first test ${boot}s wall clock" \
	"(guest uptime ${first:-?}s), VM run $(elapsed "$t1" "$t2")s"
grep -E '^(not ok|# )' "$results" | grep -v '^# test ' | grep -A3 '^not ok' || true

! grep -q '^not ok' "$results"
