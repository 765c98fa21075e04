# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# TAP output for shell tests (sourced; POSIX sh, runs under busybox ash).
#
#   . "$(dirname "$0")/lib/tap.sh"
#   tap_check "module loads" modprobe sdrp     # ok if the command succeeds
#   tap_ok "name" / tap_fail "name" "why" / tap_skip "name" "why"
#   tap_done                                   # trailing plan; exit status
#
# The plan goes last ("1..N" after the results is valid TAP), so a test does
# not have to count its checks up front.

tap_count=0
tap_failed=0

tap_ok()
{
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1"
}

# tap_fail NAME [REASON]
tap_fail()
{
	tap_count=$((tap_count + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_count - $1"
	[ -z "${2:-}" ] || echo "# $2"
}

# tap_skip NAME REASON
tap_skip()
{
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1 # SKIP $2"
}

# tap_diag TEXT...: a comment line, ignored by TAP consumers
tap_diag()
{
	echo "# $*"
}

# tap_check NAME CMD [ARGS...]: ok iff CMD exits 0; its output is kept as
# comments so a failure explains itself.
tap_check()
{
	tap_name=$1
	shift
	if tap_out=$("$@" 2>&1); then
		tap_ok "$tap_name"
	else
		tap_fail "$tap_name" "'$*' failed: $(echo "$tap_out" | tail -n 3)"
	fi
}

# tap_check_fails NAME CMD [ARGS...]: ok iff CMD exits non-zero
tap_check_fails()
{
	tap_name=$1
	shift
	if tap_out=$("$@" 2>&1); then
		tap_fail "$tap_name" "'$*' succeeded but should have failed"
	else
		tap_ok "$tap_name"
	fi
}

# tap_done: print the plan, exit 1 if anything failed
tap_done()
{
	echo "1..$tap_count"
	[ "$tap_failed" -eq 0 ]
	exit
}

# poll_until TIMEOUT_S CMD [ARGS...]: retry CMD every 50 ms until it
# succeeds (status 0) or TIMEOUT_S seconds pass (status 1).  Use instead of
# sleep: the test waits only as long as the condition needs.
poll_until()
{
	poll_deadline=$(($1 * 20))
	shift
	poll_i=0
	while ! "$@" >/dev/null 2>&1; do
		poll_i=$((poll_i + 1))
		[ "$poll_i" -lt "$poll_deadline" ] || return 1
		sleep 0.05
	done
	return 0
}
