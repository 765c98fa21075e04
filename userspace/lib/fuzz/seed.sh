#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# seed.sh TARGET VECTORS DIR: write the seed corpus of one fuzz target,
# made from the test vectors, into DIR (one file per seed).
set -eu
target=$1 vectors=$2 dir=$3

# hexes KEY [FILTER]: the hex value of KEY in every vector passing FILTER
# (an awk condition on the vector's fields f[...]), one line each.
hexes() {
	awk -v want="$1" -v cond="${2:-1}" '
	function flush() {
		if (n && (cond == "1" ||
		    (cond == "hello" && f["vector"] == "record" && f["clear"] == 1 &&
		     (f["type"] == 1 || f["type"] == 2)) ||
		    (cond == "record" && f["vector"] == "record")))
			if (want in f) print f[want]
		delete f; n = 0
	}
	/^#/ { next }
	/^$/ { flush(); next }
	{ k = $1; v = $0; sub(/^[^=]*= ?/, "", v); f[k] = v; n++ }
	END { flush() }' "$vectors"
}

# hex on stdin -> bytes on stdout (perl: no extra dependency)
unhex() {
	perl -ne 'chomp; print pack("H*", $_)'
}

# emit NAME: hex lines on stdin -> one seed file each, DIR/NAME-<line>
emit() {
	i=0
	while read -r h; do
		i=$((i + 1))
		printf '%s' "$h" | unhex > "$dir/$1-$i"
	done
}

case $target in
fuzz_hdr)
	hexes record record | emit record ;;
fuzz_inner)
	awk '/^vector = record/ { r = 1 } /^$/ { r = 0 }
	     r && /^type = / { t = sprintf("%02x", $3) }
	     r && /^inner = / { print t $3 }' "$vectors" | emit inner ;;
fuzz_hello)
	hexes data hello | emit payload ;;
fuzz_cert)
	hexes cert | emit cert ;;
fuzz_armor)
	i=0
	hexes cert | while read -r h; do
		i=$((i + 1))
		{ echo "-----BEGIN SDRP CERTIFICATE-----"
		  printf '%s' "$h" | unhex | base64 -w 64
		  echo "-----END SDRP CERTIFICATE-----"; } > "$dir/armor-$i"
	done ;;
fuzz_record)
	# selector = 2 * (index of the record vector) + mode
	hexes record record | awk '{ printf "%02x%s\n", (2 * (NR - 1)) % 256, $0 }' | emit record
	awk '/^vector = record/ { r = 1; n++ } /^$/ { r = 0 }
	     r && /^clear = / { c = $3 }
	     r && /^type = / { t = $3 }
	     r && /^inner = / { printf "%02x%02x%02x%s\n", (2 * (n - 1) + 1) % 256, t, c, $3 }' \
		"$vectors" | emit sealed ;;
fuzz_server_hello)
	awk '/^name = initial-hello$/ { r = 1 } /^$/ { r = 0 }
	     r && /^inner = / { print $3 }' "$vectors" | emit hello ;;
fuzz_keyfile)
	# selector 0: s0 text; selector 1: a certificate as a key file
	hexes s0 | head -n 1 | while read -r h; do
		printf '\000%s\n' "$h" > "$dir/s0-1"
	done
	i=0
	hexes cert | while read -r h; do
		i=$((i + 1))
		{ printf '\001'
		  echo "-----BEGIN SDRP CERTIFICATE-----"
		  printf '%s' "$h" | unhex | base64 -w 64
		  echo "-----END SDRP CERTIFICATE-----"; } > "$dir/cert-$i"
	done
	printf '\001-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n' \
		> "$dir/pem-1" ;;
*)
	echo "seed.sh: no seeds for $target" >&2 ;;
esac
