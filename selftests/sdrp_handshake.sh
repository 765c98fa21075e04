#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The initial handshake through sdrpd, kernel client against kernel server,
# and the life of a handshake request (Documentation/netlink/handshake.rst):
#
#   sdrp-a: sdrpd (host-a.test)              sdrp-b: sdrpd (host-b.test)
#     client --- HELLO / HELLO ACK / ACK over veth ---> server
#
# PKI from sdrpctl and one sdrpd per namespace (lib/sdrpd_hosts.sh).  Lifecycle cases use a scripted stand-in for the daemon
# (sdrp_hs_tool fakedaemon), so that each step happens at a known moment.
set -u

here=$(dirname "$0")
. "$here/lib/tap.sh"
. "$here/lib/two_hosts.sh"
. "$here/lib/sdrpd_hosts.sh"

PORT=5200
W=/tmp/sdrp_handshake.$$
TOOL=sdrp_hs_tool

cleanup()
{
	# A stopped daemon cannot act on SIGTERM.
	for host in a b; do
		pid=$(sdrpd_pid $host)
		[ -z "$pid" ] || kill -CONT "$pid" 2>/dev/null
	done
	rm -rf "$W"
}

stat_of() # HOST NAME
{
	ip netns exec "sdrp-$1" cat /proc/net/sdrp_stat |
		awk -v k="$2" '$1 == k { print $2 }'
}

# server [tool options]: a server in b, in the background; its output in
# $W/server.out, its pid in SERVER
server()
{
	bg_on_b $TOOL server "$PORT" "$@" >"$W/server.out" 2>&1
	SERVER=${two_hosts_pids##* }
	wait_tcp_listen b "$PORT"
}

client() # [tool options]
{
	on_a $TOOL client "$ADDR_B" "$PORT" host-b.test "$@" >"$W/client.out" 2>&1
}

# reap PID: its exit status in RC (tap_check runs its command in a
# subshell, which cannot wait for this shell's children)
reap()
{
	wait "$1"
	RC=$?
}

no_requests_left()
{
	[ "$(stat_of a SdrpCurrSessions)" = 0 ] &&
		[ "$(stat_of b SdrpCurrSessions)" = 0 ]
}

show()
{
	sed 's/^/# /' "$@"
}

mkdir -p "$W"
if ! sdrpd_hosts_setup || ! sdrpd_stop a || ! sdrpd_stop b; then
	tap_fail "two hosts, a PKI from sdrpctl, sdrpd configured"
	tap_done
fi
tap_ok "two hosts, a PKI from sdrpctl, sdrpd configured"

# ---- no daemon: ESRCH at once ----------------------------------------------
# Each end keeps its socket open a while after its ESRCH, so that the
# other attaches sdrp before the close (a connection the peer already
# closed refuses the attach: ENOTCONN).  3 s: a margin for a slow guest
# (the debug kernel on a loaded host); both waits run at the same time.
server -e ESRCH -s 3000
tap_check "no sdrpd in the namespace: the client gets ESRCH" \
	client -e ESRCH -s 3000
show "$W/client.out"
reap "$SERVER"
tap_check "no sdrpd in the namespace: the server gets ESRCH" test "$RC" = 0
[ "$RC" = 0 ] || show "$W/server.out"
tap_check "SdrpHsNoDaemon counted" test "$(stat_of a SdrpHsNoDaemon)" -ge 1

# ---- unprivileged daemon commands -----------------------------------------
tap_check "ACCEPT without CAP_NET_ADMIN: EPERM" \
	sh -c "[ \"\$(ip netns exec $NS_A $TOOL nlcmd accept)\" = EPERM ]"
tap_check "DONE without CAP_NET_ADMIN: EPERM" \
	sh -c "[ \"\$(ip netns exec $NS_A $TOOL nlcmd done)\" = EPERM ]"
# A listener in the group is what SDRP_HANDSHAKE's ESRCH check looks for:
# an unprivileged one would pass for a daemon.
tap_check "joining the sdrpd group without CAP_NET_ADMIN: EPERM" \
	sh -c "[ \"\$(ip netns exec $NS_A $TOOL nlcmd join)\" = EPERM ]"

# A plain TCP peer in b for the cases where the client's request never
# gets as far as its HELLO.
tcp_peer() # [FILE: where what it receives goes]
{
	bg_on_b sh -c "sleep 60 | nc -l -p $PORT >${1:-/dev/null}"
	PEER=${two_hosts_pids##* }
	wait_tcp_listen b "$PORT"
}

tcp_peer_stop()
{
	kill "$PEER" 2>/dev/null
	wait "$PEER" 2>/dev/null
	poll_until 5 sh -c "! ip netns exec $NS_B cat /proc/net/tcp | grep -q ':$(printf %04X $PORT) .* 0A '"
}

# ---- daemon killed while it holds a request: ECONNABORTED ------------------
bg_on_a $TOOL fakedaemon hold none >"$W/fake.out" 2>&1
FAKE=${two_hosts_pids##* }
poll_until 5 grep -q listening "$W/fake.out"
tcp_peer
(poll_until 20 grep -q accepted "$W/fake.out" && kill -KILL "$FAKE") &
tap_check "daemon killed holding the request: the client gets ECONNABORTED" \
	client -e ECONNABORTED
show "$W/client.out" "$W/fake.out"
tcp_peer_stop
tap_check "SdrpHsErrLostState counted" \
	test "$(stat_of a SdrpHsErrLostState)" -ge 1

# ---- shutdown() while the daemon holds the request: EPIPE, nothing sent -----
# Another thread's shutdown() ends the blocked SDRP_HANDSHAKE as a local
# close; before the HELLO there is no key for a CLOSE, so nothing is sent.
bg_on_a $TOOL fakedaemon hold none >"$W/fake.out" 2>&1
FAKE=${two_hosts_pids##* }
poll_until 5 grep -q listening "$W/fake.out"
tcp_peer "$W/peer.bytes"
bg_on_a $TOOL client "$ADDR_B" "$PORT" host-b.test -e EPIPE -S rdwr \
	>"$W/client.out" 2>&1
CLIENT=${two_hosts_pids##* }
poll_until 20 grep -q accepted "$W/fake.out"
kill -USR1 "$CLIENT"
reap "$CLIENT"
tap_check "shutdown(SHUT_RDWR) while the daemon holds the request: the call fails with EPIPE" \
	sh -c "[ $RC = 0 ] && grep -q '^shutdown: 0$' '$W/client.out'"
show "$W/client.out"
kill "$FAKE"
tcp_peer_stop
tap_check "... and nothing was sent (no HELLO, no key for a CLOSE)" \
	test ! -s "$W/peer.bytes"

# ---- socket closed while the daemon holds the request: ENOENT for DONE ------
rm -f "$W/go"
bg_on_a $TOOL fakedaemon done-after "$W/go" >"$W/fake.out" 2>&1
poll_until 5 grep -q listening "$W/fake.out"
tcp_peer
bg_on_a $TOOL client "$ADDR_B" "$PORT" host-b.test >"$W/client.out" 2>&1
CLIENT=${two_hosts_pids##* }
poll_until 20 grep -q accepted "$W/fake.out"
kill -KILL "$CLIENT"
wait "$CLIENT" 2>/dev/null
touch "$W/go"
tap_check "socket closed mid-handshake: the daemon's DONE gets ENOENT" \
	poll_until 10 grep -q "done: ENOENT" "$W/fake.out"
show "$W/fake.out"
tcp_peer_stop
tap_check "SdrpHsCancelled counted" test "$(stat_of a SdrpHsCancelled)" -ge 1

# ---- the real daemons ------------------------------------------------------
if ! sdrpd_start a || ! sdrpd_start b; then
	tap_fail "sdrpd started in both namespaces"
	tap_done
fi
tap_ok "sdrpd started in both namespaces"

server -n 300 -s 1000
client -n 300 -s 1000 &
CLIENT=$!
tap_check "sdrpctl sessions lists the client's session with its peer" \
	poll_until 20 sh -c "ip netns exec $NS_A sdrpctl sessions | grep -q host-b.test"
tap_check "sdrpctl sessions lists the server's session with its peer" \
	poll_until 5 sh -c "ip netns exec $NS_B sdrpctl sessions | grep -q host-a.test"
ip netns exec "$NS_A" sdrpctl sessions | sed 's/^/# /'
reap "$CLIENT"
tap_check "client: handshake, 300 exchanges, identity host-b.test" \
	test "$RC" = 0
reap "$SERVER"
tap_check "server: handshake, 300 requests, end of file" test "$RC" = 0
show "$W/client.out" "$W/server.out"
tap_check "the server saw identity host-a.test" \
	grep -q "peer host-a.test" "$W/server.out"
tap_check "the session rekeyed 29 or 30 times" \
	grep -Eq "rekeys (29|30) " "$W/client.out"
tap_check "SdrpHsDone counted on both hosts" \
	sh -c "[ $(stat_of a SdrpHsDone) -ge 1 ] && [ $(stat_of b SdrpHsDone) -ge 1 ]"

# ---- the client's handshake ends after its HELLO: the server is told -------
# sdrpd a is stopped once its HELLO went out, so the client's handshake
# waits for it with the HELLO ACK received (b's packets are delayed by 5 s
# meanwhile, so that the stop comes first even on a slow guest).  Without
# the client's clear CLOSE the server would wait for the ACK until its
# deadline and fail with ETIMEDOUT; with it, it fails at once with
# ECONNREFUSED.  Both ends' deadlines (HS_DEADLINE_MS) are far beyond what
# the sequence takes even on the debug kernel under load (tens of seconds
# there): what is checked is the errno, which a deadline on the way would
# turn into ETIMEDOUT.
HS_DEADLINE_MS=120000

# hello_then_stop: a client in a (OPTIONS...), its pid in CLIENT; sdrpd a
# stopped once the HELLO is out
hello_then_stop()
{
	server -e ECONNREFUSED -t "$HS_DEADLINE_MS"
	on_b tc qdisc replace dev veth-b root netem delay 5000ms
	sdrpd_log_mark a
	bg_on_a $TOOL client "$ADDR_B" "$PORT" host-b.test \
		-t "$HS_DEADLINE_MS" "$@" >"$W/client.out" 2>&1
	CLIENT=${two_hosts_pids##* }
	sdrpd_wait_log a 'HELLO sent' 100 && kill -STOP "$(sdrpd_pid a)"
	# (what netem holds still leaves at its time)
	on_b tc qdisc replace dev veth-b root netem delay 0ms
}

# client_daemon_killed WHEN: sdrpd a was killed WHEN, the client's HELLO
# out: the client gets ECONNABORTED, its clear CLOSE ends the server's
# handshake (ECONNREFUSED) and the CLOSE exchange completes; sdrpd a is
# started again
client_daemon_killed()
{
	reap "$CLIENT"
	tap_check "sdrpd killed $1: the client gets ECONNABORTED" \
		test "$RC" = 0
	reap "$SERVER"
	tap_check "... and its clear CLOSE ends the server's handshake: ECONNREFUSED" \
		test "$RC" = 0
	show "$W/client.out" "$W/server.out"
	tap_check "... the CLOSE exchange completes on both hosts" \
		poll_until 20 no_requests_left
	if ! sdrpd_start a; then
		tap_fail "sdrpd a started again"
		tap_done
	fi
}

hello_then_stop -e ECONNABORTED
sdrpd_kill a
client_daemon_killed "after the HELLO went out"

# A client killed with its HELLO out cancels its request (EINTR in the
# kernel): a local close, which sends the clear CLOSE too.
hello_then_stop
kill -KILL "$CLIENT"
wait "$CLIENT" 2>/dev/null
reap "$SERVER"
tap_check "client killed after its HELLO: the server's handshake fails with ECONNREFUSED" \
	test "$RC" = 0
show "$W/server.out"
kill -CONT "$(sdrpd_pid a)"
tap_check "... the killed client's CLOSE exchange completes" \
	poll_until 10 no_requests_left

# sdrpd a killed once the server's HELLO ACK left, which b's 8 s delay
# holds: the client's clear CLOSE reaches the server first (ECONNREFUSED
# there), and the HELLO ACK reaches the client in CLOSING, under the clear
# key of its CLOSE exchange.  It is dropped unread there, not refused as a
# malformed rekey HELLO ACK (its data is the handshake's, not one key).
# (sdrpd b logs the HELLO's verification just before it hands the kernel
# the HELLO ACK: the second after it is for that.)
bad_layout_a=$(stat_of a SdrpRxBadLayout)
server -e ECONNREFUSED -t "$HS_DEADLINE_MS"
on_b tc qdisc replace dev veth-b root netem delay 8000ms
sdrpd_log_mark b
bg_on_a $TOOL client "$ADDR_B" "$PORT" host-b.test -t "$HS_DEADLINE_MS" \
	-e ECONNABORTED >"$W/client.out" 2>&1
CLIENT=${two_hosts_pids##* }
sdrpd_wait_log b 'authenticated as "host-a.test"' 100 && sleep 1 &&
	sdrpd_kill a
on_b tc qdisc replace dev veth-b root netem delay 0ms
client_daemon_killed "once the server's HELLO ACK left"
tap_check "... the HELLO ACK that crossed the CLOSE is not counted as malformed" \
	test "$(stat_of a SdrpRxBadLayout)" -eq "$bad_layout_a"

# shutdown() from another thread while SDRP_HANDSHAKE blocks, the HELLO
# out: a local close.  The call fails with EPIPE and, as for a signal, the
# clear CLOSE ends the server's handshake at once.  SHUT_RD: every how
# ends the whole session (sdrp has no half-closed state).
hello_then_stop -e EPIPE -S rd
kill -USR1 "$CLIENT"
reap "$CLIENT"
tap_check "shutdown(SHUT_RD) while SDRP_HANDSHAKE blocks, its HELLO out: the call fails with EPIPE" \
	sh -c "[ $RC = 0 ] && grep -q '^shutdown: 0$' '$W/client.out'"
reap "$SERVER"
tap_check "... and the client's clear CLOSE ends the server's handshake: ECONNREFUSED" \
	test "$RC" = 0
show "$W/client.out" "$W/server.out"
kill -CONT "$(sdrpd_pid a)"
tap_check "... the CLOSE exchange completes on both hosts" \
	poll_until 10 no_requests_left
on_b tc qdisc del dev veth-b root

# ---- a first record that is no HELLO: refused with the first check's reason
# The server's kernel refuses, before sdrpd sees it, a first record that
# cannot be the HELLO, with the reason of the first check that fails
# (protocol.rst, "Order of checks": for the initial handshake the type
# comes straight after the header check, then the epoch).  SDRP_HANDSHAKE
# fails with EPROTO; the server holds no key, so it sends nothing back.
# raw_record VERSION TYPE FLAGS EPOCH: a header with length 80 (a clear
# HELLO's or CLOSE's least) and 80 zero bytes
raw_record()
{
	# shellcheck disable=SC2059 # the octal escapes are the format
	printf "\\$(printf %03o "$1")\\$(printf %03o "$2")\\$(printf %03o "$3")\\000\\000\\000\\000\\$(printf %03o "$4")\\000\\000\\000\\120"
	head -c 80 /dev/zero
}

for c in "MALFORMED Malformed 2 1 1 0 version 2" \
	 "BAD_TYPE BadType 1 8 1 0 a clear CLOSE" \
	 "BAD_TYPE BadType 1 8 1 1 a clear CLOSE of epoch 1" \
	 "OLD_EPOCH OldEpoch 1 1 1 1 a clear HELLO of epoch 1"; do
	# shellcheck disable=SC2086 # the case's fields
	set -- $c
	reason=$1 counter=SdrpClose$2 ver=$3 type=$4 flags=$5 epoch=$6
	shift 6
	before=$(stat_of b "$counter")
	raw_record "$ver" "$type" "$flags" "$epoch" >"$W/raw"
	server -e EPROTO
	on_a sh -c "{ cat '$W/raw'; sleep 3; } | timeout 10 nc $ADDR_B $PORT" \
		>/dev/null 2>&1 &
	sender=$!
	reap "$SERVER"
	tap_check "first record $*: the server's SDRP_HANDSHAKE fails with EPROTO" \
		test "$RC" = 0
	tap_check "... reason $reason ($counter counted)" \
		test "$(stat_of b "$counter")" -eq $((before + 1))
	wait "$sender"
done
tap_check "no session left behind" poll_until 10 no_requests_left

# ---- 100 handshakes at once ------------------------------------------------
# Both daemons sign and verify 100 RSA HELLOs each at once: on a loaded
# emulated VM that takes tens of seconds, so the deadlines leave room, and
# so does the HELLOs' TTL (25 s by default: a HELLO that waited longer for
# its verification is refused as stale, ETIME, which is right but not
# what this case is about).
ttl_before=$(ip netns exec "$NS_A" sysctl -n net.sdrp.ttl_ms)
for ns in "$NS_A" "$NS_B"; do
	ip netns exec "$ns" sysctl -qw net.sdrp.ttl_ms=180000
done
t0=$(date +%s)
server -c 100 -n 3 -t 180000
tap_check "100 concurrent handshakes, all established" \
	client -c 100 -n 3 -t 180000
reap "$SERVER"
tap_check "100 concurrent handshakes: the server side" test "$RC" = 0
echo "# 100 concurrent handshakes took $(($(date +%s) - t0)) s"
for ns in "$NS_A" "$NS_B"; do
	ip netns exec "$ns" sysctl -qw "net.sdrp.ttl_ms=$ttl_before"
done
[ "$RC" = 0 ] || show "$W/server.out"
grep -v ': ok: ' "$W/client.out" | show

# ---- a daemon too busy to read its notifications is still there ------------
# Every handshake multicasts READY to sdrpd a, which reads none while it is
# stopped: 200 handshakes overflow its event socket.  A READY lost to that
# full queue must not pass for "no daemon here" (ESRCH): the handshakes
# wait for the daemon and time out.  The peer is TCP only.
no_daemon_before=$(stat_of a SdrpHsNoDaemon)
bg_on_b $TOOL backlog "$PORT" >"$W/backlog.out" 2>&1
PEER=${two_hosts_pids##* }
wait_tcp_listen b "$PORT"
kill -STOP "$(sdrpd_pid a)"
tap_check "200 handshakes, sdrpd stopped: all time out, none refused with ESRCH" \
	client -c 200 -t 2000 -e ETIMEDOUT
grep -v 'handshake: ETIMEDOUT' "$W/client.out" | show
tap_check "... SdrpHsNoDaemon unchanged" \
	test "$(stat_of a SdrpHsNoDaemon)" = "$no_daemon_before"
kill -CONT "$(sdrpd_pid a)"
kill "$PEER"
wait "$PEER" 2>/dev/null
tap_check "... and sdrpd a, running again, is left no request" \
	poll_until 20 no_requests_left

# ---- the server's daemon stopped: ETIMEDOUT ---------------------------------
kill -STOP "$(sdrpd_pid b)"
# The client keeps its socket open past the server's deadline.
server -t 1500 -e ETIMEDOUT
tap_check "server's sdrpd stopped: the client gets ETIMEDOUT" \
	client -t 1000 -s 2500 -e ETIMEDOUT
reap "$SERVER"
tap_check "server's sdrpd stopped: the server gets ETIMEDOUT" test "$RC" = 0
[ "$RC" = 0 ] || show "$W/server.out"
kill -CONT "$(sdrpd_pid b)"
tap_check "SdrpHsErrTimeout counted" test "$(stat_of a SdrpHsErrTimeout)" -ge 1

tap_check "no session left behind" poll_until 10 no_requests_left

tap_done
