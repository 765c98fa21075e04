#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The two-host topology of lib/two_hosts.sh: each namespace reaches the
# other across the veth pair, by ping and by TCP, both ways, IPv4 and IPv6.
set -u

here=$(dirname "$0")
. "$here/lib/tap.sh"
. "$here/lib/two_hosts.sh"

PORT=5000

if ! two_hosts_setup; then
	tap_fail "two-host setup"
	tap_done
fi
tap_ok "two-host setup"

# ping_from a|b ADDR
ping_from()
{
	case $1 in
	a) on_a ping -c 1 -W 2 "$2" ;;
	b) on_b ping -c 1 -W 2 "$2" ;;
	esac
}

# tcp_from FROM TO ADDR: a client in FROM sends a token to a listener in TO
# over TCP at ADDR; ok when the listener received it.
tcp_from()
{
	token="sdrp-$1-to-$2-$$"
	got=/tmp/two_hosts.$$.got
	rm -f "$got"
	if [ "$2" = b ]; then
		bg_on_b sh -c "nc -l -p $PORT </dev/null >$got"
	else
		bg_on_a sh -c "nc -l -p $PORT </dev/null >$got"
	fi
	wait_tcp_listen "$2" "$PORT" || { echo "no listener on $2"; return 1; }
	if [ "$1" = a ]; then
		echo "$token" | on_a nc -w 5 "$3" "$PORT"
	else
		echo "$token" | on_b nc -w 5 "$3" "$PORT"
	fi
	poll_until 5 grep -qx "$token" "$got"
}

tap_check "ping a -> b (IPv4)" ping_from a "$ADDR_B"
tap_check "ping b -> a (IPv4)" ping_from b "$ADDR_A"
tap_check "ping a -> b (IPv6)" ping_from a "$ADDR6_B"
tap_check "ping b -> a (IPv6)" ping_from b "$ADDR6_A"
tap_check "TCP a -> b (IPv4)" tcp_from a b "$ADDR_B"
tap_check "TCP b -> a (IPv4)" tcp_from b a "$ADDR_A"
tap_check "TCP a -> b (IPv6)" tcp_from a b "$ADDR6_B"
tap_check "TCP b -> a (IPv6)" tcp_from b a "$ADDR6_A"

# The namespaces are separate hosts: neither has the other's address.
tap_check_fails "a does not own b's address" \
	sh -c "ip -n $NS_A addr show | grep -q '$ADDR_B/'"

tap_done
