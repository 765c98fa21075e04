# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# TAP for the shell tests of userspace, sourced (". .../tap.sh"); the shell
# counterpart of util.c's tap_ok / tap_skip / tap_done.

tap_n=0
tap_failed=0

# tap_ok STATUS NAME [FILE]: STATUS 0 is a pass; on a failure the last
# lines of FILE, if given, follow as diagnostics.
tap_ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
		if [ -n "$3" ]; then
			sed 's/^/#   /' "$3" | tail -n 12
		fi
	fi
}

# tap_skip NAME REASON
tap_skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# tap_done: print the plan; the status is 0 if every test passed.
tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
