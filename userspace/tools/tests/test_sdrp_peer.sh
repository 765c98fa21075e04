#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# sdrp-peer against itself on loopback (IPv4 and IPv6): keys blob, clean
# sessions with rekeys and checked bodies, and fault cases whose answer
# must show in the output and in the exit codes.  Prints TAP.
#
#   client sdrp-peer  <--- 127.0.0.1 / ::1 --->  server sdrp-peer
#
# Environment: SDRP_PEER (the binary), SDRP_TEST_TMP (scratch directory),
# SDRPCTL (sdrpctl, for the handshake credentials; those tests are skipped
# without it).

PEER=${SDRP_PEER:?SDRP_PEER must name the sdrp-peer binary}
# shellcheck source=SCRIPTDIR/../../lib/tests/tap.sh
. "$(dirname "$0")/../../lib/tests/tap.sh" || exit 1
TMP=${SDRP_TEST_TMP:-/tmp}/sdrp-peer.$$
server_pid=

cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p "$TMP"

# start_server OUT ADDR ARGS...: background server, waits for its port
start_server() {
	out=$1 addr=$2
	shift 2
	"$PEER" --role server --listen "$addr" "$@" >"$out" 2>&1 &
	server_pid=$!
	i=0
	while ! grep -q '^listening ' "$out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "# server did not start: $(cat "$out")"
			return 1
		fi
		sleep 0.05
	done
	port=$(sed -n 's/^listening .*:\([0-9]*\)$/\1/p' "$out")
}

wait_server() {
	wait "$server_pid"
	rc=$?
	server_pid=
	return $rc
}

"$PEER" --gen-keys "$TMP/keys"
tap_ok $? "gen-keys writes a keys blob"
size=$(wc -c <"$TMP/keys")
[ "$size" -eq 320 ] && [ "$(stat -c %a "$TMP/keys")" = 600 ]
tap_ok $? "keys blob is a struct sdrp_keys (320 bytes), mode 0600"

# --- clean session over IPv4: 30 exchanges, interval 5, sizes incl. 0 ---
P="--params rekey=5,recv=3000,close=1000"
SZ="--sizes 0,1,1000,70000,1048576,17"
start_server "$TMP/s1" 127.0.0.1:0 --keys "$TMP/keys" $P $SZ --verify
"$PEER" --role client --connect "127.0.0.1:$port" --keys "$TMP/keys" $P $SZ \
	--verify --count 30 >"$TMP/c1" 2>&1
tap_ok $? "IPv4 client: 30 verified exchanges, clean close (exit 0)"
wait_server
tap_ok $? "IPv4 server: clean end (exit 0)"
# the 30th DATA ACK makes the 6th rekey due; the client's CLOSE crosses it
grep -q '^result reason=local .* exchanges=30 rekeys=5 epoch=5 ' "$TMP/c1"
tap_ok $? "IPv4 client: result local, 30 exchanges, 5 rekeys completed"
grep -q '^result reason=peer ' "$TMP/s1"
tap_ok $? "IPv4 server: result peer"
[ "$(grep -c '^tx hello epoch' "$TMP/s1")" -eq 6 ]
tap_ok $? "IPv4 server: 6 rekey HELLOs sent"
[ "$(grep -c ' mismatch$' "$TMP/c1" "$TMP/s1" | awk -F: '{s += $2} END {print s}')" -eq 0 ]
tap_ok $? "IPv4: no body mismatch"
tail -n 3 "$TMP/c1" | grep -q '^rx close-ack '
tap_ok $? "IPv4 client: CLOSE ACK received at the end"

# --- IPv6, the server closes after 7 exchanges ---
if "$PEER" --gen-keys "$TMP/k6" && start_server "$TMP/s2" '[::1]:0' \
	--keys "$TMP/k6" --count 7 $P; then
	"$PEER" --role client --connect "[::1]:$port" --keys "$TMP/k6" $P \
		--count 100 --expect peer >"$TMP/c2" 2>&1
	tap_ok $? "IPv6 client: sees the server's close (expect peer)"
	wait_server
	tap_ok $? "IPv6 server: closes after 7 exchanges (exit 0)"
	grep -q '^result reason=local .* exchanges=7 ' "$TMP/s2"
	tap_ok $? "IPv6 server: result local after 7"
else
	tap_skip "IPv6" "no ::1"
fi

# --- fault: wrong MAC from the client; the server answers CLOSE ---
start_server "$TMP/s3" 127.0.0.1:0 --keys "$TMP/keys" $P --expect bad-mac
"$PEER" --role client --connect "127.0.0.1:$port" --keys "$TMP/keys" $P \
	--count 5 --fault bad-mac@3:data-request --expect peer >"$TMP/c3" 2>&1
tap_ok $? "bad-mac: client sees the session closed by the server"
wait_server
tap_ok $? "bad-mac: server closes with reason bad-mac (exit 0 with --expect)"
grep -q '^tx data-request .* fault=bad-mac$' "$TMP/c3"
tap_ok $? "bad-mac: client reports the injected fault"
grep -q '^rx data-request .* refused=bad-mac$' "$TMP/s3" &&
	grep -q '^tx close ' "$TMP/s3"
tap_ok $? "bad-mac: server refused the record and sent CLOSE" "$TMP/s3"

# --- fault: no CLOSE ACK; the client ends with CLOSED WITHOUT ACK ---
Q="--params recv=3000,close=100,retries=3"
start_server "$TMP/s4" 127.0.0.1:0 --keys "$TMP/keys" $Q \
	--fault no-close-ack --expect peer
"$PEER" --role client --connect "127.0.0.1:$port" --keys "$TMP/keys" $Q \
	--count 2 --expect no-ack >"$TMP/c4" 2>&1
tap_ok $? "no-close-ack: client result no-ack"
wait_server
tap_ok $? "no-close-ack: server saw the CLOSE"
[ "$(grep -c '^tx close ' "$TMP/c4")" -eq 3 ] &&
	grep -q '^tx closed-without-ack ' "$TMP/c4"
tap_ok $? "no-close-ack: 3 CLOSEs then CLOSED WITHOUT ACK" "$TMP/c4"

# --- RESEND policy recovers from a corrupted response ---
R="--params recv=3000,close=500,policy=resend"
start_server "$TMP/s5" 127.0.0.1:0 --keys "$TMP/keys" $R --verify \
	--fault corrupt@2:data-response
"$PEER" --role client --connect "127.0.0.1:$port" --keys "$TMP/keys" $R \
	--count 6 --verify >"$TMP/c5" 2>&1
tap_ok $? "resend: client completes all exchanges despite a corrupted response"
wait_server
tap_ok $? "resend: server clean end"
grep -q '^tx resend-last ' "$TMP/c5" && grep -q 'resends=1$' "$TMP/c5"
tap_ok $? "resend: client asked once with RESEND LAST" "$TMP/c5"

# --- initial handshake with credentials made by sdrpctl ---
pki_ok=1
if [ -x "${SDRPCTL:-}" ]; then
	K="$TMP/pki"
	mkdir -p "$K" &&
	"$SDRPCTL" ca init --name test-ca --bits 2048 --key "$K/ca.key" \
		--cert "$K/ca.crt" >/dev/null &&
	"$SDRPCTL" psk gen "$K/s0" >/dev/null && pki_ok=0
	for who in client server; do
		"$SDRPCTL" key gen --bits 2048 "$K/$who.key" >/dev/null &&
		"$SDRPCTL" cert issue --ca-key "$K/ca.key" --ca-cert "$K/ca.crt" \
			--name "$who.test" --key "$K/$who.key" \
			--out "$K/$who.crt" >/dev/null || pki_ok=1
	done
	[ $pki_ok -eq 0 ] || echo "# sdrpctl could not make the credentials"
fi
if [ $pki_ok -eq 0 ]; then
	CS="--ca $K/ca.crt --cert $K/server.crt --key $K/server.key --s0 $K/s0"
	CC="--ca $K/ca.crt --cert $K/client.crt --key $K/client.key --s0 $K/s0"
	start_server "$TMP/s7" 127.0.0.1:0 $CS --peer client.test $P --verify
	"$PEER" --role client --connect "127.0.0.1:$port" $CC --peer server.test \
		$P --verify --count 12 >"$TMP/c7" 2>&1
	tap_ok $? "handshake: client, 12 verified exchanges, clean close" "$TMP/c7"
	wait_server
	tap_ok $? "handshake: server clean end" "$TMP/s7"
	head -n 3 "$TMP/c7" | tr '\n' ' ' | grep -q \
		'^tx hello epoch=0 .* clear rx hello-ack epoch=0 .* clear tx ack epoch=0 '
	tap_ok $? "handshake: clear HELLO, clear HELLO ACK, then ACK under epoch 0" \
		"$TMP/c7"
	grep -q '^result reason=local .* rekeys=2 ' "$TMP/c7"
	tap_ok $? "handshake: interval 5 agreed, 2 rekeys" "$TMP/c7"

	start_server "$TMP/s8" 127.0.0.1:0 $CS --peer client.test $P --expect peer
	"$PEER" --role client --connect "127.0.0.1:$port" $CC --peer other.test \
		$P --expect auth >"$TMP/c8" 2>&1
	tap_ok $? "handshake: unexpected server identity, client result auth" "$TMP/c8"
	wait_server
	tap_ok $? "handshake: server sees the client's close" "$TMP/s8"
	grep -q '^tx close epoch=0 .* clear$' "$TMP/c8" &&
		grep -q 'errno=129 ' "$TMP/c8" &&
		grep -q '^handshake failed errno=129 (EKEYREJECTED) ' "$TMP/c8"
	tap_ok $? "handshake: clear CLOSE, errno EKEYREJECTED" "$TMP/c8"

	start_server "$TMP/s12" 127.0.0.1:0 $CS --peer client.test $P --expect peer
	"$PEER" --role client --connect "127.0.0.1:$port" $CC --peer other.test \
		$P --expect-errno EKEYREJECTED >"$TMP/c12" 2>&1
	tap_ok $? "--expect-errno EKEYREJECTED: exit 0 when the handshake failed so" "$TMP/c12"
	wait_server
	start_server "$TMP/s13" 127.0.0.1:0 $CS --peer client.test $P --expect peer
	"$PEER" --role client --connect "127.0.0.1:$port" $CC --peer other.test \
		$P --expect-errno EBADMSG >"$TMP/c13" 2>&1
	[ $? -eq 1 ]
	tap_ok $? "--expect-errno EBADMSG: exit 1 for another errno" "$TMP/c13"
	wait_server
else
	tap_skip "handshake" "no sdrpctl for credentials"
fi

# --- IV.B: no ACK after the HELLO ACK; the server times out, CLOSE ---
if [ $pki_ok -eq 0 ]; then
	T="--params recv=300,close=300"
	start_server "$TMP/s9" 127.0.0.1:0 $CS --peer client.test $T \
		--expect timeout
	"$PEER" --role client --connect "127.0.0.1:$port" $CC --peer server.test \
		$T --count 0 --no-close --fault no-ack >"$TMP/c9" 2>&1
	tap_ok $? "no ACK: the silent client sees the server close (exit 0)" "$TMP/c9"
	wait_server
	tap_ok $? "no ACK: server result timeout" "$TMP/s9"
	grep -q '^tx ack .* fault=no-ack$' "$TMP/c9" &&
		grep -q '^rx close epoch=0 ' "$TMP/c9" &&
		grep -q '^tx close-ack ' "$TMP/c9"
	tap_ok $? "no ACK: CLOSE from the server, answered with CLOSE ACK" "$TMP/c9"
else
	tap_skip "no ACK" "no sdrpctl for credentials"
fi

# --- a HELLO whose signature fails (MAC valid); its bytes saved ---
if [ $pki_ok -eq 0 ]; then
	T="--params recv=1000,close=300"
	start_server "$TMP/s10" 127.0.0.1:0 $CS --peer client.test $T \
		--expect auth
	"$PEER" --role client --connect "127.0.0.1:$port" $CC --peer server.test \
		$T --fault bad-signature --expect peer \
		--save-hello "$TMP/hello.bin" >"$TMP/c10" 2>&1
	tap_ok $? "bad signature: the client sees the server's CLOSE" "$TMP/c10"
	wait_server
	tap_ok $? "bad signature: server result auth" "$TMP/s10"
	grep -q '^rx hello .* refused=auth$' "$TMP/s10" &&
		grep -q '^result reason=auth errno=74 ' "$TMP/s10" &&
		grep -q '^tx close epoch=0 .* clear$' "$TMP/s10"
	tap_ok $? "bad signature: refused (EBADMSG), answered with a clear CLOSE" \
		"$TMP/s10"
	# header: version 1, type HELLO (1), flags CLEAR (1), reserved 0,
	# epoch 0, then the length of the rest
	hdr=$(od -An -tx1 -N8 "$TMP/hello.bin" | tr -d ' \n')
	len=$(od -An -tu4 --endian=big -j8 -N4 "$TMP/hello.bin" | tr -d ' ')
	[ "$hdr" = 0101010000000000 ] &&
		[ $((len + 12)) -eq "$(wc -c <"$TMP/hello.bin")" ]
	tap_ok $? "--save-hello: the file is the whole clear HELLO record"
else
	tap_skip "bad signature" "no sdrpctl for credentials"
fi

# --- exit status is 1 when the outcome is not the expected one ---
start_server "$TMP/s6" 127.0.0.1:0 --keys "$TMP/keys" $P
"$PEER" --role client --connect "127.0.0.1:$port" --keys "$TMP/keys" $P \
	--count 3 --expect bad-mac >"$TMP/c6" 2>&1
[ $? -eq 1 ]
tap_ok $? "a clean session with --expect bad-mac exits 1"
wait_server

# --kernel needs the sdrp module (the VM tests use it); here, where no
# module can load, it must say so
if ! grep -qw sdrp /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null; then
	start_server "$TMP/s11" 127.0.0.1:0 --keys "$TMP/keys" $P
	"$PEER" --kernel --role client --connect "127.0.0.1:$port" \
		--peer server.test >"$TMP/c11" 2>&1
	[ $? -eq 2 ] && grep -q 'TCP_ULP "sdrp": No such file' "$TMP/c11"
	tap_ok $? "--kernel without the sdrp module: clear error, exit 2" "$TMP/c11"
	kill "$server_pid" 2>/dev/null
	wait_server
fi

"$PEER" --role client --connect 127.0.0.1:1 --keys "$TMP/nonexistent" \
	>/dev/null 2>&1
[ $? -eq 2 ]
tap_ok $? "usage / setup errors exit 2"

tap_done
