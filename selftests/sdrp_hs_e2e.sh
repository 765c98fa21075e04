#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The initial handshake through sdrpd, end to end, then a long session:
#
#   sdrp-a (client host, sdrpd: host-a.test)  <-- veth -->  sdrp-b (server host, sdrpd: host-b.test)
#
#   1. kernel client  <-> kernel server     both handshakes through sdrpd
#   2. libsdrp client <-> kernel server     the peer signs and checks in-process
#   3. kernel client  <-> libsdrp server    with its own key, cert and s0 files
#
# Each: the handshake (both ends name the other's verified identity, each
# daemon logs it), exchanges with every byte checked (1000 kernel to
# kernel and against the libsdrp peer in each role: about 100 rekeys at
# the default interval of 10), the CLOSE
# exchange, and the handshake counters of /proc/net/sdrp_stat.  The two ends are sdrp-peer:
# --kernel for a kernel socket, without it libsdrp's peer.
set -u

here=$(dirname "$0")
. "$here/lib/tap.sh"
. "$here/lib/two_hosts.sh"
. "$here/lib/sdrpd_hosts.sh"

# kernel <-> kernel: N exchanges; against the libsdrp peer N_PEER
# (SDRP_HS_E2E_PEER_N in the guest's environment to change it)
N=1000
N_PEER=${SDRP_HS_E2E_PEER_N:-1000}
# small bodies (the emulated CPU's time goes to the records), an empty one
SIZES=0,1,100,1000,17,4096,300,64
W=

if ! sdrpd_hosts_setup; then
	tap_fail "setup: PKI, sdrpd in both namespaces"
	tap_done
fi
tap_ok "setup: PKI from sdrpctl, sdrpd ready in both namespaces"
W=$SDRP_PKI

stat_of() # a|b NAME: a counter of that namespace's /proc/net/sdrp_stat
{
	ip netns exec "$(sdrpd_ns "$1")" cat /proc/net/sdrp_stat |
		awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }'
}

# server_start a|b OUT ARGS...: sdrp-peer --role server in that namespace,
# in the background; waits for its "listening" line
server_start()
{
	srv_host=$1 srv_out=$2
	shift 2
	: >"$srv_out"
	ip netns exec "$(sdrpd_ns "$srv_host")" sdrp-peer --role server "$@" \
		>"$srv_out" 2>&1 &
	srv_pid=$!
	poll_until 10 grep -q '^listening ' "$srv_out"
}

server_wait()
{
	wait "$srv_pid"
}

# check_session NAME COUNT CLIENT_OUT CLIENT_RC SERVER_OUT SERVER_RC
check_session()
{
	name=$1 n=$2 cout=$3 crc=$4 sout=$5 src=$6
	if [ "$crc" -eq 0 ] &&
	   grep -q "^handshake ok peer=$SDRP_ID_B\$" "$cout" &&
	   grep -q "^result reason=local .* exchanges=$n " "$cout"; then
		tap_ok "$name: client: handshake with $SDRP_ID_B, $n exchanges verified, CLOSE acknowledged"
	else
		tap_fail "$name: client" "exit $crc: $(tail -n 3 "$cout")"
	fi
	if [ "$src" -eq 0 ] &&
	   grep -q "^handshake ok peer=$SDRP_ID_A\$" "$sout" &&
	   grep -q "^result reason=peer .* exchanges=$n " "$sout"; then
		tap_ok "$name: server: handshake with $SDRP_ID_A, $n exchanges verified, client's CLOSE"
	else
		tap_fail "$name: server" "exit $src: $(tail -n 3 "$sout")"
	fi
	# n responses at interval 10: the last rekey starts after the last
	# response and may cross the client's CLOSE
	rekeys=$(sed -n 's/^result .* rekeys=\([0-9]*\) .*/\1/p' "$cout")
	if [ "${rekeys:-0}" -ge $((n / 10 - 1)) ] && [ "$rekeys" -le $((n / 10)) ]; then
		tap_ok "$name: $rekeys rekeys (interval 10)"
	else
		tap_fail "$name: rekeys" "client saw ${rekeys:-none}: $(tail -n 1 "$cout")"
	fi
	grep -q 'mismatch' "$cout" "$sout" &&
		tap_fail "$name: a body differed" "$(grep -h mismatch "$cout" "$sout" | head -n 3)"
}

# elapsed: seconds since the VM booted, for the diagnostics
elapsed() { cut -d' ' -f1 /proc/uptime; }

# --- 1. kernel <-> kernel -------------------------------------------------
tap_diag "kernel <-> kernel starts at uptime $(elapsed)"
done_a=$(stat_of a SdrpHsDone)
done_b=$(stat_of b SdrpHsDone)
sdrpd_log_mark a
sdrpd_log_mark b
if server_start b "$W/s1" --kernel --listen "$ADDR_B:7101" \
	--peer "$SDRP_ID_A" --verify --quiet --sizes "$SIZES"; then
	on_a sdrp-peer --kernel --role client --connect "$ADDR_B:7101" \
		--peer "$SDRP_ID_B" --count "$N" --verify --quiet \
		--sizes "$SIZES" >"$W/c1" 2>&1
	crc=$?
	server_wait
	check_session "kernel <-> kernel" "$N" "$W/c1" "$crc" "$W/s1" $?
else
	tap_fail "kernel <-> kernel: server" "$(cat "$W/s1")"
fi
tap_check "kernel <-> kernel: sdrpd a logged the server authenticated as $SDRP_ID_B" \
	sdrpd_wait_log a "client-finish peer .*: authenticated as \"$SDRP_ID_B\", rekey interval 10"
tap_check "kernel <-> kernel: sdrpd b logged the client authenticated as $SDRP_ID_A" \
	sdrpd_wait_log b "server-hello peer .*: authenticated as \"$SDRP_ID_A\", rekey interval 10"
tap_check "kernel <-> kernel: SdrpHsDone +1 in each namespace" \
	test "$(stat_of a SdrpHsDone)" -eq $((done_a + 1)) -a \
	"$(stat_of b SdrpHsDone)" -eq $((done_b + 1))

# libsdrp's credentials: the same files sdrpd of that host uses
creds() # ID: --ca --cert --key --s0 for identity ID
{
	echo "--ca $W/ca.crt --cert $W/$1.crt --key $W/$1.key --s0 $W/a-b.s0"
}

# --- 2. libsdrp client (in-process handshake) <-> kernel server -----------
tap_diag "libsdrp client -> kernel server starts at uptime $(elapsed)"
done_b=$(stat_of b SdrpHsDone)
sdrpd_log_mark b
if server_start b "$W/s2" --kernel --listen "$ADDR_B:7102" \
	--peer "$SDRP_ID_A" --verify --quiet --sizes "$SIZES"; then
	# shellcheck disable=SC2046 # creds: one word per option
	on_a sdrp-peer --role client --connect "$ADDR_B:7102" \
		$(creds "$SDRP_ID_A") --peer "$SDRP_ID_B" --count "$N_PEER" \
		--verify --quiet --sizes "$SIZES" >"$W/c2" 2>&1
	crc=$?
	server_wait
	check_session "libsdrp client -> kernel server" "$N_PEER" "$W/c2" "$crc" "$W/s2" $?
else
	tap_fail "libsdrp client -> kernel server: server" "$(cat "$W/s2")"
fi
tap_check "libsdrp client -> kernel server: sdrpd b authenticated $SDRP_ID_A" \
	sdrpd_wait_log b "server-hello peer .*: authenticated as \"$SDRP_ID_A\""
tap_check "libsdrp client -> kernel server: SdrpHsDone +1 in sdrp-b" \
	test "$(stat_of b SdrpHsDone)" -eq $((done_b + 1))

# --- 3. kernel client <-> libsdrp server (in-process handshake) -----------
tap_diag "kernel client -> libsdrp server starts at uptime $(elapsed)"
done_a=$(stat_of a SdrpHsDone)
sdrpd_log_mark a
# shellcheck disable=SC2046
if server_start b "$W/s3" --listen "$ADDR_B:7103" $(creds "$SDRP_ID_B") \
	--peer "$SDRP_ID_A" --verify --quiet --sizes "$SIZES"; then
	on_a sdrp-peer --kernel --role client --connect "$ADDR_B:7103" \
		--peer "$SDRP_ID_B" --count "$N_PEER" --verify --quiet \
		--sizes "$SIZES" >"$W/c3" 2>&1
	crc=$?
	server_wait
	check_session "kernel client -> libsdrp server" "$N_PEER" "$W/c3" "$crc" "$W/s3" $?
else
	tap_fail "kernel client -> libsdrp server: server" "$(cat "$W/s3")"
fi
tap_check "kernel client -> libsdrp server: sdrpd a authenticated $SDRP_ID_B" \
	sdrpd_wait_log a "client-finish peer .*: authenticated as \"$SDRP_ID_B\""
tap_check "kernel client -> libsdrp server: SdrpHsDone +1 in sdrp-a" \
	test "$(stat_of a SdrpHsDone)" -eq $((done_a + 1))

tap_diag "done at uptime $(elapsed)"

# No session is left behind in either namespace.
no_sessions() { [ "$(stat_of "$1" SdrpCurrSessions)" -eq 0 ]; }
tap_check "no sdrp socket left in sdrp-a" poll_until 5 no_sessions a
tap_check "no sdrp socket left in sdrp-b" poll_until 5 no_sessions b
tap_done
