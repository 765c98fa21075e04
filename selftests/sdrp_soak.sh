#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Soak: many concurrent sdrp sessions between two hosts, each begun with
# the handshake through sdrpd, while the path misbehaves and the daemons
# are restarted; then a full account.
#
#   sdrp-a: sdrpd (host-a.test)                   sdrp-b: sdrpd (host-b.test)
#           sdrp_soak_load server  <==veth, netem both ways==>  client
#           (aborts a random session's TCP connection every 2-4 s)
#
# Every session starts with SDRP_HANDSHAKE (lib/sdrpd_hosts.sh sets up the
# PKI and one sdrpd per host).  Faults: netem on both veth ends delays
# (with jitter), loses, duplicates and reorders packets, switching between
# a mild and a harsh profile every 2 s (plus the two `tc` runs: ~8 s
# apart while the load keeps the guest busy); the server aborts the
# connections of established sessions (SOCK_DESTROY, every 2-4 s; SOAK=long
# every 30-60 s); at a third of the run
# the server host's sdrpd is killed (SIGKILL) and started again once a
# handshake met its absence and sessions rekeyed without it (3 s at
# least), at two thirds the client host's.  Handshakes that meet a dead daemon
# fail (ESRCH, ECONNABORTED, or ECONNRESET / ECONNREFUSED / ETIMEDOUT /
# ETIME on the other end) and the client retries; established sessions carry on
# and rekey without it; the client then ends a few sessions (SIGUSR1) so
# that new handshakes meet the dead daemon.  Afterwards:
#   - every response the client's application got was its request's own,
#     byte for byte, in order (checked by the load, exchange by exchange);
#   - every failure reached the application as its reason's errno, every
#     failed handshake as one the faults explain, also in SDRP_INFO;
#   - no session was left half-open: every socket was CLOSED on both sides
#     and SdrpCurrSessions is back to 0;
#   - /proc/net/sdrp_stat adds up, on each host, with itself and with what
#     the load saw: handshakes started, done, refused (SdrpHsNoDaemon) and
#     failed; sessions established; closes by reason;
#   - rekeys went on while a daemon was down;
#   - SOAK=long: sessions ended early only by the faults: failures other
#     than a reset's (TTL, timeouts, under netem or a starved guest) are
#     few (max(2, sessions/20)); the short run only counts them (20 s on
#     a loaded machine is too short for a bound that says anything);
#   - the module unloads.
# The client's line also gives exchanges and rekeys per session (min,
# median, p90, max; sessions_1000_exchanges) and how each slot's first
# session ended (whole_run: alive at the end).
#
# SOAK=long: 200 sessions for SOAK_SECONDS (make soak: 2100 s; SOAK_SESSIONS
# overrides the 200), a reset every 30-60 s (SOAK_RESET_MS=30000: most
# of the first 200 sessions live the whole run, thousands of exchanges);
# default (make check): 20 sessions for 20 s, a reset every 2-4 s.
set -u

here=$(dirname "$0")
. "$here/lib/tap.sh"
. "$here/lib/two_hosts.sh"
. "$here/lib/sdrpd_hosts.sh"

PORT=5300
LOAD=sdrp_soak_load	# VM_PROGS installs it in /usr/bin
# The load runs at nice 10: its hundreds of threads keep both vCPUs busy,
# and at the same priority the fault injector, the restarts and their
# `ip netns exec`s got a few hundredth of them (20 netem changes in a
# 2100 s run instead of ~1000).  sdrpd keeps nice 0, as a system daemon.
# (busybox has renice, not nice: sh -c "$NICE10" load CMD... renices
# itself and execs CMD.)
# shellcheck disable=SC2016 # expanded by that sh
NICE10='renice -n 10 -p $$ >/dev/null && exec "$@"'
if [ "${SOAK:-}" = long ]; then
	sessions=${SOAK_SESSIONS:-200}
	seconds=${SOAK_SECONDS:-2100}
	reset_ms=${SOAK_RESET_MS:-30000}
else
	sessions=${SOAK_SESSIONS:-20}
	seconds=${SOAK_SECONDS:-20}
	reset_ms=${SOAK_RESET_MS:-2000}
fi
# how long a killed sdrpd stays down at least, and how long each wait
# around a restart may take at most (see restart_daemon).  The waits end
# as soon as what they wait for happened (a second or two on the release
# kernels); the bound is for the debug kernel (make check-debug) on a
# loaded host, where a handshake or a rekey can take tens of seconds.
DAEMON_DOWN=3
seen_wait=60
# The longest a restart takes: both waits, the time down, sdrpd's start
# (10 s at most) and the `ip netns exec`s around them.
restart_max=$((2 * seen_wait + DAEMON_DOWN + 30))
secret=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
out=/tmp/soak.$$
injector=

# called by the exit trap of sdrpd_hosts.sh, before the daemons stop
cleanup()
{
	[ -z "$injector" ] || kill "$injector" 2>/dev/null
	rm -f "$out".*
}

stat_of() { ip netns exec "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/sdrp_stat; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# loaded now: an autoload at the first attach would eat the load's time
tap_check "module loaded" modprobe sdrp
if ! sdrpd_hosts_setup; then
	tap_fail "setup: PKI, sdrpd in both namespaces"
	tap_done
fi
tap_ok "setup: PKI, sdrpd in both namespaces"

# netem PROFILE: the same qdisc on both ends (each shapes its egress)
MILD="delay 5ms 3ms loss 0.5% duplicate 0.5% reorder 5%"
HARSH="delay 20ms 15ms loss 3% duplicate 2% reorder 10%"
netem()
{
	on_a tc qdisc "$1" dev veth-a root netem $2 &&
		on_b tc qdisc "$1" dev veth-b root netem $2
}

tap_check "netem on both veth ends" netem add "$MILD"

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

# SOCK_DESTROY needs inet_diag and tcp_diag (not in every kernel config)
resets=
noreset=-n
if modprobe -q inet_diag 2>/dev/null && modprobe -q tcp_diag 2>/dev/null; then
	resets=yes
	noreset=
fi
# shellcheck disable=SC2086 # $noreset: no word or one
bg_on_a sh -c "$NICE10" load "$LOAD" server $noreset -r "$reset_ms" -H "$SDRP_ID_B" "$PORT" "$secret" \
	>"$out.server" 2>"$out.server.err"
server_pid=$!
wait_tcp_listen a "$PORT" || tap_fail "soak server listens"

# restart_daemon a|b WHO: once its host's sessions rekey, kill that
# host's sdrpd (SIGKILL: the requests it
# holds are lost) and have the client end a few sessions (SIGUSR1) so that
# new handshakes meet the dead daemon.  It stays down DAEMON_DOWN seconds
# and until both were seen on its host ($seen_wait s at most): a handshake refused
# for want of it (SdrpHsNoDaemon rose) and established sessions rekeying
# without it (SdrpRekeys rose).  Then it starts again.
restarts=0
# both_seen NS NO_DAEMON REKEYS: both counters above those values (one
# `ip netns exec`: under load each one takes a good part of a second)
both_seen()
{
	ip netns exec "$1" awk -v n="$2" -v r="$3" '
		$1 == "SdrpHsNoDaemon" { nd = $2 }
		$1 == "SdrpRekeys" { rk = $2 }
		END { exit !(nd > n && rk > r) }' /proc/net/sdrp_stat
}
# wait_seen NS NO_DAEMON REKEYS: both_seen, for $seen_wait s of uptime at
# most
wait_seen()
{
	seen_end=$(($(cut -d. -f1 /proc/uptime) + seen_wait))
	until both_seen "$@"; do
		[ "$(cut -d. -f1 /proc/uptime)" -lt "$seen_end" ] || return 1
		sleep 0.2
	done
}
# wait_rekeying NS: until sessions of NS rekey (SdrpRekeys rises), for
# $seen_wait s at most: the kill must find established sessions
wait_rekeying()
{
	wait_seen "$1" -1 "$(stat_of "$1" SdrpRekeys)"
}
restart_daemon()
{
	ns=$(sdrpd_ns "$1")
	wait_rekeying "$ns" || tap_diag "no rekey on $ns for $seen_wait s before the kill"
	tap_diag "sdrpd $1 ($2) killed at uptime $(uptime_s)"
	sdrpd_kill "$1"
	no_daemon_before=$(stat_of "$ns" SdrpHsNoDaemon)
	rekeys_before=$(stat_of "$ns" SdrpRekeys)
	kill -USR1 "$client_pid"
	sleep "$DAEMON_DOWN"
	wait_seen "$ns" "$no_daemon_before" "$rekeys_before"
	no_daemon=$(($(stat_of "$ns" SdrpHsNoDaemon) - no_daemon_before))
	rekeys=$(($(stat_of "$ns" SdrpRekeys) - rekeys_before))
	tap_diag "sdrpd $1 started again at uptime $(uptime_s)"
	if sdrpd_start "$1"; then
		restarts=$((restarts + 1))
		tap_ok "sdrpd $1 ($2) killed and started again under load"
	else
		tap_fail "sdrpd $1 ($2) killed and started again under load"
	fi
	if [ "$no_daemon" -gt 0 ]; then
		tap_ok "sdrpd $1 down: $no_daemon handshakes refused (ESRCH)"
	else
		tap_fail "sdrpd $1 down: handshakes refused (ESRCH)" "none"
	fi
	if [ "$rekeys" -gt 0 ]; then
		tap_ok "sdrpd $1 down: $rekeys rekeys on its host meanwhile"
	else
		tap_fail "sdrpd $1 down: rekeys on its host meanwhile" "none"
	fi
}

tap_diag "$sessions sessions for $seconds s from uptime $(uptime_s), handshake through sdrpd, rekey every 3 responses"
inject 2>"$out.inject.err" &
injector=$!
# The client runs until SIGTERM, so that both restarts fall inside the
# load however slow the guest is; its own time limit is only a bound
# for a test that died, past the longest both restarts can take.
bg_on_b sh -c "$NICE10" load "$LOAD" client -H "$SDRP_ID_A" "$ADDR6_A" "$PORT" "$secret" \
	"$sessions" $((seconds + 2 * restart_max + 60)) \
	>"$out.client" 2>"$out.client.err"
client_pid=$!
load_start=$(uptime_s)
# sleep_until SECONDS: until that long after the load's start
sleep_until()
{
	while awk -v t="$load_start" -v d="$1" '{ exit !($1 < t + d) }' /proc/uptime; do
		sleep 0.2
	done
}
# the server host's daemon at a third of the run, the client host's at
# two thirds
sleep_until $((seconds / 3))
restart_daemon a server
sleep_until $((seconds * 2 / 3))
restart_daemon b client
sleep_until "$seconds"
kill -TERM "$client_pid"
if wait "$client_pid"; then
	tap_diag "load done at uptime $(uptime_s)"
	tap_ok "soak client ran"
else
	tap_fail "soak client ran" "$(tail -n 3 "$out.client.err")"
fi
kill "$injector"
wait "$injector" 2>/dev/null
injector=

# server side: its sessions end with the client's CLOSEs (or resets)
no_sessions() { [ "$(stat_of "$1" SdrpCurrSessions)" = 0 ]; }
tap_check "no session left on the client host" poll_until 60 no_sessions "$NS_B"
tap_check "no session left on the server host" poll_until 60 no_sessions "$NS_A"
# the server reports on SIGTERM (ip netns exec passes it on)
kill -TERM "$server_pid"
poll_until 10 grep -q '^server ' "$out.server"

# field NAME LINE: value of NAME=... in a summary line (0 if absent)
field()
{
	v=$(echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p")
	echo "${v:-0}"
}
cl=$(grep '^client ' "$out.client")
sv=$(grep '^server ' "$out.server")
tap_diag "$cl"
tap_diag "$sv"
head -n 5 "$out.client.err" "$out.server.err" "$out.inject.err" 2>/dev/null |
	sed 's/^/# /'
faults=$(cat "$out.faults" 2>/dev/null || echo 0)
tap_diag "faults: netem profile changes $faults, connections reset $(field resets "$sv") (every $((reset_ms / 1000))-$((reset_ms / 500)) s), sdrpd restarts $restarts"
# dist NAME: min / median / p90 / max of the client's NAME_*
dist()
{
	echo "$(field "$1_min" "$cl") / $(field "$1_median" "$cl") / $(field "$1_p90" "$cl") / $(field "$1_max" "$cl")"
}
tap_diag "per session (min / median / p90 / max) of $(field lives "$cl") sessions: exchanges $(dist exchanges_per_session), rekeys $(dist rekeys_per_session); $(field sessions_1000_exchanges "$cl") sessions with >= 1000 exchanges"
tap_diag "the $sessions slots' first sessions (first handshake ok: $(($(field whole_run "$cl") + $(field first_churned "$cl") + $(field first_failed "$cl")))): $(field whole_run "$cl") lived the whole run (exchanges $(dist whole_run_exchanges), rekeys $(dist whole_run_rekeys)), $(field first_churned "$cl") closed by SIGUSR1, $(field first_failed "$cl") failed; failures: $(field failed "$cl") on the client, $(field failed_not_reset "$cl") of them not by a reset"
tc_stats=$(on_a tc -s qdisc show dev veth-a; on_b tc -s qdisc show dev veth-b)
tap_diag "netem $(echo "$tc_stats" | grep -o 'dropped [0-9]*' | tr '\n' ' ')"
for ns in "$NS_A" "$NS_B"; do
	tap_diag "$ns: $(ip netns exec "$ns" awk '$2 != 0 { printf "%s=%s ", $1, $2 }' /proc/net/sdrp_stat)"
done

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
tap_check "every failure had a documented errno, its reason's" check_zero wrong_errno
tap_check "no session half-open" check_zero half_open
# every established session's figures are in the client's distribution
lives_counted() { [ "$(field lives "$cl")" = "$(field sessions "$cl")" ]; }
tap_check "per-session figures of every session" lives_counted
# a session fails early by a reset (SdrpCloseTransport); a TTL or timeout
# close under netem's delays is a fault's too, but must stay rare
few_other_failures()
{
	bound=$((sessions / 20))
	[ "$bound" -ge 2 ] || bound=2
	for line in "$cl" "$sv"; do
		v=$(field failed_not_reset "$line")
		if [ "$v" -gt "$bound" ]; then
			echo "${line%% *}: $v failures not by a reset (at most $bound)"
			return 1
		fi
	done
}
if [ "${SOAK:-}" = long ]; then
	tap_check "sessions ended early only by the faults" few_other_failures
fi

exchanges_done() { [ "$(field exchanges "$cl")" -gt "$sessions" ]; }
tap_check "exchanges completed" exchanges_done
rekeys_done() { [ "$(stat_of "$NS_B" SdrpRekeys)" -gt 0 ]; }
tap_check "rekeys ran" rekeys_done
positive() { [ "$(field "$1" "$2")" -gt 0 ]; }
if [ -n "$resets" ]; then
	tap_check "connections were reset" positive resets "$sv"
else
	tap_skip "connections were reset" "no inet_diag/tcp_diag in this kernel"
fi

# stats_add_up NS LINE: that host's /proc/net/sdrp_stat against itself and
# against the load's summary LINE
stats_add_up()
{
	ip netns exec "$1" awk -v load="$2" '
		function want(what, got, expected) {
			if (got + 0 != expected + 0) {
				printf "%s: %s, expected %s\n", what, got, expected
				bad = 1
			}
		}
		BEGIN {
			n = split(load, f, " ")
			for (i = 2; i <= n; i++) {
				split(f[i], kv, "=")
				v[kv[1]] = kv[2]
			}
		}
		{ s[$1] = $2 }
		# one SdrpClose line per close reason, in enum order
		$1 ~ /^SdrpClose/ {
			r++
			closed += $2
			want($1 " (load: reason_" r ")", $2, v["reason_" r])
		}
		$1 ~ /^SdrpHsErr/ { hs_err += $2 }
		END {
			want("SdrpCurrSessions", s["SdrpCurrSessions"], 0)
			want("SdrpCurrOrphans", s["SdrpCurrOrphans"], 0)
			want("SdrpEstablished (load: sessions)",
			     s["SdrpEstablished"], v["sessions"])
			want("SdrpHsDone (load: hs_ok)", s["SdrpHsDone"], v["hs_ok"])
			want("SdrpEstablished (= SdrpHsDone)", s["SdrpEstablished"],
			     s["SdrpHsDone"])
			want("SdrpHsNoDaemon (load: hs_ESRCH)", s["SdrpHsNoDaemon"],
			     v["hs_ESRCH"])
			want("SdrpHsStarted (load: hs_ok + hs_failed - hs_ESRCH)",
			     s["SdrpHsStarted"],
			     v["hs_ok"] + v["hs_failed"] - v["hs_ESRCH"])
			want("SdrpHsStarted (= Done + BadAnswer + Cancelled + Err*)",
			     s["SdrpHsStarted"], s["SdrpHsDone"] +
			     s["SdrpHsBadAnswer"] + s["SdrpHsCancelled"] + hs_err)
			want("SdrpClose* (= SdrpHsStarted: each closed once)",
			     closed, s["SdrpHsStarted"])
			want("SdrpEstablished > 0", s["SdrpEstablished"] > 0, 1)
			exit bad
		}' /proc/net/sdrp_stat
}
tap_check "counters add up on the client host" stats_add_up "$NS_B" "$cl"
tap_check "counters add up on the server host" stats_add_up "$NS_A" "$sv"

# the daemons first (their netlink sockets), then the namespaces (their
# TCP sockets): the module must go too
sdrpd_hosts_cleanup
two_hosts_cleanup
tap_check "module unloads" poll_until 10 rmmod sdrp
tap_done
