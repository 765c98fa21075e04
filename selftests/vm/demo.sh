#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`, inside the VM: two hosts (network namespaces), a CA and an
# identity for each made with sdrpctl, sdrpd in each namespace, and the
# example collector polling the example sensor 30 times over an
# authenticated sdrp session (handshake through sdrpd, rekey every 10
# responses, CLOSE), with `sdrpctl sessions` while it runs.  Any failing
# step ends the demo with "DEMO FAILED" and a non-zero status.
set -u

here=$(dirname "$0")
. "$here/lib/tap.sh"		# poll_until
. "$here/lib/two_hosts.sh"
. "$here/lib/sdrpd_hosts.sh"

SENSOR=sensor-1.example		# server, namespace sdrp-b
COLLECTOR=collector-1.example	# client, namespace sdrp-a
PORT=7000
REQUESTS=30
INTERVAL_MS=200

step_n=0
step()
{
	step_n=$((step_n + 1))
	printf '\n=== %d. %s\n' "$step_n" "$*"
}

die()
{
	printf '\n!!! DEMO FAILED at step %d: %s\n' "$step_n" "$*"
	exit 1
}

# show CMD...: print the command as a user would type it, then run it
show()
{
	printf '$ %s\n' "$*"
	"$@" || die "'$*' failed (status $?)"
}

# indent [FILE]: a program's output, set off from the narration
indent() { sed 's/^/    /' "$@"; }

# Everything the demo writes: the key files, configs, logs, outputs.
cleanup()
{
	[ -z "${sensor_pid:-}" ] || kill "$sensor_pid" 2>/dev/null
	[ -z "${collector_pid:-}" ] || kill "$collector_pid" 2>/dev/null
}

printf '=== sdrp demo on Linux %s\n' "$(uname -r)"
step "two hosts in one VM: network namespaces joined by a veth pair"
two_hosts_setup || die "network namespaces"
trap sdrpd_hosts_on_exit EXIT
printf '    %-22s namespace %s  %s\n' "$COLLECTOR" "$NS_A" "$ADDR_A" \
	"$SENSOR" "$NS_B" "$ADDR_B"
modprobe sdrp || die "modprobe sdrp"

step "a CA and the two identities, with sdrpctl (RSA 2048: a few seconds each here)"
SDRP_PKI=$(mktemp -d /tmp/sdrp-demo.XXXXXX) || die "mktemp"
cd "$SDRP_PKI" || die "cd $SDRP_PKI"
show sdrpctl ca init --name demo-ca --bits 2048 --key ca.key --cert ca.crt
for id in "$SENSOR" "$COLLECTOR"; do
	show sdrpctl key gen --bits 2048 "$id.key"
	show sdrpctl cert issue --ca-key ca.key --ca-cert ca.crt --name "$id" \
		--key "$id.key" --days 30 --out "$id.crt"
done
show sdrpctl psk gen collector-sensor.s0
show sdrpctl cert show "$SENSOR.crt"
show sdrpctl cert verify --ca ca.crt --name "$COLLECTOR" "$COLLECTOR.crt"

step "sdrpd in each namespace: the keys stay there, never in the applications"
sdrpd_config b "$SENSOR" || die "sensor config"
sdrpd_config_peer b collectors collector-sensor "$COLLECTOR"
sdrpd_config a "$COLLECTOR" || die "collector config"
sdrpd_config_peer a sensors collector-sensor "$SENSOR"
echo "    $(sdrpd_conf b) (the sensor's; the collector's names the sensor):"
grep -v '^#' "$(sdrpd_conf b)" | grep . | sed 's/^/        /'
show ip netns exec "$NS_B" sdrpd -t -c "$(sdrpd_conf b)"
show ip netns exec "$NS_A" sdrpd -t -c "$(sdrpd_conf a)"
printf '$ ip netns exec %s sdrpd -d -c %s &\n' "$NS_B" "$(sdrpd_conf b)"
sdrpd_start b || die "sdrpd in $NS_B did not start"
printf '$ ip netns exec %s sdrpd -d -c %s &\n' "$NS_A" "$(sdrpd_conf a)"
sdrpd_start a || die "sdrpd in $NS_A did not start"
sdrpd_log b | grep ' ready: ' | sed 's/^/    sensor    /'
sdrpd_log a | grep ' ready: ' | sed 's/^/    collector /'

step "the sensor listens (userspace/examples/sdrp-sensor.c)"
printf '$ ip netns exec %s sdrp-sensor -p %s -n 1 &\n' "$NS_B" "$PORT"
ip netns exec "$NS_B" sdrp-sensor -p "$PORT" -n 1 -q >sensor.out 2>&1 &
sensor_pid=$!
wait_tcp_listen b "$PORT" || die "the sensor does not listen: $(cat sensor.out)"

step "the collector: handshake, $REQUESTS requests every ${INTERVAL_MS} ms, rekey every 10 responses, close"
printf '$ ip netns exec %s sdrp-collector -s %s -n %s -i %s %s %s\n' "$NS_A" \
	"$SENSOR" "$REQUESTS" "$INTERVAL_MS" "$ADDR_B" "$PORT"
ip netns exec "$NS_A" sdrp-collector -s "$SENSOR" -n "$REQUESTS" \
	-i "$INTERVAL_MS" "$ADDR_B" "$PORT" >collector.out 2>&1 &
collector_pid=$!
# Half-way, look at the live sessions from both hosts.
half=$(printf '#%02d ' $((REQUESTS / 2)))
if ! poll_until 60 grep -q "$half" collector.out; then
	indent collector.out
	die "the collector did not get half-way"
fi
indent collector.out
shown=$(wc -l <collector.out)
printf '\n    --- while it runs: sdrpctl sessions (from the generic netlink dump) ---\n'
printf '$ ip netns exec %s sdrpctl sessions\n' "$NS_A"
ip netns exec "$NS_A" sdrpctl sessions >sessions-a.out 2>&1 ||
	{ indent sessions-a.out; die "sdrpctl sessions in $NS_A"; }
indent sessions-a.out
printf '$ ip netns exec %s sdrpctl sessions\n' "$NS_B"
ip netns exec "$NS_B" sdrpctl sessions >sessions-b.out 2>&1 ||
	{ indent sessions-b.out; die "sdrpctl sessions in $NS_B"; }
indent sessions-b.out
grep -q "$SENSOR" sessions-a.out ||
	die "the collector's host does not list the session with $SENSOR"
grep -q "$COLLECTOR" sessions-b.out ||
	die "the sensor's host does not list the session with $COLLECTOR"
printf '    ---\n'
wait "$collector_pid"
rc=$?
collector_pid=
tail -n "+$((shown + 1))" collector.out | indent
[ "$rc" -eq 0 ] || die "the collector failed (status $rc)"
wait "$sensor_pid"
rc=$?
sensor_pid=
[ "$rc" -eq 0 ] || { indent sensor.out; die "the sensor failed (status $rc)"; }

# What a user should have seen: every check names what was missing.
grep -q "authenticated sensor \"$SENSOR\"" collector.out ||
	die "no authenticated handshake in the collector's output"
[ "$(grep -c '^sdrp-collector: #' collector.out)" -eq "$REQUESTS" ] ||
	die "not $REQUESTS responses"
for e in 1 2 3; do
	grep -q "rekey: epoch $((e - 1)) -> $e" collector.out ||
		die "rekey to epoch $e not seen"
done
grep -q 'closed: CLOSE acknowledged' collector.out || die "no clean close"

step "the sensor's side (sdrp-sensor -q prints the session's start and end)"
indent sensor.out
grep -q "authenticated collector \"$COLLECTOR\"" sensor.out ||
	die "the sensor did not authenticate $COLLECTOR"

step "what the daemons logged (one line per handshake turn, in time order)"
{
	sdrpd_log a | grep 'handshake' | sed 's/^/collector /'
	sdrpd_log b | grep 'handshake' | sed 's/^/sensor    /'
} | sort -b -k2,2 | indent
sdrpd_log b | grep -q "authenticated as \"$COLLECTOR\"" ||
	die "the sensor's sdrpd did not log the collector's identity"

step "afterwards"
printf '$ ip netns exec %s sdrpctl sessions\n' "$NS_A"
ip netns exec "$NS_A" sdrpctl sessions 2>&1 | indent
printf '$ ip netns exec %s grep -E "Established|Rekeys|CloseLocal|Hs" /proc/net/sdrp_stat\n' "$NS_A"
ip netns exec "$NS_A" grep -E '^Sdrp(Established|Rekeys|CloseLocal|Hs(Started|Done))\b' \
	/proc/net/sdrp_stat | indent
printf '\n=== demo complete: the handshake through sdrpd, %s authenticated responses, 3 rekeys, a clean close\n' \
	"$REQUESTS"
