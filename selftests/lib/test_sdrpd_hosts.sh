#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host test of lib/sdrpd_hosts.sh (run by `make check-unit`): the PKI it
# builds with the real sdrpctl (checked with `sdrpctl cert verify`), the
# configs it writes (checked with the real `sdrpd -t`), and its daemon
# control (start, ready, log marks, reload, stop, kill, restart) on a
# stand-in daemon, since no sdrp module can run on the build machine.
#   SDRPCTL=... SDRPD=... selftests/lib/test_sdrpd_hosts.sh
set -u

here=$(dirname "$0")
. "$here/tap.sh"
# The names two_hosts.sh would give (not sourced: no namespaces here).
# shellcheck disable=SC2034
NS_A=sdrp-a NS_B=sdrp-b
. "$here/sdrpd_hosts.sh"

: "${SDRPCTL:?set SDRPCTL to the sdrpctl binary}"
: "${SDRPD:?set SDRPD to the sdrpd binary}"

# The stand-in runs without namespaces: `ip netns exec NS CMD...` execs
# CMD, as ip does (the library starts it in the background: a subshell).
ip()
{
	[ "$1 $2" = "netns exec" ] || return 2
	shift 3
	exec "$@"
}

# check NAME CMD...: like tap_check, in this shell (the library's state,
# $SDRP_PKI and the daemons' pids, must survive the call)
check()
{
	check_name=$1
	shift
	if "$@"; then
		tap_ok "$check_name"
	else
		tap_fail "$check_name" "'$*' failed"
	fi
}

fake=
SDRP_PKI_CACHE=$(mktemp -d "${TMPDIR:-/tmp}/sdrp-pki-cache.XXXXXX") || exit 1
trap 'sdrpd_hosts_cleanup; rm -f "$fake"; rm -rf "$SDRP_PKI_CACHE"' EXIT
tap_check_fails "nothing before pki_init" pki_psk early
check "pki_init makes a CA" pki_init
tap_check "CA certificate is self-signed and valid" \
	"$SDRPCTL" cert verify --ca "$SDRP_PKI/ca.crt" "$SDRP_PKI/ca.crt"
check "pki_identity" pki_identity one.test --as one
tap_check "identity verifies under the CA, for its name" \
	"$SDRPCTL" cert verify --ca "$SDRP_PKI/ca.crt" --name one.test "$SDRP_PKI/one.crt"
tap_check "RSA 2048 keys" sh -c "'$SDRPCTL' cert show '$SDRP_PKI/one.crt' | grep -q 2048"
tap_check "private key mode 0600" \
	sh -c "ls -l '$SDRP_PKI/one.key' | grep -q '^-rw-------'"

# expect_verify_fails REASON FILE [ARGS...]: cert verify refuses FILE with REASON
expect_verify_fails()
{
	reason=$1 file=$2
	shift 2
	! out=$("$SDRPCTL" cert verify --ca "$SDRP_PKI/ca.crt" "$@" "$SDRP_PKI/$file" 2>&1) &&
		echo "$out" | grep -q "$reason"
}

check "--expired" pki_identity old.test --as old --expired --key-of one
tap_check "expired certificate is refused as expired" expect_verify_fails expired old.crt
tap_check "--key-of reuses the key" cmp -s "$SDRP_PKI/one.key" "$SDRP_PKI/old.key"
check "--not-yet-valid" pki_identity new.test --as new --not-yet-valid --key-of one
tap_check "future certificate is refused as not yet valid" \
	expect_verify_fails "not yet valid" new.crt
check "pki_ca other" pki_ca other
check "--ca other --as" pki_identity one.test --ca other --as one-other --key-of one
tap_check "other CA's certificate is refused as wrong CA" \
	expect_verify_fails "wrong CA" one-other.crt
tap_check "pki_init prefetched keys 1 and 2 into the cache" \
	test -s "$SDRP_PKI_CACHE/key-1.key" -a -s "$SDRP_PKI_CACHE/key-2.key"
check "pki_prefetch 3: one more, in the cache" pki_prefetch 3
tap_check "the prefetched keys differ" sh -c \
	"! cmp -s '$SDRP_PKI_CACHE/key-2.key' '$SDRP_PKI_CACHE/key-3.key'"
tap_check "no temporary file left in the cache" sh -c \
	"! ls '$SDRP_PKI_CACHE' | grep -q tmp"

# A second test's PKI: the same CA and first key, from the cache; new
# certificates.
first_pki=$SDRP_PKI
SDRP_PKI_KEEP=1 sdrpd_hosts_cleanup
check "pki_init again" pki_init
check "pki_identity again" pki_identity one.test --as one
tap_check "the cache gave the same CA" cmp "$first_pki/ca.crt" "$SDRP_PKI/ca.crt"
tap_check "the cache gave the same first key" cmp "$first_pki/one.key" "$SDRP_PKI/one.key"
tap_check_fails "the certificate is new (serial)" cmp -s "$first_pki/one.crt" "$SDRP_PKI/one.crt"
tap_check "cached key still mode 0600" \
	sh -c "ls -l '$SDRP_PKI/one.key' | grep -q '^-rw-------'"
check "a second key is not the first" pki_identity two.test --as two
tap_check_fails "(different)" cmp -s "$SDRP_PKI/one.key" "$SDRP_PKI/two.key"
# The files of the first PKI the checks below use
for f in old new other one-other; do
	cp -p "$first_pki/$f.key" "$first_pki/$f.crt" "$SDRP_PKI/"
done
rm -rf "$first_pki"
check "pki_psk" pki_psk pair
tap_check "s0 file: 64 hex digits, mode 0600" sh -c \
	"grep -Eqx '[0-9a-f]{64}' '$SDRP_PKI/pair.s0' && ls -l '$SDRP_PKI/pair.s0' | grep -q '^-rw-------'"

sdrpd_config a one.test --cert one --rekey 7 && sdrpd_config_peer a pair-label pair two.test three.test
tap_check "sdrpd -t accepts the config" sdrpd_check a
tap_check "config: rekey interval, peer section" sh -c \
	"grep -qx 'rekey-interval = 7' '$(sdrpd_conf a)' && grep -qx 'identities = two.test three.test' '$(sdrpd_conf a)'"
sdrpd_config b old.test --cert old && sdrpd_config_peer b p pair one.test
tap_check_fails "sdrpd -t refuses an expired own certificate" sdrpd_check b
sdrpd_config b one.test --cert one-other && sdrpd_config_peer b p pair two.test
tap_check_fails "sdrpd -t refuses a certificate of another CA" sdrpd_check b
sdrpd_config b one.test --cert one-other --ca other && sdrpd_config_peer b p pair two.test
tap_check "sdrpd -t accepts it with --ca other" sdrpd_check b

# The stand-in daemon logs like sdrpd: "ready:" once started, "reload:"
# on SIGHUP, exits 0 on SIGTERM (or by itself after 30 s, should this
# test die); with FAKE_FAIL set it exits at once.
fake=$(mktemp "${TMPDIR:-/tmp}/fake-sdrpd.XXXXXX")
# A shell cannot trap a signal that was ignored when it started (nohup
# ignores SIGHUP, for one): env gives the stand-in default dispositions,
# as sdrpd, which blocks them and reads a signalfd, needs none.
cat >"$fake" <<'EOF'
#!/usr/bin/env -S --default-signal=HUP,TERM /bin/sh
[ -z "${FAKE_FAIL:-}" ] || { echo "x sdrpd error: generic netlink family \"sdrp\" not found" >&2; exit 1; }
trap 'echo "x sdrpd info: reload: configuration loaded" >&2' HUP
trap 'echo "x sdrpd info: exited" >&2; exit 0' TERM
sleep 0.2
echo "x sdrpd info: ready: identity \"$*\"" >&2
i=0
while [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
EOF
chmod 755 "$fake"
SDRPD=$fake

check "sdrpd_start waits for ready" sdrpd_start a
tap_check "its pid is alive" sdrpd_alive a
tap_check "the log has the ready line" grep -q ' ready: ' "$(sdrpd_logfile a)"
check "a second start fails" eval "! sdrpd_start a"
sdrpd_log_mark a
tap_check_fails "nothing new after the mark" sdrpd_log_has a ' ready: '
check "sdrpd_reload waits for the reload line" sdrpd_reload a
check "sdrpd_stop: clean exit" sdrpd_stop a
tap_check_fails "stopped: not alive" sdrpd_alive a
check "sdrpd_restart: starts it again" sdrpd_restart a
tap_check "two ready lines in the log" sh -c "[ \$(grep -c ' ready: ' '$(sdrpd_logfile a)') -eq 2 ]"
sdrpd_kill a
tap_check "sdrpd_kill: status 128 + SIGKILL" test $? -eq 137
FAKE_FAIL=1
export FAKE_FAIL
if out=$(sdrpd_start b 2>&1); then
	tap_fail "a daemon that exits fails sdrpd_start" "it succeeded"
elif echo "$out" | grep -q 'did not start: .*family "sdrp" not found'; then
	tap_ok "a daemon that exits fails sdrpd_start, with its reason"
else
	tap_fail "a daemon that exits fails sdrpd_start, with its reason" "$out"
fi
unset FAKE_FAIL
# Keys made elsewhere (the benchmark's RSA-3072 ones): pki_cache_seed
# puts them where pki_init and pki_identity look.
old_pki=$SDRP_PKI
old_cache=$SDRP_PKI_CACHE
SDRP_PKI_CACHE=$old_pki/seeded-cache
check "pki_cache_seed" pki_cache_seed "$old_pki/other.key" "$old_pki/other.crt" \
	"$old_pki/two.key" "$old_pki/one.key"
tap_check "seeded keys mode 0600" sh -c \
	"! ls -l '$SDRP_PKI_CACHE/ca-ca.key' '$SDRP_PKI_CACHE/key-2.key' | grep -qv '^-rw-------'"
SDRP_PKI_KEEP=1 sdrpd_hosts_cleanup
check "pki_init from the seeded cache" pki_init
tap_check "its CA is the seeded one" cmp "$old_pki/other.crt" "$SDRP_PKI/ca.crt"
check "pki_identity from it" pki_identity x.test --as x
tap_check "the first identity has the first seeded key" cmp "$old_pki/two.key" "$SDRP_PKI/x.key"
tap_check "issued by the seeded CA" \
	"$SDRPCTL" cert verify --ca "$old_pki/other.crt" --name x.test "$SDRP_PKI/x.crt"
tap_check_fails "pki_cache_seed needs a CA key and certificate" pki_cache_seed "$old_pki/one.key"
SDRP_PKI_CACHE=$old_cache
rm -rf "$old_pki"
tap_done
