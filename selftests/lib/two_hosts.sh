# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Two hosts in one VM (sourced after lib/tap.sh, whose poll_until it uses;
# POSIX sh, needs iproute2's ip):
#
#    +---------------- sdrp-a ---------------+   +---------------- sdrp-b ---------------+
#    | lo                                    |   |                                    lo |
#    | veth-a  198.18.0.1/24  fd53:6472::1/64 |===| fd53:6472::2/64  198.18.0.2/24  veth-b |
#    +---------------------------------------+   +---------------------------------------+
#
#   . "$(dirname "$0")/lib/two_hosts.sh"
#   two_hosts_setup            # creates both namespaces; trap removes them on EXIT
#   on_a CMD...  / on_b CMD...  # run CMD inside sdrp-a / sdrp-b
#   bg_on_b CMD...             # background; its pid is remembered and killed on EXIT
#   wait_tcp_listen b 5000     # poll until something listens on TCP port 5000 in sdrp-b
#
# 198.18.0.0/15 is reserved for benchmarking (RFC 2544); fd53:6472::/64 is a
# ULA prefix ("Sdr").  Tests that need more (netem, a daemon per namespace)
# build on this: `on_a tc qdisc add dev veth-a root netem delay 20ms`.

NS_A=sdrp-a
NS_B=sdrp-b
ADDR_A=198.18.0.1
ADDR_B=198.18.0.2
ADDR6_A=fd53:6472::1
ADDR6_B=fd53:6472::2

two_hosts_pids=

on_a() { ip netns exec "$NS_A" "$@"; }
on_b() { ip netns exec "$NS_B" "$@"; }

bg_on_a()
{
	ip netns exec "$NS_A" "$@" &
	two_hosts_pids="$two_hosts_pids $!"
}

bg_on_b()
{
	ip netns exec "$NS_B" "$@" &
	two_hosts_pids="$two_hosts_pids $!"
}

two_hosts_cleanup()
{
	for pid in $two_hosts_pids; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	two_hosts_pids=
	# (each ip costs a process start under TCG: only for what exists)
	[ ! -e "/run/netns/$NS_A" ] || ip netns del "$NS_A" 2>/dev/null
	[ ! -e "/run/netns/$NS_B" ] || ip netns del "$NS_B" 2>/dev/null
	return 0
}

# A test that needs its own cleanup too defines cleanup() and calls
# two_hosts_cleanup from it; the trap calls cleanup if it exists.
two_hosts_on_exit()
{
	if command -v cleanup >/dev/null 2>&1; then
		cleanup
	fi
	two_hosts_cleanup
}

# ns_has_addr NS ADDR: the address is configured and out of tentative state
ns_has_addr()
{
	ns_addrs=$(ip -n "$1" addr show) &&
		echo "$ns_addrs" | grep -q "inet6\? $2/" &&
		! echo "$ns_addrs" | grep -q "$2/.*tentative"
}

# host_config NS DEV ADDR ADDR6: lo and DEV up, the addresses on DEV; one
# ip for it all (a process start costs tens of milliseconds under TCG)
host_config()
{
	ip -n "$1" -batch - <<EOF
link set lo up
addr add $3/24 dev $2
addr add $4/64 dev $2 nodad
link set $2 up
EOF
}

two_hosts_setup()
{
	trap two_hosts_on_exit EXIT
	trap 'exit 130' INT TERM
	two_hosts_cleanup

	ip netns add "$NS_A" || return 1
	ip netns add "$NS_B" || return 1
	ip -n "$NS_A" link add veth-a type veth peer name veth-b netns "$NS_B" ||
		return 1
	host_config "$NS_A" veth-a "$ADDR_A" "$ADDR6_A" || return 1
	host_config "$NS_B" veth-b "$ADDR_B" "$ADDR6_B" || return 1

	poll_until 30 ns_has_addr "$NS_A" "$ADDR6_A" &&
		poll_until 30 ns_has_addr "$NS_B" "$ADDR6_B"
}

# wait_tcp_listen a|b PORT: poll until a TCP socket listens on PORT
wait_tcp_listen()
{
	case $1 in
	a) poll_until 30 tcp_listening "$NS_A" "$2" ;;
	b) poll_until 30 tcp_listening "$NS_B" "$2" ;;
	*) return 2 ;;
	esac
}

# /proc/net/tcp{,6} list listeners in state 0A; the port is in hex.
tcp_listening()
{
	port_hex=$(printf '%04X' "$2")
	ip netns exec "$1" cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v p=":$port_hex" '$2 ~ p"$" && $4 == "0A" { found = 1 }
				      END { exit !found }'
}
