#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Last test of `make check-debug`, on the debug kernel (scripts/debug-kernel.sh):
# what the checkers found that the console scanner cannot see.
#
# - kmemleak: the kernel runs without automatic scans; scan twice now (an
#   object is reported only once it stayed unreferenced through a scan and
#   is old enough) and fail on every leak whose allocation backtrace has an
#   sdrp frame, or a frame that no longer resolves to a symbol: a module
#   unloaded since then, which in this suite is sdrp (module_load cycles it)
#   or tls.  Other leaks are listed as comments: not the module's.
# - lockdep: still enabled.  Lockdep turns itself off after its first report
#   (the console scanner fails the run on that report) and when it runs out
#   of its tables: either way the rest of the run was not checked.
# KASAN, UBSAN and lockdep reports end the run through panic_on_warn and
# kasan.fault=panic and are failed by the host's console scanner.
set -u

# shellcheck source=selftests/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"

leaks=/sys/kernel/debug/kmemleak
leak_report=/tmp/kmemleak.txt

[ -e /sys/kernel/debug/kmemleak ] ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

if [ ! -e "$leaks" ]; then
	tap_fail "kmemleak available" "no $leaks: not the debug kernel, or kmemleak disabled itself (see the boot log)"
else
	# sdrp loaded, so that the frames of its live code resolve to names
	modprobe sdrp 2>/dev/null
	scans_ok=1
	echo scan >"$leaks" || scans_ok=0
	echo scan >"$leaks" || scans_ok=0
	if [ "$scans_ok" = 1 ] && cat "$leaks" >"$leak_report"; then
		tap_ok "kmemleak scanned twice"
	else
		tap_fail "kmemleak scanned twice" "writing 'scan' to $leaks failed: kmemleak off?"
		tap_done
	fi

	# one line per leak: its verdict, then the whole record as comments
	# when it involves the module
	awk '
		function flush() {
			if (rec == "")
				return
			if (mine) {
				sdrp++
				printf "%s", rec
			} else {
				other++
				printf "# not the module: %s\n", first
			}
			rec = ""
			mine = 0
		}
		/^unreferenced object/ { flush(); first = $0 }
		{ rec = rec "# " $0 "\n" }
		/\[sdrp\]|[[:space:]]sdrp_[A-Za-z0-9_]*\+/ { mine = 1 }
		/^[[:space:]]+0x[0-9a-f]+$/ { mine = 1 }
		END {
			flush()
			printf "LEAKS %d %d\n", sdrp + 0, other + 0
		}' "$leak_report" >/tmp/kmemleak.verdict
	grep -v '^LEAKS ' /tmp/kmemleak.verdict
	read -r _ module_leaks other_leaks <<-EOF
	$(grep '^LEAKS ' /tmp/kmemleak.verdict)
	EOF
	tap_diag "kmemleak: $module_leaks leak(s) involving sdrp or an unloaded module, $other_leaks other"
	if [ "$module_leaks" = 0 ]; then
		tap_ok "kmemleak: no leak involving sdrp"
	else
		tap_fail "kmemleak: no leak involving sdrp" "$module_leaks leak(s), records above"
	fi
fi

if [ ! -r /proc/lockdep_stats ]; then
	tap_fail "lockdep enabled" "no /proc/lockdep_stats: not the debug kernel"
elif grep -Eq '^ *debug_locks: +1$' /proc/lockdep_stats; then
	tap_ok "lockdep still enabled after the suite"
else
	tap_fail "lockdep still enabled after the suite" \
		"$(grep debug_locks /proc/lockdep_stats): lockdep reported or ran out of entries; see the console"
fi

tap_done
