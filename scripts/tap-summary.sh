#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Count TAP results in the given files and print one line:
#   N passed, N failed, N skipped
# A result is a top-level "ok"/"not ok" line; "ok ... # SKIP" is skipped.
# Exit status 1 if anything failed or no result was found at all.
set -eu

cat "$@" 2>/dev/null | tr -d '\r' | awk '
	/^not ok([ \t]|$)/ { failed++; next }
	/^ok([ \t]|$)/ {
		if (toupper($0) ~ /#[ \t]*SKIP/)
			skipped++
		else
			passed++
	}
	END {
		printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
		exit (failed > 0 || passed + skipped == 0)
	}'
