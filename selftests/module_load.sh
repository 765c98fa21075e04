#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sdrp.ko loads and unloads cleanly, registers the "sdrp" TCP ULP and its
# per-netns /proc/net/sdrp_stat (in every namespace, including ones created
# after the load), and removes both on unload.  Several load/unload cycles
# exercise the init/exit unwinding.
set -u

. "$(dirname "$0")/lib/tap.sh"

NS=sdrp-modtest

cleanup() { ip netns del "$NS" 2>/dev/null; }
trap cleanup EXIT

ulp_listed() { grep -qw sdrp /proc/sys/net/ipv4/tcp_available_ulp; }
loaded() { [ -d /sys/module/sdrp ]; }
stat_zero() { grep -Eq '^SdrpCurrSessions[[:space:]]+0$' "$1"; }

# Start from an unloaded module whatever ran before.
rmmod sdrp 2>/dev/null

tap_check "modinfo: alias tcp-ulp-sdrp for autoload" \
	sh -c 'modinfo -F alias sdrp | grep -qx tcp-ulp-sdrp'
tap_check "modinfo: license GPL" sh -c 'modinfo -F license sdrp | grep -qx GPL'

tap_check "modprobe sdrp" modprobe sdrp
tap_check "module is live" sh -c '[ "$(cat /sys/module/sdrp/initstate)" = live ]'
tap_check "sdrp listed in tcp_available_ulp" ulp_listed
tap_check "/proc/net/sdrp_stat: no sessions" stat_zero /proc/net/sdrp_stat

ip netns add "$NS"
tap_check "/proc/net/sdrp_stat in a namespace created after load" \
	ip netns exec "$NS" sh -c 'grep -Eq "^SdrpCurrSessions[[:space:]]+0$" /proc/net/sdrp_stat'

tap_check "rmmod sdrp" rmmod sdrp
tap_check_fails "module gone" loaded
tap_check_fails "sdrp gone from tcp_available_ulp" ulp_listed
tap_check_fails "/proc/net/sdrp_stat gone" test -e /proc/net/sdrp_stat
tap_check_fails "/proc/net/sdrp_stat gone in the namespace" \
	ip netns exec "$NS" test -e /proc/net/sdrp_stat

cycles_ok=0
i=0
while [ $i -lt 5 ]; do
	modprobe sdrp && ulp_listed && rmmod sdrp && ! ulp_listed || break
	i=$((i + 1))
done
[ $i -eq 5 ] && cycles_ok=1
if [ $cycles_ok -eq 1 ]; then
	tap_ok "5 load/unload cycles"
else
	tap_fail "5 load/unload cycles" "cycle $((i + 1)) failed"
fi

ip netns del "$NS"
tap_check "modprobe sdrp after the namespace is gone" modprobe sdrp
tap_check "rmmod sdrp again" rmmod sdrp

tap_done
