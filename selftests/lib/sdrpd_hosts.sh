# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Two hosts with credentials and one sdrpd each (sourced after lib/tap.sh
# and lib/two_hosts.sh; POSIX sh, runs under busybox ash and dash).
#
#   . "$here/lib/tap.sh"; . "$here/lib/two_hosts.sh"; . "$here/lib/sdrpd_hosts.sh"
#   sdrpd_hosts_setup || { tap_fail "setup"; tap_done; }
#       # the topology of two_hosts.sh; a CA; identities $SDRP_ID_A in
#       # sdrp-a and $SDRP_ID_B in sdrp-b with certificates; one s0 for the
#       # pair; a config per namespace listing the other host; one sdrpd
#       # per namespace, started and ready.  The exit trap stops the
#       # daemons, prints their logs if a check failed, removes the files.
#
# The pieces, for tests that need other credentials (all files live in
# $SDRP_PKI, a fresh directory per test; BASE names a file set there):
#
#   pki_init [NKEYS]                 # $SDRP_PKI with the CA "ca" (ca.key, ca.crt);
#                                    # NKEYS keys (2) generated meanwhile
#   pki_prefetch N                   # keys 1..N in the cache, in parallel
#   pki_cache_seed CA_KEY CA_CRT KEY...
#                                    # these files as the cache's CA "ca"
#                                    # and keys 1..N (keys made elsewhere,
#                                    # e.g. RSA-3072 ones for the benchmark)
#   pki_ca NAME                      # another CA: NAME.key, NAME.crt
#   pki_identity ID [--ca NAME] [--as BASE] [--key-of BASE]
#                [--expired | --not-yet-valid]
#                                    # BASE.key (default BASE = ID) and a
#                                    # certificate BASE.crt for ID
#   pki_psk NAME                     # s0 file NAME.s0 (sdrpctl psk gen)
#   sdrpd_config a|b ID [--cert BASE] [--ca NAME] [--rekey N]
#                                    # start sdrpd-a|b.conf: this host is ID
#   sdrpd_config_peer a|b LABEL S0NAME ID...
#                                    # add [peer LABEL]: s0 NAME.s0 for IDs
#   sdrpd_check a|b                  # sdrpd -t on that config
#   sdrpd_start a|b [ARGS...]        # start it in the namespace, wait for
#                                    # its "ready" line (fails loudly)
#   sdrpd_stop a|b                   # SIGTERM, wait; status = sdrpd's
#   sdrpd_kill a|b                   # SIGKILL, wait
#   sdrpd_restart a|b [ARGS...]      # stop (if running), start (same config)
#   sdrpd_reload a|b                 # SIGHUP, wait for its "reload:" line
#   sdrpd_pid a|b                    # print the pid of the running daemon
#   sdrpd_log a|b                    # print its log (stderr, with -d)
#   sdrpd_log_mark a|b               # remember where the log ends now
#   sdrpd_wait_log a|b ERE [SECONDS] # poll until a line after the mark
#                                    # matches (default $SDRPD_WAIT_S)
#   sdrpd_log_since_mark a|b         # print the lines after the mark
#
# Keys are RSA 2048 ($SDRP_PKI_BITS): each RSA key takes about 5 s to
# generate in the TCG guest.  So the keys (and CAs, by name) are cached in
# $SDRP_PKI_CACHE (default /tmp/sdrp-pki-cache, which lives as long as the
# VM): the first test of a run generates them, the next ones reuse them
# (the nth key asked for by one test is the nth key of the cache).
# Certificates and s0 files are made fresh by every test.  An empty
# SDRP_PKI_CACHE turns the cache off.  $SDRPCTL and $SDRPD name the
# programs (default: sdrpctl and sdrpd from PATH), $SDRP_PKI_KEEP=1 keeps
# the files.  $SDRPD_WAIT_S (default 30) bounds the waits for a daemon's
# log lines (ready, reload): only an upper bound, since the waits poll, but
# a daemon loading RSA keys on a loaded host (ASan, an emulated guest, a
# debug kernel) has been seen to need more than 5 s.

SDRPCTL=${SDRPCTL:-sdrpctl}
SDRPD=${SDRPD:-sdrpd}
SDRPD_WAIT_S=${SDRPD_WAIT_S:-30}
SDRP_PKI_BITS=${SDRP_PKI_BITS:-2048}
SDRP_PKI_CACHE=${SDRP_PKI_CACHE-/tmp/sdrp-pki-cache}
pki_nkeys=0
SDRP_ID_A=${SDRP_ID_A:-host-a.test}
SDRP_ID_B=${SDRP_ID_B:-host-b.test}
SDRP_PKI=
# Per host, read and set through eval by the functions below.
# shellcheck disable=SC2034
sdrpd_pid_a=
# shellcheck disable=SC2034
sdrpd_pid_b=
# shellcheck disable=SC2034
sdrpd_mark_a=0
# shellcheck disable=SC2034
sdrpd_mark_b=0

# sdrpd_hosts_fail WHAT: a diagnostic that says which step failed
sdrpd_hosts_fail()
{
	echo "# sdrpd_hosts: $*" >&2
	return 1
}

# sdrpd_ns a|b: the namespace of a host
sdrpd_ns()
{
	case $1 in
	a) echo "$NS_A" ;;
	b) echo "$NS_B" ;;
	*) sdrpd_hosts_fail "no host '$1' (a or b)" ;;
	esac
}

# pki_sdrpctl ARGS...: run sdrpctl, keeping its messages for a failure
pki_sdrpctl()
{
	# Every file goes in $SDRP_PKI: never write relative to / by mistake.
	[ -n "$SDRP_PKI" ] && [ -d "$SDRP_PKI" ] ||
		sdrpd_hosts_fail "no \$SDRP_PKI: call pki_init first (not in a subshell)" ||
		return 1
	if ! pki_out=$("$SDRPCTL" "$@" 2>&1); then
		sdrpd_hosts_fail "sdrpctl $*: $pki_out"
		return 1
	fi
}

# pki_init [NKEYS]: NKEYS (default 2) keys are prefetched in parallel
# with the CA's
pki_init()
{
	pki_nkeys=0
	SDRP_PKI=$(mktemp -d "${TMPDIR:-/tmp}/sdrp-pki.XXXXXX") ||
		sdrpd_hosts_fail "mktemp" || return 1
	pki_prefetch "${1:-2}" &
	init_prefetch=$!
	pki_ca ca
	init_rc=$?
	wait "$init_prefetch" && return "$init_rc"
}

# pki_cached KIND FILE... : copy the cached FILEs (KIND.key, KIND.crt...)
# into $SDRP_PKI; fails if the cache is off or does not have them all.
pki_cached()
{
	[ -n "$SDRP_PKI_CACHE" ] || return 1
	cached_kind=$1
	shift
	for cached_f in "$@"; do
		[ -s "$SDRP_PKI_CACHE/$cached_kind.${cached_f##*.}" ] || return 1
	done
	for cached_f in "$@"; do
		cp "$SDRP_PKI_CACHE/$cached_kind.${cached_f##*.}" "$SDRP_PKI/$cached_f" ||
			return 1
	done
}

# pki_cache KIND FILE...: keep FILEs for the next test (best effort)
pki_cache()
{
	[ -n "$SDRP_PKI_CACHE" ] || return 0
	cache_kind=$1
	shift
	mkdir -p "$SDRP_PKI_CACHE" && chmod 700 "$SDRP_PKI_CACHE" || return 0
	for cache_f in "$@"; do
		cp "$SDRP_PKI/$cache_f" "$SDRP_PKI_CACHE/$cache_kind.${cache_f##*.}"
	done
	return 0
}

# pki_ca NAME: a self-signed CA whose identity is NAME.test-ca
pki_ca()
{
	pki_cached "ca-$1" "$1.key" "$1.crt" && return 0
	pki_sdrpctl ca init --name "$1.test-ca" --bits "$SDRP_PKI_BITS" \
		--key "$SDRP_PKI/$1.key" --cert "$SDRP_PKI/$1.crt" &&
		pki_cache "ca-$1" "$1.key" "$1.crt"
}

# pki_cache_seed CA_KEY CA_CRT KEY...: a key generated in the guest costs
# seconds (minutes at 3072 bits); a test with keys of its own puts them in
# the cache, where pki_ca ca and pki_identity take them from.
pki_cache_seed()
{
	[ -n "$SDRP_PKI_CACHE" ] || sdrpd_hosts_fail "pki_cache_seed: no cache" ||
		return 1
	[ $# -ge 2 ] || sdrpd_hosts_fail "pki_cache_seed: CA_KEY CA_CRT KEY..." ||
		return 1
	mkdir -p "$SDRP_PKI_CACHE" && chmod 700 "$SDRP_PKI_CACHE" || return 1
	# under temporary names first: the cache has a file whole or not at all
	cp "$1" "$SDRP_PKI_CACHE/ca-ca.key.tmp" &&
		cp "$2" "$SDRP_PKI_CACHE/ca-ca.crt" &&
		chmod 600 "$SDRP_PKI_CACHE/ca-ca.key.tmp" &&
		mv "$SDRP_PKI_CACHE/ca-ca.key.tmp" "$SDRP_PKI_CACHE/ca-ca.key" ||
		sdrpd_hosts_fail "pki_cache_seed: cannot copy the CA" || return 1
	shift 2
	seed_i=1
	for seed_f in "$@"; do
		cp "$seed_f" "$SDRP_PKI_CACHE/key-$seed_i.key.tmp" &&
			chmod 600 "$SDRP_PKI_CACHE/key-$seed_i.key.tmp" &&
			mv "$SDRP_PKI_CACHE/key-$seed_i.key.tmp" \
				"$SDRP_PKI_CACHE/key-$seed_i.key" ||
			sdrpd_hosts_fail "pki_cache_seed: cannot copy $seed_f" ||
			return 1
		seed_i=$((seed_i + 1))
	done
}

# pki_prefetch N: generate the cache's keys 1..N that it lacks, in
# parallel (the guest has two CPUs); returns once they are all there.
# Saves the time of all but one key when a test needs several.
pki_prefetch()
{
	[ -n "$SDRP_PKI_CACHE" ] || return 0
	mkdir -p "$SDRP_PKI_CACHE" && chmod 700 "$SDRP_PKI_CACHE" || return 1
	prefetch_pids=
	prefetch_i=1
	while [ "$prefetch_i" -le "$1" ]; do
		prefetch_f=$SDRP_PKI_CACHE/key-$prefetch_i.key
		if [ ! -s "$prefetch_f" ]; then
			# under a temporary name: a key is in the cache whole or
			# not at all
			( "$SDRPCTL" key gen --bits "$SDRP_PKI_BITS" "$prefetch_f.tmp" \
				>/dev/null && mv "$prefetch_f.tmp" "$prefetch_f" ) &
			prefetch_pids="$prefetch_pids $!"
		fi
		prefetch_i=$((prefetch_i + 1))
	done
	prefetch_rc=0
	for prefetch_pid in $prefetch_pids; do
		wait "$prefetch_pid" || prefetch_rc=1
	done
	[ "$prefetch_rc" -eq 0 ] || sdrpd_hosts_fail "pki_prefetch: sdrpctl key gen failed"
}

# pki_key BASE: a fresh RSA key, or the next one of the cache
pki_key()
{
	pki_nkeys=$((pki_nkeys + 1))
	pki_cached "key-$pki_nkeys" "$1.key" && return 0
	pki_sdrpctl key gen --bits "$SDRP_PKI_BITS" "$SDRP_PKI/$1.key" &&
		pki_cache "key-$pki_nkeys" "$1.key"
}

pki_identity()
{
	pki_id=$1
	shift
	pki_ca_name=ca
	pki_base=$pki_id
	pki_key_of=
	pki_validity=
	while [ $# -gt 0 ]; do
		case $1 in
		--ca) pki_ca_name=$2; shift ;;
		--as) pki_base=$2; shift ;;
		--key-of) pki_key_of=$2; shift ;;
		--expired | --not-yet-valid) pki_validity=$1 ;;
		*) sdrpd_hosts_fail "pki_identity: unknown option $1"; return 1 ;;
		esac
		shift
	done
	if [ -n "$pki_key_of" ]; then
		[ -n "$SDRP_PKI" ] || sdrpd_hosts_fail "no \$SDRP_PKI" || return 1
		cp "$SDRP_PKI/$pki_key_of.key" "$SDRP_PKI/$pki_base.key" || return 1
		chmod 600 "$SDRP_PKI/$pki_base.key"
	else
		pki_key "$pki_base" || return 1
	fi
	# A day long, one day in the past or one day ahead: far enough from
	# now that the guest's clock cannot blur the verdict.
	pki_now=$(date +%s)
	case $pki_validity in
	--expired)
		set -- --not-before "@$((pki_now - 2 * 86400))" \
			--not-after "@$((pki_now - 86400))" ;;
	--not-yet-valid)
		set -- --not-before "@$((pki_now + 86400))" \
			--not-after "@$((pki_now + 2 * 86400))" ;;
	*)
		set -- --days 2 ;;
	esac
	pki_sdrpctl cert issue --ca-key "$SDRP_PKI/$pki_ca_name.key" \
		--ca-cert "$SDRP_PKI/$pki_ca_name.crt" --name "$pki_id" \
		--key "$SDRP_PKI/$pki_base.key" "$@" \
		--out "$SDRP_PKI/$pki_base.crt"
}

pki_psk()
{
	pki_sdrpctl psk gen "$SDRP_PKI/$1.s0"
}

# sdrpd_conf a|b: the config file of a host's daemon
sdrpd_conf() { echo "$SDRP_PKI/sdrpd-$1.conf"; }
# sdrpd_logfile a|b: where its stderr goes (appended across restarts)
sdrpd_logfile() { echo "$SDRP_PKI/sdrpd-$1.log"; }

sdrpd_config()
{
	conf_host=$1
	conf_id=$2
	shift 2
	conf_base=$conf_id
	conf_ca=ca
	conf_rekey=0
	while [ $# -gt 0 ]; do
		case $1 in
		--cert) conf_base=$2; shift ;;
		--ca) conf_ca=$2; shift ;;
		--rekey) conf_rekey=$2; shift ;;
		*) sdrpd_hosts_fail "sdrpd_config: unknown option $1"; return 1 ;;
		esac
		shift
	done
	sdrpd_ns "$conf_host" >/dev/null || return 1
	[ -n "$SDRP_PKI" ] || sdrpd_hosts_fail "no \$SDRP_PKI: call pki_init first" ||
		return 1
	# Relative names: sdrpd resolves them against the config's directory.
	cat >"$(sdrpd_conf "$conf_host")" <<EOF
# sdrpd of host $conf_host, written by selftests/lib/sdrpd_hosts.sh
[identity]
name = $conf_id
private-key = $conf_base.key
certificate = $conf_base.crt
ca-certificate = $conf_ca.crt

[handshake]
rekey-interval = $conf_rekey
EOF
}

sdrpd_config_peer()
{
	conf_file=$(sdrpd_conf "$1")
	conf_label=$2
	conf_s0=$3
	shift 3
	printf '\n[peer %s]\ns0-file = %s.s0\nidentities = %s\n' \
		"$conf_label" "$conf_s0" "$*" >>"$conf_file"
}

sdrpd_check()
{
	if ! check_out=$("$SDRPD" -t -c "$(sdrpd_conf "$1")" 2>&1); then
		sdrpd_hosts_fail "sdrpd -t ($1): $check_out"
		return 1
	fi
}

sdrpd_pid()
{
	eval "echo \"\$sdrpd_pid_$1\""
}

sdrpd_log()
{
	cat "$(sdrpd_logfile "$1")" 2>/dev/null
}

sdrpd_log_lines()
{
	sdrpd_log "$1" | wc -l
}

sdrpd_log_mark()
{
	eval "sdrpd_mark_$1=$(sdrpd_log_lines "$1")"
}

sdrpd_log_since_mark()
{
	mark_n=0
	eval "mark_n=\$sdrpd_mark_$1"
	sdrpd_log "$1" | tail -n "+$((mark_n + 1))"
}

sdrpd_log_has()
{
	sdrpd_log_since_mark "$1" | grep -Eq -- "$2"
}

sdrpd_wait_log()
{
	poll_until "${3:-$SDRPD_WAIT_S}" sdrpd_log_has "$1" "$2"
}

sdrpd_alive()
{
	pid=$(sdrpd_pid "$1")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# sdrpd_start a|b [ARGS...]: ARGS go to sdrpd before -c (e.g. -s).  The
# daemon logs with -d (debug lines: each HELLO sent) to its log file.
sdrpd_start()
{
	start_host=$1
	shift
	start_ns=$(sdrpd_ns "$start_host") || return 1
	if sdrpd_alive "$start_host"; then
		sdrpd_hosts_fail "sdrpd $start_host already runs"
		return 1
	fi
	sdrpd_log_mark "$start_host"
	# sdrpd needs the generic netlink family: the module, loaded (it
	# autoloads on the first TCP_ULP attach, which has not happened yet).
	[ -d /sys/module/sdrp ] || modprobe sdrp 2>/dev/null
	ip netns exec "$start_ns" "$SDRPD" -d "$@" -c "$(sdrpd_conf "$start_host")" \
		2>>"$(sdrpd_logfile "$start_host")" &
	eval "sdrpd_pid_$start_host=$!"
	# Ready once it joined the multicast group: from then on the kernel
	# sees a listener.  A daemon that exits instead fails at once.
	start_i=0
	while ! sdrpd_log_has "$start_host" ' ready: '; do
		if ! sdrpd_alive "$start_host" ||
		   [ "$start_i" -ge $((SDRPD_WAIT_S * 20)) ]; then
			sdrpd_hosts_fail "sdrpd $start_host did not start: $(sdrpd_log_since_mark "$start_host" | tail -n 3)"
			sdrpd_kill "$start_host" 2>/dev/null
			return 1
		fi
		start_i=$((start_i + 1))
		sleep 0.05
	done
}

# sdrpd_signal_wait a|b SIGNAL: send it, wait for the exit; the status is
# sdrpd's exit status (128 + signal if it died of it).
sdrpd_signal_wait()
{
	pid=$(sdrpd_pid "$1")
	[ -n "$pid" ] || { sdrpd_hosts_fail "sdrpd $1 is not running"; return 1; }
	kill "-$2" "$pid" 2>/dev/null
	wait "$pid"
	sig_rc=$?
	eval "sdrpd_pid_$1="
	return "$sig_rc"
}

sdrpd_stop() { sdrpd_signal_wait "$1" TERM; }
sdrpd_kill() { sdrpd_signal_wait "$1" KILL; }

sdrpd_restart()
{
	if sdrpd_alive "$1"; then
		sdrpd_stop "$1"
	fi
	sdrpd_start "$@"
}

sdrpd_reload()
{
	pid=$(sdrpd_pid "$1")
	[ -n "$pid" ] || { sdrpd_hosts_fail "sdrpd $1 is not running"; return 1; }
	sdrpd_log_mark "$1"
	kill -HUP "$pid" && sdrpd_wait_log "$1" ' reload: '
}

sdrpd_hosts_cleanup()
{
	for host in a b; do
		if sdrpd_alive "$host"; then
			sdrpd_stop "$host"
		fi
		eval "sdrpd_pid_$host="
	done
	# A failed check is explained by what the daemons saw.
	if [ "${tap_failed:-0}" -gt 0 ] && [ -n "$SDRP_PKI" ]; then
		for host in a b; do
			[ -s "$(sdrpd_logfile "$host")" ] || continue
			echo "# sdrpd $host log:"
			sdrpd_log "$host" | sed 's/^/#   /'
		done
	fi
	if [ -n "$SDRP_PKI" ] && [ "${SDRP_PKI_KEEP:-0}" != 1 ]; then
		rm -rf "$SDRP_PKI"
		SDRP_PKI=
	fi
	return 0
}

# The exit trap: the test's cleanup (if it defines one), the daemons, then
# the namespaces.
sdrpd_hosts_on_exit()
{
	if command -v cleanup >/dev/null 2>&1; then
		cleanup
	fi
	sdrpd_hosts_cleanup
	two_hosts_cleanup
}

# sdrpd_hosts_setup: everything above for the common case (see the top)
sdrpd_hosts_setup()
{
	two_hosts_setup || return 1
	trap sdrpd_hosts_on_exit EXIT
	pki_init 2 &&
		pki_identity "$SDRP_ID_A" &&
		pki_identity "$SDRP_ID_B" &&
		pki_psk a-b &&
		sdrpd_config a "$SDRP_ID_A" &&
		sdrpd_config_peer a host-b a-b "$SDRP_ID_B" &&
		sdrpd_config b "$SDRP_ID_B" &&
		sdrpd_config_peer b host-a a-b "$SDRP_ID_A" &&
		sdrpd_start a &&
		sdrpd_start b
}
