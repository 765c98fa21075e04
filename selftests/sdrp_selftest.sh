#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The module's own self-test (selftest=1) checks the key schedule and
# record protection against libsdrp's test vectors at load; a mismatch
# makes the load fail.  Afterwards: no session left, and the module goes.
set -u

. "$(dirname "$0")/lib/tap.sh"

rmmod sdrp 2>/dev/null
dmesg -c >/dev/null

tap_check "modprobe sdrp selftest=1" modprobe sdrp selftest=1
tap_check "kernel log: self-test passed" \
	sh -c 'dmesg | grep -Eq "sdrp: self-test: [0-9]+ vectors passed"'
tap_check_fails "kernel log: no vector failed" \
	sh -c 'dmesg | grep -q "sdrp: self-test: vector"'
dmesg | grep "sdrp: self-test" | sed 's/^/# /'
tap_check "no sdrp session left" \
	grep -Eq '^SdrpCurrSessions[[:space:]]+0$' /proc/net/sdrp_stat
tap_check "rmmod sdrp" rmmod sdrp

tap_done
