#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# Host tests of the examples: command line, and the messages a user gets
# where no sdrp session can start (nothing listening; no sdrp module on
# this machine).  The sessions themselves run in the VM (make demo and
# selftests/sdrp_hs_e2e.sh).

SENSOR=${SDRP_SENSOR:?set SDRP_SENSOR to the sdrp-sensor binary}
COLLECTOR=${SDRP_COLLECTOR:?set SDRP_COLLECTOR to the sdrp-collector binary}
. "$(dirname "$0")/../../lib/tests/tap.sh" || exit 1
D=$(mktemp -d "${TMPDIR:-/tmp}/sdrp-examples.XXXXXX") || exit 1
sensor_pid=
trap '[ -z "$sensor_pid" ] || kill "$sensor_pid" 2>/dev/null; rm -rf "$D"' EXIT

# expect RC PATTERN NAME -- CMD...: CMD exits RC, its output matches PATTERN
expect() {
	want=$1 pattern=$2 name=$3
	shift 4
	"$@" >"$D/out" 2>&1
	rc=$?
	res=0
	[ "$rc" -eq "$want" ] || { echo "exit status $rc, expected $want" >>"$D/out"; res=1; }
	grep -Eq -- "$pattern" "$D/out" || { echo "no match: $pattern" >>"$D/out"; res=1; }
	tap_ok $res "$name" "$D/out"
}

expect 0 '^usage: sdrp-sensor' "sensor -h: usage, status 0" -- "$SENSOR" -h
expect 0 '^usage: sdrp-collector' "collector -h: usage, status 0" -- "$COLLECTOR" -h
expect 2 '^usage: sdrp-collector -s SENSOR_ID' "collector without -s: usage, status 2" -- \
	"$COLLECTOR" 127.0.0.1
expect 2 '^usage' "collector without a host: status 2" -- "$COLLECTOR" -s s.test
expect 2 '-n: not a number: x' "collector -n x: status 2" -- "$COLLECTOR" -s s.test -n x h
expect 2 '-n: not a number: -1' "sensor -n -1: status 2" -- "$SENSOR" -n -1
expect 2 '^usage' "sensor with an argument: status 2" -- "$SENSOR" extra

# A port nothing listens on, most likely; the sensor uses it below.
port=$((20000 + $$ % 20000))
expect 1 'connect to 127\.0\.0\.1 port [0-9]+: Connection refused \(ECONNREFUSED\)' \
	"collector: nothing listening: ECONNREFUSED, status 1" -- \
	"$COLLECTOR" -s s.test 127.0.0.1 "$port"

if grep -qw sdrp /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null ||
   modprobe -n sdrp 2>/dev/null; then
	tap_skip "without the sdrp module: a clear error" "the sdrp module is available here"
else
	: >"$D/sensor"
	"$SENSOR" -l 127.0.0.1 -p "$port" -n 1 >"$D/sensor" 2>&1 &
	sensor_pid=$!
	i=0
	while ! grep -q listening "$D/sensor" && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	expect 1 'TCP_ULP, "sdrp"\): No such file or directory \(ENOENT\)' \
		"collector without the sdrp module: ENOENT, status 1" -- \
		"$COLLECTOR" -s s.test 127.0.0.1 "$port"
	grep -q 'is the sdrp module available' "$D/out"
	tap_ok $? "collector: the hint names the module" "$D/out"
	wait "$sensor_pid"
	rc=$?
	sensor_pid=
	grep -q 'TCP_ULP, "sdrp"): No such file or directory (ENOENT)' "$D/sensor" &&
		[ "$rc" -eq 1 ]
	tap_ok $? "sensor -n 1: the failed session is reported, status 1" "$D/sensor"
fi
tap_done
