#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The secrets of a handshake through sdrpd never reach a log, a counter or
# a session dump:
#
#   sdrp-a: sdrpd -d (host-a.test), client  <-- veth -->  sdrp-b: sdrpd -d (host-b.test), server
#
# A handshake's keys are derived inside the two daemons: nothing outside
# them knows the keys unless a daemon says them, and a switch in sdrpd to
# write them out would be a way to leak them from a production build.  So
# the test reads them where they legitimately travel: each daemon hands
# the kernel its hello MAC keys (SEND, DONE) and the session keys (DONE)
# over the sdrp generic netlink family.  The daemons run under an
# LD_PRELOAD shim (nltap_preload.so) that records every netlink message
# they send, and sdrp_hs_tool keyextract keeps the attributes the uapi
# marks secret.  (An nlmon device cannot serve here: the kernel wipes
# those attributes in place once copied, and nlmon's clone of the message
# shares that buffer.)  Both ends must have handed over the same session
# keys, or the extraction proves nothing.
#
# Then no 8-byte piece of any of them (raw or hex) may appear in: each
# daemon's log (debug messages included), `sdrpctl sessions` of a live
# session, the raw SESSIONS dump messages (captured on an nlmon device in
# each namespace), /proc/net/sdrp_stat, the kernel log, the client's and
# server's output.  The s0 file and the hosts' RSA private keys must not
# be in the daemons' logs either.  The module defines no tracepoints:
# nothing to read there.
set -u

here=$(dirname "$0")
. "$here/lib/tap.sh"
. "$here/lib/two_hosts.sh"
. "$here/lib/sdrpd_hosts.sh"

PORT=5300
W=/tmp/sdrp_secrets_sdrpd.$$
TOOL=sdrp_hs_tool
TAPS=

cleanup()
{
	for pid in $TAPS; do
		kill "$pid" 2>/dev/null
	done
	rm -rf "$W"
}

show()
{
	sed 's/^/# /' "$@"
}

mkdir -p "$W"
if ! sdrpd_hosts_setup; then
	tap_fail "setup: PKI, sdrpd -d in both namespaces"
	tap_done
fi
# The same daemons again, each under the shim.
for host in a b; do
	printf '#!/bin/sh\nLD_PRELOAD=/usr/bin/nltap_preload.so SDRP_NLTAP_FILE=%s exec sdrpd "$@"\n' \
		"$W/nl.$host" >"$W/sdrpd.$host"
	chmod +x "$W/sdrpd.$host"
	SDRPD=$W/sdrpd.$host
	sdrpd_stop $host && sdrpd_start $host || break
	SDRPD=sdrpd
done
tap_check "setup: PKI, sdrpd -d under the shim in both namespaces" \
	test "$SDRPD" = sdrpd

# The SESSIONS dumps, on an nlmon device in each namespace (every kernel
# the suite runs on has nlmon; those checks skip on a kernel without).
NLMON=yes
for host in a b; do
	ns=$(sdrpd_ns $host)
	if ! ip netns exec "$ns" ip link add nlmon0 type nlmon 2>"$W/nlmon.err"; then
		NLMON="no nlmon device: $(cat "$W/nlmon.err")"
		break
	fi
	ip netns exec "$ns" ip link set nlmon0 up
	ip netns exec "$ns" $TOOL keytap nlmon0 "$W/dump.$host" \
		>"$W/tap.$host" 2>&1 &
	TAPS="$TAPS $!"
done
if [ "$NLMON" = yes ]; then
	tap_check "nlmon taps on both namespaces' netlink traffic" \
		poll_until 10 sh -c "grep -q tapping $W/tap.a && grep -q tapping $W/tap.b"
fi

# One session: handshake through both daemons, exchanges (two rekeys),
# then it stays open while the sessions are dumped.
bg_on_b $TOOL server "$PORT" -n 20 -s 2000 >"$W/server.out" 2>&1
SERVER=${two_hosts_pids##* }
wait_tcp_listen b "$PORT"
on_a $TOOL client "$ADDR_B" "$PORT" "$SDRP_ID_B" -n 20 -s 2000 \
	>"$W/client.out" 2>&1 &
CLIENT=$!
tap_check "sdrpctl sessions shows the live session on both hosts" \
	poll_until 20 sh -c "ip netns exec $NS_A sdrpctl sessions >$W/sessions.a &&
		grep -q $SDRP_ID_B $W/sessions.a &&
		ip netns exec $NS_B sdrpctl sessions >$W/sessions.b &&
		grep -q $SDRP_ID_A $W/sessions.b"
wait "$CLIENT"
CRC=$?
wait "$SERVER"
SRC=$?
tap_check "handshake and 20 exchanges through sdrpd" \
	test "$CRC" = 0 -a "$SRC" = 0
show "$W/client.out" "$W/server.out"

for pid in $TAPS; do
	kill "$pid"
	wait "$pid"
done
TAPS=
[ "$NLMON" = yes ] && show "$W/tap.a" "$W/tap.b"
for host in a b; do
	on_a $TOOL keyextract "$W/nl.$host" "$W/secrets.$host" >"$W/extract.$host"
done
show "$W/extract.a" "$W/extract.b"
# The client's daemon sent SEND and DONE, the server's DONE: the same
# session keys on both sides, or the extraction read something else.
tap_check "each daemon handed the kernel the session keys" \
	sh -c "grep -q '^c2s-key ' $W/secrets.a && grep -q '^c2s-key ' $W/secrets.b"
tap_check "both daemons handed over the same keys, not zero (read right)" \
	sh -c "[ \"\$(grep '^c2s-key ' $W/secrets.a)\" = \"\$(grep '^c2s-key ' $W/secrets.b)\" ] &&
		[ \"\$(grep '^s2c-mac ' $W/secrets.a)\" = \"\$(grep '^s2c-mac ' $W/secrets.b)\" ] &&
		! grep -q ' 0000000000000000' $W/secrets.a"
if [ "$NLMON" = yes ]; then
	tap_check "the tap saw the SESSIONS dumps" \
		sh -c "grep -Eq 'sessions [1-9]' $W/tap.a && grep -Eq 'sessions [1-9]' $W/tap.b"
fi
tap_check "keyscan finds a secret that is there (control)" \
	sh -c "! $TOOL keyscan $W/secrets.a $W/secrets.b >/dev/null"

cat "$W/secrets.a" "$W/secrets.b" >"$W/secrets"
printf 's0 %s\n' "$(tr -d '\n' <"$SDRP_PKI/a-b.s0" | tr A-F a-f)" >>"$W/secrets"
for host in a b; do
	ip netns exec "$(sdrpd_ns $host)" cat /proc/net/sdrp_stat >"$W/stat.$host"
done
dmesg >"$W/dmesg"

scan() # NAME FILE...: no secret in any FILE
{
	scan_name=$1
	shift
	if $TOOL keyscan "$W/secrets" "$@" >"$W/scan.out"; then
		tap_ok "no key in $scan_name"
	else
		tap_fail "no key in $scan_name" "$(cat "$W/scan.out")"
	fi
}

scan "sdrpd's debug log (host a)" "$(sdrpd_logfile a)"
scan "sdrpd's debug log (host b)" "$(sdrpd_logfile b)"
scan "sdrpctl sessions" "$W/sessions.a" "$W/sessions.b"
if [ "$NLMON" = yes ]; then
	scan "the raw SESSIONS dump messages" "$W/dump.a" "$W/dump.b"
else
	tap_skip "no key in the raw SESSIONS dump messages" "$NLMON"
fi
scan "/proc/net/sdrp_stat" "$W/stat.a" "$W/stat.b"
scan "the kernel log" "$W/dmesg"
scan "the client's and server's output" "$W/client.out" "$W/server.out"

# The long-term secrets: the RSA private keys' PEM lines, whole.
sed -e '/^-----/d' "$SDRP_PKI/$SDRP_ID_A.key" "$SDRP_PKI/$SDRP_ID_B.key" \
	>"$W/pem-lines"
tap_check "the RSA private keys are read (control)" test -s "$W/pem-lines"
tap_check "no RSA private key line in sdrpd's logs" \
	sh -c "! grep -F -f $W/pem-lines $(sdrpd_logfile a) $(sdrpd_logfile b)"
tap_done
