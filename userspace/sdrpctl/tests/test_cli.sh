#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# sdrpctl end to end: runs the built binary ($SDRPCTL, the ASan + UBSan
# build under "make check") in a fresh temporary directory and prints TAP.
# Every check looks at what a user would: exit status, the message, the
# files and their modes.  Certificate fingerprints are recomputed here
# with base64 and sha512sum, independently of libsdrp.

# The sh -c '...' checks expand their variables in the inner shell.
# shellcheck disable=SC2016

SDRPCTL=${SDRPCTL:?set SDRPCTL to the sdrpctl binary}
# shellcheck source=SCRIPTDIR/../../lib/tests/tap.sh
. "$(dirname "$0")/../../lib/tests/tap.sh" || exit 1
base=${SDRPCTL_TEST_TMP:-${TMPDIR:-/tmp}}
mkdir -p "$base" || exit 1
D=$(mktemp -d "$base/sdrpctl.XXXXXX") || exit 1
trap 'rm -rf "$D"' EXIT
cd "$D" || exit 1
umask 022

# run ARGS...: run sdrpctl, keep its status in $rc and output in out/err.
run() {
	"$SDRPCTL" "$@" >"$D/.out" 2>"$D/.err"
	rc=$?
}

# expect RC PATTERN DESC -- ARGS...: sdrpctl ARGS exits RC and its output
# (stdout and stderr) matches the extended regex PATTERN ("" for any).
expect() {
	want_rc=$1 pattern=$2 desc=$3
	shift 4
	run "$@"
	res=0
	if [ "$rc" -ne "$want_rc" ]; then
		echo "# exit status $rc, expected $want_rc"
		res=1
	fi
	if [ -n "$pattern" ] && ! cat "$D/.out" "$D/.err" | grep -Eq -- "$pattern"; then
		echo "# output does not match: $pattern"
		res=1
	fi
	if [ "$res" -ne 0 ]; then
		echo "# \$ sdrpctl $*"
		sed 's/^/# | /' "$D/.out" "$D/.err"
	fi
	tap_ok $res "$desc"
}

# check DESC CMD...: a shell condition as a test.
check() {
	desc=$1
	shift
	if "$@"; then
		tap_ok 0 "$desc"
	else
		tap_ok 1 "$desc"
	fi
}

mode_is() { [ "$(stat -c %a "$2")" = "$1" ]; }

# Fingerprint as cert show defines it: SHA-512 of the encoded certificate
# (the armour's base64 decoded), first 16 bytes in hex.
fingerprint() {
	sed -n '/-----BEGIN SDRP CERTIFICATE-----/,/-----END SDRP CERTIFICATE-----/p' "$1" |
		grep -v -- ----- | base64 -d | sha512sum | cut -c1-32
}

# tamper FILE OFFSET: flip the bits of one byte of the encoded certificate.
tamper() {
	sed -n '/-----BEGIN/,/-----END/p' "$1" | grep -v -- ----- |
		base64 -d >"$D/.bin"
	byte=$(od -An -tu1 -j "$2" -N1 "$D/.bin" | tr -d ' ')
	# The format is the octal escape of the flipped byte.
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((byte ^ 255)))" |
		dd of="$D/.bin" bs=1 seek="$2" conv=notrunc 2>/dev/null
	{
		echo "-----BEGIN SDRP CERTIFICATE-----"
		base64 -w 64 "$D/.bin"
		echo "-----END SDRP CERTIFICATE-----"
	} >"$1"
}

now=$(date +%s)

# ---- CA, keys, certificates ------------------------------------------------

expect 0 "" "ca init creates a CA (default 3072-bit key)" -- \
	ca init --name test-ca --days 36500 --key ca.key --cert ca.crt
check "CA key is mode 0600" mode_is 600 ca.key
check "CA key is PKCS#8 PEM" grep -q '^-----BEGIN PRIVATE KEY-----$' ca.key
check "CA certificate is armoured" grep -q '^-----BEGIN SDRP CERTIFICATE-----$' ca.crt
expect 0 "^key: +RSA 3072 bits$" "CA key has the default 3072 bits" -- \
	cert show ca.crt
expect 0 "^issuer: +test-ca \(self-signed\)$" "CA certificate is self-signed" -- \
	cert show ca.crt

expect 0 "" "key gen --bits 2048" -- key gen --bits 2048 node.key
check "key gen file is mode 0600" mode_is 600 node.key
check "key gen file is PKCS#8 PEM" grep -q '^-----BEGIN PRIVATE KEY-----$' node.key
run key gen --bits 2048 quiet.key
check "key gen in a private directory warns about nothing" test ! -s "$D/.err"

expect 0 "" "cert issue --key" -- cert issue --ca-key ca.key --ca-cert ca.crt \
	--name node-1 --key node.key --serial 4660 --out node.crt
check "issued certificate is mode 0644" mode_is 644 node.crt

run cert show node.crt
cp "$D/.out" show.txt
check "cert show: subject" grep -Eq '^subject: +node-1$' show.txt
check "cert show: issuer" grep -Eq '^issuer: +test-ca$' show.txt
check "cert show: serial" grep -Eq '^serial: +4660 \(0x0000000000001234\)$' show.txt
check "cert show: key bits" grep -Eq '^key: +RSA 2048 bits$' show.txt
check "cert show: validity in UTC" grep -Eq '^not after: +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC$' show.txt
fp=$(fingerprint node.crt)
check "cert show: fingerprint = SHA-512 of the encoding, 16 bytes" \
	grep -Eq "^fingerprint: +$fp$" show.txt

expect 0 "" "cert issue with a validity in the future" -- \
	cert issue --ca-key ca.key --ca-cert ca.crt --name node-1 --key node.key \
	--not-before 2030-01-02T03:04:05Z --not-after 2031-01-01 --out future.crt
expect 0 "^not before: +2030-01-02 03:04:05 UTC$" "validity given in UTC is shown in UTC" -- \
	cert show future.crt
expect 0 "^not after: +2031-01-01 00:00:00 UTC$" "--not-after as a date" -- cert show future.crt
expect 0 "^not before: +2030-01-02 03:04:05 UTC" "cert show prints several files" -- \
	cert show node.crt future.crt

# ---- verify ------------------------------------------------------------------

expect 0 "valid" "verify: valid certificate" -- cert verify --ca ca.crt node.crt
expect 0 "valid" "verify: valid with the right --name" -- \
	cert verify --ca ca.crt --name node-1 node.crt
expect 0 "valid" "verify: the CA verifies against itself" -- \
	cert verify --ca ca.crt --name test-ca ca.crt
expect 1 "wrong identity" "verify: wrong --name" -- \
	cert verify --ca ca.crt --name node-2 node.crt

expect 0 "" "issue an expired certificate" -- cert issue --ca-key ca.key \
	--ca-cert ca.crt --name old --key node.key \
	--not-before 2020-01-01 --not-after 2020-12-31 --out expired.crt
expect 1 "expired" "verify: expired certificate" -- cert verify --ca ca.crt expired.crt
expect 0 "valid" "verify --at inside the validity" -- \
	cert verify --ca ca.crt --at "@$((now + 86400))" node.crt
expect 1 "expired: not after" "verify --at after the validity" -- \
	cert verify --ca ca.crt --at "@$((now + 2 * 366 * 86400))" node.crt
expect 0 "" "issue a certificate valid from tomorrow" -- cert issue --ca-key ca.key \
	--ca-cert ca.crt --name soon --key node.key --not-before "@$((now + 86400))" \
	--days 30 --out soon.crt
expect 1 "not yet valid: not before" "verify: not yet valid" -- cert verify --ca ca.crt soon.crt

expect 0 "" "a second CA" -- ca init --name other-ca --bits 2048 \
	--key other.key --cert other.crt
expect 1 "wrong CA" "verify: wrong CA" -- cert verify --ca other.crt node.crt
expect 0 "" "a CA with the same name but another key" -- ca init --name test-ca \
	--bits 2048 --key fake.key --cert fake.crt
expect 1 "bad signature" "verify: same CA name, other key" -- \
	cert verify --ca fake.crt node.crt

cp node.crt tampered.crt
tamper tampered.crt 8	# a byte of the serial
expect 1 "bad signature" "verify: tampered certificate" -- \
	cert verify --ca ca.crt tampered.crt
cp node.crt tampered2.crt
tamper tampered2.crt 40	# inside the subject or issuer
expect 1 "bad signature|not a valid sdrp certificate" "verify: tampered identity" -- \
	cert verify --ca ca.crt tampered2.crt
sed 's/^\(.\{10\}\)./\1!/' node.crt >garbled.crt
expect 1 "not a valid sdrp certificate" "verify: garbled armour" -- \
	cert verify --ca ca.crt garbled.crt
expect 1 "cannot read certificate 'missing.crt'" "verify: missing file" -- \
	cert verify --ca ca.crt missing.crt

expect 1 "not a valid CA: not self-signed" "verify: a leaf certificate is no CA" -- \
	cert verify --ca node.crt node.crt
expect 1 "not a valid CA: expired" "verify: an expired CA vouches for nothing" -- \
	cert verify --ca other.crt --at "@$((now + 3651 * 86400))" other.crt
expect 1 "not a valid CA: not self-signed" "issue: a leaf certificate cannot issue" -- \
	cert issue --ca-key node.key --ca-cert node.crt --name x --key node.key --out x.crt
expect 1 "is not the key of CA" "issue: CA key must match the CA certificate" -- \
	cert issue --ca-key other.key --ca-cert ca.crt --name x --key node.key --out x.crt
check "issue: nothing written on failure" test ! -e x.crt
expect 1 "the CA's own identity" "issue: a certificate cannot take the CA's name" -- \
	cert issue --ca-key ca.key --ca-cert ca.crt --name test-ca --key node.key --out x.crt

# ---- --pubkey-from -------------------------------------------------------------

expect 0 "" "cert issue --pubkey-from an sdrp certificate" -- \
	cert issue --ca-key other.key --ca-cert other.crt --name node-1 \
	--pubkey-from node.crt --out node-other.crt
expect 0 "valid" "re-certified key verifies under its CA" -- \
	cert verify --ca other.crt --name node-1 node-other.crt
expect 0 "^-----BEGIN PUBLIC KEY-----$" "key pub prints the public key as PEM" -- key pub node.key
cp "$D/.out" node.pub
if command -v openssl >/dev/null 2>&1; then
	check "key pub matches openssl pkey -pubout" \
		sh -c 'openssl pkey -in node.key -pubout 2>/dev/null | cmp -s - node.pub'
else
	tap_skip "key pub matches openssl pkey -pubout" "no openssl"
fi
expect 0 "" "cert issue --pubkey-from a PEM public key" -- \
	cert issue --ca-key ca.key --ca-cert ca.crt --name node-pub --serial 7 \
	--not-before "@$now" --not-after "@$((now + 30 * 86400))" --pubkey-from node.pub --out node-pub.crt
expect 0 "valid" "certificate of a public key verifies" -- \
	cert verify --ca ca.crt --name node-pub node-pub.crt
run cert issue --ca-key ca.key --ca-cert ca.crt --name node-pub --serial 7 \
	--not-before "@$now" --not-after "@$((now + 30 * 86400))" --key node.key --out node-priv.crt
# Same contents but for the randomly salted signature (3072-bit CA: 384
# bytes at the end): --pubkey-from certified exactly the key of node.key.
check "--pubkey-from and --key certify the same key" sh -c '
	for f in node-pub.crt node-priv.crt; do
		sed -n "/-----BEGIN/,/-----END/p" $f | grep -v -- ----- | base64 -d >$f.bin
	done
	size=$(wc -c <node-pub.crt.bin)
	[ "$size" -eq "$(wc -c <node-priv.crt.bin)" ] &&
		cmp -s -n $((size - 384)) node-pub.crt.bin node-priv.crt.bin &&
		! cmp -s node-pub.crt.bin node-priv.crt.bin'
expect 1 "cannot read key 'missing.key'" "key pub of a missing file" -- key pub missing.key
if [ -w /dev/full ]; then
	"$SDRPCTL" cert show node.crt >/dev/full 2>"$D/.err"
	rc=$?
	check "output to a full device: exit 1 and a message" \
		sh -c '[ "$0" -eq 1 ] && grep -q "cannot write to standard output" "$1"' "$rc" "$D/.err"
else
	tap_skip "output to a full device" "no /dev/full"
fi
expect 1 "cannot read a public key" "--pubkey-from a file that is no key" -- \
	cert issue --ca-key ca.key --ca-cert ca.crt --name y --pubkey-from show.txt \
	--out y.crt

# ---- psk -----------------------------------------------------------------------

expect 0 "" "psk gen" -- psk gen peer.s0
check "psk file is mode 0600" mode_is 600 peer.s0
check "psk file is 64 hex digits and a newline" \
	sh -c '[ "$(wc -c <peer.s0)" -eq 65 ] && grep -Eqx "[0-9a-f]{64}" peer.s0'
run psk gen peer2.s0
check "two psks differ" sh -c '! cmp -s peer.s0 peer2.s0'

# ---- overwriting ----------------------------------------------------------------

cp node.key node.key.orig
cp peer.s0 peer.s0.orig
cp node.crt node.crt.orig
expect 1 "exists.*--force" "key gen refuses to overwrite" -- key gen --bits 2048 node.key
check "refused key gen left the key as it was" cmp -s node.key node.key.orig
expect 1 "exists.*--force" "psk gen refuses to overwrite" -- psk gen peer.s0
check "refused psk gen left the file as it was" cmp -s peer.s0 peer.s0.orig
expect 1 "exists.*--force" "cert issue refuses to overwrite" -- cert issue \
	--ca-key ca.key --ca-cert ca.crt --name n --key node.key --out node.crt
check "refused cert issue left the certificate as it was" cmp -s node.crt node.crt.orig
expect 1 "exists.*--force" "ca init refuses an existing certificate" -- \
	ca init --name c --bits 2048 --key new-ca.key --cert ca.crt
check "refused ca init created no key either" test ! -e new-ca.key

chmod 644 node.key
expect 0 "" "key gen --force replaces" -- key gen --force --bits 2048 node.key
check "replaced key differs" sh -c '! cmp -s node.key node.key.orig'
check "replaced key is mode 0600 even over a 0644 file" mode_is 600 node.key
expect 0 "" "psk gen --force replaces" -- psk gen --force peer.s0
check "replaced psk differs and is mode 0600" \
	sh -c '! cmp -s peer.s0 peer.s0.orig && [ "$(stat -c %a peer.s0)" = 600 ]'
expect 0 "" "cert issue --force replaces" -- cert issue --force --ca-key ca.key \
	--ca-cert ca.crt --name node-1 --key node.key --out node.crt
expect 0 "valid" "replaced certificate verifies" -- \
	cert verify --ca ca.crt --name node-1 node.crt

mkdir shared && chmod 777 shared
expect 0 "warning: directory .* writable by group or others" \
	"key gen warns about a directory others can write" -- key gen --bits 2048 shared/k.key
check "no temporary file left behind" sh -c '[ -z "$(find . -name ".*.??????")" ]'

expect 1 "cannot write 'no-such-dir/k.key'" "key gen into a missing directory fails" -- \
	key gen --bits 2048 no-such-dir/k.key

run cert verify --ca ca.crt node.crt
check "verify: the verdict of a valid certificate is on stdout only" \
	sh -c '[ -s "$0/.out" ] && [ ! -s "$0/.err" ]' "$D"
run cert verify --ca other.crt node.crt
check "verify: the reason of a refusal is on stderr only" \
	sh -c '[ ! -s "$0/.out" ] && [ -s "$0/.err" ]' "$D"

# ---- usage errors ---------------------------------------------------------------

expect 2 "^Usage: sdrpctl <command>" "no command: usage, exit 2" --
expect 2 "not a 'sdrpctl' command" "unknown command: exit 2" -- frobnicate
expect 2 "not a 'sdrpctl cert' command" "unknown cert subcommand: exit 2" -- cert sign
expect 0 "^Usage: sdrpctl cert issue " "--help: usage on stdout, exit 0" -- cert issue --help
expect 0 "^Usage: sdrpctl <command>" "help: the command table on stdout, exit 0" -- help
res=0
for cmd in "ca init" "key gen" "key pub" "cert issue" "cert show" "cert verify" \
	"psk gen" "sessions" "status"; do
	# shellcheck disable=SC2086 # split the command words
	run $cmd --help
	if [ "$rc" -ne 0 ] || ! grep -q "^Usage: sdrpctl $cmd" "$D/.out"; then
		echo "# sdrpctl $cmd --help: exit $rc"
		res=1
	fi
done
tap_ok $res "every command prints its usage with --help, exit 0"
expect 2 "^Usage: sdrpctl key gen" "key gen without a file: exit 2" -- key gen
expect 2 "unrecognized option" "unknown option: exit 2" -- key gen --size 2048 x.key
expect 2 "invalid --bits" "key gen --bits 1000: exit 2" -- key gen --bits 1000 x.key
expect 2 "invalid --bits" "key gen --bits 2049: exit 2" -- key gen --bits 2049 x.key
expect 2 "invalid --bits" "key gen --bits abc: exit 2" -- key gen --bits abc x.key
check "no file after a usage error" test ! -e x.key
expect 2 "^Usage: sdrpctl cert issue" "cert issue without --out: exit 2" -- \
	cert issue --ca-key ca.key --ca-cert ca.crt --name n --key node.key
expect 2 "^Usage: sdrpctl cert issue" "--key and --pubkey-from together: exit 2" -- \
	cert issue --ca-key ca.key --ca-cert ca.crt --name n --key node.key \
	--pubkey-from node.crt --out x.crt
expect 2 "invalid --name" "identity with a space: exit 2" -- \
	cert issue --ca-key ca.key --ca-cert ca.crt --name "a b" --key node.key --out x.crt
expect 2 "either --days or --not-after" "--days with --not-after: exit 2" -- \
	cert issue --ca-key ca.key --ca-cert ca.crt --name n --key node.key \
	--days 3 --not-after 2040-01-01 --out x.crt
expect 2 "invalid --days" "--days 0: exit 2" -- \
	cert issue --ca-key ca.key --ca-cert ca.crt --name n --key node.key --days 0 --out x.crt
expect 2 "ends before it starts" "--not-after before --not-before: exit 2" -- \
	ca init --name c --not-before 2030-01-01 --not-after 2029-01-01 --key x.key --cert x.crt
expect 2 "invalid --serial" "--serial -1: exit 2" -- \
	cert issue --ca-key ca.key --ca-cert ca.crt --name n --key node.key --serial -1 --out x.crt
expect 2 "^Usage: sdrpctl cert verify" "cert verify without --ca: exit 2" -- cert verify node.crt
expect 2 "invalid --at" "cert verify --at garbage: exit 2" -- \
	cert verify --ca ca.crt --at yesterday node.crt
expect 2 "same file" "ca init --key and --cert the same: exit 2" -- \
	ca init --name c --key same --cert same
expect 2 "^Usage: sdrpctl sessions" "sessions with an argument: exit 2" -- sessions all
check "no file after the usage errors" test ! -e x.crt

# ---- kernel --------------------------------------------------------------------

# Host tests: the module cannot be loaded here; where it is, these two
# would need a daemon-free kernel view and are skipped.
if [ -d /sys/module/sdrp ]; then
	tap_skip "sessions without the module" "sdrp module loaded"
	tap_skip "status without the module" "sdrp module loaded"
else
	expect 1 "^sdrpctl: sdrp generic netlink family not available: is the module loaded\?$" \
		"sessions without the module: clear error, exit 1" -- sessions
	expect 1 "^sdrpctl: sdrp generic netlink family not available: is the module loaded\?$" \
		"status without the module: clear error, exit 1" -- status
fi

tap_done
