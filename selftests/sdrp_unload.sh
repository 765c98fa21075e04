#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run after the other tests (only sdrp_soak, which checks its own unload,
# follows): no session is left in this namespace, none of the tests'
# namespaces still pins the module, and it unloads.
set -u

. "$(dirname "$0")/lib/tap.sh"

sessions_zero() {
	grep -Eq '^SdrpCurrSessions[[:space:]]+0$' /proc/net/sdrp_stat
}

# Closing sockets release the module when TCP is done with them.
unloaded() {
	i=0
	while [ $i -lt 100 ]; do
		rmmod sdrp 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

if [ -d /sys/module/sdrp ]; then
	tap_check "no sdrp session left" sessions_zero
	tap_check "rmmod sdrp" unloaded
else
	tap_skip "no sdrp session left" "module not loaded"
	tap_skip "rmmod sdrp" "module not loaded"
fi
tap_check_fails "module gone" test -d /sys/module/sdrp

tap_done
