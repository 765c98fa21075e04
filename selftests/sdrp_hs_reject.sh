#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Handshakes that must fail, each against a kernel socket whose sdrpd
# decides: the application's SDRP_HANDSHAKE fails with the documented
# errno, the daemon logs the reason, the namespace's counter for that
# reason goes up by one, and no session is established (SdrpEstablished
# unchanged, no "handshake ok" on either end).  The other end is
# libsdrp's peer (sdrp-peer) with bad credentials or a fault hook, or raw
# bytes replayed with nc.
#
#   sdrp-a: client host (sdrpd: host-a.test)  <-- veth -->  sdrp-b: server host (sdrpd: host-b.test)
#
# And the paper's section IV.B initial-handshake cases, with short
# timeouts: a client that sends HELLO but no ACK after the HELLO ACK (the
# kernel server closes with CLOSE), a server that never answers the HELLO
# (the kernel client sends CLOSE).
set -u

here=$(dirname "$0")
. "$here/lib/tap.sh"
. "$here/lib/two_hosts.sh"
. "$here/lib/sdrpd_hosts.sh"

W=
port=7200

setup()
{
	sdrpd_hosts_setup || return 1
	W=$SDRP_PKI
	# a CA the hosts do not trust (its key takes a while: meanwhile the
	# rest)
	pki_ca other &
	other_pid=$!
	pki_identity "$SDRP_ID_A" --expired --as a-expired --key-of "$SDRP_ID_A" &&
		pki_identity "$SDRP_ID_A" --not-yet-valid --as a-future --key-of "$SDRP_ID_A" &&
		# a server that is not the one the client asks for
		pki_identity host-c.test --key-of "$SDRP_ID_B" &&
		pki_psk wrong
	setup_rc=$?
	wait "$other_pid" && [ "$setup_rc" -eq 0 ] &&
		pki_identity "$SDRP_ID_A" --ca other --as a-other --key-of "$SDRP_ID_A"
}

if ! setup; then
	tap_fail "setup: PKI, sdrpd in both namespaces"
	tap_diag "done at uptime $(elapsed)"
tap_done
fi
tap_ok "setup: PKI (another CA, expired, not yet valid, other identity), sdrpd ready"

stat_of() # a|b NAME
{
	ip netns exec "$(sdrpd_ns "$1")" cat /proc/net/sdrp_stat |
		awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }'
}

elapsed() { cut -d' ' -f1 /proc/uptime; }

# case_begin a|b STAT: the side whose kernel and daemon refuse; snapshot
case_begin()
{
	k_side=$1 k_stat=$2
	tap_diag "next case at uptime $(elapsed)"
	port=$((port + 1))
	sdrpd_log_mark "$k_side"
	stat_before=$(stat_of "$k_side" "$k_stat")
	est_a=$(stat_of a SdrpEstablished)
	est_b=$(stat_of b SdrpEstablished)
}

# creds BASE [S0]: libsdrp credentials (cert and key BASE, shared s0)
creds()
{
	echo "--ca $W/ca.crt --cert $W/$1.crt --key $W/$1.key --s0 $W/${2:-a-b}.s0"
}

# bg_server a|b OUT ARGS...: sdrp-peer --role server there, in the
# background, until its "listening" line
bg_server()
{
	srv_ns=$(sdrpd_ns "$1") srv_out=$2
	shift 2
	: >"$srv_out"
	ip netns exec "$srv_ns" sdrp-peer --role server "$@" >"$srv_out" 2>&1 &
	srv_pid=$!
	poll_until 10 grep -q '^listening ' "$srv_out"
}

# case_end NAME ERRNO LOGRE KERNEL_OUT KERNEL_RC OTHER_OUT
case_end()
{
	name=$1 err=$2 logre=$3 kout=$4 krc=$5 oout=$6
	if [ "$krc" -eq 0 ] &&
	   grep -q "^handshake failed errno=[0-9]* ($err) " "$kout"; then
		tap_ok "$name: SDRP_HANDSHAKE fails with $err"
	else
		tap_fail "$name: SDRP_HANDSHAKE fails with $err" \
			"exit $krc: $(head -n 2 "$kout" | tr '\n' ' ')"
	fi
	if sdrpd_wait_log "$k_side" "refused: $logre"; then
		tap_ok "$name: sdrpd $k_side logs 'refused: $logre'"
	else
		tap_fail "$name: sdrpd $k_side logs 'refused: $logre'" \
			"$(sdrpd_log_since_mark "$k_side" | tail -n 3)"
	fi
	now=$(stat_of "$k_side" "$k_stat")
	if [ "$now" -eq $((stat_before + 1)) ]; then
		tap_ok "$name: $k_stat +1"
	else
		tap_fail "$name: $k_stat +1" "$stat_before -> $now"
	fi
	if [ "$(stat_of a SdrpEstablished)" -eq "$est_a" ] &&
	   [ "$(stat_of b SdrpEstablished)" -eq "$est_b" ] &&
	   ! grep -q '^handshake ok' "$kout" "$oout"; then
		tap_ok "$name: nothing established"
	else
		tap_fail "$name: nothing established" \
			"$(grep -h '^handshake' "$kout" "$oout" | tr '\n' ' ')"
	fi
}

# server_refuses NAME ERRNO LOGRE STAT PEER_ARGS...: a kernel server in
# sdrp-b refuses the libsdrp client that PEER_ARGS make
server_refuses()
{
	name=$1 err=$2 logre=$3
	case_begin b "$4"
	shift 4
	if ! bg_server b "$W/k.$port" --kernel --listen "$ADDR_B:$port" \
		--count 1 --expect-errno "$err"; then
		tap_fail "$name: kernel server" "$(cat "$W/k.$port")"
		return
	fi
	on_a sdrp-peer --role client --connect "$ADDR_B:$port" \
		--peer "$SDRP_ID_B" --count 1 --params recv=5000,close=500 \
		"$@" >"$W/p.$port" 2>&1
	wait "$srv_pid"
	case_end "$name" "$err" "$logre" "$W/k.$port" $? "$W/p.$port"
}

# shellcheck disable=SC2046 # creds: one word per option
server_refuses "unknown CA" EKEYREJECTED unknown-ca SdrpHsErrUnknownCa \
	$(creds a-other)
# shellcheck disable=SC2046
server_refuses "expired certificate" EKEYEXPIRED cert-expired \
	SdrpHsErrCertExpired $(creds a-expired)
# shellcheck disable=SC2046
server_refuses "certificate not yet valid" EKEYEXPIRED cert-not-yet-valid \
	SdrpHsErrCertNotYetValid $(creds a-future)
# shellcheck disable=SC2046
server_refuses "bad HELLO signature" EBADMSG hello-signature \
	SdrpHsErrHelloSignature $(creds "$SDRP_ID_A") --fault bad-signature
# shellcheck disable=SC2046
server_refuses "s0 mismatch" EBADMSG bad-mac SdrpHsErrBadMac \
	$(creds "$SDRP_ID_A" wrong)
# shellcheck disable=SC2046
server_refuses "tampered HELLO" EBADMSG bad-mac SdrpHsErrBadMac \
	$(creds "$SDRP_ID_A") --fault tamper:hello

# --- the client is not the one the server application asked for --------
case_begin b SdrpHsErrIdentity
if bg_server b "$W/k.$port" --kernel --listen "$ADDR_B:$port" \
	--peer someone-else.test --count 1 --expect-errno EKEYREJECTED; then
	# shellcheck disable=SC2046
	on_a sdrp-peer --role client --connect "$ADDR_B:$port" \
		--peer "$SDRP_ID_B" --count 1 --params recv=5000,close=500 \
		$(creds "$SDRP_ID_A") >"$W/p.$port" 2>&1
	wait "$srv_pid"
	case_end "wrong client identity" EKEYREJECTED \
		"client identity is not the one the application asked for" \
		"$W/k.$port" $? "$W/p.$port"
else
	tap_fail "wrong client identity: kernel server" "$(cat "$W/k.$port")"
fi

# --- the server is not the one the client asks for: the kernel client
# --- (sdrpd a) refuses a libsdrp server certified as host-c.test
case_begin a SdrpHsErrIdentity
# shellcheck disable=SC2046
if bg_server b "$W/p.$port" --listen "$ADDR_B:$port" $(creds host-c.test) \
	--peer "$SDRP_ID_A" --params recv=5000,close=500; then
	on_a sdrp-peer --kernel --role client --connect "$ADDR_B:$port" \
		--peer "$SDRP_ID_B" --expect-errno EKEYREJECTED >"$W/k.$port" 2>&1
	krc=$?
	wait "$srv_pid"
	case_end "wrong server identity" EKEYREJECTED identity "$W/k.$port" \
		"$krc" "$W/p.$port"
else
	tap_fail "wrong server identity: libsdrp server" "$(cat "$W/p.$port")"
fi

# --- a HELLO replayed from an earlier session ----------------------------
# Session 1: a libsdrp client completes a handshake with the kernel server
# and keeps the HELLO it sent.  Session 2: the same bytes from a plain TCP
# socket, within the HELLO's ttl (25 s).
port=$((port + 1))
if bg_server b "$W/k1.$port" --kernel --listen "$ADDR_B:$port"; then
	# shellcheck disable=SC2046
	on_a sdrp-peer --role client --connect "$ADDR_B:$port" \
		--peer "$SDRP_ID_B" --count 1 $(creds "$SDRP_ID_A") \
		--save-hello "$W/hello.bin" >"$W/p1.$port" 2>&1
	wait "$srv_pid"
	src=$?
	if [ "$src" -eq 0 ] && grep -q '^handshake ok' "$W/p1.$port"; then
		tap_ok "replay: session 1 established; its HELLO saved"
	else
		tap_fail "replay: session 1" "$(tail -n 2 "$W/p1.$port" "$W/k1.$port")"
	fi
fi
case_begin b SdrpHsErrReplay
if bg_server b "$W/k.$port" --kernel --listen "$ADDR_B:$port" --count 1 \
	--expect-errno EALREADY; then
	# nc sends the HELLO, and keeps the connection open (the server
	# attaches sdrp to an established connection) until the server
	# hangs up
	(cat "$W/hello.bin"; sleep 5) |
		on_a nc -w 5 "$ADDR_B" "$port" >"$W/p.$port" 2>&1
	wait "$srv_pid"
	case_end "replayed HELLO" EALREADY "replayed HELLO" "$W/k.$port" $? \
		"$W/p.$port"
else
	tap_fail "replayed HELLO: kernel server" "$(cat "$W/k.$port")"
fi

# --- IV.B: HELLO, HELLO ACK, then no ACK: the kernel server closes ------
# The server's receive timer (1 s) expires while it waits for the ACK: it
# sends CLOSE, which the client acknowledges; the application's
# SDRP_HANDSHAKE fails with ETIMEDOUT.
port=$((port + 1))
tap_diag "next case at uptime $(elapsed)"
est_b=$(stat_of b SdrpEstablished)
if bg_server b "$W/k.$port" --kernel --listen "$ADDR_B:$port" --count 1 \
	--params recv=1000,close=500 --hs-timeout 3000 --expect-errno ETIMEDOUT; then
	# shellcheck disable=SC2046
	on_a sdrp-peer --role client --connect "$ADDR_B:$port" \
		--peer "$SDRP_ID_B" $(creds "$SDRP_ID_A") --count 0 --no-close \
		--fault no-ack --params recv=5000,close=500 >"$W/p.$port" 2>&1
	prc=$?
	wait "$srv_pid"
	krc=$?
	if [ "$krc" -eq 0 ] && grep -q '(ETIMEDOUT)' "$W/k.$port"; then
		tap_ok "no ACK after HELLO ACK: server's SDRP_HANDSHAKE fails with ETIMEDOUT"
	else
		tap_fail "no ACK after HELLO ACK: server ETIMEDOUT" "exit $krc: $(cat "$W/k.$port")"
	fi
	if [ "$prc" -eq 0 ] && grep -q '^rx hello-ack ' "$W/p.$port" &&
	   grep -q '^tx ack .* fault=no-ack$' "$W/p.$port" &&
	   grep -q '^rx close epoch=0 ' "$W/p.$port" &&
	   grep -q '^tx close-ack ' "$W/p.$port"; then
		tap_ok "no ACK after HELLO ACK: the server closed with CLOSE (acknowledged)"
	else
		tap_fail "no ACK after HELLO ACK: CLOSE from the server" \
			"exit $prc: $(tail -n 4 "$W/p.$port" | tr '\n' ' ')"
	fi
	tap_check "no ACK after HELLO ACK: nothing established in sdrp-b" \
		test "$(stat_of b SdrpEstablished)" -eq "$est_b"
else
	tap_fail "no ACK after HELLO ACK: kernel server" "$(cat "$W/k.$port")"
fi

# --- IV.B: the server never answers the HELLO: the kernel client closes --
# The handshake's deadline (3 s) passes while the client waits for the
# HELLO ACK: the kernel sends a clear CLOSE (no keys yet) under the c2s
# hello MAC key that SEND gave it and runs the close exchange;
# SDRP_HANDSHAKE fails with ETIMEDOUT.
port=$((port + 1))
tap_diag "next case at uptime $(elapsed)"
est_a=$(stat_of a SdrpEstablished)
# shellcheck disable=SC2046
if bg_server b "$W/p.$port" --listen "$ADDR_B:$port" $(creds "$SDRP_ID_B") \
	--peer "$SDRP_ID_A" --fault no-hello-reply \
	--params recv=5000,close=500 --expect peer; then
	on_a sdrp-peer --kernel --role client --connect "$ADDR_B:$port" \
		--peer "$SDRP_ID_B" --params recv=1000,close=500 \
		--hs-timeout 3000 --expect-errno ETIMEDOUT >"$W/k.$port" 2>&1
	krc=$?
	wait "$srv_pid"
	prc=$?
	if [ "$krc" -eq 0 ] && grep -q '(ETIMEDOUT)' "$W/k.$port"; then
		tap_ok "no HELLO reply: client's SDRP_HANDSHAKE fails with ETIMEDOUT"
	else
		tap_fail "no HELLO reply: client ETIMEDOUT" "exit $krc: $(cat "$W/k.$port")"
	fi
	# --expect peer: the libsdrp server exits 0 only if that CLOSE
	# verified (MAC under the c2s hello MAC key, counter 1, seq n + 1,
	# ttl) and it answered it with its clear CLOSE ACK.
	if [ "$prc" -eq 0 ] && grep -q '^rx hello .*clear' "$W/p.$port" &&
	   grep -q '^tx hello-ack .* fault=no-hello-reply$' "$W/p.$port" &&
	   grep -q '^rx close epoch=0 .* clear$' "$W/p.$port" &&
	   grep -q '^tx close-ack epoch=0 .* clear' "$W/p.$port"; then
		tap_ok "no HELLO reply: the client sent a clear CLOSE with a valid MAC (acknowledged)"
	else
		tap_fail "no HELLO reply: clear CLOSE from the client" \
			"exit $prc: $(tail -n 4 "$W/p.$port" | tr '\n' ' ')"
	fi
	tap_check "no HELLO reply: nothing established in sdrp-a" \
		test "$(stat_of a SdrpEstablished)" -eq "$est_a"
else
	tap_fail "no HELLO reply: libsdrp server" "$(cat "$W/p.$port")"
fi

# --- IV.B: the server answers the HELLO out of order: the kernel client
# --- refuses it and closes
# The libsdrp server sends an authentic clear HELLO in place of its HELLO
# ACK.  The client's kernel refuses it before sdrpd sees it (BAD_TYPE:
# SDRP_HANDSHAKE fails with EPROTO) and sends a clear CLOSE under the c2s
# hello MAC key that SEND gave it (clear counter 1, seq n + 1).  The
# server, waiting for the ACK, learns at once that the session is over
# (reason peer) instead of at its receive timer (20 s: then it would end
# with timeout), and its clear CLOSE ACK (its clear counter 1: the refused
# HELLO used 0) ends the client's exchange at the first CLOSE.
client_closed_bad_type()
{
	[ "$(stat_of a SdrpCloseBadType)" -eq $((bad_type_a + 1)) ] &&
		[ "$(stat_of a SdrpRxBadMac)" -eq "$bad_mac_a" ]
}

port=$((port + 1))
tap_diag "next case at uptime $(elapsed)"
est_a=$(stat_of a SdrpEstablished)
bad_type_a=$(stat_of a SdrpCloseBadType)
bad_mac_a=$(stat_of a SdrpRxBadMac)
# shellcheck disable=SC2046
if bg_server b "$W/p.$port" --listen "$ADDR_B:$port" $(creds "$SDRP_ID_B") \
	--peer "$SDRP_ID_A" --fault wrong-type:hello-ack \
	--params recv=20000,close=500 --expect peer; then
	on_a sdrp-peer --kernel --role client --connect "$ADDR_B:$port" \
		--peer "$SDRP_ID_B" --params recv=5000,close=5000 \
		--hs-timeout 20000 --expect-errno EPROTO >"$W/k.$port" 2>&1
	krc=$?
	wait "$srv_pid"
	prc=$?
	if [ "$krc" -eq 0 ] && grep -q '(EPROTO)' "$W/k.$port" &&
	   grep -q '^result reason=bad-type ' "$W/k.$port"; then
		tap_ok "HELLO answered out of order: client's SDRP_HANDSHAKE fails with EPROTO (bad-type)"
	else
		tap_fail "HELLO answered out of order: client EPROTO" "exit $krc: $(cat "$W/k.$port")"
	fi
	# --expect peer: the libsdrp server exits 0 only if the client's
	# CLOSE verified and it answered it with its clear CLOSE ACK.
	if [ "$prc" -eq 0 ] && grep -q '^tx hello .*clear fault=wrong-type$' "$W/p.$port" &&
	   grep -q '^rx close epoch=0 .* clear$' "$W/p.$port" &&
	   grep -q '^tx close-ack epoch=0 .* clear' "$W/p.$port"; then
		tap_ok "HELLO answered out of order: the client sent a clear CLOSE with a valid MAC (acknowledged)"
	else
		tap_fail "HELLO answered out of order: clear CLOSE from the client" \
			"exit $prc: $(tail -n 4 "$W/p.$port" | tr '\n' ' ')"
	fi
	# Closed with bad-type at the CLOSE ACK, which verified (a refused
	# one counts in SdrpRxBadMac; the close timer, 5 s, would repeat
	# the CLOSE).
	tap_check "HELLO answered out of order: the client's kernel accepted the CLOSE ACK" \
		poll_until 10 client_closed_bad_type
	tap_check "HELLO answered out of order: nothing established in sdrp-a" \
		test "$(stat_of a SdrpEstablished)" -eq "$est_a"
else
	tap_fail "HELLO answered out of order: libsdrp server" "$(cat "$W/p.$port")"
fi

# --- the server's first record cannot be framed: the kernel client closes
# A plain TCP server answers the HELLO with a header whose length no
# record can have (0xffffffff).  The client's kernel loses the framing of
# the stream, so no CLOSE ACK could be read: it sends its clear CLOSE and
# ends the session at once (protocol.rst, "Header check").  SDRP_HANDSHAKE
# fails with EPROTO, reason malformed, and the session is CLOSED when the
# call returns.

# clear_close_follows_hello FILE: FILE holds a clear HELLO, then a clear
# CLOSE (92 bytes: 12 + seq 8 + ttl 8 + MAC 64), and nothing else
clear_close_follows_hello()
{
	# shellcheck disable=SC2046 # one byte a word
	set -- $(od -An -v -tu1 "$1")
	[ $# -ge 12 ] && [ "$1" = 1 ] && [ "$2" = 1 ] && [ "$3" = 1 ] ||
		return 1
	hello_len=$((12 + ($9 << 24) + (${10} << 16) + (${11} << 8) + ${12}))
	[ $# -eq $((hello_len + 92)) ] || return 1
	shift "$hello_len"
	[ "$1" = 1 ] && [ "$2" = 8 ] && [ "$3" = 1 ] && [ "$9 ${10} ${11} ${12}" = "0 0 0 80" ]
}

port=$((port + 1))
tap_diag "next case at uptime $(elapsed)"
malformed_a=$(stat_of a SdrpCloseMalformed)
rm -f "$W/fifo.$port"
mkfifo "$W/fifo.$port"
# nc's input is the FIFO: the bad header goes out once the HELLO is in
bg_on_b sh -c "nc -l -p $port <'$W/fifo.$port' >'$W/n.$port'"
# shellcheck disable=SC2154 # set by bg_on_b
nc_pid=${two_hosts_pids##* }
exec 3>"$W/fifo.$port"
if wait_tcp_listen b "$port"; then
	on_a sdrp-peer --kernel --role client --connect "$ADDR_B:$port" \
		--peer "$SDRP_ID_B" --params recv=5000,close=5000 \
		--hs-timeout 20000 --expect-errno EPROTO >"$W/k.$port" 2>&1 &
	k_pid=$!
	poll_until 20 test -s "$W/n.$port"
	printf '\001\002\001\000\000\000\000\000\377\377\377\377' >&3
	wait "$k_pid"
	krc=$?
	if [ "$krc" -eq 0 ] && grep -q '(EPROTO)' "$W/k.$port" &&
	   grep -q '^result reason=malformed ' "$W/k.$port" &&
	   [ "$(stat_of a SdrpCloseMalformed)" -eq $((malformed_a + 1)) ]; then
		tap_ok "unframeable answer to the HELLO: EPROTO (malformed), the session closed at once"
	else
		tap_fail "unframeable answer to the HELLO: client EPROTO, closed" \
			"exit $krc: $(cat "$W/k.$port")"
	fi
	tap_check "unframeable answer to the HELLO: the client sent a clear CLOSE after its HELLO" \
		poll_until 5 clear_close_follows_hello "$W/n.$port"
else
	tap_fail "unframeable answer to the HELLO: TCP server"
fi
exec 3>&-
kill "$nc_pid" 2>/dev/null
wait "$nc_pid" 2>/dev/null
tap_diag "done at uptime $(elapsed)"
tap_done
