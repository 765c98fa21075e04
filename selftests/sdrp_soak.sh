#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Soak: many concurrent sdrp sessions between two hosts while the path
# misbehaves, then a full account.
#
#   sdrp-a: sdrp_soak_load server  <==veth, netem both ways==>  sdrp-b: client
#           (aborts a random TCP connection every 100-400 ms)
#
# netem on both veth ends delays (with jitter), loses, duplicates and
# reorders packets; every 2 s the injector switches between a mild and a
# harsh profile.  Afterwards:
#   - every response the client's application got was its request's own,
#     byte for byte, in order (checked by the load, exchange by exchange);
#   - every failure reached the application as its reason's errno;
#   - no session was left half-open: every socket was CLOSED on both sides
#     and SdrpCurrSessions is back to 0;
#   - /proc/net/sdrp_stat adds up: each established session closed once;
#   - the module unloads.
#
# SOAK=long: 200 sessions for 600 s (SOAK_SECONDS, SOAK_SESSIONS override);
# default (make check): 20 sessions for 15 s.
set -u

here=$(dirname "$0")
. "$here/lib/tap.sh"
. "$here/lib/two_hosts.sh"

PORT=5300
LOAD=sdrp_soak_load	# VM_PROGS installs it in /usr/bin
if [ "${SOAK:-}" = long ]; then
	sessions=${SOAK_SESSIONS:-200}
	seconds=${SOAK_SECONDS:-600}
else
	sessions=${SOAK_SESSIONS:-20}
	seconds=${SOAK_SECONDS:-15}
fi
secret=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
out=/tmp/soak.$$
injector=

cleanup()
{
	[ -z "$injector" ] || kill "$injector" 2>/dev/null
	rm -f "$out".*
}

if ! two_hosts_setup; then
	tap_fail "two-host setup"
	tap_done
fi

# netem PROFILE: the same qdisc on both ends (each shapes its egress)
MILD="delay 5ms 3ms loss 0.5% duplicate 0.5% reorder 5%"
HARSH="delay 20ms 15ms loss 3% duplicate 2% reorder 10%"
netem()
{
	on_a tc qdisc "$1" dev veth-a root netem $2 &&
		on_b tc qdisc "$1" dev veth-b root netem $2
}

tap_check "netem on both veth ends" netem add "$MILD"
# loaded now: an autoload at the first attach would eat the load's time
tap_check "module loaded" modprobe sdrp

# the injector: a profile change every 2 s, counted in $out.faults
inject()
{
	n=0
	while :; do
		sleep 2
		if [ $((n % 2)) = 0 ]; then p=$HARSH; else p=$MILD; fi
		netem change "$p" || break
		n=$((n + 1))
		echo "$n" >"$out.faults"
	done
}

# SOCK_DESTROY needs inet_diag and tcp_diag (not in the debug kernel)
resets=
if modprobe -q inet_diag 2>/dev/null && modprobe -q tcp_diag 2>/dev/null; then
	resets=yes
	bg_on_a "$LOAD" server "$PORT" "$secret" >"$out.server" 2>"$out.server.err"
else
	bg_on_a "$LOAD" server "$PORT" "$secret" noreset >"$out.server" \
		2>"$out.server.err"
fi
server_pid=$!
wait_tcp_listen a "$PORT" || tap_fail "soak server listens"

tap_diag "$sessions sessions for $seconds s, rekey every 3 responses"
inject 2>"$out.inject.err" &
injector=$!
if on_b "$LOAD" client "$ADDR6_A" "$PORT" "$secret" "$sessions" \
	"$seconds" >"$out.client" 2>"$out.client.err"; then
	tap_ok "soak client ran"
else
	tap_fail "soak client ran" "$(tail -n 3 "$out.client.err")"
fi
kill "$injector"
wait "$injector" 2>/dev/null
injector=

# server side: its sessions end with the client's CLOSEs (or resets)
stat_of() { ip netns exec "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/sdrp_stat; }
no_sessions() { [ "$(stat_of "$1" SdrpCurrSessions)" = 0 ]; }
tap_check "no session left on the client host" poll_until 60 no_sessions "$NS_B"
tap_check "no session left on the server host" poll_until 60 no_sessions "$NS_A"
# the server reports on SIGTERM (ip netns exec passes it on)
kill -TERM "$server_pid"
poll_until 10 grep -q '^server ' "$out.server"

# field NAME LINE: value of NAME=... in a summary line
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
cl=$(grep '^client ' "$out.client")
sv=$(grep '^server ' "$out.server")
tap_diag "$cl"
tap_diag "$sv"
grep '^# ' "$out.client" "$out.server" | sed 's/^[^#]*//'
head -n 5 "$out.client.err" "$out.server.err" "$out.inject.err" 2>/dev/null |
	sed 's/^/# /'
faults=$(cat "$out.faults" 2>/dev/null || echo 0)
tap_diag "netem profile changes: $faults, connections reset: $(field resets "$sv")"
tc_stats=$(on_a tc -s qdisc show dev veth-a; on_b tc -s qdisc show dev veth-b)
tap_diag "$(echo "$tc_stats" | grep -o 'dropped [0-9]*' | tr '\n' ' ')"

check_zero()
{
	for side in client server; do
		line=$cl
		[ "$side" = server ] && line=$sv
		v=$(field "$1" "$line")
		if [ "$v" != 0 ]; then
			echo "$side $1=$v"
			return 1
		fi
	done
}
tap_check "every response was its request's own" check_zero wrong_response
tap_check "every failure had its reason's errno" check_zero wrong_errno
tap_check "no session half-open" check_zero half_open

exchanges_done() { [ "$(field exchanges "$cl")" -gt "$sessions" ]; }
tap_check "exchanges completed" exchanges_done
rekeys_done() { [ "$(stat_of "$NS_B" SdrpRekeys)" -gt 0 ]; }
tap_check "rekeys ran" rekeys_done
resets_done() { [ "$(field resets "$sv")" -gt 0 ]; }
if [ -n "$resets" ]; then
	tap_check "connections were reset" resets_done
else
	tap_skip "connections were reset" "no inet_diag/tcp_diag in this kernel"
fi

# every established session closed exactly once, on each host
stats_add_up()
{
	for ns in "$NS_A" "$NS_B"; do
		ip netns exec "$ns" awk '
			$1 == "SdrpEstablished" { est = $2 }
			$1 ~ /^SdrpClose/ { closed += $2 }
			$1 == "SdrpCurrSessions" { cur = $2 }
			END { if (est != closed || cur != 0 || est == 0) {
				print FILENAME ": established " est ", closed " closed ", current " cur
				exit 1 } }' /proc/net/sdrp_stat || return 1
	done
	# and as many as the load counted
	[ "$(stat_of "$NS_B" SdrpEstablished)" = "$(field sessions "$cl")" ] &&
		[ "$(stat_of "$NS_A" SdrpEstablished)" = "$(field sessions "$sv")" ]
}
tap_check "counters add up" stats_add_up

two_hosts_cleanup
# the namespaces' TCP sockets are gone; the module must go too
tap_check "module unloads" poll_until 10 rmmod sdrp
tap_done
